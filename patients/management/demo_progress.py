"""The demo clinic's progress (issue #18): a microneedling cohort and the patients' ratings.

`seed_demo` calls `seed_progress` after the demo patients exist and are graded
(`demo_outcomes`, whose charting and grading it reuses). Domain rules kept here:
- Six patients (`OUTCOME_COHORT`) had a consultation about 100 days ago and three
  microneedling sessions five weeks apart since, written like every demo past visit
  (`patients.management.demo.seed_appointments`: free slots, screening, courses).
  Each visit's chart is signed (a completed session has one) and graded: the grade
  and the scar score fall as the course goes on, so their progress pages show the
  change and the manager's outcomes report has a row from six patients.
- A week after each completed treatment session of a cohort patient, and of every
  other demo patient, the patient answered the self-assessment (how much the scars
  bother them, how satisfied they are), unless they answered already.
- Safe to run twice: a chart or grading that exists is left as it is, a session
  answered for is not answered again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from clinic.availability import clinic_zone, local_date
from clinic.models import User
from patients.management.demo import (
    DONE,
    DemoPatient,
    ensure_consents,
    ensure_intake,
    ensure_patient,
    seed_appointments,
)
from patients.management.demo_outcomes import DemoGrading, grade_past_visit
from patients.models import Appointment, PatientProfile, SelfAssessment, TreatmentCourse
from patients.models.lifecycle import AppointmentStatus
from procedures.models import Procedure

__all__ = ["OUTCOME_COHORT", "seed_progress"]

COHORT_VISITS = (("consultation", 100, DONE), *(("microneedling", d, DONE) for d in (93, 58, 23)))
SCARS = {"scar_types": {"rolling", "boxcar_shallow"}}


def _cohort_patient(n: int, first: str, last: str, language: str = "ru") -> DemoPatient:
    return DemoPatient(
        email=f"outcomes{n}@patients.clinic.local",
        first_name=first,
        last_name=last,
        language=language,
        age=25 + 3 * n,
        sex="female" if n % 2 else "male",
        changes=SCARS,
        past=COHORT_VISITS,
        note="a microneedling course: graded visits and self-assessments",
    )


OUTCOME_COHORT: tuple[DemoPatient, ...] = (
    _cohort_patient(1, "Vera", "Belova", language="en"),
    _cohort_patient(2, "Игорь", "Титов"),
    _cohort_patient(3, "Оксана", "Гусева"),
    _cohort_patient(4, "Роман", "Киселев"),
    _cohort_patient(5, "Лилия", "Макарова"),
    _cohort_patient(6, "Глеб", "Андреев", language="en"),
)
# Per cohort patient, at the consultation and after each session: the overall grade and the
# counts of rolling (shallow broad) and shallow boxcar scars; the score is computed from them.
GRADES: tuple[tuple[DemoGrading, ...], ...] = tuple(
    tuple(
        DemoGrading(grade, {"shallow_broad": rolling, "punched_shallow": boxcar})
        for grade, rolling, boxcar in visits
    )
    for visits in (
        ((3, 24, 12), (3, 18, 11), (3, 14, 9), (2, 9, 6)),
        ((3, 30, 22), (3, 25, 16), (2, 16, 12), (2, 12, 8)),
        ((4, 40, 25), (4, 33, 21), (3, 22, 15), (3, 19, 10)),
        ((3, 21, 10), (3, 19, 9), (2, 12, 6), (2, 8, 4)),
        ((2, 12, 6), (2, 11, 6), (2, 9, 5), (2, 7, 3)),
        ((3, 26, 14), (3, 23, 12), (3, 21, 11), (2, 15, 8)),
    )
)
# Per cohort patient: (bother, satisfaction) a week after each session.
RATINGS = (
    ((7, 4), (5, 6), (4, 8)),
    ((8, 3), (6, 5), (5, 7)),
    ((9, 2), (7, 4), (6, 6)),
    ((6, 5), (4, 7), (3, 8)),
    ((4, 6), (3, 7), (3, 7)),
    ((7, 4), (6, 5), (4, 7)),
)
# Everyone else: one answer, picked by their position in the list.
OTHER_RATINGS = ((6, 5), (5, 6), (7, 4), (4, 7), (5, 5))


def _answer(appointment: Appointment, rating: tuple[int, int], *, now: dt.datetime) -> bool:
    """The patient's self-assessment a week after the session (not in the future)."""
    course = appointment.course
    ends_course = course is not None and course.status == TreatmentCourse.Status.COMPLETED
    last = course is not None and appointment.session_number == course.sessions_done
    occasion = (
        SelfAssessment.Occasion.COURSE_END
        if ends_course and last
        else SelfAssessment.Occasion.SESSION
    )
    answered_at = dt.datetime.combine(
        local_date(appointment.start) + dt.timedelta(days=7), dt.time(19), tzinfo=clinic_zone()
    )
    if answered_at > now:
        return False
    _row, created = SelfAssessment.objects.get_or_create(
        appointment=appointment,
        occasion=occasion,
        defaults={
            "patient": appointment.patient,
            "course": course,
            "bother": rating[0],
            "satisfaction": rating[1],
            "answered_at": answered_at,
        },
    )
    return created


def _treatment_sessions(profile: PatientProfile) -> list[Appointment]:
    return list(
        Appointment.objects.filter(patient=profile, status=AppointmentStatus.COMPLETED)
        .exclude(procedure__category=Procedure.Category.CONSULTATION)
        .select_related("course", "practitioner__user", "patient")
        .order_by("start")
    )


def seed_progress(out: Any, *, profiles: list[PatientProfile], desk_email: str) -> None:
    """The cohort's visits, charts and gradings; everyone's self-assessments."""
    desk = User.objects.get(email=desk_email)
    password_hash = make_password(settings.DEMO_PASSWORD)
    procedures = {p.slug: p for p in Procedure.objects.prefetch_related("rules")}
    now = timezone.now()
    graded = answered = 0
    cohort = []
    for index, spec in enumerate(OUTCOME_COHORT):
        profile, _created = ensure_patient(spec, password_hash=password_hash)
        ensure_intake(profile, spec)
        ensure_consents(profile)
        seed_appointments(profile, spec, index=index, desk=desk, procedures=procedures)
        cohort.append(profile)
        visits = Appointment.objects.filter(
            patient=profile, status=AppointmentStatus.COMPLETED
        ).order_by("start")
        for appointment, grading in zip(visits, GRADES[index], strict=False):
            graded += grade_past_visit(appointment, grading)
        for appointment, rating in zip(_treatment_sessions(profile), RATINGS[index], strict=False):
            answered += _answer(appointment, rating, now=now)
    for index, profile in enumerate(profiles):
        for appointment in _treatment_sessions(profile)[-1:]:
            answered += _answer(appointment, OTHER_RATINGS[index % len(OTHER_RATINGS)], now=now)
    out.write(
        f"Demo outcomes: {len(cohort)} patients of a microneedling course, "
        f"{graded} graded visits, {answered} self-assessments added"
    )
