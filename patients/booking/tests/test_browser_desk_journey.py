"""A first-time caller at the desk, in a real browser (issue #20): the receptionist creates
the patient, books a consultation (no questionnaire yet), opens the clinic tablet; on the
tablet (another browser, no login) the patient fills in the questionnaire and signs the
consents with a finger; the desk sees it done and books a peel. axe-core finds no serious
or critical violation on the new pages, in English and in Russian.

The clock is not pinned (the browser keeps its own clock for cookies); the test clinic is
open every day, so the days after tomorrow always have free times.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlparse

import pytest

from clinic.availability import Policy
from clinic.models import User
from clinic.tests.browser import accessibility_problems, answer_the_intake_choices, sign_in
from patients.models import Appointment, ConsentSignature, DrawnSignature, PatientProfile
from patients.records.services import create_patient_at_desk
from patients.records.services.tablet import open_tablet
from patients.tests.booking_fixtures import Clinic

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migrated_data"),
]


def no_accessibility_problems(page: Any) -> None:
    problems = accessibility_problems(page)
    assert not problems, problems


def show_free_times(page: Any, slug: str, day: dt.date) -> None:
    page.locator('[name="procedure"]').select_option(slug)
    page.locator('[name="date"]').fill(day.isoformat())
    page.get_by_role("button", name="Show free times").click()
    page.locator("a.button", has_text=":").first.wait_for()


def draw_signature(page: Any) -> None:
    box = page.locator("#signature-pad").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 8):
        page.mouse.move(
            box["x"] + 30 + step * 40, box["y"] + box["height"] * (0.3 + 0.1 * (step % 3))
        )
    page.mouse.up()


def test_a_first_time_caller_is_booked_fills_in_on_the_tablet_then_gets_a_peel(
    open_page: Any, live_server: Any, clinic_setup: Clinic, receptionist: User
) -> None:
    today = dt.datetime.now(Policy.from_settings().zone).date()
    desk = open_page()
    sign_in(desk, live_server, receptionist)

    desk.goto(f"{live_server.url}/admin/desk/")
    desk.get_by_role("link", name="New patient").first.click()
    desk.get_by_role("heading", name="New patient").wait_for()
    no_accessibility_problems(desk)
    desk.locator('[name="first_name"]').fill("Carol")
    desk.locator('[name="last_name"]').fill("Caller")
    desk.locator('[name="phone"]').fill("8 912 345-67-89")
    desk.locator('[name="email"]').fill("carol@example.test")
    desk.locator('[name="date_of_birth"]').fill("1990-04-02")
    desk.locator('[name="preferred_language"]').select_option("en")
    desk.get_by_role("button", name="Create and invite").click()
    desk.get_by_text("Patient created: Carol Caller.").wait_for()
    patient = PatientProfile.objects.get(user__email="carol@example.test")
    assert patient.user.phone.as_e164 == "+79123456789"

    # A consultation without a questionnaire or a consent.
    show_free_times(desk, "consultation", today + dt.timedelta(days=2))
    no_accessibility_problems(desk)
    desk.locator("a.button", has_text=":").first.click()
    desk.get_by_role("button", name="Book for the patient").click()
    desk.get_by_text("Booked:").wait_for()
    consultation = Appointment.objects.get(patient=patient)
    assert consultation.status == Appointment.Status.CONFIRMED
    assert "questionnaire missing" in desk.locator("body").inner_text()
    no_accessibility_problems(desk)

    # The clinic tablet: the peel's consent asked too.
    desk.locator('input[name="kinds"][value="peel"]').check()
    desk.get_by_role("button", name="Open the questionnaire and consents on the tablet").click()
    # The link is the portal's (PORTAL_URL); the test's server is elsewhere.
    link = live_server.url + urlparse(desk.locator("#tablet-link").get_attribute("href")).path
    no_accessibility_problems(desk)

    tablet = open_page(viewport={"width": 800, "height": 1280}, has_touch=True)
    tablet.goto(link)
    tablet.get_by_role("heading", name="Health questionnaire").wait_for()
    answer_the_intake_choices(tablet)
    tablet.locator('input[name="scar_types"][value="rolling"]').check()
    tablet.get_by_role("button", name="Save my answers").click()
    for _consent in range(3):  # data processing, consultation, peel
        tablet.locator("#signature-pad").wait_for()
        no_accessibility_problems(tablet)
        tablet.locator('[name="full_name"]').fill("Carol Caller")
        draw_signature(tablet)
        tablet.locator('[name="ticked"]').check()
        tablet.get_by_role("button", name="Sign").click()
    tablet.get_by_role("heading", name="Thank you: everything is filled in and signed").wait_for()
    no_accessibility_problems(tablet)
    tablet.get_by_role("button", name="Done").click()
    tablet.get_by_text("Please hand the tablet back").wait_for()
    assert tablet.goto(link).status == 410
    signatures = ConsentSignature.objects.filter(patient=patient)
    assert {s.kind for s in signatures} == {"data_processing", "consultation", "peel"}
    assert DrawnSignature.objects.filter(signature__patient=patient).count() == 3

    # Back at the desk: done, and a peel can be booked now.
    desk.goto(f"{live_server.url}/admin/desk/patients/{patient.pk}/")
    desk.get_by_text("Completed on the tablet").wait_for()
    show_free_times(desk, "glycolic-peel", today + dt.timedelta(days=3))
    desk.locator("a.button", has_text=":").first.click()
    desk.locator("button", has_text="Book").click()
    desk.get_by_text("Booked:").wait_for()
    peel = Appointment.objects.get(patient=patient, procedure__slug="glycolic-peel")
    assert peel.status in (Appointment.Status.CONFIRMED, Appointment.Status.PENDING_REVIEW)
    assert peel.intake_version is not None


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_new_desk_pages_are_accessible(
    open_page: Any,
    live_server: Any,
    clinic_setup: Clinic,
    receptionist: User,
    language: str,
) -> None:
    receptionist.preferred_language = language
    receptionist.save()
    desk = open_page()
    sign_in(desk, live_server, receptionist, language=language)

    desk.goto(f"{live_server.url}/admin/desk/patients/new/")
    desk.locator('[name="first_name"]').wait_for()
    no_accessibility_problems(desk)
    desk.locator("form.desk-new-patient button[type=submit]").click()  # every error shown
    desk.locator(".errornote").first.wait_for()
    no_accessibility_problems(desk)
    # The clinic tablet's page, in the patient's language.
    caller = create_patient_at_desk(
        first_name="Carol",
        last_name="Caller",
        phone="+79123456789",
        email="",
        date_of_birth=dt.date(1990, 4, 2),
        preferred_language=language,
    )
    _session, token = open_tablet(patient=caller, consent_kinds=["peel"], opened_by=receptionist)
    tablet = open_page()
    tablet.goto(f"{live_server.url}/tablet/{token}/")
    tablet.locator("#intake-form").wait_for()
    assert tablet.locator("html").get_attribute("lang") == language
    no_accessibility_problems(tablet)
