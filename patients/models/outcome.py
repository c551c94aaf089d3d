"""Outcomes of treatment (issue #18): the grading of a patient's acne scars at a visit.

Domain rules (the services in `patients.records.outcomes` enforce them):
- A grading belongs to the chart of one visit (`TreatmentVisit`), at most one per chart.
  Every checked-in appointment can have a chart, the consultation and a follow-up as
  well as a session (the consultation's chart records the assessment and the plan), so
  "graded at the consultation" is simply the grading of the consultation's chart.
- It holds the Goodman & Baron qualitative grade (1-4) overall and, optionally, per face
  zone (`FaceZone`), and the counts per scar type of the quantitative score, with the
  keloidal area in cm2. The score is computed by
  `patients.records.outcomes.goodman_baron.quantitative_score` and stored beside the
  counts, so reports read one column; it is never typed in.
- The grading changes with its chart: it may be corrected until the chart is signed,
  then it is read-only like the chart. Who graded last and when is kept.
- `patient` and `graded_on` repeat the chart's, so a patient's time series is one
  indexed query.
- Nothing here is ever deleted (the treatment record's rules: `UndeletableModel`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .profile import PatientProfile
from .treatment import FaceZone, TreatmentVisit, UndeletableModel

# The quantitative score's ceiling (Goodman & Baron 2006: 84); the check constraint keeps it.
MAXIMUM_SCORE = 84


class ScarGrade(models.IntegerChoices):
    """The Goodman & Baron qualitative grade of acne scarring."""

    MACULAR = 1, _("1 — macular")
    MILD = 2, _("2 — mild")
    MODERATE = 3, _("3 — moderate")
    SEVERE = 4, _("4 — severe")


def _count(label: Any) -> models.PositiveSmallIntegerField[Any, Any]:
    return models.PositiveSmallIntegerField(label, default=0)


class ScarGrading(UndeletableModel):
    """The Goodman & Baron grading of a patient's acne scars at one visit."""

    visit = models.OneToOneField(
        TreatmentVisit,
        on_delete=models.PROTECT,
        related_name="scar_grading",
        verbose_name=_("chart"),
    )
    patient = models.ForeignKey(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="scar_gradings",
        verbose_name=_("patient"),
    )
    graded_on = models.DateField(_("graded on"), help_text=_("The date of the visit."))
    overall_grade = models.PositiveSmallIntegerField(_("overall grade"), choices=ScarGrade.choices)
    zone_grades = models.JSONField(
        _("grades per zone"),
        default=dict,
        blank=True,
        help_text=_("The grade of each zone graded, by zone; a zone without scars is left out."),
    )
    # The quantitative score's counts, one per scar type of its table (field = key + "_count").
    macular_count = _count(_("macular erythematous or pigmented"))
    mild_dish_count = _count(_("mildly atrophic dish-like"))
    moderate_dish_count = _count(_("moderately atrophic dish-like"))
    punched_shallow_count = _count(_("punched-out, shallow bases"))
    shallow_broad_count = _count(_("shallow but broad atrophic"))
    punched_deep_normal_count = _count(_("punched-out, deep normal-appearing bases"))
    punched_deep_abnormal_count = _count(_("punched-out, deep abnormal bases"))
    linear_troughed_count = _count(_("linear or troughed"))
    deep_broad_count = _count(_("deep broad atrophic"))
    papular_count = _count(_("papular"))
    keloidal_area_cm2 = models.DecimalField(
        _("keloidal or hypertrophic area (cm²)"),
        max_digits=6,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
    )
    score = models.PositiveSmallIntegerField(
        _("quantitative score"), help_text=_("Computed from the counts (Goodman & Baron 2006).")
    )
    graded_at = models.DateTimeField(_("graded at"), default=timezone.now)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("graded by"),
    )

    class Meta:
        verbose_name = _("scar grading")
        verbose_name_plural = _("scar gradings")
        ordering = ("patient", "graded_on", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(overall_grade__gte=1, overall_grade__lte=4),
                name="scar_grading_overall_grade_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(score__lte=MAXIMUM_SCORE), name="scar_grading_score_at_most_84"
            ),
            models.CheckConstraint(
                condition=Q(keloidal_area_cm2__gte=0), name="scar_grading_area_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "graded_on"], name="scar_grading_patient_idx"),
            models.Index(fields=["graded_on"], name="scar_grading_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} — {self.graded_on:%Y-%m-%d}: {self.overall_grade}, {self.score}"

    def counts(self) -> dict[str, int]:
        """The counts by scar type key (what `goodman_baron.quantitative_score` takes)."""
        return {
            field.name.removesuffix("_count"): getattr(self, field.name)
            for field in self._meta.fields
            if field.name.endswith("_count")
        }

    def clean(self) -> None:
        zones = {value for value, _label in FaceZone.choices}
        grades = set(ScarGrade.values)
        grades_given = self.zone_grades if isinstance(self.zone_grades, dict) else None
        if grades_given is None or any(
            zone not in zones or grade not in grades for zone, grade in grades_given.items()
        ):
            raise ValidationError(
                {"zone_grades": _("Give each zone a grade from 1 to 4.")}, code="zone_grades"
            )
