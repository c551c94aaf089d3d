"""Writing the audit log: one row each time staff open or act on a patient's health data."""

from __future__ import annotations

from collections.abc import Iterable

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


def record_list_access(
    *,
    actor: User,
    patient_ids: Iterable[int],
    action: str,
    detail: str = "",
    ip_address: str | None = None,
) -> list[AuditEntry]:
    """Append one audit row per patient a list showed, in a single insert."""
    entries = []
    for patient_id in dict.fromkeys(patient_ids):  # each patient once, in order
        entry = AuditEntry(
            actor=actor,
            patient_id=patient_id,
            action=action,
            detail=detail[:300],
            ip_address=ip_address or None,
        )
        # The ids come from rows just read: no query per row to check them again.
        entry.full_clean(exclude=["actor", "patient"])
        entries.append(entry)
    return AuditEntry.objects.bulk_create(entries)
