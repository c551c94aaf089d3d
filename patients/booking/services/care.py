"""The patient's acknowledgement of the pre-care instructions ("I have read them").

Domain rules (the instructions: `procedures.models.CareInstruction`; the link:
`patients.messaging.links.care_token`):
- An appointment is acknowledged once, while it is active (requested or
  confirmed) and has not started: from the pre-care message's one-tap link (no
  login, the signed link names the appointment and its version, so a move makes
  it dead) or from the patient's own appointment page.
- A link that is not good (wrong, another version, used, after the start, the
  appointment no longer active) is "no such link" (404), whatever the reason.
- The practitioner's day sheet shows when the patient acknowledged. A move
  keeps it (the procedure, and so its instructions, stay the same); the old
  link dies with the old version, the next message carries a new one.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from patients.booking.locking import lock_appointment
from patients.booking.services.replies import LinkNotValid
from patients.messaging import read_care_token
from patients.models import Appointment

__all__ = ["acknowledge_precare", "appointment_for_care_token", "may_acknowledge"]


def may_acknowledge(appointment: Appointment, now: dt.datetime) -> bool:
    """Whether the pre-care instructions of `appointment` may be acknowledged now."""
    return (
        appointment.is_active
        and now < appointment.start
        and appointment.precare_acknowledged_at is None
    )


def appointment_for_care_token(token: str, *, now: dt.datetime) -> Appointment:
    """The appointment a care link stands for; LinkNotValid unless it is still good."""
    read = read_care_token(token)
    if read is None:
        raise LinkNotValid()
    appointment_id, version = read
    appointment = Appointment.objects.filter(pk=appointment_id, version=version).first()
    if appointment is None or not may_acknowledge(appointment, now):
        raise LinkNotValid()
    return appointment


def acknowledge_precare(appointment: Appointment, *, now: dt.datetime) -> Appointment:
    """Record "I have read the pre-care instructions"; LinkNotValid when no longer possible."""
    with transaction.atomic():
        # Locked and checked again: two taps at once record one acknowledgement.
        locked = lock_appointment(appointment)
        if locked.version != appointment.version or not may_acknowledge(locked, now):
            raise LinkNotValid()
        locked.precare_acknowledged_at = now
        locked.save(update_fields=["precare_acknowledged_at"])
    return locked
