"""Booking at the reception desk, inside the staff workspace (the admin's look and login).

A receptionist (or a manager) finds the patient, chooses a procedure and a day,
sees the patient's screening for those dates and the free slots, and books,
moves or cancels through the same booking services and the same page flow as
the patient's own pages (`flow`): the same checks, the same history rows, the
same e-mails. Domain rules kept:

- Only receptionists and managers use the desk (`Role.RECEPTIONIST`); other
  staff get 403, and the admin's login keeps everybody else out.
- A `blocked` screening blocks the desk too: the page says why and offers no
  slot (only a practitioner correcting the intake changes it); `review` books
  as pending review; staff may change an appointment at any time (no cut-off).
- The desk cannot sign a consent or fill in the questionnaire for the patient:
  it says what is missing, and the patient does it in their account (or on the
  clinic tablet). A consultation needs neither (`patients.booking.screening`).
- "New patient": a first-time caller is created with an invitation to set a
  password and fill in the questionnaire at home; an existing patient with the
  same phone or e-mail address is offered instead (`patients.records.services.
  invitations`). The patient's page shows whether the invitation was done.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from clinic.http import SignedInRequest
from clinic.roles import Role, role_required
from clinic.selectors import qualified_practitioners
from clinic.staff_security import qr_svg
from patients.booking.errors import IntakeRequired
from patients.booking.forms import (
    CourseForm,
    DeskNewPatientForm,
    DeskSearchForm,
    DeskTabletForm,
    PatientSearchForm,
    SlotForm,
)
from patients.booking.screening import asks_nothing
from patients.booking.selectors import patient_appointments, pick_slots
from patients.booking.services import MOVABLE, book_appointment
from patients.booking.views import flow
from patients.booking.views.flow import DESK, error_status
from patients.booking.views.patient import is_course
from patients.models import Appointment, PatientProfile
from patients.models.lifecycle import HOLDING_STATUSES
from patients.records import selectors, services
from patients.records.forms import add_domain_error
from patients.records.services.tablet import open_tablet
from procedures.errors import DomainError
from procedures.models import Procedure

PATIENTS_SHOWN = 50
# What the desk is told of a flagged booking: that it waits, never why (health data).
WAITS_FOR_PRACTITIONER = gettext_lazy(
    "The booking waits for a practitioner's decision. The reasons are health data, shown to "
    "practitioners only; the patient is told when it is decided."
)
desk_only = role_required(Role.RECEPTIONIST)


def _patient(patient_id: int) -> PatientProfile:
    return get_object_or_404(
        PatientProfile.objects.select_related("user"), pk=patient_id, erased_at__isnull=True
    )


def _appointment(appointment_id: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related(
            "patient__user", "procedure", "practitioner__user", "room"
        ),
        pk=appointment_id,
    )


def _patient_state(patient: PatientProfile) -> dict[str, Any]:
    """What the desk may know: contact, intake status, consents, outcome (never answers)."""
    return {
        "patient": patient,
        "intake_status": selectors.intake_status(patient),
        "consents": selectors.consent_overview(patient),
        "invitation": selectors.invitation_status(patient),
        "tablet": selectors.latest_tablet(patient),
    }


@require_GET
@desk_only
def desk_index(request: SignedInRequest) -> HttpResponse:
    """Find a patient by name, e-mail address or phone."""
    form = PatientSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    patients = list(selectors.patients_for_staff(query=query)[:PATIENTS_SHOWN]) if query else []
    context = {"title": _("Desk booking"), "form": form, "query": query, "patients": patients}
    return DESK.show(request, "index.html", context)


@require_http_methods(["GET", "POST"])
@desk_only
def desk_new_patient(request: SignedInRequest) -> HttpResponse:
    """Create a first-time caller (offering an existing patient with the same phone or
    e-mail address instead) and invite them; then book on their page."""
    form = DeskNewPatientForm(request.POST or None)
    duplicates: list[selectors.Duplicate] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            patient = services.create_patient_at_desk(**data)
        except DomainError as refused:
            duplicates = selectors.possible_duplicates(phone=data["phone"], email=data["email"])
            add_domain_error(form, refused)
        else:
            messages.success(request, _("Patient created: %(name)s.") % {"name": patient})
            return redirect("desk:patient", patient_id=patient.pk)
    context = {"title": _("New patient"), "form": form, "duplicates": duplicates}
    status = 400 if form.errors else 200
    return DESK.show(request, "new_patient.html", context, status=status)


@require_http_methods(["POST"])
@desk_only
def desk_invite(request: SignedInRequest, patient_id: int) -> HttpResponse:
    """Send the invitation again (a fresh one-time link)."""
    patient = _patient(patient_id)
    try:
        services.invite_patient(patient=patient)
    except DomainError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("The invitation is sent again."))
    return redirect("desk:patient", patient_id=patient.pk)


@require_GET
@desk_only
def desk_patient(request: SignedInRequest, patient_id: int) -> HttpResponse:
    """The patient's appointments, and the choice of a procedure and a day to book."""
    patient = _patient(patient_id)
    now = timezone.now()
    rows = list(patient_appointments(patient))
    upcoming = sorted(
        (a for a in rows if a.status in HOLDING_STATUSES and a.end > now), key=lambda a: a.start
    )
    past = [a for a in rows if a not in upcoming][:20]
    form = DeskSearchForm(initial={"date": timezone.localdate(), "days": "1"})
    for appointment in upcoming:
        appointment.missing = selectors.ready_for_visit(  # type: ignore[attr-defined]  # for the page
            patient, appointment.procedure.category, on=timezone.localdate(appointment.start)
        )
    kinds = list(dict.fromkeys(a.procedure.category for a in upcoming))
    context = {
        "title": _("Desk booking: %(name)s") % {"name": patient},
        **_patient_state(patient),
        "upcoming": upcoming,
        "past": past,
        "form": form,
        "tablet_form": DeskTabletForm(initial={"kinds": kinds}),
    }
    return DESK.show(request, "patient.html", context)


@require_http_methods(["POST"])
@desk_only
def desk_tablet(request: SignedInRequest, patient_id: int) -> HttpResponse:
    """Open the clinic tablet for the patient: the link (and its QR code) shown once."""
    patient = _patient(patient_id)
    form = DeskTabletForm(request.POST)
    if not form.is_valid():
        return flow.bad_request(request, DESK, form)
    try:
        session, token = open_tablet(
            patient=patient,
            consent_kinds=form.cleaned_data["kinds"],
            opened_by=request.user,
        )
    except DomainError as refused:
        messages.error(request, str(refused.message))
        return redirect("desk:patient", patient_id=patient.pk)
    url = settings.PORTAL_URL.rstrip("/") + reverse("patients:tablet", args=[token])
    context = {
        "title": _("Clinic tablet: %(name)s") % {"name": patient},
        **_patient_state(patient),
        "session": session,
        "tablet_url": url,
        "qr": qr_svg(url),
    }
    return DESK.show(request, "tablet.html", context)


@require_GET
@desk_only
def desk_book(request: SignedInRequest, patient_id: int) -> HttpResponse:
    """Screening for the chosen dates and the free slots; blocked shows why and no slot."""
    patient = _patient(patient_id)
    form = DeskSearchForm(request.GET)
    if not form.is_valid():
        failed = {"title": _("Desk booking"), **_patient_state(patient), "form": form}
        return DESK.show(request, "patient.html", failed, status=400)
    procedure: Procedure = form.cleaned_data["procedure"]
    context: dict[str, Any] = {
        "title": _("Book %(procedure)s for %(name)s") % {"procedure": procedure, "name": patient},
        **_patient_state(patient),
        "procedure": procedure,
        "form": form,
    }
    try:
        context["picker"] = pick_slots(
            patient=patient,
            procedure=procedure,
            day=form.cleaned_data["date"],
            days=form.cleaned_data["days"],
            practitioners=qualified_practitioners(procedure),
        )
    except IntakeRequired as missing:
        context["error"] = missing
        return DESK.show(request, "book.html", context, status=422)
    context["slot_url"] = reverse("desk:confirm", args=[patient.pk, procedure.slug])
    context["consultation"] = flow.consultation(instead_of=procedure)
    return DESK.show(request, "book.html", context)


@require_http_methods(["GET", "POST"])
@desk_only
def desk_confirm(request: SignedInRequest, patient_id: int, slug: str) -> HttpResponse:
    """The chosen slot and the patient's screening for its date; posting books it."""
    patient = _patient(patient_id)
    procedure = get_object_or_404(Procedure.objects.prefetch_related("rules"), slug=slug)
    form = SlotForm(request.GET, practitioners=qualified_practitioners(procedure))
    if not form.is_valid():
        return flow.bad_request(request, DESK, form)
    start: dt.datetime = form.cleaned_data["start"]

    def booked(appointment: Appointment) -> HttpResponse:
        messages.success(request, _("Booked: %(appointment)s.") % {"appointment": appointment})
        if appointment.status == Appointment.Status.PENDING_REVIEW:
            messages.info(request, WAITS_FOR_PRACTITIONER)
        return redirect("desk:patient", patient_id=patient.pk)

    response, error = flow.submit(
        request,
        DESK,
        change=lambda: book_appointment(
            patient=patient,
            procedure=procedure,
            start=start,
            practitioner=form.cleaned_data["practitioner"],
            booked_by=request.user,
            channel=Appointment.Channel.DESK,
        ),
        done=booked,
        procedure=procedure,
        slot_url=reverse("desk:confirm", args=[patient.pk, procedure.slug]),
        taken_extra={"patient": patient},
    )
    if response is not None:
        return response
    slot = flow.chosen_slot(
        patient=patient,
        procedure=procedure,
        start=start,
        minutes=procedure.booked_minutes,
        practitioner=form.cleaned_data["practitioner"],
        error=error,
    )
    context = {
        "title": _("Confirm the booking"),
        **_patient_state(patient),
        "procedure": procedure,
        **slot,
        "course_url": (
            reverse("desk:course", args=[patient.pk, procedure.slug])
            + "?"
            + request.GET.urlencode()
            if is_course(procedure)
            else None
        ),
        "consent_missing": not asks_nothing(procedure)
        and not selectors.has_valid_consent(patient, procedure.category),
        "back_url": reverse("desk:book", args=[patient.pk])
        + "?"
        + urlencode({"procedure": procedure.slug, "date": slot["start"].date().isoformat()}),
    }
    return DESK.show(request, "confirm.html", context, status=error_status(slot["error"]))


@require_http_methods(["GET", "POST"])
@desk_only
def desk_move(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    """Move an appointment to a new slot (re-screened; staff have no cut-off)."""
    appointment = _appointment(appointment_id)
    patient, procedure = appointment.patient, appointment.procedure
    context = {
        "title": _("Move: %(appointment)s") % {"appointment": appointment},
        **_patient_state(patient),
        "appointment": appointment,
        "procedure": procedure,
        "movable": appointment.status in MOVABLE,
    }
    if not context["movable"]:
        return DESK.show(request, "move.html", context)
    data = request.GET if "date" in request.GET else None
    form = DeskSearchForm(
        data and {**data.dict(), "procedure": procedure.slug},
        initial={"procedure": procedure.slug, "date": timezone.localdate(), "days": "1"},
    )
    return flow.move(
        request,
        DESK,
        appointment=appointment,
        practitioners=qualified_practitioners(procedure),
        form=form,
        move_url=reverse("desk:move", args=[appointment.pk]),
        context=context,
        moved=(_("The appointment is moved."), reverse("desk:patient", args=[patient.pk])),
    )


@require_http_methods(["GET", "POST"])
@desk_only
def desk_cancel(request: SignedInRequest, appointment_id: int) -> HttpResponse:
    """Cancel an appointment for the patient (any time), saying why."""
    appointment = _appointment(appointment_id)
    context = {
        "title": _("Cancel: %(appointment)s") % {"appointment": appointment},
        **_patient_state(appointment.patient),
        "appointment": appointment,
        "active": appointment.status in HOLDING_STATUSES,
    }
    return flow.cancel(
        request,
        DESK,
        appointment=appointment,
        default_reason=_("Cancelled at the desk."),
        context=context,
        cancelled=(
            _("The appointment is cancelled."),
            reverse("desk:patient", args=[appointment.patient_id]),
        ),
        reason_label=_("Reason"),
        suggested_reason=request.GET.get("reason", ""),
    )


@require_http_methods(["GET", "POST"])
@desk_only
def desk_course(request: SignedInRequest, patient_id: int, slug: str) -> HttpResponse:
    """The whole course from a chosen first slot, as patients book it online: every
    session proposed inside its window, booked all or none."""
    patient = _patient(patient_id)
    procedure = get_object_or_404(Procedure.objects.prefetch_related("rules"), slug=slug)
    if not is_course(procedure):
        raise Http404
    practitioners = qualified_practitioners(procedure)
    form = CourseForm(request.GET, practitioners=practitioners)
    if not form.is_valid():
        return flow.bad_request(request, DESK, form)

    def booked(appointments: list[Appointment]) -> HttpResponse:
        messages.success(
            request,
            ngettext(
                "The course is booked: %(count)s session.",
                "The course is booked: %(count)s sessions.",
                len(appointments),
            )
            % {"count": len(appointments)},
        )
        return redirect("desk:patient", patient_id=patient.pk)

    return flow.course(
        request,
        DESK,
        patient=patient,
        procedure=procedure,
        form=form,
        practitioners=practitioners,
        channel=Appointment.Channel.DESK,
        booked=booked,
        slot_url=reverse("desk:confirm", args=[patient.pk, procedure.slug]),
        context={
            "title": _("Book the whole course: %(name)s") % {"name": procedure.name},
            **_patient_state(patient),
        },
        taken_extra={"patient": patient},
    )
