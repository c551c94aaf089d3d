"""Writing the audit log: one row each time staff open or act on a patient's health data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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


def record_screening_seen(
    *, actor: User, appointments: Iterable[Any], where: str, ip_address: str | None = None
) -> int:
    """One row per flagged appointment whose rule codes a staff page showed (in one query).

    The review queue, the day sheet and the appointment page show the fired rule codes
    and their clinical sentences: health data, so each view of them is logged.
    """
    entries = [
        AuditEntry(
            actor=actor,
            patient_id=appointment.patient_id,
            action=AuditEntry.Action.VIEW_SCREENING,
            detail=f"{where}: appointment #{appointment.pk}: "
            f"{', '.join(appointment.screening_flags)}"[:300],
            ip_address=ip_address or None,
        )
        for appointment in appointments
        if appointment.screening_flags
    ]
    AuditEntry.objects.bulk_create(entries)
    return len(entries)


def record_progress_seen(
    *, actor: User, patient_ids: Iterable[int], where: str, ip_address: str | None = None
) -> int:
    """One row per patient whose progress chart a staff page showed (in one query).

    The chart holds the scar grades of the treatment record and the patient's own
    ratings: health data, logged as a view of the chart.
    """
    entries = [
        AuditEntry(
            actor=actor,
            patient_id=patient_id,
            action=AuditEntry.Action.VIEW_CHART,
            detail=f"{where}: progress chart"[:300],
            ip_address=ip_address or None,
        )
        for patient_id in sorted(set(patient_ids))
    ]
    AuditEntry.objects.bulk_create(entries)
    return len(entries)


def record_reports_seen(
    *, actor: User, events: Iterable[Any], where: str, ip_address: str | None = None
) -> int:
    """One row per patient's problem report a staff list showed (in one query).

    The review queue lists what patients wrote about a reaction after a session: a
    clinical description, health data like the rule codes beside it.
    """
    entries = [
        AuditEntry(
            actor=actor,
            patient_id=event.patient_id,
            action=AuditEntry.Action.VIEW_ADVERSE_EVENT,
            detail=f"{where}: adverse event #{event.pk}"[:300],
            ip_address=ip_address or None,
        )
        for event in events
    ]
    AuditEntry.objects.bulk_create(entries)
    return len(entries)
