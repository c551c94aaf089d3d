"""Adverse events: recorded by a practitioner, or reported by the patient and triaged.

Domain rules:
- An event belongs to a session that took place: an appointment checked in or
  completed (`no_session` otherwise). Its chart, when there is one, links it to the
  session's device settings and product lots.
- A practitioner records an event with its type, severity, onset, treatment given,
  outcome and resolution date, and photos of the patient already stored.
- A patient reports a problem from their own appointment page (what, since when,
  up to `MAX_REPORT_PHOTOS` photos): a `new` event with no type yet, assigned to the
  session's practitioner, who triages it first thing in their queue. The patient
  sees it was received and who looks at it.
- A resolved outcome needs its date, not before the onset; an ongoing one has none.
- The onset is never in the future; a patient's "since when" is not before the
  session (a problem from before it is not about it).
- Nothing changes once an erasure request locked the record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import User
from patients.models import AdverseEvent, AdverseEventPhoto, Appointment, Photo
from procedures.errors import DomainError

from .. import adapters
from ..access import require_clinician
from ..errors import Forbidden, RecordError, RecordLocked
from .charts import record_is_locked

__all__ = [
    "MAX_REPORT_PHOTOS",
    "record_adverse_event",
    "report_problem",
    "triage_event",
    "update_event",
]

MAX_REPORT_PHOTOS = 5
SESSION_HAPPENED = frozenset({Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED})
Event = AdverseEvent


def _require_session(appointment: Appointment) -> None:
    if appointment.status not in SESSION_HAPPENED:
        raise RecordError(
            _("An adverse event belongs to a session that took place."), code="no_session"
        )
    if record_is_locked(appointment.patient_id):
        raise RecordLocked()


def _check_outcome(outcome: str, resolved_on: dt.date | None, onset_on: dt.date) -> None:
    if outcome not in Event.Outcome.values:
        raise RecordError(_("Choose one of the options."), code="invalid_choice", field="outcome")
    if outcome == Event.Outcome.ONGOING and resolved_on is not None:
        raise RecordError(
            _("An ongoing event has no resolution date."), code="not_resolved", field="resolved_on"
        )
    if outcome != Event.Outcome.ONGOING:
        if resolved_on is None:
            raise RecordError(
                _("Give the date it resolved."),
                code="resolution_date_required",
                field="resolved_on",
            )
        if resolved_on < onset_on:
            raise RecordError(
                _("It cannot resolve before it started."),
                code="resolved_before_onset",
                field="resolved_on",
            )
        if resolved_on > timezone.localdate():
            raise RecordError(
                _("The resolution date cannot be in the future."),
                code="future_date",
                field="resolved_on",
            )


def _check_classification(kind: str, severity: str) -> None:
    if kind not in Event.Kind.values:
        raise RecordError(_("Choose the type of event."), code="invalid_choice", field="kind")
    if severity not in Event.Severity.values:
        raise RecordError(_("Choose the severity."), code="invalid_choice", field="severity")


def _check_onset(onset_on: dt.date, field: str = "onset_on") -> None:
    if onset_on > timezone.localdate():
        raise RecordError(_("The onset cannot be in the future."), code="future_date", field=field)


def _attach(event: AdverseEvent, photos: Iterable[Photo]) -> None:
    for photo in photos:
        if photo.patient_id != event.patient_id:
            raise RecordError(
                _("This photo is not the patient's."), code="foreign_photo", field="photos"
            )
        AdverseEventPhoto.objects.get_or_create(event=event, photo=photo)


def record_adverse_event(
    *,
    appointment: Appointment,
    by: User,
    kind: str,
    severity: str,
    onset_on: dt.date,
    description: str = "",
    treatment_given: str = "",
    outcome: str = AdverseEvent.Outcome.ONGOING,
    resolved_on: dt.date | None = None,
    photos: Sequence[Photo] = (),
) -> AdverseEvent:
    """A practitioner records an event against the session."""
    require_clinician(by)
    _check_classification(kind, severity)
    _check_onset(onset_on)
    _check_outcome(outcome, resolved_on, onset_on)
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        _require_session(appointment)
        now = timezone.now()
        event = AdverseEvent(
            appointment=appointment,
            patient_id=appointment.patient_id,
            kind=kind,
            severity=severity,
            onset_on=onset_on,
            description=description.strip(),
            treatment_given=treatment_given.strip(),
            outcome=outcome,
            resolved_on=resolved_on,
            source=Event.Source.PRACTITIONER,
            status=Event.Status.OPEN if outcome == Event.Outcome.ONGOING else Event.Status.CLOSED,
            reported_by=by,
            assigned_to=by,
            triaged_by=by,
            triaged_at=now,
            updated_at=now,
        )
        event.full_clean()
        event.save()
        _attach(event, photos)
    return event


def _stored(appointment: Appointment, upload: IO[bytes], by: User) -> Photo:
    try:
        return adapters.store_photo(patient=appointment.patient, upload=upload, by=by)
    except DomainError as error:  # a file that is no photo, too large...: about `photos`
        raise RecordError(error.message, code=error.code, field="photos") from error


def report_problem(
    *,
    appointment: Appointment,
    by: User,
    what: str,
    since: dt.date,
    uploads: Sequence[IO[bytes]] = (),
) -> AdverseEvent:
    """The patient reports a problem after their session; it waits for triage."""
    if appointment.patient.user_id != by.pk:
        raise Forbidden()
    what = what.strip()
    if not what:
        raise RecordError(_("Tell us what is wrong."), code="description_required", field="what")
    if len(uploads) > MAX_REPORT_PHOTOS:
        raise RecordError(_("Add at most five photos."), code="too_many_photos", field="photos")
    _check_onset(since, field="since")
    if since < adapters.local_date(appointment.start):
        raise RecordError(
            _("Give a date on or after the session."), code="before_session", field="since"
        )
    _require_session(appointment)
    # Photos are stored first (each checked and cleaned); their rows go with the event's.
    with transaction.atomic():
        photos = [_stored(appointment, upload, by) for upload in uploads]
        appointment = (
            Appointment.objects.select_for_update()
            .select_related("practitioner")
            .get(pk=appointment.pk)
        )
        event = AdverseEvent(
            appointment=appointment,
            patient_id=appointment.patient_id,
            onset_on=since,
            description=what,
            source=Event.Source.PATIENT,
            status=Event.Status.NEW,
            reported_by=by,
            assigned_to_id=appointment.practitioner.user_id,
        )
        event.full_clean()
        event.save()
        _attach(event, photos)
    return event


def triage_event(
    *, event: AdverseEvent, by: User, kind: str, severity: str, treatment_given: str = ""
) -> AdverseEvent:
    """A practitioner classifies a patient's report: it leaves the triage queue."""
    require_clinician(by)
    _check_classification(kind, severity)
    with transaction.atomic():
        event = AdverseEvent.objects.select_for_update().get(pk=event.pk)
        if record_is_locked(event.patient_id):
            raise RecordLocked()
        now = timezone.now()
        event.kind = kind
        event.severity = severity
        if treatment_given.strip():
            event.treatment_given = treatment_given.strip()
        if event.status == Event.Status.NEW:
            event.status = Event.Status.OPEN
            event.triaged_at = now
            event.triaged_by = by
        event.assigned_to = event.assigned_to or by
        event.updated_at = now
        event.full_clean()
        event.save()
    return event


def update_event(
    *,
    event: AdverseEvent,
    by: User,
    treatment_given: str,
    outcome: str,
    resolved_on: dt.date | None = None,
) -> AdverseEvent:
    """Follow an event up: the treatment given, the outcome; a resolved one is closed."""
    require_clinician(by)
    with transaction.atomic():
        event = AdverseEvent.objects.select_for_update().get(pk=event.pk)
        if event.status == Event.Status.NEW:
            raise RecordError(_("Triage the report first."), code="not_triaged")
        if record_is_locked(event.patient_id):
            raise RecordLocked()
        _check_outcome(outcome, resolved_on, event.onset_on)
        event.treatment_given = treatment_given.strip()
        event.outcome = outcome
        event.resolved_on = resolved_on
        event.status = (
            Event.Status.OPEN if outcome == Event.Outcome.ONGOING else Event.Status.CLOSED
        )
        event.updated_at = timezone.now()
        event.full_clean()
        event.save()
    return event
