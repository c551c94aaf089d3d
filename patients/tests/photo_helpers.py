"""Session photos for tests: the before photos a chart of a "photos required" procedure needs."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from clinic.models import User
from patients.models import Appointment, Photo
from patients.records.outcomes.photos.selectors import missing_before_views, session_views
from patients.records.outcomes.photos.services import take_session_photo
from patients.tests.factories import jpeg_bytes


def session_upload(color: str = "red") -> SimpleUploadedFile:
    return SimpleUploadedFile("view.jpg", jpeg_bytes(color=color), content_type="image/jpeg")


def take_before_photos(appointment: Appointment, by: User) -> list[Photo]:
    """A before photo of every required view still missing (the services' own path)."""
    return [
        take_session_photo(
            appointment=appointment,
            view=view,
            kind=Photo.Kind.BEFORE,
            upload=session_upload(),
            by=by,
        )
        for view in missing_before_views(appointment)
    ]


def take_session_photos(
    appointment: Appointment, by: User, *, kind: str = Photo.Kind.BEFORE, color: str = "red"
) -> list[Photo]:
    """A photo of `kind` in every view of the session."""
    views, _required = session_views(appointment)
    return [
        take_session_photo(
            appointment=appointment, view=view, kind=kind, upload=session_upload(color), by=by
        )
        for view in views
    ]
