"""Shared helpers for the patients tests."""

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from clinic.models import User
from patients.models import PHOTO_PUBLICATION, ConsentText, Photo
from patients.records import services
from patients.tests.factories import jpeg_bytes
from procedures.models import PhotoView, Procedure


@pytest.fixture
def add_photo() -> Callable[..., Photo]:
    """Store a small JPEG photo for a patient, uploaded by `by` (the patient by default)."""

    def add(patient: User, *, kind: str = Photo.Kind.AREA, by: User | None = None) -> Photo:
        upload = SimpleUploadedFile("face.jpg", jpeg_bytes(), content_type="image/jpeg")
        return services.upload_photo(
            patient=patient.patient_profile, upload=upload, kind=kind, uploaded_by=by or patient
        )

    return add


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Each test stores photos in its own folder, so tests can assert what was left behind."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/media-not-public/"},
        },
    }
    return root


@pytest.fixture
def migrated_data(transactional_db: None) -> None:
    """Reload what data migrations put in the database (the catalogue, the consent texts).

    A transactional test empties every table when it ends, so a later one
    (browser tests) finds them empty; this loads them again when missing.
    """
    if not Procedure.objects.exists():
        import_module("procedures.migrations.0002_load_catalogue").load_catalogue(apps, None)
    if not PhotoView.objects.exists():
        import_module("procedures.migrations.0013_standard_photo_views").forwards(apps, None)
    if not ConsentText.objects.exists():
        import_module("patients.migrations.0002_seed_consent_texts").seed(apps, None)
    if not ConsentText.objects.filter(kind=PHOTO_PUBLICATION).exists():
        import_module("patients.migrations.0031_seed_photo_publication_consent_text").seed(
            apps, None
        )
