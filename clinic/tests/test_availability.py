"""Free slots: the grid, lead time and horizon, hours, closures, busy practitioners and rooms,
days that lose or gain an hour, and the selector's constant number of queries."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from clinic.availability import (
    AvailabilityInputs,
    Booking,
    Busy,
    ClosedPeriod,
    Needs,
    PractitionerHours,
    Slot,
    WeeklyHours,
    free_slots,
    is_slot_free,
    local_day_bounds,
    next_free_slots,
    slot_at,
    wall_to_utc,
)
from clinic.models import Room
from clinic.selectors import availability_inputs
from clinic.tests.factories import (
    ClosureFactory,
    OpeningHoursFactory,
    PractitionerFactory,
    RoomFactory,
    WorkingHoursFactory,
)
from procedures.models import Procedure

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
MONDAY = date(2026, 6, 1)
NOW = datetime(2026, 5, 25, 9, 0, tzinfo=MSK)  # the Monday before


@pytest.fixture(autouse=True)
def pinned_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def every_day(start: time, end: time) -> tuple[WeeklyHours, ...]:
    return tuple(WeeklyHours(weekday=d, start=start, end=end) for d in range(7))


def doctor(pk: int = 1, start: time = time(9), end: time = time(18)) -> PractitionerHours:
    return PractitionerHours(practitioner_id=pk, hours=every_day(start, end))


def make_inputs(
    *,
    minutes: int = 45,
    buffer: int = 10,
    start_date: date = MONDAY,
    days: int = 1,
    practitioners: tuple[PractitionerHours, ...] | None = None,
    rooms: tuple[int, ...] = (10,),
    opening: tuple[WeeklyHours, ...] | None = None,
    closures: tuple[ClosedPeriod, ...] = (),
) -> AvailabilityInputs:
    return AvailabilityInputs(
        needs=Needs(booked_minutes=minutes, buffer_minutes=buffer, room_kind="treatment"),
        start_date=start_date,
        days=days,
        practitioners=practitioners if practitioners is not None else (doctor(),),
        room_ids=rooms,
        opening=opening if opening is not None else every_day(time(9), time(20)),
        closures=closures,
    )


def at(day: date, hh: int, mm: int = 0, zone: ZoneInfo = MSK) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=zone)


def labels(slots: list[Slot], zone: ZoneInfo = MSK) -> list[str]:
    return [s.start.astimezone(zone).strftime("%H:%M") for s in slots]


def grid(start: str, last: str, step: int = 15) -> list[str]:
    """Every grid label from `start` to `last` inclusive."""
    h, m = map(int, start.split(":"))
    lh, lm = map(int, last.split(":"))
    out, minutes = [], h * 60 + m
    while minutes <= lh * 60 + lm:
        out.append(f"{minutes // 60:02d}:{minutes % 60:02d}")
        minutes += step
    return out


def booking(
    start: datetime, minutes: int, *, practitioner: int | None, room: int | None, buffer: int = 10
) -> Booking:
    return Booking(
        start=start,
        end=start + timedelta(minutes=minutes),
        practitioner_id=practitioner,
        room_id=room,
        buffer_minutes=buffer,
    )


# --- the grid, lead time, horizon --------------------------------------------------------


def test_slots_lie_on_the_local_grid_and_the_booked_minutes_fit_the_hours() -> None:
    inputs = make_inputs(practitioners=(doctor(start=time(9), end=time(12)),))

    slots = free_slots(inputs, now=timezone.now())

    assert labels(slots) == grid("09:00", "11:15")
    first = slots[0]
    assert first.start == datetime(2026, 6, 1, 6, 0, tzinfo=UTC)  # Moscow is UTC+3
    assert first.start.tzinfo == UTC
    assert first.end - first.start == timedelta(minutes=45)
    assert {(s.practitioner_id, s.room_id) for s in slots} == {(1, 10)}


def test_hours_off_the_grid_start_at_the_next_grid_time() -> None:
    inputs = make_inputs(practitioners=(doctor(start=time(9, 10), end=time(11)),))

    assert labels(free_slots(inputs, now=timezone.now())) == grid("09:15", "10:15")


def test_a_slot_starts_at_least_the_lead_time_after_now() -> None:
    now = at(MONDAY, 8, 40)  # two hours on: 10:40, so the first grid start is 10:45
    inputs = make_inputs()

    slots = free_slots(inputs, now=now)

    assert labels(slots)[0] == "10:45"
    assert all(s.start >= now + timedelta(minutes=120) for s in slots)


def test_no_day_before_today_and_none_beyond_the_horizon() -> None:
    today = NOW.date()
    inputs = make_inputs(start_date=today - timedelta(days=3), days=100, minutes=480, buffer=0)

    slots = free_slots(inputs, now=timezone.now())
    days = sorted({s.start.astimezone(MSK).date() for s in slots})

    # 09:00 today is within the lead time; the first day with an 8-hour slot is tomorrow.
    assert days[0] == today + timedelta(days=1)
    assert days[-1] == today + timedelta(days=90)
    assert len(days) == 90


@override_settings(BOOKING_MAX_DAYS_AHEAD=10, BOOKING_MIN_LEAD_MINUTES=0, SLOT_GRID_MINUTES=30)
def test_the_policy_comes_from_the_settings() -> None:
    inputs = make_inputs(start_date=NOW.date(), days=30, minutes=60, buffer=0)

    slots = free_slots(inputs, now=timezone.now())

    assert labels(slots)[:3] == ["09:00", "09:30", "10:00"]  # 30-minute grid, no lead time
    assert max(s.start.astimezone(MSK).date() for s in slots) == NOW.date() + timedelta(days=10)


# --- hours -------------------------------------------------------------------------------


def test_slots_lie_inside_both_opening_and_working_hours() -> None:
    inputs = make_inputs(
        practitioners=(doctor(start=time(7), end=time(22)),),
        opening=every_day(time(9), time(20)),
    )

    assert labels(free_slots(inputs, now=timezone.now())) == grid("09:00", "19:15")


def test_a_weekday_without_opening_hours_has_no_slots() -> None:
    weekdays_only = tuple(WeeklyHours(weekday=d, start=time(9), end=time(20)) for d in range(5))
    inputs = make_inputs(start_date=MONDAY, days=7, opening=weekdays_only)

    days = {s.start.astimezone(MSK).date() for s in free_slots(inputs, now=timezone.now())}

    assert days == {MONDAY + timedelta(days=n) for n in range(5)}


def test_split_shifts_and_hours_valid_between_dates() -> None:
    hours = (
        WeeklyHours(weekday=0, start=time(9), end=time(10)),
        WeeklyHours(weekday=0, start=time(15), end=time(16)),
        WeeklyHours(weekday=0, start=time(18), end=time(19), valid_from=MONDAY + timedelta(7)),
        WeeklyHours(weekday=0, start=time(12), end=time(13), valid_until=MONDAY - timedelta(1)),
    )
    inputs = make_inputs(
        minutes=30, practitioners=(PractitionerHours(practitioner_id=1, hours=hours),)
    )

    assert labels(free_slots(inputs, now=timezone.now())) == [
        *grid("09:00", "09:30"),
        *grid("15:00", "15:30"),
    ]


# --- closures ----------------------------------------------------------------------------


def test_a_clinic_closure_stops_everyone() -> None:
    inputs = make_inputs(
        days=2,
        practitioners=(doctor(1), doctor(2)),
        closures=(ClosedPeriod(starts_on=MONDAY, ends_on=MONDAY),),
    )

    days = {s.start.astimezone(MSK).date() for s in free_slots(inputs, now=timezone.now())}

    assert days == {MONDAY + timedelta(days=1)}


def test_a_practitioners_closure_with_times_stops_only_them() -> None:
    inputs = make_inputs(
        practitioners=(doctor(1, end=time(12)), doctor(2, end=time(12))),
        rooms=(10, 11),
        closures=(
            ClosedPeriod(
                starts_on=MONDAY,
                ends_on=MONDAY,
                start_time=time(10),
                end_time=time(11),
                practitioner_id=1,
            ),
        ),
    )

    slots = free_slots(inputs, now=timezone.now())

    first = [s for s in slots if s.practitioner_id == 1]
    assert labels(first) == [*grid("09:00", "09:15"), *grid("11:00", "11:15")]
    assert labels([s for s in slots if s.practitioner_id == 2]) == grid("09:00", "11:15")


def test_a_multi_day_holiday_covers_whole_days() -> None:
    inputs = make_inputs(
        days=4,
        closures=(
            ClosedPeriod(
                starts_on=MONDAY + timedelta(1), ends_on=MONDAY + timedelta(2), practitioner_id=1
            ),
        ),
    )

    days = {s.start.astimezone(MSK).date() for s in free_slots(inputs, now=timezone.now())}

    assert days == {MONDAY, MONDAY + timedelta(3)}


def test_a_rooms_closure_moves_bookings_to_another_room_or_stops_them() -> None:
    maintenance = ClosedPeriod(starts_on=MONDAY, ends_on=MONDAY, room_id=10)

    two_rooms = free_slots(make_inputs(rooms=(10, 11), closures=(maintenance,)), now=timezone.now())
    one_room = free_slots(make_inputs(rooms=(10,), closures=(maintenance,)), now=timezone.now())

    assert two_rooms
    assert {s.room_id for s in two_rooms} == {11}
    assert one_room == []


def test_a_rooms_closure_also_holds_the_buffer() -> None:
    # Maintenance from 10:00: a 45-minute procedure at 09:15 would be cleaned up until 10:10.
    inputs = make_inputs(
        closures=(ClosedPeriod(starts_on=MONDAY, ends_on=MONDAY, start_time=time(10), room_id=10),),
    )

    assert labels(free_slots(inputs, now=timezone.now())) == ["09:00"]


# --- busy practitioners and rooms ---------------------------------------------------------


def test_a_busy_practitioner_is_busy_for_the_booked_minutes_only() -> None:
    # Dr 1 books 10:00-10:45 in room 10; room 11 is free, so 10:45 is offered at once: the
    # clean-up of room 10 does not hold the practitioner.
    busy = Busy.from_bookings([booking(at(MONDAY, 10), 45, practitioner=1, room=10)])
    inputs = make_inputs(practitioners=(doctor(end=time(12)),), rooms=(10, 11))

    slots = free_slots(inputs, busy=busy, now=timezone.now())

    assert labels(slots) == [*grid("09:00", "09:15"), *grid("10:45", "11:15")]
    assert {s.room_id for s in slots if labels([s]) == ["10:45"]} == {11}
    assert [s.room_id for s in slots if labels([s]) == ["11:00"]] == [10]  # cleaned by 10:55


def test_a_busy_room_is_busy_for_minutes_plus_buffer() -> None:
    # Another practitioner uses the only room 10:00-10:45, cleaned until 10:55.
    busy = Busy.from_bookings([booking(at(MONDAY, 10), 45, practitioner=99, room=10)])
    inputs = make_inputs(practitioners=(doctor(end=time(12)),))

    slots = free_slots(inputs, busy=busy, now=timezone.now())

    # The new booking's own buffer counts too: 09:15 ends 10:00 but is cleaned until 10:10.
    assert labels(slots) == ["09:00", *grid("11:00", "11:15")]


def test_the_first_free_room_of_the_kind_is_assigned() -> None:
    busy = Busy.from_bookings([booking(at(MONDAY, 9), 45, practitioner=99, room=10)])
    inputs = make_inputs(rooms=(10, 11, 12), practitioners=(doctor(end=time(11)),))

    slots = free_slots(inputs, busy=busy, now=timezone.now())

    assert [(label, s.room_id) for label, s in zip(labels(slots), slots, strict=True)][:5] == [
        ("09:00", 11),
        ("09:15", 11),
        ("09:30", 11),
        ("09:45", 11),
        ("10:00", 10),
    ]


def test_one_slot_per_start_per_practitioner_and_a_practitioner_filter() -> None:
    inputs = make_inputs(
        practitioners=(doctor(1, end=time(10)), doctor(2, end=time(10))), rooms=(10, 11)
    )

    both = free_slots(inputs, now=timezone.now())
    only_two = free_slots(inputs, now=timezone.now(), practitioner_id=2)

    assert [(labels([s])[0], s.practitioner_id) for s in both][:4] == [
        ("09:00", 1),
        ("09:00", 2),
        ("09:15", 1),
        ("09:15", 2),
    ]
    assert {s.practitioner_id for s in only_two} == {2}
    assert labels(only_two) == grid("09:00", "09:15")


def test_no_room_of_the_kind_means_no_slots() -> None:
    assert free_slots(make_inputs(rooms=()), now=timezone.now()) == []


def test_many_bookings_give_the_same_answer_as_a_plain_check() -> None:
    """The bisect engine agrees with a brute-force check of every candidate."""
    import random

    rng = random.Random(7)
    starts = [
        at(MONDAY + timedelta(days=rng.randrange(10)), rng.randrange(9, 19), 15 * rng.randrange(4))
        for _ in range(250)
    ]
    bookings = [
        booking(
            s,
            rng.choice((30, 45, 60)),
            practitioner=rng.randrange(1, 4),
            room=rng.randrange(10, 13),
        )
        for s in starts
    ]
    inputs = make_inputs(
        days=10,
        practitioners=(doctor(1), doctor(2, time(12), time(20)), doctor(3, time(10), time(16))),
        rooms=(10, 11, 12),
    )

    slots = free_slots(inputs, busy=Busy.from_bookings(bookings), now=timezone.now())

    def overlaps(a: datetime, b: datetime, c: datetime, d: datetime) -> bool:
        return a < d and c < b

    expected = []
    for day in (MONDAY + timedelta(days=n) for n in range(10)):
        for pid, (start, end) in ((1, (9, 18)), (2, (12, 20)), (3, (10, 16))):
            t = at(day, start)
            while t + timedelta(minutes=45) <= at(day, min(end, 20)):
                held = t + timedelta(minutes=55)
                if not any(
                    b.practitioner_id == pid
                    and overlaps(t, t + timedelta(minutes=45), b.start, b.end)
                    for b in bookings
                ):
                    room = next(
                        (
                            r
                            for r in (10, 11, 12)
                            if not any(
                                b.room_id == r
                                and overlaps(t, held, b.start, b.end + timedelta(minutes=10))
                                for b in bookings
                            )
                        ),
                        None,
                    )
                    if room is not None:
                        expected.append(
                            Slot(
                                t.astimezone(UTC),
                                t.astimezone(UTC) + timedelta(minutes=45),
                                pid,
                                room,
                            )
                        )
                t += timedelta(minutes=15)
    assert slots == sorted(expected)
    assert 100 < len(slots) < 700  # busy, but not fully booked: the comparison means something


# --- days that lose or gain an hour ----------------------------------------------------------

DST_DAYS = [
    pytest.param("Europe/Berlin", date(2026, 3, 29), date(2026, 10, 25), 1, id="Europe/Berlin"),
    pytest.param("America/New_York", date(2026, 3, 8), date(2026, 11, 1), -5, id="New_York"),
]


@pytest.mark.parametrize(("zone_name", "spring", "autumn", "winter_offset"), DST_DAYS)
def test_a_working_day_on_both_clock_changes_gives_every_local_slot_once(
    zone_name: str, spring: date, autumn: date, winter_offset: int
) -> None:
    zone = ZoneInfo(zone_name)
    summer_offset = winter_offset + 1
    for day, offset, offset_before in (
        (spring, summer_offset, winter_offset),
        (autumn, winter_offset, summer_offset),
    ):
        with (
            override_settings(CLINIC_TIME_ZONE=zone_name),
            time_machine.travel(at(day - timedelta(days=7), 9, zone=zone), tick=False),
        ):
            inputs = make_inputs(
                start_date=day - timedelta(days=1),
                days=2,
                minutes=30,
                practitioners=(doctor(start=time(9), end=time(18)),),
            )
            slots = free_slots(inputs, now=timezone.now())

        on_day = [s for s in slots if s.start.astimezone(zone).date() == day]
        day_before = [s for s in slots if s.start.astimezone(zone).date() == day - timedelta(1)]
        assert labels(on_day, zone) == grid("09:00", "17:30")
        assert labels(day_before, zone) == grid("09:00", "17:30")
        # The UTC instants follow the day's own offset.
        assert on_day[0].start == datetime.combine(day, time(9 - offset), tzinfo=UTC)
        assert day_before[0].start == datetime.combine(
            day - timedelta(1), time(9 - offset_before), tzinfo=UTC
        )
        assert all(b.start - a.start == timedelta(minutes=15) for a, b in pairwise(on_day))


@override_settings(CLINIC_TIME_ZONE="Europe/Berlin")
def test_the_skipped_hour_gives_no_slots_and_no_gap_in_real_time() -> None:
    spring = date(2026, 3, 29)  # 02:00 CET jumps to 03:00 CEST
    berlin = ZoneInfo("Europe/Berlin")
    with time_machine.travel(at(spring - timedelta(7), 9, zone=berlin), tick=False):
        inputs = make_inputs(
            start_date=spring,
            minutes=30,
            practitioners=(doctor(start=time(0), end=time(6)),),
            opening=every_day(time(0), time(23)),
        )
        slots = free_slots(inputs, now=timezone.now())

    skipped = {"02:00", "02:15", "02:30", "02:45"}
    assert labels(slots, berlin) == [g for g in grid("00:00", "05:30") if g not in skipped]
    before, after = (s for s in slots if labels([s], berlin)[0] in {"01:45", "03:00"})
    assert after.start - before.start == timedelta(minutes=15)  # 00:45 and 01:00 UTC
    assert after.start == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    # The 01:45 slot runs 30 real minutes, past the jump, to 03:15 CEST.
    assert before.end.astimezone(berlin).strftime("%H:%M") == "03:15"


@override_settings(CLINIC_TIME_ZONE="Europe/Berlin")
def test_the_repeated_hour_is_offered_once_at_its_first_occurrence() -> None:
    autumn = date(2026, 10, 25)  # 03:00 CEST falls back to 02:00 CET
    berlin = ZoneInfo("Europe/Berlin")
    with time_machine.travel(at(autumn - timedelta(7), 9, zone=berlin), tick=False):
        inputs = make_inputs(
            start_date=autumn,
            minutes=30,
            practitioners=(doctor(start=time(0), end=time(6)),),
            opening=every_day(time(0), time(23)),
        )
        slots = free_slots(inputs, now=timezone.now())

    assert labels(slots, berlin) == grid("00:00", "05:30")
    two_fifteen = slots[labels(slots, berlin).index("02:15")]
    assert two_fifteen.start == datetime(2026, 10, 25, 0, 15, tzinfo=UTC)  # CEST, the first
    assert len({s.start for s in slots}) == len(slots)


def test_wall_clock_conversion_rules() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # Skipped: the instant of the jump. Repeated: first occurrence, or the second if later.
    assert wall_to_utc(date(2026, 3, 29), time(2, 30), zone=berlin) == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )
    assert wall_to_utc(date(2026, 10, 25), time(2, 30), zone=berlin) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    assert wall_to_utc(date(2026, 10, 25), time(2, 30), zone=berlin, later=True) == datetime(
        2026, 10, 25, 1, 30, tzinfo=UTC
    )
    start, end = local_day_bounds(date(2026, 3, 29), zone=berlin)
    assert end - start == timedelta(hours=23)
    start, end = local_day_bounds(date(2026, 10, 25), zone=berlin)
    assert end - start == timedelta(hours=25)


# --- one slot, and the next ones ---------------------------------------------------------------


def test_slot_at_rechecks_one_start() -> None:
    busy = Busy.from_bookings([booking(at(MONDAY, 10), 45, practitioner=1, room=10)])
    inputs = make_inputs(practitioners=(doctor(1), doctor(2)), rooms=(10, 11))
    now = timezone.now()

    free = slot_at(inputs, busy=busy, now=now, start=at(MONDAY, 10))
    assert free == Slot(at(MONDAY, 10), at(MONDAY, 10, 45), 2, 11)
    assert slot_at(inputs, busy=busy, now=now, start=at(MONDAY, 10), practitioner_id=1) is None
    assert slot_at(inputs, busy=busy, now=now, start=at(MONDAY, 10), room_id=10) is None
    assert slot_at(inputs, busy=busy, now=now, start=at(MONDAY, 10, 5)) is None  # off the grid
    assert slot_at(inputs, busy=busy, now=now, start=at(MONDAY, 17, 30)) is None  # past 18:00
    assert is_slot_free(inputs, busy=busy, now=now, start=at(MONDAY, 11), practitioner_id=1)
    assert not is_slot_free(inputs, busy=busy, now=at(MONDAY, 9), start=at(MONDAY, 10))
    with pytest.raises(ValueError, match="do not cover"):
        slot_at(inputs, now=now, start=at(MONDAY + timedelta(days=1), 10))


def test_next_free_slots_after_a_lost_race() -> None:
    busy = Busy.from_bookings([booking(at(MONDAY, 10), 45, practitioner=1, room=10)])
    inputs = make_inputs(days=3)

    after = next_free_slots(inputs, busy=busy, now=timezone.now(), after=at(MONDAY, 10), limit=3)
    late = next_free_slots(inputs, busy=busy, now=timezone.now(), after=at(MONDAY, 17), limit=3)

    assert labels(after) == ["11:00", "11:15", "11:30"]  # the room is cleaned until 10:55
    assert [s.start for s in late] == [
        at(MONDAY, 17),
        at(MONDAY, 17, 15),
        at(MONDAY + timedelta(1), 9),
    ]


def test_aware_datetimes_only() -> None:
    with pytest.raises(ValueError, match="aware"):
        free_slots(make_inputs(), now=datetime(2026, 5, 25, 9, 0))


def test_busy_window_covers_the_range_with_a_days_margin() -> None:
    inputs = make_inputs(start_date=MONDAY, days=7)
    assert inputs.busy_from == datetime(2026, 5, 31, tzinfo=UTC)
    assert inputs.busy_until == datetime(2026, 6, 9, tzinfo=UTC)


# --- the database side -----------------------------------------------------------------------


@pytest.fixture
def peel() -> Procedure:
    return Procedure.objects.get(slug="glycolic-peel")  # treatment room, derm or cosm, 45+10


def open_all_week() -> None:
    for weekday in range(7):
        OpeningHoursFactory(weekday=weekday, opens=time(9), closes=time(20))


def test_availability_inputs_reads_the_clinic(peel: Procedure) -> None:
    open_all_week()
    derm = PractitionerFactory(roles=["derm"])
    cosm = PractitionerFactory(roles=["cosm"])
    PractitionerFactory(roles=["surg"])  # may not do peels
    PractitionerFactory(roles=["derm"], is_active=False)
    WorkingHoursFactory(practitioner=derm, weekday=0, start=time(9), end=time(13))
    WorkingHoursFactory(practitioner=cosm, weekday=0, start=time(14), end=time(18))
    WorkingHoursFactory(practitioner=cosm, weekday=1, valid_until=MONDAY - timedelta(days=1))
    room_b = RoomFactory(name="Treatment B")
    room_a = RoomFactory(name="Treatment A")
    RoomFactory(name="Treatment C", is_active=False)
    laser = RoomFactory(name="Laser", kind=Room.Kind.LASER)
    ClosureFactory(starts_on=MONDAY, practitioner=derm, reason="Training")
    ClosureFactory(starts_on=MONDAY, room=laser, reason="Service")  # not a peel's room
    ClosureFactory(starts_on=MONDAY + timedelta(days=30), reason="Far away")

    inputs = availability_inputs(peel, MONDAY, 7)

    assert inputs.needs == Needs(booked_minutes=45, buffer_minutes=10, room_kind="treatment")
    assert set(inputs.practitioner_ids) == {derm.pk, cosm.pk}
    hours = {p.practitioner_id: p.hours for p in inputs.practitioners}
    assert hours[derm.pk] == (WeeklyHours(weekday=0, start=time(9), end=time(13)),)
    assert hours[cosm.pk] == (WeeklyHours(weekday=0, start=time(14), end=time(18)),)
    assert inputs.room_ids == (room_a.pk, room_b.pk)  # by name, only active treatment rooms
    assert len(inputs.opening) == 7
    assert inputs.closures == (
        ClosedPeriod(starts_on=MONDAY, ends_on=MONDAY, practitioner_id=derm.pk),
    )

    slots = free_slots(inputs, now=timezone.now())
    assert {s.practitioner_id for s in slots} == {cosm.pk}  # derm is at a training
    on_monday = [s for s in slots if s.start.astimezone(MSK).date() == MONDAY]
    assert labels(on_monday) == grid("14:00", "17:15")
    only_derm = availability_inputs(peel, MONDAY, 7, practitioner=derm.pk)
    assert only_derm.practitioner_ids == (derm.pk,)


def test_availability_inputs_takes_the_same_few_queries_for_a_week_or_a_month(
    peel: Procedure,
) -> None:
    open_all_week()
    for n in range(6):
        practitioner = PractitionerFactory(roles=[("derm", "cosm")[n % 2]])
        for weekday in range(6):
            WorkingHoursFactory(practitioner=practitioner, weekday=weekday)
        ClosureFactory(starts_on=MONDAY + timedelta(days=n * 4), practitioner=practitioner)
    for n in range(3):
        RoomFactory(name=f"Treatment {n}")
    ClosureFactory(starts_on=MONDAY + timedelta(days=20), reason="Clinic holiday")

    counts = {}
    for days in (7, 30):
        with CaptureQueriesContext(connection) as queries:
            inputs = availability_inputs(peel, MONDAY, days)
        counts[days] = len(queries)
        assert len(inputs.practitioners) == 6
    assert counts[7] == counts[30]
    assert counts[30] <= 5
