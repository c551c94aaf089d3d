"""The patient's one-tap answers to a reminder: "confirm" and "I can't come".

Domain rules (the links themselves: `patients.messaging.links`):
- A link is good for a confirmed appointment at the version it was sent for,
  until the start, and once: a recorded confirmation ends the "confirm" link,
  a cancellation ends both. Anything else is "no such link" (404), whatever
  the reason, so a link tells a stranger nothing.
- "Confirm" records when and through which channel the patient confirmed.
- "I can't come" cancels as the patient's own cancellation does (the slot is
  freed and offered to the waitlist) while the online cut-off allows it
  (`PATIENT_CHANGE_CUTOFF_HOURS`); after it nothing changes and the patient is
  asked to call the clinic.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from patients.booking.errors import BookingError
from patients.booking.locking import lock_appointment
from patients.booking.services.status import cancel_appointment
from patients.messaging import CANCEL, CONFIRM, Reply, read_reply_token
from patients.models import Appointment
from patients.models.lifecycle import AppointmentStatus

__all__ = [
    "CALL_US",
    "CANCELLED",
    "CONFIRMED",
    "LinkNotValid",
    "answer_reminder",
    "may_cancel_online",
    "reply_for",
]

CONFIRMED, CANCELLED, CALL_US = "confirmed", "cancelled", "call_us"


class LinkNotValid(BookingError):
    http_status = 404

    def __init__(self) -> None:
        super().__init__(_("This link is not valid (any more)."), code="link_not_valid")


def _still_good(appointment: Appointment, reply: Reply, now: dt.datetime) -> bool:
    if appointment.version != reply.version or now >= appointment.start:
        return False
    if appointment.status != AppointmentStatus.CONFIRMED:
        return False
    return not (reply.action == CONFIRM and appointment.confirmed_by_patient_at is not None)


def reply_for(token: str, *, now: dt.datetime) -> tuple[Appointment, Reply]:
    """The appointment and answer a link stands for; LinkNotValid unless it is still good."""
    reply = read_reply_token(token)
    if reply is None:
        raise LinkNotValid()
    appointment = (
        Appointment.objects.select_related("patient__user").filter(pk=reply.appointment_id).first()
    )
    if appointment is None or not _still_good(appointment, reply, now):
        raise LinkNotValid()
    return appointment, reply


def may_cancel_online(appointment: Appointment, now: dt.datetime) -> bool:
    """Whether the patient may still cancel themselves (before the online cut-off)."""
    cutoff = dt.timedelta(hours=settings.PATIENT_CHANGE_CUTOFF_HOURS)
    return appointment.start - now >= cutoff


def answer_reminder(*, appointment: Appointment, reply: Reply, now: dt.datetime) -> str:
    """Record the answer: CONFIRMED, CANCELLED, or CALL_US (too late to cancel online)."""
    with transaction.atomic():
        # Locked and checked again: two taps at once leave one answer.
        appointment = lock_appointment(appointment)
        if not _still_good(appointment, reply, now):
            raise LinkNotValid()
        if reply.action == CONFIRM:
            appointment.confirmed_by_patient_at = now
            appointment.confirmed_by_patient_via = reply.channel
            appointment.save(update_fields=["confirmed_by_patient_at", "confirmed_by_patient_via"])
            return CONFIRMED
    if reply.action != CANCEL:  # pragma: no cover - the token knows two answers
        raise LinkNotValid()
    if not may_cancel_online(appointment, now):
        return CALL_US
    cancel_appointment(
        appointment=appointment,
        by=appointment.patient.user,
        reason=str(_("The patient can't come (answer to the reminder).")),
    )
    return CANCELLED
