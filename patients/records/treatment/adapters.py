"""What the treatment record borrows from the rest of `patients`, each in one small function.

The record sits in `patients.records`, below booking and the workspace and above
messaging and the models: it may not import booking. These functions are the only
places that reach elsewhere, so a move of the surface they use changes one line here:
- `screening_inputs`: what screening reads about a patient (the latest intake's
  answers and their history with a procedure), for a procedure added in the visit;
- `has_consent`: the patient signed the current consent of a procedure's category;
- `store_photo`: a photo checked, cleaned and stored (the patient's problem report);
- `tell_patient`: one outbox row, the way messaging schedules every message;
- `follow_up_group`: the washout group of a procedure (rules-v2.md), which decides
  the "how is your skin?" message two days after a session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO, Any

from clinic.availability import Policy
from clinic.models import User
from patients.models import OutboxMessage, PatientProfile, Photo
from patients.selectors import (
    has_valid_consent,
    intake_is_current,
    latest_intake,
    procedure_history,
)
from patients.services.outbox import schedule_message
from patients.services.photos import upload_photo

__all__ = [
    "FOLLOW_UP_GROUPS",
    "ScreeningInputs",
    "follow_up_group",
    "has_consent",
    "local_date",
    "screening_inputs",
    "store_photo",
    "tell_patient",
]

# The washout groups whose sessions get the "how is your skin?" message (issue #17).
FOLLOW_UP_GROUPS = frozenset({"deep", "fractional", "focal"})
# rules-v2.md section 2, for the groups above only, until procedures exposes the table.
_GROUPS = {
    "deep": ("laser-resurfacing", "dermabrasion", "phenol-peel", "tca-peel"),
    "fractional": ("fractional-laser", "rf-microneedling", "microneedling"),
    "focal": ("tca-cross", "subcision", "punch-excision"),
}
_GROUP_OF = {slug: group for group, slugs in _GROUPS.items() for slug in slugs}


def local_date(moment: dt.datetime) -> dt.date:
    """The clinic's local date of an aware instant."""
    return moment.astimezone(Policy.from_settings().zone).date()


@dataclass(frozen=True)
class ScreeningInputs:
    answers: dict[str, Any] | None  # None: no intake at all
    intake_current: bool
    last_session_on: dt.date | None
    sessions_done: int


def screening_inputs(patient: PatientProfile, slug: str, *, on: dt.date) -> ScreeningInputs:
    """The patient's answers and history with the procedure `slug`, as screening reads them."""
    version = latest_intake(patient)
    last, done = procedure_history(patient).get(slug, (None, 0))
    if last is not None and last > on:
        last = on  # a session charted today is not "after" today
    if version is None:
        return ScreeningInputs(None, False, last, done)
    return ScreeningInputs(version.parsed_answers, intake_is_current(version, on=on), last, done)


def has_consent(patient: PatientProfile, category: str) -> bool:
    return has_valid_consent(patient, category)


def store_photo(*, patient: PatientProfile, upload: IO[bytes], by: User) -> Photo:
    """Check, clean and store a photo of the patient's skin (raises on a bad file)."""
    return upload_photo(patient=patient, upload=upload, kind=Photo.Kind.AREA, uploaded_by=by)


def tell_patient(
    *,
    kind: str,
    patient_id: int,
    due_at: dt.datetime,
    dedupe_key: str,
    context: dict[str, Any] | None = None,
    **subject: Any,
) -> OutboxMessage:
    """Write one outbox row in the caller's transaction (sent by the outbox's workers)."""
    return schedule_message(
        kind=kind,
        patient_id=patient_id,
        due_at=due_at,
        dedupe_key=dedupe_key,
        context=context,
        **subject,
    )


def follow_up_group(slug: str) -> str | None:
    """The procedure's washout group when its sessions get the two-day follow-up."""
    group = _GROUP_OF.get(slug)
    return group if group in FOLLOW_UP_GROUPS else None
