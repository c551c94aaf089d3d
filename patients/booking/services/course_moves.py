"""Moving a course session with the sessions after it (issue #15, section 3).

Domain rules:
- "Move this and the following sessions by the same number of days": the session
  moves to the start asked for; every later session of the same procedure of the
  patient that holds time (pending review or confirmed) moves by the same number of
  days, at its own time of day and with its own practitioner.
- All or none: one transaction. First every session takes its new time (the slot
  checks of a single move: grid, hours, lead time, horizon, a free practitioner and
  room, the patient free), in the order in which no session stands in another's
  way (from the last for a move later, from the first for a move earlier); then
  each is screened where the whole course now stands (answers, the course's own
  intervals, washouts and prerequisites with the patient's other sessions), as a
  single move is: blocked refuses, a date too close before the next session
  refuses, a confirmed session whose new date raises a flag no practitioner
  approved refuses (`move_needs_review`). A refusal names the session (`session`
  in the body) and nothing is moved.
- Screening the final positions, not each step: a session moved before the one
  after it has moved would look "too close" (or one after, "too late") for a moment
  that never exists.
- Every session moved grows its version by one (the .ics SEQUENCE) and its patient
  message is written; the patient's other appointments are screened again after.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.availability import clinic_zone, local_date
from clinic.models import Practitioner, User
from patients.booking.locking import lock_appointment, lock_patient
from patients.booking.services.access import require_change_allowed
from patients.booking.services.booking import MOVABLE, require_aware
from patients.booking.services.moves import (
    record_move,
    require_movable,
    screen_move,
    take_new_time,
    take_screening,
)
from patients.booking.services.rescreen import Cause, rescreen_patient
from patients.models import Appointment
from procedures.errors import DomainError, lazy_interpolate

__all__ = ["move_with_later_sessions"]


def _shifted(start: dt.datetime, days: int) -> dt.datetime:
    """The same wall-clock time `days` local days later (a day of 23 or 25 hours included)."""
    local = start.astimezone(clinic_zone())
    day = local.date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, local.time(), tzinfo=clinic_zone())


def _named(error: DomainError, number: int) -> DomainError:
    """The refusal of one session of the course, saying which one."""
    error.session_number = number  # type: ignore[attr-defined]  # on any refusal, for its reader
    error.message = lazy_interpolate(
        _("Session %(number)s: %(reason)s"), {"number": number, "reason": error.message}
    )
    return error


def move_with_later_sessions(
    *,
    appointment: Appointment,
    start: dt.datetime,
    practitioner: Practitioner | None = None,
    by: User,
) -> list[Appointment]:
    """Move `appointment` to `start` and the later sessions of its course by as many days."""
    require_aware(start)
    now = timezone.now()
    with transaction.atomic():
        first = lock_appointment(appointment)
        require_change_allowed(by, first, now)
        require_movable(first)
        patient, procedure = first.patient, first.procedure
        lock_patient(patient)
        days = (local_date(start) - local_date(first.start)).days
        later = [
            lock_appointment(a)
            for a in Appointment.objects.filter(
                patient=patient, procedure=procedure, status__in=MOVABLE, start__gt=first.start
            ).order_by("start", "pk")
        ]
        for session in later:
            require_change_allowed(by, session, now)
        plan = [(first, start, practitioner)] + [
            (session, _shifted(session.start, days), session.practitioner) for session in later
        ]
        before = {session.pk: (session.start, session.status) for session, _s, _p in plan}
        numbers = {session.pk: index for index, (session, _s, _p) in enumerate(plan, start=1)}

        # 1. Every session takes its new time, in the order where none is in another's way.
        for session, new_start, chosen in plan if days <= 0 else plan[::-1]:
            try:
                take_new_time(session, start=new_start, practitioner=chosen, now=now)
            except DomainError as error:
                raise _named(error, numbers[session.pk]) from error

        # 2. Each is screened where the whole course now stands.
        for session, _new_start, _chosen in plan:
            try:
                _screen_moved(session, by=by, previous=before[session.pk], now=now)
            except DomainError as error:
                raise _named(error, numbers[session.pk]) from error
        rescreen_patient(patient=patient, cause=Cause.MOVED, exclude=first.pk, now=now)
    return [session for session, _s, _p in plan]


def _screen_moved(
    session: Appointment,
    *,
    by: User,
    previous: tuple[dt.datetime, str],
    now: dt.datetime,
) -> None:
    """Screen a moved session at its new time, as a single move does, and record it."""
    result, version = screen_move(session, start=session.start)
    previous_start, previous_status = previous
    take_screening(session, result, version)
    session.full_clean(validate_constraints=False)
    session.save(update_fields=["screening_outcome", "intake_version", "screening_flags", "status"])
    record_move(
        session, previous_start=previous_start, previous_status=previous_status, by=by, now=now
    )
