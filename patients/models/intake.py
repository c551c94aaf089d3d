"""Intake versions: every submission of the medical questionnaire, kept for ever.

Domain rules:
- A version is immutable once written: answers, answer-schema version, who
  submitted it, when, and why (its source). A change is a new version;
  screening always reads the latest one.
- Sources: the patient filling the form, the patient's one-click renewal
  ("nothing changed"), a practitioner confirming the clinician-confirmed
  answers (phototype, scar types) unchanged, or a practitioner correcting them
  (a reason is then required).
- `patient_reviewed_at` is when the patient last stood behind these answers:
  the submission time for the patient's own versions, copied from the version
  a practitioner confirmed or corrected (a practitioner's edit does not renew
  the patient's yearly review). The version expires `INTAKE_VALID_MONTHS`
  after it.
- `clinician_confirmed` says a practitioner has confirmed the phototype and
  scar types of this version (directly, or in an earlier version whose two
  answers this one kept unchanged).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models.profile import PatientProfile
from procedures.intake import answers_from_json


class ImmutableRowError(Exception):
    """A row that may only be written once was asked to change."""


class IntakeVersion(models.Model):
    class Source(models.TextChoices):
        PATIENT = "patient", _("Filled in by the patient")
        RENEWAL = "renewal", _("Renewed by the patient: nothing changed")
        PRACTITIONER_CONFIRMATION = (
            "practitioner_confirmation",
            _("Confirmed by a practitioner"),
        )
        PRACTITIONER_CORRECTION = "practitioner_correction", _("Corrected by a practitioner")

    patient = models.ForeignKey(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="intake_versions",
        verbose_name=_("patient"),
    )
    number = models.PositiveIntegerField(_("version number"))
    answers = models.JSONField(_("answers"))
    schema_version = models.PositiveSmallIntegerField(_("answer schema version"))
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    reason = models.TextField(_("reason"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    patient_reviewed_at = models.DateTimeField(_("last reviewed by the patient at"))
    clinician_confirmed = models.BooleanField(_("confirmed by a practitioner"), default=False)

    class Meta:
        verbose_name = _("intake version")
        verbose_name_plural = _("intake versions")
        ordering = ("patient", "-number")
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "number"], name="intake_version_unique_number"
            ),
            models.CheckConstraint(
                condition=~models.Q(source="practitioner_correction") | ~models.Q(reason=""),
                name="intake_correction_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["patient", "-number"], name="intake_latest_idx")]

    def __str__(self) -> str:
        return str(
            _("Intake v%(number)s of %(patient)s")
            % {"number": self.number, "patient": self.patient}
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Medical records are never rewritten: a change is a new version.
        if self.pk is not None and not self._state.adding:
            raise ImmutableRowError("An intake version cannot be changed; submit a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRowError("Intake versions are kept; they cannot be deleted.")

    @property
    def parsed_answers(self) -> dict[str, Any]:
        """The answers as Python values (dates, frozensets), as screening takes them."""
        return answers_from_json(self.answers)

    @property
    def by_practitioner(self) -> bool:
        return self.source in (
            self.Source.PRACTITIONER_CONFIRMATION,
            self.Source.PRACTITIONER_CORRECTION,
        )


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months; the 31st becomes the month's last day when it has no 31st."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def intake_expires_on(version: IntakeVersion) -> dt.date:
    """The first day on which `version` is no longer current (`INTAKE_VALID_MONTHS` after
    the patient last reviewed it)."""
    reviewed = timezone.localdate(version.patient_reviewed_at)
    return add_months(reviewed, settings.INTAKE_VALID_MONTHS)
