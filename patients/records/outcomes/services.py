"""Grading a visit's acne scars (Goodman & Baron), and the scar types the grading sees.

Domain rules (the model's docstring, `patients.models.outcome`, says what is kept):
- A practitioner or a manager grades the scars of a visit that has a chart: the
  consultation, a session or a follow-up. Grading again corrects the same grading
  (one per chart) and records who graded last and when.
- The overall qualitative grade (1-4) is required; a zone is graded 1-4 or left out;
  the counts per scar type are whole numbers from 0 to 999 and the keloidal area is
  0-1000 cm2. The quantitative score is computed here from the counts
  (`goodman_baron.quantitative_score`), never typed in.
- A grading changes with its chart: not once the chart is signed (`chart_signed`, the
  chart's own rule) nor once an erasure request locked the record (`record_locked`).
- The scar types seen are the clinician-confirmed scar types of the intake. A grading
  that changes them corrects the intake through `review_clinical_answers`, the same
  service as the intake page's correction (a new version, a reason required, audited),
  inside the grading's transaction: both are stored or neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import User
from patients.models import FaceZone, ScarGrade, ScarGrading, TreatmentVisit
from patients.records.selectors import latest_intake
from patients.records.services.intake import review_clinical_answers
from patients.records.treatment.access import require_clinician
from patients.records.treatment.errors import RecordError
from patients.records.treatment.services.charts import lock_visit, require_editable
from procedures.errors import DomainError

from .goodman_baron import CATEGORY_KEYS, quantitative_score

__all__ = ["MAXIMUM_AREA_CM2", "MAXIMUM_COUNT", "grade_visit", "scar_types_seen"]

MAXIMUM_COUNT = 999
MAXIMUM_AREA_CM2 = Decimal(1000)


def _grade(value: object, field: str) -> int:
    if isinstance(value, bool) or value not in ScarGrade.values:
        raise RecordError(_("Choose a grade from 1 to 4."), code="invalid_grade", field=field)
    return int(str(value))


def _checked_counts(counts: Mapping[str, int]) -> dict[str, int]:
    checked = {}
    for key in CATEGORY_KEYS:
        count = counts.get(key, 0)
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAXIMUM_COUNT:
            raise RecordError(
                _("Give a whole number of scars from 0 to 999."),
                code="invalid_count",
                field=f"{key}_count",
            )
        checked[key] = count
    unknown = set(counts) - set(CATEGORY_KEYS)
    if unknown:
        raise RecordError(_("Unknown scar type."), code="invalid_count")
    return checked


def _checked_area(area: Decimal | int | str) -> Decimal:
    try:
        value = Decimal(area)
    except (InvalidOperation, TypeError, ValueError):
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= MAXIMUM_AREA_CM2:
        raise RecordError(
            _("Give the area in cm² from 0 to 1000."),
            code="invalid_area",
            field="keloidal_area_cm2",
        )
    return value.quantize(Decimal("0.1"))


def scar_types_seen(visit: TreatmentVisit) -> frozenset[str] | None:
    """The clinician-confirmed scar types of the patient's intake (None: no intake yet)."""
    version = latest_intake(visit.patient)
    if version is None:
        return None
    return frozenset(version.parsed_answers.get("scar_types") or ())


def _correct_scar_types(
    visit: TreatmentVisit, scar_types: Iterable[str], *, by: User, reason: str
) -> None:
    version = latest_intake(visit.patient)
    if version is None:
        raise RecordError(
            _("The patient has not filled in the health questionnaire yet."),
            code="intake_required",
            field="scar_types",
        )
    wanted = frozenset(scar_types)
    if wanted == frozenset(version.parsed_answers.get("scar_types") or ()):
        return  # unchanged: the grading does not confirm the intake on its own
    try:
        review_clinical_answers(
            patient=visit.patient,
            practitioner=by,
            fitzpatrick=str(version.parsed_answers.get("fitzpatrick") or ""),
            scar_types=wanted,
            reason=reason,
        )
    except DomainError as error:
        if error.field == "reason":  # the intake page's field; here it has its own name
            raise RecordError(error.message, code=error.code, field="scar_types_reason") from error
        raise


def grade_visit(
    *,
    visit: TreatmentVisit,
    by: User,
    overall_grade: int,
    zone_grades: Mapping[str, int] | None = None,
    counts: Mapping[str, int] | None = None,
    keloidal_area_cm2: Decimal | int | str = 0,
    scar_types: Iterable[str] | None = None,
    scar_types_reason: str = "",
) -> ScarGrading:
    """Grade (or grade again) the visit's scars; store the computed score.

    `scar_types`, when given and different from the intake's, corrects the intake's
    clinician-confirmed scar types (with `scar_types_reason`) in the same transaction.
    """
    require_clinician(by)
    overall = _grade(overall_grade, "overall_grade")
    zones = {value for value, _label in FaceZone.choices}
    graded_zones = {}
    for zone, grade in (zone_grades or {}).items():
        if zone not in zones:
            raise RecordError(_("Unknown zone."), code="invalid_zone", field="zone_grades")
        graded_zones[zone] = _grade(grade, f"zone_{zone}")
    checked = _checked_counts(counts or {})
    area = _checked_area(keloidal_area_cm2)
    score = quantitative_score(checked, keloidal_area_cm2=area)
    with transaction.atomic():
        visit = lock_visit(visit)
        require_editable(visit)
        grading = ScarGrading.objects.filter(visit=visit).first() or ScarGrading(
            visit=visit, patient_id=visit.patient_id
        )
        grading.graded_on = visit.session_on
        grading.overall_grade = overall
        grading.zone_grades = dict(sorted(graded_zones.items()))
        for key, count in checked.items():
            setattr(grading, f"{key}_count", count)
        grading.keloidal_area_cm2 = area
        grading.score = score.total
        grading.graded_at = timezone.now()
        grading.graded_by = by
        grading.full_clean()
        grading.save()
        if scar_types is not None:
            _correct_scar_types(visit, scar_types, by=by, reason=scar_types_reason)
    return grading
