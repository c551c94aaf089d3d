"""The reminder's one-tap answers (`/r/<token>/`): no login, the signed link is the key.

A GET only shows the question with one button (mail scanners and link previews
open links; they must not confirm or cancel anything); the POST answers.
Any link that is not good (wrong, used, after the start) is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinic.availability import clinic_zone
from clinic.http import no_store
from patients.booking.services import replies


@no_store
@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    try:
        appointment, answer = replies.reply_for(token, now=now)
    except replies.LinkNotValid as error:
        raise Http404 from error
    context = {
        "start": appointment.start.astimezone(clinic_zone()),
        "action": answer.action,
        "clinic_phone": settings.CLINIC_PHONE,
        "too_late": answer.action == "cancel" and not replies.may_cancel_online(appointment, now),
    }
    if request.method == "POST":
        try:
            outcome = replies.answer_reminder(appointment=appointment, reply=answer, now=now)
        except replies.LinkNotValid as error:
            raise Http404 from error
        return render(request, "patients/reply_done.html", {**context, "outcome": outcome})
    return render(request, "patients/reply.html", context)
