"""The patient's comparison on a phone: the slider moves the earlier photo over the later one.

The clock is not pinned (the browser keeps its own for cookies): the sessions are
written relative to now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from clinic.models import User
from clinic.tests.browser import accessibility_problems, sign_in
from patients.models import Appointment, Photo
from patients.tests.factories import give_session
from patients.tests.photo_helpers import take_session_photos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def split_and_divider(page: Any) -> tuple[str, float]:
    """The first slider's split (as the stage holds it) and its divider's left edge."""
    stage = page.locator(".compare-stage").first
    split = stage.evaluate("node => node.style.getPropertyValue('--split')")
    box = page.locator(".compare-divider").first.bounding_box()
    return split, box["x"] - stage.bounding_box()["x"]


def test_the_slider_moves_the_earlier_photo_over_the_later_one_on_a_phone(
    open_page: Callable[..., Any],
    live_server: Any,
    migrated_data: None,
    patient: User,
    practitioner: User,
) -> None:
    now = timezone.now()
    for days_ago, color in ((60, "red"), (3, "green")):
        session = give_session(
            patient,
            "microneedling",
            start=now - dt.timedelta(days=days_ago),
            status=Appointment.Status.COMPLETED,
        )
        take_session_photos(session, practitioner, kind=Photo.Kind.BEFORE, color=color)

    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}/me/photos/")
    page.get_by_role("link", name="Compare my sessions").click()
    page.locator(".compare-stage img").first.wait_for()
    assert page.locator("[data-compare-slider]").count() == 5
    assert accessibility_problems(page) == ""

    split, middle = split_and_divider(page)
    stage_width = page.locator(".compare-stage").first.bounding_box()["width"]
    assert split == "50%"
    assert abs(middle - stage_width / 2) < 3

    slider = page.get_by_label("Front: how much of the earlier photo shows over the later one")
    slider.focus()
    page.keyboard.press("End")
    split, right = split_and_divider(page)
    assert split == "100%"
    assert right > stage_width - 3
    for _ in range(25):
        page.keyboard.press("ArrowLeft")
    split, quarter = split_and_divider(page)
    assert split == "75%"
    assert abs(quarter - stage_width * 0.75) < 3
    overlay_clip = page.locator("[data-compare-overlay]").first.evaluate(
        "node => getComputedStyle(node).clipPath"
    )
    assert "25%" in overlay_clip or "calc" in overlay_clip

    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_choice_of_sessions_fits_a_phone_with_a_long_russian_procedure_name(
    open_page: Callable[..., Any],
    live_server: Any,
    migrated_data: None,
    patient: User,
    practitioner: User,
) -> None:
    now = timezone.now()
    for days_ago, slug in ((60, "consultation"), (3, "microneedling")):
        session = give_session(
            patient,
            slug,
            start=now - dt.timedelta(days=days_ago),
            status=Appointment.Status.COMPLETED,
        )
        take_session_photos(session, practitioner, kind=Photo.Kind.BEFORE)
    Appointment.objects.filter(procedure__slug="consultation").update(
        procedure_name_ru="Консультация и оценка состояния кожи"
    )

    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, live_server, patient, language="ru")
    page.goto(f"{live_server.url}/me/photos/compare/")
    page.locator(".compare-stage img").first.wait_for()
    # "Консультация и оценка состояния кожи" in a select widened the page to 549 px.
    assert "Консультация" in page.locator('select[name="earlier"]').inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
