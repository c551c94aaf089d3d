"""Photo uploads: only real JPEG/PNG/WebP pictures, within size limits, cleaned of
EXIF and GPS, stored under random names, and nothing half-saved on a bad file."""

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from clinic.models import User
from patients.models import AuditEntry, Photo
from patients.records import services
from patients.records.images import ImageRejected, clean_image
from patients.tests.factories import jpeg_bytes
from procedures.errors import DomainError

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "patient-photos"
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def jpeg_with_gps_and_orientation() -> bytes:
    image = Image.new("RGB", (80, 40), "blue")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(client: Client, data: bytes, name: str = "face.jpg", content_type: str = "image/jpeg"):
    return client.post(
        reverse("patients:photos"),
        {"image": SimpleUploadedFile(name, data, content_type=content_type), "note": "cheek"},
    )


def test_a_photo_is_stored_under_a_random_name_with_a_thumbnail(
    client: Client, patient: User
) -> None:
    client.force_login(patient)
    response = upload(client, jpeg_bytes((1200, 900)), name="my face.jpg")
    assert response.status_code == 302
    photo = Photo.objects.get(patient=patient.patient_profile)
    assert photo.kind == Photo.Kind.AREA
    assert photo.note == "cheek"
    assert "my face" not in photo.file_name
    assert photo.file_name.startswith("patient-photos/")
    assert not photo.file_name.startswith("static")
    assert photo.file_name != photo.thumbnail_name
    with default_storage.open(photo.thumbnail_name) as handle, Image.open(handle) as thumb:
        assert max(thumb.size) <= 480
    assert Path(default_storage.path(photo.file_name)).is_relative_to(Path(settings.MEDIA_ROOT))
    assert not Path(default_storage.path(photo.file_name)).is_relative_to(
        Path(settings.BASE_DIR) / "static"
    )


def test_gps_and_exif_are_gone_and_orientation_is_applied(client: Client, patient: User) -> None:
    client.force_login(patient)
    original = jpeg_with_gps_and_orientation()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS_IFD)  # the test file really carries GPS
    assert upload(client, original).status_code == 302
    photo = Photo.objects.get(patient=patient.patient_profile)
    with default_storage.open(photo.file_name) as handle:
        stored = handle.read()
    with Image.open(io.BytesIO(stored)) as after:
        assert dict(after.getexif()) == {}
        assert not after.getexif().get_ifd(GPS_IFD)
        assert "exif" not in after.info
        assert after.size == (40, 80)  # turned upright before the EXIF went
    assert b"PhoneMaker" not in stored
    assert (photo.width, photo.height) == (40, 80)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4 this is not a picture at all", "face.jpg"),
        (b"<?php system($_GET['c']); ?>", "face.png"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04", "face.webp"),
        (jpeg_bytes()[:200], "truncated.jpg"),
    ],
    ids=["pdf-renamed", "script-renamed", "gif", "truncated-jpeg"],
)
def test_a_renamed_non_image_is_refused_with_a_clear_message(
    client: Client, patient: User, data: bytes, name: str
) -> None:
    client.force_login(patient)
    response = upload(client, data, name=name)
    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP picture" in response.content.decode()
    assert not Photo.objects.exists()
    assert stored_files() == set()


def test_a_gif_with_an_image_name_is_refused_even_if_pillow_can_read_it(patient: User) -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "green").save(out, format="GIF")
    with pytest.raises(ImageRejected) as caught:
        clean_image(io.BytesIO(out.getvalue()))
    assert caught.value.code == "not_an_image"


def test_a_decompression_bomb_is_refused(client: Client, patient: User) -> None:
    # A tiny PNG that claims 9000 x 9000 pixels (81 MP, more than 40 MP).
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, format="PNG", optimize=True)
    bomb = out.getvalue()
    assert len(bomb) < 100_000
    client.force_login(patient)
    response = upload(client, bomb, name="small.png", content_type="image/png")
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert "megapixels" in response.content.decode()
    assert not Photo.objects.exists()
    assert stored_files() == set()


def test_an_image_just_over_the_pixel_limit_is_refused_via_the_warning(patient: User) -> None:
    # Between the limit and twice the limit Pillow only warns; we treat that as an error.
    out = io.BytesIO()
    Image.new("L", (120, 100)).save(out, format="PNG")
    with pytest.raises(ImageRejected) as caught:
        clean_image(io.BytesIO(out.getvalue()), max_pixels=10_000)
    assert caught.value.code == "too_many_pixels"


def test_an_oversized_file_is_refused(client: Client, patient: User) -> None:
    big = jpeg_bytes() + os.urandom(settings.PHOTO_MAX_BYTES)  # valid start, 10 MB + more
    client.force_login(patient)
    response = upload(client, big)
    assert response.status_code == 400
    assert "too large: at most 10 MB" in response.content.decode()
    assert not Photo.objects.exists()
    assert stored_files() == set()


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(patient: User, image_format: str) -> None:
    out = io.BytesIO()
    Image.new("RGBA", (30, 20), (10, 20, 30, 128)).save(out, format=image_format)
    photo = services.upload_photo(
        patient=patient.patient_profile,
        upload=SimpleUploadedFile("x.bin", out.getvalue()),
        kind=Photo.Kind.AREA,
        uploaded_by=patient,
    )
    assert photo.image_format == image_format
    assert photo.file_name.endswith({"PNG": ".png", "WEBP": ".webp"}[image_format])


def test_no_row_and_no_file_when_the_row_cannot_be_written(
    patient: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_save(self: Photo, *args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(Photo, "save", broken_save)
    with pytest.raises(RuntimeError):
        services.upload_photo(
            patient=patient.patient_profile,
            upload=SimpleUploadedFile("a.jpg", jpeg_bytes()),
            kind=Photo.Kind.AREA,
            uploaded_by=patient,
        )
    assert stored_files() == set()


def test_patients_cannot_add_before_after_photos(patient: User) -> None:
    with pytest.raises(DomainError) as caught:
        services.upload_photo(
            patient=patient.patient_profile,
            upload=SimpleUploadedFile("a.jpg", jpeg_bytes()),
            kind=Photo.Kind.BEFORE,
            uploaded_by=patient,
        )
    assert caught.value.code == "forbidden"
    assert not Photo.objects.exists()
    assert stored_files() == set()


def test_practitioner_adds_before_and_after_and_compares_them(
    client: Client, patient: User, practitioner: User
) -> None:
    client.force_login(practitioner)
    url = reverse("patients:staff-photos", args=[patient.patient_profile.pk])
    for kind, color in (("before", "red"), ("after", "green")):
        response = client.post(
            url,
            {
                "kind": kind,
                "note": kind,
                "image": SimpleUploadedFile("p.jpg", jpeg_bytes(color=color)),
            },
        )
        assert response.status_code == 302
    before = Photo.objects.get(kind="before")
    after = Photo.objects.get(kind="after")
    assert before.uploaded_by == practitioner
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ADD_PHOTO).count() == 2
    response = client.get(url, {"left": str(before.uuid), "right": str(after.uuid)})
    html = response.content.decode()
    assert "Side by side" in html
    assert reverse("patients:photo-file", args=[before.uuid, "full"]) in html
    assert reverse("patients:photo-file", args=[after.uuid, "full"]) in html
    assert AuditEntry.objects.filter(action=AuditEntry.Action.COMPARE_PHOTOS).exists()


def test_receptionist_cannot_upload_for_a_patient(
    client: Client, patient: User, receptionist: User
) -> None:
    client.force_login(receptionist)
    url = reverse("patients:staff-photos", args=[patient.patient_profile.pk])
    response = client.post(
        url, {"kind": "before", "image": SimpleUploadedFile("p.jpg", jpeg_bytes())}
    )
    assert response.status_code == 403
    assert not Photo.objects.exists()


def test_patient_deletes_own_area_photo_and_its_files(
    client: Client, patient: User, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(patient)
    upload(client, jpeg_bytes())
    photo = Photo.objects.get()
    assert len(stored_files()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("patients:photo-delete", args=[photo.uuid]))
    assert response.status_code == 302
    assert not Photo.objects.exists()
    assert stored_files() == set()
