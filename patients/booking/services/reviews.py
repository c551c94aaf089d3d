"""Review decisions on flagged bookings: approve, approve with a note, decline, ask for an update.

Domain rules:
- Only practitioners (and managers) decide; every decision goes through the
  booking services (`approve_review`, `decline_review`), which check the
  lifecycle, write the status-change row and tell the patient after the commit.
- Each decision is also a `ReviewDecision` row (who, when, what, the note).
  Asking the patient to update the intake changes no status (the booking keeps
  its slot, still pending), so that row is its only record; the patient gets an
  e-mail with a link to the questionnaire.
- A decline needs a reason: the patient is told why and offered a consultation.
- Auto-decline policy: a review still pending `REVIEW_AUTO_DECLINE_HOURS` (24)
  before its start is declined by the system, and the patient is told.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

import patients.messaging as messaging
from clinic.models import User
from clinic.roles import Role, has_role
from patients.booking.errors import BookingError, Forbidden
from patients.booking.services import booking
from patients.models import Appointment, ReviewDecision
from patients.models.lifecycle import AppointmentStatus
from procedures.errors import DomainError

__all__ = [
    "approve_booking_review",
    "ask_intake_update",
    "auto_decline_overdue_reviews",
    "decline_booking_review",
]

logger = logging.getLogger(__name__)
Kind = ReviewDecision.Kind


def _record(
    appointment: Appointment, *, kind: str, by: User | None, note: str, flags: list[str]
) -> ReviewDecision:
    decision = ReviewDecision(
        appointment=appointment, kind=kind, by=by, note=note, flags=list(flags or ())
    )
    decision.full_clean()
    decision.save()
    return decision


def approve_booking_review(*, appointment: Appointment, by: User, note: str = "") -> Appointment:
    """Confirm a pending booking (with an optional note to the patient) and record it."""
    note = note.strip()
    with transaction.atomic():
        flags = list(appointment.screening_flags or ())
        appointment = booking.approve_review(appointment=appointment, by=by, note=note)
        kind = Kind.APPROVED_WITH_NOTE if note else Kind.APPROVED
        _record(appointment, kind=kind, by=by, note=note, flags=flags)
    return appointment


def decline_booking_review(*, appointment: Appointment, by: User, reason: str) -> Appointment:
    """Decline a pending booking with a reason (the slot is freed, the patient told)."""
    reason = reason.strip()
    with transaction.atomic():
        flags = list(appointment.screening_flags or ())
        appointment = booking.decline_review(appointment=appointment, by=by, reason=reason)
        _record(appointment, kind=Kind.DECLINED, by=by, note=reason, flags=flags)
    return appointment


def ask_intake_update(*, appointment: Appointment, by: User, note: str = "") -> ReviewDecision:
    """Ask the patient to update the intake; the booking stays pending and keeps its slot."""
    if not has_role(by, Role.PRACTITIONER):
        raise Forbidden(_("Only a practitioner can ask for an updated questionnaire."))
    note = note.strip()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("patient__user")
            .get(pk=appointment.pk)
        )
        if appointment.status != AppointmentStatus.PENDING_REVIEW:
            raise BookingError(
                _("Only a booking waiting for review can be sent back for an update."),
                code="not_pending_review",
            )
        decision = _record(
            appointment,
            kind=Kind.INTAKE_UPDATE,
            by=by,
            note=note,
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
    due = Appointment.objects.filter(
        status=AppointmentStatus.PENDING_REVIEW, start__lte=deadline
    ).order_by("start", "pk")
    reason = str(
        _(
            "A practitioner could not review your answers in time before the appointment, "
            "so it could not be confirmed."
        )
    )
    declined: list[int] = []
    for appointment in due:
        try:
            with transaction.atomic():
                flags = list(appointment.screening_flags or ())
                booking.decline_review_automatically(appointment=appointment, reason=reason)
                _record(appointment, kind=Kind.AUTO_DECLINED, by=None, note=reason, flags=flags)
        except DomainError:  # decided meanwhile (the lifecycle refuses): the rest still run
            logger.info("Review %s was decided meanwhile; not auto-declined.", appointment.pk)
            continue
        declined.append(appointment.pk)
    return declined
