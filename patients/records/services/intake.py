"""Submitting, renewing and clinically reviewing the intake.

Domain rules (see `patients.models.intake`):
- Every submission is validated by `procedures.intake.validate_answers` as of
  today (no date may lie in the future) and stored as a new version numbered
  after the patient's last; the patient's row is locked while numbering.
- Renewal ("nothing changed") stores the latest answers again, re-validated
  as of today, as a new version that restarts the yearly review.
- A practitioner (or manager) confirms or corrects the clinician-confirmed
  answers, phototype and scar types. A changed answer is a correction and
  needs a reason; the new version is marked as theirs, keeps the patient's
  review date, and is audited.
- `require_current_intake` refuses without a current intake: none
  (`intake_required`) or an expired one (`intake_expired`). Booking screens at
  the door with its own error, which carries both as `intake_required`
  (`patients.booking.screening`); the rule of expiry is the model's.
- Every new version sends `intake_stored` inside its transaction: the patient's
  booked appointments are screened again with it (`rules-v2.md` section 6).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import patients.messaging as messaging
from clinic.models import User
from clinic.roles import Role, has_role
from patients.models import AuditEntry, IntakeVersion, PatientProfile
from patients.records.selectors import intake_is_current, latest_intake
from patients.records.services.audit import record_access
from patients.records.signals import intake_stored
from procedures.errors import DomainError
from procedures.intake import (
    ANSWER_SCHEMA_VERSION,
    answers_to_json,
    validate_answers,
)

CLINICIAN_CONFIRMED_KEYS = ("fitzpatrick", "scar_types")


def _clinical_part(stored: Mapping[str, Any]) -> tuple[Any, ...]:
    """The clinician-confirmed answers of stored (JSON) answers; sets are sorted lists there."""
    return tuple(stored.get(key) for key in CLINICIAN_CONFIRMED_KEYS)


def _store(
    *,
    patient: PatientProfile,
    answers: Mapping[str, Any],
    submitted_by: User,
    source: str,
    reason: str,
    on: dt.date,
    patient_reviewed_at: dt.datetime | None,
    clinician_confirmed: bool | None,
) -> IntakeVersion:
    clean = validate_answers(answers, on=on)
    stored = answers_to_json(clean)
    # Lock the patient so two submissions at once cannot take the same number.
    PatientProfile.objects.select_for_update().filter(pk=patient.pk).first()
    previous = latest_intake(patient)
    now = timezone.now()
    if clinician_confirmed is None:
        # A patient's own version stays confirmed only if the confirmed answers are unchanged.
        clinician_confirmed = bool(
            previous is not None
            and previous.clinician_confirmed
            and _clinical_part(previous.answers) == _clinical_part(stored)
        )
    version = IntakeVersion(
        patient=patient,
        number=(previous.number + 1) if previous else 1,
        answers=stored,
        schema_version=ANSWER_SCHEMA_VERSION,
        source=source,
        reason=reason.strip(),
        submitted_by=submitted_by,
        submitted_at=now,
        patient_reviewed_at=patient_reviewed_at or now,
        clinician_confirmed=clinician_confirmed,
    )
    version.full_clean()
    version.save()
    messaging.intake_submitted(version)
    # Booked appointments are screened again in this transaction (patients.booking).
    intake_stored.send(sender=IntakeVersion, version=version)
    return version


@transaction.atomic
def submit_intake(
    *, patient: PatientProfile, answers: Mapping[str, Any], submitted_by: User
) -> IntakeVersion:
    """Store the patient's answers as a new version; raise AnswerError naming a bad answer."""
    today = timezone.localdate()
    version = _store(
        patient=patient,
        answers=answers,
        submitted_by=submitted_by,
        source=IntakeVersion.Source.PATIENT,
        reason="",
        on=today,
        patient_reviewed_at=None,
        clinician_confirmed=None,
    )
    date_of_birth = version.parsed_answers["date_of_birth"]
    if patient.date_of_birth != date_of_birth:
        # The profile shows the date the patient last gave us.
        patient.date_of_birth = date_of_birth
        patient.save(update_fields=["date_of_birth"])
    return version


@transaction.atomic
def renew_intake(*, patient: PatientProfile, submitted_by: User) -> IntakeVersion:
    """ "Nothing changed": store the latest answers again as a new version."""
    previous = latest_intake(patient)
    if previous is None:
        raise DomainError(
            _("There is no health questionnaire to renew yet. Please fill it in."),
            code="intake_required",
        )
    return _store(
        patient=patient,
        answers=previous.parsed_answers,
        submitted_by=submitted_by,
        source=IntakeVersion.Source.RENEWAL,
        reason="",
        on=timezone.localdate(),
        patient_reviewed_at=None,
        clinician_confirmed=previous.clinician_confirmed,
    )


@transaction.atomic
def review_clinical_answers(
    *,
    patient: PatientProfile,
    practitioner: User,
    fitzpatrick: str,
    scar_types: Iterable[str],
    reason: str,
    ip_address: str | None = None,
) -> IntakeVersion:
    """Confirm (unchanged) or correct (changed, with a reason) phototype and scar types."""
    if not has_role(practitioner, Role.PRACTITIONER):
        raise DomainError(
            _("Only a practitioner can confirm or correct the intake."), code="forbidden"
        )
    previous = latest_intake(patient)
    if previous is None:
        raise DomainError(
            _("The patient has not filled in the health questionnaire yet."),
            code="intake_required",
        )
    answers = dict(previous.parsed_answers)
    answers["fitzpatrick"] = fitzpatrick
    answers["scar_types"] = frozenset(scar_types)
    changed = _clinical_part(answers_to_json(answers)) != _clinical_part(previous.answers)
    if changed and not reason.strip():
        raise DomainError(
            _("Say why the answers are corrected."), code="reason_required", field="reason"
        )
    version = _store(
        patient=patient,
        answers=answers,
        submitted_by=practitioner,
        source=(
            IntakeVersion.Source.PRACTITIONER_CORRECTION
            if changed
            else IntakeVersion.Source.PRACTITIONER_CONFIRMATION
        ),
        reason=reason,
        on=timezone.localdate(),
        patient_reviewed_at=previous.patient_reviewed_at,
        clinician_confirmed=True,
    )
    record_access(
        actor=practitioner,
        patient=patient,
        action=AuditEntry.Action.CORRECT_INTAKE,
        detail=f"v{version.number} {version.source}",
        ip_address=ip_address,
    )
    return version


def require_current_intake(patient: PatientProfile, *, on: dt.date | None = None) -> IntakeVersion:
    """Return the current intake version, or raise DomainError for booking to show."""
    version = latest_intake(patient)
    if version is None:
        raise DomainError(
            _("Please fill in the health questionnaire before booking."),
            code="intake_required",
        )
    if not intake_is_current(version, on=on):
        raise DomainError(
            _(
                "Your health questionnaire is more than a year old. "
                "Please review it before booking."
            ),
            code="intake_expired",
        )
    return version
