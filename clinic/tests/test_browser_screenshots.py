"""A failing browser test leaves a screenshot of every page it had open: the last page of
a journey, and each person's page when a test drives several browsers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from conftest import save_screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_open_page_is_captured_as_it_stands(
    open_page: Callable[..., Any], live_server: Any
) -> None:
    patient_page = open_page()
    patient_page.goto(live_server.url + "/")
    patient_page.goto(live_server.url + "/procedures/")  # a journey's last page
    staff_page = open_page(locale="ru-RU")
    staff_page.goto(live_server.url + "/accounts/login/")
    closed = open_page()
    closed.close()

    saved = save_screenshots([patient_page, staff_page, closed], "test_every_open_page_is_captured")
    try:
        assert [path.name for path in saved] == [
            "test_every_open_page_is_captured.png",
            "test_every_open_page_is_captured-2.png",
        ]
        for path in saved:
            with Image.open(path) as image:
                assert image.width == 1280
                assert image.height >= 900  # the full page, not just the window
    finally:
        for path in saved:
            path.unlink()
