"""Closures at the desk (issue #20): the closure page links each appointment it hits to a
move or a cancellation in one step (the patient is told), and the schedule draws an
appointment inside a closure in a warning colour, saying so."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.models import Closure, User
from clinic.tests.factories import ClosureFactory
from patients.models import Appointment
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.workspace_helpers import book

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


@pytest.fixture
def desk(client: Client, receptionist: User) -> Client:
    client.force_login(receptionist)
    return client


@pytest.fixture
def hit(clinic_setup: Clinic, patient: User) -> Appointment:
    """Alice's peel on Wednesday at 10:00, and a closure of the whole clinic that day."""
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    ClosureFactory(starts_on=WEDNESDAY, reason="Water leak")
    return appointment


def test_the_closure_page_links_each_hit_appointment_to_move_and_cancel(
    desk: Client, hit: Appointment
) -> None:
    closure = Closure.objects.get()

    page = desk.get(reverse("admin:clinic_closure_change", args=[closure.pk])).content.decode()

    assert reverse("desk:move", args=[hit.pk]) in page
    assert reverse("desk:cancel", args=[hit.pk]) + "?reason=Water+leak" in page


def test_cancelling_from_the_closure_tells_the_patient_why(
    desk: Client, hit: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("desk:cancel", args=[hit.pk]) + "?reason=Water+leak"
    form = desk.get(url)
    assert form.context["form"]["reason"].value() == "Water leak"
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        desk.post(url, {"reason": "Water leak"})

    hit.refresh_from_db()
    assert hit.status == Appointment.Status.CANCELLED
    assert [m.to for m in mail.outbox] == [[hit.patient.user.email]]
    assert hit.reason == "Water leak"


def test_moving_from_the_closure_tells_the_patient(
    desk: Client, hit: Appointment, clinic_setup: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    thursday = at(WEDNESDAY + dt.timedelta(days=1), 11)
    url = reverse("desk:move", args=[hit.pk])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        desk.post(f"{url}?start={thursday.isoformat().replace('+', '%2B')}")

    hit.refresh_from_db()
    assert hit.start == thursday
    assert len(mail.outbox) == 1


def test_the_schedule_warns_about_an_appointment_inside_a_closure(
    desk: Client, hit: Appointment, clinic_setup: Clinic, patient: User
) -> None:
    page = desk.get(reverse("workspace:calendar"), {"date": WEDNESDAY.isoformat()})

    cells = [
        cell
        for row in page.context["grid"].rows
        for cell in row.cells
        if cell and cell.kind == "appointment"
    ]
    assert [(c.appointment, c.closure.reason) for c in cells] == [(hit, "Water leak")]
    html = page.content.decode()
    assert "cell-in-closure" in html
    assert "Inside a closure: move or cancel" in html


def test_an_appointment_outside_any_closure_is_drawn_as_usual(
    desk: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    book(patient, clinic_setup, at(WEDNESDAY, 10))
    ClosureFactory(starts_on=WEDNESDAY, practitioner=clinic_setup.cosm, reason="Day off")

    page = desk.get(reverse("workspace:calendar"), {"date": WEDNESDAY.isoformat()})

    cells = [c for row in page.context["grid"].rows for c in row.cells if c and c.appointment]
    assert [c.closure for c in cells] == [None]
    assert "Inside a closure" not in page.content.decode()
