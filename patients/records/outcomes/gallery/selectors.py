"""Reads of publication consent and the gallery.

"Live" is the one rule of what may be shown: a consent not withdrawn, on a photo
that is ready. A pair is public while both its photos have one (`public_pairs`);
the gallery of a procedure page and the public picture view both ask here.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from patients.models import (
    PHOTO_PUBLICATION,
    ConsentText,
    GalleryPair,
    PatientProfile,
    Photo,
    PhotoPublicationConsent,
)
from patients.records.selectors import current_consent_text
from procedures.models import Procedure


def live_consents() -> QuerySet[PhotoPublicationConsent]:
    return PhotoPublicationConsent.objects.filter(withdrawn_at__isnull=True)


def live_consent_of(photo: Photo) -> PhotoPublicationConsent | None:
    return live_consents().filter(photo=photo).first()


def current_publication_text() -> ConsentText | None:
    return current_consent_text(PHOTO_PUBLICATION)


def with_publication(photos: QuerySet[Photo]) -> QuerySet[Photo]:
    """`photos`, each with `published_since`: when its live consent was given, or None."""
    live = live_consents().filter(photo=OuterRef("pk")).values("given_at")[:1]
    return photos.annotate(published_since=Subquery(live))


def publishable_photos(patient: PatientProfile) -> QuerySet[Photo]:
    """The patient's ready photos with a live consent, oldest first (for building a pair)."""
    return (
        Photo.objects.filter(patient=patient, status=Photo.Status.READY)
        .filter(Exists(live_consents().filter(photo=OuterRef("pk"))))
        .order_by("uploaded_at", "pk")
    )


def patients_with_publishable_photos() -> QuerySet[PatientProfile]:
    """Patients with at least one photo allowed for publication, by name."""
    consented = live_consents().filter(photo__patient=OuterRef("pk"))
    return (
        PatientProfile.objects.filter(Exists(consented))
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def public_pairs() -> QuerySet[GalleryPair]:
    """Every pair both of whose photos are ready and have a live consent."""
    ready_and_live = {f"{side}__status": Photo.Status.READY for side in ("before", "after")}
    return (
        GalleryPair.objects.filter(**ready_and_live)
        .filter(Exists(live_consents().filter(photo=OuterRef("before"))))
        .filter(Exists(live_consents().filter(photo=OuterRef("after"))))
        .order_by("-created_at", "-pk")
    )


def public_pairs_of(procedure: Procedure) -> list[GalleryPair]:
    return list(public_pairs().filter(procedure=procedure))


def public_pair(pair_uuid: str) -> GalleryPair | None:
    return public_pairs().select_related("before", "after").filter(uuid=pair_uuid).first()


def pairs_for_staff() -> QuerySet[GalleryPair]:
    """Every pair, public or not, with what the manager's list shows."""
    live_before = Exists(live_consents().filter(photo=OuterRef("before")))
    live_after = Exists(live_consents().filter(photo=OuterRef("after")))
    return (
        GalleryPair.objects.select_related("procedure", "before__patient__user", "created_by")
        .annotate(before_live=live_before, after_live=live_after)
        .order_by("procedure__name", "-created_at", "-pk")
    )


def pairs_showing(photo: Photo) -> QuerySet[GalleryPair]:
    return GalleryPair.objects.filter(before=photo) | GalleryPair.objects.filter(after=photo)
