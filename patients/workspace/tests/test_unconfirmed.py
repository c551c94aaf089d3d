"""The desk's list "tomorrow, not confirmed", and the marks on the schedule and the day sheet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import User
from clinic.tests.factories import PractitionerFactory, WorkingHoursFactory
from patients.booking.services import book_appointment
from patients.models import Appointment
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2026, 6, 2)


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow: tomorrow is Tuesday."""


def book(user: User, clinic: Clinic, start: dt.datetime, **kw: object) -> Appointment:
    ready(user, "peel")
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure("glycolic-peel"),
        start=start,
        practitioner=kw.get("practitioner"),
        booked_by=user,
        channel=Appointment.Channel.WEB,
    )


def test_tomorrow_not_confirmed_lists_who_to_call_with_phones(
    client: Client, receptionist: User, clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    call = book(patient, clinic_setup, at(TUESDAY, 10))
    confirmed = book(other_patient, clinic_setup, at(TUESDAY, 12))
    confirmed.confirmed_by_patient_at = at(TUESDAY, 7)
    confirmed.save()
    later = make_patient(email="later@example.test", first_name="Lara", last_name="Later")
    book(later, clinic_setup, at(WEDNESDAY, 10))  # not tomorrow
    client.force_login(receptionist)
    page = client.get(reverse("workspace:unconfirmed"))
    assert page.status_code == 200
    assert page.context["appointments"] == [call]
    html = page.content.decode()
    assert f'href="tel:{patient.phone}"' in html
    assert str(patient.patient_profile) in html
    assert str(other_patient.patient_profile) not in html
    assert "Later" not in html


def test_the_schedule_and_the_day_sheet_mark_the_unconfirmed(
    client: Client,
    receptionist: User,
    practitioner: User,
    clinic_setup: Clinic,
    patient: User,
    other_patient: User,
) -> None:
    mine = PractitionerFactory(user=practitioner, roles=["derm"])
    for weekday in range(7):
        WorkingHoursFactory(practitioner=mine, weekday=weekday, start=dt.time(9), end=dt.time(18))
    unconfirmed = book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=mine)
    confirmed = book(other_patient, clinic_setup, at(WEDNESDAY, 14), practitioner=mine)
    confirmed.confirmed_by_patient_at = at(TUESDAY, 9)
    confirmed.save()
    client.force_login(practitioner)
    sheet = client.get(reverse("workspace:day-sheet"), {"date": "2026-06-03"}).content.decode()
    assert sheet.count("not confirmed by the patient") == 1
    rows = sheet.split("<tr>")
    [marked] = [r for r in rows if "not confirmed by the patient" in r]
    assert str(unconfirmed.patient) in marked
    client.force_login(receptionist)
    grid = client.get(reverse("workspace:calendar"), {"date": "2026-06-03"}).content.decode()
    assert 'class="unconfirmed"' in grid
    assert grid.count('class="unconfirmed"') == 1
