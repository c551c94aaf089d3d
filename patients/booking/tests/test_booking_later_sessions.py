"""The minimum interval seen from the other side: no session slipped in before,
or moved past, a session of the same procedure that is already booked."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.models import User
from patients.booking.services import (
    TooCloseToLaterSession,
    book_appointment,
    move_appointment,
)
from patients.booking.tests.test_booking_api import api_for
from patients.models import Appointment
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready

pytestmark = pytest.mark.django_db

PEEL = "glycolic-peel"  # sessions at least 14 days apart (catalogue.md)
TWO_WEEKS_LATER = WEDNESDAY + dt.timedelta(days=14)


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow."""


def book(user: User, clinic: Clinic, start: dt.datetime) -> Appointment:
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure(PEEL),
        start=start,
        booked_by=user,
        channel=Appointment.Channel.WEB,
    )


@pytest.fixture
def later_session(clinic_setup: Clinic, patient: User) -> Appointment:
    """A peel booked for Wednesday 17 June: nothing else may come closer than 14 days before."""
    ready(patient, "peel")
    return book(patient, clinic_setup, at(TWO_WEEKS_LATER, 10))


def test_a_booking_exactly_the_interval_before_a_later_session_is_allowed(
    clinic_setup: Clinic, patient: User, later_session: Appointment
) -> None:
    earlier = book(patient, clinic_setup, at(WEDNESDAY, 10))

    assert earlier.status == Appointment.Status.CONFIRMED


def test_a_booking_a_day_too_close_to_a_later_session_is_refused(
    clinic_setup: Clinic, patient: User, later_session: Appointment
) -> None:
    with pytest.raises(TooCloseToLaterSession) as refused:
        book(patient, clinic_setup, at(WEDNESDAY + dt.timedelta(days=1), 10))

    assert refused.value.later_session_on == TWO_WEEKS_LATER
    assert refused.value.latest_date == WEDNESDAY
    assert refused.value.field == "start"
    assert Appointment.objects.count() == 1


def test_a_session_cannot_be_moved_before_the_one_it_follows(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    first = book(patient, clinic_setup, at(WEDNESDAY, 10))
    second = book(patient, clinic_setup, at(TWO_WEEKS_LATER, 10))

    with pytest.raises(TooCloseToLaterSession):
        move_appointment(appointment=second, start=at(dt.date(2026, 6, 2), 10), by=patient)

    second.refresh_from_db()
    assert second.start == at(TWO_WEEKS_LATER, 10)
    # The first session may still move within its own day: the second stays 14 days on.
    moved = move_appointment(appointment=first, start=at(WEDNESDAY, 15), by=patient)
    assert moved.start == at(WEDNESDAY, 15)


def test_the_api_answers_422_naming_the_dates(
    clinic_setup: Clinic, patient: User, later_session: Appointment
) -> None:
    response = api_for(patient).post(
        "/api/v1/appointments/",
        {"procedure": PEEL, "start": "2026-06-10T10:00:00+03:00"},
        format="json",
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "too_close_to_next_session"
    assert body["field"] == "start"
    assert body["next_session_on"] == "2026-06-17"
    assert body["latest_date"] == "2026-06-03"
