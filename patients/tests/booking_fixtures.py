"""Fixtures for the booking tests: a small clinic, a pinned clock, patients ready to book.

The clinic (`clinic_setup`): open 09:00-20:00 every day, one dermatologist and one
cosmetologist working 09:00-18:00 every day, one room of each kind. The clock is
pinned to Monday 1 June 2026, 08:00 Moscow (`pinned_now`); `at(day, hour, minute)`
gives an aware start in the clinic's zone. `ready(user, *categories)` gives a patient
the baseline intake and signs the consents of the categories.
Loaded for the whole suite through the root conftest (like the personas).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.servers.basehttp import ThreadedWSGIServer

from clinic.models import Practitioner, Room, User
from clinic.tests.factories import (
    OpeningHoursFactory,
    PractitionerFactory,
    RoomFactory,
    UserFactory,
    WorkingHoursFactory,
)
from patients.records import services
from patients.records.selectors import current_consent_text
from patients.tests.factories import give_baseline_intake, give_done_session
from procedures.models import Procedure

# The race tests send 50 requests at once; Django's test server listens with a backlog of
# 10, and the connections beyond it are reset before any request is read. A larger backlog
# (a production server such as gunicorn has 2048) lets every request reach the view.
ThreadedWSGIServer.request_queue_size = 128

MSK = ZoneInfo("Europe/Moscow")
NOW = dt.datetime(2026, 6, 1, 8, 0, tzinfo=MSK)  # a Monday
WEDNESDAY = dt.date(2026, 6, 3)


def at(day: dt.date, hour: int, minute: int = 0, *, zone: dt.tzinfo = MSK) -> dt.datetime:
    """An aware wall-clock time of the clinic (Moscow unless a zone is given)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def sign(user: User, category: str) -> None:
    text = current_consent_text(category)
    assert text is not None, f"no consent text for {category}"
    services.sign_consent(
        patient=user.patient_profile,
        text=text,
        full_name=user.get_full_name(),
        ticked=True,
        ip_address="127.0.0.1",
        user_agent="tests",
        language="en",
    )


def ready(user: User, *categories: str, consulted: bool = False, **intake_changes: Any) -> User:
    """Give the patient the baseline intake (with changes) and sign the categories' consents.

    `consulted`: a consultation done a month ago, which the procedures that need one
    first (rules-v2.md section 3) ask for; tests of that rule pass False.
    """
    give_baseline_intake(user, **intake_changes)
    for category in categories or ("peel",):
        sign(user, category)
    if consulted:
        give_done_session(user, "consultation")
    return user


def add_practitioner(
    roles: list[str], *, first_name: str = "Daria", hours: tuple[int, int] = (9, 18)
) -> Practitioner:
    practitioner = PractitionerFactory(
        user=UserFactory(first_name=first_name, is_staff=True), roles=roles
    )
    for weekday in range(7):
        WorkingHoursFactory(
            practitioner=practitioner,
            weekday=weekday,
            start=dt.time(hours[0]),
            end=dt.time(hours[1]),
        )
    return practitioner


@dataclass
class Clinic:
    derm: Practitioner
    cosm: Practitioner
    rooms: dict[str, Room]

    @staticmethod
    def procedure(slug: str) -> Procedure:
        return Procedure.objects.get(slug=slug)


@pytest.fixture
def pinned_now() -> Iterator[dt.datetime]:
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def clinic_setup(db: None) -> Clinic:
    for weekday in range(7):
        OpeningHoursFactory(weekday=weekday, opens=dt.time(9), closes=dt.time(20))
    derm = add_practitioner(["derm"], first_name="Dmitry")
    cosm = add_practitioner(["cosm"], first_name="Kira")
    rooms = {kind: RoomFactory(name=f"{kind} room", kind=kind) for kind in Room.Kind.values}
    return Clinic(derm=derm, cosm=cosm, rooms=rooms)
