"""Booking: the one way an appointment is made, moved, cancelled or decided.

Patients (web, API) and receptionists (the desk) go through the same
functions and the same checks. Domain rules:

- Who may do what: a patient books, moves and cancels their own appointments;
  a receptionist does that for anyone, and checks in, completes and marks
  no-shows; a practitioner approves or declines reviews and completes; a
  manager may do everything. Anyone else gets `forbidden` (HTTP 403).
- Before a booking: a patient booking for themselves needs a verified e-mail
  address (staff booking at the desk do not: the patient is in front of them);
  the patient needs a current intake (`intake_required`: none, or expired) and
  a signed current consent for the procedure's category (`consent_required`;
  no category is exempt: the clinic publishes a consultation consent too).
- Screening at the door, on the local date of the start, with the patient's
  history (their latest course plus the sessions already booked before it):
  `blocked` refuses everyone, staff included (`screening_blocked`, with the
  reasons and the earliest date when there is one); only a practitioner
  correcting the intake changes that. `review` books as `pending_review`
  (holding the slot until a practitioner decides); `ok` confirms at once.
- The interval from the other side: a date that would leave less than the
  procedure's minimum interval before a session of it already booked later
  (a session slipped in before another, or moved in front of the one it
  follows) is refused (`too_close_to_next_session`, 422, with the later
  session's date and the latest date that fits).
- The slot: on the grid, inside opening and working hours, at least the lead
  time from now and within the horizon (else `slot_unavailable`, HTTP 400 on
  `start`); a qualified practitioner (the one asked for, or any) and a room of
  the procedure's kind free for it (else `slot_taken`, HTTP 409, with the next
  free slots); the patient holds no overlapping active appointment
  (`patient_busy`, 409).
- Never twice: the check runs inside the booking transaction after reading the
  schedule again. On SQLite the IMMEDIATE transaction mode serialises bookings;
  on PostgreSQL the exclusion constraints are the final guard and their
  violation (a lost race) becomes `slot_taken` / `patient_busy`, never a 500.
  The patient's row is locked (`SELECT ... FOR UPDATE`) so their own parallel
  requests queue up too.
- A quick "no" first: before screening and before reading the schedule,
  `book_appointment` asks one indexed question: does an active appointment of
  the patient, or of the practitioner asked for, already overlap the requested
  minutes? If so it answers `patient_busy` / `slot_taken` at once. That is the
  many losers of a race for one slot, answered in a query or two instead of
  the whole work. The precedence moves for them only: such a request hears
  "taken" (or "busy") before it would have heard `screening_blocked`,
  `intake_required` or `consent_required`. That hides nothing dangerous,
  because nothing is booked on that path: whichever slot the patient tries
  next goes through every check above, inside the transaction, as before.
  Only a start that is plainly bookable (on the grid, after the lead time,
  inside the horizon) takes it, so those answers keep their own code, and who
  may book for whom is still decided first. On PostgreSQL, the first booking
  of a practitioner's start takes a transaction-scoped advisory lock; a
  parallel booking of the same start finds it held and hears `slot_taken` at
  once (it would conflict anyway: one practitioner, one start), instead of
  waiting for the winner's commit or screening in parallel with it. If the
  first booking is then refused, the time is free again for the next try.
  Every check after that, and the exclusion constraints, stay the guard.
  A start refused seconds ago (its alternatives are cached) is refused again by
  `refusal_of_a_recently_refused_start` before the API even reads the
  procedure and practitioner: the same quick question, the same answers.
- The next free slots of a "just taken" answer are advice (re-checked when
  booked), so they are kept in the shared cache for
  `BOOKING_ALTERNATIVES_CACHE_SECONDS` (5) per procedure, practitioner (or
  any) and start: of 49 losers of one slot only the first computes them (the
  others, arriving while it does, wait up to `ALTERNATIVES_WAIT_SECONDS` for
  its answer instead of computing the same), and a booking or cancellation
  shows in them within those seconds. They never include the refused start
  itself: a parallel booking may hold it without having committed it yet.
- Changes: patients move and cancel up to `PATIENT_CHANGE_CUTOFF_HOURS` (24)
  before the start; staff any time. Moving re-screens for the new date; every
  move adds one to `version` (the .ics SEQUENCE). A confirmed appointment keeps
  its confirmation when the new date raises no flag beyond those already
  approved; otherwise the lifecycle has no way back to review, so the move is
  refused (`move_needs_review`): cancel and request the new date instead.
- Every status change, creation included, writes an `AppointmentStatusChange`
  row; the patient's messages are outbox rows written by `patients.messaging`
  in the same transaction (sent by a worker after the commit).
- Courses: `book_course` proposes every session inside its window (the same
  local time of day when free, else the nearest free slot in that window),
  screens each with the projected history, and books all or none.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import patients.messaging as messaging
from clinic.availability import (
    AvailabilityInputs,
    Booking,
    Busy,
    Needs,
    Policy,
    Slot,
    free_slots,
    local_date,
    next_free_slots,
    slot_at,
)
from clinic.models import Practitioner, User
from clinic.roles import Role, has_role
from clinic.selectors import availability_inputs
from patients.booking.errors import (
    BookingError,
    ChangeTooLate,
    ConsentRequired,
    EmailNotVerified,
    Forbidden,
    IntakeRequired,
    MoveNeedsReview,
    PatientBusy,
    ScreeningBlocked,
    SlotTaken,
    SlotUnavailable,
    TooCloseToLaterSession,
    slot_to_dict,
)
from patients.booking.selectors import busy_for, course_history, next_held_session_on
from patients.booking.services import courses
from patients.models import (
    Appointment,
    AppointmentStatusChange,
    IntakeVersion,
    PatientProfile,
    TreatmentCourse,
)
from patients.models.lifecycle import HOLDING_STATUSES, AppointmentStatus, check_transition
from patients.records.selectors import has_valid_consent, intake_is_current, latest_intake
from procedures.courses import latest_day_before, next_session_window
from procedures.errors import lazy_interpolate
from procedures.models import Procedure
from procedures.screening import ScreeningResult, rules_for, screen

__all__ = [
    "BookingError",
    "ChangeTooLate",
    "ConsentRequired",
    "CourseProposal",
    "EmailNotVerified",
    "Forbidden",
    "IntakeRequired",
    "MoveNeedsReview",
    "PatientBusy",
    "ScreeningBlocked",
    "SlotTaken",
    "SlotUnavailable",
    "TooCloseToLaterSession",
    "approve_review",
    "book_appointment",
    "book_course",
    "cancel_appointment",
    "check_in",
    "clear_alternatives_cache",
    "complete_appointment",
    "decline_review",
    "decline_review_automatically",
    "mark_no_show",
    "move_appointment",
    "propose_course_slots",
    "refusal_of_a_recently_refused_start",
    "screen_for_booking",
    "slot_to_dict",
]

S = AppointmentStatus
ALTERNATIVES = 5
ALTERNATIVE_DAYS = 14
# A refusal waits this long at most for a parallel one's next free slots, polling the
# cache (`_alternatives_computed_elsewhere`).
ALTERNATIVES_WAIT_SECONDS = 1.0
ALTERNATIVES_POLL_SECONDS = 0.005
MOVABLE = frozenset({S.PENDING_REVIEW, S.CONFIRMED})


# --- who may do what ----------------------------------------------------------------------


def _is_self(user: User, patient: PatientProfile) -> bool:
    return user.is_authenticated and user.pk == patient.user_id


def _is_desk(user: User) -> bool:
    return has_role(user, Role.RECEPTIONIST)


def _require_patient_or_desk(user: User, patient: PatientProfile) -> None:
    if not (_is_self(user, patient) or _is_desk(user)):
        raise Forbidden()


def _require_change_allowed(user: User, appointment: Appointment, now: dt.datetime) -> None:
    """Own appointment or the desk; patients only up to the cut-off before the start."""
    _require_patient_or_desk(user, appointment.patient)
    if _is_desk(user):
        return
    cutoff = dt.timedelta(hours=settings.PATIENT_CHANGE_CUTOFF_HOURS)
    if appointment.start - now < cutoff:
        raise ChangeTooLate()


def _require_aware(start: dt.datetime) -> None:
    if not isinstance(start, dt.datetime) or timezone.is_naive(start):
        raise SlotUnavailable(_("Give the start as a date and time with its UTC offset."))


# --- screening ----------------------------------------------------------------------------


def _current_intake(patient: PatientProfile) -> IntakeVersion:
    version = latest_intake(patient)
    if version is None:
        raise IntakeRequired(expired=False)
    if not intake_is_current(version):
        raise IntakeRequired(expired=True)
    return version


def _screen(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    start: dt.datetime,
    ignore_appointment: int | None = None,
    history: tuple[dt.date | None, int] | None = None,
) -> tuple[ScreeningResult, IntakeVersion]:
    version = _current_intake(patient)
    last, done = history or course_history(
        patient, procedure, before=start, ignore_appointment=ignore_appointment
    )
    # The rules through the process's cache (procedures.selectors: re-read after the TTL).
    result = screen(
        rules_for(procedure.slug),
        version.parsed_answers,
        on=local_date(start),
        last_session_on=last,
        sessions_done=done,
    )
    return result, version


def _require_interval_before_later_session(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    start: dt.datetime,
    ignore_appointment: int | None = None,
) -> None:
    """Refuse a date that would make a session already booked later come too soon after it.

    Screening reads the sessions before a date; this is the same minimum interval
    seen from the other side (a session slipped in before, or moved past, another).
    """
    later_on = next_held_session_on(
        patient, procedure, after=start, ignore_appointment=ignore_appointment
    )
    if later_on is None:
        return
    latest = latest_day_before(rules_for(procedure.slug), later_session_on=later_on)
    if latest is not None and local_date(start) > latest:
        raise TooCloseToLaterSession(later_session_on=later_on, latest_date=latest)


def screen_for_booking(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    on: dt.date,
    start: dt.datetime | None = None,
    ignore_appointment: int | None = None,
) -> ScreeningResult:
    """Screen the patient's current intake for `procedure` on the local date `on`.

    History: the latest course plus the sessions booked before `start` (the start
    of the local day `on` by default). Raises IntakeRequired (422) without a
    current intake.
    """
    if start is None:
        start = _day_start(on)
    result, _version = _screen(
        patient=patient, procedure=procedure, start=start, ignore_appointment=ignore_appointment
    )
    return result


def _day_start(day: dt.date) -> dt.datetime:
    from clinic.availability import local_day_bounds

    return local_day_bounds(day, zone=Policy.from_settings().zone)[0]


def _require_consent(patient: PatientProfile, procedure: Procedure) -> None:
    if not has_valid_consent(patient, procedure.category):
        raise ConsentRequired(procedure.category)


# --- the slot -----------------------------------------------------------------------------


def _inputs(
    procedure: Procedure,
    day: dt.date,
    days: int,
    *,
    practitioner: Practitioner | None,
    needs: Needs | None = None,
) -> AvailabilityInputs:
    inputs = availability_inputs(procedure, day, days, practitioner=practitioner)
    if practitioner is not None and not inputs.practitioners:
        raise BookingError(
            _("This practitioner does not perform this procedure."),
            code="practitioner_not_qualified",
            field="practitioner",
        )
    return replace(inputs, needs=needs) if needs is not None else inputs


def _why_unavailable(start: dt.datetime, now: dt.datetime, policy: Policy) -> SlotUnavailable:
    local = start.astimezone(policy.zone)
    minutes = local.hour * 60 + local.minute
    if local.second or local.microsecond or minutes % policy.grid_minutes:
        return SlotUnavailable(
            lazy_interpolate(
                _("Appointments start every %(minutes)s minutes (e.g. 10:00, 10:15)."),
                {"minutes": policy.grid_minutes},
            )
        )
    if start < now + dt.timedelta(minutes=policy.min_lead_minutes):
        return SlotUnavailable(
            lazy_interpolate(
                _("Book at least %(hours)s hours ahead."),
                {"hours": f"{policy.min_lead_minutes / 60:g}"},
            )
        )
    today = now.astimezone(policy.zone).date()
    if local.date() > today + dt.timedelta(days=policy.max_days_ahead):
        return SlotUnavailable(
            lazy_interpolate(
                _("Appointments can be booked at most %(days)s days ahead."),
                {"days": policy.max_days_ahead},
            )
        )
    return SlotUnavailable(
        _("Nobody can perform this procedure at that time (outside the hours, or closed).")
    )


def _alternatives(
    procedure: Procedure,
    *,
    after: dt.datetime,
    practitioner: Practitioner | None,
    now: dt.datetime,
    needs: Needs | None = None,
    ignore_appointment: int | None = None,
    inputs: AvailabilityInputs | None = None,
) -> list[Slot]:
    """The next free slots from the refused start `after` (two weeks ahead at most), for a
    "just taken" answer.

    The schedule is read again: after a refused insert, the winner's row is visible now.
    A booking still under way (its advisory lock held, its row not committed) is not:
    so with a practitioner asked for, their refused start itself is left out.
    Of parallel refusals of one start, one computes them and the others wait for
    its answer (`_alternatives_computed_elsewhere`).
    """
    cacheable = needs is None and ignore_appointment is None
    marks_the_start = cacheable and inputs is None
    if cacheable:
        cached = _cached_alternatives(procedure, practitioner, after)
        if cached is None and marks_the_start:
            cached = _alternatives_computed_elsewhere(procedure, practitioner, after)
        if cached is not None:
            return cached
    try:
        policy = Policy.from_settings()
        if inputs is None:
            day = max(after, now).astimezone(policy.zone).date()
            inputs = _inputs(
                procedure, day, ALTERNATIVE_DAYS, practitioner=practitioner, needs=needs
            )
        busy = busy_for(inputs, now=now, ignore_appointment=ignore_appointment)
        slots = next_free_slots(
            inputs, busy=busy, now=now, after=after, limit=ALTERNATIVES + 1, policy=policy
        )
        if practitioner is not None:
            slots = [slot for slot in slots if slot.start != after]
        slots = slots[:ALTERNATIVES]
        if cacheable:
            _cache_alternatives(procedure, practitioner, after, slots)
        return slots
    finally:
        if marks_the_start:
            cache.delete(_computing_key(procedure, practitioner, after))


# A cached answer carries the generation kept in the cache itself, and counts only
# while that generation is current, so clear_alternatives_cache() forgets every
# answer in every process sharing the cache. Both are read in one round trip.
_GENERATION_KEY = "booking:alternatives:generation"


def _alternatives_key(procedure_slug: str, practitioner_id: int | None, start: dt.datetime) -> str:
    who = practitioner_id if practitioner_id is not None else "any"
    when = start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"booking:alternatives:{procedure_slug}:{who}:{when}"


def _current_generation() -> str:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        # add(): of two processes starting a generation at once, one wins for both.
        if not cache.add(_GENERATION_KEY, generation, timeout=None):
            generation = cache.get(_GENERATION_KEY, generation)
    return generation


def _cached_refusal(
    procedure_slug: str, practitioner_id: int | None, start: dt.datetime
) -> tuple[list[Slot], int] | None:
    """The cached next free slots after a refused `start`, with the procedure's booked minutes."""
    if settings.BOOKING_ALTERNATIVES_CACHE_SECONDS <= 0:
        return None
    key = _alternatives_key(procedure_slug, practitioner_id, start)
    found = cache.get_many([_GENERATION_KEY, key])
    cached = found.get(key)
    if cached is None or _GENERATION_KEY not in found:
        return None
    generation, computed_at, slots, booked_minutes = cached
    if generation != found[_GENERATION_KEY]:
        return None
    # The age is checked here, not only by the cache's own expiry, so the few
    # seconds hold whatever the backend's expiry granularity (and under a pinned clock).
    age = timezone.now().timestamp() - computed_at
    if 0 <= age <= settings.BOOKING_ALTERNATIVES_CACHE_SECONDS:
        return slots, booked_minutes
    return None


def _cached_alternatives(
    procedure: Procedure, practitioner: Practitioner | None, start: dt.datetime
) -> list[Slot] | None:
    cached = _cached_refusal(procedure.slug, practitioner.pk if practitioner else None, start)
    return cached[0] if cached is not None else None


def _computing_key(
    procedure: Procedure, practitioner: Practitioner | None, start: dt.datetime
) -> str:
    practitioner_id = practitioner.pk if practitioner else None
    return f"{_alternatives_key(procedure.slug, practitioner_id, start)}:computing"


def _alternatives_computed_elsewhere(
    procedure: Procedure, practitioner: Practitioner | None, start: dt.datetime
) -> list[Slot] | None:
    """The next free slots a parallel refusal of `start` is computing now, waited for.

    The first refusal of a start with nothing cached marks it (`cache.add`: one of
    many wins) and computes them (None: ours to compute); the others poll the cache
    for its answer instead of computing the same (a hot slot's losers that arrive
    before any answer is cached). They stop waiting when the mark goes without an
    answer (that refusal failed) or after `ALTERNATIVES_WAIT_SECONDS` (it died), and
    compute their own.
    """
    if settings.BOOKING_ALTERNATIVES_CACHE_SECONDS <= 0:
        return None
    key = _computing_key(procedure, practitioner, start)
    if cache.add(key, True, timeout=max(1, math.ceil(ALTERNATIVES_WAIT_SECONDS))):
        return None
    for _poll in range(math.ceil(ALTERNATIVES_WAIT_SECONDS / ALTERNATIVES_POLL_SECONDS)):
        time.sleep(ALTERNATIVES_POLL_SECONDS)
        if (cached := _cached_alternatives(procedure, practitioner, start)) is not None:
            return cached
        if cache.get(key) is None:
            return None
    return None


def _cache_alternatives(
    procedure: Procedure, practitioner: Practitioner | None, start: dt.datetime, slots: list[Slot]
) -> None:
    seconds = settings.BOOKING_ALTERNATIVES_CACHE_SECONDS
    if seconds <= 0:
        return
    cache.set(
        _alternatives_key(procedure.slug, practitioner.pk if practitioner else None, start),
        (_current_generation(), timezone.now().timestamp(), list(slots), procedure.booked_minutes),
        timeout=seconds + 1,
    )


def clear_alternatives_cache() -> None:
    """Forget every cached "next free slots" answer (tests: the cache outlives a test's data)."""
    cache.set(_GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _check_patient_free(
    patient: PatientProfile,
    start: dt.datetime,
    end: dt.datetime,
    *,
    ignore_appointment: int | None = None,
) -> None:
    overlapping = Appointment.objects.filter(
        patient=patient, status__in=HOLDING_STATUSES, start__lt=end, end__gt=start
    )
    if ignore_appointment is not None:
        overlapping = overlapping.exclude(pk=ignore_appointment)
    if overlapping.exists():
        raise PatientBusy()


def _claim_slot(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    start: dt.datetime,
    practitioner: Practitioner | None,
    now: dt.datetime,
    needs: Needs | None = None,
    ignore_appointment: int | None = None,
    ignore_offer: int | None = None,
) -> tuple[Slot, AvailabilityInputs]:
    """The free slot at `start` (re-read inside the transaction), or the reason why not.

    The inputs cover two weeks from the start's date, so a "just taken" answer finds its
    alternatives in them without reading the clinic's side again.
    """
    policy = Policy.from_settings()
    inputs = _inputs(
        procedure,
        start.astimezone(policy.zone).date(),
        ALTERNATIVE_DAYS,
        practitioner=practitioner,
        needs=needs,
    )
    practitioner_id = practitioner.pk if practitioner else None
    possible = slot_at(inputs, now=now, start=start, practitioner_id=practitioner_id, policy=policy)
    if possible is None:  # not a bookable start even in an empty schedule
        raise _why_unavailable(start, now, policy)
    _check_patient_free(
        patient,
        start,
        start + dt.timedelta(minutes=inputs.needs.booked_minutes),
        ignore_appointment=ignore_appointment,
    )
    busy = busy_for(
        inputs, now=now, ignore_appointment=ignore_appointment, ignore_offer=ignore_offer
    )
    slot = slot_at(
        inputs, busy=busy, now=now, start=start, practitioner_id=practitioner_id, policy=policy
    )
    if slot is None:
        cacheable = needs is None and ignore_appointment is None and ignore_offer is None
        alternatives = _cached_alternatives(procedure, practitioner, start) if cacheable else None
        if alternatives is None:
            alternatives = next_free_slots(
                inputs, busy=busy, now=now, after=start, limit=ALTERNATIVES, policy=policy
            )
            if cacheable:
                _cache_alternatives(procedure, practitioner, start, alternatives)
        raise SlotTaken(alternatives)
    return slot, inputs


def _plainly_bookable_time(start: dt.datetime, now: dt.datetime, policy: Policy) -> bool:
    """On the grid, after the lead time, inside the horizon: no `slot_unavailable` to give."""
    local = start.astimezone(policy.zone)
    minutes = local.hour * 60 + local.minute
    return (
        not (local.second or local.microsecond or minutes % policy.grid_minutes)
        and start >= now + dt.timedelta(minutes=policy.min_lead_minutes)
        and local.date()
        <= now.astimezone(policy.zone).date() + dt.timedelta(days=policy.max_days_ahead)
    )


def _overlap_verdict(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    start: dt.datetime,
    practitioner: Practitioner | None,
    now: dt.datetime,
) -> type[PatientBusy] | type[SlotTaken] | None:
    """The quick "no" of the module doc, from one indexed query; None decides nothing."""
    return _overlap_verdict_for(
        patient=patient,
        start=start,
        booked_minutes=procedure.booked_minutes,
        practitioner_id=practitioner.pk if practitioner is not None else None,
        now=now,
    )


def _overlap_verdict_for(
    *,
    patient: PatientProfile,
    start: dt.datetime,
    booked_minutes: int,
    practitioner_id: int | None,
    now: dt.datetime,
) -> type[PatientBusy] | type[SlotTaken] | None:
    policy = Policy.from_settings()
    if not _plainly_bookable_time(start, now, policy):
        return None
    end = start + dt.timedelta(minutes=booked_minutes)
    with_practitioner = practitioner_id is not None
    holders = [patient.pk, practitioner_id] if with_practitioner else [patient.pk]
    params = [
        *holders,
        *HOLDING_STATUSES,
        connection.ops.adapt_datetimefield_value(end),
        connection.ops.adapt_datetimefield_value(start),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_overlap_sql(connection.vendor, with_practitioner=with_practitioner), params)
        overlapping = {row[0] for row in cursor.fetchall()}
    if not overlapping:
        return None
    return PatientBusy if patient.pk in overlapping else SlotTaken


# The quick "no" runs for every loser of a race for one slot. Its one query, written out
# once: building it through the ORM took three times as long as running it (about 0.7 of
# 1 ms on a small machine). It asks what Appointment.objects.filter(Q(patient=...) |
# Q(practitioner_id=...), status__in=HOLDING_STATUSES, start__lt=end, end__gt=start)
# .values_list("patient_id")[:2] asks (a test holds the two to the same answers).
_OVERLAP_SQL = (
    "SELECT {patient} FROM {table} WHERE ({holders}) AND {status} IN ({statuses}) "
    "AND {start} < %s AND {end} > %s LIMIT 2"
)


@functools.cache
def _overlap_sql(vendor: str, *, with_practitioner: bool) -> str:
    """The overlap query for this database (`vendor`: its identifiers quoted its way)."""
    quote = connection.ops.quote_name
    column = {
        name: quote(Appointment._meta.get_field(name).column)
        for name in ("patient", "practitioner", "status", "start", "end")
    }
    holders = f"{column['patient']} = %s"
    if with_practitioner:
        holders += f" OR {column['practitioner']} = %s"
    return _OVERLAP_SQL.format(
        table=quote(Appointment._meta.db_table),
        holders=holders,
        statuses=", ".join(["%s"] * len(HOLDING_STATUSES)),
        **column,
    )


def refusal_of_a_recently_refused_start(
    *,
    patient: PatientProfile,
    booked_by: User,
    procedure_slug: str,
    start: dt.datetime,
    practitioner_id: int,
) -> BookingError | None:
    """The quick "no" for a hot slot, before the procedure and practitioner are even read.

    When a booking of this procedure, practitioner and start was refused seconds ago,
    its next free slots are cached (`BOOKING_ALTERNATIVES_CACHE_SECONDS`) with the
    procedure's booked minutes: these values were valid then, so asking the
    catalogue again adds nothing to a "no". The one indexed query of the quick
    "no" says whether the time is still held right now (a cancellation frees it
    at once): held by this patient is `patient_busy`, by the practitioner
    `slot_taken` with the cached slots; so is a start another booking is under
    way for (PostgreSQL: its advisory lock is held, `_slot_is_being_booked`).
    Anything else returns None and the booking takes its whole way, every check
    included: an unverified or erased patient, someone booking for another,
    values never refused, a time free now.
    """
    if booked_by.pk != patient.user_id or patient.erased_at is not None:
        return None
    if not patient.is_verified or timezone.is_naive(start):
        return None
    cached = _cached_refusal(procedure_slug, practitioner_id, start)
    if cached is None:
        return None
    slots, booked_minutes = cached
    verdict = _overlap_verdict_for(
        patient=patient,
        start=start,
        booked_minutes=booked_minutes,
        practitioner_id=practitioner_id,
        now=timezone.now(),
    )
    if verdict is None and _slot_seen_being_booked(practitioner_id, start):
        verdict = SlotTaken  # as book_appointment answers a booking under way
    if verdict is PatientBusy:
        return PatientBusy()
    if verdict is SlotTaken:
        return SlotTaken(slots)
    return None


def _refusal(
    verdict: type[PatientBusy] | type[SlotTaken],
    *,
    procedure: Procedure,
    start: dt.datetime,
    practitioner: Practitioner | None,
    now: dt.datetime,
) -> BookingError:
    if verdict is PatientBusy:
        return PatientBusy()
    return SlotTaken(_alternatives(procedure, after=start, practitioner=practitioner, now=now))


def _slot_is_being_booked(practitioner: Practitioner, start: dt.datetime) -> bool:
    """PostgreSQL: True when another booking of this practitioner's start is under way.

    The first booking of a start takes a transaction-scoped advisory lock and goes
    on; a parallel one finds the lock held and is answered "taken" at once instead
    of waiting for the first one's commit (it would conflict with it anyway: one
    practitioner, one start). Should the first one then be refused (its screening,
    say), the time is free again and the next try books it. SQLite's IMMEDIATE
    transactions serialise bookings already.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        keys = _lock_keys(practitioner.pk, start)
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", keys)
        (acquired,) = cursor.fetchone()
    return not acquired


def _lock_keys(practitioner_id: int, start: dt.datetime) -> tuple[int, int]:
    # Two int4 keys: the practitioner and the start in epoch minutes (fits until 6053).
    return practitioner_id, int(start.timestamp()) // 60


# Whether another session holds a two-key advisory lock (objsubid 2) in this database:
# read, never taken.
_LOCK_HELD_SQL = """
SELECT EXISTS (
    SELECT 1 FROM pg_locks
    WHERE locktype = 'advisory' AND objsubid = 2 AND granted AND pid <> pg_backend_pid()
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND classid = %s::bigint::oid AND objid = %s::bigint::oid
)
"""


def _slot_seen_being_booked(practitioner_id: int, start: dt.datetime) -> bool:
    """PostgreSQL: whether a booking of this start holds its lock now (`_slot_is_being_booked`).

    Only looks: the quick "no" outside any booking transaction must not take the lock.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_HELD_SQL, _lock_keys(practitioner_id, start))
        (held,) = cursor.fetchone()
    return bool(held)


def _with_bookings(busy: Busy, bookings: Sequence[Booking]) -> Busy:
    extra = Busy.from_bookings(bookings)
    practitioners = {k: list(v) for k, v in busy.practitioners.items()}
    rooms = {k: list(v) for k, v in busy.rooms.items()}
    for key, intervals in extra.practitioners.items():
        practitioners.setdefault(key, []).extend(intervals)
    for key, intervals in extra.rooms.items():
        rooms.setdefault(key, []).extend(intervals)
    return Busy(practitioners=practitioners, rooms=rooms)


# --- saving -------------------------------------------------------------------------------

OVERLAP_CONSTRAINTS = {
    "appointment_no_practitioner_overlap": "slot_taken",
    "appointment_no_room_overlap": "slot_taken",
    "appointment_no_patient_overlap": "patient_busy",
}


def _violated_constraint(error: IntegrityError) -> str | None:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _save_guarded(
    appointment: Appointment, *, alternatives: Callable[[], list[Slot]], **save: Any
) -> None:
    """full_clean() and save; an overlap the database refuses is SlotTaken or PatientBusy.

    On PostgreSQL the database checks every constraint of the row at the insert itself,
    the foreign keys included, so full_clean() leaves those to it rather than asking
    first: eleven queries fewer while the booking holds its slot. Elsewhere (SQLite:
    no exclusion constraints) full_clean() validates them as before.
    """
    on_postgresql = connection.vendor == "postgresql"
    foreign_keys = [field.name for field in appointment._meta.concrete_fields if field.is_relation]
    try:
        appointment.full_clean(
            exclude=foreign_keys if on_postgresql else None,
            validate_constraints=not on_postgresql,
        )
    except ValidationError as error:
        codes = {e.code for e in getattr(error, "error_dict", {}).get("__all__", [])}
        if "patient_busy" in codes:
            raise PatientBusy() from error
        if "slot_taken" in codes:
            raise SlotTaken(alternatives()) from error
        raise
    try:
        # A savepoint: after a refused insert the transaction can still read the alternatives.
        with transaction.atomic():
            appointment.save(**save)
    except IntegrityError as error:
        code = OVERLAP_CONSTRAINTS.get(_violated_constraint(error) or "")
        if code == "patient_busy":
            raise PatientBusy() from error
        if code == "slot_taken":
            raise SlotTaken(alternatives()) from error
        raise


def _after_commit(function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `function` after the commit; a failure is logged, never undoes the booking."""

    def callback() -> None:
        function(*args, **kwargs)

    callback.__qualname__ = getattr(function, "__qualname__", "callback")
    transaction.on_commit(callback, robust=True)


def _log(
    appointment: Appointment,
    *,
    from_status: str,
    to_status: str,
    by: User | None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> AppointmentStatusChange:
    change = AppointmentStatusChange(
        appointment=appointment,
        from_status=from_status,
        to_status=to_status,
        by=by if by is not None and by.is_authenticated else None,
        reason=reason,
        at=at or timezone.now(),
    )
    # The appointment and the user are in hand (the database checks their keys anyway).
    change.full_clean(exclude=["appointment", "by"])
    change.save()
    return change


def _lock(appointment: Appointment) -> Appointment:
    """The appointment re-read inside the transaction, locked against parallel changes."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient__user", "procedure")
        .get(pk=appointment.pk)
    )


def _lock_patient(patient: PatientProfile) -> None:
    # On PostgreSQL the patient's own parallel bookings queue here; SQLite ignores it
    # (its IMMEDIATE transactions are serialised anyway).
    PatientProfile.objects.select_for_update().filter(pk=patient.pk).values_list("pk").first()


def _status_for(result: ScreeningResult) -> str:
    return S.PENDING_REVIEW if result.needs_review else S.CONFIRMED


def _active_course(patient: PatientProfile, procedure: Procedure) -> TreatmentCourse | None:
    return TreatmentCourse.objects.filter(
        patient=patient, procedure=procedure, status=TreatmentCourse.Status.ACTIVE
    ).first()


# --- booking ------------------------------------------------------------------------------


def _check_can_book(
    *, patient: PatientProfile, procedure: Procedure, booked_by: User, start: dt.datetime
) -> None:
    _require_patient_or_desk(booked_by, patient)
    _require_aware(start)
    if patient.erased_at is not None:
        raise BookingError(_("This patient's data was erased."), code="patient_erased")
    if not procedure.is_active:
        raise BookingError(
            _("This procedure cannot be booked at the moment."),
            code="procedure_not_bookable",
            field="procedure",
        )
    # At the desk the receptionist sees the patient; online, only a verified address books.
    # (The address first: a verified patient costs no look-up of the booker's roles.)
    if not patient.is_verified and not _is_desk(booked_by):
        raise EmailNotVerified()


def _book(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    start: dt.datetime,
    practitioner: Practitioner | None,
    booked_by: User,
    channel: str,
    now: dt.datetime,
    ignore_offer: int | None = None,
    session_number: int | None = None,
) -> Appointment:
    """Book one appointment inside the caller's transaction (the checks of the module doc)."""
    # Read once: screening and the session number count the same sessions before `start`.
    history = course_history(patient, procedure, before=start)
    result, version = _screen(patient=patient, procedure=procedure, start=start, history=history)
    if result.blocked:
        raise ScreeningBlocked(result, session_number=session_number)
    _require_interval_before_later_session(patient=patient, procedure=procedure, start=start)
    _require_consent(patient, procedure)
    slot, inputs = _claim_slot(
        patient=patient,
        procedure=procedure,
        start=start,
        practitioner=practitioner,
        now=now,
        ignore_offer=ignore_offer,
    )
    status = _status_for(result)
    course = _active_course(patient, procedure)
    _last, done = history
    appointment = Appointment.from_catalogue(
        procedure=procedure,
        start=slot.start,
        end=slot.end,
        patient=patient,
        practitioner_id=slot.practitioner_id,
        room_id=slot.room_id,
        status=status,
        screening_outcome=result.outcome,
        screening_flags=list(result.flags),
        intake_version=version,
        course=course,
        session_number=done + 1,
        channel=channel,
        created_by=booked_by,
        created_at=now,
    )
    _save_guarded(
        appointment,
        alternatives=lambda: _alternatives(
            procedure, after=start, practitioner=practitioner, now=now, inputs=inputs
        ),
    )
    _log(appointment, from_status="", to_status=status, by=booked_by, at=now)
    messaging.appointment_booked(appointment)
    return appointment


def book_appointment(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    start: dt.datetime,
    practitioner: Practitioner | None = None,
    booked_by: User,
    channel: str,
) -> Appointment:
    """Book `procedure` for `patient` at `start`; confirmed, or pending review when flagged."""
    _check_can_book(patient=patient, procedure=procedure, booked_by=booked_by, start=start)
    now = timezone.now()
    verdict = _overlap_verdict(
        patient=patient, procedure=procedure, start=start, practitioner=practitioner, now=now
    )
    if verdict is None:
        with transaction.atomic():
            if practitioner is not None:
                if _slot_is_being_booked(practitioner, start):
                    verdict = SlotTaken
                else:
                    # A booking that committed since the quick question: ask it again.
                    verdict = _overlap_verdict(
                        patient=patient,
                        procedure=procedure,
                        start=start,
                        practitioner=practitioner,
                        now=now,
                    )
            if verdict is None:
                _lock_patient(patient)
                return _book(
                    patient=patient,
                    procedure=procedure,
                    start=start,
                    practitioner=practitioner,
                    booked_by=booked_by,
                    channel=channel,
                    now=now,
                )
    # Outside the transaction: the queue is not held while the alternatives are computed.
    raise _refusal(verdict, procedure=procedure, start=start, practitioner=practitioner, now=now)


# --- changes ------------------------------------------------------------------------------


def move_appointment(
    *,
    appointment: Appointment,
    start: dt.datetime,
    practitioner: Practitioner | None = None,
    by: User,
) -> Appointment:
    """Move an appointment to `start` (re-screened, same checks); its version grows by one."""
    _require_aware(start)
    now = timezone.now()
    with transaction.atomic():
        appointment = _lock(appointment)
        _require_change_allowed(by, appointment, now)
        if appointment.status not in MOVABLE:
            raise BookingError(
                lazy_interpolate(
                    _("An appointment that is “%(status)s” cannot be moved."),
                    {"status": appointment.get_status_display()},
                ),
                code="not_movable",
            )
        patient, procedure = appointment.patient, appointment.procedure
        _lock_patient(patient)
        result, version = _screen(
            patient=patient, procedure=procedure, start=start, ignore_appointment=appointment.pk
        )
        if result.blocked:
            raise ScreeningBlocked(result)
        _require_interval_before_later_session(
            patient=patient, procedure=procedure, start=start, ignore_appointment=appointment.pk
        )
        if appointment.status == S.CONFIRMED and result.needs_review:
            approved = set(appointment.screening_flags or ())
            if not set(result.flags) <= approved:
                raise MoveNeedsReview(result)
        _require_consent(patient, procedure)
        # The booking's own copies decide the time it holds, whatever the catalogue says now.
        needs = Needs(
            booked_minutes=appointment.booked_minutes,
            buffer_minutes=appointment.buffer_minutes,
            room_kind=procedure.room_kind,
        )
        slot, inputs = _claim_slot(
            patient=patient,
            procedure=procedure,
            start=start,
            practitioner=practitioner,
            now=now,
            needs=needs,
            ignore_appointment=appointment.pk,
        )
        previous_start, previous_status = appointment.start, appointment.status
        appointment.start, appointment.end = slot.start, slot.end
        appointment.room_free_at = slot.end + dt.timedelta(minutes=appointment.buffer_minutes)
        appointment.practitioner_id, appointment.room_id = slot.practitioner_id, slot.room_id
        appointment.version += 1
        appointment.screening_outcome = result.outcome
        appointment.intake_version = version
        if previous_status == S.PENDING_REVIEW:
            appointment.screening_flags = list(result.flags)
            if not result.needs_review:
                appointment.status = S.CONFIRMED  # the reasons for a review are gone
        _save_guarded(
            appointment,
            alternatives=lambda: _alternatives(
                procedure,
                after=start,
                practitioner=practitioner,
                now=now,
                needs=needs,
                ignore_appointment=appointment.pk,
                inputs=inputs,
            ),
        )
        if appointment.status != previous_status:
            check_transition(previous_status, appointment.status)
            _log(
                appointment,
                from_status=previous_status,
                to_status=appointment.status,
                by=by,
                reason=str(_("Moved to a date that needs no review.")),
                at=now,
            )
        messaging.appointment_moved(appointment, previous_start)
    return appointment


def _transition(
    appointment: Appointment,
    *,
    to_status: str,
    by: User | None,
    reason: str = "",
    now: dt.datetime,
) -> str:
    """Change the status (checked against the lifecycle table) and write its history row."""
    previous = appointment.status
    check_transition(previous, to_status)
    appointment.status = to_status
    appointment.full_clean()
    appointment.save()
    _log(appointment, from_status=previous, to_status=to_status, by=by, reason=reason, at=now)
    return previous


def _offer_freed_slot_later(appointment: Appointment) -> None:
    from patients.booking.services.waitlist import (
        offer_freed_slot,  # the waitlist books through this module
    )

    _after_commit(offer_freed_slot, appointment_id=appointment.pk)


def cancel_appointment(*, appointment: Appointment, by: User, reason: str = "") -> Appointment:
    """Cancel an active appointment; the freed slot is offered to the waitlist."""
    now = timezone.now()
    with transaction.atomic():
        appointment = _lock(appointment)
        _require_change_allowed(by, appointment, now)
        appointment.reason = reason
        _transition(appointment, to_status=S.CANCELLED, by=by, reason=reason, now=now)
        messaging.appointment_cancelled(appointment)
        if appointment.start > now:
            _offer_freed_slot_later(appointment)
    return appointment


def approve_review(*, appointment: Appointment, by: User, note: str = "") -> Appointment:
    """A practitioner confirms a pending booking; a flagged gap or limit starts a new course.

    The intake is screened again first: a booking that became blocked cannot be approved.
    `note` is shown to the patient and kept in the history row.
    """
    if not has_role(by, Role.PRACTITIONER):
        raise Forbidden(_("Only a practitioner can approve a booking."))
    now = timezone.now()
    with transaction.atomic():
        appointment = _lock(appointment)
        check_transition(appointment.status, S.CONFIRMED)
        result, _version = _screen(
            patient=appointment.patient,
            procedure=appointment.procedure,
            start=appointment.start,
            ignore_appointment=appointment.pk,
        )
        if result.blocked:
            raise ScreeningBlocked(result)
        if note:
            appointment.note_to_patient = note
        courses.restart_course_if_flagged(appointment)
        _transition(appointment, to_status=S.CONFIRMED, by=by, reason=note, now=now)
        messaging.review_decided(appointment)
    return appointment


def decline_review(*, appointment: Appointment, by: User, reason: str) -> Appointment:
    """A practitioner declines a pending booking, saying why (the patient is told)."""
    if not has_role(by, Role.PRACTITIONER):
        raise Forbidden(_("Only a practitioner can decline a booking."))
    if not reason.strip():
        raise BookingError(
            _("Say why the booking is declined."), code="reason_required", field="reason"
        )
    now = timezone.now()
    with transaction.atomic():
        appointment = _lock(appointment)
        appointment.reason = reason
        _transition(appointment, to_status=S.DECLINED, by=by, reason=reason, now=now)
        messaging.review_decided(appointment)
        if appointment.start > now:
            _offer_freed_slot_later(appointment)
    return appointment


def decline_review_automatically(*, appointment: Appointment, reason: str) -> Appointment:
    """The auto-decline policy: a review still pending close to its slot is declined.

    The system decides (no user on the history row); the patient is told as for a
    practitioner's decline, and the freed slot is offered to the waitlist.
    """
    now = timezone.now()
    with transaction.atomic():
        appointment = _lock(appointment)
        appointment.reason = reason
        _transition(appointment, to_status=S.DECLINED, by=None, reason=reason, now=now)
        _after_commit(messaging.review_decided, appointment)
        if appointment.start > now:
            _offer_freed_slot_later(appointment)
    return appointment


def check_in(*, appointment: Appointment, by: User) -> Appointment:
    """The desk checks a confirmed patient in, on the appointment's day."""
    if not _is_desk(by):
        raise Forbidden()
    now = timezone.now()
    with transaction.atomic():
        appointment = _lock(appointment)
        if local_date(appointment.start) != local_date(now):
            raise BookingError(
                _("A patient can be checked in only on the day of the appointment."),
                code="not_today",
            )
        _transition(appointment, to_status=S.CHECKED_IN, by=by, now=now)
    return appointment


def complete_appointment(*, appointment: Appointment, by: User) -> Appointment:
    """The session took place: completed, and the patient's course advances."""
    if not (_is_desk(by) or has_role(by, Role.PRACTITIONER)):
        raise Forbidden()
    now = timezone.now()
    with transaction.atomic():
        appointment = _lock(appointment)
        check_transition(appointment.status, S.COMPLETED)
        course = courses.advance_course(appointment)
        _transition(appointment, to_status=S.COMPLETED, by=by, now=now)
        messaging.appointment_completed(appointment, course)
    return appointment


def mark_no_show(*, appointment: Appointment, by: User) -> Appointment:
    """The patient never came: only once the appointment has started."""
    if not _is_desk(by):
        raise Forbidden()
    now = timezone.now()
    with transaction.atomic():
        appointment = _lock(appointment)
        if now < appointment.start:
            raise BookingError(
                _("A patient can be marked as not having come only after the start time."),
                code="too_early",
            )
        _transition(appointment, to_status=S.NO_SHOW, by=by, now=now)
    return appointment


# --- courses ------------------------------------------------------------------------------


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


def _nearest(slots: Sequence[Slot], target: dt.datetime) -> Slot | None:
    if not slots:
        return None
    return min(slots, key=lambda slot: (abs(slot.start - target), slot.start))


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

    Each session is at the same local time of day on the day its window opens
    when that is free, else at the nearest free slot inside the window (for
    procedures with no upper interval, within two weeks). Read-only; stops
    early when the course limit is reached. Raises IntakeRequired (422).
    """
    _require_aware(first_start)
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
    today = now.astimezone(zone).date()
    horizon = today + dt.timedelta(days=policy.max_days_ahead)
    span = (horizon - first_day).days + 1
    if span < 1:
        raise _why_unavailable(first_start, now, policy)
    inputs = _inputs(procedure, first_day, span, practitioner=practitioner)
    busy = busy_for(inputs, now=now)
    last, done = course_history(patient, procedure, before=first_start)
    proposals: list[CourseProposal] = []
    chosen: list[Booking] = []
    for index in range(sessions):
        window = next_session_window(rules, last_session_on=last, sessions_done=done)
        if window.complete:
            break
        day = first_day if index == 0 else (window.opens_on or last or first_day)
        if window.opens_on is not None and day < window.opens_on:
            day = window.opens_on
        target = dt.datetime.combine(day, wall_time, tzinfo=zone)
        closes = window.closes_on or day + dt.timedelta(days=ALTERNATIVE_DAYS)
        if index == 0:
            closes = day  # the first session is the one asked for: that day only
        slot: Slot | None = None
        if day <= horizon:
            busy_now = _with_bookings(busy, chosen) if chosen else busy
            window_inputs = replace(
                inputs, start_date=day, days=(min(closes, horizon) - day).days + 1
            )
            candidates = free_slots(window_inputs, busy=busy_now, now=now, policy=policy)
            candidates = [
                s
                for s in candidates
                if practitioner is None or s.practitioner_id == practitioner.pk
            ]
            exact = [s for s in candidates if s.start == target.astimezone(dt.UTC)]
            slot = exact[0] if exact else _nearest(candidates, target)
        session_day = slot.start.astimezone(zone).date() if slot else day
        result, _version = _screen(
            patient=patient,
            procedure=procedure,
            start=slot.start if slot else target,
            history=(last, done),
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
    _check_can_book(patient=patient, procedure=procedure, booked_by=booked_by, start=first_start)
    now = timezone.now()
    with transaction.atomic():
        _lock_patient(patient)
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
                raise ScreeningBlocked(proposal.screening, session_number=proposal.session_number)
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
                _book(
                    patient=patient,
                    procedure=procedure,
                    start=slot.start,
                    practitioner=practitioner or Practitioner.objects.get(pk=slot.practitioner_id),
                    booked_by=booked_by,
                    channel=channel,
                    now=now,
                    session_number=proposal.session_number,
                )
            )
    return appointments
