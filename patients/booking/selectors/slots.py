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

from clinic.availability import Policy, Slot, clinic_zone, free_slots, local_day_bounds
from clinic.models import Practitioner
from clinic.selectors import availability_inputs
from patients.booking.screening import screen_for_booking
from patients.booking.selectors.appointments import busy_for, course_history
from patients.models import PatientProfile
from procedures.courses import CourseWindow, next_session_window
from procedures.models import Procedure
from procedures.screening import ScreeningResult

__all__ = ["DayView", "SlotPicker", "SlotView", "pick_slots", "slot_views"]

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

    Raises IntakeRequired when the patient has no current intake.
    """
    policy = Policy.from_settings()
    zone = policy.zone
    now = timezone.now()
    horizon = policy.last_day(now)
    days = max(1, min(days, MAX_RANGE_DAYS))
    picker = SlotPicker(requested=day, start=day, end=day, result=None)

    last, done = course_history(
        patient,
        procedure,
        before=local_day_bounds(day, zone=zone)[0],
        ignore_appointment=ignore_appointment,
    )
    window = next_session_window(
        procedure.screening_rules(), last_session_on=last, sessions_done=done
    )
    if window.opens_on is not None or window.closes_on is not None:
        picker.window = window
        if window.opens_on is not None and day < window.opens_on and not window.complete:
            day, picker.window_moved = window.opens_on, True

    def screen(on: dt.date) -> ScreeningResult:
        return screen_for_booking(
            patient=patient, procedure=procedure, on=on, ignore_appointment=ignore_appointment
        )

    result = screen(day)
    earliest = result.earliest_date
    if result.blocked and earliest is not None and day < earliest <= horizon:
        picker.blocked_first = result
        day = earliest
        result = screen(day)
    picker.result = result
    picker.start = day
    end = day + dt.timedelta(days=days - 1)
    # Inside a course, only the window's days (after the window closes, review decides).
    if window.closes_on is not None and window.closes_on >= day and not window.complete:
        end = min(end, window.closes_on)
    end = min(end, horizon)
    picker.end = max(end, day)
    if result.blocked and result.earliest_date is None:
        return picker  # nothing will change by waiting: no slots at all
    if day > horizon:
        return picker

    span = (picker.end - day).days + 1
    inputs = availability_inputs(procedure, day, span, practitioner=practitioner)
    slots: list[Slot] = []
    if inputs.practitioners and inputs.room_ids:
        busy = busy_for(inputs, now=now, ignore_appointment=ignore_appointment)
        slots = free_slots(inputs, busy=busy, now=now, policy=policy)
    by_pk = {p.pk: p for p in practitioners}
    by_day: dict[dt.date, list[SlotView]] = {}
    for view in slot_views(slots, by_pk):
        by_day.setdefault(view.start.date(), []).append(view)
    for offset in range(span):
        on = day + dt.timedelta(days=offset)
        on_result = result if offset == 0 else screen(on)
        day_view = DayView(day=on, result=on_result, groups=_group(by_day.get(on, [])))
        (picker.blocked_days if on_result.blocked else picker.days).append(day_view)
    return picker
