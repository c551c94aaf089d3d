"""A person opens the home page in English, then switches to Russian."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_in_both_languages(page, live_server) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Smoother skin after acne"
    assert "Only a doctor can diagnose" in page.locator("footer").inner_text()

    page.get_by_role("button", name=re.compile(r"^RU")).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("heading", level=1).inner_text() == "Гладкая кожа после акне"
    assert "Только врач" in page.locator("footer").inner_text()

    # On a phone the navigation folds behind a button and still opens.
    page.set_viewport_size({"width": 375, "height": 740})
    page.get_by_role("button", name="Показать меню").click()
    expect(page.locator("#main-nav")).to_be_visible()
