"""The manager's outcomes report: which procedure, over how many sessions, changes what.

Domain rules:
- The unit is a treatment course (`TreatmentCourse`, not a consultation's) of at least
  one session whose last session falls in the chosen period (both days included).
  Courses are grouped by procedure and course length (the sessions done).
- A course's change runs from its first to its last graded visit: the first is the
  patient's latest grading before the course began (the consultation, or the end of an
  earlier course), else the first grading of the course's own sessions; the last is
  the latest grading of its own sessions or of a visit outside any course (a follow-up)
  since it began. A change needs two different graded visits. The change of the
  overall grade and of the quantitative score is last minus first: below zero is
  better.
- The patient's ratings of a course are their answer at its end, else their latest
  answer after one of its sessions.
- One patient counts once per figure: a patient with two courses of the same procedure
  and length counts with the later one.
- No figure comes from fewer than five patients (`MIN_PATIENTS`): the figure and its
  count are then withheld ("fewer than 5"), on the page and in the CSV alike.
- Three queries, however long the period.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from patients.models import SelfAssessment, TreatmentCourse
from patients.records.outcomes.selectors import GradingPoint, gradings_for_patients
from procedures.models import Procedure

__all__ = ["MIN_PATIENTS", "Figure", "OutcomesRow", "outcomes_csv", "outcomes_report"]

MIN_PATIENTS = 5
_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class Figure:
    """A mean over `patients` patients; withheld (`value` None) below MIN_PATIENTS."""

    patients: int
    value: Decimal | None

    @property
    def withheld(self) -> bool:
        return 0 < self.patients < MIN_PATIENTS

    @classmethod
    def mean_of(cls, values: Sequence[int]) -> Figure:
        if len(values) < MIN_PATIENTS:
            return cls(len(values), None)
        mean = (Decimal(sum(values)) / len(values)).quantize(_PLACES, ROUND_HALF_UP)
        return cls(len(values), mean)


@dataclass(frozen=True)
class OutcomesRow:
    procedure: str
    sessions: int
    patients: Figure  # the patients with a course of this procedure and length (no mean)
    grade_change: Figure
    score_change: Figure
    bother: Figure
    satisfaction: Figure


@dataclass(frozen=True)
class _CourseOutcome:
    grade_change: int | None = None
    score_change: int | None = None
    bother: int | None = None
    satisfaction: int | None = None


def _first_and_last(
    course: TreatmentCourse, gradings: Sequence[GradingPoint]
) -> tuple[GradingPoint, GradingPoint] | None:
    before = [g for g in gradings if g.graded_on < course.started_on]
    since = [
        g
        for g in gradings
        if g.course_id == course.pk or (g.course_id is None and g.graded_on >= course.started_on)
    ]
    own = [g for g in gradings if g.course_id == course.pk]
    first = before[-1] if before else (own[0] if own else None)
    last = since[-1] if since else None
    if first is None or last is None or first == last:
        return None
    return first, last


def _course_outcome(
    course: TreatmentCourse,
    gradings: Sequence[GradingPoint],
    answers: Sequence[SelfAssessment],
) -> _CourseOutcome:
    change = _first_and_last(course, gradings)
    at_end = [a for a in answers if a.occasion == SelfAssessment.Occasion.COURSE_END]
    chosen = at_end or list(answers)
    answer = chosen[-1] if chosen else None
    return _CourseOutcome(
        grade_change=change[1].overall_grade - change[0].overall_grade if change else None,
        score_change=change[1].score - change[0].score if change else None,
        bother=answer.bother if answer else None,
        satisfaction=answer.satisfaction if answer else None,
    )


def _figure(
    outcomes: Sequence[_CourseOutcome], read: Callable[[_CourseOutcome], int | None]
) -> Figure:
    return Figure.mean_of([value for o in outcomes if (value := read(o)) is not None])


def outcomes_report(*, start: dt.date, end: dt.date) -> list[OutcomesRow]:
    """One row per procedure and course length, for the courses whose last session falls
    between `start` and `end` (both included), by procedure name and length."""
    courses = list(
        TreatmentCourse.objects.filter(
            sessions_done__gte=1, last_session_on__gte=start, last_session_on__lte=end
        )
        .exclude(procedure__category=Procedure.Category.CONSULTATION)
        .select_related("procedure")
        .order_by("last_session_on", "pk")
    )
    gradings = gradings_for_patients({course.patient_id for course in courses})
    answers: dict[int, list[SelfAssessment]] = defaultdict(list)
    for answer in SelfAssessment.objects.filter(course__in=[c.pk for c in courses]).order_by(
        "answered_at", "pk"
    ):
        if answer.course_id is not None:
            answers[answer.course_id].append(answer)
    # One course per patient in each group: the later one (courses come in time order).
    groups: dict[tuple[str, int], dict[int, _CourseOutcome]] = defaultdict(dict)
    for course in courses:
        outcome = _course_outcome(course, gradings.get(course.patient_id, []), answers[course.pk])
        groups[(course.procedure.name, course.sessions_done)][course.patient_id] = outcome
    rows = []
    for (procedure, sessions), by_patient in sorted(groups.items()):
        outcomes = list(by_patient.values())
        count = len(outcomes)
        rows.append(
            OutcomesRow(
                procedure=procedure,
                sessions=sessions,
                patients=Figure(count, Decimal(count) if count >= MIN_PATIENTS else None),
                grade_change=_figure(outcomes, lambda o: o.grade_change),
                score_change=_figure(outcomes, lambda o: o.score_change),
                bother=_figure(outcomes, lambda o: o.bother),
                satisfaction=_figure(outcomes, lambda o: o.satisfaction),
            )
        )
    return rows


CSV_HEADER = (
    "procedure",
    "course_sessions",
    "patients",
    "grade_change_mean",
    "grade_change_patients",
    "score_change_mean",
    "score_change_patients",
    "bother_mean",
    "bother_patients",
    "satisfaction_mean",
    "satisfaction_patients",
)
WITHHELD = "<5"


def _cells(figure: Figure) -> list[str]:
    """The mean and its patients, as the page shows them ("<5" for both when withheld)."""
    if figure.withheld:
        return [WITHHELD, WITHHELD]
    return ["" if figure.value is None else str(figure.value), str(figure.patients)]


def outcomes_csv(rows: Sequence[OutcomesRow]) -> str:
    """The report as CSV: the same rows and numbers as the page, one line per row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        patients = WITHHELD if row.patients.withheld else str(row.patients.patients)
        writer.writerow(
            [
                row.procedure,
                row.sessions,
                patients,
                *_cells(row.grade_change),
                *_cells(row.score_change),
                *_cells(row.bother),
                *_cells(row.satisfaction),
            ]
        )
    return out.getvalue()
