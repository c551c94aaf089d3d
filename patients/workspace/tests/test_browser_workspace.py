"""The staff workspace in a real browser: a receptionist books a patient who phoned in from
the schedule and moves an appointment; a practitioner approves a flagged booking from the
review queue and the patient gets the e-mail and sees it confirmed; a manager opens the
dashboard.

The clock is not pinned (the browser keeps its own clock for cookies); the test clinic is
open every day, so days ahead always have free times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from clinic.availability import Policy
from clinic.models import User
from clinic.tests.browser import sign_in
from patients.models import Appointment, ReviewDecision
from patients.tests.booking_fixtures import Clinic, at, ready
from patients.tests.workspace_helpers import appointment_row, book

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, live_server: Any, email: str, password: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.locator('[name="username"]').fill(email)
    page.locator('[name="password"]').fill(password)
    page.locator('input[type="submit"], button[type="submit"]').first.click()


def test_a_receptionist_books_and_moves_an_appointment_in_the_schedule(
    page: Any, live_server: Any, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    ready(patient, "peel")
    day = dt.datetime.now(Policy.from_settings().zone).date() + dt.timedelta(days=2)
    derm = clinic_setup.derm.pk
    mail.outbox.clear()

    log_in(
        page,
        live_server,
        "rita@clinic.test",
        "pw-receptionist",
        f"/admin/workspace/schedule/?date={day.isoformat()}",
    )
    page.get_by_role("heading", name=day.strftime("%A"), exact=False).first.wait_for()
    page.locator(f'td.cell-free a[href*="time=11%3A00&practitioner={derm}"]').click()

    page.get_by_label("Find the patient (name, e-mail or phone)").fill("Archer")
    page.get_by_role("button", name="Search").click()
    # The only match is the chosen patient: what she may have that day is offered.
    page.get_by_text("Alice Archer", exact=False).first.wait_for()
    page.get_by_label("Procedure").select_option("glycolic-peel")
    page.get_by_role("button", name="Book", exact=True).click()

    booked = page.locator("td.cell-appointment a").first
    booked.wait_for()
    appointment = Appointment.objects.get(patient=patient.patient_profile)
    assert appointment.start == at(day, 11)
    assert appointment.channel == Appointment.Channel.DESK
    assert [message.to for message in mail.outbox] == [[patient.email]]  # she is told

    booked.click()
    page.get_by_label("New time").fill("14:00")
    page.get_by_role("button", name="Move", exact=True).click()
    page.locator("td.cell-appointment a").first.wait_for()
    page.get_by_text("Moved:", exact=False).wait_for()

    appointment.refresh_from_db()
    assert appointment.start == at(day, 14)
    assert appointment.version == 1


def test_a_practitioner_approves_from_the_queue_and_the_patient_is_told(
    page: Any,
    open_page: Callable[..., Any],
    live_server: Any,
    clinic_setup: Clinic,
    patient: User,
    practitioner: User,
) -> None:
    ready(patient, "peel", pregnant="possibly")
    day = dt.datetime.now(Policy.from_settings().zone).date() + dt.timedelta(days=3)
    appointment = book(patient, clinic_setup, at(day, 10))
    assert appointment.status == Appointment.Status.PENDING_REVIEW
    mail.outbox.clear()

    log_in(page, live_server, "pavel@clinic.test", "pw-practitioner", "/admin/workspace/reviews/")
    page.get_by_role("link", name="Alice Archer").click()
    page.get_by_text("PREGNANCY_POSSIBLE").first.wait_for()
    page.get_by_label("Approve", exact=False).check()
    page.get_by_label("Reason or note for the patient", exact=False).fill("See you soon.")
    page.get_by_label("Clinical note (clinicians only)").fill("possible pregnancy: test negative")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Approved; the patient is told.").wait_for()

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED
    assert ReviewDecision.objects.get().kind == ReviewDecision.Kind.APPROVED_WITH_NOTE
    assert [message.to for message in mail.outbox] == [[patient.email]]
    assert "See you soon." in mail.outbox[0].body
    assert "test negative" not in mail.outbox[0].body

    # In her own browser, the booking now shows as confirmed, with the practitioner's note.
    patient_page = open_page()
    sign_in(patient_page, live_server, patient)
    patient_page.goto(f"{live_server.url}/me/appointments/{appointment.pk}/")
    assert patient_page.locator(".appointment-status").inner_text().endswith("Confirmed")


def test_a_manager_opens_the_dashboard(
    page: Any, live_server: Any, clinic_setup: Clinic, patient: User, manager: User
) -> None:
    yesterday = dt.datetime.now(Policy.from_settings().zone).date() - dt.timedelta(days=1)
    appointment_row(patient, clinic_setup, at(yesterday, 10), status=Appointment.Status.COMPLETED)

    log_in(page, live_server, "maria@clinic.test", "pw-manager", "/admin/")
    page.get_by_role("link", name="Workspace", exact=True).click()
    page.get_by_role("link", name="Dashboard").first.click()
    page.get_by_role("heading", name="Dashboard").first.wait_for()
    for heading in ("Bookings per week", "Utilisation by practitioner", "No-show rate"):
        page.get_by_role("heading", name=heading).wait_for()
    # The bars come with their numbers, in tables a screen reader can read.
    top = page.locator("table.chart-numbers", has_text="Most booked procedures")
    assert "Glycolic acid peel" in top.inner_text()
