"""The .ics files sent with confirmations, moves and cancellations."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from patients.messaging.calendar import appointment_ics


def test_ics_has_one_event_in_utc_with_a_stable_uid() -> None:
    moscow = ZoneInfo("Europe/Moscow")
    start = dt.datetime(2026, 12, 9, 10, 0, tzinfo=moscow)
    raw = appointment_ics(
        uid="appointment-42@clinic.local",
        start=start,
        end=start + dt.timedelta(minutes=45),
        summary="Glycolic acid peel",
        description="Session 3 of your course",
        location="Smooth Skin Clinic",
        organizer_email="care@clinic.local",
        sequence=2,
        stamp=dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC),
    )
    calendar = Calendar.from_ical(raw)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["uid"]) == "appointment-42@clinic.local"
    assert event.decoded("dtstart") == dt.datetime(2026, 12, 9, 7, 0, tzinfo=dt.UTC)
    assert event.decoded("dtend") == dt.datetime(2026, 12, 9, 7, 45, tzinfo=dt.UTC)
    assert int(event["sequence"]) == 2
    assert str(calendar["method"]) == "REQUEST"


def test_cancellation_ics_cancels_the_same_uid() -> None:
    start = dt.datetime(2026, 12, 9, 7, 0, tzinfo=dt.UTC)
    raw = appointment_ics(
        uid="appointment-42@clinic.local",
        start=start,
        end=start + dt.timedelta(minutes=45),
        summary="Glycolic acid peel",
        description="",
        location="Clinic",
        organizer_email="care@clinic.local",
        sequence=3,
        cancelled=True,
        stamp=start,
    )
    calendar = Calendar.from_ical(raw)
    assert str(calendar["method"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["status"]) == "CANCELLED"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        appointment_ics(
            uid="x",
            start=dt.datetime(2026, 12, 9, 7, 0),
            end=dt.datetime(2026, 12, 9, 8, 0),
            summary="",
            description="",
            location="",
            organizer_email="a@b.c",
            stamp=dt.datetime(2026, 12, 9, tzinfo=dt.UTC),
        )
