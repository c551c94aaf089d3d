"""The pre-care acknowledgement: the message's one-tap link (`/c/<token>/`, no login).

As for the reminder's answers, a GET only shows the question with one button
(mail scanners open links and must not acknowledge anything); the POST records
it. A link that is not good is a 404. The patient's own appointment page posts
to `appointment_acknowledge_care` (`patients.booking.views.patient`).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinic.availability import clinic_zone
from clinic.http import no_store
from patients.booking.services import care
from patients.booking.services.replies import LinkNotValid


@no_store
@require_http_methods(["GET", "POST"])
def acknowledge_care(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    try:
        appointment = care.appointment_for_care_token(token, now=now)
        context = {"start": appointment.start.astimezone(clinic_zone())}
        if request.method == "POST":
            care.acknowledge_precare(appointment, now=now)
            return render(request, "patients/care_acknowledged.html", context)
    except LinkNotValid as error:
        raise Http404 from error
    return render(request, "patients/care_acknowledge.html", context)
