"""Booking: the one way an appointment is made or moved (the move itself: `moves`).

Patients (web, API) and receptionists (the desk) go through the same functions
and the same checks. Domain rules:

- Who may book: a patient for themselves, the desk for anyone
  (`patients.booking.services.access`). A patient booking for themselves needs a
  verified e-mail address (the desk does not: the patient is in front of them).
  An erased patient and an inactive procedure cannot be booked.
- Screening at the door (`patients.booking.screening`): a current intake, the
  procedure screened for the local date of the start with the patient's history;
  `blocked` refuses everyone, staff included (`screening_blocked`, with the
  reasons and the earliest date when there is one); only a practitioner
  correcting the intake changes that. The interval from the other side: a date
  too close before a session already booked later is refused
  (`too_close_to_next_session`). Then the signed consent of the category.
- The slot: on the grid, inside opening and working hours, at least the lead
  time from now and within the horizon (else `slot_unavailable`, HTTP 400 on
  `start`); a qualified practitioner (the one asked for, or any) and a room of
  the procedure's kind free for it (else `slot_taken`, HTTP 409, with the next
  free slots); the patient holds no overlapping active appointment
  (`patient_busy`, 409).
- Confirmed at once when screening is `ok`; `pending_review` (holding the slot
  until a practitioner decides) when it asks for a review.
- Never twice: the checks run inside the booking transaction after reading the
  schedule again, with the patient's row locked (their own parallel requests
  queue up). On SQLite the IMMEDIATE transaction mode serialises bookings; on
  PostgreSQL the exclusion constraints are the final guard and their violation
  (a lost race) becomes `slot_taken` / `patient_busy`, never a 500. The losers
  of a race hear their "no" before all that (`patients.booking.race_guard`).
- Moving re-screens for the new date, with the same checks; staff may move any
  time, patients up to the cut-off. Every move adds one to `version` (the .ics
  SEQUENCE). A confirmed appointment keeps its confirmation when the new date
  raises no flag beyond those already approved; otherwise the lifecycle has no
  way back to review, so the move is refused (`move_needs_review`): cancel and
  request the new date instead. A pending one whose reasons for a review are
  gone on the new date is confirmed. The booking's own copies (booked minutes,
  buffer) decide the time it holds, whatever the catalogue says now.
- A booking or a move screens the patient's other booked appointments again
  (`patients.booking.services.rescreen`, in the same transaction).
- Every status change, creation included, writes its history row; the patient's
  messages are outbox rows written by `patients.messaging` in the same
  transaction (sent by a worker after the commit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import patients.messaging as messaging
from clinic.availability import AvailabilityInputs, Needs, Policy, Slot, slot_at
from clinic.models import Practitioner, User
from patients.booking import race_guard
from patients.booking.errors import (
    BookingError,
    EmailNotVerified,
    PatientBusy,
    SlotTaken,
    SlotUnavailable,
)
from patients.booking.locking import lock_patient
from patients.booking.screening import (
    require_consent,
    require_interval_before_later_session,
    screen_at,
    screening_blocked,
)
from patients.booking.selectors import NEARBY_DAYS, booking_inputs, busy_for, course_history
from patients.booking.services.access import (
    is_desk,
    require_patient_or_desk,
)
from patients.booking.services.history import log_status_change
from patients.booking.services.rescreen import Cause, rescreen_patient
from patients.models import Appointment, IntakeVersion, PatientProfile, TreatmentCourse
from patients.models.lifecycle import HOLDING_STATUSES, AppointmentStatus
from procedures.models import Procedure
from procedures.screening import ScreeningResult

__all__ = [
    "MOVABLE",
    "book_appointment",
    "book_in_transaction",
    "check_can_book",
    "new_appointment",
    "refuse_a_recently_refused_start",
    "require_aware",
]

S = AppointmentStatus
MOVABLE = frozenset({S.PENDING_REVIEW, S.CONFIRMED})
# The exclusion constraints a lost race violates, and the refusal each one means.
OVERLAP_CONSTRAINTS = {
    "appointment_no_practitioner_overlap": "slot_taken",
    "appointment_no_room_overlap": "slot_taken",
    "appointment_no_patient_overlap": "patient_busy",
}


# --- before a booking ---------------------------------------------------------------------


def require_aware(start: dt.datetime) -> None:
    """A start is a date and time with its UTC offset, that a clock can hold."""
    if not isinstance(start, dt.datetime) or timezone.is_naive(start):
        raise SlotUnavailable(_("Give the start as a date and time with its UTC offset."))
    if start.year in (dt.MINYEAR, dt.MAXYEAR):  # another zone's clock may not hold it at all
        reason = "lead" if start.year == dt.MINYEAR else "horizon"
        raise SlotUnavailable.because(reason, Policy.from_settings())


def check_can_book(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    booked_by: User,
    start: dt.datetime,
    phone_confirmed: bool = False,
) -> None:
    """Who may book, for whom, and what: the checks before any reading of the schedule.

    `phone_confirmed`: this very booking was confirmed by a code texted to the
    patient's phone (the guest's consultation), which proves a contact as the
    e-mailed link does; later bookings online need the address verified.
    """
    require_patient_or_desk(booked_by, patient)
    require_aware(start)
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
    if not patient.is_verified and not phone_confirmed and not is_desk(booked_by):
        raise EmailNotVerified()


# --- booking ------------------------------------------------------------------------------


def book_appointment(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    start: dt.datetime,
    practitioner: Practitioner | None = None,
    booked_by: User,
    channel: str,
    phone_confirmed: bool = False,
) -> Appointment:
    """Book `procedure` for `patient` at `start`; confirmed, or pending review when flagged."""
    check_can_book(
        patient=patient,
        procedure=procedure,
        booked_by=booked_by,
        start=start,
        phone_confirmed=phone_confirmed,
    )
    now = timezone.now()
    with _race_guarded(
        patient=patient,
        booked_by=booked_by,
        start=start,
        procedure=procedure,
        practitioner=practitioner,
        now=now,
    ):
        lock_patient(patient)
        appointment = book_in_transaction(
            patient=patient,
            procedure=procedure,
            start=start,
            practitioner=practitioner,
            booked_by=booked_by,
            channel=channel,
            now=now,
        )
    return appointment


def refuse_a_recently_refused_start(
    *,
    patient: PatientProfile,
    booked_by: User,
    procedure_slug: str,
    start: dt.datetime,
    practitioner_id: int,
) -> None:
    """Refuse at once a start refused seconds ago and still held, before the procedure and
    the practitioner are read (a hot slot's many losers, through the API); return when the
    booking must take its whole way (`book_appointment`)."""
    with _race_guarded(
        patient=patient,
        booked_by=booked_by,
        start=start,
        procedure=procedure_slug,
        practitioner=practitioner_id,
        now=timezone.now(),
    ):
        pass  # nothing is read yet, so nothing to book here


def _race_guarded(
    *,
    patient: PatientProfile,
    booked_by: User,
    start: dt.datetime,
    procedure: Procedure | str,
    practitioner: Practitioner | int | None,
    now: dt.datetime,
) -> AbstractContextManager[None]:
    """The race guard of one booking (`race_guard.guarded_transaction`)."""
    return race_guard.guarded_transaction(
        patient=patient,
        booked_by=booked_by,
        start=start,
        procedure=procedure,
        practitioner=practitioner,
        now=now,
    )


def book_in_transaction(
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
    confirmation: bool = True,
) -> Appointment:
    """Book one appointment inside the caller's transaction, every check of the module doc.

    The caller checked who books (`check_can_book`) and locked the patient.
    `ignore_offer` is the waitlist offer being accepted (it holds this very slot);
    `session_number` names the session of a course in a refusal; a course booked
    in one go sends its own one confirmation (`confirmation=False` here).
    """
    # Read once: screening and the session number count the same sessions before `start`.
    history = course_history(patient, procedure, before=start)
    result, version = screen_at(patient=patient, procedure=procedure, start=start, history=history)
    if result.blocked:
        raise screening_blocked(result, session_number=session_number)
    require_interval_before_later_session(patient=patient, procedure=procedure, start=start)
    require_consent(patient, procedure)
    slot, inputs = _claim_slot(
        patient=patient,
        procedure=procedure,
        start=start,
        practitioner=practitioner,
        now=now,
        ignore_offer=ignore_offer,
    )
    status = _status_for(result)
    _last, done = history
    appointment = new_appointment(
        patient=patient,
        procedure=procedure,
        slot=slot,
        screening=result,
        version=version,
        status=status,
        session_number=done + 1,
        channel=channel,
        booked_by=booked_by,
        at=now,
        course=_active_course(patient, procedure),
    )
    _save_guarded(
        appointment,
        taken=lambda: _taken(
            procedure,
            patient=patient,
            start=start,
            practitioner=practitioner,
            now=now,
            inputs=inputs,
        ),
    )
    log_status_change(appointment, from_status="", to_status=status, by=booked_by, at=now)
    messaging.appointment_booked(appointment, confirmation=confirmation)
    rescreen_patient(patient=patient, cause=Cause.BOOKED, exclude=appointment.pk, now=now)
    return appointment


def new_appointment(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    slot: Slot,
    screening: ScreeningResult,
    version: IntakeVersion | None,
    status: str,
    session_number: int,
    channel: str,
    booked_by: User,
    at: dt.datetime,
    course: TreatmentCourse | None = None,
) -> Appointment:
    """An appointment of `slot` as a booking writes it, with the screening at the door
    and the catalogue's copies (not saved yet)."""
    return Appointment.from_catalogue(
        procedure=procedure,
        start=slot.start,
        end=slot.end,
        patient=patient,
        practitioner_id=slot.practitioner_id,
        room_id=slot.room_id,
        status=status,
        screening_outcome=screening.outcome,
        screening_flags=list(screening.flags),
        intake_version=version,
        course=course,
        session_number=session_number,
        channel=channel,
        created_by=booked_by,
        created_at=at,
    )


# --- the slot -----------------------------------------------------------------------------


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
    inputs = booking_inputs(
        procedure,
        start.astimezone(policy.zone).date(),
        NEARBY_DAYS,
        practitioner=practitioner,
        needs=needs,
    )
    practitioner_id = practitioner.pk if practitioner else None
    possible = slot_at(inputs, now=now, start=start, practitioner_id=practitioner_id, policy=policy)
    if possible is None:  # not a bookable start even in an empty schedule
        raise SlotUnavailable.because(policy.why_not_bookable(start, now), policy)
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
        raise _taken(
            procedure,
            patient=patient,
            start=start,
            practitioner=practitioner,
            now=now,
            inputs=inputs,
            busy=busy,
            needs=needs,
            ignore_appointment=ignore_appointment,
            ignore_offer=ignore_offer,
        )
    return slot, inputs


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


def _taken(
    procedure: Procedure,
    *,
    patient: PatientProfile,
    start: dt.datetime,
    practitioner: Practitioner | None,
    now: dt.datetime,
    **schedule: Any,
) -> SlotTaken:
    """A "just taken" refusal of `start`, with the next free slots on the days the patient
    may book (`race_guard.alternatives`)."""
    return SlotTaken(
        race_guard.alternatives(
            procedure, patient=patient, start=start, practitioner=practitioner, now=now, **schedule
        )
    )


def _save_guarded(appointment: Appointment, *, taken: Callable[[], SlotTaken]) -> None:
    """full_clean() and save; an overlap the database refuses is SlotTaken or PatientBusy.

    On PostgreSQL the database checks every constraint of the row at the insert itself,
    the foreign keys included, so full_clean() leaves those to it rather than asking
    first, while the booking holds its slot. Elsewhere (SQLite: no exclusion
    constraints) full_clean() validates them.
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
            raise taken() from error
        raise
    try:
        # A savepoint: after a refused insert the transaction can still read the alternatives.
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        diagnosis = getattr(error.__cause__, "diag", None)
        code = OVERLAP_CONSTRAINTS.get(getattr(diagnosis, "constraint_name", None) or "")
        if code == "patient_busy":
            raise PatientBusy() from error
        if code == "slot_taken":
            raise taken() from error
        raise


def _status_for(result: ScreeningResult) -> str:
    return S.PENDING_REVIEW if result.needs_review else S.CONFIRMED


def _active_course(patient: PatientProfile, procedure: Procedure) -> TreatmentCourse | None:
    return TreatmentCourse.objects.filter(
        patient=patient, procedure=procedure, status=TreatmentCourse.Status.ACTIVE
    ).first()


# The slot checks of a booking, shared with moves (`patients.booking.services.moves`).
claim_slot = _claim_slot
save_guarded = _save_guarded
taken = _taken
