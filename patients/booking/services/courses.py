"""Treatment courses: booking a whole course, advancing it, restarting it.

Domain rules (see `patients.models.course` for the full statement):
- `book_course` proposes every session inside its window, aimed at the window's
  middle (`CourseWindow.aim_on`), so that each session can later move a few days
  either way and stay inside it: the same local time of day on that day when it
  is free, else the nearest free slot inside the window (nearest day, then nearest
  time of day), passing over days screening blocks (a washout with another
  session); for procedures with no upper interval, within two weeks of the
  opening. It screens each with the projected history and the patient's other
  sessions, and books all or none; the first session is the one asked for, on
  that day only. It stops at the
  course's limit and never proposes past the booking horizon. The patient gets
  one confirmation listing every session, with one calendar file for them all.
- Completing an appointment advances the patient's active course of that
  procedure (created at the first completed session when there is none):
  sessions done + 1, last session = the appointment's local date. A course of a
  procedure with a session limit (not repeatable) is completed at the limit.
- Approving a review flagged `COURSE_GAP_EXCEEDED` or `COURSE_LIMIT_REACHED`
  starts a new course with that appointment as session 1: the old active course
  lapses (after a gap) or stays completed (after the limit). Booked sessions of
  the procedure after it move to the new course.

Advancing and restarting run inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import patients.messaging as messaging
from clinic.availability import Booking, Busy, Policy, Slot, free_slots, local_date
from clinic.models import Practitioner, User
from patients.booking.errors import BookingError, SlotUnavailable
from patients.booking.locking import lock_active_course, lock_patient
from patients.booking.screening import (
    History,
    screen_at,
    screening_blocked,
    screening_inputs,
)
from patients.booking.selectors import NEARBY_DAYS, booking_inputs, busy_for, course_history
from patients.booking.services.booking import book_in_transaction, check_can_book, require_aware
from patients.models import Appointment, PatientProfile, TreatmentCourse
from patients.models.lifecycle import HOLDING_STATUSES
from procedures.courses import next_session_window
from procedures.errors import lazy_interpolate
from procedures.models import Procedure
from procedures.rules import RuleCode
from procedures.screening import ScreeningResult, rules_for

__all__ = [
    "CourseProposal",
    "advance_course",
    "book_course",
    "propose_course_slots",
    "restart_course_if_flagged",
]

RESTART_FLAGS = frozenset({RuleCode.COURSE_GAP_EXCEEDED.value, RuleCode.COURSE_LIMIT_REACHED.value})


# --- booking a whole course ---------------------------------------------------------------


@dataclass(frozen=True)
class CourseProposal:
    """One session of a proposed course: its slot (None when none is free) and screening."""

    session_number: int
    target: dt.datetime
    opens_on: dt.date | None
    closes_on: dt.date | None
    slot: Slot | None
    screening: ScreeningResult

    @property
    def bookable(self) -> bool:
        return self.slot is not None and not self.screening.blocked


def propose_course_slots(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    first_start: dt.datetime,
    sessions: int,
    practitioner: Practitioner | None = None,
    now: dt.datetime | None = None,
) -> list[CourseProposal]:
    """Propose `sessions` sessions from `first_start`, each inside its course window.

    Read-only; stops early when the course limit is reached. Raises IntakeRequired (422).
    """
    require_aware(first_start)
    if sessions < 1:
        raise BookingError(
            _("A course has at least one session."), code="invalid_sessions", field="sessions"
        )
    now = now or timezone.now()
    policy = Policy.from_settings()
    zone = policy.zone
    rules = rules_for(procedure.slug)
    first_day = first_start.astimezone(zone).date()
    wall_time = first_start.astimezone(zone).time()
    horizon = policy.last_day(now)
    span = (horizon - first_day).days + 1
    if span < 1:
        raise SlotUnavailable.because(policy.why_not_bookable(first_start, now), policy)
    inputs = booking_inputs(procedure, first_day, span, practitioner=practitioner)
    busy = busy_for(inputs, now=now)
    # The patient is read once: every proposed day is screened with the same inputs.
    patient_inputs = screening_inputs(patient)
    last, done = course_history(patient, procedure, before=first_start)
    proposals: list[CourseProposal] = []
    chosen: list[Booking] = []
    for index in range(sessions):
        window = next_session_window(rules, last_session_on=last, sessions_done=done)
        if window.complete:
            break
        # Aimed at the window's middle (`aim_on`): each session can then move a few days
        # either way and stay inside its window. The first session is the one asked for.
        day = first_day if index == 0 else (window.aim_on or last or first_day)
        if window.opens_on is not None and day < window.opens_on:
            day = window.opens_on
        target = dt.datetime.combine(day, wall_time, tzinfo=zone)
        opens = day if index == 0 else max(window.opens_on or day, first_day)
        closes = window.closes_on or day + dt.timedelta(days=NEARBY_DAYS)
        if index == 0:
            closes = day  # the first session is the one asked for: that day only
        slot: Slot | None = None
        result: ScreeningResult | None = None
        if opens <= horizon:
            busy_now = _with_bookings(busy, chosen) if chosen else busy
            window_inputs = replace(
                inputs, start_date=opens, days=(min(closes, horizon) - opens).days + 1
            )
            candidates = free_slots(window_inputs, busy=busy_now, now=now, policy=policy)
            candidates = [
                s
                for s in candidates
                if practitioner is None or s.practitioner_id == practitioner.pk
            ]

            def screen(start: dt.datetime, history: History = (last, done)) -> ScreeningResult:
                return screen_at(
                    patient=patient,
                    procedure=procedure,
                    start=start,
                    history=history,
                    inputs=patient_inputs,
                )[0]

            slot, result = _best_screened(candidates, target, screen=screen)
        session_day = slot.start.astimezone(zone).date() if slot else day
        if result is None:
            result, _version = screen_at(
                patient=patient,
                procedure=procedure,
                start=target,
                history=(last, done),
                inputs=patient_inputs,
            )
        proposals.append(
            CourseProposal(
                session_number=done + 1,
                target=target,
                opens_on=window.opens_on,
                closes_on=window.closes_on,
                slot=slot,
                screening=result,
            )
        )
        if slot is not None:
            chosen.append(
                Booking(
                    start=slot.start,
                    end=slot.end,
                    practitioner_id=slot.practitioner_id,
                    room_id=slot.room_id,
                    buffer_minutes=procedure.buffer_minutes,
                )
            )
        last, done = session_day, done + 1
    return proposals


def book_course(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    first_start: dt.datetime,
    sessions: int,
    practitioner: Practitioner | None = None,
    booked_by: User,
    channel: str,
) -> list[Appointment]:
    """Book a whole course as proposed by `propose_course_slots`: all sessions or none."""
    check_can_book(patient=patient, procedure=procedure, booked_by=booked_by, start=first_start)
    now = timezone.now()
    with transaction.atomic():
        lock_patient(patient)
        proposals = propose_course_slots(
            patient=patient,
            procedure=procedure,
            first_start=first_start,
            sessions=sessions,
            practitioner=practitioner,
            now=now,
        )
        for proposal in proposals:
            if proposal.screening.blocked:
                raise screening_blocked(proposal.screening, session_number=proposal.session_number)
        missing = [p.session_number for p in proposals if p.slot is None]
        if missing or len(proposals) < sessions:
            raise BookingError(
                lazy_interpolate(
                    _(
                        "Not every session can be booked now (no free time inside its window, "
                        "or beyond the booking horizon, or past the course's limit): "
                        "sessions %(sessions)s. Book fewer sessions."
                    ),
                    {
                        "sessions": ", ".join(
                            str(n) for n in missing or range(len(proposals) + 1, sessions + 1)
                        )
                    },
                ),
                code="course_not_bookable",
                field="sessions",
            )
        appointments = []
        for proposal in proposals:
            slot = proposal.slot
            if slot is None:  # pragma: no cover - refused above
                continue
            appointments.append(
                book_in_transaction(
                    patient=patient,
                    procedure=procedure,
                    start=slot.start,
                    practitioner=practitioner or Practitioner.objects.get(pk=slot.practitioner_id),
                    booked_by=booked_by,
                    channel=channel,
                    now=now,
                    session_number=proposal.session_number,
                    confirmation=False,
                )
            )
        # One confirmation listing every session, with one calendar file for them all.
        messaging.course_booked(appointments)
    return appointments


def _preference(slot: Slot, target: dt.datetime) -> tuple[int, float, dt.datetime]:
    """Nearest day to the target first, then nearest time of day to the target's, then earliest."""
    zone = target.tzinfo
    local = slot.start.astimezone(zone)
    days = abs((local.date() - target.date()).days)
    wall = dt.datetime.combine(target.date(), local.time(), tzinfo=zone)
    return days, abs((wall - target).total_seconds()), slot.start


def _best_screened(
    slots: Sequence[Slot],
    target: dt.datetime,
    *,
    screen: Callable[[dt.datetime], ScreeningResult],
) -> tuple[Slot | None, ScreeningResult | None]:
    """The preferred slot on a day screening does not block, with its screening.

    Each day is screened once; a blocked day's slots are passed over (a washout with
    another session, say), so the proposal is a time the booking will accept.
    """
    verdicts: dict[dt.date, ScreeningResult] = {}
    first: tuple[Slot, ScreeningResult] | None = None
    for slot in sorted(slots, key=lambda slot: _preference(slot, target)):
        day = slot.start.astimezone(target.tzinfo).date()
        if day not in verdicts:
            verdicts[day] = screen(slot.start)
        result = verdicts[day]
        if first is None:
            first = (slot, result)
        if not result.blocked:
            return slot, result
    return first if first is not None else (None, None)


def _with_bookings(busy: Busy, bookings: Sequence[Booking]) -> Busy:
    extra = Busy.from_bookings(bookings)
    practitioners = {k: list(v) for k, v in busy.practitioners.items()}
    rooms = {k: list(v) for k, v in busy.rooms.items()}
    for key, intervals in extra.practitioners.items():
        practitioners.setdefault(key, []).extend(intervals)
    for key, intervals in extra.rooms.items():
        rooms.setdefault(key, []).extend(intervals)
    return Busy(practitioners=practitioners, rooms=rooms)


# --- the course as sessions are done -------------------------------------------------------


def _new_course(appointment: Appointment) -> TreatmentCourse:
    course = TreatmentCourse(
        patient_id=appointment.patient_id,
        procedure_id=appointment.procedure_id,
        started_on=local_date(appointment.start),
    )
    course.full_clean()
    course.save()
    return course


def advance_course(appointment: Appointment) -> TreatmentCourse:
    """Count the completed appointment as a session of the patient's active course."""
    course = lock_active_course(appointment) or _new_course(appointment)
    day = local_date(appointment.start)
    course.sessions_done += 1
    if course.last_session_on is None or day > course.last_session_on:
        course.last_session_on = day
    procedure = appointment.procedure
    if (
        not procedure.repeatable
        and procedure.sessions_max is not None
        and course.sessions_done >= procedure.sessions_max
    ):
        course.status = TreatmentCourse.Status.COMPLETED
    course.full_clean()
    course.save()
    appointment.course = course
    appointment.session_number = course.sessions_done
    return course


def restart_course_if_flagged(appointment: Appointment) -> TreatmentCourse | None:
    """After a practitioner approved a gap or a course limit: this session starts a new course."""
    flags = set(appointment.screening_flags or ())
    if not flags & RESTART_FLAGS:
        return None
    old = lock_active_course(appointment)
    if old is not None:
        # A gap ends the old course unfinished; a course at its limit is complete anyway.
        old.status = (
            TreatmentCourse.Status.LAPSED
            if RuleCode.COURSE_GAP_EXCEEDED.value in flags
            else TreatmentCourse.Status.COMPLETED
        )
        old.full_clean()
        old.save(update_fields=["status"])
    course = _new_course(appointment)
    appointment.course = course
    appointment.session_number = 1
    later = Appointment.objects.filter(
        patient_id=appointment.patient_id,
        procedure_id=appointment.procedure_id,
        status__in=HOLDING_STATUSES,
        start__gt=appointment.start,
    ).order_by("start", "pk")
    for number, booked in enumerate(later, start=2):
        booked.course = course
        booked.session_number = number
        booked.save(update_fields=["course", "session_number"])
    return course
