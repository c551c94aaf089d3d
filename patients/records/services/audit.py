"""Writing the audit log: one row each time staff open or act on a patient's health data."""

from __future__ import annotations

from clinic.models import User
from patients.models import AuditEntry, PatientProfile


def record_access(
    *,
    actor: User,
    patient: PatientProfile,
    action: str,
    detail: str = "",
    ip_address: str | None = None,
) -> AuditEntry:
    """Append one audit row; the log is never changed afterwards."""
    entry = AuditEntry(
        actor=actor,
        patient=patient,
        action=action,
        detail=detail[:300],
        ip_address=ip_address or None,
    )
    entry.full_clean()
    entry.save()
    return entry
