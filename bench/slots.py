"""Free-slot benchmarks: one procedure, 30 days, 6 practitioners, 1,000 appointments.

The demo clinic (seed_demo) with every practitioner working Monday to Saturday,
09:00-20:00, and 1,000 non-overlapping appointments spread over the month and the three
treatment rooms. The appointments are handed to the engine as `Booking`s, as the booking
code does after its one query for them; that query belongs to the booking work.
"""

import random
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.availability import Booking, Busy, free_slots
from clinic.models import OpeningHours, Practitioner, Room, WorkingHours
from clinic.selectors import availability_inputs
from patients.management.commands.seed_demo import seed_clinic
from procedures.models import Procedure

from .core import Row, benchmark, median_ms

START = date(2026, 6, 1)  # a Monday
DAYS = 30
APPOINTMENTS = 1000


class _Quiet:
    def write(self, text: str) -> None:
        pass


def _demo_month(procedure: Procedure) -> list[Booking]:
    """Load the demo clinic, open it all day, and book the month full-ish."""
    seed_clinic(_Quiet())
    OpeningHours.objects.update(opens=time(9), closes=time(20))
    WorkingHours.objects.all().delete()
    practitioners = list(Practitioner.objects.all())
    for practitioner in practitioners:
        practitioner.extra_procedures.add(procedure)  # the surgeon too: all six qualify
        WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=practitioner, weekday=day, start=time(9), end=time(20))
            for day in range(6)
        )
    # Practitioners also work in the other rooms (consultations, lasers, surgery), so the
    # month's appointments use every room; three treatment rooms alone could not hold 1,000.
    rooms = list(Room.objects.values_list("pk", flat=True))
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    rng = random.Random(2026)
    booked: list[Booking] = []
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        moment = datetime.combine(day, time(9), tzinfo=zone)
        closing = datetime.combine(day, time(20), tzinfo=zone)
        practitioner_free = dict.fromkeys((p.pk for p in practitioners), moment)
        room_free = dict.fromkeys(rooms, moment)
        while moment < closing:
            for practitioner_id in rng.sample(list(practitioner_free), len(practitioner_free)):
                minutes = rng.choice((30, 45, 60))
                end = moment + timedelta(minutes=minutes)
                free = [r for r in rooms if room_free[r] <= moment]
                if practitioner_free[practitioner_id] > moment or end > closing or not free:
                    continue
                if rng.random() < 0.5:
                    continue
                room = rng.choice(free)
                booked.append(
                    Booking(
                        start=moment,
                        end=end,
                        practitioner_id=practitioner_id,
                        room_id=room,
                        buffer_minutes=10,
                    )
                )
                practitioner_free[practitioner_id] = end
                room_free[room] = end + timedelta(minutes=10)
            moment += timedelta(minutes=15)
    assert len(booked) >= APPOINTMENTS, len(booked)
    return rng.sample(booked, APPOINTMENTS)


@benchmark
def free_slots_for_a_month() -> Iterable[Row]:
    procedure = Procedure.objects.get(slug="glycolic-peel")
    bookings = _demo_month(procedure)
    now = datetime(2026, 5, 31, 12, 0, tzinfo=ZoneInfo(settings.CLINIC_TIME_ZONE))

    def whole() -> int:
        inputs = availability_inputs(procedure, START, DAYS)
        return len(free_slots(inputs, busy=Busy.from_bookings(bookings), now=now))

    inputs = availability_inputs(procedure, START, DAYS)
    busy = Busy.from_bookings(bookings)

    def engine_only() -> int:
        return len(free_slots(inputs, busy=busy, now=now))

    found = whole()
    queries = {}
    for days in (7, DAYS):
        with CaptureQueriesContext(connection) as captured:
            availability_inputs(procedure, START, days)
        queries[days] = len(captured)
    note = (
        f"{len(inputs.practitioners)} practitioners, {len(inputs.room_ids)} rooms, "
        f"{found} slots free; target < 50 ms"
    )
    yield (
        "free slots, one procedure, 30 days, 6 practitioners, 1,000 appointments",
        f"{median_ms(whole, repeat=30):.2f}",
        "ms median",
        note,
    )
    yield (
        "  of which the pure engine (clinic.availability.free_slots)",
        f"{median_ms(engine_only, repeat=30):.2f}",
        "ms median",
        "",
    )
    yield (
        "  SQL queries of availability_inputs, 7 days / 30 days",
        f"{queries[7]} / {queries[DAYS]}",
        "queries",
        "+1 for the appointments (booking code); target <= 6",
    )
