"""The chart of a visit and the pages it links to (grading, session photos) on a phone, in
English and in Russian: the chart's products table scrolls in its own box, not the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic.roles import Role
from clinic.tests.browser import sign_in
from patients.models import Appointment, Product
from patients.records.outcomes.tests.test_browser_grading import wider_than_the_screen
from patients.records.treatment import services
from patients.records.treatment.tests.conftest import make_lot
from patients.records.treatment.tests.test_browser_record import _appointment
from patients.tests.booking_fixtures import Clinic, ready
from patients.tests.photo_helpers import take_before_photos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_chart_with_products_and_its_pages_fit_a_phone(
    open_page: Callable[..., Any],
    live_server: Any,
    record_data: None,
    clinic_setup: Clinic,
    patient: Any,
    filler: Product,
    language: str,
) -> None:
    ready(patient, "filler", scar_types=frozenset({"rolling"}), consulted=True)
    session = _appointment(
        patient,
        clinic_setup,
        "hyaluronic-filler",
        timezone.now().replace(second=0, microsecond=0),
        status=Appointment.Status.CHECKED_IN,
    )
    derm = clinic_setup.derm.user
    derm.groups.add(Group.objects.get(name=Role.PRACTITIONER))
    take_before_photos(session, derm)
    visit = services.open_chart(appointment=session, by=derm)
    lot = make_lot(filler, "RR-2026-004471")
    services.use_lot(visit=visit, lot=lot, amount="0.5", by=derm, zone="chin")

    page = open_page(viewport=PHONE, is_mobile=True)
    sign_in(page, live_server, derm, language=language)
    page.goto(f"{live_server.url}/admin/treatment/charts/{session.pk}/")
    products = page.locator(".chart-products table")
    assert products.get_by_role("cell", name="RR-2026-004471").count() == 1
    # The products table (six columns and "Remove") made the page 587 px wide.
    assert products.bounding_box()["width"] > PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        wider_than_the_screen(page)
    )
    # The pages the chart links to.
    for path in (
        f"/admin/outcomes/grading/{session.pk}/",
        f"/admin/session-photos/sessions/{session.pk}/",
        f"/admin/session-photos/patients/{session.patient_id}/compare/",
    ):
        assert page.goto(live_server.url + path).ok, path
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
            path,
            wider_than_the_screen(page),
        )
