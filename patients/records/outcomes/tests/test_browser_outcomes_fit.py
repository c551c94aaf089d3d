"""The outcomes report and the day sheet (with its progress charts) on a phone: their wide
tables scroll in their own box, not the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from clinic.models import User
from clinic.tests.browser import sign_in
from patients.models import Appointment
from patients.tests.factories import give_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_outcomes_report_fits_a_phone_in_russian(
    open_page: Callable[..., Any], live_server: Any, migrated_data: None, manager: User
) -> None:
    page = open_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    sign_in(page, live_server, manager, language="ru")
    page.goto(f"{live_server.url}/admin/workspace/outcomes/")
    table = page.locator("table.outcomes-report")
    table.wait_for()
    # The seven columns' Russian headings made the page 800 px wide.
    assert table.bounding_box()["width"] > 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_day_sheet_fits_a_phone(
    open_page: Callable[..., Any],
    live_server: Any,
    migrated_data: None,
    patient: User,
    manager: User,
) -> None:
    start = timezone.now() - dt.timedelta(days=2)
    session = give_session(
        patient, "glycolic-peel", start=start, status=Appointment.Status.COMPLETED
    )
    day = timezone.localtime(session.start).date().isoformat()
    page = open_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    sign_in(page, live_server, manager)
    page.goto(
        f"{live_server.url}/admin/workspace/day-sheet/"
        f"?date={day}&practitioner={session.practitioner_id}"
    )
    table = page.locator("table.day-sheet")
    table.wait_for()
    assert table.locator("tbody tr").count() >= 1
    # Seven columns (pre-care text, chart, photos) made the page 637 px wide.
    assert table.bounding_box()["width"] > 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
