"""Photos are decoded in the worker (issue 21): the upload returns at once with the photo
"processing", the task makes it ready (or failed), at most PHOTO_DECODE_MAX_PIXELS are
decoded at once, and a patient's uploads are rate limited whoever sends them."""

import datetime as dt
import io
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from celery import current_app
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError
from PIL import Image, ImageFile

from clinic.models import User
from patients.models import Photo
from patients.records import services
from patients.records.services.photos import PROCESS_PHOTO
from patients.records.tasks import process_uploaded_photo
from patients.tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db


def stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "patient-photos"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (80, 40), "blue")
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (55.0, 45.0, 21.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def queued(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Process photos through Celery, recording the photo ids enqueued instead of sending."""
    settings.PHOTO_PROCESSING = "celery"
    sent: list[int] = []
    task = process_uploaded_photo
    monkeypatch.setattr(task, "delay", lambda photo_id: sent.append(photo_id))
    return sent


def upload(client: Client, data: bytes, url: str | None = None, **extra: str):
    return client.post(
        url or reverse("patients:photos"),
        {"image": SimpleUploadedFile("face.jpg", data, content_type="image/jpeg"), **extra},
    )


def test_the_upload_returns_processing_and_the_task_makes_the_photo_ready(
    client: Client,
    patient: User,
    queued: list[int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client.force_login(patient)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, jpeg_with_gps(), note="cheek")
    assert response.status_code == 302
    photo = Photo.objects.get(patient=patient.patient_profile)
    assert photo.status == Photo.Status.PROCESSING
    assert queued == [photo.pk]
    # Nothing decoded yet: only the upload, kept privately under a random name.
    assert photo.file_name == photo.thumbnail_name == ""
    assert stored_files() == {photo.source_name.removeprefix("patient-photos/")}
    page = client.get(reverse("patients:photos")).content.decode()
    assert "Processing…" in page
    assert reverse("patients:photo-file", args=[photo.uuid, "thumb"]) not in page
    assert client.get(reverse("patients:photo-file", args=[photo.uuid, "full"])).status_code == 404

    assert process_uploaded_photo(photo.pk) == Photo.Status.READY
    photo.refresh_from_db()
    assert photo.status == Photo.Status.READY
    assert photo.source_name == ""
    assert stored_files() == {
        name.removeprefix("patient-photos/") for name in (photo.file_name, photo.thumbnail_name)
    }
    response = client.get(reverse("patients:photo-file", args=[photo.uuid, "full"]))
    assert response.status_code == 200
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as stored:
        assert not stored.getexif()  # EXIF and GPS stripped by the worker
    page = client.get(reverse("patients:photos")).content.decode()
    assert reverse("patients:photo-file", args=[photo.uuid, "thumb"]) in page
    # A task that comes back (a worker died after finishing) changes nothing.
    assert process_uploaded_photo(photo.pk) == "skipped"


def test_a_file_that_will_not_decode_ends_failed_and_its_upload_is_removed(
    client: Client, patient: User, queued: list[int]
) -> None:
    data = jpeg_bytes((400, 300))
    truncated = data[: len(data) // 2]  # a valid header: the request's probe accepts it
    client.force_login(patient)
    assert upload(client, truncated).status_code == 302
    photo = Photo.objects.get()
    process_uploaded_photo(photo.pk)
    photo.refresh_from_db()
    assert (photo.status, photo.failure) == (Photo.Status.FAILED, "not_an_image")
    assert stored_files() == set()
    page = client.get(reverse("patients:photos")).content.decode()
    assert "This file could not be read as a photo." in page


def test_a_non_image_is_still_refused_in_the_request(client: Client, patient: User) -> None:
    client.force_login(patient)
    response = upload(client, b"%PDF-1.4 not a photo")
    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP picture" in response.content.decode()
    assert not Photo.objects.exists()
    assert stored_files() == set()


def test_a_large_jpeg_is_decoded_scaled_down_within_the_limit(
    patient: User, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PHOTO_DECODE_MAX_PIXELS = 20_000
    data = jpeg_bytes((800, 600))
    decoded: list[int] = []
    real_load = ImageFile.ImageFile.load

    def load(image: ImageFile.ImageFile) -> Any:
        result = real_load(image)
        decoded.append(image.width * image.height)
        return result

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    photo = services.upload_photo(
        patient=patient.patient_profile,
        upload=SimpleUploadedFile("big.jpg", data),
        kind=Photo.Kind.AREA,
        uploaded_by=patient,
    )
    assert photo.status == Photo.Status.READY
    # 480,000 pixels in the file; the decoder was asked for 1/8 of each side.
    assert (photo.width, photo.height) == (100, 75)
    assert decoded
    assert max(decoded) <= 20_000


def test_a_png_beyond_the_decode_limit_is_refused_at_upload(
    client: Client, patient: User, settings: Any
) -> None:
    settings.PHOTO_DECODE_MAX_PIXELS = 20_000
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "green").save(out, format="PNG")
    client.force_login(patient)
    response = client.post(
        reverse("patients:photos"),
        {"image": SimpleUploadedFile("a.png", out.getvalue(), content_type="image/png")},
    )
    assert response.status_code == 400
    assert "megapixels" in response.content.decode()
    assert not Photo.objects.exists()


def test_deleting_a_photo_still_processing_removes_its_upload(
    client: Client,
    patient: User,
    queued: list[int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client.force_login(patient)
    upload(client, jpeg_bytes())
    photo = Photo.objects.get()
    assert stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_photo(photo=photo, by=patient)
    assert stored_files() == set()
    assert process_uploaded_photo(photo.pk) == "skipped"
    assert not Photo.objects.exists()


@pytest.fixture
def photo_limit(settings: Any) -> Iterator[None]:
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "photo_upload": "2/h"}
    # A window of its own, so counts of other runs or tests never meet this one's.
    hours = uuid.uuid4().int % 1_000_000
    with time_machine.travel(dt.datetime(2030, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=hours)):
        yield


@pytest.mark.usefixtures("photo_limit")
def test_uploads_are_limited_per_patient_whoever_uploads(
    client: Client, patient: User, other_patient: User, practitioner: User
) -> None:
    client.force_login(patient)
    assert [upload(client, jpeg_bytes()).status_code for _ in range(2)] == [302, 302]
    refused = upload(client, jpeg_bytes())
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many photos for now" in refused.content.decode()
    assert Photo.objects.filter(patient=patient.patient_profile).count() == 2

    # The clinic adding photos for the same patient counts against the same limit...
    client.force_login(practitioner)
    staff_url = reverse("patients:staff-photos", args=[patient.patient_profile.pk])
    assert upload(client, jpeg_bytes(), url=staff_url, kind="before").status_code == 429
    # ...while another patient is untouched.
    client.force_login(other_patient)
    assert upload(client, jpeg_bytes()).status_code == 302


def test_the_task_is_registered_under_its_name() -> None:
    assert current_app.tasks[PROCESS_PHOTO].name == process_uploaded_photo.name


def test_with_the_broker_down_the_photo_is_processed_in_the_request(
    client: Client,
    patient: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.PHOTO_PROCESSING = "celery"

    def broker_down(photo_id: int) -> None:
        raise OperationalError("Connection refused")

    monkeypatch.setattr(process_uploaded_photo, "delay", broker_down)
    client.force_login(patient)
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(client, jpeg_bytes()).status_code == 302
    photo = Photo.objects.get()
    assert photo.status == Photo.Status.READY
    assert photo.source_name == ""
