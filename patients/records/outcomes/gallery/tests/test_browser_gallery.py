"""In a real browser, with the public page cache on: a patient allows a photo to be
published and its pair shows on the procedure page; they withdraw it and it is gone at
once. A manager chooses the region by dragging the frame over the before photo."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import reverse

from clinic.models import User
from clinic.tests.browser import sign_in
from patients.models import GalleryPair, Photo
from patients.records.outcomes.gallery import services
from patients.records.outcomes.gallery.tests.test_gallery import (
    CROP,
    SLUG,
    clinic_photo,
    publish,
)
from procedures.models import Procedure
from procedures.page_cache import invalidate_public_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def page_cache_on(settings: Any) -> Iterator[None]:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    invalidate_public_pages()
    yield
    invalidate_public_pages()


def loaded_widths(page: Any, selector: str = ".gallery-pair img") -> list[int]:
    """The natural widths of the pictures once loaded (0 for one that failed).

    Polled from here: the page's CSP forbids the string evaluation `wait_for_function` uses.
    """
    script = "images => images.map(i => (i.complete ? i.naturalWidth : -1))"
    for _ in range(100):
        widths: list[int] = page.eval_on_selector_all(selector, script)
        if -1 not in widths:
            return widths
        page.wait_for_timeout(100)
    raise AssertionError(f"pictures still loading: {widths}")


@pytest.mark.usefixtures("migrated_data")
def test_a_patient_publishes_a_photo_sees_it_in_the_gallery_and_withdraws_it(
    open_page: Callable[..., Any],
    live_server: Any,
    patient: User,
    practitioner: User,
    manager: User,
) -> None:
    before = clinic_photo(patient, practitioner, Photo.Kind.BEFORE, days_ago=60)
    after = clinic_photo(patient, practitioner, Photo.Kind.AFTER, days_ago=2)
    publish(before, patient)
    publish(after, patient)
    pair = services.create_gallery_pair(
        procedure=Procedure.objects.get(slug=SLUG),
        before=before,
        after=after,
        crop=CROP,
        by=manager,
    )
    # The patient had changed their mind about the after photo: the pair is not shown.
    services.withdraw_publication_consent(photo=after, by=patient)
    procedure_url = live_server.url + reverse("procedures:detail", args=[SLUG])
    visitor = open_page()
    visitor.goto(procedure_url)
    assert visitor.locator(".gallery-pair").count() == 0

    patient_page = open_page()
    sign_in(patient_page, live_server, patient)
    patient_page.goto(live_server.url + reverse("patients:photos"))
    patient_page.locator(
        f'a[href="{reverse("patients:photo-publish", args=[after.uuid])}"]'
    ).click()
    patient_page.get_by_role("heading", name="Consent to publish a photo").wait_for()
    patient_page.get_by_label("I allow this photo to be published").check()
    patient_page.get_by_role("button", name="Allow publication").click()
    patient_page.get_by_text("the clinic may now show this photo").wait_for()

    visitor.goto(procedure_url)
    visitor.get_by_role("heading", name="Before and after").wait_for()
    assert visitor.locator(f'[data-pair="{pair.uuid}"]').count() == 1
    assert loaded_widths(visitor) == [200, 200]  # 0.5 of 400 px, cut on the server
    visitor.goto(procedure_url)  # the kept page, served from the cache
    assert visitor.locator(f'[data-pair="{pair.uuid}"]').count() == 1

    after_figure = patient_page.get_by_role("figure", name=re.compile(r"^After"))
    after_figure.get_by_role("button", name="Withdraw consent").click()
    patient_page.get_by_text("no longer shown to anyone outside the clinic").wait_for()
    visitor.goto(procedure_url)
    assert visitor.locator(".gallery-pair").count() == 0
    picture = visitor.request.get(
        live_server.url + reverse("patients:gallery-picture", args=[pair.uuid, "before"])
    )
    assert picture.status == 404


@pytest.mark.usefixtures("migrated_data")
def test_a_manager_drags_the_region_over_the_before_photo(
    page: Any, live_server: Any, patient: User, practitioner: User, manager: User
) -> None:
    before = clinic_photo(patient, practitioner, Photo.Kind.BEFORE, days_ago=60)
    after = clinic_photo(patient, practitioner, Photo.Kind.AFTER, days_ago=2)
    publish(before, patient)
    publish(after, patient)
    sign_in(page, live_server, manager)
    page.goto(live_server.url + reverse("gallery:new-pair", args=[patient.patient_profile.pk]))
    page.locator(f'input[name="before"][value="{before.uuid}"]').check()
    page.locator(f'input[name="after"][value="{after.uuid}"]').check()
    page.locator("#id_procedure").select_option(label=Procedure.objects.get(slug=SLUG).name)
    frame = page.locator('[data-side="before"] .gallery-crop-frame')
    frame.wait_for()
    assert loaded_widths(page, ".gallery-crop-stage img") == [400, 400]
    box = frame.bounding_box()
    stage = page.locator('[data-side="before"]').bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(
        box["x"] + 10 - stage["width"] * 0.1, box["y"] + 10 - stage["height"] * 0.2, steps=5
    )
    page.mouse.up()
    assert float(page.locator("#id_crop_x").input_value()) == pytest.approx(0.0, abs=0.02)
    assert float(page.locator("#id_crop_y").input_value()) == pytest.approx(0.2, abs=0.02)
    # The after photo's frame follows: both are cut alike.
    after_frame = page.locator('[data-side="after"] .gallery-crop-frame')
    assert after_frame.get_attribute("style") == frame.get_attribute("style")
    page.get_by_role("button", name="Add to the gallery").click()
    page.get_by_text("The pair is in the procedure's gallery.").wait_for()
    pair = GalleryPair.objects.get()
    assert float(pair.crop_x) == pytest.approx(0.0, abs=0.02)
    assert float(pair.crop_y) == pytest.approx(0.2, abs=0.02)
