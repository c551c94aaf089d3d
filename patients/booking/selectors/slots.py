"""Free times as the booking pages offer them: screened day by day, grouped by practitioner.

Domain rules (the patient's pages and the desk show the same):
- A range of at most `MAX_RANGE_DAYS` (14) local days from the day asked for,
  never past the booking horizon.
- Each day is screened for the patient; a blocked day offers no slot. When the
  first day is blocked and screening gives an earliest date inside the horizon,
  the range moves there (the page says why: `blocked_first`).
- Inside a course the range is kept inside the next session's window (from last
  session + minimum interval to last session + maximum interval); a day before
  the window moves the range to its first day. After the window closes, review
  decides (the range is not cut).
- Times are shown on the clinic's wall clock; a slot carries its start (ISO 8601
  with its offset) and practitioner to the next page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.functional import Promise

from clinic.availability import Policy, Slot, clinic_zone, free_slots
from clinic.models import Practitioner
from clinic.selectors import availability_inputs, qualified_practitioners
from patients.booking.errors import IntakeRequired
from patients.booking.screening import check_patient_days, own_history, screening_inputs
from patients.booking.selectors.appointments import busy_for, remedy_slots
from patients.models import PatientProfile
from procedures.courses import CourseWindow, next_session_window
from procedures.days import DayCheck, explain_left_out
from procedures.models import Procedure
from procedures.screening import ScreeningResult, rules_for

__all__ = [
    "DayView",
    "PatientSlots",
    "SlotPicker",
    "SlotView",
    "free_slots_for_guest",
    "free_slots_for_patient",
    "pick_slots",
    "remedy_views",
    "slot_views",
]

MAX_RANGE_DAYS = 14


@dataclass(frozen=True)
class SlotView:
    """A free slot as a page shows it: local times, the practitioner, the link's query."""

    start: dt.datetime
    end: dt.datetime
    practitioner: Practitioner
    query: str


@dataclass
class DayView:
    day: dt.date
    result: ScreeningResult
    groups: list[tuple[Practitioner, list[SlotView]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(slots) for _p, slots in self.groups)


@dataclass
class SlotPicker:
    """What the slot-picking pages show: screening, the course window, slots by day."""

    requested: dt.date
    start: dt.date
    end: dt.date
    result: ScreeningResult | None
    blocked_first: ScreeningResult | None = None
    window: CourseWindow | None = None
    window_moved: bool = False
    days: list[DayView] = field(default_factory=list)
    blocked_days: list[DayView] = field(default_factory=list)
    # Why the blocked days are left out, said once above the list.
    left_out: list[str | Promise] = field(default_factory=list)
    # A refusal's way out (a consultation first) and its next free times.
    remedy_procedure: Procedure | None = None
    remedy: list[SlotView] = field(default_factory=list)

    @property
    def has_slots(self) -> bool:
        return any(day.count for day in self.days)

    @property
    def blocked(self) -> bool:
        return self.result is not None and self.result.blocked


def _slot_query(slot: Slot, zone: dt.tzinfo, **extra: Any) -> str:
    """The query string that carries a slot to the next page (ISO start with its offset)."""
    params = {
        "start": slot.start.astimezone(zone).isoformat(),
        "practitioner": slot.practitioner_id,
        **extra,
    }
    return urlencode(params)


def slot_views(
    slots: Iterable[Slot], practitioners: dict[int, Practitioner], **extra: Any
) -> list[SlotView]:
    """The slots of these practitioners as pages show them (`extra` goes into each link)."""
    zone = clinic_zone()
    return [
        SlotView(
            start=slot.start.astimezone(zone),
            end=slot.end.astimezone(zone),
            practitioner=practitioners[slot.practitioner_id],
            query=_slot_query(slot, zone, **extra),
        )
        for slot in slots
        if slot.practitioner_id in practitioners
    ]


def _group(slots: list[SlotView]) -> list[tuple[Practitioner, list[SlotView]]]:
    groups: dict[int, tuple[Practitioner, list[SlotView]]] = {}
    for slot in slots:
        groups.setdefault(slot.practitioner.pk, (slot.practitioner, []))[1].append(slot)
    return sorted(groups.values(), key=lambda group: str(group[0]))


@dataclass(frozen=True)
class PatientSlots:
    """Free slots a patient may book, and why the days left out are left out."""

    slots: list[Slot]
    left_out: list[str | Promise]
    days_left_out: list[dt.date]


def free_slots_for_patient(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    start_date: dt.date,
    days: int,
    practitioner: Practitioner | int | None = None,
    now: dt.datetime | None = None,
    ignore_appointment: int | None = None,
) -> PatientSlots:
    """The free slots of `procedure` on `days` local dates, on the days the patient may book.

    Each day is screened as a booking would screen it (`check_patient_days`: answers,
    the patient's sessions of this and other procedures, course window, washouts,
    prerequisites); a day refused is left out, and said once why. Raises IntakeRequired
    without a current intake. Three queries for the patient besides `free_slots_for`'s.
    """
    now = now or timezone.now()
    wanted = [start_date + dt.timedelta(days=offset) for offset in range(max(days, 0))]
    checks, own = check_patient_days(
        patient=patient, procedure=procedure, days=wanted, ignore_appointment=ignore_appointment
    )
    allowed = {check.day for check in checks if check.allowed}
    slots: list[Slot] = []
    if allowed:
        first, last = min(allowed), max(allowed)
        inputs = availability_inputs(
            procedure, first, (last - first).days + 1, practitioner=practitioner
        )
        if inputs.practitioners and inputs.room_ids:
            busy = busy_for(inputs, now=now, ignore_appointment=ignore_appointment)
            zone = clinic_zone()
            slots = [
                slot
                for slot in free_slots(inputs, busy=busy, now=now)
                if slot.start.astimezone(zone).date() in allowed
            ]
    return PatientSlots(
        slots=slots,
        left_out=explain_left_out(rules_for(procedure.slug), checks, own=own),
        days_left_out=[check.day for check in checks if not check.allowed],
    )


def free_slots_for_guest(
    *, procedure: Procedure, start_date: dt.date, days: int, now: dt.datetime | None = None
) -> list[SlotView]:
    """The free slots of a procedure that asks nothing, for someone without an account yet."""
    now = now or timezone.now()
    inputs = availability_inputs(procedure, start_date, days)
    if not (inputs.practitioners and inputs.room_ids):
        return []
    busy = busy_for(inputs, now=now)
    by_pk = {p.pk: p for p in qualified_practitioners(procedure)}
    return slot_views(free_slots(inputs, busy=busy, now=now), by_pk)


def remedy_views(
    result: ScreeningResult | None, *, now: dt.datetime | None = None
) -> tuple[Procedure | None, list[SlotView]]:
    """A refusal's way out (a consultation first) and its next free times, as pages show them."""
    procedure, slots = remedy_slots(result, now=now)
    if procedure is None or not slots:
        return procedure, []
    practitioners = Practitioner.objects.filter(
        pk__in={slot.practitioner_id for slot in slots}
    ).select_related("user")
    return procedure, slot_views(slots, {p.pk: p for p in practitioners})


def pick_slots(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    day: dt.date,
    days: int,
    practitioner: Practitioner | None = None,
    practitioners: list[Practitioner],
    ignore_appointment: int | None = None,
) -> SlotPicker:
    """Screening and free slots of `procedure` for the patient from `day` for `days` days.

    The patient is read once (`check_patient_days`): each day is screened with the
    same inputs a booking reads. Raises IntakeRequired when the patient has no
    current intake.
    """
    policy = Policy.from_settings()
    now = timezone.now()
    horizon = policy.last_day(now)
    days = max(1, min(days, MAX_RANGE_DAYS))
    picker = SlotPicker(requested=day, start=day, end=day, result=None)
    inputs = screening_inputs(patient, excluding=ignore_appointment)

    def check(first: dt.date, count: int) -> list[DayCheck]:
        wanted = [first + dt.timedelta(days=offset) for offset in range(max(count, 1))]
        checks, _own = check_patient_days(
            patient=patient, procedure=procedure, days=wanted, inputs=inputs, own=own
        )
        return checks

    own = own_history(patient, procedure, inputs)
    rules = rules_for(procedure.slug)
    last, done = own.on(day)
    window = next_session_window(rules, last_session_on=last, sessions_done=done)
    if window.opens_on is not None or window.closes_on is not None:
        picker.window = window
        if window.opens_on is not None and day < window.opens_on and not window.complete:
            day, picker.window_moved = window.opens_on, True

    first = check(day, 1)[0]
    result = first.result
    earliest = result.earliest_date
    if result.blocked and earliest is not None and day < earliest <= horizon:
        picker.blocked_first = result
        day = earliest
        first = check(day, 1)[0]
        result = first.result
    picker.result = result
    picker.start = day
    end = day + dt.timedelta(days=days - 1)
    # Inside a course, only the window's days (after the window closes, review decides).
    if window.closes_on is not None and window.closes_on >= day and not window.complete:
        end = min(end, window.closes_on)
    end = min(end, horizon)
    picker.end = max(end, day)
    if result.blocked:
        picker.remedy_procedure, picker.remedy = remedy_views(result, now=now)
    if result.blocked and result.earliest_date is None:
        return picker  # nothing will change by waiting: no slots at all
    if day > horizon:
        return picker

    span = (picker.end - day).days + 1
    checks = check(day, span)
    inputs_ = availability_inputs(procedure, day, span, practitioner=practitioner)
    slots: list[Slot] = []
    if inputs_.practitioners and inputs_.room_ids:
        busy = busy_for(inputs_, now=now, ignore_appointment=ignore_appointment)
        slots = free_slots(inputs_, busy=busy, now=now, policy=policy)
    by_pk = {p.pk: p for p in practitioners}
    by_day: dict[dt.date, list[SlotView]] = {}
    for view in slot_views(slots, by_pk):
        by_day.setdefault(view.start.date(), []).append(view)
    for day_check in checks:
        day_view = DayView(
            day=day_check.day, result=day_check.result, groups=_group(by_day.get(day_check.day, []))
        )
        (picker.days if day_check.allowed else picker.blocked_days).append(day_view)
    # The first day's refusal is shown above already: its reasons are not said twice.
    shown = {str(f.patient_message) for f in result.findings if f.absolute and result.blocked}
    picker.left_out = [
        sentence
        for sentence in explain_left_out(rules, checks, own=own)
        if str(sentence) not in shown
    ]
    return picker


@dataclass(frozen=True)
class ProceduresOnDay:
    """What a patient may be booked for on one day (the schedule's free cell), and why not."""

    allowed: list[Procedure]
    left_out: list[tuple[Procedure, list[str | Promise]]]
    intake_needed: bool = False


def procedures_on_day(patient: PatientProfile, day: dt.date) -> ProceduresOnDay:
    """Screen every active procedure for `patient` on `day`, as a booking would.

    The patient's answers and sessions are read once. Without a current intake only
    what asks nothing (the consultation) is allowed; the rest waits for the answers.
    """
    inputs = screening_inputs(patient)
    allowed: list[Procedure] = []
    left_out: list[tuple[Procedure, list[str | Promise]]] = []
    intake_needed = False
    for procedure in Procedure.objects.filter(is_active=True).order_by("name"):
        try:
            checks, own = check_patient_days(
                patient=patient, procedure=procedure, days=[day], inputs=inputs
            )
        except IntakeRequired:
            intake_needed = True
            continue
        if checks and checks[0].allowed:
            allowed.append(procedure)
        else:
            left_out.append(
                (procedure, explain_left_out(rules_for(procedure.slug), checks, own=own))
            )
    return ProceduresOnDay(allowed=allowed, left_out=left_out, intake_needed=intake_needed)
