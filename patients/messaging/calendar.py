"""iCalendar (.ics) files for appointments, so patients can add them to their calendars.

One stable UID per appointment; SEQUENCE grows with every move, so a calendar
updates the event instead of adding a second one, and a cancellation is sent
with METHOD:CANCEL for the same UID. A course booked in one go gets one file
holding every session (`course_calendar_file`), each with the UID of its own
appointment, so a later move or cancellation of one session updates that one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from icalendar import Calendar, Event, vCalAddress, vText

from patients.messaging.mail import language_of
from patients.models import Appointment


def _calendar(*, cancelled: bool) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Clinic portal//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    return calendar


def _event(
    *,
    uid: str,
    start: dt.datetime,
    end: dt.datetime,
    summary: str,
    description: str,
    location: str,
    organizer_email: str,
    sequence: int = 0,
    cancelled: bool = False,
    stamp: dt.datetime,
) -> Event:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("appointment_ics needs aware datetimes")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", start.astimezone(dt.UTC))
    event.add("dtend", end.astimezone(dt.UTC))
    event.add("summary", summary)
    event.add("description", description)
    event["location"] = vText(location)
    organizer = vCalAddress(f"mailto:{organizer_email}")
    event["organizer"] = organizer
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def appointment_ics(*, cancelled: bool = False, **event: Any) -> bytes:
    """One VEVENT (the keywords of `_event`) in a VCALENDAR; times are written in UTC
    (aware datetimes required)."""
    calendar = _calendar(cancelled=cancelled)
    calendar.add_component(_event(cancelled=cancelled, **event))
    return calendar.to_ical()


def _appointment_event(appointment: Appointment, *, cancelled: bool, stamp: dt.datetime) -> Event:
    """The appointment's VEVENT: one UID for ever, SEQUENCE = the appointment's version."""
    with translation.override(language_of(appointment.patient.user)):
        summary = f"{appointment.procedure_name} — {settings.CLINIC_NAME}"
        description = str(appointment.note_to_patient or "")
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return _event(
        uid=f"appointment-{appointment.pk}@{sender.split('@')[-1]}",
        start=appointment.start,
        end=appointment.end,
        summary=summary,
        description=description,
        location=settings.CLINIC_NAME,
        organizer_email=sender,
        sequence=appointment.version,
        cancelled=cancelled,
        stamp=stamp,
    )


def appointment_calendar_file(appointment: Appointment, *, cancelled: bool = False) -> bytes:
    """The appointment as an .ics file: one UID for ever, SEQUENCE = the appointment's version."""
    calendar = _calendar(cancelled=cancelled)
    calendar.add_component(
        _appointment_event(appointment, cancelled=cancelled, stamp=timezone.now())
    )
    return calendar.to_ical()


def course_calendar_file(appointments: Sequence[Appointment]) -> bytes:
    """The sessions of a course booked in one go as one .ics file, one VEVENT per session."""
    calendar = _calendar(cancelled=False)
    stamp = timezone.now()
    for appointment in appointments:
        calendar.add_component(_appointment_event(appointment, cancelled=False, stamp=stamp))
    return calendar.to_ical()
