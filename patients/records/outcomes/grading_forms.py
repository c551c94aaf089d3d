"""The grading form: the qualitative grade overall and per zone, the counts per scar type,
the keloidal area, and the scar types seen (the intake's, corrected here with a reason).

It only parses; `services.grade_visit` checks the rules and computes the score.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patients.models import FaceZone, ScarGrade, ScarGrading
from patients.records.forms import scar_types_field

from .goodman_baron import CATEGORIES, Category
from .services import MAXIMUM_AREA_CM2, MAXIMUM_COUNT

__all__ = ["GradingForm"]

NOT_GRADED = ("", "—")


def _zone_field(zone: str) -> str:
    return f"zone_{zone}"


def _count_field(category: Category) -> str:
    return f"{category.key}_count"


class GradingForm(forms.Form):
    """One grading; the zone and count fields are built from `FaceZone` and the table."""

    # An empty first choice: a new grading must choose its grade, not inherit "1".
    overall_grade = forms.TypedChoiceField(
        label=_("Overall grade"), choices=[NOT_GRADED, *ScarGrade.choices], coerce=int
    )
    keloidal_area_cm2 = forms.DecimalField(
        label=_("Keloidal or hypertrophic scars: area (cm²)"),
        min_value=0,
        max_value=MAXIMUM_AREA_CM2,
        decimal_places=1,
        required=False,
    )
    scar_types = scar_types_field()
    scar_types_reason = forms.CharField(
        label=_("Reason for changing the scar types"),
        required=False,
        max_length=1000,
        help_text=_("Required when you change the scar types: they correct the intake."),
    )

    def __init__(self, *args: Any, has_intake: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for zone, label in FaceZone.choices:
            self.fields[_zone_field(zone)] = forms.TypedChoiceField(
                label=label,
                choices=[NOT_GRADED, *ScarGrade.choices],
                coerce=int,
                empty_value=None,
                required=False,
            )
        for category in CATEGORIES:
            self.fields[_count_field(category)] = forms.IntegerField(
                label=str(category.label),
                min_value=0,
                max_value=MAXIMUM_COUNT,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
            )
        self.has_intake = has_intake
        if not has_intake:  # nothing to correct: the questionnaire is not filled in yet
            del self.fields["scar_types"]
            del self.fields["scar_types_reason"]

    @classmethod
    def initial_for(
        cls, grading: ScarGrading | None, scar_types: Iterable[str] | None
    ) -> dict[str, Any]:
        """The form's initial values from the stored grading and the intake's scar types."""
        initial: dict[str, Any] = {"scar_types": sorted(scar_types or ())}
        if grading is None:
            return initial
        initial["overall_grade"] = grading.overall_grade
        initial["keloidal_area_cm2"] = grading.keloidal_area_cm2
        for zone, grade in grading.zone_grades.items():
            initial[_zone_field(zone)] = grade
        for key, count in grading.counts().items():
            initial[f"{key}_count"] = count
        return initial

    def zone_grades(self) -> dict[str, int]:
        return {
            zone: self.cleaned_data[_zone_field(zone)]
            for zone in FaceZone.values
            if self.cleaned_data.get(_zone_field(zone)) is not None
        }

    def counts(self) -> dict[str, int]:
        return {c.key: self.cleaned_data.get(_count_field(c)) or 0 for c in CATEGORIES}

    def zone_rows(self) -> list[forms.BoundField]:
        return [self[_zone_field(zone)] for zone in FaceZone.values]

    def count_rows(self) -> list[tuple[Category, forms.BoundField]]:
        return [(c, self[_count_field(c)]) for c in CATEGORIES]
