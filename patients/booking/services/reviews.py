"""Review decisions on flagged bookings: approve, approve with a note, decline, ask for an update.

Domain rules:
- Only practitioners (and managers) decide. Every decision checks the lifecycle
  table, writes the status-change row and tells the patient, and is also a
  `ReviewDecision` row (who, when, what, the flags it decided on, and two texts:
  the clinical note for clinicians and the reason for the patient and the desk).
- The clinical note never leaves the clinicians: it is not copied to the
  appointment, its history, the patient's messages or anything the desk reads.
- Approving screens the intake again first: a booking that became blocked cannot
  be approved. The note is shown to the patient and kept in the history row. An
  approved gap or course limit (`COURSE_GAP_EXCEEDED`, `COURSE_LIMIT_REACHED`)
  makes this session the first of a new course.
- Approving is impossible while an absolute code fires (a re-screening can find
  one after booking: `patients.booking.services.rescreen`); the practitioner
  declines, or waits for the answers to change.
- A decline records the earliest safe date when the procedure is blocked and
  every blocking finding is time-bound: the patient is offered that date.
- A decline needs a reason: the patient is told why and offered a consultation;
  a slot still in the future is offered to the waitlist after the commit.
- Asking the patient to update the intake changes no status (the booking keeps
  its slot, still pending), so the decision row is its only record; the patient
  gets an e-mail with a link to the questionnaire.
- Auto-decline policy: a review still pending `REVIEW_AUTO_DECLINE_HOURS` (24)
  before its start is declined by the system (no user on the rows), and the
  patient is told as for a practitioner's decline.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

import patients.messaging as messaging
from clinic.models import User
from clinic.roles import Role, has_role
from patients.booking.errors import BookingError, Forbidden, IntakeRequired, ScreeningBlocked
from patients.booking.locking import lock_appointment
from patients.booking.screening import screen_at
from patients.booking.services.courses import restart_course_if_flagged
from patients.booking.services.history import transition
from patients.booking.services.rescreen import Cause, rescreen_patient
from patients.booking.services.waitlist import offer_freed_slot_later
from patients.models import Appointment, ReviewDecision
from patients.models.lifecycle import AppointmentStatus, check_transition
from procedures.errors import DomainError

__all__ = [
    "approve_booking_review",
    "ask_intake_update",
    "auto_decline_overdue_reviews",
    "decline_booking_review",
]

logger = logging.getLogger(__name__)
Kind = ReviewDecision.Kind
S = AppointmentStatus


def _record(
    appointment: Appointment,
    *,
    kind: str,
    by: User | None,
    reason: str,
    clinical_note: str = "",
    flags: list[str],
) -> ReviewDecision:
    decision = ReviewDecision(
        appointment=appointment,
        kind=kind,
        by=by,
        note=clinical_note.strip(),
        reason=reason,
        flags=list(flags or ()),
    )
    decision.full_clean()
    decision.save()
    return decision


def _require_practitioner(user: User, message: str | Promise) -> None:
    if not has_role(user, Role.PRACTITIONER):
        raise Forbidden(message)


def _earliest_safe_date(appointment: Appointment) -> dt.date | None:
    """The first date the procedure is no longer blocked for the patient, when there is one."""
    try:
        result, _version = screen_at(
            patient=appointment.patient,
            procedure=appointment.procedure,
            start=appointment.start,
            ignore_appointment=appointment.pk,
        )
    except IntakeRequired:
        return appointment.screening_earliest_on
    return result.earliest_date if result.blocked else None


def approve_booking_review(
    *, appointment: Appointment, by: User, note: str = "", clinical_note: str = ""
) -> Appointment:
    """Confirm a pending booking (with an optional note to the patient) and record it."""
    _require_practitioner(by, _("Only a practitioner can approve a booking."))
    note = note.strip()
    now = timezone.now()
    with transaction.atomic():
        flags = list(appointment.screening_flags or ())
        appointment = lock_appointment(appointment)
        check_transition(appointment.status, S.CONFIRMED)
        result, _version = screen_at(
            patient=appointment.patient,
            procedure=appointment.procedure,
            start=appointment.start,
            ignore_appointment=appointment.pk,
        )
        if result.blocked:
            raise ScreeningBlocked(result)
        if note:
            appointment.note_to_patient = note
        restart_course_if_flagged(appointment)
        # Decided: nothing is new any more (the decision row keeps the codes approved).
        appointment.screening_new_flags = []
        appointment.screening_blocking = []
        transition(appointment, to_status=S.CONFIRMED, by=by, reason=note, now=now)
        messaging.review_decided(appointment)
        kind = Kind.APPROVED_WITH_NOTE if note else Kind.APPROVED
        _record(
            appointment, kind=kind, by=by, reason=note, clinical_note=clinical_note, flags=flags
        )
    return appointment


def decline_booking_review(
    *, appointment: Appointment, by: User, reason: str, clinical_note: str = ""
) -> Appointment:
    """Decline a pending booking with a reason (the slot is freed, the patient told)."""
    _require_practitioner(by, _("Only a practitioner can decline a booking."))
    reason = reason.strip()
    if not reason:
        raise BookingError(
            _("Say why the booking is declined."), code="reason_required", field="reason"
        )
    now = timezone.now()
    with transaction.atomic():
        flags = list(appointment.screening_flags or ())
        appointment = lock_appointment(appointment)
        appointment.reason = reason
        appointment.screening_earliest_on = _earliest_safe_date(appointment)
        transition(appointment, to_status=S.DECLINED, by=by, reason=reason, now=now)
        messaging.review_decided(appointment)
        rescreen_patient(
            patient=appointment.patient, cause=Cause.DECLINED, exclude=appointment.pk, now=now
        )
        if appointment.start > now:
            offer_freed_slot_later(appointment)
        _record(
            appointment,
            kind=Kind.DECLINED,
            by=by,
            reason=reason,
            clinical_note=clinical_note,
            flags=flags,
        )
    return appointment


def ask_intake_update(
    *, appointment: Appointment, by: User, note: str = "", clinical_note: str = ""
) -> ReviewDecision:
    """Ask the patient to update the intake; the booking stays pending and keeps its slot."""
    _require_practitioner(by, _("Only a practitioner can ask for an updated questionnaire."))
    note = note.strip()
    with transaction.atomic():
        appointment = lock_appointment(appointment)
        if appointment.status != S.PENDING_REVIEW:
            raise BookingError(
                _("Only a booking waiting for review can be sent back for an update."),
                code="not_pending_review",
            )
        decision = _record(
            appointment,
            kind=Kind.INTAKE_UPDATE,
            by=by,
            reason=note,
            clinical_note=clinical_note,
            flags=list(appointment.screening_flags or ()),
        )
        # An outbox row in this transaction: it goes out after the commit, exactly once.
        messaging.intake_update_requested(appointment, decision)
    return decision


def auto_decline_overdue_reviews(*, now: dt.datetime) -> list[int]:
    """Decline every review still pending REVIEW_AUTO_DECLINE_HOURS before its start.

    Returns the ids declined. One failure (e.g. decided meanwhile) does not stop the rest.
    """
    deadline = now + dt.timedelta(hours=settings.REVIEW_AUTO_DECLINE_HOURS)
    due = Appointment.objects.filter(status=S.PENDING_REVIEW, start__lte=deadline).order_by(
        "start", "pk"
    )
    reason = str(
        _(
            "A practitioner could not review your answers in time before the appointment, "
            "so it could not be confirmed."
        )
    )
    declined: list[int] = []
    for appointment in due:
        try:
            _decline_automatically(appointment, reason=reason)
        except DomainError:  # decided meanwhile (the lifecycle refuses): the rest still run
            logger.info("Review %s was decided meanwhile; not auto-declined.", appointment.pk)
            continue
        declined.append(appointment.pk)
    return declined


def _decline_automatically(appointment: Appointment, *, reason: str) -> None:
    """The system declines one pending review: no user on its rows."""
    now = timezone.now()
    with transaction.atomic():
        flags = list(appointment.screening_flags or ())
        appointment = lock_appointment(appointment)
        appointment.reason = reason
        appointment.screening_earliest_on = _earliest_safe_date(appointment)
        transition(appointment, to_status=S.DECLINED, by=None, reason=reason, now=now)

        # Told once the decline is committed; a failure to tell is logged, never undoes it.
        def tell() -> None:
            messaging.review_decided(appointment)

        transaction.on_commit(tell, robust=True)
        rescreen_patient(
            patient=appointment.patient, cause=Cause.DECLINED, exclude=appointment.pk, now=now
        )
        if appointment.start > now:
            offer_freed_slot_later(appointment)
        _record(appointment, kind=Kind.AUTO_DECLINED, by=None, reason=reason, flags=flags)
