"""Booking at the reception desk, inside the staff workspace (the admin's look and login).

A receptionist (or a manager) finds the patient, chooses a procedure and a day,
sees the patient's screening for those dates and the free slots, and books,
moves or cancels through the same booking services as the patient's own pages:
the same checks, the same history rows, the same e-mails. Domain rules kept:

- Only receptionists and managers use the desk (`Role.RECEPTIONIST`); other
  staff get 403, and the admin's login keeps everybody else out.
- A `blocked` screening blocks the desk too: the page says why and offers no
  slot (only a practitioner correcting the intake changes it); `review` books
  as pending review; staff may change an appointment at any time (no cut-off).
- The desk cannot sign a consent or fill in the questionnaire for the patient:
  it says what is missing, and the patient does it in their account.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clinic.availability import Policy
from clinic.roles import Role, has_role
from clinic.selectors import qualified_practitioners
from patients.booking.forms import CancelForm, DeskSearchForm, PatientSearchForm, SlotForm
from patients.booking.selectors import patient_appointments
from patients.booking.services import booking
from patients.booking.views.patient import (
    CONSULTATION,
    booking_error_status,
    clinic_today,
    pick_slots,
    slot_views,
)
from patients.models import Appointment, PatientProfile
from patients.models.lifecycle import HOLDING_STATUSES
from patients.records import selectors
from procedures.errors import DomainError
from procedures.models import Procedure

PATIENTS_SHOWN = 50


def _desk(request: HttpRequest) -> None:
    """Receptionists and managers only (the admin login already keeps patients out)."""
    if not has_role(request.user, Role.RECEPTIONIST):
        raise PermissionDenied


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> Any:
    context = {**admin.site.each_context(request), **context}
    response = render(request, f"patients/desk/{template}", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


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
    }


@require_GET
def desk_index(request: HttpRequest) -> HttpResponse:
    """Find a patient by name, e-mail address or phone."""
    _desk(request)
    form = PatientSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    patients = list(selectors.patients_for_staff(query=query)[:PATIENTS_SHOWN]) if query else []
    context = {"title": _("Desk booking"), "form": form, "query": query, "patients": patients}
    return _page(request, "index.html", context)


@require_GET
def desk_patient(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's appointments, and the choice of a procedure and a day to book."""
    _desk(request)
    patient = _patient(patient_id)
    now = timezone.now()
    rows = list(patient_appointments(patient))
    upcoming = sorted(
        (a for a in rows if a.status in HOLDING_STATUSES and a.end > now), key=lambda a: a.start
    )
    past = [a for a in rows if a not in upcoming][:20]
    form = DeskSearchForm(initial={"date": clinic_today(), "days": "1"})
    context = {
        "title": _("Desk booking: %(name)s") % {"name": patient},
        **_patient_state(patient),
        "upcoming": upcoming,
        "past": past,
        "form": form,
    }
    return _page(request, "patient.html", context)


@require_GET
def desk_book(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Screening for the chosen dates and the free slots; blocked shows why and no slot."""
    _desk(request)
    patient = _patient(patient_id)
    form = DeskSearchForm(request.GET)
    if not form.is_valid():
        context = {"title": _("Desk booking"), **_patient_state(patient), "form": form}
        return _page(request, "patient.html", context, status=400)
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
    except booking.IntakeRequired as missing:
        context["error"] = missing
        return _page(request, "book.html", context, status=422)
    context["slot_url"] = reverse("desk:confirm", args=[patient.pk, procedure.slug])
    context["consultation"] = (
        Procedure.objects.filter(slug=CONSULTATION, is_active=True).first()
        if procedure.slug != CONSULTATION
        else None
    )
    return _page(request, "book.html", context)


def _taken(
    request: HttpRequest,
    error: booking.SlotTaken,
    procedure: Procedure,
    slot_url: str,
    **extra: Any,
) -> HttpResponse:
    practitioners = {p.pk: p for p in qualified_practitioners(procedure)}
    context = {
        "title": _("Just taken"),
        "alternatives": slot_views(error.alternatives, practitioners),
        "slot_url": slot_url,
        "procedure": procedure,
        **extra,
    }
    return _page(request, "taken.html", context, status=409)


@require_http_methods(["GET", "POST"])
def desk_confirm(request: HttpRequest, patient_id: int, slug: str) -> HttpResponse:
    """The chosen slot and the patient's screening for its date; posting books it."""
    _desk(request)
    patient = _patient(patient_id)
    procedure = get_object_or_404(Procedure.objects.prefetch_related("rules"), slug=slug)
    practitioners = qualified_practitioners(procedure)
    form = SlotForm(request.GET, practitioners=practitioners)
    if not form.is_valid():
        context = {"title": _("Please check the request"), "form": form}
        return _page(request, "bad_request.html", context, status=400)
    start: dt.datetime = form.cleaned_data["start"]
    slot_url = reverse("desk:confirm", args=[patient.pk, procedure.slug])
    error: DomainError | None = None
    if request.method == "POST":
        try:
            appointment = booking.book_appointment(
                patient=patient,
                procedure=procedure,
                start=start,
                practitioner=form.cleaned_data["practitioner"],
                booked_by=request.user,  # type: ignore[arg-type]
                channel=Appointment.Channel.DESK,
            )
        except booking.SlotTaken as taken:
            return _taken(request, taken, procedure, slot_url, patient=patient)
        except DomainError as refused:
            error = refused
        else:
            messages.success(
                request,
                _("Booked: %(appointment)s.") % {"appointment": appointment},
            )
            return redirect("desk:patient", patient_id=patient.pk)
    local_start = start.astimezone(Policy.from_settings().zone)
    result = None
    try:
        result = booking.screen_for_booking(
            patient=patient, procedure=procedure, on=local_start.date(), start=start
        )
    except booking.IntakeRequired as missing:
        error = error or missing
    context = {
        "title": _("Confirm the booking"),
        **_patient_state(patient),
        "procedure": procedure,
        "start": local_start,
        "end": local_start + dt.timedelta(minutes=procedure.booked_minutes),
        "practitioner": form.cleaned_data["practitioner"],
        "result": result,
        "error": error,
        "consent_missing": not selectors.has_valid_consent(patient, procedure.category),
        "back_url": reverse("desk:book", args=[patient.pk])
        + "?"
        + urlencode({"procedure": procedure.slug, "date": local_start.date().isoformat()}),
    }
    status = booking_error_status(error) if error else 200
    return _page(request, "confirm.html", context, status=status)


@require_http_methods(["GET", "POST"])
def desk_move(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Move an appointment to a new slot (re-screened; staff have no cut-off)."""
    _desk(request)
    appointment = _appointment(appointment_id)
    patient, procedure = appointment.patient, appointment.procedure
    practitioners = qualified_practitioners(procedure)
    move_url = reverse("desk:move", args=[appointment.pk])
    base = {
        "title": _("Move: %(appointment)s") % {"appointment": appointment},
        **_patient_state(patient),
        "appointment": appointment,
        "procedure": procedure,
        "movable": appointment.status in booking.MOVABLE,
    }
    if not base["movable"]:
        return _page(request, "move.html", base)
    if "start" in request.GET:
        form = SlotForm(request.GET, practitioners=practitioners)
        if not form.is_valid():
            context = {"title": _("Please check the request"), "form": form}
            return _page(request, "bad_request.html", context, status=400)
        start: dt.datetime = form.cleaned_data["start"]
        error: DomainError | None = None
        if request.method == "POST":
            try:
                booking.move_appointment(
                    appointment=appointment,
                    start=start,
                    practitioner=form.cleaned_data["practitioner"],
                    by=request.user,  # type: ignore[arg-type]
                )
            except booking.SlotTaken as taken:
                return _taken(request, taken, procedure, move_url, appointment=appointment)
            except DomainError as refused:
                error = refused
            else:
                messages.success(request, _("The appointment is moved."))
                return redirect("desk:patient", patient_id=patient.pk)
        local_start = start.astimezone(Policy.from_settings().zone)
        result = booking.screen_for_booking(
            patient=patient,
            procedure=procedure,
            on=local_start.date(),
            start=start,
            ignore_appointment=appointment.pk,
        )
        context = {
            **base,
            "confirm": True,
            "start": local_start,
            "end": local_start + dt.timedelta(minutes=appointment.booked_minutes),
            "practitioner": form.cleaned_data["practitioner"],
            "result": result,
            "error": error,
        }
        status = booking_error_status(error) if error else 200
        return _page(request, "move.html", context, status=status)
    data = request.GET if "date" in request.GET else None
    search = DeskSearchForm(
        data and {**data.dict(), "procedure": procedure.slug},
        initial={"procedure": procedure.slug, "date": clinic_today(), "days": "1"},
    )
    if data is not None and not search.is_valid():
        context = {"title": _("Please check the request"), "form": search}
        return _page(request, "bad_request.html", context, status=400)
    picker = pick_slots(
        patient=patient,
        procedure=procedure,
        day=search.cleaned_data["date"] if data is not None else clinic_today(),
        days=search.cleaned_data["days"] if data is not None else 1,
        practitioners=practitioners,
        ignore_appointment=appointment.pk,
    )
    context = {**base, "form": search, "picker": picker, "slot_url": move_url}
    return _page(request, "move.html", context)


@require_http_methods(["GET", "POST"])
def desk_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Cancel an appointment for the patient (any time), saying why."""
    _desk(request)
    appointment = _appointment(appointment_id)
    form = CancelForm(request.POST if request.method == "POST" else None)
    form.fields["reason"].label = _("Reason")
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            booking.cancel_appointment(
                appointment=appointment,
                by=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"] or _("Cancelled at the desk."),
            )
        except DomainError as refused:
            error = refused
        else:
            messages.success(request, _("The appointment is cancelled."))
            return redirect("desk:patient", patient_id=appointment.patient_id)
    context = {
        "title": _("Cancel: %(appointment)s") % {"appointment": appointment},
        **_patient_state(appointment.patient),
        "appointment": appointment,
        "form": form,
        "error": error,
        "active": appointment.status in HOLDING_STATUSES,
    }
    status = booking_error_status(error) if error else (400 if form.errors else 200)
    return _page(request, "cancel.html", context, status=status)
