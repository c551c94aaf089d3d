"""Free slots as booking reads them: the same small number of queries for a week or a month,
and what holds time (active appointments, open offers) versus what does not (cancelled)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import User
from patients.booking.selectors import free_slots_for
from patients.booking.services import book_appointment, cancel_appointment
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow."""


def test_free_slots_query_count_is_the_same_for_7_and_30_days(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    peel = clinic_setup.procedure("glycolic-peel")
    for day in range(3):
        book_appointment(
            patient=patient.patient_profile,
            procedure=peel,
            start=at(WEDNESDAY + dt.timedelta(days=14 * day), 10),
            booked_by=patient,
            channel="web",
        )
    counts = {}
    found = {}
    for days in (7, 30):
        with CaptureQueriesContext(connection) as queries:
            found[days] = free_slots_for(peel, start_date=WEDNESDAY, days=days)
        counts[days] = len(queries)
    assert counts[7] == counts[30]
    assert counts[30] <= 6
    assert len(found[30]) > len(found[7]) > 0


def test_active_appointments_hold_time_and_cancelled_ones_do_not(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    peel = clinic_setup.procedure("glycolic-peel")

    def starts() -> set[dt.datetime]:
        return {
            slot.start
            for slot in free_slots_for(
                peel, start_date=WEDNESDAY, days=1, practitioner=clinic_setup.derm
            )
        }

    assert at(WEDNESDAY, 10) in starts()
    appointment = book_appointment(
        patient=patient.patient_profile,
        procedure=peel,
        start=at(WEDNESDAY, 10),
        practitioner=clinic_setup.derm,
        booked_by=patient,
        channel="web",
    )
    held = starts()
    # The practitioner's 45 minutes and the only treatment room's 10 more are taken; a
    # booking before it needs the room for its own clean-up too (9:15 would end at 10:10).
    assert not {at(WEDNESDAY, 9, 15), at(WEDNESDAY, 10), at(WEDNESDAY, 10, 45)} & held
    assert at(WEDNESDAY, 9) in held  # its room is free again at 9:55
    assert at(WEDNESDAY, 11) in held
    cancel_appointment(appointment=appointment, by=patient)
    assert at(WEDNESDAY, 10) in starts()
