"""Publication consent per photo and the before/after gallery: nothing is public without
the patient's tick, a tick makes a manager's pair appear, a withdrawal takes it off every
public page at once (with the page cache on), the public picture is cut and 404s once
withdrawn, and only the patient ticks, only a manager builds pairs."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from clinic.models import User
from patients.models import (
    PHOTO_PUBLICATION,
    ConsentText,
    GalleryPair,
    Photo,
    PhotoPublicationConsent,
)
from patients.records import services as record_services
from patients.records.outcomes.gallery import selectors, services
from patients.records.selectors import current_consent_texts
from patients.tests.factories import jpeg_bytes
from procedures.errors import DomainError
from procedures.models import Procedure
from procedures.page_cache import invalidate_public_pages

pytestmark = pytest.mark.django_db

SLUG = "fractional-laser"
CROP = (Decimal("0.25"), Decimal("0.5"), Decimal("0.5"), Decimal("0.5"))


@pytest.fixture(autouse=True)
def page_cache_on(settings: Any) -> Iterator[None]:
    """Public pages kept in the cache, as in production."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    invalidate_public_pages()
    yield
    invalidate_public_pages()


def clinic_photo(patient: User, practitioner: User, kind: str, *, days_ago: int) -> Photo:
    upload = SimpleUploadedFile("face.jpg", jpeg_bytes((400, 300)), content_type="image/jpeg")
    photo = record_services.upload_photo(
        patient=patient.patient_profile, upload=upload, kind=kind, uploaded_by=practitioner
    )
    Photo.objects.filter(pk=photo.pk).update(
        uploaded_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    photo.refresh_from_db()
    return photo


def publish(photo: Photo, by: User) -> PhotoPublicationConsent:
    text = selectors.current_publication_text()
    assert text is not None
    return services.give_publication_consent(
        photo=photo, text=text, by=by, ticked=True, ip_address="192.0.2.7", language="en"
    )


@pytest.fixture
def photos(patient: User, practitioner: User) -> tuple[Photo, Photo]:
    before = clinic_photo(patient, practitioner, Photo.Kind.BEFORE, days_ago=90)
    after = clinic_photo(patient, practitioner, Photo.Kind.AFTER, days_ago=1)
    return before, after


@pytest.fixture
def consented(photos: tuple[Photo, Photo], patient: User) -> tuple[Photo, Photo]:
    for photo in photos:
        publish(photo, patient)
    return photos


@pytest.fixture
def pair(consented: tuple[Photo, Photo], manager: User) -> GalleryPair:
    before, after = consented
    return services.create_gallery_pair(
        procedure=Procedure.objects.get(slug=SLUG),
        before=before,
        after=after,
        crop=CROP,
        by=manager,
    )


def procedure_page(language: str = "en") -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("procedures:detail", args=[SLUG]))
    assert response.status_code == 200
    return response.content.decode()


def picture_url(pair: GalleryPair, side: str = "before") -> str:
    return reverse("patients:gallery-picture", args=[pair.uuid, side])


# --- the consent text ---------------------------------------------------------------------------


def test_the_publication_text_is_seeded_in_english_and_russian_and_not_signed_once() -> None:
    text = ConsentText.objects.get(kind=PHOTO_PUBLICATION, version=1)
    assert "10.1" in text.body_en
    assert "152-ФЗ" in text.body_ru
    assert text.sha256 == text.compute_digest()
    # Agreed to per photo: not among the texts of the consents page, nor signable there.
    assert PHOTO_PUBLICATION not in {t.kind for t in current_consent_texts()}


def test_the_consents_page_does_not_offer_the_publication_text(
    client: Client, patient: User
) -> None:
    client.force_login(patient)
    assert client.get(reverse("patients:consent-sign", args=[PHOTO_PUBLICATION])).status_code == 404


# --- nothing public without consent ------------------------------------------------------------


def test_a_photo_is_not_public_without_consent(
    photos: tuple[Photo, Photo], patient: User, manager: User
) -> None:
    before, after = photos
    publish(before, patient)  # only one of the two
    with pytest.raises(DomainError) as refused:
        services.create_gallery_pair(
            procedure=Procedure.objects.get(slug=SLUG),
            before=before,
            after=after,
            crop=CROP,
            by=manager,
        )
    assert refused.value.code == "no_publication_consent"
    assert refused.value.field == "after"
    assert GalleryPair.objects.count() == 0
    assert "gallery-pair" not in procedure_page()


def test_a_pair_whose_photo_lost_consent_is_not_public_even_if_its_row_stays(
    pair: GalleryPair, patient: User
) -> None:
    # A row made directly (as a bug or a race could) is still not shown without consent.
    services.withdraw_publication_consent(photo=pair.after, by=patient)
    assert GalleryPair.objects.filter(pk=pair.pk).exists()
    assert selectors.public_pairs().count() == 0


def test_consent_makes_the_pair_appear_on_the_procedure_page(pair: GalleryPair) -> None:
    page = procedure_page()
    assert f'data-pair="{pair.uuid}"' in page
    assert picture_url(pair, "before") in page
    assert picture_url(pair, "after") in page
    assert "Before and after" in page


def test_the_gallery_speaks_russian(pair: GalleryPair) -> None:
    page = procedure_page("ru")
    assert f'data-pair="{pair.uuid}"' in page
    assert "До и после" in page
    assert "их согласия" in page


# --- withdrawal -----------------------------------------------------------------------------


def test_withdrawal_removes_the_pair_from_the_kept_page_at_once(
    pair: GalleryPair,
    patient: User,
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    assert f'data-pair="{pair.uuid}"' in procedure_page()
    with django_assert_num_queries(0):
        assert f'data-pair="{pair.uuid}"' in procedure_page()  # the kept page
    client.force_login(patient)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("patients:photo-withdraw-publication", args=[pair.before.uuid])
        )
    assert response.status_code == 302
    assert f'data-pair="{pair.uuid}"' not in procedure_page()
    consent = PhotoPublicationConsent.objects.get(photo=pair.before)
    assert consent.withdrawn_at is not None


def test_the_public_picture_is_cut_to_the_region_and_carries_no_metadata(
    pair: GalleryPair,
) -> None:
    response = Client().get(picture_url(pair, "after"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (200, 150)  # half of 400 x 300
    assert not image.getexif()
    assert "exif" not in image.info


def test_the_public_picture_404s_after_withdrawal(
    pair: GalleryPair, patient: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    assert Client().get(picture_url(pair, "before")).status_code == 200
    assert Client().get(picture_url(pair, "after")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_publication_consent(photo=pair.after, by=patient)
    assert Client().get(picture_url(pair, "before")).status_code == 404
    assert Client().get(picture_url(pair, "after")).status_code == 404


def test_ticking_again_after_a_withdrawal_brings_the_pair_back(
    pair: GalleryPair, patient: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_publication_consent(photo=pair.after, by=patient)
    assert f'data-pair="{pair.uuid}"' not in procedure_page()
    with django_capture_on_commit_callbacks(execute=True):
        publish(pair.after, patient)
    assert f'data-pair="{pair.uuid}"' in procedure_page()
    assert PhotoPublicationConsent.objects.filter(photo=pair.after).count() == 2


def test_an_unknown_side_or_pair_is_404(pair: GalleryPair) -> None:
    assert Client().get(picture_url(pair).replace("before", "face")).status_code == 404
    other = reverse(
        "patients:gallery-picture", args=["7f0c4e2a-1b7e-4a3e-9d6c-000000000000", "before"]
    )
    assert Client().get(other).status_code == 404


# --- the patient's pages ----------------------------------------------------------------------


def test_the_patient_reads_the_text_and_ticks_publication(
    client: Client, patient: User, photos: tuple[Photo, Photo]
) -> None:
    before, _after = photos
    client.force_login(patient)
    url = reverse("patients:photo-publish", args=[before.uuid])
    page = client.get(url)
    assert page.status_code == 200
    assert "Consent to publish a photo" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    text = selectors.current_publication_text()
    assert client.post(url, {"version": text.version}).status_code == 400  # no tick
    response = client.post(url, {"version": text.version, "ticked": "on"})
    assert response.status_code == 302
    consent = PhotoPublicationConsent.objects.get(photo=before)
    assert consent.given_by == patient
    assert consent.text == text
    assert consent.text_sha256 == text.sha256
    assert consent.ip_address == "127.0.0.1"
    assert consent.withdrawn_at is None
    photos_page = client.get(reverse("patients:photos")).content.decode()
    assert reverse("patients:photo-withdraw-publication", args=[before.uuid]) in photos_page
    assert "Clinical only" in photos_page  # the other photo


def test_the_publication_page_speaks_russian(
    client: Client, patient: User, photos: tuple[Photo, Photo]
) -> None:
    client.force_login(patient)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(reverse("patients:photo-publish", args=[photos[0].uuid])).content.decode()
    assert "Согласие на публикацию фотографии" in page
    assert "Разрешить публикацию" in page
    photos_page = client.get(reverse("patients:photos")).content.decode()
    assert "Только для лечения" in photos_page


def test_another_patient_cannot_tick_or_withdraw(
    client: Client, other_patient: User, pair: GalleryPair
) -> None:
    client.force_login(other_patient)
    photo = pair.before
    publish_url = reverse("patients:photo-publish", args=[photo.uuid])
    assert client.get(publish_url).status_code == 404
    assert client.post(publish_url, {"version": 1, "ticked": "on"}).status_code == 404
    withdraw_url = reverse("patients:photo-withdraw-publication", args=[photo.uuid])
    assert client.post(withdraw_url).status_code == 404
    assert selectors.live_consent_of(photo) is not None


@pytest.mark.parametrize("persona", ["practitioner", "manager"])
def test_staff_cannot_tick_or_withdraw_for_the_patient(
    client: Client, persona: str, photos: tuple[Photo, Photo], request: pytest.FixtureRequest
) -> None:
    staff = request.getfixturevalue(persona)
    photo = photos[0]
    client.force_login(staff)
    url = reverse("patients:photo-publish", args=[photo.uuid])
    assert client.post(url, {"version": 1, "ticked": "on"}).status_code == 404
    with pytest.raises(DomainError) as refused:
        publish(photo, staff)
    assert refused.value.code == "forbidden"
    with pytest.raises(DomainError):
        services.withdraw_publication_consent(photo=photo, by=staff)
    assert not PhotoPublicationConsent.objects.exists()


# --- the manager's pages -----------------------------------------------------------------------


def pair_form(before: Photo, after: Photo, **extra: str) -> dict[str, str]:
    return {
        "procedure": str(Procedure.objects.get(slug=SLUG).pk),
        "before": str(before.uuid),
        "after": str(after.uuid),
        "crop_x": "0.1",
        "crop_y": "0.3",
        "crop_width": "0.8",
        "crop_height": "0.6",
        **extra,
    }


def new_pair_url(patient: User) -> str:
    return reverse("gallery:new-pair", args=[patient.patient_profile.pk])


def test_a_manager_builds_a_pair_on_the_staff_page(
    client: Client, manager: User, patient: User, consented: tuple[Photo, Photo]
) -> None:
    before, after = consented
    client.force_login(manager)
    index = client.get(reverse("gallery:index"))
    assert index.status_code == 200
    new_url = new_pair_url(patient)
    assert new_url in index.content.decode()
    page = client.get(new_url)
    assert page.status_code == 200
    assert str(before.uuid) in page.content.decode()
    response = client.post(new_url, pair_form(before, after))
    assert response.status_code == 302, response.content.decode()
    pair = GalleryPair.objects.get()
    assert pair.crop_box == (Decimal("0.1"), Decimal("0.3"), Decimal("0.8"), Decimal("0.6"))
    assert pair.created_by == manager
    assert f'data-pair="{pair.uuid}"' in procedure_page()


@pytest.mark.parametrize(
    ("swap", "extra", "message"),
    [
        (False, {"crop_x": "0.5", "crop_width": "0.8"}, "The region must lie inside the picture."),
        (False, {"crop_height": "0"}, "The region must lie inside the picture."),
        (True, {}, "The after photo must be taken later than the before photo."),
    ],
)
def test_a_pair_the_rules_refuse_is_a_form_error(
    client: Client,
    manager: User,
    patient: User,
    consented: tuple[Photo, Photo],
    swap: bool,
    extra: dict[str, str],
    message: str,
) -> None:
    before, after = consented
    if swap:
        before, after = after, before
    client.force_login(manager)
    response = client.post(new_pair_url(patient), pair_form(before, after, **extra))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not GalleryPair.objects.exists()


def test_a_photo_without_consent_cannot_be_chosen(
    client: Client, manager: User, patient: User, photos: tuple[Photo, Photo]
) -> None:
    before, after = photos
    publish(before, patient)
    client.force_login(manager)
    new_url = new_pair_url(patient)
    assert str(after.uuid) not in client.get(new_url).content.decode()
    assert client.post(new_url, pair_form(before, after)).status_code == 400
    assert not GalleryPair.objects.exists()


@pytest.mark.parametrize("persona", ["practitioner", "receptionist"])
def test_only_a_manager_builds_the_gallery(
    client: Client, persona: str, pair: GalleryPair, request: pytest.FixtureRequest
) -> None:
    staff = request.getfixturevalue(persona)
    client.force_login(staff)
    assert client.get(reverse("gallery:index")).status_code == 403
    patient_id = pair.before.patient_id
    new_url = reverse("gallery:new-pair", args=[patient_id])
    assert client.post(new_url, pair_form(pair.before, pair.after)).status_code == 403
    assert client.post(reverse("gallery:delete-pair", args=[pair.pk])).status_code == 403
    assert GalleryPair.objects.count() == 1
    with pytest.raises(DomainError):
        services.create_gallery_pair(
            procedure=pair.procedure, before=pair.before, after=pair.after, crop=CROP, by=staff
        )


def test_a_patient_cannot_reach_the_manager_pages(client: Client, patient: User) -> None:
    client.force_login(patient)
    response = client.get(reverse("gallery:index"))
    assert response.status_code == 302  # to the admin's login
    assert reverse("admin:login") in response["Location"]


def test_removing_a_pair_takes_it_off_the_page(
    client: Client,
    manager: User,
    pair: GalleryPair,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    assert f'data-pair="{pair.uuid}"' in procedure_page()
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("gallery:delete-pair", args=[pair.pk]))
    assert response.status_code == 302
    assert f'data-pair="{pair.uuid}"' not in procedure_page()
    assert Client().get(picture_url(pair)).status_code == 404


def test_erasing_the_patient_takes_the_pair_off_the_page(
    pair: GalleryPair, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    assert f'data-pair="{pair.uuid}"' in procedure_page()
    with django_capture_on_commit_callbacks(execute=True):
        Photo.objects.filter(pk=pair.before.pk).delete()
    assert not GalleryPair.objects.exists()
    assert f'data-pair="{pair.uuid}"' not in procedure_page()


# --- the demo clinic -----------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 3, 11, 8, 0, tzinfo=ZoneInfo("Europe/Moscow")))
def test_the_demo_clinic_shows_a_gallery_and_seeding_twice_adds_nothing() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    pairs = list(selectors.public_pairs().select_related("procedure"))
    assert {pair.procedure.slug for pair in pairs} == {"microneedling", "tca-cross"}
    assert len(pairs) == 2
    for pair in pairs:
        assert selectors.live_consent_of(pair.before).given_by == pair.before.patient.user
    page = Client().get(reverse("procedures:detail", args=["microneedling"])).content.decode()
    assert page.count("gallery-pair") == 1
    picture = Client().get(picture_url(pairs[0], "after"))
    assert Image.open(io.BytesIO(picture.content)).size == (560, 300)  # 0.7 x 0.5 of 800 x 600


def test_the_manager_finds_the_gallery_in_the_workspace(client: Client, manager: User) -> None:
    client.force_login(manager)
    page = client.get(reverse("workspace:dashboard"))
    assert page.status_code == 200
    assert reverse("gallery:index") in page.content.decode()


def test_the_patient_export_holds_each_publication_consent(
    pair: GalleryPair, patient: User
) -> None:
    services.withdraw_publication_consent(photo=pair.after, by=patient)
    archive = zipfile.ZipFile(
        io.BytesIO(record_services.export_patient_data(patient=patient.patient_profile))
    )
    data = json.loads(archive.read("data.json"))
    consents = {photo["kind"]: photo["publication_consents"] for photo in data["photos"]}
    assert consents["before"][0]["withdrawn_at"] is None
    assert consents["after"][0]["withdrawn_at"] is not None
    assert consents["after"][0]["text_version"] == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("before", "not-a-uuid"), ("crop_x", "left"), ("crop_width", "1e9"), ("procedure", "x")],
)
def test_bad_input_on_the_pair_form_is_a_400_naming_the_field(
    client: Client,
    manager: User,
    patient: User,
    consented: tuple[Photo, Photo],
    field: str,
    value: str,
) -> None:
    client.force_login(manager)
    response = client.post(new_pair_url(patient), {**pair_form(*consented), field: value})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not GalleryPair.objects.exists()


def test_the_publication_page_of_a_photo_still_processing_is_404(
    client: Client, patient: User, photos: tuple[Photo, Photo]
) -> None:
    Photo.objects.filter(pk=photos[0].pk).update(status=Photo.Status.PROCESSING)
    client.force_login(patient)
    assert client.get(reverse("patients:photo-publish", args=[photos[0].uuid])).status_code == 404
