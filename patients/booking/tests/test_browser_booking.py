"""A patient books a glycolic peel in a real browser with the keyboard alone (Tab, typing,
Space, Enter; never a click or a programmatic focus): from the procedure's page, log in,
choose a time, sign its consent in the flow, confirm, see it in "My appointments", cancel.
Every control reached shows a focus ring.

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
from clinic.tests.browser import activate, tab_to
from patients.models import Appointment, ConsentSignature
from patients.tests.booking_fixtures import Clinic
from patients.tests.factories import give_baseline_intake, make_patient

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migrated_data"),
]


def type_into(page: Any, locator: Any, text: str) -> None:
    """Tab to a field and type, as a person does."""
    tab_to(page, locator)
    page.keyboard.type(text)


def test_a_patient_books_a_peel_sees_it_and_cancels_it_with_the_keyboard(
    page: Any, live_server: Any, clinic_setup: Clinic
) -> None:
    patient: User = make_patient(email="vera@example.test", first_name="Vera", last_name="Vale")
    give_baseline_intake(patient)
    # Two days ahead: more than the 24 hours before which a patient may still cancel online.
    day = dt.datetime.now(Policy.from_settings().zone).date() + dt.timedelta(days=2)

    page.goto(f"{live_server.url}/procedures/glycolic-peel/")
    activate(page, page.get_by_role("link", name="Book this procedure"))
    page.get_by_role("heading", name="Log in").wait_for()  # then back to the booking page
    type_into(page, page.locator('[name="username"]'), "vera@example.test")
    type_into(page, page.locator('[name="password"]'), "pw-patient")
    page.keyboard.press("Enter")  # submits the form, as in any browser
    page.get_by_role("heading", name="Glycolic acid peel (superficial)").wait_for()

    # A date field takes the digits in the browser's order (month, day, year in en-US).
    type_into(page, page.locator('[name="date"]').first, day.strftime("%m%d%Y"))
    tab_to(page, page.locator('[name="days"]'))
    page.keyboard.press("Home")  # the first choice: that day
    activate(page, page.get_by_role("button", name="Show free times"))
    page.wait_for_url(f"**date={day.isoformat()}**")
    first_slot = page.locator("a.slot").first
    chosen = first_slot.inner_text().split(",")[0].strip()
    activate(page, first_slot)

    # No peel consent yet: it is signed in the flow, then the confirmation comes back.
    page.get_by_role("heading", name="Consent to a chemical peel").wait_for()
    type_into(page, page.locator('[name="full_name"]'), "Vera Vale")
    tab_to(page, page.locator('[name="ticked"]'))
    page.keyboard.press("Space")
    activate(page, page.get_by_role("button", name="Sign"))
    page.get_by_role("heading", name="Confirm your booking").wait_for()
    assert ConsentSignature.objects.filter(patient=patient.patient_profile, kind="peel").exists()
    assert chosen in page.locator(".booking-details").inner_text()

    activate(page, page.get_by_role("button", name="Book this time"))
    page.get_by_text("Your appointment is booked and confirmed.").wait_for()
    appointment = Appointment.objects.get(patient=patient.patient_profile)
    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.start.date() == day
    assert page.locator(".appointment-status").inner_text().endswith("Confirmed")
    page.get_by_role("heading", name="What to do before").wait_for()
    assert any(message.to == ["vera@example.test"] for message in mail.outbox)

    activate(page, page.get_by_role("link", name="My appointments").last)
    page.get_by_role("heading", name="My appointments", exact=True).wait_for()
    upcoming = page.locator(".upcoming-appointments")
    assert "Glycolic acid peel (superficial)" in upcoming.inner_text()

    activate(page, upcoming.get_by_role("link", name="Cancel Glycolic acid peel (superficial)"))
    page.get_by_role("heading", name="Cancel the appointment").wait_for()
    type_into(page, page.locator('[name="reason"]'), "Something came up")
    activate(page, page.get_by_role("button", name="Cancel the appointment"))
    page.get_by_text("Your appointment is cancelled.").wait_for()
    assert "Glycolic acid peel (superficial)" in page.locator(".past-appointments").inner_text()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.reason == "Something came up"
