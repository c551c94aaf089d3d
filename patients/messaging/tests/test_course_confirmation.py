"""A course booked in one go: one confirmation listing every session, one .ics for them all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import formats, translation
from icalendar import Calendar

from clinic.models import User
from patients.booking.services import book_course, cancel_appointment
from patients.messaging import outbox
from patients.messaging import render as rendering
from patients.messaging.mail import language_of
from patients.models import Appointment, OutboxMessage
from patients.tests.booking_fixtures import MSK, WEDNESDAY, Clinic, at, ready

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
Channel = OutboxMessage.Channel


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow."""


def book_three(user: User, clinic: Clinic) -> list[Appointment]:
    ready(user, "peel")
    return book_course(
        patient=user.patient_profile,
        procedure=clinic.procedure("glycolic-peel"),
        first_start=at(WEDNESDAY, 10),
        sessions=3,
        booked_by=user,
        channel=Appointment.Channel.COURSE,
    )


def test_a_course_booked_in_one_go_sends_one_confirmation_with_one_calendar_file(
    clinic_setup: Clinic, patient: User
) -> None:
    sessions = book_three(patient, clinic_setup)

    confirmations = OutboxMessage.objects.filter(kind=Kind.BOOKING_CONFIRMATION)
    assert confirmations.filter(channel=Channel.EMAIL).count() == 1
    assert confirmations.filter(channel=Channel.SMS).count() == 1
    # Each session still has its own reminder.
    reminders = OutboxMessage.objects.filter(kind=Kind.APPOINTMENT_REMINDER, channel=Channel.EMAIL)
    assert {m.appointment_id for m in reminders} == {a.pk for a in sessions}

    email_row = confirmations.get(channel=Channel.EMAIL)
    mail.outbox.clear()
    assert outbox.deliver_message(message_id=email_row.pk) == "sent"

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert "3" in email.subject
    assert "Glycolic" not in email.subject
    assert "glycolic" not in email.subject.lower()
    for session in sessions:
        assert session.start.astimezone(MSK).strftime("%H:%M") in email.body
    assert email.body.count("Session ") == 3
    calendars = [a for a in email.attachments if a[2] == "text/calendar"]
    assert len(calendars) == 1
    events = Calendar.from_ical(calendars[0][1]).walk("VEVENT")
    assert len(events) == 3
    assert sorted(e.decoded("dtstart") for e in events) == [a.start for a in sessions]
    # Each event keeps its appointment's own UID: a later move updates that session alone.
    uids = {str(e["uid"]).split("@")[0] for e in events}
    assert uids == {f"appointment-{a.pk}" for a in sessions}


def test_the_course_text_message_lists_every_date_and_never_the_procedure(
    clinic_setup: Clinic, patient: User
) -> None:
    sessions = book_three(patient, clinic_setup)
    sms = OutboxMessage.objects.get(kind=Kind.BOOKING_CONFIRMATION, channel=Channel.SMS)

    rendered = rendering.render(sms)
    assert rendered is not None
    text = rendering.sms_text(sms, rendered)

    with translation.override(language_of(patient)):
        days = [formats.date_format(s.start.astimezone(MSK), "SHORT_DATE_FORMAT") for s in sessions]
    for day in days:
        assert day in text
    assert "peel" not in text.lower()


def test_sessions_cancelled_before_sending_are_left_out(
    clinic_setup: Clinic, patient: User
) -> None:
    sessions = book_three(patient, clinic_setup)
    cancel_appointment(appointment=sessions[0], by=patient)
    row = OutboxMessage.objects.get(kind=Kind.BOOKING_CONFIRMATION, channel=Channel.EMAIL)

    rendered = rendering.render(row)

    assert rendered is not None
    assert [s["appointment"].pk for s in rendered.context["sessions"]] == [
        sessions[1].pk,
        sessions[2].pk,
    ]
    events = Calendar.from_ical(rendered.attachments[0][1]).walk("VEVENT")
    assert len(events) == 2
