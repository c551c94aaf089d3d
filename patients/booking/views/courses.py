"""The patient's page for a whole course: every session proposed in its window, all or none.

Each session is proposed at the same local time on the day its window opens
when that is free, else at the nearest free time inside the window, and
screened with the history the sessions before it make (`book_course`). The
page shows every proposal; posting books them all or none.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.availability import clinic_zone
from clinic.http import SignedInRequest, no_store
from clinic.models import Practitioner
from clinic.ratelimit import rate_limited
from clinic.selectors import qualified_practitioners
from patients.booking.forms import CourseForm
from patients.booking.services import (
    CourseProposal,
)
from patients.booking.services import courses as course_services
from patients.booking.views import flow
from patients.booking.views.flow import PATIENT, error_status
from patients.booking.views.patient import (
    consent_first,
    intake_first,
    is_course,
    procedure_or_404,
)
from patients.models import Appointment
from patients.records.views import current_patient
from procedures.errors import DomainError


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
    start: dt.datetime = form.cleaned_data["start"]
    practitioner: Practitioner | None = form.cleaned_data["practitioner"]
    sessions: int = form.cleaned_data["sessions"]

    def booked(appointments: list[Appointment]) -> HttpResponse:
        messages.success(
            request, _("Your course is booked: %(count)s sessions.") % {"count": len(appointments)}
        )
        return redirect("patients:appointments")

    response, error = flow.submit(
        request,
        PATIENT,
        change=lambda: course_services.book_course(
            patient=patient,
            procedure=procedure,
            first_start=start,
            sessions=sessions,
            practitioner=practitioner,
            booked_by=request.user,
            channel=Appointment.Channel.COURSE,
        ),
        done=booked,
        procedure=procedure,
        slot_url=reverse("patients:book-confirm", args=[procedure.slug]),
    )
    if response is not None:
        return response
    proposals: list[CourseProposal] = []
    try:
        proposals = course_services.propose_course_slots(
            patient=patient,
            procedure=procedure,
            first_start=start,
            sessions=sessions,
            practitioner=practitioner,
        )
    except DomainError as refused:
        error = error or refused
    zone = clinic_zone()
    by_pk = {p.pk: p for p in practitioners}
    rows = [
        {
            "proposal": proposal,
            "start": proposal.slot.start.astimezone(zone) if proposal.slot else None,
            "practitioner": by_pk.get(proposal.slot.practitioner_id) if proposal.slot else None,
        }
        for proposal in proposals
    ]
    limit = procedure.sessions_max or procedure.sessions_min or 2
    context = {
        "patient": patient,
        "procedure": procedure,
        "rows": rows,
        "sessions": sessions,
        "session_choices": range(1, min(limit, 10) + 1),
        "start": start.astimezone(zone),
        "practitioner": practitioner,
        "query": request.GET.dict(),
        "bookable": bool(rows)
        and all(proposal.bookable for proposal in proposals)
        and len(rows) == sessions,
        "error": error,
    }
    status = error_status(error) if request.method == "POST" else 200
    return render(request, "patients/booking/course.html", context, status=status)
