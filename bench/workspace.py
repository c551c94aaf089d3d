"""Staff workspace benchmarks: the schedule grid and the manager's dashboard.

Runs after `bench.booking` (its demo clinic: practitioners, rooms, hours) and
stores four weeks of back-to-back appointments for every practitioner that has a
room of their own (inside a transaction rolled back afterwards), then times one
day for every practitioner, one week for one practitioner, and the dashboard
over the month. Each also reports its query count, which stays the same whatever
the number of appointments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clinic.models import Practitioner, Room, User
from patients.models import Appointment, PatientProfile
from patients.workspace.selectors import BY_PRACTITIONER, calendar_grid, dashboard
from procedures.models import Procedure

from .core import Row, benchmark, median_ms
from .slots import DAYS, START


def _queries(func: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def _store_month() -> None:
    """45-minute appointments 09:00-18:00 on weekdays, one patient and one room per
    practitioner, so nothing overlaps (PostgreSQL's exclusion constraints hold)."""
    procedure = Procedure.objects.get(slug="glycolic-peel")
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    rooms = list(Room.objects.order_by("pk"))
    practitioners = list(Practitioner.objects.order_by("pk")[: len(rooms)])
    rows = []
    for index, (practitioner, room) in enumerate(zip(practitioners, rooms, strict=False)):
        user = User.objects.create_user(email=f"bench-workspace{index}@example.test")
        patient = PatientProfile.objects.create(user=user)
        for offset in range(DAYS):
            day = START + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            start = datetime.combine(day, time(9), tzinfo=zone)
            while start.time() < time(18):
                end = start + timedelta(minutes=45)
                rows.append(
                    Appointment(
                        patient=patient,
                        procedure=procedure,
                        practitioner=practitioner,
                        room=room,
                        start=start,
                        end=end,
                        room_free_at=end,
                        status=Appointment.Status.CONFIRMED,
                        procedure_name_en=procedure.name_en or procedure.name,
                        price=Decimal("3500"),
                        booked_minutes=45,
                        screening_outcome="ok",
                        channel=Appointment.Channel.DESK,
                        created_by=user,
                    )
                )
                start = end
    Appointment.objects.bulk_create(rows)


@benchmark
def staff_workspace() -> Iterable[Row]:
    with transaction.atomic():
        _store_month()
        rows = list(_measure())
        transaction.set_rollback(True)
    yield from rows


def _measure() -> Iterable[Row]:
    stored = Appointment.objects.count()
    first = Practitioner.objects.order_by("pk").values_list("pk", flat=True).first()
    today = START + timedelta(days=DAYS - 1)
    now = datetime.combine(today, time(18), tzinfo=ZoneInfo(settings.CLINIC_TIME_ZONE))

    def day() -> object:
        return calendar_grid(day=START + timedelta(days=1), days=1, by=BY_PRACTITIONER)

    def week() -> object:
        return calendar_grid(day=START, days=7, by=BY_PRACTITIONER, resource_id=first)

    def figures() -> object:
        return dashboard(today=today, now=now)

    for label, func, target in (
        ("schedule grid, one day, every practitioner", day, "target < 50 ms"),
        ("schedule grid, one week, one practitioner", week, "target < 50 ms"),
        ("manager dashboard, four weeks", figures, "target < 200 ms"),
    ):
        yield (
            f"{label} ({stored} stored appointments)",
            f"{median_ms(func, repeat=20):.2f}",
            "ms median",
            f"{_queries(func)} SQL queries; {target}",
        )
