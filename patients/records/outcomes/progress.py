"""A patient's progress over time: grades, scores, their own ratings and their sessions.

What the "My progress" page, the practitioner's review page and the day sheet show
(one include, `patients/outcomes/_progress.html`):
- every graded visit (consultation, session or follow-up): the overall Goodman & Baron
  grade (1-4) and the quantitative score, from the scar grading
  (`patients.records.outcomes.selectors`);
- every self-assessment the patient answered: how much the scars bother them and how
  satisfied they are with the change (0-10), on the day they answered;
- every completed visit as a mark on the time axis, naming the procedure and, for a
  session of a course, which course of that procedure (the first, the second...) and
  which session of it.
Who may see it is the caller's decision (the patient their own, clinicians any).
Three queries, for one patient or a whole day sheet of them (`progress_for_patients`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from clinic.availability import local_date
from patients.models import Appointment, PatientProfile, SelfAssessment
from patients.models.lifecycle import AppointmentStatus
from patients.records.outcomes.selectors import GradingPoint, gradings_for_patients

__all__ = [
    "Progress",
    "ProgressRow",
    "RatingPoint",
    "SessionMark",
    "progress_for_patients",
    "progress_of",
]


@dataclass(frozen=True)
class SessionMark:
    """A completed visit on the time axis: its number on the chart, day and procedure."""

    number: int
    on: dt.date
    procedure_name: str
    course_number: int | None  # the patient's first, second... course of this procedure
    session_number: int | None
    appointment_id: int


@dataclass(frozen=True)
class RatingPoint:
    """One self-assessment, on the day the patient answered it."""

    on: dt.date
    bother: int
    satisfaction: int
    course_end: bool
    procedure_name: str
    session_on: dt.date


@dataclass(frozen=True)
class ProgressRow:
    """One line of the table beside the chart: a visit (graded or not) or a rating."""

    on: dt.date
    session: SessionMark | None = None
    grading: GradingPoint | None = None
    rating: RatingPoint | None = None


@dataclass(frozen=True)
class Progress:
    gradings: list[GradingPoint] = field(default_factory=list)
    ratings: list[RatingPoint] = field(default_factory=list)
    sessions: list[SessionMark] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.gradings or self.ratings or self.sessions)

    @property
    def first_grading(self) -> GradingPoint | None:
        return self.gradings[0] if self.gradings else None

    @property
    def latest_grading(self) -> GradingPoint | None:
        """The latest grading when there are at least two (a change to show), else None."""
        return self.gradings[-1] if len(self.gradings) > 1 else None

    def rows(self) -> list[ProgressRow]:
        """The table: each visit with its grading, each grading without a completed visit,
        each rating; in time order."""
        graded = {grading.appointment_id: grading for grading in self.gradings}
        rows = [
            ProgressRow(mark.on, session=mark, grading=graded.pop(mark.appointment_id, None))
            for mark in self.sessions
        ]
        rows += [ProgressRow(grading.graded_on, grading=grading) for grading in graded.values()]
        rows += [ProgressRow(rating.on, rating=rating) for rating in self.ratings]
        return sorted(rows, key=lambda row: (row.on, row.rating is not None))


def _sessions(patient_ids: list[int]) -> dict[int, list[SessionMark]]:
    appointments = (
        Appointment.objects.filter(patient_id__in=patient_ids, status=AppointmentStatus.COMPLETED)
        .select_related("procedure")
        .order_by("start", "pk")
    )
    marks: dict[int, list[SessionMark]] = defaultdict(list)
    # The patient's courses of each procedure, numbered in the order they began.
    course_numbers: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for appointment in appointments:
        course_number = None
        if appointment.course_id is not None:
            numbers = course_numbers[(appointment.patient_id, appointment.procedure_id)]
            course_number = numbers.setdefault(appointment.course_id, len(numbers) + 1)
        own = marks[appointment.patient_id]
        own.append(
            SessionMark(
                number=len(own) + 1,
                on=local_date(appointment.start),
                procedure_name=appointment.procedure_name,
                course_number=course_number,
                session_number=appointment.session_number,
                appointment_id=appointment.pk,
            )
        )
    return marks


def _ratings(patient_ids: list[int]) -> dict[int, list[RatingPoint]]:
    answers = (
        SelfAssessment.objects.filter(patient_id__in=patient_ids)
        .select_related("appointment__procedure")
        .order_by("answered_at", "pk")
    )
    ratings: dict[int, list[RatingPoint]] = defaultdict(list)
    for answer in answers:
        ratings[answer.patient_id].append(
            RatingPoint(
                on=local_date(answer.answered_at),
                bother=answer.bother,
                satisfaction=answer.satisfaction,
                course_end=answer.occasion == SelfAssessment.Occasion.COURSE_END,
                procedure_name=answer.appointment.procedure_name,
                session_on=local_date(answer.appointment.start),
            )
        )
    return ratings


def progress_for_patients(patients: Iterable[PatientProfile | int]) -> dict[int, Progress]:
    """Each patient's progress (an empty one for a patient with nothing yet); 3 queries."""
    ids = sorted({patient if isinstance(patient, int) else patient.pk for patient in patients})
    if not ids:
        return {}
    gradings = gradings_for_patients(ids)
    ratings = _ratings(ids)
    sessions = _sessions(ids)
    return {
        pk: Progress(
            gradings=gradings.get(pk, []),
            ratings=ratings.get(pk, []),
            sessions=sessions.get(pk, []),
        )
        for pk in ids
    }


def progress_of(patient: PatientProfile | int) -> Progress:
    """One patient's progress."""
    pk = patient if isinstance(patient, int) else patient.pk
    return progress_for_patients([pk])[pk]
