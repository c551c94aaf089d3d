"""A guest books a consultation from a phone (issue #20): a time, the details, the code by
text message, then the questionnaire; axe-core finds no serious or critical violation on the
guest's pages, in English and in Russian.

The clock is not pinned (the browser keeps its own clock for cookies); the test clinic is
open every day, so the coming days always have free times.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from clinic.models import User
from clinic.sms.local import sent_texts
from clinic.tests.browser import accessibility_problems, answer_the_intake_choices
from patients.models import Appointment
from patients.tests.booking_fixtures import Clinic

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migrated_data"),
]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def no_accessibility_problems(page: Any) -> None:
    problems = accessibility_problems(page)
    assert not problems, problems


def test_a_guest_books_a_consultation_with_a_code_on_a_phone_then_fills_the_questionnaire(
    open_page: Any, live_server: Any, clinic_setup: Clinic
) -> None:
    sent_texts.clear()
    phone = open_page(**PHONE)
    phone.goto(f"{live_server.url}/book/consultation/")
    phone.get_by_role("heading", name="Book: Consultation").wait_for()
    no_accessibility_problems(phone)
    phone.locator("a.slot").first.click()

    phone.get_by_role("heading", name="Your details").wait_for()
    no_accessibility_problems(phone)
    phone.locator('[name="first_name"]').fill("Gina")
    phone.locator('[name="last_name"]').fill("Guest")
    phone.locator('[name="phone"]').fill("8 912 555-01-02")
    phone.locator('[name="email"]').fill("gina@example.test")
    phone.locator('[name="date_of_birth"]').fill("1991-05-06")
    phone.get_by_role("button", name="Send me the code").click()

    phone.get_by_role("heading", name="Enter the code").wait_for()
    no_accessibility_problems(phone)
    (text,) = sent_texts
    assert text["to"] == "+79125550102"
    match = re.search(r"\b(\d{6})\b", text["text"])
    assert match
    phone.locator('[name="code"]').fill(match.group(1))
    phone.get_by_role("button", name="Confirm and book").click()

    phone.get_by_text("Your consultation is booked.").wait_for()
    user = User.objects.get(email="gina@example.test")
    appointment = Appointment.objects.get(patient__user=user)
    assert appointment.procedure.slug == "consultation"
    answer_the_intake_choices(phone)
    phone.locator('input[name="scar_types"][value="rolling"]').check()
    phone.get_by_role("button", name="Save my answers").click()
    phone.wait_for_url(f"**/me/appointments/{appointment.pk}/")
    assert user.patient_profile.intake_versions.exists()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_guest_pages_are_accessible(
    open_page: Any, live_server: Any, clinic_setup: Clinic, language: str
) -> None:
    page = open_page(**PHONE, locale=language, extra_http_headers={"Accept-Language": language})
    page.goto(f"{live_server.url}/book/consultation/")
    page.locator("a.slot").first.wait_for()
    assert page.locator("html").get_attribute("lang") == language
    no_accessibility_problems(page)
    page.locator("a.slot").first.click()
    page.locator('[name="first_name"]').wait_for()
    page.locator("form[novalidate] button.btn-primary").click()  # every error shown
    page.locator(".invalid-feedback").first.wait_for()
    no_accessibility_problems(page)
