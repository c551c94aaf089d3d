"""What the treatment record borrows from the rest of `patients`, each in one small function.

The record sits in `patients.records`, below booking and the workspace and above
messaging and the models: it may not import booking. These functions are the only
places that reach elsewhere, so a move of the surface they use changes one line here:
- `screening_inputs`: what screening reads about a patient (the latest intake's
  answers, their history with a procedure and their other sessions, as every
  booking path reads them), for a procedure added in the visit;
- `has_consent`: the patient signed the current consent of a procedure's category;
- `store_photo`: a photo checked, cleaned and stored (the patient's problem report);
- `tell_of_recall`: the recall message, through the messaging package's surface;
- `record_access`: audit rows of staff reading the record (one insert for many patients);
- `patient_of`: the logged-in patient's profile;
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO, Any

from django.http import HttpRequest

from clinic.availability import local_date
from clinic.http import client_address
from clinic.models import User
from patients.messaging import lot_recalled
from patients.models import AuditEntry, OutboxMessage, PatientProfile, Photo
from patients.records.selectors import (
    has_valid_consent,
    intake_is_current,
    latest_intake,
    patient_sessions,
    procedure_history,
    profile_of,
)
from patients.records.services.photos import upload_photo

__all__ = [
    "ScreeningInputs",
    "has_consent",
    "local_date",
    "patient_of",
    "record_access",
    "screening_inputs",
    "store_photo",
    "tell_of_recall",
]


@dataclass(frozen=True)
class ScreeningInputs:
    answers: dict[str, Any] | None  # None: no intake at all
    intake_current: bool
    last_session_on: dt.date | None
    sessions_done: int
    other_sessions: tuple[tuple[str, dt.date, bool], ...] = ()


def screening_inputs(patient: PatientProfile, slug: str, *, on: dt.date) -> ScreeningInputs:
    """The patient's answers and history with the procedure `slug`, as screening reads them."""
    version = latest_intake(patient)
    last, done = procedure_history(patient).get(slug, (None, 0))
    if last is not None and last > on:
        last = on  # a session charted today is not "after" today
    if version is None:
        return ScreeningInputs(None, False, last, done)
    return ScreeningInputs(
        version.parsed_answers,
        intake_is_current(version, on=on),
        last,
        done,
        patient_sessions(patient),
    )


def has_consent(patient: PatientProfile, category: str) -> bool:
    return has_valid_consent(patient, category)


def store_photo(*, patient: PatientProfile, upload: IO[bytes], by: User) -> Photo:
    """Check, clean and store a photo of the patient's skin (raises on a bad file)."""
    return upload_photo(patient=patient, upload=upload, kind=Photo.Kind.AREA, uploaded_by=by)


def tell_of_recall(*, patient_id: int, lot_id: int, context: dict[str, Any]) -> OutboxMessage:
    """The recall message to one patient, through the outbox (once per patient and lot)."""
    return lot_recalled(patient_id=patient_id, lot_id=lot_id, context=context)


def patient_of(user: Any) -> PatientProfile | None:
    """The logged-in patient's profile (None for staff, anonymous or erased users)."""
    return profile_of(user)


def record_access(
    *,
    actor: Any,
    action: str,
    detail: str,
    request: HttpRequest | None = None,
    patient: PatientProfile | None = None,
    patient_ids: list[int] | None = None,
) -> None:
    """Append audit rows: staff read this patient's (or these patients') record.

    Many patients at once (the lot page) are one INSERT, so the page's queries stay
    the same however many sessions used the lot.
    """
    ids = [patient.pk] if patient is not None else list(dict.fromkeys(patient_ids or []))
    address = client_address(request) if request is not None else None
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=actor, patient_id=pid, action=action, detail=detail[:300], ip_address=address
        )
        for pid in ids
    )
