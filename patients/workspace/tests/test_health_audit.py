"""Every staff read of health data is audited (issue #21): the review queue, the day sheet
and the appointment page show rule codes and clinical sentences."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.models import Appointment, AuditEntry
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.workspace_helpers import book

pytestmark = pytest.mark.django_db

SEEN = AuditEntry.Action.VIEW_SCREENING


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


@pytest.fixture
def flagged(
    clinic_setup: Clinic, patient: User, django_capture_on_commit_callbacks: Any
) -> Appointment:
    ready(patient, "peel", pregnant="possibly")
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    mail.outbox.clear()
    assert appointment.screening_flags
    return appointment


def _rows(actor: User) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(actor=actor, action=SEEN))


def test_the_review_queue_is_audited(
    client: Client, practitioner: User, flagged: Appointment
) -> None:
    client.force_login(practitioner)
    assert client.get(reverse("workspace:reviews")).status_code == 200
    [row] = _rows(practitioner)
    assert row.patient_id == flagged.patient_id
    assert "review queue" in row.detail
    assert "PREGNANCY_POSSIBLE" in row.detail


def test_the_day_sheet_is_audited(client: Client, manager: User, flagged: Appointment) -> None:
    client.force_login(manager)
    response = client.get(
        reverse("workspace:day-sheet"),
        {"date": WEDNESDAY.isoformat(), "practitioner": flagged.practitioner_id},
    )
    assert response.status_code == 200
    [row] = _rows(manager)
    assert row.patient_id == flagged.patient_id
    assert "day sheet" in row.detail


def test_the_appointment_page_is_audited_for_clinicians_only(
    client: Client, manager: User, receptionist: User, flagged: Appointment
) -> None:
    url = reverse("workspace:appointment", args=[flagged.pk])
    client.force_login(manager)
    assert client.get(url).status_code == 200
    assert len(_rows(manager)) == 1
    # The desk is shown that it was flagged, not why: nothing of health data to log.
    client.force_login(receptionist)
    assert client.get(url).status_code == 200
    assert _rows(receptionist) == []
