"""The clinic's public pages: home and health."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Say what the clinic treats and lead to the catalogue and booking."""
    return render(request, "home.html")


@never_cache
@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    """Report database, broker, worker and beat; 200 when all are fine, else 503."""
    results = health.run_checks()
    ok = all(passed for passed, _ in results.values())
    body = {
        "status": "ok" if ok else "unavailable",
        "checks": {
            name: {"ok": passed, "detail": detail} for name, (passed, detail) in results.items()
        },
        "failing": [name for name, (passed, _) in results.items() if not passed],
    }
    return JsonResponse(body, status=200 if ok else 503)
