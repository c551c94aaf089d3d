"""The demo clinic's session photos: drawn faces, fewer scars each session (issue #18).

`seed_demo` calls `seed_session_photos` after the patients and their visits exist.
- Every completed session of a demo patient gets a before photo of each of its views,
  when the patient has two sessions or more (a comparison to show) or the procedure
  requires photos; a session that has photos already is left as it is (safe to run
  twice).
- The pictures are drawn with Pillow: a face-ish oval turned as the view asks, with
  dots for the pits, fewer each session, so the comparison shows progress. They are
  small (a few kB) and go through the photos' own path (`take_session_photo`: checks,
  re-encoding, private storage), processed at once so `make run` needs no worker, and
  without the upload rate limit (the seed is no person uploading).
"""

from __future__ import annotations

import io
import random
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from PIL import Image, ImageDraw

from patients.models import Appointment, PatientProfile, Photo
from patients.models.lifecycle import AppointmentStatus
from patients.records.outcomes.photos.selectors import session_views
from patients.records.outcomes.photos.services import take_session_photo
from procedures.models import PhotoView

__all__ = ["draw_face", "seed_session_photos"]

SIZE = (180, 240)
SKIN = (232, 190, 160)
BACKGROUND = (214, 222, 230)
SCAR = (170, 110, 95)
# Where the face sits for each default view: (centre shift as a share of the width, width share).
TURNS = {
    "front": (0.0, 0.62),
    "oblique-left": (0.08, 0.54),
    "oblique-right": (-0.08, 0.54),
    "profile-left": (0.14, 0.42),
    "profile-right": (-0.14, 0.42),
}
FIRST_SESSION_DOTS = 42
FEWER_EACH_SESSION = 11
LEAST_DOTS = 4


def draw_face(*, view_slug: str, session_index: int, seed: int) -> bytes:
    """A small JPEG of a face-ish oval seen from `view_slug`, with fewer dots each session."""
    width, height = SIZE
    shift, share = TURNS.get(view_slug, (0.0, 0.6))
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    centre = width / 2 + shift * width
    half = share * width / 2
    top, bottom = height * 0.12, height * 0.9
    draw.ellipse((centre - half, top, centre + half, bottom), fill=SKIN, outline=(150, 110, 90))
    eye_y = top + (bottom - top) * 0.4
    for side in (-1, 1):
        eye_x = centre + side * half * 0.4 + shift * width * 0.6
        if abs(eye_x - centre) < half * 0.9:
            draw.ellipse((eye_x - 6, eye_y - 3, eye_x + 6, eye_y + 3), fill=(60, 50, 50))
    nose_x = centre + shift * width * 1.6
    draw.line((nose_x, eye_y + 8, nose_x + 4 * (1 if shift >= 0 else -1), eye_y + 34), width=2)
    # Not for security: a fixed sequence per patient and view, the same on every run.
    rng = random.Random(seed)  # noqa: S311
    dots = max(LEAST_DOTS, FIRST_SESSION_DOTS - FEWER_EACH_SESSION * session_index)
    cheek_top, cheek_bottom = top + (bottom - top) * 0.5, top + (bottom - top) * 0.85
    for _ in range(dots):
        x = rng.uniform(centre - half * 0.75, centre + half * 0.75)
        y = rng.uniform(cheek_top, cheek_bottom)
        radius = rng.uniform(1.5, 3.2)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=SCAR)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _photograph(session: Appointment, index: int, views: list[PhotoView]) -> int:
    by = session.practitioner.user  # the session's practitioner took them
    for view in views:
        seed = zlib.crc32(f"{session.patient_id}:{view.slug}".encode())
        upload = SimpleUploadedFile(
            f"{view.slug}.jpg",
            draw_face(view_slug=view.slug, session_index=index, seed=seed),
            content_type="image/jpeg",
        )
        take_session_photo(
            appointment=session, view=view, kind=Photo.Kind.BEFORE, upload=upload, by=by
        )
    return len(views)


def seed_session_photos(out: Any, *, patients: list[PatientProfile]) -> int:
    """Before photos of the demo patients' completed sessions (see the module doc)."""
    made = 0
    with override_settings(PHOTO_PROCESSING="inline", RATE_LIMIT_ENABLED=False):
        for patient in patients:
            sessions = list(
                Appointment.objects.filter(patient=patient, status=AppointmentStatus.COMPLETED)
                .select_related("procedure", "patient", "practitioner__user")
                .order_by("start")
            )
            for index, session in enumerate(sessions):
                if session.photos.exists():
                    continue
                views, required = session_views(session)
                if len(sessions) >= 2 or required:
                    made += _photograph(session, index, views)
    out.write(f"Demo session photos: {made}")
    return made
