"""Rows for the progress and report tests: completed visits, gradings and ratings written
directly (the services that make them are tested on their own; here many patients on many
days are needed, with no slot search and no clock travel)."""

from __future__ import annotations

import datetime as dt

from clinic.models import User
from patients.models import (
    Appointment,
    ScarGrading,
    SelfAssessment,
    TreatmentCourse,
    TreatmentVisit,
)
from patients.tests.booking_fixtures import at
from patients.tests.factories import give_session
from procedures.models import Procedure


def course_of(user: User, slug: str, *, started_on: dt.date, sessions: int) -> TreatmentCourse:
    procedure = Procedure.objects.get(slug=slug)
    return TreatmentCourse.objects.create(
        patient=user.patient_profile,
        procedure=procedure,
        started_on=started_on,
        sessions_done=sessions,
        last_session_on=started_on,
        status=TreatmentCourse.Status.COMPLETED,
    )


def visit(
    user: User,
    slug: str,
    day: dt.date,
    *,
    by: User,
    grade: int | None = None,
    score: int = 0,
    course: TreatmentCourse | None = None,
    session: int | None = None,
) -> Appointment:
    """A completed visit of `slug` on `day` (in its course as session `session`), graded
    `grade` with `score` when a grade is given. A course's last session day follows it."""
    appointment = give_session(user, slug, start=at(day, 9), status=Appointment.Status.COMPLETED)
    if course is not None:
        appointment.course = course
        appointment.session_number = session
        appointment.save(update_fields=["course", "session_number"])
        if course.last_session_on is None or day > course.last_session_on:
            course.last_session_on = day
            course.save(update_fields=["last_session_on"])
    if grade is not None:
        chart = TreatmentVisit.objects.create(
            appointment=appointment,
            patient=user.patient_profile,
            practitioner=appointment.practitioner,
            session_on=day,
            opened_by=by,
        )
        ScarGrading.objects.create(
            visit=chart,
            patient=user.patient_profile,
            graded_on=day,
            overall_grade=grade,
            score=score,
            graded_by=by,
        )
    return appointment


def rating(
    appointment: Appointment,
    *,
    bother: int,
    satisfaction: int,
    on: dt.date,
    course_end: bool = False,
) -> SelfAssessment:
    occasion = SelfAssessment.Occasion.COURSE_END if course_end else SelfAssessment.Occasion.SESSION
    return SelfAssessment.objects.create(
        patient_id=appointment.patient_id,
        appointment=appointment,
        course_id=appointment.course_id,
        occasion=occasion,
        bother=bother,
        satisfaction=satisfaction,
        answered_at=at(on, 12),
    )
