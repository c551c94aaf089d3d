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
  with their history of the procedure (their latest course plus the sessions
  already booked before the start) and every other session of the patient
  (`screening_inputs`, the one read all paths share: washouts, prerequisites).
  `blocked` refuses everyone, staff included; `review` books as pending
  review; `ok` confirms at once.
- The interval from the other side: a date that would leave less than the
  procedure's minimum interval before a session of it already booked later (a
  session slipped in before another, or moved in front of the one it follows)
  is refused (`too_close_to_next_session`, with the later session's date and the
  latest date that fits).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clinic.availability import Policy, Slot, clinic_zone, local_date, local_day_bounds
from patients.booking.errors import (
    ConsentRequired,
    IntakeRequired,
    ScreeningBlocked,
    TooCloseToLaterSession,
)
from patients.booking.selectors.appointments import (
    course_history,
    current_course,
    next_held_session_on,
    remedy_slots,
)
from patients.models import Appointment, IntakeVersion, PatientProfile
from patients.records.selectors import (
    ScreeningInputs,
    has_valid_consent,
    intake_is_current,
    screening_inputs,
)
from procedures.courses import latest_day_before
from procedures.days import DayCheck, OwnHistory, check_days
from procedures.models import Procedure
from procedures.screening import ProcedureRules, ScreeningResult, rules_for, screen
from procedures.selectors import washout_group_of
from procedures.verdicts import Outcome

__all__ = [
    "History",
    "ScreeningInputs",
    "allowed_slots",
    "asks_nothing",
    "check_patient_days",
    "own_history",
    "own_history_with",
    "require_consent",
    "require_interval_before_later_session",
    "screen_appointment",
    "screen_at",
    "screen_for_booking",
    "screening_blocked",
    "screening_inputs",
    "slots_allowed_with",
]

History = tuple[dt.date | None, int]


def _current_intake(inputs: ScreeningInputs) -> IntakeVersion:
    version = inputs.version
    if version is None:
        raise IntakeRequired(expired=False)
    if not intake_is_current(version):
        raise IntakeRequired(expired=True)
    return version


def _has_current_intake(inputs: ScreeningInputs) -> bool:
    return inputs.version is not None and intake_is_current(inputs.version)


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


def _nothing_to_screen(procedure_slug: str, start: dt.datetime) -> ScreeningResult:
    return ScreeningResult(
        procedure=procedure_slug,
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
    inputs: ScreeningInputs | None = None,
) -> tuple[ScreeningResult, IntakeVersion | None]:
    """Screen the current intake for a session at `start`, and the version screened.

    `history` is the patient's (last session date, sessions done) before `start`
    and `inputs` their intake and other sessions, when the caller has read them
    already; `ignore_appointment` is left out of both (the appointment being
    moved or decided). A procedure that asks nothing is `ok` without an intake
    too (the version is then None).
    """
    if inputs is None:
        inputs = screening_inputs(patient, excluding=ignore_appointment)
    if asks_nothing(procedure) and not _has_current_intake(inputs):
        return _nothing_to_screen(procedure.slug, start), None
    version = _current_intake(inputs)
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
        other_sessions=inputs.other_sessions,
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


def screening_blocked(
    result: ScreeningResult, *, session_number: int | None = None
) -> ScreeningBlocked:
    """The refusal of a blocked screening, with the way out's free times when it names one.

    A missing consultation (rules-v2.md section 3) offers the consultation's next
    free slots, on every path that refuses through here (web, API, desk, moves,
    courses).
    """
    error = ScreeningBlocked(result, session_number=session_number)
    _procedure, error.remedy_slots = remedy_slots(result)
    return error


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
        # A refusal's dates are real: a latest date already gone is not offered.
        gone = latest < local_date(Policy.from_settings().earliest_start(timezone.now()))
        raise TooCloseToLaterSession(
            later_session_on=later_on, latest_date=None if gone else latest
        )


def require_consent(patient: PatientProfile, procedure: Procedure) -> None:
    """Refuse unless the patient signed the current consent of the procedure's category
    (a procedure that asks nothing is taken before the visit instead)."""
    if asks_nothing(procedure):
        return
    if not has_valid_consent(patient, procedure.category):
        raise ConsentRequired(procedure.category)


def own_history(
    patient: PatientProfile, procedure: Procedure, inputs: ScreeningInputs
) -> OwnHistory:
    """The patient's history with `procedure` for a session on any day (one query).

    The latest course, plus their sessions of it holding time (read with `inputs`:
    the appointment being moved is already left out there).
    """
    course = current_course(patient, procedure)
    return own_history_with(
        procedure.slug,
        inputs,
        course_last_on=course.last_session_on if course else None,
        course_done=course.sessions_done if course else 0,
    )


def own_history_with(
    procedure_slug: str,
    inputs: ScreeningInputs,
    *,
    course_last_on: dt.date | None,
    course_done: int,
) -> OwnHistory:
    """The history with the procedure `procedure_slug` from its latest course's figures and
    the patient's sessions in `inputs` (those of the procedure holding time)."""
    booked = tuple(
        day for slug, day, done in inputs.other_sessions if slug == procedure_slug and not done
    )
    return OwnHistory(course_last_on=course_last_on, course_done=course_done, booked=booked)


def check_patient_days(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    days: list[dt.date],
    ignore_appointment: int | None = None,
    inputs: ScreeningInputs | None = None,
    own: OwnHistory | None = None,
) -> tuple[list[DayCheck], OwnHistory]:
    """Which of `days` the patient may book `procedure` on, as a booking would screen each.

    Reads the patient once (`screening_inputs`, the course), whatever the number of
    days. Raises IntakeRequired without a current intake.
    """
    if inputs is None:
        inputs = screening_inputs(patient, excluding=ignore_appointment)
    if own is None:
        own = own_history(patient, procedure, inputs)
    return _day_checks(procedure.slug, days, inputs=inputs, own=own), own


def _day_checks(
    procedure_slug: str, days: list[dt.date], *, inputs: ScreeningInputs, own: OwnHistory
) -> list[DayCheck]:
    rules = rules_for(procedure_slug)
    if _asks_nothing(rules) and not _has_current_intake(inputs):
        # Nothing to ask (the consultation): every day is open without an intake.
        zone = clinic_zone()
        return [
            DayCheck(day, _nothing_to_screen(procedure_slug, local_day_bounds(day, zone=zone)[0]))
            for day in sorted(set(days))
        ]
    version = _current_intake(inputs)
    return check_days(
        rules, version.parsed_answers, days=days, own=own, other_sessions=inputs.other_sessions
    )


def allowed_slots(
    slots: list[Slot],
    *,
    patient: PatientProfile,
    procedure: Procedure,
    ignore_appointment: int | None = None,
) -> list[Slot]:
    """The slots on days the patient may book `procedure` (a "just taken" answer's advice).

    Without a current intake nothing is screened yet: the booking asks for it first.
    """
    if not slots:
        return slots
    inputs = screening_inputs(patient, excluding=ignore_appointment)
    own = own_history(patient, procedure, inputs)
    return slots_allowed_with(slots, procedure_slug=procedure.slug, inputs=inputs, own=own)


def slots_allowed_with(
    slots: list[Slot], *, procedure_slug: str, inputs: ScreeningInputs, own: OwnHistory
) -> list[Slot]:
    """`allowed_slots` with the patient already read (`inputs`, `own`): the same screening
    for whoever read them (the race guard reads them its quicker way)."""
    if not slots:
        return slots
    days = sorted({local_date(slot.start) for slot in slots})
    try:
        checks = _day_checks(procedure_slug, days, inputs=inputs, own=own)
    except IntakeRequired:
        return slots
    allowed = {check.day for check in checks if check.allowed}
    return [slot for slot in slots if local_date(slot.start) in allowed]
