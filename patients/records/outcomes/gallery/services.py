"""Giving and withdrawing publication consent, building pairs, the public pictures.

Domain rules: `patients.models.publication`. Every change that can add a picture to a
public page or take one off starts a new generation of the public page cache once it
is committed (`procedures.page_cache.invalidate_public_pages`: the one way to drop kept
pages on every server at once), and a withdrawal also drops the cut pictures kept of
the photo, so nothing of it is served from a cache afterwards. (Another web process
notices the new generation within `PUBLIC_PAGE_GENERATION_CHECK_SECONDS`; a page it
serves meanwhile still names the pictures, but the picture view asks for live consent on
every request and answers 404: the photo itself is gone at once everywhere.)
"""

from __future__ import annotations

from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import User
from clinic.roles import Role, has_role
from patients.models import (
    PHOTO_PUBLICATION,
    ConsentText,
    GalleryPair,
    Photo,
    PhotoPublicationConsent,
)
from patients.records.services.consent import require_agreeable_text
from patients.records.services.photos import read_photo_file
from procedures.errors import DomainError
from procedures.models import Procedure
from procedures.page_cache import invalidate_public_pages

from . import selectors
from .crop import Box, crop_picture

SIDES = ("before", "after")
# A cut picture is kept this long; a withdrawal or a deleted pair drops it at once.
PICTURE_CACHE_SECONDS = 24 * 3600


def _drop_public_copies(pair_uuids: list[str]) -> None:
    cache.delete_many([_picture_key(pair_uuid, side) for pair_uuid in pair_uuids for side in SIDES])
    invalidate_public_pages()


def _on_commit_drop_public_copies(photo: Photo) -> None:
    pair_uuids = [str(u) for u in selectors.pairs_showing(photo).values_list("uuid", flat=True)]
    transaction.on_commit(lambda: _drop_public_copies(pair_uuids))


def _require_owner(photo: Photo, by: User) -> None:
    # The patient decides alone: staff cannot publish (or withdraw) on their behalf.
    if photo.patient.user_id != by.pk:
        raise DomainError(
            _("Only the patient can decide about publishing a photo."), code="forbidden"
        )


@transaction.atomic
def give_publication_consent(
    *,
    photo: Photo,
    text: ConsentText,
    by: User,
    ticked: bool,
    ip_address: str | None,
    language: str,
) -> PhotoPublicationConsent:
    """The patient allows `photo` to be published under `text`; a live consent is returned as is."""
    _require_owner(photo, by)
    if not ticked:
        raise DomainError(
            _("Tick the box to confirm that you agree."), code="consent_not_ticked", field="ticked"
        )
    if not photo.is_ready:
        raise DomainError(_("This photo is not ready yet."), code="photo_not_ready")
    if text.kind != PHOTO_PUBLICATION:
        raise DomainError(_("This is not the consent to publish a photo."), code="wrong_text")
    require_agreeable_text(text)
    # One decision at a time per photo (two tabs, a double click).
    Photo.objects.select_for_update().filter(pk=photo.pk).first()
    existing = selectors.live_consent_of(photo)
    if existing is not None:
        return existing
    consent = PhotoPublicationConsent(
        photo=photo,
        text=text,
        text_version=text.version,
        text_sha256=text.sha256,
        given_at=timezone.now(),
        given_by=by,
        ip_address=ip_address or None,
        language=language[:8],
    )
    consent.full_clean()
    consent.save()
    _on_commit_drop_public_copies(photo)  # a pair built before a withdrawal shows again
    return consent


@transaction.atomic
def withdraw_publication_consent(*, photo: Photo, by: User) -> PhotoPublicationConsent | None:
    """The patient withdraws the photo's live consent (None when there was none)."""
    _require_owner(photo, by)
    consent = (
        PhotoPublicationConsent.objects.select_for_update()
        .filter(photo=photo, withdrawn_at__isnull=True)
        .first()
    )
    if consent is None:
        return None
    consent.withdrawn_at = timezone.now()
    consent.full_clean()
    consent.save(update_fields=["withdrawn_at"])
    _on_commit_drop_public_copies(photo)
    return consent


def _check_crop(box: Box) -> None:
    x, y, width, height = box
    for field, value in zip(("crop_x", "crop_y"), (x, y), strict=True):
        if not Decimal(0) <= value < Decimal(1):
            raise DomainError(
                _("The region must lie inside the picture."), code="crop", field=field
            )
    if not Decimal(0) < width <= 1 - x:
        raise DomainError(
            _("The region must lie inside the picture."), code="crop", field="crop_width"
        )
    if not Decimal(0) < height <= 1 - y:
        raise DomainError(
            _("The region must lie inside the picture."), code="crop", field="crop_height"
        )


@transaction.atomic
def create_gallery_pair(
    *, procedure: Procedure, before: Photo, after: Photo, crop: Box, by: User
) -> GalleryPair:
    """A manager pairs two consented photos of one patient for a procedure's gallery."""
    if not has_role(by, Role.MANAGER):
        raise DomainError(_("Only a manager can build the gallery."), code="forbidden")
    if before.pk == after.pk:
        raise DomainError(_("Choose two different photos."), code="same_photo", field="after")
    if before.patient_id != after.patient_id:
        raise DomainError(
            _("Both photos must be of the same patient."), code="two_patients", field="after"
        )
    if after.uploaded_at <= before.uploaded_at:
        raise DomainError(
            _("The after photo must be taken later than the before photo."),
            code="after_not_later",
            field="after",
        )
    for field, photo in (("before", before), ("after", after)):
        if not photo.is_ready or selectors.live_consent_of(photo) is None:
            raise DomainError(
                _("The patient has not allowed this photo to be published."),
                code="no_publication_consent",
                field=field,
            )
    _check_crop(crop)
    if GalleryPair.objects.filter(procedure=procedure, before=before, after=after).exists():
        raise DomainError(
            _("This pair is already in the procedure's gallery."), code="duplicate", field="after"
        )
    x, y, width, height = crop
    pair = GalleryPair(
        procedure=procedure,
        before=before,
        after=after,
        crop_x=x,
        crop_y=y,
        crop_width=width,
        crop_height=height,
        created_by=by,
        created_at=timezone.now(),
    )
    pair.full_clean()
    pair.save()
    transaction.on_commit(invalidate_public_pages)
    return pair


@transaction.atomic
def delete_gallery_pair(*, pair: GalleryPair, by: User) -> None:
    if not has_role(by, Role.MANAGER):
        raise DomainError(_("Only a manager can build the gallery."), code="forbidden")
    pair.delete()  # `pair_deleted` drops its public copies


def pair_deleted(*args: object, instance: GalleryPair, **kwargs: object) -> None:
    """Receiver of `post_delete` for pairs: by a manager, or with the photos at an erasure."""
    pair_uuid = str(instance.uuid)
    transaction.on_commit(lambda: _drop_public_copies([pair_uuid]))


def _picture_key(pair_uuid: str, side: str) -> str:
    return f"gallery-picture:{pair_uuid}:{side}"


def public_picture(pair: GalleryPair, side: str) -> bytes:
    """The cut picture of one side of a public pair (the caller has checked it is public)."""
    photo: Photo = getattr(pair, side)
    key = _picture_key(str(pair.uuid), side)
    fingerprint = (photo.file_name, pair.crop_box)
    kept = cache.get(key)
    if kept is not None and kept[0] == fingerprint:
        return bytes(kept[1])
    picture = crop_picture(read_photo_file(photo, thumbnail=False), pair.crop_box)
    cache.set(key, (fingerprint, picture), PICTURE_CACHE_SECONDS)
    return picture
