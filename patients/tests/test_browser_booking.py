"""A patient books a glycolic peel in a real browser, with the keyboard: log in, choose the
peel and a time, sign its consent in the flow, confirm, see it in "My appointments", cancel.

The clock is not pinned here: the browser keeps its own clock for cookies, so a server
clock moved to another date would expire the session at once. The test clinic is open
every day, so the day after tomorrow always has free times.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from clinic.availability import Policy
from clinic.models import User
from patients.models import Appointment, ConsentSignature
from patients.tests.booking_fixtures import Clinic
from patients.tests.factories import give_baseline_intake, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field(page: Any, name: str) -> Any:
    """The input called `name`, found through its label (so every field must have one)."""
    element = page.locator(f'[name="{name}"]').first
    label = page.locator(f'label[for="{element.get_attribute("id")}"]')
    assert label.count() == 1, name
    return element


def press(page: Any, locator: Any) -> None:
    """Operate a link or button with the keyboard: focus it, press Enter."""
    kind = locator.evaluate("e => e.tagName + (e.type ? ':' + e.type : '')")
    assert kind in ("A", "BUTTON:submit", "INPUT:submit"), kind  # real controls, not divs
    locator.focus()
    page.keyboard.press("Enter")


def test_a_patient_books_a_peel_sees_it_and_cancels_it(
    page: Any, live_server: Any, clinic_setup: Clinic
) -> None:
    patient: User = make_patient(email="vera@example.test", first_name="Vera", last_name="Vale")
    give_baseline_intake(patient)
    # Two days ahead: more than the 24 hours before which a patient may still cancel online.
    day = dt.datetime.now(Policy.from_settings().zone).date() + dt.timedelta(days=2)

    page.goto(f"{live_server.url}/book/")
    page.get_by_role("heading", name="Log in").wait_for()  # back to /book/ after logging in
    field(page, "username").fill("vera@example.test")
    field(page, "password").fill("pw-patient")
    press(page, page.get_by_role("button", name="Log in"))
    page.get_by_role("heading", name="Book an appointment").wait_for()

    press(page, page.get_by_role("link", name="Choose a time for Glycolic acid peel (superficial)"))
    page.get_by_role("heading", name="Glycolic acid peel (superficial)").wait_for()
    field(page, "date").fill(day.isoformat())
    field(page, "days").select_option("1")
    press(page, page.get_by_role("button", name="Show free times"))
    page.wait_for_url(f"**date={day.isoformat()}**")
    first_slot = page.locator("a.slot").first
    chosen = first_slot.inner_text().split(",")[0].strip()
    press(page, first_slot)

    # No peel consent yet: it is signed in the flow, then the confirmation comes back.
    page.get_by_role("heading", name="Consent to a chemical peel").wait_for()
    field(page, "full_name").fill("Vera Vale")
    field(page, "ticked").check()
    press(page, page.get_by_role("button", name="Sign"))
    page.get_by_role("heading", name="Confirm your booking").wait_for()
    assert ConsentSignature.objects.filter(patient=patient.patient_profile, kind="peel").exists()
    assert chosen in page.locator(".booking-details").inner_text()

    press(page, page.get_by_role("button", name="Book this time"))
    page.get_by_text("Your appointment is booked and confirmed.").wait_for()
    appointment = Appointment.objects.get(patient=patient.patient_profile)
    assert appointment.status == Appointment.Status.CONFIRMED
    assert page.locator(".appointment-status").inner_text().endswith("Confirmed")
    page.get_by_role("heading", name="What to do before").wait_for()
    assert any(message.to == ["vera@example.test"] for message in mail.outbox)

    press(page, page.get_by_role("link", name="My appointments").last)
    page.get_by_role("heading", name="My appointments", exact=True).wait_for()
    upcoming = page.locator(".upcoming-appointments")
    assert "Glycolic acid peel (superficial)" in upcoming.inner_text()

    press(page, upcoming.get_by_role("link", name="Cancel Glycolic acid peel (superficial)"))
    page.get_by_role("heading", name="Cancel the appointment").wait_for()
    field(page, "reason").fill("Something came up")
    press(page, page.get_by_role("button", name="Cancel the appointment"))
    page.get_by_text("Your appointment is cancelled.").wait_for()
    assert "Glycolic acid peel (superficial)" in page.locator(".past-appointments").inner_text()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.reason == "Something came up"
