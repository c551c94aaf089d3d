"""Privacy: the full export, the erasure request and its completion by a manager."""

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.admin.sites import site
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.models import (
    Appointment,
    AppointmentStatusChange,
    AuditEntry,
    ConsentSignature,
    ErasureRequest,
    IntakeVersion,
    OutboxMessage,
    Photo,
)
from patients.records import services
from patients.tests.factories import give_baseline_intake, give_done_session
from procedures.errors import DomainError

pytestmark = pytest.mark.django_db


def test_the_export_holds_json_signed_texts_and_photos(
    client: Client, patient: User, add_photo: Callable[..., Photo]
) -> None:
    give_baseline_intake(patient)
    photo = add_photo(patient)
    client.force_login(patient)
    response = client.get(reverse("patients:privacy-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["email"] == "alice@example.test"
    assert data["intake_versions"][0]["answers"]["fitzpatrick"] == "II"
    assert data["consent_signatures"][0]["kind"] == "data_processing"
    assert data["photos"][0]["file"] in names
    assert archive.read(data["photos"][0]["file"])[:3] == b"\xff\xd8\xff"
    assert data["consent_signatures"][0]["file"] in names
    assert photo.file_name not in names  # the archive names files its own way


def _messages_and_history(user: User, *, reason: str, recipient: str) -> Appointment:
    appointment = give_done_session(user)
    AppointmentStatusChange.objects.create(
        appointment=appointment,
        from_status=Appointment.Status.CONFIRMED,
        to_status=Appointment.Status.COMPLETED,
        reason=reason,
    )
    OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.AFTERCARE,
        patient=appointment.patient,
        appointment=appointment,
        due_at=appointment.end,
        state=OutboxMessage.State.DELIVERED,
        sent_at=appointment.end,
        delivered_at=appointment.end,
        recipient=recipient,
        dedupe_key=f"aftercare:{appointment.pk}",
    )
    return appointment


def test_the_export_holds_appointments_messages_history_and_a_readable_page(
    client: Client, patient: User, other_patient: User
) -> None:
    give_baseline_intake(patient)
    mine = _messages_and_history(patient, reason="Alice's session done", recipient="alice@x.test")
    _messages_and_history(other_patient, reason="Bob's session done", recipient="bob@x.test")
    client.force_login(patient)
    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("patients:privacy-export")).content))
    data = json.loads(archive.read("data.json"))

    assert data["profile"]["message_preferences"]["recalls"] in ("email", "both", "off")
    [appointment] = data["appointments"]
    assert dt.datetime.fromisoformat(appointment["start"]) == mine.start
    assert appointment["status"] == "completed"
    assert [c["reason"] for c in appointment["status_history"]] == ["Alice's session done"]
    ours = OutboxMessage.objects.filter(patient=patient.patient_profile)
    assert len(data["messages"]) == ours.count()
    [message] = [m for m in data["messages"] if m["recipient"] == "alice@x.test"]
    assert message["kind"] == "aftercare"
    assert message["state"] == "delivered"
    assert dt.datetime.fromisoformat(message["status_history"]["delivered_at"]) == mine.end
    # The treatment record adds itself: charts and adverse events, empty here.
    assert data["treatment_charts"] == []
    assert data["adverse_events"] == []

    page = archive.read("data.html").decode()
    assert page.startswith("<!DOCTYPE html>")
    assert "alice@example.test" in page
    assert "Alice&#x27;s session done" in page
    assert "alice@x.test" in page
    for section in ("appointments", "messages", "treatment_charts", "adverse_events"):
        assert f'id="{section}"' in page
    # Nothing of another patient, in either file.
    everything = archive.read("data.json").decode() + page
    assert "bob@x.test" not in everything
    assert "Bob" not in everything
    assert other_patient.email not in everything


def test_the_patient_confirms_erasure_on_a_page_saying_what_goes_and_what_stays(
    client: Client, patient: User
) -> None:
    client.force_login(patient)
    url = reverse("patients:privacy-erase")
    assert url in client.get(reverse("patients:privacy")).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    removed = html.split('class="erasure-removed"')[1].split("</ul>")[0]
    kept = html.split('class="erasure-kept"')[1].split("</ul>")[0]
    assert "Contact details" in removed
    assert "Marketing data" in removed
    assert "medical record" in kept
    assert "locked" in kept
    assert 'name="confirm"' in html
    assert not ErasureRequest.objects.exists()  # looking is not asking
    assert client.post(url, {"note": "Please", "confirm": "on"}).status_code == 302
    assert ErasureRequest.objects.filter(patient=patient.patient_profile).count() == 1


def test_asking_for_erasure_twice_keeps_one_request(client: Client, patient: User) -> None:
    client.force_login(patient)
    url = reverse("patients:privacy-erase")
    assert client.post(url, {"note": ""}).status_code == 400  # the tick is required
    assert client.post(url, {"note": "Please", "confirm": "on"}).status_code == 302
    assert client.post(url, {"note": "Again", "confirm": "on"}).status_code == 302
    assert ErasureRequest.objects.filter(patient=patient.patient_profile).count() == 1


def test_a_manager_completes_the_erasure_in_the_admin(
    client: Client,
    patient: User,
    manager: User,
    add_photo: Callable[..., Photo],
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    give_baseline_intake(patient)
    add_photo(patient)
    profile = patient.patient_profile
    erasure = services.request_erasure(patient=profile, note="Bye")
    client.force_login(manager)
    changelist = reverse("admin:patients_erasurerequest_changelist")
    action = {"action": "complete_selected", "_selected_action": [erasure.pk]}
    # First the confirmation page: what goes, what is kept; nothing happens yet.
    page = client.post(changelist, action)
    assert page.status_code == 200
    html = page.content.decode()
    assert "What is removed" in html
    assert "Contact details" in html
    assert "Marketing data" in html
    assert "What is kept for the retention period" in html
    assert "The medical record" in html
    assert f"for {settings.TREATMENT_RECORD_RETENTION_YEARS} years" in html
    assert 'name="confirm" value="yes"' in html
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.REQUESTED
    assert Photo.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {**action, "confirm": "yes"})
    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.COMPLETED
    # Recorded with who confirmed it.
    assert erasure.completed_by == manager
    assert erasure.summary["confirmed_by"] == (manager.get_full_name() or manager.email)
    assert erasure.summary["marketing"] == "opted out of recalls"
    assert erasure.summary["photos_deleted"] == 1
    patient.refresh_from_db()
    profile.refresh_from_db()
    assert patient.email == f"erased-{patient.pk}@erased.invalid"
    assert (patient.first_name, patient.last_name, patient.phone) == ("", "", "")
    assert not patient.is_active
    assert not patient.has_usable_password()
    assert profile.erased_at is not None
    assert profile.date_of_birth is None
    assert profile.recalls_opt_out
    assert not Photo.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]
    # The patient is told, once, at the address they had.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.test"]
    assert "erased" in mail.outbox[0].subject
    # Medical records and signed consents stay, locked.
    assert IntakeVersion.objects.filter(patient=profile).count() == 1
    assert ConsentSignature.objects.filter(patient=profile).exists()
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.COMPLETE_ERASURE, actor=manager, patient=profile
    ).exists()
    # The erased patient cannot log in any more.
    client.logout()
    response = client.post(
        reverse("login"), {"username": "alice@example.test", "password": "pw-patient"}
    )
    assert response.status_code == 200


def test_only_managers_complete_erasures(patient: User, practitioner: User) -> None:
    erasure = services.request_erasure(patient=patient.patient_profile)
    with pytest.raises(DomainError) as caught:
        services.complete_erasure(erasure=erasure, by=practitioner)
    assert caught.value.code == "forbidden"


def test_an_erasure_is_completed_once(patient: User, manager: User) -> None:
    erasure = services.request_erasure(patient=patient.patient_profile)
    services.complete_erasure(erasure=erasure, by=manager)
    with pytest.raises(DomainError) as caught:
        services.complete_erasure(erasure=erasure, by=manager)
    assert caught.value.code == "already_completed"


def test_the_erasure_admin_action_is_registered() -> None:
    admin = site._registry[ErasureRequest]
    assert "complete_selected" in admin.actions
