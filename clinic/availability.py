"""Free slots: when a procedure can be booked, with whom and in which room.

A pure engine: plain data in, slots out, no database. `clinic.selectors.availability_inputs`
fetches the clinic's side (practitioners, hours, rooms, closures); the booking code adds the
appointments that hold time and calls `free_slots` here.

Domain rules implemented here:

- A slot is a start on the clinic's local wall-clock grid (`SLOT_GRID_MINUTES`, 15: 09:00,
  09:15, ... counted from local midnight), returned as an aware UTC datetime. Slots are made
  in local time (`CLINIC_TIME_ZONE`, zoneinfo) and converted one by one, so a day that loses
  or gains an hour still gives 09:00, 09:15, ... local with the right UTC instants.
- A slot needs a qualified practitioner free for the booked minutes and a room of the
  procedure's kind free for the booked minutes plus the buffer (the room's clean-up). The
  practitioner is *not* held for the buffer: the clean-up is the nurses' job, so the
  practitioner may start in another room straight away. Existing bookings are read the same
  way (`Busy.from_bookings`): a practitioner is busy for the booked minutes, a room for the
  booked minutes plus that booking's buffer.
- The booked minutes lie inside the clinic's opening hours and the practitioner's working
  hours of that local date (their intersection). The buffer may run past closing time: the
  room is cleaned after the last patient leaves.
- Closures: a clinic closure stops every practitioner; a practitioner's (day off, holiday)
  stops that practitioner; a room's (maintenance) takes that room out, buffer included. A
  closure without times covers whole local days, `starts_on` 00:00 to the day after `ends_on`.
- A slot starts at least `BOOKING_MIN_LEAD_MINUTES` (120) after `now`, on a local date at
  most `BOOKING_MAX_DAYS_AHEAD` (90) days after today's local date. These two and the
  grid are the policy's (`Policy.why_not_bookable`): every other module asks it.
- One slot per start per practitioner; the room is the first free one of the kind in the
  order given (the selector orders rooms by name).
- Wall-clock times that do not exist (the hour skipped in spring) give no slot; the edge of
  an interval that falls there moves to the instant the clock jumped. Wall-clock times that
  happen twice (the hour repeated in autumn) give one slot, at the first occurrence, so a
  patient never sees the same time offered twice; the start of an interval there takes the
  first occurrence and the end the second (intervals cover the widest reading).
- Times are handled internally as integer UTC seconds with sorted, merged busy intervals
  and `bisect`, so the work grows with slots plus bookings, not with their product (the
  figures are in docs/benchmarks.md).

Calling sequence for the booking code (the engine never imports `patients`)::

    from clinic.availability import Booking, Busy, free_slots, slot_at
    from clinic.selectors import availability_inputs

    inputs = availability_inputs(procedure, start_local_date, days, practitioner=None)  # 5 queries
    rows = Appointment.objects.filter(                                                   # 1 query
        Q(practitioner_id__in=inputs.practitioner_ids) | Q(room_id__in=inputs.room_ids),
        status__in=STATUSES_THAT_HOLD_TIME,
        start__lt=inputs.busy_until,
        end__gt=inputs.busy_from,
    ).values_list("start", "end", "practitioner_id", "room_id", "buffer_minutes")
    busy = Busy.from_bookings(
        Booking(start=s, end=e, practitioner_id=p, room_id=r, buffer_minutes=b)
        for s, e, p, r, b in rows
    )
    slots = free_slots(inputs, busy=busy, now=timezone.now())

`busy_from`/`busy_until` pad the range by a day on each side, so bookings (and their buffers)
that reach into the range from outside are included whatever the zone's offset. Inside the
booking transaction, re-check the chosen start with `slot_at(inputs, busy=busy, now=...,
start=..., practitioner_id=...)` (it returns the slot with its room, or None) after reading
the appointments again; `next_free_slots` gives the alternatives for a "just taken" answer.
When moving an appointment, leave the appointment itself out of the bookings, or it blocks
its own new time. (The field names above are illustrative: use the appointment model's.)
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings

__all__ = [
    "AvailabilityInputs",
    "Booking",
    "Busy",
    "ClosedPeriod",
    "Needs",
    "Policy",
    "PractitionerHours",
    "Slot",
    "WeeklyHours",
    "clinic_zone",
    "free_slots",
    "is_slot_free",
    "local_date",
    "local_day_bounds",
    "next_free_slots",
    "slot_at",
    "wall_to_utc",
]

DAY_SECONDS = 24 * 60 * 60
Interval = tuple[datetime, datetime]


def clinic_zone() -> tzinfo:
    """The clinic's wall-clock zone (`CLINIC_TIME_ZONE`), read at call time."""
    return ZoneInfo(settings.CLINIC_TIME_ZONE)


def local_date(moment: datetime) -> date:
    """The clinic's local date of an aware instant."""
    return moment.astimezone(clinic_zone()).date()


@dataclass(frozen=True, kw_only=True)
class Policy:
    """The booking policy: the clinic's zone, the slot grid, the lead time and the horizon."""

    zone: tzinfo
    grid_minutes: int = 15
    min_lead_minutes: int = 120
    max_days_ahead: int = 90

    @classmethod
    def from_settings(cls) -> Policy:
        """The policy in the settings, read at call time (so `override_settings` applies)."""
        return cls(
            zone=clinic_zone(),
            grid_minutes=settings.SLOT_GRID_MINUTES,
            min_lead_minutes=settings.BOOKING_MIN_LEAD_MINUTES,
            max_days_ahead=settings.BOOKING_MAX_DAYS_AHEAD,
        )

    def earliest_start(self, now: datetime) -> datetime:
        """The first start a booking made at `now` may take (the lead time)."""
        return now + timedelta(minutes=self.min_lead_minutes)

    def last_day(self, now: datetime) -> date:
        """The last local date a booking made at `now` may take (the horizon)."""
        return now.astimezone(self.zone).date() + timedelta(days=self.max_days_ahead)

    def why_not_bookable(self, start: datetime, now: datetime) -> str | None:
        """Why nobody could book `start`, whatever the schedule: "grid" (not on the local
        wall clock's grid), "lead" (sooner than the lead time), "horizon" (after the last
        bookable day); None when the start itself is bookable."""
        local = start.astimezone(self.zone)
        minutes = local.hour * 60 + local.minute
        if local.second or local.microsecond or minutes % self.grid_minutes:
            return "grid"
        if start < self.earliest_start(now):
            return "lead"
        if local.date() > self.last_day(now):
            return "horizon"
        return None


@dataclass(frozen=True, kw_only=True)
class Needs:
    """What one booking of the procedure holds: chair time, the room's clean-up, the room kind."""

    booked_minutes: int
    buffer_minutes: int
    room_kind: str


@dataclass(frozen=True, kw_only=True)
class WeeklyHours:
    """A weekly wall-clock window (Monday is 0), valid between two local dates (inclusive)."""

    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_until: date | None = None

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or day <= self.valid_until)
        )


@dataclass(frozen=True, kw_only=True)
class PractitionerHours:
    """A qualified practitioner and their weekly working hours."""

    practitioner_id: int
    hours: tuple[WeeklyHours, ...]


@dataclass(frozen=True, kw_only=True)
class ClosedPeriod:
    """A closure in local dates (inclusive) and optional wall-clock times.

    Neither practitioner nor room: the whole clinic is closed.
    """

    starts_on: date
    ends_on: date
    start_time: time | None = None
    end_time: time | None = None
    practitioner_id: int | None = None
    room_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class AvailabilityInputs:
    """Everything the clinic side knows for one procedure over a range of local dates."""

    needs: Needs
    start_date: date
    days: int
    practitioners: tuple[PractitionerHours, ...]
    room_ids: tuple[int, ...]
    opening: tuple[WeeklyHours, ...]
    closures: tuple[ClosedPeriod, ...] = ()

    @property
    def practitioner_ids(self) -> tuple[int, ...]:
        return tuple(p.practitioner_id for p in self.practitioners)

    @property
    def end_date(self) -> date:
        """The last local date of the range."""
        return self.start_date + timedelta(days=self.days - 1)

    @property
    def busy_from(self) -> datetime:
        """Bookings ending after this instant may matter (a day's margin covers any offset)."""
        return datetime.combine(self.start_date - timedelta(days=1), time(), tzinfo=UTC)

    @property
    def busy_until(self) -> datetime:
        """Bookings starting before this instant may matter."""
        return datetime.combine(self.end_date + timedelta(days=2), time(), tzinfo=UTC)


@dataclass(frozen=True, kw_only=True)
class Booking:
    """An appointment that holds time: its booked minutes, practitioner, room and buffer."""

    start: datetime
    end: datetime
    practitioner_id: int | None
    room_id: int | None
    buffer_minutes: int = 0


@dataclass(frozen=True, kw_only=True)
class Busy:
    """Busy intervals (aware datetimes, end exclusive) per practitioner id and per room id."""

    practitioners: Mapping[int, Sequence[Interval]] = field(default_factory=dict)
    rooms: Mapping[int, Sequence[Interval]] = field(default_factory=dict)

    @classmethod
    def from_bookings(cls, bookings: Iterable[Booking]) -> Busy:
        """A practitioner is busy for the booked minutes, a room for them plus the buffer."""
        practitioners: dict[int, list[Interval]] = {}
        rooms: dict[int, list[Interval]] = {}
        for booking in bookings:
            if booking.practitioner_id is not None:
                practitioners.setdefault(booking.practitioner_id, []).append(
                    (booking.start, booking.end)
                )
            if booking.room_id is not None:
                rooms.setdefault(booking.room_id, []).append(
                    (booking.start, booking.end + timedelta(minutes=booking.buffer_minutes))
                )
        return cls(practitioners=practitioners, rooms=rooms)


@dataclass(frozen=True, order=True)
class Slot:
    """A free start: the booked minutes from `start` to `end` (UTC), with whom and where."""

    start: datetime
    end: datetime
    practitioner_id: int
    room_id: int


# --- local wall clock <-> UTC -------------------------------------------------------------


def _exists(naive: datetime, aware: datetime, zone: tzinfo) -> bool:
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def _jump_instant(naive: datetime, zone: tzinfo) -> int:
    """The UTC second at which the clock jumped over a nonexistent wall-clock time."""
    before = naive.replace(tzinfo=zone, fold=1)  # read with the offset after the jump: earlier
    offset_after = before.utcoffset()
    low, high = int(before.timestamp()), int(naive.replace(tzinfo=zone).timestamp())
    # `low` is before the jump and `high` after it: find the first second with the new offset.
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    return high


EXACT, REPEATED, SKIPPED = "exact", "repeated", "skipped"


def _wall_ts(day: date, wall: time, zone: tzinfo, *, later: bool) -> tuple[int, str]:
    """A local wall-clock time as UTC seconds, and whether it is exact, repeated or skipped.

    Repeated times take the first occurrence, or the second with `later`; skipped
    (nonexistent) times take the instant the clock jumped over them.
    """
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=zone)
    second = first.replace(fold=1)
    if first.utcoffset() == second.utcoffset():
        return int(first.timestamp()), EXACT
    if _exists(naive, first, zone):
        return int((second if later else first).timestamp()), REPEATED
    return _jump_instant(naive, zone), SKIPPED


def wall_to_utc(day: date, wall: time, *, zone: tzinfo, later: bool = False) -> datetime:
    """A local date and wall-clock time as an aware UTC datetime (rules in the module doc)."""
    return datetime.fromtimestamp(_wall_ts(day, wall, zone, later=later)[0], UTC)


def local_day_bounds(day: date, *, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants at which a local date starts and ends (23, 24 or 25 hours apart)."""
    return (
        wall_to_utc(day, time(), zone=zone),
        wall_to_utc(day + timedelta(days=1), time(), zone=zone),
    )


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _wall(seconds: int) -> time:
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


# --- interval arithmetic on UTC seconds --------------------------------------------------


def _ts(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("Availability works with aware datetimes only.")
    return int(moment.timestamp())


class _Timeline:
    """Merged, sorted busy intervals of one resource, searched with bisect."""

    __slots__ = ("ends", "starts")

    def __init__(self, intervals: Iterable[tuple[int, int]]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in sorted(intervals):
            if end <= start:
                continue
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def blocked_until(self, start: int, end: int) -> int | None:
        """None when [start, end) is free; else the end of the busy interval in the way."""
        index = bisect_right(self.starts, start) - 1
        if index >= 0 and self.ends[index] > start:
            return self.ends[index]
        index += 1
        if index < len(self.starts) and self.starts[index] < end:
            return self.ends[index]
        return None


def _window_intersection(
    first: Sequence[tuple[int, int]], second: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Intersect two lists of (start, end) seconds-of-day windows."""
    result = []
    for a_start, a_end in first:
        for b_start, b_end in second:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                result.append((start, end))
    result.sort()
    merged: list[tuple[int, int]] = []
    for start, end in result:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _day_windows(hours: Iterable[WeeklyHours], day: date) -> list[tuple[int, int]]:
    return sorted(
        (_seconds(h.start), _seconds(h.end)) for h in hours if h.applies_on(day) and h.start < h.end
    )


# --- the engine ---------------------------------------------------------------------------


class _Scan:
    """One computation: the inputs resolved to UTC seconds for the requested days."""

    def __init__(
        self,
        inputs: AvailabilityInputs,
        *,
        busy: Busy,
        now: datetime,
        policy: Policy,
        practitioner_id: int | None,
        room_id: int | None,
    ) -> None:
        self.inputs = inputs
        self.policy = policy
        self.zone = policy.zone
        self.grid = policy.grid_minutes * 60
        self.booked = inputs.needs.booked_minutes * 60
        self.buffer = inputs.needs.buffer_minutes * 60
        self.earliest = _ts(policy.earliest_start(now))
        self.today = now.astimezone(self.zone).date()
        self.last_day = policy.last_day(now)
        self._wall_cache: dict[tuple[date, int, bool], tuple[int, str]] = {}

        self.practitioners = [
            p
            for p in inputs.practitioners
            if practitioner_id is None or p.practitioner_id == practitioner_id
        ]
        self.room_ids = [r for r in inputs.room_ids if room_id is None or r == room_id]

        clinic_closed: list[tuple[int, int]] = []
        closed_by_practitioner: dict[int, list[tuple[int, int]]] = {}
        closed_by_room: dict[int, list[tuple[int, int]]] = {}
        for closure in inputs.closures:
            span = self._closure_span(closure)
            if closure.practitioner_id is not None:
                closed_by_practitioner.setdefault(closure.practitioner_id, []).append(span)
            elif closure.room_id is not None:
                closed_by_room.setdefault(closure.room_id, []).append(span)
            else:
                clinic_closed.append(span)

        self.practitioner_lines = {
            p.practitioner_id: _Timeline(
                [
                    *((_ts(s), _ts(e)) for s, e in busy.practitioners.get(p.practitioner_id, ())),
                    *closed_by_practitioner.get(p.practitioner_id, ()),
                    *clinic_closed,
                ]
            )
            for p in self.practitioners
        }
        self.room_lines = [
            (
                room,
                _Timeline(
                    [
                        *((_ts(s), _ts(e)) for s, e in busy.rooms.get(room, ())),
                        *closed_by_room.get(room, ()),
                    ]
                ),
            )
            for room in self.room_ids
        ]

    def _wall(self, day: date, seconds: int, *, later: bool = False) -> tuple[int, str]:
        key = (day, seconds, later)
        found = self._wall_cache.get(key)
        if found is None:
            found = _wall_ts(day, _wall(seconds), self.zone, later=later)
            self._wall_cache[key] = found
        return found

    def _closure_span(self, closure: ClosedPeriod) -> tuple[int, int]:
        start = _wall_ts(closure.starts_on, closure.start_time or time(), self.zone, later=False)
        if closure.end_time is None:
            end = _wall_ts(closure.ends_on + timedelta(days=1), time(), self.zone, later=True)
        else:
            end = _wall_ts(closure.ends_on, closure.end_time, self.zone, later=True)
        return start[0], end[0]

    def days(self, first: date, last: date) -> Iterable[date]:
        first = max(first, self.today)
        last = min(last, self.last_day)
        day = first
        while day <= last:
            yield day
            day += timedelta(days=1)

    def _candidates(self, day: date, start_sod: int, end_sod: int) -> Sequence[int]:
        """Grid starts (UTC seconds) inside one wall-clock window whose booked minutes fit."""
        origin_sod = math.ceil(start_sod / self.grid) * self.grid
        if origin_sod >= end_sod:
            return ()
        origin, origin_kind = self._wall(day, origin_sod)
        end, end_kind = self._wall(day, end_sod, later=True)
        zone = self.zone
        if (
            origin_kind == EXACT
            and end_kind == EXACT
            and datetime.fromtimestamp(origin, zone).utcoffset()
            == datetime.fromtimestamp(end, zone).utcoffset()
        ):
            # No clock change inside the window: wall-clock steps are real-time steps.
            return range(origin, end - self.booked + 1, self.grid)
        # The clock changes inside the window: convert every grid time on its own.
        starts: list[int] = []
        for sod in range(origin_sod, end_sod, self.grid):
            moment, kind = self._wall(day, sod)
            if kind == SKIPPED:
                continue  # no such wall-clock time today
            if moment + self.booked <= end and (not starts or moment > starts[-1]):
                starts.append(moment)
        return starts

    def day_slots(self, day: date, *, not_before: int) -> list[tuple[int, int, int]]:
        """(start, practitioner id, room id) of every free slot on one local date."""
        opening = _day_windows(self.inputs.opening, day)
        if not opening or not self.room_lines:
            return []
        earliest = max(self.earliest, not_before)
        found: list[tuple[int, int, int]] = []
        for practitioner in self.practitioners:
            windows = _window_intersection(opening, _day_windows(practitioner.hours, day))
            line = self.practitioner_lines[practitioner.practitioner_id]
            for start_sod, end_sod in windows:
                self._scan_window(
                    self._candidates(day, start_sod, end_sod),
                    earliest,
                    line,
                    practitioner.practitioner_id,
                    found,
                )
        found.sort()
        return found

    def _scan_window(
        self,
        candidates: Sequence[int],
        earliest: int,
        line: _Timeline,
        practitioner_id: int,
        found: list[tuple[int, int, int]],
    ) -> None:
        booked, held = self.booked, self.booked + self.buffer
        rooms = self.room_lines
        index = bisect_left(candidates, earliest)
        count = len(candidates)
        while index < count:
            start = candidates[index]
            until = line.blocked_until(start, start + booked)
            if until is not None:
                index = bisect_left(candidates, until, index + 1)
                continue
            # The first free room wins; when none is free, skip to when the first one frees up.
            next_try = None
            for room_id, room_line in rooms:
                room_until = room_line.blocked_until(start, start + held)
                if room_until is None:
                    found.append((start, practitioner_id, room_id))
                    next_try = None
                    break
                if next_try is None or room_until < next_try:
                    next_try = room_until
            index = index + 1 if next_try is None else bisect_left(candidates, next_try, index + 1)

    def to_slots(self, found: Iterable[tuple[int, int, int]]) -> list[Slot]:
        booked = timedelta(seconds=self.booked)
        slots = []
        for start, practitioner_id, room_id in found:
            moment = datetime.fromtimestamp(start, UTC)
            slots.append(Slot(moment, moment + booked, practitioner_id, room_id))
        return slots


def free_slots(
    inputs: AvailabilityInputs,
    *,
    busy: Busy | None = None,
    now: datetime,
    practitioner_id: int | None = None,
    not_before: datetime | None = None,
    limit: int | None = None,
    policy: Policy | None = None,
) -> list[Slot]:
    """Every free slot of the inputs' date range, ordered by start then practitioner id.

    `not_before` drops earlier starts; `limit` stops after that many slots.
    """
    scan = _Scan(
        inputs,
        busy=busy or Busy(),
        now=now,
        policy=policy or Policy.from_settings(),
        practitioner_id=practitioner_id,
        room_id=None,
    )
    floor = _ts(not_before) if not_before is not None else 0
    found: list[tuple[int, int, int]] = []
    for day in scan.days(inputs.start_date, inputs.end_date):
        found.extend(scan.day_slots(day, not_before=floor))
        if limit is not None and len(found) >= limit:
            found = found[:limit]
            break
    return scan.to_slots(found)


def next_free_slots(
    inputs: AvailabilityInputs,
    *,
    busy: Busy | None = None,
    now: datetime,
    after: datetime | None = None,
    limit: int = 5,
    practitioner_id: int | None = None,
    policy: Policy | None = None,
) -> list[Slot]:
    """The first `limit` free slots starting at or after `after` (default: now)."""
    return free_slots(
        inputs,
        busy=busy,
        now=now,
        practitioner_id=practitioner_id,
        not_before=after,
        limit=limit,
        policy=policy,
    )


def slot_at(
    inputs: AvailabilityInputs,
    *,
    busy: Busy | None = None,
    now: datetime,
    start: datetime,
    practitioner_id: int | None = None,
    room_id: int | None = None,
    policy: Policy | None = None,
) -> Slot | None:
    """The free slot starting exactly at `start` (any qualified practitioner unless one is
    named, the first free room unless one is named), or None when it is not free or not a
    valid start (off the grid, outside hours, too soon, too far ahead).

    The inputs must cover the local date of `start`.
    """
    policy = policy or Policy.from_settings()
    day = start.astimezone(policy.zone).date()
    if not inputs.start_date <= day <= inputs.end_date:
        raise ValueError(f"The availability inputs do not cover {day.isoformat()}.")
    scan = _Scan(
        inputs,
        busy=busy or Busy(),
        now=now,
        policy=policy,
        practitioner_id=practitioner_id,
        room_id=room_id,
    )
    wanted = _ts(start)
    for day_of_scan in scan.days(day, day):
        for found in scan.day_slots(day_of_scan, not_before=wanted):
            if found[0] == wanted:
                return scan.to_slots([found])[0]
            break  # sorted by start: the first one decides
    return None


def is_slot_free(
    inputs: AvailabilityInputs,
    *,
    busy: Busy | None = None,
    now: datetime,
    start: datetime,
    practitioner_id: int | None = None,
    room_id: int | None = None,
    policy: Policy | None = None,
) -> bool:
    """True when `slot_at` finds the slot: re-check one start inside the booking transaction."""
    return (
        slot_at(
            inputs,
            busy=busy,
            now=now,
            start=start,
            practitioner_id=practitioner_id,
            room_id=room_id,
            policy=policy,
        )
        is not None
    )
