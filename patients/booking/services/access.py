"""Who may book, move and cancel for whom.

A patient books, moves and cancels their own appointments; a receptionist (the
desk) does that for anyone; a manager may do everything (`clinic.roles`).
Patients move and cancel up to `PATIENT_CHANGE_CUTOFF_HOURS` (24) before the
start; staff any time. Anyone else gets `forbidden` (HTTP 403).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from clinic.models import User
from clinic.roles import Role, has_role
from patients.booking.errors import ChangeTooLate, Forbidden
from patients.models import Appointment, PatientProfile

__all__ = ["is_desk", "require_change_allowed", "require_patient_or_desk"]


def is_desk(user: User) -> bool:
    """The reception desk: receptionists (and managers)."""
    return has_role(user, Role.RECEPTIONIST)


def require_patient_or_desk(user: User, patient: PatientProfile) -> None:
    """The patient themselves, or the desk; anyone else is refused."""
    is_self = user.is_authenticated and user.pk == patient.user_id
    if not (is_self or is_desk(user)):
        raise Forbidden()


def require_change_allowed(user: User, appointment: Appointment, now: dt.datetime) -> None:
    """Own appointment or the desk; patients only up to the cut-off before the start."""
    require_patient_or_desk(user, appointment.patient)
    if is_desk(user):
        return
    cutoff = dt.timedelta(hours=settings.PATIENT_CHANGE_CUTOFF_HOURS)
    if appointment.start - now < cutoff:
        raise ChangeTooLate()
