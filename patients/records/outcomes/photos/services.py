"""Taking a session photo: staff in the room, one standard view at a time.

Domain rules (issue #18):
- Practitioners and managers take session photos (the chart's people); the file
  goes through the photos' one path (`patients.records.services.photos.upload_photo`:
  content checks, EXIF stripped, private storage, processing in the Celery
  worker, the staff upload audited).
- A session photo is a before or an after photo of one of the session's views,
  taken at a session that is booked, under way or done (not cancelled, declined or
  missed).
"""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext_lazy as _

from clinic.models import User
from patients.models import Appointment, Photo
from patients.records.services.photos import upload_photo
from patients.records.treatment.access import require_clinician
from procedures.errors import DomainError
from procedures.models import PhotoView

from .selectors import PHOTOGRAPHED_STATUSES, session_views

__all__ = ["take_session_photo"]


def take_session_photo(
    *,
    appointment: Appointment,
    view: PhotoView,
    kind: str,
    upload: IO[bytes],
    by: User,
    ip_address: str | None = None,
) -> Photo:
    """Store a before/after photo of `view` for the session `appointment` (the worker cleans it)."""
    require_clinician(by)
    if kind not in (Photo.Kind.BEFORE, Photo.Kind.AFTER):
        raise DomainError(_("Choose before or after."), code="invalid_kind", field="kind")
    if appointment.status not in PHOTOGRAPHED_STATUSES:
        raise DomainError(
            _("Photos are taken at a session that takes place."), code="session_not_taking_place"
        )
    views, _required = session_views(appointment)
    if view.pk not in {known.pk for known in views}:
        raise DomainError(
            _("This session is not photographed in that view."), code="invalid_view", field="view"
        )
    return upload_photo(
        patient=appointment.patient,
        upload=upload,
        kind=kind,
        uploaded_by=by,
        ip_address=ip_address,
        appointment=appointment,
        view=view,
    )
