"""What booking does when something below it changes (connected in `PatientsConfig.ready`).

- A new intake version (`patients.records.signals.intake_stored`): the patient's
  booked appointments are screened again, in the transaction that stored it.
- Staff changed what screening reads (`procedures.signals.screening_rules_changed`,
  sent after the edit commits): a background job screens the future appointments
  of the procedures concerned again.
"""

from __future__ import annotations

from typing import Any

from patients.booking.services.rescreen import Cause, rescreen_patient
from patients.booking.services.rescreen_jobs import queue_rescreen_job
from patients.models import IntakeVersion
from patients.records.signals import intake_stored
from procedures.signals import screening_rules_changed

__all__ = ["connect_receivers"]


def rescreen_after_intake(sender: type, version: IntakeVersion, **kwargs: Any) -> None:
    rescreen_patient(patient=version.patient_id, cause=Cause.INTAKE)


def rescreen_after_rules_change(
    sender: type, procedure_slugs: frozenset[str], **kwargs: Any
) -> None:
    queue_rescreen_job(procedure_slugs=procedure_slugs)


def connect_receivers() -> None:
    """Connect booking's receivers (idempotent: each has its dispatch uid)."""
    intake_stored.connect(rescreen_after_intake, dispatch_uid="booking-rescreen-after-intake")
    screening_rules_changed.connect(
        rescreen_after_rules_change, dispatch_uid="booking-rescreen-after-rules-change"
    )
