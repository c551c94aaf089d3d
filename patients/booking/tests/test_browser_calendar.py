"""On a phone-sized screen a patient registers from a booking page, comes back to it, picks
a free day in the month calendar and a time of that day, and reaches the confirmation
(links only: the calendar needs no JavaScript).

The clock is not pinned (the browser keeps its own clock for cookies); the test clinic
is open every day, so the calendar always has free days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clinic.availability import Policy
from clinic.models import User
from patients.tests.booking_fixtures import Clinic
from patients.tests.factories import give_baseline_intake

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migrated_data"),
]


def test_on_a_phone_a_new_patient_comes_back_to_the_calendar_and_picks_a_time(
    page: Any, live_server: Any, clinic_setup: Clinic
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/book/glycolic-peel/")
    page.get_by_role("heading", name="Log in").wait_for()
    page.get_by_role("link", name="Create an account").click()
    page.fill('[name="email"]', "nina@example.test")
    page.fill('[name="password1"]', "a-long-unusual-passphrase-42")
    page.fill('[name="password2"]', "a-long-unusual-passphrase-42")
    page.fill('[name="first_name"]', "Nina")
    page.fill('[name="last_name"]', "North")
    page.fill('[name="phone"]', "+7 900 444-44-44")
    page.fill('[name="date_of_birth"]', "1991-04-05")
    page.fill('[name="consent_full_name"]', "Nina North")
    page.check('[name="consent_ticked"]')
    page.get_by_role("button", name="Create my account").click()
    # Not signed in by registering: back to the booking page through the login page.
    page.get_by_role("heading", name="Log in").wait_for()
    assert "next=/book/glycolic-peel/" in page.url.replace("%2F", "/")
    page.fill('[name="username"]', "nina@example.test")
    page.fill('[name="password"]', "a-long-unusual-passphrase-42")
    page.get_by_role("button", name="Log in").click()

    # Back on the booking page: the questionnaire comes first, then back again.
    page.wait_for_url("**/intake/**")
    assert "next=/book/glycolic-peel/" in page.url.replace("%2F", "/")
    give_baseline_intake(User.objects.get(email="nina@example.test"))
    page.goto(f"{live_server.url}/book/glycolic-peel/")
    page.get_by_role("heading", name="Glycolic acid peel (superficial)").first.wait_for()

    tomorrow = dt.datetime.now(Policy.from_settings().zone).date() + dt.timedelta(days=1)
    free_days = page.locator("a.free-day")
    assert free_days.count() > 0
    page.locator(f'a.free-day[href*="date={tomorrow.isoformat()}"]').or_(
        free_days.first
    ).first.click()
    page.wait_for_url("**days=1**")
    page.locator("[aria-current='date']").wait_for()
    page.locator(".day-part").first.wait_for()
    parts = page.locator(".day-part").all_inner_texts()
    assert set(parts) <= {"Morning", "Afternoon", "Evening"}
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # the calendar fits the phone: no sideways scrolling
    page.locator("a.slot").first.click()
    # The peel consent is signed in the flow, then the confirmation comes back.
    page.get_by_role("heading", name="Consent to a chemical peel").wait_for()
    page.fill('[name="full_name"]', "Nina North")
    page.check('[name="ticked"]')
    page.get_by_role("button", name="Sign").click()
    page.get_by_role("heading", name="Confirm your booking").wait_for()
