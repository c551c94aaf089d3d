"""The capture page on a tablet: a photo chosen in a view's camera input lands in that view.

Headless Chromium offers no camera here, so the page stays on the browser's camera input
(the fallback every browser has); the ghost of the previous session is on the page.
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
from patients.tests.factories import give_session, jpeg_bytes
from patients.tests.photo_helpers import take_session_photos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_view_photo_from_the_tablet_is_tied_to_the_session_and_view(
    open_page: Callable[..., Any],
    live_server: Any,
    migrated_data: None,
    patient: User,
    practitioner: User,
) -> None:
    now = timezone.now()
    earlier, today = (
        give_session(
            patient,
            "microneedling",
            start=now - dt.timedelta(days=days_ago),
            status=Appointment.Status.COMPLETED if days_ago else Appointment.Status.CHECKED_IN,
        )
        for days_ago in (40, 0)
    )
    take_session_photos(earlier, practitioner)

    page = open_page(viewport={"width": 800, "height": 1280}, has_touch=True)
    sign_in(page, live_server, practitioner)
    page.goto(f"{live_server.url}/admin/session-photos/sessions/{today.pk}/")
    front = page.locator('[data-capture-view="front"]')
    assert front.locator("[data-ghost-thumb]").count() == 1
    assert accessibility_problems(page) == ""
    front.locator('input[type="file"]').set_input_files(
        {"name": "front.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((120, 160))}
    )
    front.get_by_role("button", name="Upload").click()
    page.get_by_text("The photo is uploaded.").wait_for()

    photo = Photo.objects.get(appointment=today)
    assert (photo.view.slug, photo.kind, photo.uploaded_by) == ("front", "before", practitioner)
    # The page now shows it in the view, and offers "after" next.
    front = page.locator('[data-capture-view="front"]')
    assert front.locator('input[value="after"]').is_checked()
