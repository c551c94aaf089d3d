"""A visitor browses the catalogue, filters by scar type, opens a procedure and checks it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from procedures.services import load_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_finds_a_procedure_for_icepick_scars_and_checks_it(page, live_server) -> None:
    # An earlier transactional test may have flushed the migrated catalogue.
    load_catalogue()

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="See our procedures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Our procedures")
    expect(page.locator(".procedure-list > li")).to_have_count(26)

    page.get_by_label("Scar type").select_option(label="Icepick scars")
    page.get_by_role("button", name="Show procedures").click()
    expect(page).to_have_url(re.compile(r"scar_type=icepick"))
    expect(page.locator(".procedure-list > li")).to_have_count(5)

    page.get_by_role("link", name="TCA CROSS (focal trichloroacetic acid)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "TCA CROSS (focal trichloroacetic acid)"
    )
    expect(page.locator(".not-possible")).to_contain_text("Rosacea")

    check = page.locator("#check")
    check.get_by_label("Date of birth").fill("1994-06-01")
    check.get_by_label("Female", exact=True).check()
    check.get_by_label("Icepick: narrow, deep pits").check()
    check.get_by_role("button", name="Check").click()
    verdict = page.locator(".candidate-verdict")
    expect(verdict).to_have_attribute("data-outcome", "ok")
    expect(verdict).to_contain_text("Nothing in your answers rules this procedure out.")

    # Pregnancy questions are only for women: they fold away for anyone else.
    pregnancy = page.locator(".pregnancy-questions")
    expect(pregnancy).to_be_visible()
    page.locator("#check").get_by_label("Male", exact=True).check()
    expect(pregnancy).to_be_hidden()
    page.locator("#check").get_by_label("Female", exact=True).check()
    expect(pregnancy).to_be_visible()

    page.locator("#check").get_by_label("Rosacea").check()
    page.locator("#check").get_by_role("button", name="Check").click()
    expect(verdict).to_have_attribute("data-outcome", "blocked")
    expect(verdict).to_contain_text("This procedure is not possible for you on that date.")
    expect(verdict).to_contain_text("You told us you have rosacea")

    # The drawings explain the scar types, and link back to this procedure.
    page.get_by_role("link", name="Scar guide").first.click()
    icepick = page.locator("section#icepick")
    expect(icepick.get_by_role("img")).to_be_visible()
    expect(
        icepick.get_by_role("link", name="TCA CROSS (focal trichloroacetic acid)")
    ).to_be_visible()
