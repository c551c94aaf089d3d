"""Adverse events: recorded by a practitioner, reported by the patient, triaged, resolved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from clinic.models import User
from patients.models import AdverseEvent, AdverseEventPhoto, Appointment, Photo
from patients.records.treatment import selectors, services
from patients.records.treatment.errors import Forbidden, RecordError
from patients.records.treatment.tests.conftest import TODAY
from patients.tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db

Event = AdverseEvent


def photo_upload(name: str = "redness.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


@pytest.fixture
def session(checked_in: Callable[..., Appointment], patient: User) -> Appointment:
    return checked_in(patient, "tca-cross")


def test_a_practitioner_records_an_event_against_the_session(
    session: Appointment, practitioner: User, add_photo: Callable[..., Photo]
) -> None:
    photo = add_photo(session.patient.user, kind=Photo.Kind.AFTER, by=practitioner)
    event = services.record_adverse_event(
        appointment=session,
        by=practitioner,
        kind=Event.Kind.PROLONGED_ERYTHEMA,
        severity=Event.Severity.MILD,
        onset_on=TODAY,
        treatment_given="Hydrocortisone 1% for 3 days",
        photos=[photo],
    )
    assert (event.status, event.source, event.assigned_to) == ("open", "practitioner", practitioner)
    assert list(AdverseEventPhoto.objects.values_list("photo", flat=True)) == [photo.pk]
    closed = services.update_event(
        event=event,
        by=practitioner,
        treatment_given="Hydrocortisone 1% for 3 days",
        outcome=Event.Outcome.RESOLVED,
        resolved_on=TODAY,
    )
    assert closed.status == Event.Status.CLOSED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "sunburn"}, "kind"),
        ({"severity": "awful"}, "severity"),
        ({"onset_on": TODAY + dt.timedelta(days=1)}, "onset_on"),
        ({"outcome": "resolved"}, "resolved_on"),
        ({"outcome": "ongoing", "resolved_on": TODAY}, "resolved_on"),
        ({"outcome": "resolved", "resolved_on": TODAY - dt.timedelta(days=1)}, "resolved_on"),
    ],
)
def test_an_event_with_bad_details_is_refused(
    session: Appointment, practitioner: User, changes: dict[str, object], field: str
) -> None:
    details: dict[str, object] = {
        "kind": "burn",
        "severity": "moderate",
        "onset_on": TODAY,
        **changes,
    }
    with pytest.raises(RecordError) as caught:
        services.record_adverse_event(appointment=session, by=practitioner, **details)
    assert caught.value.field == field
    assert not AdverseEvent.objects.exists()


def test_the_database_keeps_a_resolved_event_dated(
    session: Appointment, practitioner: User
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseEvent.objects.create(
            appointment=session,
            patient=session.patient,
            kind="burn",
            severity="mild",
            onset_on=TODAY,
            outcome="resolved",
            source="practitioner",
            status="closed",
            reported_by=practitioner,
        )


def test_no_event_for_a_session_that_did_not_happen(
    session: Appointment, practitioner: User
) -> None:
    Appointment.objects.filter(pk=session.pk).update(status=Appointment.Status.NO_SHOW)
    session.refresh_from_db()
    with pytest.raises(RecordError) as caught:
        services.record_adverse_event(
            appointment=session, by=practitioner, kind="burn", severity="mild", onset_on=TODAY
        )
    assert caught.value.code == "no_session"


def test_the_patients_report_reaches_the_practitioners_queue(
    session: Appointment, patient: User, practitioner: User
) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 3, 9, 0, tzinfo=dt.UTC), tick=False):
        event = services.report_problem(
            appointment=session,
            by=patient,
            what="  Redness and itching on the forehead  ",
            since=dt.date(2026, 6, 2),
            uploads=[photo_upload()],
        )
    assert (event.status, event.source, event.kind) == ("new", "patient", "")
    assert event.description == "Redness and itching on the forehead"
    assert event.assigned_to == session.practitioner.user
    photo = event.photo_links.get().photo
    assert (photo.patient, photo.uploaded_by) == (session.patient, patient)
    queue = list(selectors.events_to_triage(assigned_to_id=session.practitioner.user_id))
    assert queue == [event]

    triaged = services.triage_event(
        event=event, by=practitioner, kind=Event.Kind.PROLONGED_ERYTHEMA, severity="mild"
    )
    assert (triaged.status, triaged.triaged_by) == ("open", practitioner)
    assert not selectors.events_to_triage().exists()


def test_another_patient_cannot_report_on_alices_session(
    session: Appointment, other_patient: User
) -> None:
    with pytest.raises(Forbidden):
        services.report_problem(appointment=session, by=other_patient, what="x", since=TODAY)
    assert not AdverseEvent.objects.exists()


@pytest.mark.parametrize(
    ("what", "since", "uploads", "field"),
    [
        ("  ", TODAY, 0, "what"),
        ("Redness", TODAY + dt.timedelta(days=1), 0, "since"),
        ("Redness", TODAY - dt.timedelta(days=1), 0, "since"),
        ("Redness", TODAY, 6, "photos"),
    ],
)
def test_a_report_with_bad_details_is_refused(
    session: Appointment, patient: User, what: str, since: dt.date, uploads: int, field: str
) -> None:
    with pytest.raises(RecordError) as caught:
        services.report_problem(
            appointment=session,
            by=patient,
            what=what,
            since=since,
            uploads=[photo_upload() for _ in range(uploads)],
        )
    assert caught.value.field == field
    assert not Photo.objects.exists()


def test_a_report_must_be_triaged_before_it_is_followed_up(
    session: Appointment, patient: User, practitioner: User
) -> None:
    event = services.report_problem(appointment=session, by=patient, what="Blisters", since=TODAY)
    with pytest.raises(RecordError) as caught:
        services.update_event(event=event, by=practitioner, treatment_given="", outcome="ongoing")
    assert caught.value.code == "not_triaged"
    with pytest.raises(Forbidden):
        services.triage_event(event=event, by=patient, kind="burn", severity="mild")
