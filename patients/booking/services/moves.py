"""Moving an appointment: the one move, and the steps a course move shares with it.

Domain rules (the booking module's docstring states them with the booking's):
- Only an appointment that holds time (pending review or confirmed) moves; staff
  may move any time, patients up to the cut-off.
- The new date is screened as a booking is: `blocked` refuses, a date too close
  before a session booked later refuses, then the consent. A confirmed
  appointment keeps its confirmation when the new date raises no flag beyond those
  already approved; otherwise the lifecycle has no way back to review, so the move
  is refused (`move_needs_review`). A pending one whose reasons for a review are
  gone on the new date is confirmed.
- The new time passes the slot checks of a booking (grid, hours, lead time,
  horizon, a free practitioner and room, the patient free); the booking's own
  copies (booked minutes, buffer) decide the time it holds. Every move adds one to
  `version` (the .ics SEQUENCE) and drops the patient's confirmation of the old time.
- The status change (if any) writes its history row, the patient's message is
  written, and the patient's other appointments are screened again.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import patients.messaging as messaging
from clinic.availability import Needs
from clinic.models import Practitioner, User
from patients.booking.errors import BookingError, MoveNeedsReview
from patients.booking.locking import lock_appointment, lock_patient
from patients.booking.screening import (
    require_consent,
    require_interval_before_later_session,
    screen_at,
    screening_blocked,
)
from patients.booking.services.access import require_change_allowed
from patients.booking.services.booking import (
    MOVABLE,
    claim_slot,
    require_aware,
    save_guarded,
    taken,
)
from patients.booking.services.history import log_status_change
from patients.booking.services.rescreen import Cause, rescreen_patient
from patients.models import Appointment, IntakeVersion
from patients.models.lifecycle import AppointmentStatus, check_transition
from procedures.errors import lazy_interpolate
from procedures.screening import ScreeningResult

__all__ = [
    "move_appointment",
    "record_move",
    "require_movable",
    "screen_move",
    "take_new_time",
    "take_screening",
]

S = AppointmentStatus


def move_appointment(
    *,
    appointment: Appointment,
    start: dt.datetime,
    practitioner: Practitioner | None = None,
    by: User,
) -> Appointment:
    """Move an appointment to `start` (re-screened, same checks); its version grows by one."""
    require_aware(start)
    now = timezone.now()
    with transaction.atomic():
        appointment = lock_appointment(appointment)
        require_change_allowed(by, appointment, now)
        require_movable(appointment)
        lock_patient(appointment.patient)
        result, version = screen_move(appointment, start=start)
        previous_start, previous_status = appointment.start, appointment.status
        take_screening(appointment, result, version)
        take_new_time(appointment, start=start, practitioner=practitioner, now=now)
        record_move(
            appointment,
            previous_start=previous_start,
            previous_status=previous_status,
            by=by,
            now=now,
        )
        rescreen_patient(
            patient=appointment.patient, cause=Cause.MOVED, exclude=appointment.pk, now=now
        )
    return appointment


def require_movable(appointment: Appointment) -> None:
    """Only an appointment that holds time moves."""
    if appointment.status not in MOVABLE:
        raise BookingError(
            lazy_interpolate(
                _("An appointment that is “%(status)s” cannot be moved."),
                {"status": appointment.get_status_display()},
            ),
            code="not_movable",
        )


def screen_move(
    appointment: Appointment, *, start: dt.datetime
) -> tuple[ScreeningResult, IntakeVersion | None]:
    """Screen `appointment` at `start` as a move is screened, or refuse the move."""
    patient, procedure = appointment.patient, appointment.procedure
    result, version = screen_at(
        patient=patient, procedure=procedure, start=start, ignore_appointment=appointment.pk
    )
    if result.blocked:
        raise screening_blocked(result)
    require_interval_before_later_session(
        patient=patient, procedure=procedure, start=start, ignore_appointment=appointment.pk
    )
    if appointment.status == S.CONFIRMED and result.needs_review:
        approved = set(appointment.screening_flags or ())
        if not set(result.flags) <= approved:
            raise MoveNeedsReview(result)
    require_consent(patient, procedure)
    return result, version


def take_screening(
    appointment: Appointment, result: ScreeningResult, version: IntakeVersion | None
) -> None:
    """Write the new date's screening on `appointment` (not saved); a pending one whose
    reasons for a review are gone is confirmed."""
    appointment.screening_outcome = result.outcome
    appointment.intake_version = version
    if appointment.status == S.PENDING_REVIEW:
        appointment.screening_flags = list(result.flags)
        if not result.needs_review:
            appointment.status = S.CONFIRMED


def take_new_time(
    appointment: Appointment,
    *,
    start: dt.datetime,
    practitioner: Practitioner | None,
    now: dt.datetime,
) -> None:
    """Claim the free slot at `start` for `appointment` and save it there, one version on."""
    patient, procedure = appointment.patient, appointment.procedure
    needs = Needs(
        booked_minutes=appointment.booked_minutes,
        buffer_minutes=appointment.buffer_minutes,
        room_kind=procedure.room_kind,
    )
    slot, inputs = claim_slot(
        patient=patient,
        procedure=procedure,
        start=start,
        practitioner=practitioner,
        now=now,
        needs=needs,
        ignore_appointment=appointment.pk,
    )
    appointment.start, appointment.end = slot.start, slot.end
    appointment.room_free_at = slot.end + dt.timedelta(minutes=appointment.buffer_minutes)
    appointment.practitioner_id, appointment.room_id = slot.practitioner_id, slot.room_id
    appointment.version += 1
    # The patient confirmed the old time, not the new one.
    appointment.confirmed_by_patient_at, appointment.confirmed_by_patient_via = None, None
    save_guarded(
        appointment,
        taken=lambda: taken(
            procedure,
            patient=patient,
            start=start,
            practitioner=practitioner,
            now=now,
            needs=needs,
            ignore_appointment=appointment.pk,
            inputs=inputs,
        ),
    )


def record_move(
    appointment: Appointment,
    *,
    previous_start: dt.datetime,
    previous_status: str,
    by: User,
    now: dt.datetime,
) -> None:
    """The history row of a status the move changed, and the patient's message."""
    if appointment.status != previous_status:
        check_transition(previous_status, appointment.status)
        log_status_change(
            appointment,
            from_status=previous_status,
            to_status=appointment.status,
            by=by,
            reason=str(_("Moved to a date that needs no review.")),
            at=now,
        )
    messaging.appointment_moved(appointment, previous_start)
