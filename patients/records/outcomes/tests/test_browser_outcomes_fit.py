"""The manager's outcomes report on a phone: the wide table scrolls in its box, not the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from clinic.models import User
from clinic.tests.browser import sign_in

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
