"""Reads of the scar gradings, for the grading page and for the progress chart and report.

`gradings_for_patient(patient)` is the patient's time series: one `GradingPoint` per
graded visit (consultation, session or follow-up), oldest first, each with the date,
the overall Goodman & Baron grade (1-4), the quantitative score (0-84), and the visit's
booked procedure and course (None outside a course), so a chart can mark the sessions
on its time axis. One query, however many visits (`gradings_for_patients`: the same for
many patients at once, still one query).

Who may read it is the caller's decision (the patient their own, clinicians any).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from patients.models import PatientProfile, ScarGrading, TreatmentVisit

from .goodman_baron import Score, quantitative_score

__all__ = [
    "GradingPoint",
    "grading_of_visit",
    "gradings_for_patient",
    "gradings_for_patients",
    "worked_sum",
]


@dataclass(frozen=True)
class GradingPoint:
    """One graded visit of a patient's time series."""

    graded_on: dt.date
    overall_grade: int
    score: int
    procedure_slug: str
    procedure_name: str  # the booked procedure's name, in the active language
    course_id: int | None
    session_number: int | None  # the session's number in its course
    visit_id: int
    appointment_id: int


def gradings_for_patient(patient: PatientProfile | int) -> list[GradingPoint]:
    """The patient's gradings, oldest first, with the procedure and course of each visit."""
    patient_id = patient if isinstance(patient, int) else patient.pk
    return gradings_for_patients([patient_id]).get(patient_id, [])


def gradings_for_patients(patient_ids: Iterable[int]) -> dict[int, list[GradingPoint]]:
    """`gradings_for_patient` of many patients in one query (a day sheet, the report)."""
    gradings = (
        ScarGrading.objects.filter(patient_id__in=list(patient_ids))
        .select_related("visit__appointment__procedure")
        .order_by("graded_on", "graded_at", "pk")
    )
    series: dict[int, list[GradingPoint]] = defaultdict(list)
    for grading in gradings:
        appointment = grading.visit.appointment
        series[grading.patient_id].append(
            GradingPoint(
                graded_on=grading.graded_on,
                overall_grade=grading.overall_grade,
                score=grading.score,
                procedure_slug=appointment.procedure.slug,
                procedure_name=appointment.procedure_name,
                course_id=appointment.course_id,
                session_number=appointment.session_number,
                visit_id=grading.visit_id,
                appointment_id=appointment.pk,
            )
        )
    return dict(series)


def grading_of_visit(visit: TreatmentVisit | int) -> ScarGrading | None:
    """The chart's grading, or None when the visit was not graded."""
    visit_id = visit if isinstance(visit, int) else visit.pk
    return ScarGrading.objects.filter(visit_id=visit_id).select_related("graded_by").first()


def worked_sum(grading: ScarGrading) -> Score:
    """The stored grading's score as the lines it is the sum of (what the page shows)."""
    return quantitative_score(grading.counts(), keloidal_area_cm2=grading.keloidal_area_cm2)
