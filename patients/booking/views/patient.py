"""The patient's booking pages: choose a procedure, a time, confirm; my appointments.

The journey (every page works without JavaScript and on a phone):
1. `book`: the catalogue screened for this patient (ok / needs review / not
   possible). Not logged in: the login page, then back. No intake, or an
   expired one: the questionnaire first, then back to the same page (`next`).
2. `book-procedure`: a day and a range -> screening for those dates and the
   free slots grouped by day and practitioner. Blocked: the reasons in plain
   words, the slots from the earliest possible date when there is one, and a
   consultation instead. A course's next session is offered only inside its
   window (from last + minimum interval to last + maximum interval).
3. `book-confirm`: the chosen slot, what screening says for that date; the
   consent of the procedure's category is signed first when it is missing
   (the consent page brings the patient back); posting books it.
4. `appointment`: the confirmation (confirmed, or pending a practitioner's
   review), the pre-care, the calendar file, the way to my appointments.
   A slot taken meanwhile is a "just taken" page with the next free times.
5. `appointments`: upcoming and past; move (re-screened) and cancel up to
   `PATIENT_CHANGE_CUTOFF_HOURS` before the start, after that the clinic's phone.
6. `book-course`: every session of a course proposed in its window, booked all
   or none. 7. The waitlist: wait for a time to free up; an offer e-mail leads
   to `waitlist-offer`, where it is accepted while it is held.

Who sees what is decided first in every view: the logged-in patient's own
appointments, offers and entries only; anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.availability import Policy, Slot, free_slots, local_day_bounds
from clinic.http import no_store
from clinic.models import Practitioner
from clinic.ratelimit import rate_limited
from clinic.roles import is_staff_member
from clinic.selectors import availability_inputs, qualified_practitioners
from patients.booking.forms import CancelForm, CourseForm, DateRangeForm, SlotForm, WaitlistForm
from patients.booking.selectors import (
    appointment_of_patient,
    busy_for,
    course_history,
    patient_appointments,
    waitlist_of,
)
from patients.booking.services import booking
from patients.booking.services import waitlist as waitlist_services
from patients.messaging import appointment_calendar_file
from patients.models import Appointment, PatientProfile, WaitlistEntry, WaitlistOffer
from patients.models.lifecycle import HOLDING_STATUSES, AppointmentStatus
from patients.records import selectors
from patients.records.views import current_patient
from procedures.courses import CourseWindow, next_session_window
from procedures.errors import DomainError
from procedures.models import Procedure
from procedures.screening import ScreeningResult

S = AppointmentStatus
MAX_RANGE_DAYS = 14
CONSULTATION = "consultation"


# --- helpers shared with the desk pages -----------------------------------------------------


@dataclass(frozen=True)
class SlotView:
    """A free slot as a page shows it: local times, the practitioner, the link's query."""

    start: dt.datetime
    end: dt.datetime
    practitioner: Practitioner
    query: str


@dataclass
class DayView:
    day: dt.date
    result: ScreeningResult
    groups: list[tuple[Practitioner, list[SlotView]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(slots) for _p, slots in self.groups)


@dataclass
class SlotPicker:
    """What the slot-picking pages show: screening, the course window, slots by day."""

    requested: dt.date
    start: dt.date
    end: dt.date
    result: ScreeningResult | None
    blocked_first: ScreeningResult | None = None
    window: CourseWindow | None = None
    window_moved: bool = False
    days: list[DayView] = field(default_factory=list)
    blocked_days: list[DayView] = field(default_factory=list)

    @property
    def has_slots(self) -> bool:
        return any(day.count for day in self.days)

    @property
    def blocked(self) -> bool:
        return self.result is not None and self.result.blocked


def clinic_today() -> dt.date:
    return timezone.now().astimezone(Policy.from_settings().zone).date()


def slot_query(slot: Slot, zone: dt.tzinfo, **extra: Any) -> str:
    """The query string that carries a slot to the next page (ISO start with its offset)."""
    params = {
        "start": slot.start.astimezone(zone).isoformat(),
        "practitioner": slot.practitioner_id,
        **extra,
    }
    return urlencode(params)


def slot_views(
    slots: Iterable[Slot], practitioners: dict[int, Practitioner], **extra: Any
) -> list[SlotView]:
    zone = Policy.from_settings().zone
    return [
        SlotView(
            start=slot.start.astimezone(zone),
            end=slot.end.astimezone(zone),
            practitioner=practitioners[slot.practitioner_id],
            query=slot_query(slot, zone, **extra),
        )
        for slot in slots
        if slot.practitioner_id in practitioners
    ]


def _group(slots: list[SlotView]) -> list[tuple[Practitioner, list[SlotView]]]:
    groups: dict[int, tuple[Practitioner, list[SlotView]]] = {}
    for slot in slots:
        groups.setdefault(slot.practitioner.pk, (slot.practitioner, []))[1].append(slot)
    return sorted(groups.values(), key=lambda group: str(group[0]))


def pick_slots(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    day: dt.date,
    days: int,
    practitioner: Practitioner | None = None,
    practitioners: list[Practitioner],
    ignore_appointment: int | None = None,
) -> SlotPicker:
    """Screening and free slots of `procedure` for the patient from `day` for `days` days.

    Days that screening blocks offer no slot; a blocked first day with an
    earliest date moves the range there (`blocked_first` keeps why). Inside a
    course the range is kept inside the next session's window. Raises
    IntakeRequired when the patient has no current intake.
    """
    policy = Policy.from_settings()
    zone = policy.zone
    today = clinic_today()
    horizon = today + dt.timedelta(days=policy.max_days_ahead)
    days = max(1, min(days, MAX_RANGE_DAYS))
    picker = SlotPicker(requested=day, start=day, end=day, result=None)

    last, done = course_history(
        patient,
        procedure,
        before=local_day_bounds(day, zone=zone)[0],
        ignore_appointment=ignore_appointment,
    )
    window = next_session_window(
        procedure.screening_rules(), last_session_on=last, sessions_done=done
    )
    if window.opens_on is not None or window.closes_on is not None:
        picker.window = window
        if window.opens_on is not None and day < window.opens_on and not window.complete:
            day, picker.window_moved = window.opens_on, True

    def screen(on: dt.date) -> ScreeningResult:
        return booking.screen_for_booking(
            patient=patient, procedure=procedure, on=on, ignore_appointment=ignore_appointment
        )

    result = screen(day)
    earliest = result.earliest_date
    if result.blocked and earliest is not None and day < earliest <= horizon:
        picker.blocked_first = result
        day = earliest
        result = screen(day)
    picker.result = result
    picker.start = day
    end = day + dt.timedelta(days=days - 1)
    # Inside a course, only the window's days (after the window closes, review decides).
    if window.closes_on is not None and window.closes_on >= day and not window.complete:
        end = min(end, window.closes_on)
    end = min(end, horizon)
    picker.end = max(end, day)
    if result.blocked and result.earliest_date is None:
        return picker  # nothing will change by waiting: no slots at all
    if day > horizon:
        return picker

    span = (picker.end - day).days + 1
    inputs = availability_inputs(procedure, day, span, practitioner=practitioner)
    slots: list[Slot] = []
    if inputs.practitioners and inputs.room_ids:
        now = timezone.now()
        busy = busy_for(inputs, now=now, ignore_appointment=ignore_appointment)
        slots = free_slots(inputs, busy=busy, now=now, policy=policy)
    by_pk = {p.pk: p for p in practitioners}
    by_day: dict[dt.date, list[SlotView]] = {}
    for view in slot_views(slots, by_pk):
        by_day.setdefault(view.start.date(), []).append(view)
    for offset in range(span):
        on = day + dt.timedelta(days=offset)
        on_result = result if offset == 0 else screen(on)
        view = DayView(day=on, result=on_result, groups=_group(by_day.get(on, [])))
        (picker.blocked_days if on_result.blocked else picker.days).append(view)
    return picker


def booking_error_status(error: DomainError) -> int:
    return int(getattr(error, "http_status", 400))


def _next_to(request: HttpRequest) -> str:
    return quote(request.get_full_path(), safe="/")


def _intake_first(request: HttpRequest, patient: PatientProfile) -> HttpResponse | None:
    """The questionnaire first when it is missing or expired, then back here."""
    status = selectors.intake_status(patient)
    if status == "current":
        return None
    if status == "missing":
        messages.info(
            request,
            _("Please fill in the health questionnaire first; we will bring you back here."),
        )
    else:
        messages.info(
            request,
            _(
                "Your questionnaire is more than a year old: please check it first; "
                "we will bring you back here."
            ),
        )
    return redirect(f"{reverse('patients:intake')}?next={_next_to(request)}")


def _procedure_or_404(slug: str) -> Procedure:
    procedure = (
        Procedure.objects.filter(slug=slug, is_active=True).prefetch_related("rules").first()
    )
    if procedure is None:
        raise Http404
    return procedure


def is_course(procedure: Procedure) -> bool:
    """Several sessions at intervals (a repeatable treatment is booked one at a time)."""
    if procedure.repeatable or procedure.interval_min_days is None:
        return False
    return procedure.sessions_max is None or procedure.sessions_max > 1


def _consultation() -> Procedure | None:
    return Procedure.objects.filter(slug=CONSULTATION, is_active=True).first()


def _bad_request(request: HttpRequest, form: Any) -> HttpResponse:
    return render(request, "patients/booking/bad_request.html", {"form": form}, status=400)


# --- 1. choose a procedure ------------------------------------------------------------------


@login_required
@no_store
@require_GET
def book(request: HttpRequest) -> HttpResponse:
    """The catalogue screened for the logged-in patient, each with a way to book it."""
    if is_staff_member(request.user) and selectors.profile_of(request.user) is None:  # type: ignore[arg-type]
        return redirect("desk:index")
    patient = current_patient(request)
    if (response := _intake_first(request, patient)) is not None:
        return response
    today = clinic_today()
    context = {
        "patient": patient,
        "results": selectors.screened_catalogue(patient, on=today),
        "on": today,
        "consultation": _consultation(),
    }
    return render(request, "patients/booking/start.html", context)


# --- 2. choose a time -----------------------------------------------------------------------


@login_required
@no_store
@require_GET
def book_procedure(request: HttpRequest, slug: str) -> HttpResponse:
    """Screening for the chosen dates and the free slots, grouped by day and practitioner."""
    patient = current_patient(request)
    procedure = _procedure_or_404(slug)
    if (response := _intake_first(request, patient)) is not None:
        return response
    practitioners = qualified_practitioners(procedure)
    data = request.GET if "date" in request.GET else None
    form = DateRangeForm(
        data,
        initial={"date": clinic_today(), "days": "3"},
        practitioners=practitioners,
    )
    if data is not None and not form.is_valid():
        return _bad_request(request, form)
    day = form.cleaned_data["date"] if data is not None else clinic_today()
    days = form.cleaned_data["days"] if data is not None else 3
    chosen_pk = form.cleaned_data.get("practitioner") if data is not None else None
    chosen = next((p for p in practitioners if p.pk == chosen_pk), None)
    picker = pick_slots(
        patient=patient,
        procedure=procedure,
        day=day,
        days=days,
        practitioner=chosen,
        practitioners=practitioners,
    )
    context = {
        "patient": patient,
        "procedure": procedure,
        "form": form,
        "picker": picker,
        "slot_url": reverse("patients:book-confirm", args=[procedure.slug]),
        "consultation": _consultation() if procedure.slug != CONSULTATION else None,
        "waitlist_form": WaitlistForm(
            initial={"from_date": picker.start, "to_date": picker.end, "practitioner": chosen_pk},
            practitioners=practitioners,
        ),
        "is_course": is_course(procedure),
    }
    return render(request, "patients/booking/procedure.html", context)


# --- 3. confirm -----------------------------------------------------------------------------


def _taken(
    request: HttpRequest,
    *,
    procedure: Procedure,
    error: booking.SlotTaken,
    slot_url: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A friendly "just taken" with the next free times to pick from (HTTP 409)."""
    practitioners = {p.pk: p for p in qualified_practitioners(procedure)}
    context = {
        "procedure": procedure,
        "alternatives": slot_views(error.alternatives, practitioners),
        "slot_url": slot_url,
        **(extra or {}),
    }
    return render(request, "patients/booking/taken.html", context, status=409)


def _consent_first(
    request: HttpRequest, patient: PatientProfile, procedure: Procedure
) -> HttpResponse | None:
    """Sign the category's consent first when it is missing, then come back here."""
    if selectors.has_valid_consent(patient, procedure.category):
        return None
    if selectors.current_consent_text(procedure.category) is None:
        return None  # nothing to sign: the booking service refuses, and the page says so
    messages.info(
        request,
        _("Before booking, please read and sign the consent for this kind of procedure."),
    )
    url = reverse("patients:consent-sign", args=[procedure.category])
    return redirect(f"{url}?next={_next_to(request)}")


@login_required
@no_store
@rate_limited("booking")
@require_http_methods(["GET", "POST"])
def book_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """The chosen slot, what screening says for its date, and the button that books it."""
    patient = current_patient(request)
    procedure = _procedure_or_404(slug)
    if (response := _intake_first(request, patient)) is not None:
        return response
    practitioners = qualified_practitioners(procedure)
    form = SlotForm(request.GET, practitioners=practitioners)
    if not form.is_valid():
        return _bad_request(request, form)
    if (response := _consent_first(request, patient, procedure)) is not None:
        return response
    start: dt.datetime = form.cleaned_data["start"]
    practitioner: Practitioner | None = form.cleaned_data["practitioner"]
    slot_url = reverse("patients:book-confirm", args=[procedure.slug])
    error: DomainError | None = None
    if request.method == "POST":
        try:
            appointment = booking.book_appointment(
                patient=patient,
                procedure=procedure,
                start=start,
                practitioner=practitioner,
                booked_by=request.user,  # type: ignore[arg-type]
                channel=Appointment.Channel.WEB,
            )
        except booking.SlotTaken as taken:
            return _taken(request, procedure=procedure, error=taken, slot_url=slot_url)
        except booking.ConsentRequired:
            return _consent_first(request, patient, procedure) or redirect(request.get_full_path())
        except booking.IntakeRequired:
            return _intake_first(request, patient) or redirect(request.get_full_path())
        except DomainError as refused:
            error = refused
        else:
            if appointment.status == S.PENDING_REVIEW:
                messages.success(
                    request,
                    _(
                        "Your request is sent. A practitioner will review it; the time is held "
                        "for you."
                    ),
                )
            else:
                messages.success(request, _("Your appointment is booked and confirmed."))
            return redirect("patients:appointment", pk=appointment.pk)
    zone = Policy.from_settings().zone
    local_start = start.astimezone(zone)
    result = booking.screen_for_booking(
        patient=patient, procedure=procedure, on=local_start.date(), start=start
    )
    sessions = procedure.sessions_min or 2
    context = {
        "patient": patient,
        "procedure": procedure,
        "start": local_start,
        "end": local_start + dt.timedelta(minutes=procedure.booked_minutes),
        "practitioner": practitioner,
        "result": result,
        "error": error,
        "back_url": reverse("patients:book-procedure", args=[procedure.slug])
        + "?"
        + urlencode({"date": local_start.date().isoformat(), "days": 3}),
        "course_url": (
            reverse("patients:book-course", args=[procedure.slug])
            + "?"
            + urlencode({**request.GET.dict(), "sessions": sessions})
            if is_course(procedure)
            else None
        ),
        "consent_missing": not selectors.has_valid_consent(patient, procedure.category),
        "cutoff_hours": settings.PATIENT_CHANGE_CUTOFF_HOURS,
    }
    status = booking_error_status(error) if error is not None else 200
    return render(request, "patients/booking/confirm.html", context, status=status)


# --- 4/5. my appointments -------------------------------------------------------------------


def _own_appointment(request: HttpRequest, pk: int) -> tuple[PatientProfile, Appointment]:
    patient = current_patient(request)
    appointment = appointment_of_patient(patient, pk)
    if appointment is None:
        raise Http404  # another patient's appointment is "not found", never "forbidden"
    return patient, appointment


def change_deadline(appointment: Appointment) -> dt.datetime:
    """Until when the patient may move or cancel online."""
    return appointment.start - dt.timedelta(hours=settings.PATIENT_CHANGE_CUTOFF_HOURS)


def _changeable(appointment: Appointment, now: dt.datetime) -> dict[str, Any]:
    active = appointment.status in HOLDING_STATUSES and appointment.start > now
    return {
        "appointment": appointment,
        "upcoming": active,
        "can_change": active and now < change_deadline(appointment),
        "can_move": active
        and now < change_deadline(appointment)
        and appointment.status in (S.PENDING_REVIEW, S.CONFIRMED),
        "deadline": change_deadline(appointment),
    }


@login_required
@no_store
@require_GET
def appointments(request: HttpRequest) -> HttpResponse:
    """The patient's upcoming and past appointments, their waitlist and open offers."""
    patient = current_patient(request)
    now = timezone.now()
    rows = [_changeable(a, now) for a in patient_appointments(patient)]
    upcoming = sorted((r for r in rows if r["upcoming"]), key=lambda r: r["appointment"].start)
    past = [r for r in rows if not r["upcoming"]]
    entries = list(waitlist_of(patient).filter(status__in=waitlist_services.OPEN_ENTRY))
    offers = [
        offer
        for entry in entries
        for offer in entry.offers.all()
        if offer.status == WaitlistOffer.Status.OPEN and offer.expires_at > now
    ]
    context = {
        "patient": patient,
        "upcoming": upcoming,
        "past": past,
        "entries": entries,
        "offers": offers,
        "cutoff_hours": settings.PATIENT_CHANGE_CUTOFF_HOURS,
    }
    return render(request, "patients/booking/appointments.html", context)


@login_required
@no_store
@require_GET
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One appointment: the confirmation page (status, pre-care, calendar file, changes)."""
    _patient, appointment = _own_appointment(request, pk)
    context = {
        **_changeable(appointment, timezone.now()),
        "cutoff_hours": settings.PATIENT_CHANGE_CUTOFF_HOURS,
    }
    return render(request, "patients/booking/appointment.html", context)


@login_required
@no_store
@require_GET
def appointment_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The appointment as an .ics file for the patient's calendar."""
    _patient, appointment = _own_appointment(request, pk)
    cancelled = appointment.status in (S.CANCELLED, S.DECLINED)
    response = HttpResponse(
        appointment_calendar_file(appointment, cancelled=cancelled),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


@login_required
@no_store
@rate_limited("booking")
@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel up to the cut-off (the rule explained); after it, the clinic's phone."""
    _patient, appointment = _own_appointment(request, pk)
    now = timezone.now()
    form = CancelForm(request.POST if request.method == "POST" else None)
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            booking.cancel_appointment(
                appointment=appointment,
                by=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"] or _("Cancelled online by the patient."),
            )
        except DomainError as refused:
            error = refused
        else:
            messages.success(request, _("Your appointment is cancelled."))
            return redirect("patients:appointments")
    context = {
        **_changeable(appointment, now),
        "form": form,
        "error": error,
        "cutoff_hours": settings.PATIENT_CHANGE_CUTOFF_HOURS,
    }
    status = booking_error_status(error) if error else (400 if form.errors else 200)
    return render(request, "patients/booking/cancel.html", context, status=status)


@login_required
@no_store
@rate_limited("booking")
@require_http_methods(["GET", "POST"])
def appointment_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick a new time (re-screened for its date), confirm, and move."""
    patient, appointment = _own_appointment(request, pk)
    now = timezone.now()
    state = _changeable(appointment, now)
    procedure = appointment.procedure
    practitioners = qualified_practitioners(procedure)
    move_url = reverse("patients:appointment-move", args=[appointment.pk])
    base = {**state, "procedure": procedure, "cutoff_hours": settings.PATIENT_CHANGE_CUTOFF_HOURS}
    if not state["can_move"]:
        return render(request, "patients/booking/move.html", base)
    if (response := _intake_first(request, patient)) is not None:
        return response
    if "start" in request.GET:
        return _move_confirm(request, appointment, practitioners, move_url, base)
    data = request.GET if "date" in request.GET else None
    today = clinic_today()
    form = DateRangeForm(data, initial={"date": today, "days": "3"}, practitioners=practitioners)
    if data is not None and not form.is_valid():
        return _bad_request(request, form)
    chosen_pk = form.cleaned_data.get("practitioner") if data is not None else None
    picker = pick_slots(
        patient=patient,
        procedure=procedure,
        day=form.cleaned_data["date"] if data is not None else today,
        days=form.cleaned_data["days"] if data is not None else 3,
        practitioner=next((p for p in practitioners if p.pk == chosen_pk), None),
        practitioners=practitioners,
        ignore_appointment=appointment.pk,
    )
    context = {**base, "form": form, "picker": picker, "slot_url": move_url}
    return render(request, "patients/booking/move.html", context)


def _move_confirm(
    request: HttpRequest,
    appointment: Appointment,
    practitioners: list[Practitioner],
    move_url: str,
    base: dict[str, Any],
) -> HttpResponse:
    form = SlotForm(request.GET, practitioners=practitioners)
    if not form.is_valid():
        return _bad_request(request, form)
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
            return _taken(
                request,
                procedure=appointment.procedure,
                error=taken,
                slot_url=move_url,
                extra={"appointment": appointment},
            )
        except DomainError as refused:
            error = refused
        else:
            messages.success(request, _("Your appointment is moved."))
            return redirect("patients:appointment", pk=appointment.pk)
    zone = Policy.from_settings().zone
    local_start = start.astimezone(zone)
    result = booking.screen_for_booking(
        patient=appointment.patient,
        procedure=appointment.procedure,
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
        "back_url": move_url,
    }
    status = booking_error_status(error) if error else 200
    return render(request, "patients/booking/move.html", context, status=status)


# --- 6. a whole course ----------------------------------------------------------------------


@login_required
@no_store
@rate_limited("booking")
@require_http_methods(["GET", "POST"])
def book_course(request: HttpRequest, slug: str) -> HttpResponse:
    """Every session of a course proposed inside its window; booked all or none."""
    patient = current_patient(request)
    procedure = _procedure_or_404(slug)
    if not is_course(procedure):
        raise Http404
    if (response := _intake_first(request, patient)) is not None:
        return response
    practitioners = qualified_practitioners(procedure)
    form = CourseForm(request.GET, practitioners=practitioners)
    if not form.is_valid():
        return _bad_request(request, form)
    if (response := _consent_first(request, patient, procedure)) is not None:
        return response
    start: dt.datetime = form.cleaned_data["start"]
    practitioner: Practitioner | None = form.cleaned_data["practitioner"]
    sessions: int = form.cleaned_data["sessions"]
    error: DomainError | None = None
    if request.method == "POST":
        try:
            booked = booking.book_course(
                patient=patient,
                procedure=procedure,
                first_start=start,
                sessions=sessions,
                practitioner=practitioner,
                booked_by=request.user,  # type: ignore[arg-type]
                channel=Appointment.Channel.COURSE,
            )
        except booking.SlotTaken as taken:
            return _taken(
                request,
                procedure=procedure,
                error=taken,
                slot_url=reverse("patients:book-confirm", args=[procedure.slug]),
            )
        except DomainError as refused:
            error = refused
        else:
            messages.success(
                request,
                _("Your course is booked: %(count)s sessions.") % {"count": len(booked)},
            )
            return redirect("patients:appointments")
    proposals: list[booking.CourseProposal] = []
    try:
        proposals = booking.propose_course_slots(
            patient=patient,
            procedure=procedure,
            first_start=start,
            sessions=sessions,
            practitioner=practitioner,
        )
    except DomainError as refused:
        error = error or refused
    zone = Policy.from_settings().zone
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
        and all(r["proposal"].bookable for r in rows)
        and len(rows) == sessions,
        "error": error,
    }
    status = booking_error_status(error) if error and request.method == "POST" else 200
    return render(request, "patients/booking/course.html", context, status=status)


# --- 7. the waitlist ------------------------------------------------------------------------


@login_required
@no_store
@require_POST
def waitlist_join(request: HttpRequest, slug: str) -> HttpResponse:
    """Tell me if a time frees up for this procedure between two dates."""
    patient = current_patient(request)
    procedure = _procedure_or_404(slug)
    practitioners = qualified_practitioners(procedure)
    form = WaitlistForm(request.POST, practitioners=practitioners)
    error: DomainError | None = None
    if form.is_valid():
        try:
            waitlist_services.join_waitlist(
                patient=patient,
                procedure=procedure,
                from_date=form.cleaned_data["from_date"],
                to_date=form.cleaned_data["to_date"],
                practitioner=form.cleaned_data["practitioner"],
                by=request.user,  # type: ignore[arg-type]
            )
        except DomainError as refused:
            error = refused
        else:
            messages.success(
                request,
                _(
                    "You are on the waitlist. If a time frees up, we will e-mail you and hold it "
                    "for you for a few hours."
                ),
            )
            return redirect("patients:appointments")
    context = {"patient": patient, "procedure": procedure, "form": form, "error": error}
    status = booking_error_status(error) if error else 400
    return render(request, "patients/booking/waitlist_join.html", context, status=status)


@login_required
@require_POST
def waitlist_leave(request: HttpRequest, pk: int) -> HttpResponse:
    patient = current_patient(request)
    entry = WaitlistEntry.objects.filter(pk=pk, patient=patient).first()
    if entry is None:
        raise Http404
    waitlist_services.leave_waitlist(entry=entry, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("You are off the waitlist for this procedure."))
    return redirect("patients:appointments")


@login_required
@no_store
@require_http_methods(["GET", "POST"])
def waitlist_offer(request: HttpRequest, pk: int) -> HttpResponse:
    """A freed slot held for this patient: accept it while the hold lasts."""
    patient = current_patient(request)
    offer = (
        WaitlistOffer.objects.select_related(
            "entry__procedure", "entry__patient", "practitioner__user", "room", "appointment"
        )
        .filter(pk=pk, entry__patient=patient)
        .first()
    )
    if offer is None:
        raise Http404
    error: DomainError | None = None
    if request.method == "POST":
        try:
            appointment = waitlist_services.accept_waitlist_offer(offer=offer, patient=patient)
        except booking.ConsentRequired:
            return _consent_first(request, patient, offer.entry.procedure) or redirect(
                request.get_full_path()
            )
        except booking.IntakeRequired:
            return _intake_first(request, patient) or redirect(request.get_full_path())
        except DomainError as refused:
            error = refused
        else:
            messages.success(request, _("The time is yours: your appointment is booked."))
            return redirect("patients:appointment", pk=appointment.pk)
    zone = Policy.from_settings().zone
    now = timezone.now()
    context = {
        "offer": offer,
        "procedure": offer.entry.procedure,
        "start": offer.start.astimezone(zone),
        "end": offer.end.astimezone(zone),
        "expires_at": offer.expires_at.astimezone(zone),
        "is_open": offer.status == WaitlistOffer.Status.OPEN and offer.expires_at > now,
        "error": error,
    }
    status = booking_error_status(error) if error else 200
    return render(request, "patients/booking/waitlist_offer.html", context, status=status)
