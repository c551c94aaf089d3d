"""Screening at the door: what the patient's intake says about a procedure on a date.

Domain rules:
- The patient needs a current intake (`intake_required`: none, or expired) and a
  signed current consent for the procedure's category (`consent_required`; the
  clinic publishes a consultation consent too).
- Except for a procedure that screening has nothing to ask about (no rule, no
  prerequisite, no interval, no session limit, no washout group: the
  consultation, issue #20): it is booked without a questionnaire or an online
  consent, screened `ok` (with the current intake when there is one), so a
  first-time caller can see a doctor; the questionnaire and the consent are
  taken before the visit (at home from the invitation, or on the clinic tablet).
- Screening reads the patient's latest intake on the local date of the start,
  with their history of the procedure: their latest course plus the sessions
  already booked before the start. `blocked` refuses everyone, staff included;
  `review` books as pending review; `ok` confirms at once.
- The interval from the other side: a date that would leave less than the
  procedure's minimum interval before a session of it already booked later (a
  session slipped in before another, or moved in front of the one it follows)
  is refused (`too_close_to_next_session`, with the later session's date and the
  latest date that fits).
"""

from __future__ import annotations

import datetime as dt

from clinic.availability import clinic_zone, local_date, local_day_bounds
from patients.booking.errors import ConsentRequired, IntakeRequired, TooCloseToLaterSession
from patients.booking.selectors.appointments import course_history, next_held_session_on
from patients.models import Appointment, IntakeVersion, PatientProfile
from patients.records.selectors import has_valid_consent, intake_is_current, latest_intake
from procedures.courses import latest_day_before
from procedures.models import Procedure
from procedures.screening import ProcedureRules, ScreeningResult, rules_for, screen
from procedures.selectors import washout_group_of
from procedures.verdicts import Outcome

__all__ = [
    "History",
    "asks_nothing",
    "require_consent",
    "require_interval_before_later_session",
    "screen_appointment",
    "screen_at",
    "screen_for_booking",
]

History = tuple[dt.date | None, int]


def _current_intake(patient: PatientProfile) -> IntakeVersion:
    version = latest_intake(patient)
    if version is None:
        raise IntakeRequired(expired=False)
    if not intake_is_current(version):
        raise IntakeRequired(expired=True)
    return version


def _asks_nothing(rules: ProcedureRules) -> bool:
    return not (
        rules.absolute
        or rules.relative
        or rules.prerequisites
        or rules.interval_min_days
        or rules.interval_max_days
        or rules.sessions_max
        or rules.retinoid_window_days
        or washout_group_of(rules.slug)
    )


def asks_nothing(procedure: Procedure) -> bool:
    """Whether screening has nothing to ask about `procedure` (booked without an intake)."""
    return _asks_nothing(rules_for(procedure.slug))


def _nothing_to_screen(procedure: Procedure, start: dt.datetime) -> ScreeningResult:
    return ScreeningResult(
        procedure=procedure.slug,
        on=local_date(start),
        outcome=Outcome.OK,
        blocking=(),
        flags=(),
        earliest_date=None,
        findings=(),
    )


def screen_at(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    start: dt.datetime,
    ignore_appointment: int | None = None,
    history: History | None = None,
) -> tuple[ScreeningResult, IntakeVersion | None]:
    """Screen the current intake for a session at `start`, and the version screened.

    `history` is the patient's (last session date, sessions done) before `start`
    when the caller has read it already; `ignore_appointment` is left out of it
    (the appointment being moved or decided). A procedure that asks nothing is `ok`
    without an intake too (the version is then None).
    """
    if asks_nothing(procedure):
        current = latest_intake(patient)
        if current is None or not intake_is_current(current):
            return _nothing_to_screen(procedure, start), None
    version = _current_intake(patient)
    last, done = history or course_history(
        patient, procedure, before=start, ignore_appointment=ignore_appointment
    )
    # The rules through the process's cache (procedures.selectors: re-read after the TTL).
    result = screen(
        rules_for(procedure.slug),
        version.parsed_answers,
        on=local_date(start),
        last_session_on=last,
        sessions_done=done,
    )
    return result, version


def screen_appointment(appointment: Appointment) -> ScreeningResult | None:
    """A booked appointment screened now, with the inputs of this moment (None: no current intake).

    What the day sheet and the review page show, and what check-in and completion
    read: the current screening, not the one at booking time.
    """
    try:
        result, _version = screen_at(
            patient=appointment.patient,
            procedure=appointment.procedure,
            start=appointment.start,
            ignore_appointment=appointment.pk,
        )
    except IntakeRequired:
        return None
    return result


def screen_for_booking(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    on: dt.date,
    start: dt.datetime | None = None,
    ignore_appointment: int | None = None,
) -> ScreeningResult:
    """Screen the patient's current intake for `procedure` on the local date `on`.

    History: the latest course plus the sessions booked before `start` (the start
    of the local day `on` by default). Raises IntakeRequired (422) without a
    current intake.
    """
    if start is None:
        start = local_day_bounds(on, zone=clinic_zone())[0]
    result, _version = screen_at(
        patient=patient, procedure=procedure, start=start, ignore_appointment=ignore_appointment
    )
    return result


def require_interval_before_later_session(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    start: dt.datetime,
    ignore_appointment: int | None = None,
) -> None:
    """Refuse a date that would make a session already booked later come too soon after it."""
    later_on = next_held_session_on(
        patient, procedure, after=start, ignore_appointment=ignore_appointment
    )
    if later_on is None:
        return
    latest = latest_day_before(rules_for(procedure.slug), later_session_on=later_on)
    if latest is not None and local_date(start) > latest:
        raise TooCloseToLaterSession(later_session_on=later_on, latest_date=latest)


def require_consent(patient: PatientProfile, procedure: Procedure) -> None:
    """Refuse unless the patient signed the current consent of the procedure's category
    (a procedure that asks nothing is taken before the visit instead)."""
    if asks_nothing(procedure):
        return
    if not has_valid_consent(patient, procedure.category):
        raise ConsentRequired(procedure.category)
