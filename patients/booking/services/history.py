"""Every status change of an appointment, creation included, is a history row.

A change is checked against the lifecycle table (`patients.models.lifecycle`)
first; the row says who (nobody when the system decided), when, from, to and why.
"""

from __future__ import annotations

import datetime as dt

from clinic.models import User
from patients.models import Appointment, AppointmentStatusChange
from patients.models.lifecycle import check_transition

__all__ = ["log_status_change", "transition"]


def log_status_change(
    appointment: Appointment,
    *,
    from_status: str,
    to_status: str,
    by: User | None,
    reason: str = "",
    at: dt.datetime,
) -> AppointmentStatusChange:
    """Write the history row of one status change."""
    change = AppointmentStatusChange(
        appointment=appointment,
        from_status=from_status,
        to_status=to_status,
        by=by if by is not None and by.is_authenticated else None,
        reason=reason,
        at=at,
    )
    # The appointment and the user are in hand (the database checks their keys anyway).
    change.full_clean(exclude=["appointment", "by"])
    change.save()
    return change


def transition(
    appointment: Appointment,
    *,
    to_status: str,
    by: User | None,
    reason: str = "",
    now: dt.datetime,
    system: bool = False,
) -> str:
    """Change the status (checked against the lifecycle table) and write its history row.

    `system` allows the system's own edges; their rows have no user.
    """
    previous = appointment.status
    check_transition(previous, to_status, system=system)
    if system:
        by = None
    appointment.status = to_status
    appointment.full_clean()
    appointment.save()
    log_status_change(
        appointment, from_status=previous, to_status=to_status, by=by, reason=reason, at=now
    )
    return previous
