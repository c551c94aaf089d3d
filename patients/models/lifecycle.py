"""The appointment lifecycle: statuses and the one table of allowed transitions.

`pending_review` -> `confirmed` (a practitioner approved) or `declined`;
`confirmed` -> `checked_in` -> `completed`; `confirmed` -> `no_show` (a patient
who never arrived never checks in); any active state -> `cancelled`.
One edge belongs to the system alone (`SYSTEM_TRANSITIONS`): `confirmed` ->
`pending_review`, when a booked appointment screened again with the inputs of
the moment fires a code no practitioner approved (`rules-v2.md` section 6,
`patients.booking.services.rescreen`). No person can take it; its history row
has no user and names the cause.
The statuses that hold time in the schedule (`HOLDING_STATUSES`) are pending
review, confirmed and checked in: the database's overlap constraints, the free
slots and every "is this appointment still on?" read this one set.

Who may cause a transition (patient, receptionist, practitioner) is decided by
the booking services; this module only says which moves exist. It lives with
the models because the appointment's constraints are built from it; the booking
package reads it from here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from procedures.errors import DomainError, lazy_interpolate


class AppointmentStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", _("Pending review")
    CONFIRMED = "confirmed", _("Confirmed")
    CHECKED_IN = "checked_in", _("Checked in")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Declined")


S = AppointmentStatus
HOLDING_STATUSES: frozenset[str] = frozenset({S.PENDING_REVIEW, S.CONFIRMED, S.CHECKED_IN})

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_REVIEW: frozenset({S.CONFIRMED, S.DECLINED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.CHECKED_IN, S.NO_SHOW, S.CANCELLED}),
    S.CHECKED_IN: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.NO_SHOW: frozenset(),
    S.CANCELLED: frozenset(),
    S.DECLINED: frozenset(),
}

# Edges only the system takes (`check_transition(..., system=True)`).
SYSTEM_TRANSITIONS: dict[str, frozenset[str]] = {
    S.CONFIRMED: frozenset({S.PENDING_REVIEW}),
}


class TransitionNotAllowed(DomainError):
    """An appointment cannot move from its status to the one asked for."""

    http_status = 409

    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(
            lazy_interpolate(
                _("An appointment that is “%(current)s” cannot become “%(wanted)s”."),
                {"current": S(current).label, "wanted": S(wanted).label},
            ),
            code="transition_not_allowed",
            field="status",
        )


def check_transition(current: str, wanted: str, *, system: bool = False) -> None:
    """Raise TransitionNotAllowed unless `current` -> `wanted` is in the table.

    `system` also allows the system's own edges (`SYSTEM_TRANSITIONS`).
    """
    if wanted in TRANSITIONS[current]:
        return
    if system and wanted in SYSTEM_TRANSITIONS.get(current, frozenset()):
        return
    raise TransitionNotAllowed(current, wanted)
