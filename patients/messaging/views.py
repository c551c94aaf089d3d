"""The gateway's side door: delivery reports of text messages (no login, a secret token)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from patients.messaging import delivery


@csrf_exempt  # the gateway posts from outside; the token in the address is the check
@require_POST
def sms_status_callback(request: HttpRequest, token: str) -> HttpResponse:
    """Take a gateway's delivery reports; 404 unless the address holds SMS_CALLBACK_TOKEN."""
    expected = settings.SMS_CALLBACK_TOKEN
    if not expected or not constant_time_compare(token, expected):
        raise Http404
    return HttpResponse(delivery.receive_callback(request.POST), content_type="text/plain")
