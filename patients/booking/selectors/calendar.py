"""The booking pages' month calendar: the days with times the patient may book.

The days come from `free_slots_for_patient`, so a day is marked free only when
screening lets this patient book the procedure on it and a time is free; a day
link opens that day's times, grouped by morning, afternoon and evening.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clinic.availability import Policy, clinic_zone
from clinic.models import Practitioner
from patients.booking.selectors.slots import SlotView, free_slots_for_patient
from patients.models import PatientProfile
from procedures.models import Procedure

__all__ = ["CalendarDay", "MonthCalendar", "day_periods", "month_calendar"]

# Where the parts of a day begin (local wall clock): morning until noon, then
# afternoon until 17:00, then evening.
AFTERNOON = dt.time(12)
EVENING = dt.time(17)


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    in_month: bool
    free: bool


@dataclass(frozen=True)
class MonthCalendar:
    """A month as weeks of days (Monday first), each marked free or not."""

    month: dt.date  # its first day
    weeks: list[list[CalendarDay]]
    previous: dt.date | None  # the first day of the month before, when it can be booked
    next: dt.date | None

    @property
    def free_days(self) -> list[dt.date]:
        return [d.day for week in self.weeks for d in week if d.in_month and d.free]


def _add_month(month: dt.date, step: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + step
    return dt.date(index // 12, index % 12 + 1, 1)


def month_calendar(
    *,
    patient: PatientProfile,
    procedure: Procedure,
    month: dt.date,
    practitioner: Practitioner | None = None,
    now: dt.datetime | None = None,
) -> MonthCalendar:
    """The month of `month` with the days the patient may book `procedure` on marked free."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = Policy.from_settings().last_day(now)
    first = month.replace(day=1)
    last = _add_month(first, 1) - dt.timedelta(days=1)
    start, end = max(first, today), min(last, horizon)
    free: set[dt.date] = set()
    if start <= end:
        zone = clinic_zone()
        found = free_slots_for_patient(
            patient=patient,
            procedure=procedure,
            start_date=start,
            days=(end - start).days + 1,
            practitioner=practitioner,
            now=now,
        )
        free = {slot.start.astimezone(zone).date() for slot in found.slots}
    weeks = [
        [CalendarDay(day=day, in_month=day.month == first.month, free=day in free) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    after = _add_month(first, 1)
    return MonthCalendar(
        month=first,
        weeks=weeks,
        previous=_add_month(first, -1) if first > today.replace(day=1) else None,
        next=after if after <= horizon else None,
    )


def day_periods(slots: list[SlotView]) -> list[tuple[str | Promise, list[SlotView]]]:
    """A day's times in order, grouped by morning, afternoon and evening (empty parts left out)."""
    parts: list[tuple[str | Promise, list[SlotView]]] = [
        (_("Morning"), []),
        (_("Afternoon"), []),
        (_("Evening"), []),
    ]
    for slot in sorted(slots, key=lambda s: (s.start, str(s.practitioner))):
        clock = slot.start.time()
        index = 0 if clock < AFTERNOON else 1 if clock < EVENING else 2
        parts[index][1].append(slot)
    return [(label, times) for label, times in parts if times]
