"""The demo clinic's outcomes (issue #18): charts of past visits and their scar gradings.

`seed_demo` calls `seed_outcomes` after `seed_patients`. Domain rules kept here:

- A graded demo patient's completed visits (the consultation first, then the sessions)
  get the chart the room would have left: opened at the start by the visit's
  practitioner, the booked procedure with its parameter schema copied, signed at the
  end (`chart_of_past_visit`, which any other demo data that needs a visit's chart uses).
- Each is graded through `grade_visit`, so the score is computed as on the grading
  page, before the chart is signed; the grading's time is the end of the visit.
- The grades follow `DEMO_GRADINGS`, oldest visit first: a consultation graded 3,
  then sessions 3, 2, 2 with falling scores, and the like.
- Safe to run twice: a visit with a chart keeps it, a graded chart keeps its grading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from patients.models import (
    Appointment,
    ParameterSchema,
    ScarGrading,
    TreatmentProcedure,
    TreatmentVisit,
)
from patients.models.lifecycle import AppointmentStatus
from patients.records.outcomes.services import grade_visit
from patients.records.treatment.adapters import local_date
from patients.records.treatment.services import aftercare_template

__all__ = [
    "DEMO_GRADINGS",
    "DemoGrading",
    "chart_of_past_visit",
    "grade_past_visit",
    "seed_outcomes",
]


@dataclass(frozen=True)
class DemoGrading:
    overall: int
    counts: dict[str, int]
    zones: dict[str, int] = field(default_factory=dict)
    keloidal_area_cm2: Decimal = Decimal(0)


ROLLING_CHEEKS = {"cheek_left": 3, "cheek_right": 3, "temples": 2}

# By patient e-mail: one grading per completed visit, oldest first (see `demo.DEMO_PATIENTS`).
DEMO_GRADINGS: dict[str, tuple[DemoGrading, ...]] = {
    # Olga (the first demo login): mild rolling scars and marks, a glycolic peel course.
    "patient@clinic.local": (
        DemoGrading(2, {"macular": 14, "mild_dish": 9, "moderate_dish": 3}, {"cheek_left": 2}),
        DemoGrading(2, {"macular": 10, "mild_dish": 8, "moderate_dish": 2}, {"cheek_left": 2}),
        DemoGrading(2, {"macular": 8, "mild_dish": 6}, {"cheek_left": 2}),
        DemoGrading(1, {"macular": 6}, {"cheek_left": 1}),
    ),
    # Anna: rolling and deep boxcar scars, microneedling.
    "anna.smirnova@patients.clinic.local": (
        DemoGrading(3, {"shallow_broad": 18, "punched_deep_normal": 12, "deep_broad": 4}),
        DemoGrading(3, {"shallow_broad": 15, "punched_deep_normal": 9, "deep_broad": 3}),
        DemoGrading(2, {"shallow_broad": 10, "punched_deep_normal": 8, "deep_broad": 2}),
        DemoGrading(2, {"shallow_broad": 7, "punched_deep_normal": 5}),
    ),
    # Dmitry: icepick and deep boxcar scars, TCA CROSS.
    "dmitry.popov@patients.clinic.local": (
        DemoGrading(3, {"punched_deep_abnormal": 24, "punched_deep_normal": 9, "macular": 5}),
        DemoGrading(3, {"punched_deep_abnormal": 19, "punched_deep_normal": 8, "macular": 5}),
        DemoGrading(3, {"punched_deep_abnormal": 10, "punched_deep_normal": 6, "macular": 3}),
        DemoGrading(2, {"punched_deep_abnormal": 9, "punched_deep_normal": 4}),
    ),
    # Tatiana: rolling scars and marks, microdermabrasion.
    "tatiana.volkova@patients.clinic.local": (
        DemoGrading(2, {"macular": 22, "mild_dish": 11, "moderate_dish": 4}),
        DemoGrading(2, {"macular": 18, "mild_dish": 9, "moderate_dish": 4}),
        DemoGrading(2, {"macular": 15, "mild_dish": 7}),
    ),
    # Mikhail: rolling and shallow boxcar scars, fractional laser; a small keloid on the jaw.
    "mikhail.fedorov@patients.clinic.local": (
        DemoGrading(3, {"shallow_broad": 21, "punched_shallow": 12}, keloidal_area_cm2=Decimal(2)),
        DemoGrading(3, {"shallow_broad": 16, "punched_shallow": 9}, keloidal_area_cm2=Decimal(2)),
    ),
}
# The zones each patient's grading names: the cheeks worst, the temples milder.
ZONES_BY_GRADE = {
    4: {"cheek_left": 4, "cheek_right": 4, "temples": 3},
    3: ROLLING_CHEEKS,
    2: {"cheek_left": 2, "cheek_right": 2},
    1: {"cheek_left": 1},
}


def chart_of_past_visit(appointment: Appointment) -> TreatmentVisit:
    """The completed visit's chart (made as the room would have left it, unsigned yet)."""
    existing = TreatmentVisit.objects.filter(appointment=appointment).first()
    if existing is not None:
        return existing
    by = appointment.practitioner.user
    visit = TreatmentVisit.objects.create(
        appointment=appointment,
        patient=appointment.patient,
        practitioner=appointment.practitioner,
        session_on=local_date(appointment.start),
        opened_at=appointment.start,
        opened_by=by,
        erythema="mild",
        # In the patient's language, as `open_chart` writes it: Russian demo patients read it.
        aftercare_given=aftercare_template(appointment.procedure, appointment.patient) or "-",
        updated_at=appointment.end,
    )
    schema = ParameterSchema.objects.filter(procedure=appointment.procedure).first()
    TreatmentProcedure.objects.create(
        visit=visit,
        procedure=appointment.procedure,
        procedure_name_en=appointment.procedure_name_en,
        procedure_name_ru=appointment.procedure_name_ru,
        is_booked=True,
        schema=schema.snapshot() if schema is not None else [],
        schema_version=schema.version if schema is not None else 0,
        screening_outcome=appointment.screening_outcome,
        screening_flags=list(appointment.screening_flags),
        added_at=appointment.start,
        added_by=by,
    )
    return visit


def _sign(visit: TreatmentVisit) -> None:
    if not visit.is_signed:
        appointment = visit.appointment
        TreatmentVisit.objects.filter(pk=visit.pk).update(
            signed_at=appointment.end, signed_by=appointment.practitioner.user
        )


def _grade(visit: TreatmentVisit, spec: DemoGrading) -> bool:
    if visit.is_signed or ScarGrading.objects.filter(visit=visit).exists():
        return False
    by = visit.appointment.practitioner.user
    grading = grade_visit(
        visit=visit,
        by=by,
        overall_grade=spec.overall,
        zone_grades=spec.zones or ZONES_BY_GRADE[spec.overall],
        counts=spec.counts,
        keloidal_area_cm2=spec.keloidal_area_cm2,
    )
    ScarGrading.objects.filter(pk=grading.pk).update(graded_at=visit.appointment.end)
    return True


def grade_past_visit(appointment: Appointment, spec: DemoGrading) -> bool:
    """Chart, grade and sign one completed visit; False when it was graded already."""
    visit = chart_of_past_visit(appointment)
    visit.appointment = appointment
    graded = _grade(visit, spec)
    _sign(visit)
    return graded


def seed_outcomes(out: Any) -> int:
    """Chart, grade and sign the completed visits of the patients in `DEMO_GRADINGS`."""
    graded = 0
    for email, gradings in DEMO_GRADINGS.items():
        visits = (
            Appointment.objects.filter(
                patient__user__email=email, status=AppointmentStatus.COMPLETED
            )
            .select_related("procedure", "practitioner__user", "patient")
            .order_by("start")
        )
        for appointment, spec in zip(visits, gradings, strict=False):
            graded += grade_past_visit(appointment, spec)
    out.write(f"Demo scar gradings: {graded} added")
    return graded
