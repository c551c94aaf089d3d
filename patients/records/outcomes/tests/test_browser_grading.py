"""Grading a consultation in a real browser, on a phone and on a tablet.

The practitioner opens the consultation's chart, follows "Grade the scars", grades the
cheeks and the whole face 3, counts the scars per type, corrects the scar types with a
reason, saves, and reads the worked sum; the page passes the accessibility check and
never scrolls sideways on a phone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic.roles import Role
from clinic.tests.browser import accessibility_problems, sign_in
from patients.models import Appointment, ScarGrading
from patients.records.selectors import latest_intake
from patients.records.treatment import services as chart_services
from patients.records.treatment.tests.test_browser_record import _appointment
from patients.tests.booking_fixtures import Clinic, ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wider_than_the_screen(page: Any) -> list[str]:
    """The elements that stick out on the right (for the failure message)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 10)
            .map(e => `${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`)"""
    )


@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 1024, "height": 1366}]
)
def test_a_consultation_is_graded_and_its_worked_sum_shown(
    open_page: Callable[..., Any],
    live_server: Any,
    record_data: None,
    clinic_setup: Clinic,
    patient: Any,
    viewport: dict[str, int],
) -> None:
    ready(patient, "peel", scar_types=frozenset({"icepick", "rolling"}))
    start = timezone.now().replace(second=0, microsecond=0)
    consultation = _appointment(
        patient, clinic_setup, "consultation", start, status=Appointment.Status.CHECKED_IN
    )
    derm = clinic_setup.derm.user
    derm.groups.add(Group.objects.get(name=Role.PRACTITIONER))
    chart_services.open_chart(appointment=consultation, by=derm)

    page = open_page()
    page.set_viewport_size(viewport)
    sign_in(page, live_server, derm)
    page.goto(f"{live_server.url}/admin/treatment/charts/{consultation.pk}/")
    page.get_by_role("link", name="Grade the scars").click()
    page.get_by_label("Overall grade").select_option("3")
    page.get_by_label("Left cheek").select_option("3")
    page.get_by_label("Right cheek").select_option("2")
    page.get_by_label("Punched-out scars with deep abnormal bases (< 5 mm)").fill("12")
    page.get_by_label("Shallow but broad atrophic areas").fill("4")
    page.get_by_label("Keloidal or hypertrophic scars: area (cm²)").fill("6")
    page.get_by_label("Boxcar, deep: deep pits with straight edges").check()
    page.get_by_label("Reason for changing the scar types").fill("Deep boxcars on the cheeks.")
    assert accessibility_problems(page) == ""
    page.get_by_role("button", name="Save the grading").click()
    page.get_by_text("The grading is saved.").wait_for()

    heading = page.get_by_role("heading", name=re.compile("Overall grade 3"))
    assert "quantitative score 20 of 84" in heading.inner_text()
    total = page.locator(".grading-sum tfoot td").inner_text()
    assert total.strip() == "20"
    assert accessibility_problems(page) == ""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"], (scroll_width, wider_than_the_screen(page))

    grading = ScarGrading.objects.get()
    assert (grading.overall_grade, grading.score) == (3, 6 + 2 + 12)
    assert grading.zone_grades == {"cheek_left": 3, "cheek_right": 2}
    assert "boxcar_deep" in latest_intake(patient.patient_profile).answers["scar_types"]
    page.get_by_role("link", name="Back to the chart").click()
    page.get_by_role("link", name="Scar grading: grade 3, score 20").wait_for()
