"""Who may do what with the treatment record.

Charts, adverse events and the lots a patient received are health data:
practitioners and managers read and write them; receptionists only learn whether
a chart is signed; a patient sees their own, in plain words. Managers alone recall
a lot and see the reports.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from clinic.models import User
from clinic.roles import Role, can_see_health_data, has_role

from .errors import Forbidden


def require_clinician(user: User | AnonymousUser) -> None:
    """Practitioners and managers only."""
    if not can_see_health_data(user):
        raise Forbidden()


def require_manager(user: User | AnonymousUser) -> None:
    if not has_role(user, Role.MANAGER):
        raise Forbidden()
