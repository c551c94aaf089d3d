"""What the comparison pages show, for a patient and for staff alike.

The two sessions come from the query (`earlier`, `later`: appointment ids); each must
be a session of the patient the page is about, or the page is a 404: another
patient's session is never named, let alone shown. Without a choice the page shows
`latest_comparison`.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, QueryDict
from django.utils.translation import gettext_lazy as _

from patients.models import Appointment, PatientProfile
from procedures.errors import DomainError

from .selectors import Comparison, compare_sessions, latest_comparison_of, photo_sessions

FIELDS = ("earlier", "later")


def _session(patient: PatientProfile, name: str, raw: str) -> Appointment:
    if not raw.isdigit():
        raise DomainError(_("Choose a session from the list."), code="invalid_session", field=name)
    session = (
        Appointment.objects.filter(patient=patient, pk=int(raw)).select_related("procedure").first()
    )
    if session is None:
        raise Http404
    return session


def comparison_context(patient: PatientProfile, query: QueryDict) -> dict[str, Any]:
    """The sessions to choose from and the chosen comparison; DomainError names a bad field."""
    sessions = photo_sessions(patient)
    comparison: Comparison | None
    if any(query.get(name) for name in FIELDS):
        first, second = (_session(patient, name, query.get(name, "")) for name in FIELDS)
        comparison = compare_sessions(first, second)
    else:
        comparison = latest_comparison_of(sessions)
    return {"sessions": sessions, "comparison": comparison}
