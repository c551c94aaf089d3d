"""axe-core finds no serious or critical problem on the pages a patient uses, in English
and in Russian: home, catalogue, a procedure, the intake, booking (with free times) and
"My appointments" (with appointments)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clinic.availability import Policy
from clinic.models import User
from clinic.tests.browser import accessibility_problems, sign_in, use_language
from patients.tests.booking_fixtures import Clinic, at, ready
from patients.tests.workspace_helpers import book

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migrated_data"),
]

PEEL = "glycolic-peel"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_patients_pages_have_no_serious_accessibility_problem(
    page: Any, live_server: Any, clinic_setup: Clinic, patient: User, language: str
) -> None:
    ready(patient, "peel")
    day = dt.datetime.now(Policy.from_settings().zone).date() + dt.timedelta(days=2)
    appointment = book(patient, clinic_setup, at(day, 10))
    sign_in(page, live_server, patient, language=language)
    # The next peel of the course: its window opens 14 days after the booked one (the
    # booked day itself is left out of the list, as screening says).
    next_session = day + dt.timedelta(days=14)

    pages = {
        "home": "/",
        "catalogue": "/procedures/",
        "procedure": f"/procedures/{PEEL}/",
        "intake": "/me/intake/",
        "booking": f"/book/{PEEL}/?date={next_session.isoformat()}&days=1",
        "confirm": "",  # the first free time's link, found on the booking page
        "appointments": "/me/appointments/",
        "appointment": f"/me/appointments/{appointment.pk}/",
        "progress": "/me/progress/",
    }
    found = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == language, name
        if name == "booking":
            assert page.locator("a.slot").count() > 0  # the free times are on the page
            pages["confirm"] = page.locator("a.slot").first.get_attribute("href")
        if name == "appointments":
            assert page.locator(".upcoming-appointments li").count() > 0
        problems = accessibility_problems(page)
        if problems:
            found[name] = problems
    report = "\n\n".join(f"{name} ({pages[name]}):\n{text}" for name, text in found.items())
    assert found == {}, report


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_visitors_forms_have_no_serious_accessibility_problem(
    page: Any, live_server: Any, language: str
) -> None:
    use_language(page, live_server, language)
    found = {}
    for path in ("/accounts/register/", "/accounts/login/", "/procedures/glycolic-peel/"):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("form input:not([type=hidden])").count() > 0
        if problems := accessibility_problems(page):
            found[path] = problems
    assert found == {}, "\n\n".join(f"{path}:\n{text}" for path, text in found.items())


def test_the_checks_see_a_broken_page(page: Any, live_server: Any) -> None:
    """The harness itself: a field without a label and pale text are reported."""
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            const field = document.createElement('input');
            field.name = 'nameless';
            const pale = document.createElement('p');
            pale.textContent = 'Hard to read';
            pale.style.color = '#eeeeee';
            main.append(field, pale);
        }"""
    )
    problems = accessibility_problems(page)
    assert "label (critical)" in problems
    assert "color-contrast (serious)" in problems
    assert 'no label: <input name="nameless">' in problems
