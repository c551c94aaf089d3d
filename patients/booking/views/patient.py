"""The patient's booking pages: choose a procedure, a time, confirm; my appointments.

The journey (every page works without JavaScript and on a phone):
1. `book`: the catalogue screened for this patient (ok / needs review / not
   possible). Not logged in: the login page, then back. No intake, or an
   expired one: the questionnaire first, then back to the same page (`next`).
2. `book-procedure`: a day and a range -> screening for those dates and the
   free slots grouped by day and practitioner (`selectors.pick_slots`). Blocked:
   the reasons in plain words, the slots from the earliest possible date when
   there is one, and a consultation instead. A course's next session is offered
   only inside its window.
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

Confirming, moving and cancelling go the way the desk's pages go (`flow`).
Who sees what is decided first in every view: the logged-in patient's own
appointments, offers and entries only; anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.http import SignedInRequest, no_store
from clinic.models import Practitioner
from clinic.ratelimit import rate_limited
from clinic.roles import is_staff_member
from clinic.selectors import qualified_practitioners
from patients.booking.errors import ConsentRequired, IntakeRequired
from patients.booking.forms import DateRangeForm, MonthForm, SlotForm, WaitlistForm
from patients.booking.screening import asks_nothing
from patients.booking.selectors import (
    SlotPicker,
    appointment_of_patient,
    patient_appointments,
    pick_slots,
    waitlist_of,
)
from patients.booking.selectors.calendar import day_periods, month_calendar
from patients.booking.services import (
    MOVABLE,
    book_appointment,
    care,
)
from patients.booking.services.replies import LinkNotValid
from patients.booking.services.waitlist import OPEN_ENTRY
from patients.booking.views import flow
from patients.booking.views.flow import PATIENT, error_status
from patients.messaging import appointment_calendar_file, precare_texts
from patients.models import Appointment, PatientProfile, WaitlistOffer
from patients.models.lifecycle import HOLDING_STATUSES, AppointmentStatus
from patients.records import selectors
from patients.records.views import current_patient
from procedures.errors import DomainError
from procedures.models import Procedure

S = AppointmentStatus


def _next_to(request: SignedInRequest) -> str:
    return quote(request.get_full_path(), safe="/")


def intake_first(request: SignedInRequest, patient: PatientProfile) -> HttpResponse | None:
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


def consent_first(
    request: SignedInRequest, patient: PatientProfile, procedure: Procedure
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


def first_things_first(
    request: SignedInRequest, patient: PatientProfile, procedure: Procedure, error: DomainError
) -> HttpResponse | None:
    """A refusal the patient can mend on another page (sign, answer): go there, then back."""
    if isinstance(error, ConsentRequired):
        return consent_first(request, patient, procedure) or redirect(request.get_full_path())
    if isinstance(error, IntakeRequired):
        return intake_first(request, patient) or redirect(request.get_full_path())
    return None


def procedure_or_404(slug: str) -> Procedure:
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


def _booked(request: SignedInRequest, appointment: Appointment) -> HttpResponse:
    if appointment.status == S.PENDING_REVIEW:
        messages.success(
            request,
            _("Your request is sent. A practitioner will review it; the time is held for you."),
        )
    else:
        messages.success(request, _("Your appointment is booked and confirmed."))
    return redirect("patients:appointment", pk=appointment.pk)


# --- 1. choose a procedure ------------------------------------------------------------------


@login_required
@no_store
@require_GET
def book(request: SignedInRequest) -> HttpResponse:
    """The catalogue screened for the logged-in patient, each with a way to book it."""
    if is_staff_member(request.user) and selectors.profile_of(request.user) is None:
        return redirect("desk:index")
    patient = current_patient(request)
    if (response := intake_first(request, patient)) is not None:
        return response
    today = timezone.localdate()
    context = {
        "patient": patient,
        "results": selectors.screened_catalogue(patient, on=today),
        "on": today,
        "consultation": flow.consultation(),
    }
    return render(request, "patients/booking/start.html", context)


# --- 2. choose a time -----------------------------------------------------------------------


def login_or_guest(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Signed in, or a guest on a procedure booked without an account (issue #20)."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str) -> HttpResponseBase:
        if not request.user.is_authenticated:
            procedure = Procedure.objects.filter(slug=slug, is_active=True).first()
            if procedure is not None and asks_nothing(procedure):
                return redirect("patients:book-guest", slug=slug)
            return redirect_to_login(request.get_full_path())
        return view(request, slug)

    return wrapper


@login_or_guest
@no_store
@require_GET
def book_procedure(request: SignedInRequest, slug: str) -> HttpResponse:
    """Screening for the chosen dates and the free slots, grouped by day and practitioner."""
    patient = current_patient(request)
    procedure = procedure_or_404(slug)
    if (response := intake_first(request, patient)) is not None:
        return response
    practitioners = qualified_practitioners(procedure)
    data = request.GET if "date" in request.GET else None
    today = timezone.localdate()
    form = DateRangeForm(data, initial={"date": today, "days": "3"}, practitioners=practitioners)
    if data is not None and not form.is_valid():
        return flow.bad_request(request, PATIENT, form)
    month_form = MonthForm(request.GET)
    if not month_form.is_valid():
        return flow.bad_request(request, PATIENT, month_form)
    chosen_pk = form.cleaned_data.get("practitioner") if data is not None else None
    chosen = next((p for p in practitioners if p.pk == chosen_pk), None)
    picker = pick_slots(
        patient=patient,
        procedure=procedure,
        day=form.cleaned_data["date"] if data is not None else today,
        days=form.cleaned_data["days"] if data is not None else 3,
        practitioner=chosen,
        practitioners=practitioners,
    )
    context = {
        "patient": patient,
        "procedure": procedure,
        "form": form,
        "picker": picker,
        "slot_url": reverse("patients:book-confirm", args=[procedure.slug]),
        "consultation": flow.consultation(instead_of=procedure),
        "waitlist_form": WaitlistForm(
            initial={"from_date": picker.start, "to_date": picker.end, "practitioner": chosen_pk},
            practitioners=practitioners,
        ),
        "is_course": is_course(procedure),
        **_calendar(patient, procedure, month_form.cleaned_data["month"], picker, chosen),
    }
    return render(request, "patients/booking/procedure.html", context)


def _calendar(
    patient: PatientProfile,
    procedure: Procedure,
    month: dt.date | None,
    picker: SlotPicker,
    practitioner: Practitioner | None,
) -> dict[str, Any]:
    """The month calendar of free days, its links, and one chosen day's times by part of day."""
    if picker.blocked and (picker.result is None or picker.result.earliest_date is None):
        return {"calendar": None}
    shown = month_calendar(
        patient=patient,
        procedure=procedure,
        month=month or picker.start,
        practitioner=practitioner,
    )
    extra = {"practitioner": practitioner.pk} if practitioner is not None else {}

    def month_link(first: dt.date | None) -> str | None:
        if first is None:
            return None
        return "?" + urlencode({"month": first.strftime("%Y-%m"), **extra})

    day_links = {
        day: "?" + urlencode({"date": day.isoformat(), "days": 1, **extra})
        for day in shown.free_days
    }
    one_day = picker.days[0] if len(picker.days) == 1 and picker.start == picker.end else None
    return {
        "calendar": shown,
        "calendar_weeks": [
            [(cell, day_links.get(cell.day) if cell.in_month else None) for cell in week]
            for week in shown.weeks
        ],
        "calendar_previous": month_link(shown.previous),
        "calendar_next": month_link(shown.next),
        "chosen_day": one_day,
        "chosen_periods": (
            day_periods([slot for _p, slots in one_day.groups for slot in slots])
            if one_day is not None
            else []
        ),
    }


# --- 3. confirm -----------------------------------------------------------------------------


@login_required
@no_store
@rate_limited("booking")
@require_http_methods(["GET", "POST"])
def book_confirm(request: SignedInRequest, slug: str) -> HttpResponse:
    """The chosen slot, what screening says for its date, and the button that books it."""
    patient = current_patient(request)
    procedure = procedure_or_404(slug)
    if (response := intake_first(request, patient)) is not None:
        return response
    form = SlotForm(request.GET, practitioners=qualified_practitioners(procedure))
    if not form.is_valid():
        return flow.bad_request(request, PATIENT, form)
    if (response := consent_first(request, patient, procedure)) is not None:
        return response
    start: dt.datetime = form.cleaned_data["start"]
    practitioner: Practitioner | None = form.cleaned_data["practitioner"]
    response, error = flow.submit(
        request,
        PATIENT,
        change=lambda: book_appointment(
            patient=patient,
            procedure=procedure,
            start=start,
            practitioner=practitioner,
            booked_by=request.user,
            channel=Appointment.Channel.WEB,
        ),
        done=lambda appointment: _booked(request, appointment),
        procedure=procedure,
        slot_url=reverse("patients:book-confirm", args=[procedure.slug]),
        refused=lambda refusal: first_things_first(request, patient, procedure, refusal),
    )
    if response is not None:
        return response
    slot = flow.chosen_slot(
        patient=patient,
        procedure=procedure,
        start=start,
        minutes=procedure.booked_minutes,
        practitioner=practitioner,
        error=error,
    )
    local_day = slot["start"].date()
    sessions = procedure.sessions_min or 2
    context = {
        "patient": patient,
        "procedure": procedure,
        **slot,
        "back_url": reverse("patients:book-procedure", args=[procedure.slug])
        + "?"
        + urlencode({"date": local_day.isoformat(), "days": 3}),
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
    return render(
        request, "patients/booking/confirm.html", context, status=error_status(slot["error"])
    )


# --- 4/5. my appointments -------------------------------------------------------------------


def _own_appointment(request: SignedInRequest, pk: int) -> tuple[PatientProfile, Appointment]:
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
    can_change = active and now < change_deadline(appointment)
    return {
        "appointment": appointment,
        "upcoming": active,
        "can_change": can_change,
        "can_move": can_change and appointment.status in MOVABLE,
        "deadline": change_deadline(appointment),
        "cutoff_hours": settings.PATIENT_CHANGE_CUTOFF_HOURS,
    }


@login_required
@no_store
@require_GET
def appointments(request: SignedInRequest) -> HttpResponse:
    """The patient's upcoming and past appointments, their waitlist and open offers."""
    patient = current_patient(request)
    now = timezone.now()
    rows = [_changeable(a, now) for a in patient_appointments(patient)]
    upcoming = sorted((r for r in rows if r["upcoming"]), key=lambda r: r["appointment"].start)
    past = [r for r in rows if not r["upcoming"]]
    entries = list(waitlist_of(patient).filter(status__in=OPEN_ENTRY))
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
def appointment_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """One appointment: the confirmation page (status, pre-care, calendar file, changes)."""
    _patient, appointment = _own_appointment(request, pk)
    context = _changeable(appointment, timezone.now())
    context["precare_instructions"] = precare_texts(appointment, language=get_language())
    if appointment.status == S.DECLINED:
        context["consultation"] = flow.consultation(instead_of=appointment.procedure)
    return render(request, "patients/booking/appointment.html", context)


@login_required
@no_store
@require_POST
def appointment_acknowledge_care(request: SignedInRequest, pk: int) -> HttpResponse:
    """The patient's "I have read the pre-care instructions" on their appointment page."""
    _patient, appointment = _own_appointment(request, pk)
    try:
        care.acknowledge_precare(appointment, now=timezone.now())
    except LinkNotValid as error:
        raise Http404 from error
    messages.success(request, _("Thank you: we have noted that you have read how to prepare."))
    return redirect("patients:appointment", pk=appointment.pk)


@login_required
@no_store
@require_GET
def appointment_ics(request: SignedInRequest, pk: int) -> HttpResponse:
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
def appointment_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    """Cancel up to the cut-off (the rule explained); after it, the clinic's phone."""
    _patient, appointment = _own_appointment(request, pk)
    return flow.cancel(
        request,
        PATIENT,
        appointment=appointment,
        default_reason=_("Cancelled online by the patient."),
        context=_changeable(appointment, timezone.now()),
        cancelled=(_("Your appointment is cancelled."), reverse("patients:appointments")),
    )


@login_required
@no_store
@rate_limited("booking")
@require_http_methods(["GET", "POST"])
def appointment_move(request: SignedInRequest, pk: int) -> HttpResponse:
    """Pick a new time (re-screened for its date), confirm, and move."""
    patient, appointment = _own_appointment(request, pk)
    state = _changeable(appointment, timezone.now())
    context = {**state, "procedure": appointment.procedure}
    if not state["can_move"]:
        return render(request, "patients/booking/move.html", context)
    if (response := intake_first(request, patient)) is not None:
        return response
    practitioners = qualified_practitioners(appointment.procedure)
    form = DateRangeForm(
        request.GET if "date" in request.GET else None,
        initial={"date": timezone.localdate(), "days": "3"},
        practitioners=practitioners,
    )
    return flow.move(
        request,
        PATIENT,
        appointment=appointment,
        practitioners=practitioners,
        form=form,
        move_url=reverse("patients:appointment-move", args=[appointment.pk]),
        context=context,
        moved=(_("Your appointment is moved."), reverse("patients:appointment", args=[pk])),
    )
