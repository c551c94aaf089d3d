"""The demo clinic's session photos: drawn, stored through the photos' path, comparable."""

from __future__ import annotations

import datetime as dt
import io
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from patients.management.demo_photos import draw_face
from patients.models import Appointment, PatientProfile, Photo
from patients.records.outcomes.photos.selectors import latest_comparison

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 11, 8, 0, tzinfo=ZoneInfo("Europe/Moscow"))
COURSE = "maria.volkova@patients.clinic.local"


def dark_pixels(data: bytes) -> int:
    image = Image.open(io.BytesIO(data)).convert("L")
    return sum(image.histogram()[:150])


def test_the_drawn_face_has_fewer_scars_each_session() -> None:
    first, third = (draw_face(view_slug="front", session_index=index, seed=7) for index in (0, 2))
    assert len(first) < 20_000
    assert Image.open(io.BytesIO(first)).size == (180, 240)
    assert dark_pixels(third) < dark_pixels(first)


@time_machine.travel(NOW, tick=False)
def test_seed_demo_gives_a_course_comparable_session_photos_once() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo session photos: " in out.getvalue()
    maria = PatientProfile.objects.get(user__email=COURSE)
    sessions = list(
        Appointment.objects.filter(patient=maria, status=Appointment.Status.COMPLETED).order_by(
            "start"
        )
    )
    assert [s.procedure.slug for s in sessions] == ["consultation", *["microneedling"] * 3]
    for session in sessions:
        photos = list(session.photos.all())
        assert len(photos) == 5
        assert {p.kind for p in photos} == {Photo.Kind.BEFORE}
        assert all(p.is_ready and default_storage.exists(p.file_name) for p in photos)
        assert all(p.uploaded_by == session.practitioner.user for p in photos)
    comparison = latest_comparison(maria)
    assert comparison is not None
    assert (comparison.earlier, comparison.later) == (sessions[0], sessions[-1])
    assert len(comparison.pairs) == 5

    photos = Photo.objects.count()
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "Demo session photos: 0" in again.getvalue()
    assert Photo.objects.count() == photos
