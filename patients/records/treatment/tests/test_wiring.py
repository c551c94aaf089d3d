"""The record wired into the rest: completing needs a signed chart, the day sheet's buttons,
the review queue and the dashboard, the messages (skin check, recall), privacy."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.booking.errors import BookingError
from patients.booking.services import cancel_appointment, check_in, complete_appointment
from patients.messaging.render import render
from patients.models import (
    AdverseEventPhoto,
    Appointment,
    ErasureRequest,
    OutboxMessage,
    Photo,
    ProductLot,
    RecordLock,
    TreatmentVisit,
)
from patients.records.services.photos import delete_photo
from patients.records.services.privacy import complete_erasure, export_patient_data
from patients.records.treatment import services
from patients.records.treatment.tests.conftest import TODAY, make_lot
from patients.records.treatment.tests.test_charts import complete_tca_cross
from patients.tests.booking_fixtures import Clinic, at, ready
from patients.tests.workspace_helpers import book
from procedures.errors import DomainError

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind


# --- completing and checking in ------------------------------------------------------------


def test_completing_needs_a_signed_chart(
    charted: Callable[..., TreatmentVisit], practitioner: User, settings: Any
) -> None:
    settings.COMPLETE_REQUIRES_SIGNED_CHART = True
    visit = charted("tca-cross")
    with pytest.raises(BookingError) as caught:
        complete_appointment(appointment=visit.appointment, by=practitioner)
    assert caught.value.code == "chart_not_signed"
    complete_tca_cross(visit, practitioner)
    services.sign_chart(visit=visit, by=practitioner)
    done = complete_appointment(appointment=visit.appointment, by=practitioner)
    assert done.status == Appointment.Status.COMPLETED


def test_a_practitioner_checks_in_and_completes_from_the_day_sheet(
    client: Client,
    pinned_now: dt.datetime,
    clinic_setup: Clinic,
    checked_in: Callable[..., Appointment],
    patient: User,
    practitioner: User,
    settings: Any,
) -> None:
    settings.COMPLETE_REQUIRES_SIGNED_CHART = True
    appointment = checked_in(patient, "tca-cross")
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CONFIRMED)
    clinic_setup.derm.user.groups.add(*practitioner.groups.all())
    client.force_login(clinic_setup.derm.user)
    sheet = reverse("workspace:day-sheet")
    assert "Check in" in client.get(sheet).content.decode()
    client.post(
        reverse("workspace:appointment-check-in", args=[appointment.pk]),
        {"next": sheet, "nothing_changed": "1"},
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN
    page = client.get(sheet).content.decode()
    assert reverse("treatment:chart", args=[appointment.pk]) in page
    assert "Open the chart" in page
    response = client.post(
        reverse("workspace:appointment-complete", args=[appointment.pk]), follow=True
    )
    assert "Sign the treatment chart of this session before completing it." in (
        response.content.decode()
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN


def test_the_receptionist_sees_only_that_a_chart_is_signed(
    client: Client,
    charted: Callable[..., TreatmentVisit],
    practitioner: User,
    receptionist: User,
    manager: User,
) -> None:
    visit = charted("tca-cross")
    complete_tca_cross(visit, practitioner)
    client.force_login(receptionist)
    url = reverse("workspace:appointment", args=[visit.appointment_id])
    assert "Not signed" in client.get(url).content.decode()
    services.sign_chart(visit=visit, by=practitioner)
    page = client.get(url).content.decode()
    assert "Signed" in page
    assert "Scars treated" not in page
    chart = reverse("treatment:chart", args=[visit.appointment_id])
    assert chart not in page
    assert client.get(chart).status_code == 403
    client.force_login(manager)  # a manager opens the chart from the schedule
    assert chart in client.get(url).content.decode()


def test_reports_come_first_in_the_queue_and_lots_on_the_dashboard(
    client: Client,
    checked_in: Callable[..., Appointment],
    patient: User,
    manager: User,
    filler: Any,
) -> None:
    appointment = checked_in(patient, "tca-cross")
    services.report_problem(appointment=appointment, by=patient, what="Blisters", since=TODAY)
    make_lot(filler, "OLD-9", expires_on=TODAY - dt.timedelta(days=1))
    client.force_login(manager)
    queue = client.get(reverse("workspace:reviews")).content.decode()
    assert "1 problem reported by a patient" in queue
    assert queue.index("Blisters") < queue.index("waiting for review")
    dashboard = client.get(reverse("workspace:dashboard")).content.decode()
    assert "OLD-9" in dashboard
    assert "Expired, still in stock" in dashboard


# --- messages --------------------------------------------------------------------------------


def test_the_skin_check_is_scheduled_two_days_after_a_focal_session(
    pinned_now: dt.datetime,
    checked_in: Callable[..., Appointment],
    patient: User,
    other_patient: User,
) -> None:
    appointment = checked_in(patient, "tca-cross")
    message = OutboxMessage.objects.get(kind=Kind.SKIN_CHECK, appointment=appointment)
    assert message.due_at == at(TODAY + dt.timedelta(days=2), 10)
    # Another patient's (a peel the day of a TCA CROSS is a washout: rules-v2.md).
    peel = checked_in(other_patient, "glycolic-peel", hour=12)
    assert not OutboxMessage.objects.filter(kind=Kind.SKIN_CHECK, appointment=peel).exists()
    rendered = render(message)
    assert rendered is not None
    assert rendered.context["report_url"].endswith(
        reverse("my-treatment:report-problem", args=[appointment.pk])
    )


def test_the_skin_check_is_cancelled_when_the_session_did_not_happen(
    pinned_now: dt.datetime,
    clinic_setup: Clinic,
    checked_in: Callable[..., Appointment],
    patient: User,
    receptionist: User,
) -> None:
    appointment = checked_in(patient, "tca-cross")
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.NO_SHOW)
    message = OutboxMessage.objects.get(kind=Kind.SKIN_CHECK, appointment=appointment)
    assert render(message) is None  # a no-show: nothing is sent
    later = book(patient, clinic_setup, at(TODAY + dt.timedelta(days=20), 10), slug="tca-cross")
    cancel_appointment(appointment=later, by=receptionist, reason="ill")
    cancelled = OutboxMessage.objects.get(kind=Kind.SKIN_CHECK, appointment=later)
    assert cancelled.state == OutboxMessage.State.CANCELLED


def test_the_recall_message_names_the_lot_but_no_health_detail_in_the_subject(
    charted: Callable[..., TreatmentVisit],
    practitioner: User,
    manager: User,
    lot: ProductLot,
    mailoutbox: list[Any],
) -> None:
    visit = charted("hyaluronic-filler")
    services.use_lot(visit=visit, lot=lot, amount="1", by=practitioner, zone="chin")
    services.recall_lot(lot=lot, by=manager, reason="Manufacturer notice")
    message = OutboxMessage.objects.get(kind=Kind.LOT_RECALL)
    rendered = render(message)
    assert rendered is not None
    assert rendered.template == "lot_recall"
    assert rendered.context["lot_number"] == "RF-2026-001"


# --- privacy ---------------------------------------------------------------------------------


def test_the_export_holds_the_record_and_erasure_locks_it(
    charted: Callable[..., TreatmentVisit],
    practitioner: User,
    manager: User,
    patient: User,
    add_photo: Callable[..., Photo],
) -> None:
    visit = charted("tca-cross")
    complete_tca_cross(visit, practitioner)
    services.sign_chart(visit=visit, by=practitioner)
    event = services.report_problem(
        appointment=visit.appointment, by=patient, what="Redness", since=TODAY
    )
    kept = add_photo(patient)
    AdverseEventPhoto.objects.create(event=event, photo=kept)
    loose = add_photo(patient)
    with pytest.raises(DomainError) as caught:
        delete_photo(photo=kept, by=patient)
    assert caught.value.code == "in_record"
    archive = zipfile.ZipFile(io.BytesIO(export_patient_data(patient=patient.patient_profile)))
    data = json.loads(archive.read("data.json"))
    assert data["treatment_charts"][0]["signed_by"] == "Pavel Derm"
    assert data["adverse_events"][0]["description"] == "Redness"

    erasure = ErasureRequest.objects.create(
        patient=patient.patient_profile, requested_at=visit.opened_at
    )
    done = complete_erasure(erasure=erasure, by=manager)
    assert "treatment_record" in done.summary["kept"]
    assert RecordLock.objects.filter(patient=patient.patient_profile).exists()
    assert Photo.objects.filter(pk=kept.pk).exists()
    assert not Photo.objects.filter(pk=loose.pk).exists()
    assert TreatmentVisit.objects.filter(pk=visit.pk).exists()


def test_a_practitioner_may_check_in(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, practitioner: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(TODAY, 10))
    with time_machine.travel(at(TODAY, 9, 50), tick=False):
        checked = check_in(appointment=appointment, by=practitioner, nothing_changed=True)
        assert checked.status == "checked_in"
