"""Treatment courses: advancing a course when a session is completed, restarting one.

Domain rules (see `patients.models.course` for the full statement):
- Completing an appointment advances the patient's active course of that
  procedure (created at the first completed session when there is none):
  sessions done + 1, last session = the appointment's local date. A course of a
  procedure with a session limit (not repeatable) is completed at the limit.
- Approving a review flagged `COURSE_GAP_EXCEEDED` or `COURSE_LIMIT_REACHED`
  starts a new course with that appointment as session 1: the old active course
  lapses (after a gap) or stays completed (after the limit). Booked sessions of
  the procedure after it move to the new course.

These helpers run inside the caller's transaction (the booking services own it).
"""

from __future__ import annotations

from clinic.availability import local_date
from patients.models import Appointment, TreatmentCourse
from patients.models.lifecycle import HOLDING_STATUSES
from procedures.rules import RuleCode

RESTART_FLAGS = frozenset({RuleCode.COURSE_GAP_EXCEEDED.value, RuleCode.COURSE_LIMIT_REACHED.value})


def active_course(appointment: Appointment) -> TreatmentCourse | None:
    """The patient's active course of the appointment's procedure, locked for update."""
    return (
        TreatmentCourse.objects.select_for_update()
        .filter(
            patient_id=appointment.patient_id,
            procedure_id=appointment.procedure_id,
            status=TreatmentCourse.Status.ACTIVE,
        )
        .first()
    )


def _new_course(appointment: Appointment) -> TreatmentCourse:
    course = TreatmentCourse(
        patient_id=appointment.patient_id,
        procedure_id=appointment.procedure_id,
        started_on=local_date(appointment.start),
    )
    course.full_clean()
    course.save()
    return course


def advance_course(appointment: Appointment) -> TreatmentCourse:
    """Count the completed appointment as a session of the patient's active course."""
    course = active_course(appointment) or _new_course(appointment)
    day = local_date(appointment.start)
    course.sessions_done += 1
    if course.last_session_on is None or day > course.last_session_on:
        course.last_session_on = day
    procedure = appointment.procedure
    if (
        not procedure.repeatable
        and procedure.sessions_max is not None
        and course.sessions_done >= procedure.sessions_max
    ):
        course.status = TreatmentCourse.Status.COMPLETED
    course.full_clean()
    course.save()
    appointment.course = course
    appointment.session_number = course.sessions_done
    return course


def restart_course_if_flagged(appointment: Appointment) -> TreatmentCourse | None:
    """After a practitioner approved a gap or a course limit: this session starts a new course."""
    flags = set(appointment.screening_flags or ())
    if not flags & RESTART_FLAGS:
        return None
    old = active_course(appointment)
    if old is not None:
        # A gap ends the old course unfinished; a course at its limit is complete anyway.
        old.status = (
            TreatmentCourse.Status.LAPSED
            if RuleCode.COURSE_GAP_EXCEEDED.value in flags
            else TreatmentCourse.Status.COMPLETED
        )
        old.full_clean()
        old.save(update_fields=["status"])
    course = _new_course(appointment)
    appointment.course = course
    appointment.session_number = 1
    later = Appointment.objects.filter(
        patient_id=appointment.patient_id,
        procedure_id=appointment.procedure_id,
        status__in=HOLDING_STATUSES,
        start__gt=appointment.start,
    ).order_by("start", "pk")
    for number, booked in enumerate(later, start=2):
        booked.course = course
        booked.session_number = number
        booked.save(update_fields=["course", "session_number"])
    return course
