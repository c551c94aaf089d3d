"""The demo clinic's progress (issue #18): a microneedling cohort and the patients' ratings.

`seed_demo` calls `seed_progress` after the demo patients, their photos and gradings
exist. Domain rules kept here:
- Six patients (`OUTCOME_COHORT`) had a consultation about 100 days ago and three
  microneedling sessions five weeks apart since, written like every demo past visit
  (`patients.management.demo.seed_appointments`: free slots, screening, courses), with
  their session photos (`demo_photos`) and graded, signed charts (`demo_outcomes`): the
  grade and the score fall as the course goes on, so their progress pages show the
  change and the manager's outcomes report has a row from six patients.
- A week after each completed treatment session of a cohort patient, and after the
  latest one of every other demo patient, the patient answered the self-assessment (how
  much the scars bother them, how satisfied they are), unless that day is still to come.
- Safe to run twice: a patient with visits gets no more, a chart keeps its grading, a
  session answered for is not answered again.
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
    DEMO_PATIENTS,
    DONE,
    DemoPatient,
    ensure_consents,
    ensure_intake,
    ensure_patient,
    seed_appointments,
)
from patients.management.demo_outcomes import DemoGrading, grade_past_visits
from patients.management.demo_photos import seed_session_photos
from patients.models import Appointment, PatientProfile, SelfAssessment, TreatmentCourse
from patients.models.lifecycle import AppointmentStatus
from procedures.models import Procedure

__all__ = ["COHORT_GRADINGS", "OUTCOME_COHORT", "seed_progress"]

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
        note="a microneedling course: graded visits, ratings, the outcomes report's row",
    )


OUTCOME_COHORT: tuple[DemoPatient, ...] = (
    _cohort_patient(1, "Vera", "Belova", language="en"),
    _cohort_patient(2, "Игорь", "Титов"),
    _cohort_patient(3, "Оксана", "Гусева"),
    _cohort_patient(4, "Роман", "Киселев"),
    _cohort_patient(5, "Лилия", "Макарова"),
    _cohort_patient(6, "Глеб", "Андреев", language="en"),
)


def _g(overall: int, broad: int, punched: int, deep: int = 0) -> DemoGrading:
    """Rolling (shallow broad), shallow boxcar (punched-out) and deep broad scars."""
    counts = {"shallow_broad": broad, "punched_shallow": punched, "deep_broad": deep}
    zones = {"cheek_left": overall, "cheek_right": max(1, overall - 1)}
    return DemoGrading(overall, {key: value for key, value in counts.items() if value}, zones)


# Per cohort patient, oldest visit first: the consultation, then the three sessions.
COHORT_GRADINGS: tuple[tuple[DemoGrading, ...], ...] = (
    (_g(3, 22, 12), _g(3, 18, 12), _g(3, 14, 9), _g(2, 9, 6)),
    (_g(3, 25, 15, 4), _g(3, 21, 14, 4), _g(2, 15, 9, 2), _g(2, 10, 8)),
    (_g(4, 30, 22, 12), _g(4, 28, 20, 11), _g(3, 20, 14, 8), _g(3, 15, 10, 5)),
    (_g(3, 18, 9), _g(3, 16, 8), _g(2, 10, 5), _g(2, 7, 4)),
    (_g(2, 9, 4), _g(2, 9, 4), _g(2, 7, 3), _g(2, 5, 2)),
    (_g(3, 21, 11, 3), _g(3, 19, 10, 3), _g(3, 14, 9, 2), _g(2, 11, 6)),
)
# Per cohort patient: (bother, satisfaction) a week after each session.
COHORT_RATINGS = (
    ((7, 4), (5, 6), (4, 8)),
    ((8, 3), (6, 5), (5, 7)),
    ((9, 2), (7, 4), (6, 6)),
    ((6, 5), (4, 7), (3, 8)),
    ((4, 6), (3, 7), (3, 7)),
    ((7, 4), (6, 5), (4, 7)),
)
# Everyone else: one answer after their latest treatment session, by their place in the list.
OTHER_RATINGS = ((6, 5), (5, 6), (7, 4), (4, 7), (5, 5))


def _answer(appointment: Appointment, rating: tuple[int, int], *, now: dt.datetime) -> bool:
    """The patient's self-assessment a week after the session (not in the future)."""
    course = appointment.course
    ends_course = (
        course is not None
        and course.status == TreatmentCourse.Status.COMPLETED
        and appointment.session_number == course.sessions_done
    )
    Occasion = SelfAssessment.Occasion
    occasion = Occasion.COURSE_END if ends_course else Occasion.SESSION
    answered_at = dt.datetime.combine(
        local_date(appointment.start) + dt.timedelta(days=settings.SELF_ASSESSMENT_AFTER_DAYS),
        dt.time(19),
        tzinfo=clinic_zone(),
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


def _treatment_sessions(patient: PatientProfile) -> list[Appointment]:
    return list(
        Appointment.objects.filter(patient=patient, status=AppointmentStatus.COMPLETED)
        .exclude(procedure__category=Procedure.Category.CONSULTATION)
        .select_related("course", "patient")
        .order_by("start")
    )


def seed_progress(out: Any, *, desk_email: str) -> list[PatientProfile]:
    """The cohort's visits, photos and gradings; everyone's self-assessments."""
    desk = User.objects.get(email=desk_email)
    password_hash = make_password(settings.DEMO_PASSWORD)
    procedures = {p.slug: p for p in Procedure.objects.prefetch_related("rules")}
    cohort = []
    for index, spec in enumerate(OUTCOME_COHORT):
        profile, _created = ensure_patient(spec, password_hash=password_hash)
        ensure_intake(profile, spec)
        ensure_consents(profile)
        seed_appointments(profile, spec, index=index, desk=desk, procedures=procedures)
        cohort.append(profile)
    # Photos before the charts are signed: the required-photos gate asks for them.
    seed_session_photos(out, patients=cohort)
    graded = sum(
        grade_past_visits(spec.email, gradings)
        for spec, gradings in zip(OUTCOME_COHORT, COHORT_GRADINGS, strict=True)
    )
    now = timezone.now()
    answered = 0
    for profile, ratings in zip(cohort, COHORT_RATINGS, strict=True):
        for appointment, rating in zip(_treatment_sessions(profile), ratings, strict=False):
            answered += _answer(appointment, rating, now=now)
    others = PatientProfile.objects.filter(
        user__email__in=[spec.email for spec in DEMO_PATIENTS]
    ).order_by("user__email")
    for index, profile in enumerate(others):
        for appointment in _treatment_sessions(profile)[-1:]:
            answered += _answer(appointment, OTHER_RATINGS[index % len(OTHER_RATINGS)], now=now)
    out.write(
        f"Demo progress: {len(cohort)} patients of a microneedling course, "
        f"{graded} graded visits, {answered} self-assessments added"
    )
    return cohort
