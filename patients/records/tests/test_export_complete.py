"""The data export holds everything kept about the patient (issue #21): appointments with
their status history and the messages sent, as JSON and as a readable page, zipped."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest

from clinic.models import User
from patients.booking.services import cancel_appointment
from patients.records import services
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.workspace_helpers import book

pytestmark = pytest.mark.django_db


def test_the_export_holds_appointments_their_history_and_the_messages(
    patient: User,
    clinic_setup: Clinic,
    pinned_now: dt.datetime,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ready(patient, "peel")
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
        cancel_appointment(appointment=appointment, by=patient, reason="Travelling <that week>")

    archive = zipfile.ZipFile(
        io.BytesIO(services.export_patient_data(patient=patient.patient_profile))
    )
    data = json.loads(archive.read("data.json"))
    [booked] = data["appointments"]
    assert booked["id"] == appointment.pk
    assert [step["to"] for step in booked["status_history"]] == ["confirmed", "cancelled"]
    assert booked["status_history"][-1]["reason"] == "Travelling <that week>"
    assert data["messages"], "the booking and cancellation messages are kept"
    assert {"kind", "state", "status_history"} <= set(data["messages"][0])
    assert "courses" in data
    assert "waitlist" in data

    page = archive.read("index.html").decode()
    assert appointment.procedure_name_en in page
    assert "Travelling &lt;that week&gt;" in page  # escaped, readable
    assert "<h2>appointments</h2>" in page
