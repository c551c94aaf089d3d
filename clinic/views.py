"""The clinic's public pages: home and health."""

import hmac
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from procedures.page_cache import public_page

from . import health

# Monitoring sends HEALTH_CHECK_TOKEN in this header to see what is down and why.
HEALTH_MONITOR_HEADER = "X-Health-Check-Token"


@require_GET
@public_page()
def home(request: HttpRequest) -> HttpResponse:
    """Say what the clinic treats and lead to the catalogue and booking."""
    return render(request, "home.html")


@never_cache
@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    """Say whether the portal is up: 200 or 503; the detail only with the monitoring token."""
    report = health.current_report()
    body: dict[str, object] = {"status": "ok" if report.ok else "unavailable"}
    if _monitoring(request):
        body["checks"] = {
            name: {"ok": passed, "detail": detail}
            for name, (passed, detail) in report.checks.items()
        }
        body["failing"] = report.failing
        body["checked_seconds_ago"] = round(max(0.0, time.time() - report.at), 1)
    return JsonResponse(body, status=200 if report.ok else 503)


def _monitoring(request: HttpRequest) -> bool:
    """True when the request carries HEALTH_CHECK_TOKEN (never when none is set)."""
    token = settings.HEALTH_CHECK_TOKEN
    given = request.headers.get(HEALTH_MONITOR_HEADER, "")
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())
