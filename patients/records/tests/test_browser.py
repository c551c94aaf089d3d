"""A patient's journey in a real browser: register, confirm the e-mail, fill the
intake, see the screened catalogue, sign a consent, upload a photo."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from PIL import Image

from clinic.models import User
from clinic.tests.browser import answer_the_intake_choices, field, log_in_with_the_form
from patients.models import ConsentSignature, IntakeVersion, Photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("migrated_data")
def test_a_patient_registers_fills_the_intake_signs_and_uploads(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    page.goto(f"{live_server.url}/accounts/register/")
    field(page, "email").fill("dana@example.test")
    field(page, "password1").fill("a-long-unusual-passphrase-42")
    field(page, "password2").fill("a-long-unusual-passphrase-42")
    field(page, "first_name").fill("Dana")
    field(page, "last_name").fill("Dale")
    field(page, "phone").fill("+7 900 444-44-44")
    field(page, "date_of_birth").fill("1992-06-15")
    field(page, "preferred_language").select_option("en")
    field(page, "consent_full_name").fill("Dana Dale")
    field(page, "consent_ticked").check()
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()

    # The e-mail (locmem backend) carries the confirmation link.
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/verify/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_text("your e-mail address is confirmed").wait_for()
    # Registering signs nobody in (issue #21): the link leads to the login page.
    log_in_with_the_form(page, "dana@example.test", "a-long-unusual-passphrase-42")
    assert User.objects.get(email="dana@example.test").patient_profile.is_verified

    page.goto(f"{live_server.url}/me/intake/")
    pregnancy = page.locator('[data-show-key="sex"]')
    page.locator('input[name="sex"][value="male"]').check()
    assert not pregnancy.is_visible()  # intake.js hides the pregnancy group for others
    stop_date = page.locator('input[name="isotretinoin_stopped_on"]')
    assert not stop_date.is_visible()
    page.locator('input[name="isotretinoin"][value="stopped"]').check()
    assert stop_date.is_visible()
    answer_the_intake_choices(page)
    assert pregnancy.is_visible()
    assert not stop_date.is_visible()
    page.locator('input[name="scar_types"][value="rolling"]').check()
    page.get_by_role("button", name="Save my answers").click()

    page.get_by_role("heading", name="Treatments for me").wait_for()
    glycolic = page.locator(".list-group-item", has_text="Glycolic acid peel")
    assert "Suitable" in glycolic.inner_text()
    version = IntakeVersion.objects.get(patient__user__email="dana@example.test")
    assert version.answers["sex"] == "female"

    page.get_by_role("link", name="Consents").first.click()
    page.locator('a[href="/me/consents/sign/peel/"]').click()
    field(page, "full_name").fill("Dana Dale")
    field(page, "ticked").check()
    page.get_by_role("button", name="Sign").click()
    page.get_by_text("your consent is signed").wait_for()
    assert ConsentSignature.objects.filter(kind="peel", full_name="Dana Dale").exists()

    photo_path = tmp_path / "cheek.jpg"
    Image.new("RGB", (320, 240), "salmon").save(photo_path, format="JPEG")
    page.goto(f"{live_server.url}/me/photos/")
    field(page, "image").set_input_files(str(photo_path))
    field(page, "note").fill("left cheek")
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Your photo is uploaded").wait_for()
    photo = Photo.objects.get(patient__user__email="dana@example.test")
    thumbnail = page.locator(f'img[src="/photos/{photo.uuid}/thumb/"]')
    thumbnail.wait_for()
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
