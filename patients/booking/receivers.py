"""What booking does when something below it changes (connected in `PatientsConfig.ready`).

- A new intake version (`patients.records.signals.intake_stored`): the patient's
  booked appointments are screened again, in the transaction that stored it.
"""

from __future__ import annotations

from typing import Any

from patients.booking.services.rescreen import Cause, rescreen_patient
from patients.models import IntakeVersion
from patients.records.signals import intake_stored

__all__ = ["connect_receivers"]


def rescreen_after_intake(sender: type, version: IntakeVersion, **kwargs: Any) -> None:
    rescreen_patient(patient=version.patient_id, cause=Cause.INTAKE)


def connect_receivers() -> None:
    """Connect booking's receivers (idempotent: each has its dispatch uid)."""
    intake_stored.connect(rescreen_after_intake, dispatch_uid="booking-rescreen-after-intake")
