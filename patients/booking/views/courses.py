"""The patient's page for a whole course: every session proposed in its window, all or none.

Each session is proposed at the same local time on the day its window opens
when that is free, else at the nearest free time inside the window, and
screened with the history the sessions before it make (`book_course`). The
page shows every proposal; posting books them all or none.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from clinic.http import SignedInRequest, no_store
from clinic.ratelimit import rate_limited
from clinic.selectors import qualified_practitioners
from patients.booking.forms import CourseForm
from patients.booking.views import flow
from patients.booking.views.flow import PATIENT
from patients.booking.views.patient import (
    consent_first,
    intake_first,
    is_course,
    procedure_or_404,
)
from patients.models import Appointment
from patients.records.views import current_patient


@login_required
@no_store
@rate_limited("booking")
@require_http_methods(["GET", "POST"])
def book_course(request: SignedInRequest, slug: str) -> HttpResponse:
    """Every session of a course proposed inside its window; booked all or none."""
    patient = current_patient(request)
    procedure = procedure_or_404(slug)
    if not is_course(procedure):
        raise Http404
    if (response := intake_first(request, patient)) is not None:
        return response
    practitioners = qualified_practitioners(procedure)
    form = CourseForm(request.GET, practitioners=practitioners)
    if not form.is_valid():
        return flow.bad_request(request, PATIENT, form)
    if (response := consent_first(request, patient, procedure)) is not None:
        return response

    def booked(appointments: list[Appointment]) -> HttpResponse:
        messages.success(
            request,
            ngettext(
                "Your course is booked: %(count)s session.",
                "Your course is booked: %(count)s sessions.",
                len(appointments),
            )
            % {"count": len(appointments)},
        )
        return redirect("patients:appointments")

    return flow.course(
        request,
        PATIENT,
        patient=patient,
        procedure=procedure,
        form=form,
        practitioners=practitioners,
        channel=Appointment.Channel.COURSE,
        booked=booked,
        slot_url=reverse("patients:book-confirm", args=[procedure.slug]),
        context={"patient": patient},
    )
