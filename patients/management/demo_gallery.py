"""The demo clinic's before/after gallery: two published pairs on two procedure pages.

Each pair is made the way a real one is: a practitioner stores a before and an after
photo of a demo patient (generated pictures of a cheek: pits before, fewer and
shallower after), the patient allows both to be published, and the manager pairs them
with a region that leaves the face out. Safe to run twice: a patient whose pair exists
gets nothing more.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter

from clinic.models import User
from clinic.roles import Role
from patients.models import GalleryPair, PatientProfile, Photo
from patients.records.outcomes.gallery.selectors import current_publication_text
from patients.records.outcomes.gallery.services import (
    create_gallery_pair,
    give_publication_consent,
)
from patients.records.services import upload_photo
from procedures.models import Procedure

# (patient e-mail, procedure slug, days between the photos, pits before, pits after)
DEMO_PAIRS = (
    ("anna.smirnova@patients.clinic.local", "microneedling", 27, 46, 18),
    ("dmitry.popov@patients.clinic.local", "tca-cross", 15, 38, 12),
)
SKIN = (222, 176, 146)
# The cheek, below the eyes: what the public sees of each picture.
CHEEK = (Decimal("0.15"), Decimal("0.40"), Decimal("0.70"), Decimal("0.50"))


def cheek_picture(*, pits: int, depth: int, seed: int) -> bytes:
    """A generated cheek with `pits` atrophic scars of shade `depth`, as a JPEG."""
    rng = random.Random(seed)  # noqa: S311 - a demo picture, not a secret
    image = Image.new("RGB", (800, 600), SKIN)
    draw = ImageDraw.Draw(image)
    for _ in range(pits):
        x, y, r = rng.randint(140, 660), rng.randint(260, 560), rng.randint(5, 13)
        shade = tuple(max(0, c - depth - rng.randint(0, 15)) for c in SKIN)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=shade)
    out = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(2)).save(out, format="JPEG", quality=88)
    return out.getvalue()


def _photo(
    profile: PatientProfile, by: User, kind: str, picture: bytes, taken: dt.datetime
) -> Photo:
    upload = SimpleUploadedFile(f"{kind}.jpg", picture, content_type="image/jpeg")
    # Processed at once: the patient's consent needs a ready photo.
    with override_settings(PHOTO_PROCESSING="inline"):
        photo = upload_photo(patient=profile, upload=upload, kind=kind, uploaded_by=by)
    Photo.objects.filter(pk=photo.pk).update(uploaded_at=taken)
    photo.refresh_from_db()
    return photo


def seed_gallery(out: Any, *, manager_email: str) -> int:
    """The demo pairs (see the module doc); returns how many were made."""
    manager = User.objects.get(email=manager_email)
    practitioner = User.objects.filter(groups__name=Role.PRACTITIONER).order_by("pk").first()
    text = current_publication_text()
    if practitioner is None or text is None:
        return 0
    made = 0
    now = timezone.now()
    for number, (email, slug, days, pits_before, pits_after) in enumerate(DEMO_PAIRS):
        profile = PatientProfile.objects.filter(user__email=email).select_related("user").first()
        procedure = Procedure.objects.filter(slug=slug).first()
        if profile is None or procedure is None:
            continue
        if GalleryPair.objects.filter(before__patient=profile).exists():
            continue
        before = _photo(
            profile,
            practitioner,
            Photo.Kind.BEFORE,
            cheek_picture(pits=pits_before, depth=70, seed=number),
            now - dt.timedelta(days=days + 1),
        )
        after = _photo(
            profile,
            practitioner,
            Photo.Kind.AFTER,
            cheek_picture(pits=pits_after, depth=30, seed=number),
            now - dt.timedelta(days=1),
        )
        for photo in (before, after):
            give_publication_consent(
                photo=photo,
                text=text,
                by=profile.user,
                ticked=True,
                ip_address="127.0.0.1",
                language=profile.user.preferred_language,
            )
        create_gallery_pair(
            procedure=procedure,
            before=before,
            after=after,
            crop=CHEEK,
            by=manager,
        )
        made += 1
    out.write(f"Demo gallery: {len(DEMO_PAIRS)} before/after pairs ({made} created)")
    return made
