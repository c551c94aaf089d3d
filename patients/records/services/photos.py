"""Storing and removing photos.

Domain rules:
- A patient uploads photos of the areas to treat (kind `area`) for
  themselves only; practitioners and managers add `before` / `after` photos
  (and may add area photos) for any patient, and that is audited.
- The upload request only checks the file (`probe_image`: size, format,
  structure, pixel count; no pixel decoded) and keeps it, private, under a
  random name; the photo is `processing` and the request returns at once. The
  worker (`process_photo`, task `patients.tasks.process_photo`) decodes it
  within `PHOTO_DECODE_MAX_PIXELS`, re-encodes it without metadata and stores
  the picture and its thumbnail under fresh random names, never the uploaded
  name, then removes the upload: the photo is `ready`, or `failed` if the file
  would not decode. Decoding in the worker bounds the memory and time photos
  take to the worker's concurrency; no web worker waits on a decoder.
- Every file goes through the default storage of `STORAGES` (a folder, or a
  private bucket in production); it is read back only through the access-checked
  photo view.
- A patient's photos are rate limited (`RATE_LIMITS["photo_upload"]`), counted
  per patient whoever uploads, so nobody can fill the worker's queue.
- A session photo (issue #18) carries its appointment and its standard view;
  `patients.records.outcomes.photos.services.take_session_photo` decides which
  may be taken and hands the file to this same path.
- Nothing is half-saved: if the row cannot be written, the stored file is
  removed again; if a file cannot be stored, no row is written.
"""

from __future__ import annotations

import logging
import uuid
from typing import IO

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from clinic.models import User
from clinic.ratelimit import hit
from clinic.roles import can_see_health_data
from patients.models import AdverseEventPhoto, Appointment, AuditEntry, PatientProfile, Photo
from patients.records.images import ImageRejected, clean_image, probe_image
from patients.records.services.audit import record_access
from procedures.errors import DomainError, lazy_interpolate
from procedures.models import PhotoView

logger = logging.getLogger(__name__)

PHOTO_FOLDER = "patient-photos"
# Uploads waiting for the worker; never served, removed once processed.
INCOMING_FOLDER = f"{PHOTO_FOLDER}/incoming"
PROCESS_PHOTO = "patients.tasks.process_photo"


class TooManyUploads(DomainError):
    """The patient's photos hit their rate limit; `retry_after` is in seconds."""

    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            lazy_interpolate(
                ngettext_lazy(
                    "Too many photos for now. Please try again in %(minutes)s minute.",
                    "Too many photos for now. Please try again in %(minutes)s minutes.",
                    minutes,
                ),
                {"minutes": minutes},
            ),
            field="image",
        )
        self.retry_after = retry_after


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
    appointment: Appointment | None = None,
    view: PhotoView | None = None,
) -> Photo:
    """Check, clean and store a photo for `patient`; raise DomainError/ImageRejected.

    `appointment` and `view` make it a session photo (checked by the caller).
    """
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

    retry_after = hit("photo_upload", [f"patient:{patient.pk}"])
    if retry_after is not None:
        raise TooManyUploads(retry_after)

    probed = probe_image(upload)  # raises ImageRejected before anything is stored
    stored: list[str] = []
    try:
        stored.append(
            default_storage.save(f"{INCOMING_FOLDER}/{uuid.uuid4().hex}", ContentFile(probed.data))
        )
        with transaction.atomic():
            photo = Photo(
                patient=patient,
                kind=kind,
                note=note.strip()[:200],
                status=Photo.Status.PROCESSING,
                source_name=stored[0],
                image_format=probed.image_format,
                width=probed.width,
                height=probed.height,
                size_bytes=len(probed.data),
                uploaded_by=uploaded_by,
                uploaded_at=timezone.now(),
                appointment=appointment,
                view=view,
            )
            photo.full_clean()
            photo.save()
            if not is_owner:
                record_access(
                    actor=uploaded_by,
                    patient=patient,
                    action=AuditEntry.Action.ADD_PHOTO,
                    detail=" ".join(
                        part for part in (kind, view.slug if view else "", str(photo.uuid)) if part
                    ),
                    ip_address=ip_address,
                )
            if settings.PHOTO_PROCESSING != "inline":
                photo_id = photo.pk
                transaction.on_commit(lambda: _enqueue_processing(photo_id))
    except BaseException:
        delete_stored_files(*stored)
        raise
    if settings.PHOTO_PROCESSING == "inline":
        process_photo(photo_id=photo.pk)
        photo.refresh_from_db()
    return photo


def _enqueue_processing(photo_id: int) -> None:
    """Hand the photo to the worker; with the broker unreachable, process it here instead.

    Slow for this one request, but the photo never stays "processing" for want of a
    message (a worker that dies mid-task gets it back: tasks are acknowledged late).
    """
    try:
        current_app.tasks[PROCESS_PHOTO].delay(photo_id)
    except Exception:
        logger.warning("photos: broker unreachable, processing photo %s in the request", photo_id)
        process_photo(photo_id=photo_id)


def process_photo(*, photo_id: int) -> str:
    """Decode, clean and store a `processing` photo's upload; the photo ends `ready` or `failed`.

    Run again for the same photo (a worker died and the task came back) it picks
    up where the photo is: a photo no longer processing, or gone, is left alone.
    """
    photo = Photo.objects.filter(pk=photo_id, status=Photo.Status.PROCESSING).first()
    if photo is None:
        return "skipped"
    try:
        with default_storage.open(photo.source_name) as handle:
            image = clean_image(handle)
    except ImageRejected as rejected:
        return _finish(photo, status=Photo.Status.FAILED, failure=rejected.code)
    except FileNotFoundError:
        return _finish(photo, status=Photo.Status.FAILED, failure="upload_missing")
    stored = [_save_file(image.data, image.extension), _save_file(image.thumbnail, "jpg")]
    try:
        return _finish(
            photo,
            status=Photo.Status.READY,
            file_name=stored[0],
            thumbnail_name=stored[1],
            image_format=image.image_format,
            width=image.width,
            height=image.height,
            size_bytes=len(image.data),
        )
    except BaseException:
        delete_stored_files(*stored)
        raise


def _finish(photo: Photo, *, status: str, **fields: object) -> str:
    """Record the outcome on the row (if it is still waiting) and drop the upload."""
    with transaction.atomic():
        locked = (
            Photo.objects.select_for_update()
            .filter(pk=photo.pk, status=Photo.Status.PROCESSING)
            .first()
        )
        if locked is None:
            # Deleted (or finished by another run) meanwhile: keep nothing of ours.
            delete_stored_files(*(str(v) for k, v in fields.items() if k.endswith("_name")))
            return "skipped"
        for name, value in {"status": status, "source_name": "", **fields}.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
    delete_stored_files(photo.source_name)
    return status


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
    names = photo.stored_names
    photo.delete()
    transaction.on_commit(lambda: delete_stored_files(*names))


def open_photo_file(photo: Photo, *, thumbnail: bool) -> File:
    """A `ready` photo's picture or thumbnail, open for reading from the default storage.

    The caller closes it (Django's FileResponse does once it has streamed it).
    """
    return default_storage.open(photo.thumbnail_name if thumbnail else photo.file_name)


def read_photo_file(photo: Photo, *, thumbnail: bool) -> bytes:
    """The bytes of a `ready` photo's picture or thumbnail, from the default storage."""
    with open_photo_file(photo, thumbnail=thumbnail) as handle:
        return handle.read()
