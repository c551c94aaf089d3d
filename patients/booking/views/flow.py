"""The booking pages' one flow, for the patient's own pages and the desk's alike.

Confirming a slot, moving an appointment and cancelling one go the same way on
both sides:
- the chosen slot comes as a GET query (`SlotForm`); a malformed one is a 400
  page naming the field;
- the page shown first says what screening says for the chosen date;
- a POST calls the booking service. A slot taken meanwhile is a "just taken"
  page (409) with the next free times to pick from; any other refusal is shown
  on the page with its own 4xx status; success redirects.
The two sides differ only in where their templates live and how a page is drawn
(`Pages`): the patient's in the portal's layout, the desk's in the admin's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.availability import Policy, clinic_zone
from clinic.http import SignedInRequest, admin_page
from clinic.models import Practitioner
from clinic.selectors import qualified_practitioners
from patients.booking.errors import IntakeRequired, SlotTaken, SlotUnavailable
from patients.booking.forms import CancelForm, CourseForm, SlotForm
from patients.booking.screening import screen_for_booking
from patients.booking.selectors import (
    SlotPicker,
    later_sessions_of,
    pick_slots,
    remedy_views,
    slot_views,
)
from patients.booking.services import (
    CourseProposal,
    book_course,
    cancel_appointment,
    move_appointment,
    move_with_later_sessions,
    propose_course_slots,
)
from patients.booking.services.rescreen import sent_to_review_by_cancelling
from patients.models import Appointment, PatientProfile
from procedures.errors import DomainError
from procedures.models import Procedure

__all__ = [
    "DESK",
    "PATIENT",
    "Pages",
    "bad_request",
    "cancel",
    "chosen_slot",
    "consultation",
    "course",
    "error_status",
    "move",
    "pick",
    "submit",
    "taken",
]

T = TypeVar("T")
CONSULTATION = "consultation"


@dataclass(frozen=True)
class Pages:
    """Where one side's booking pages live, and whether they wear the admin's look."""

    folder: str
    staff: bool

    def show(
        self, request: SignedInRequest, name: str, context: dict[str, Any], status: int = 200
    ) -> HttpResponse:
        template = f"{self.folder}/{name}"
        if self.staff:
            return admin_page(request, template, context, status)
        return render(request, template, context, status=status)


PATIENT = Pages("patients/booking", staff=False)
DESK = Pages("patients/desk", staff=True)


def consultation(*, instead_of: Procedure | None = None) -> Procedure | None:
    """The consultation, offered when a procedure is not possible (not instead of itself)."""
    if instead_of is not None and instead_of.slug == CONSULTATION:
        return None
    return Procedure.objects.filter(slug=CONSULTATION, is_active=True).first()


def done(request: SignedInRequest, message: str, url: str) -> HttpResponse:
    """Say what was done, and go on to `url`."""
    messages.success(request, message)
    return redirect(url)


def error_status(error: DomainError | None, default: int = 200) -> int:
    """The status of a page that shows `error` (its own 4xx), else `default`."""
    return error.http_status if error is not None else default


def bad_request(request: SignedInRequest, pages: Pages, form: Any) -> HttpResponse:
    """A malformed query or form: a 400 page naming each field at fault."""
    context = {"title": _("Please check the request"), "form": form}
    return pages.show(request, "bad_request.html", context, 400)


def taken(
    request: SignedInRequest,
    pages: Pages,
    *,
    procedure: Procedure,
    error: SlotTaken,
    slot_url: str,
    **extra: Any,
) -> HttpResponse:
    """A friendly "just taken" with the next free times to pick from (HTTP 409)."""
    practitioners = {p.pk: p for p in qualified_practitioners(procedure)}
    context = {
        "title": _("Just taken"),
        "procedure": procedure,
        "alternatives": slot_views(error.alternatives, practitioners),
        "slot_url": slot_url,
        **extra,
    }
    return pages.show(request, "taken.html", context, 409)


def submit(
    request: SignedInRequest,
    pages: Pages,
    *,
    change: Callable[[], T],
    done: Callable[[T], HttpResponse],
    procedure: Procedure,
    slot_url: str,
    taken_extra: dict[str, Any] | None = None,
    refused: Callable[[DomainError], HttpResponse | None] | None = None,
) -> tuple[HttpResponse | None, DomainError | None]:
    """On a POST, run `change` (a booking service): the answer to send, or the refusal to show.

    A taken slot is the "just taken" page; `refused` may answer another refusal itself
    (a page to go to first); success is `done`'s answer.
    """
    if request.method != "POST":
        return None, None
    try:
        result = change()
    except SlotTaken as error:
        extra = taken_extra or {}
        return taken(
            request, pages, procedure=procedure, error=error, slot_url=slot_url, **extra
        ), None
    except DomainError as error:
        answer = refused(error) if refused is not None else None
        return answer, (error if answer is None else None)
    return done(result), None


def course(
    request: SignedInRequest,
    pages: Pages,
    *,
    patient: PatientProfile,
    procedure: Procedure,
    form: CourseForm,
    practitioners: Sequence[Practitioner],
    channel: str,
    booked: Callable[[list[Appointment]], HttpResponse],
    slot_url: str,
    context: dict[str, Any],
    taken_extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A whole course from the first slot of `form` (valid): a POST books every session,
    all or none (`book_course`); otherwise, or when refused, the page proposes every
    session inside its window with its screening (`context` adds the side's own)."""
    start: dt.datetime = form.cleaned_data["start"]
    practitioner: Practitioner | None = form.cleaned_data["practitioner"]
    sessions: int = form.cleaned_data["sessions"]
    response, error = submit(
        request,
        pages,
        change=lambda: book_course(
            patient=patient,
            procedure=procedure,
            first_start=start,
            sessions=sessions,
            practitioner=practitioner,
            booked_by=request.user,
            channel=channel,
        ),
        done=booked,
        procedure=procedure,
        slot_url=slot_url,
        taken_extra=taken_extra,
    )
    if response is not None:
        return response
    proposals: list[CourseProposal] = []
    try:
        proposals = propose_course_slots(
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
    limit = procedure.sessions_max or procedure.sessions_min or 2
    page = {
        "procedure": procedure,
        "rows": [
            {
                "proposal": proposal,
                "start": proposal.slot.start.astimezone(zone) if proposal.slot else None,
                "practitioner": by_pk.get(proposal.slot.practitioner_id) if proposal.slot else None,
            }
            for proposal in proposals
        ],
        "sessions": sessions,
        "session_choices": range(1, min(limit, 10) + 1),
        "start": start.astimezone(zone),
        "practitioner": practitioner,
        "query": request.GET.dict(),
        "bookable": bool(proposals)
        and all(proposal.bookable for proposal in proposals)
        and len(proposals) == sessions,
        "error": error,
        **context,
    }
    status = error_status(error) if request.method == "POST" else 200
    return pages.show(request, "course.html", page, status=status)


def chosen_slot(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    start: dt.datetime,
    minutes: int,
    practitioner: Practitioner | None,
    error: DomainError | None,
    ignore_appointment: int | None = None,
) -> dict[str, Any]:
    """The chosen slot on the clinic's clock and what screening says for its date.

    A start already past (or sooner than the lead time) is not screened: it cannot be
    booked anyway, and a date before the patient's birth is no input screening takes.
    """
    local = start.astimezone(clinic_zone())
    result = None
    policy = Policy.from_settings()
    if start < policy.earliest_start(timezone.now()):
        return {
            "start": local,
            "end": local + dt.timedelta(minutes=minutes),
            "practitioner": practitioner,
            "result": None,
            "error": error or SlotUnavailable.because("lead", policy),
        }
    try:
        result = screen_for_booking(
            patient=patient,
            procedure=procedure,
            on=local.date(),
            start=start,
            ignore_appointment=ignore_appointment,
        )
    except IntakeRequired as missing:
        error = error or missing
    remedy_procedure, remedy = remedy_views(result)
    return {
        "start": local,
        "end": local + dt.timedelta(minutes=minutes),
        "practitioner": practitioner,
        "result": result,
        "error": error,
        "remedy_procedure": remedy_procedure,
        "remedy": remedy,
    }


def pick(
    request: SignedInRequest,
    pages: Pages,
    form: Any,
    *,
    patient: PatientProfile,
    procedure: Procedure,
    practitioners: list[Practitioner],
    ignore_appointment: int | None = None,
) -> SlotPicker | HttpResponse:
    """The free times the range form asks for (today's first when nothing was asked yet).

    `form` is bound when the query carries a date; a bad one is a 400 page.
    """
    if form.is_bound and not form.is_valid():
        return bad_request(request, pages, form)
    asked = form.cleaned_data if form.is_bound else {}
    chosen = asked.get("practitioner")
    return pick_slots(
        patient=patient,
        procedure=procedure,
        day=asked.get("date") or timezone.localdate(),
        days=asked.get("days") or int(form.fields["days"].initial),
        practitioner=next((p for p in practitioners if p.pk == chosen), None),
        practitioners=practitioners,
        ignore_appointment=ignore_appointment,
    )


def move(
    request: SignedInRequest,
    pages: Pages,
    *,
    appointment: Appointment,
    practitioners: list[Practitioner],
    form: Any,
    move_url: str,
    context: dict[str, Any],
    moved: tuple[str, str],
) -> HttpResponse:
    """Moving an appointment: pick a new time (`form` says which days), confirm it, move.

    `practitioners` are those who perform the procedure; the chosen slot is re-screened
    for its date; `moved` is the message and the page that follow a move.
    """
    if "start" not in request.GET:
        picker = pick(
            request,
            pages,
            form,
            patient=appointment.patient,
            procedure=appointment.procedure,
            practitioners=practitioners,
            ignore_appointment=appointment.pk,
        )
        if isinstance(picker, HttpResponse):
            return picker
        page = {**context, "form": form, "picker": picker, "slot_url": move_url}
        return pages.show(request, "move.html", page)
    slot_form = SlotForm(request.GET, practitioners=practitioners)
    if not slot_form.is_valid():
        return bad_request(request, pages, slot_form)
    start: dt.datetime = slot_form.cleaned_data["start"]
    practitioner: Practitioner | None = slot_form.cleaned_data["practitioner"]
    later = later_sessions_of(appointment)
    # "Move this and the following sessions by the same number of days": all or none.
    carry = bool(later and request.POST.get("with_later"))
    mover = move_with_later_sessions if carry else move_appointment
    response, error = submit(
        request,
        pages,
        change=lambda: mover(
            appointment=appointment,
            start=start,
            practitioner=practitioner,
            by=request.user,
        ),
        done=lambda _moved: done(request, *moved),
        procedure=appointment.procedure,
        slot_url=move_url,
        taken_extra={"appointment": appointment},
    )
    if response is not None:
        return response
    slot = chosen_slot(
        patient=appointment.patient,
        procedure=appointment.procedure,
        start=start,
        minutes=appointment.booked_minutes,
        practitioner=practitioner,
        error=error,
        ignore_appointment=appointment.pk,
    )
    page = {**context, "confirm": True, **slot, "back_url": move_url, "later_sessions": later}
    return pages.show(request, "move.html", page, error_status(slot["error"]))


def cancel(
    request: SignedInRequest,
    pages: Pages,
    *,
    appointment: Appointment,
    default_reason: str,
    context: dict[str, Any],
    cancelled: tuple[str, str],
    reason_label: str | None = None,
    suggested_reason: str = "",
) -> HttpResponse:
    """Cancel an appointment, saying why (a default reason when none is given;
    `suggested_reason` fills the field first, e.g. the closure's)."""
    form = CancelForm(
        request.POST if request.method == "POST" else None,
        initial={"reason": suggested_reason[:500]},
    )
    if reason_label is not None:
        form.fields["reason"].label = reason_label
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            cancel_appointment(
                appointment=appointment,
                by=request.user,
                reason=form.cleaned_data["reason"] or default_reason,
            )
        except DomainError as refused:
            error = refused
        else:
            return done(request, *cancelled)
    # Said before the patient confirms: later sessions this would send back to review.
    sent_back = sent_to_review_by_cancelling(appointment)
    page = {**context, "form": form, "error": error, "sent_to_review": sent_back}
    return pages.show(
        request, "cancel.html", page, error_status(error, 400 if form.errors else 200)
    )
