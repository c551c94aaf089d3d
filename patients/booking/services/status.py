"""After booking: cancelling, checking in, completing, and the patient who never came.

Domain rules (the transitions themselves are the lifecycle table's):
- Cancelling: the patient up to `PATIENT_CHANGE_CUTOFF_HOURS` (24) before the
  start, the desk any time, always with the reason kept; the patient is told
  (with an .ics CANCEL) and a slot still in the future is offered to the
  waitlist after the commit.
- Checking in: the desk or a practitioner (from the day sheet), on the
  appointment's local date only. The patient first confirms that nothing in the
  questionnaire changed (`nothing_changed`; who took it and when are kept on the
  appointment); something changed: the answers are updated first, which screens
  the appointment again (`rules-v2.md` section 6). Check-in screens it again too:
  a code no practitioner approved sends it back to review (kept) and refuses the
  check-in (`screening_blocked` for an absolute code, else `needs_review`).
- Completing re-screens as well and is refused while an absolute code fires
  that the check-in did not see.
- Completing: the desk or a practitioner, once the session's treatment chart is
  signed (`COMPLETE_REQUIRES_SIGNED_CHART`, on by default: the course, recall and
  outcome messages start from a documented session); the session advances the
  patient's course of the procedure (`patients.booking.services.courses`), and the
  course's next messages are scheduled.
- No-show: the desk, and only once the appointment has started.
- Cancelling, completing and a no-show screen the patient's other booked
  appointments again (`patients.booking.services.rescreen`), in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import patients.messaging as messaging
from clinic.availability import local_date
from clinic.models import User
from clinic.roles import Role, has_role
from patients.booking.errors import BookingError, Forbidden, ScreeningBlocked
from patients.booking.locking import lock_appointment
from patients.booking.screening import screen_appointment
from patients.booking.services.access import is_desk, require_change_allowed
from patients.booking.services.courses import advance_course
from patients.booking.services.history import transition
from patients.booking.services.rescreen import Cause, rescreen_appointment, rescreen_patient
from patients.booking.services.waitlist import offer_freed_slot_later
from patients.models import Appointment
from patients.models.lifecycle import AppointmentStatus, check_transition
from patients.records.treatment.selectors import chart_is_signed

__all__ = ["cancel_appointment", "check_in", "complete_appointment", "mark_no_show"]

S = AppointmentStatus


def cancel_appointment(*, appointment: Appointment, by: User, reason: str = "") -> Appointment:
    """Cancel an active appointment; the freed slot is offered to the waitlist."""
    now = timezone.now()
    with transaction.atomic():
        appointment = lock_appointment(appointment)
        require_change_allowed(by, appointment, now)
        appointment.reason = reason
        transition(appointment, to_status=S.CANCELLED, by=by, reason=reason, now=now)
        messaging.appointment_cancelled(appointment)
        rescreen_patient(
            patient=appointment.patient, cause=Cause.CANCELLED, exclude=appointment.pk, now=now
        )
        if appointment.start > now:
            offer_freed_slot_later(appointment)
    return appointment


def check_in(*, appointment: Appointment, by: User, nothing_changed: bool = False) -> Appointment:
    """Check a confirmed patient in, on the appointment's day, once they confirm their answers.

    `nothing_changed`: the patient confirmed that nothing in the questionnaire
    changed. The appointment is screened again first; a new code sends it back to
    review and refuses the check-in.
    """
    if not (is_desk(by) or has_role(by, Role.PRACTITIONER)):
        raise Forbidden()
    now = timezone.now()
    with transaction.atomic():
        appointment = lock_appointment(appointment)
        if local_date(appointment.start) != local_date(now):
            raise BookingError(
                _("A patient can be checked in only on the day of the appointment."),
                code="not_today",
            )
        check_transition(appointment.status, S.CHECKED_IN)
        if not nothing_changed:
            raise BookingError(
                _(
                    "Ask the patient first whether anything in the health questionnaire "
                    "changed; if it did, the answers are updated before the check-in."
                ),
                code="intake_attestation_required",
                field="nothing_changed",
            )
        result = screen_appointment(appointment)
        sent_back = rescreen_appointment(appointment, cause=Cause.CHECK_IN, now=now)
        if not sent_back:
            appointment = lock_appointment(appointment)  # re-read: the re-screening may save it
            appointment.intake_attested_at = now
            appointment.intake_attested_by = by
            transition(appointment, to_status=S.CHECKED_IN, by=by, now=now)
    # Sent back to review: kept (committed), and the check-in refused.
    if sent_back:
        if result is not None and result.blocked:
            raise ScreeningBlocked(result)
        raise BookingError(
            _(
                "The screening found something new: the appointment is back in the review "
                "queue and a practitioner decides before the session."
            ),
            code="needs_review",
        )
    return appointment


def complete_appointment(*, appointment: Appointment, by: User) -> Appointment:
    """The session took place: completed, and the patient's course advances."""
    if not (is_desk(by) or has_role(by, Role.PRACTITIONER)):
        raise Forbidden()
    now = timezone.now()
    with transaction.atomic():
        appointment = lock_appointment(appointment)
        check_transition(appointment.status, S.COMPLETED)
        result = screen_appointment(appointment)
        if result is not None and result.blocked:
            raise ScreeningBlocked(result)
        if settings.COMPLETE_REQUIRES_SIGNED_CHART and not chart_is_signed(appointment):
            raise BookingError(
                _("Sign the treatment chart of this session before completing it."),
                code="chart_not_signed",
            )
        course = advance_course(appointment)
        transition(appointment, to_status=S.COMPLETED, by=by, now=now)
        messaging.appointment_completed(appointment, course)
        rescreen_patient(
            patient=appointment.patient, cause=Cause.COMPLETED, exclude=appointment.pk, now=now
        )
    return appointment


def mark_no_show(*, appointment: Appointment, by: User) -> Appointment:
    """The patient never came: only once the appointment has started."""
    if not is_desk(by):
        raise Forbidden()
    now = timezone.now()
    with transaction.atomic():
        appointment = lock_appointment(appointment)
        if now < appointment.start:
            raise BookingError(
                _("A patient can be marked as not having come only after the start time."),
                code="too_early",
            )
        transition(appointment, to_status=S.NO_SHOW, by=by, now=now)
        rescreen_patient(
            patient=appointment.patient, cause=Cause.NO_SHOW, exclude=appointment.pk, now=now
        )
    return appointment
