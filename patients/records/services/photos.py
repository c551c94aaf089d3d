"""Storing and removing photos.

Domain rules:
- A patient uploads photos of the areas to treat (kind `area`) for
  themselves only; practitioners and managers add `before` / `after` photos
  (and may add area photos) for any patient, and that is audited.
- Every file is checked and re-encoded by `patients.records.images.clean_image` before
  anything is stored; the picture and its thumbnail are saved in the default
  storage under fresh random names, never the uploaded name.
- Nothing is half-saved: if the row cannot be written, the stored files are
  removed again; if a file cannot be stored, no row is written.
"""

from __future__ import annotations

import logging
import uuid
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import User
from clinic.roles import can_see_health_data
from patients.models import AdverseEventPhoto, AuditEntry, PatientProfile, Photo
from patients.records.images import clean_image
from patients.records.services.audit import record_access
from procedures.errors import DomainError

logger = logging.getLogger(__name__)

PHOTO_FOLDER = "patient-photos"


def _save_file(data: bytes, extension: str) -> str:
    return default_storage.save(f"{PHOTO_FOLDER}/{uuid.uuid4().hex}.{extension}", ContentFile(data))


def delete_stored_files(*names: str) -> None:
    """Remove stored files, logging (not raising) when one is already gone."""
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete stored photo file %s", name, exc_info=True)


def upload_photo(
    *,
    patient: PatientProfile,
    upload: IO[bytes],
    kind: str,
    uploaded_by: User,
    note: str = "",
    ip_address: str | None = None,
) -> Photo:
    """Check, clean and store a photo for `patient`; raise DomainError/ImageRejected."""
    is_owner = patient.user_id == uploaded_by.pk
    is_clinician = can_see_health_data(uploaded_by)
    if not (is_owner or is_clinician):
        raise DomainError(_("You cannot add photos for this patient."), code="forbidden")
    if kind not in Photo.Kind.values:
        raise DomainError(_("Choose what the photo shows."), code="invalid_kind", field="kind")
    if not is_clinician and kind != Photo.Kind.AREA:
        raise DomainError(
            _("Before and after photos are taken by the clinic."), code="forbidden", field="kind"
        )

    image = clean_image(upload)  # raises ImageRejected before anything is stored
    stored: list[str] = []
    try:
        stored.append(_save_file(image.data, image.extension))
        stored.append(_save_file(image.thumbnail, "jpg"))
        with transaction.atomic():
            photo = Photo(
                patient=patient,
                kind=kind,
                note=note.strip()[:200],
                file_name=stored[0],
                thumbnail_name=stored[1],
                image_format=image.image_format,
                width=image.width,
                height=image.height,
                size_bytes=len(image.data),
                uploaded_by=uploaded_by,
                uploaded_at=timezone.now(),
            )
            photo.full_clean()
            photo.save()
            if not is_owner:
                record_access(
                    actor=uploaded_by,
                    patient=patient,
                    action=AuditEntry.Action.ADD_PHOTO,
                    detail=f"{kind} {photo.uuid}",
                    ip_address=ip_address,
                )
    except BaseException:
        delete_stored_files(*stored)
        raise
    return photo


@transaction.atomic
def delete_photo(*, photo: Photo, by: User) -> None:
    """A patient removes one of their own area photos (clinic photos stay in the record)."""
    if photo.patient.user_id != by.pk or photo.kind != Photo.Kind.AREA:
        raise DomainError(_("You cannot delete this photo."), code="forbidden")
    if AdverseEventPhoto.objects.filter(photo=photo).exists():
        # Sent with a problem report: it is part of the medical record now.
        raise DomainError(
            _("This photo belongs to a problem you reported; the clinic keeps it."),
            code="in_record",
        )
    names = (photo.file_name, photo.thumbnail_name)
    photo.delete()
    transaction.on_commit(lambda: delete_stored_files(*names))


def read_photo_file(photo: Photo, *, thumbnail: bool) -> bytes:
    with default_storage.open(photo.thumbnail_name if thumbnail else photo.file_name) as handle:
        return handle.read()
