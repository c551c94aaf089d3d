"""E-mail providers' delivery reports (django-anymail's tracking webhooks) on the outbox rows.

The reports are posted as the provider posts them (Postmark's tracking webhook,
with the webhook secret in basic auth) to anymail's view, whose tracking signal
feeds `patients.messaging.email_events`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.booking.services import book_appointment
from patients.messaging import channels, outbox
from patients.models import Appointment, OutboxMessage
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
State = OutboxMessage.State
Channel = OutboxMessage.Channel
SECRET = "postmark:s3cret-hook"
WEBHOOK = "/anymail/postmark/tracking/"


@pytest.fixture(autouse=True)
def _provider(settings: Any, pinned_now: dt.datetime) -> None:
    """E-mail through anymail's test provider; its webhooks behind the secret."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


def post(payload: dict[str, Any], secret: str = SECRET) -> int:
    auth = base64.b64encode(secret.encode()).decode()
    response = Client().post(
        WEBHOOK,
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )
    return response.status_code


def delivery(message_id: str) -> dict[str, Any]:
    return {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": message_id,
        "Recipient": "alice@example.test",
        "Tag": "",
        "DeliveredAt": "2026-06-01T05:01:07Z",
        "Details": "Test delivery webhook details",
        "Metadata": {},
    }


def bounce(message_id: str, kind: str = "HardBounce", email: str = "alice@example.test") -> dict:
    return {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": 1 if kind == "HardBounce" else 4096,
        "Name": "Hard bounce" if kind == "HardBounce" else "Soft bounce",
        "Tag": "",
        "MessageID": message_id,
        "Metadata": {},
        "ServerID": 23,
        "MessageStream": "outbound",
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "care@clinic.local",
        "BouncedAt": "2026-06-01T05:10:00Z",
        "DumpAvailable": True,
        "Inactive": kind == "HardBounce",
        "CanActivate": True,
        "Subject": "Your appointment is confirmed",
    }


def complaint(message_id: str) -> dict[str, Any]:
    return {
        **bounce(message_id),
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
    }


def booked(user: User, clinic: Clinic, *, by_sms: bool) -> Appointment:
    profile = user.patient_profile
    profile.appointments_by_sms = by_sms
    profile.save(update_fields=["appointments_by_sms"])
    ready(user, "peel")
    return book_appointment(
        patient=profile,
        procedure=clinic.procedure("glycolic-peel"),
        start=at(WEDNESDAY, 10),
        practitioner=None,
        booked_by=user,
        channel=Appointment.Channel.WEB,
    )


def sent_confirmation(appointment: Appointment) -> OutboxMessage:
    row = OutboxMessage.objects.get(
        appointment=appointment, kind=Kind.BOOKING_CONFIRMATION, channel=Channel.EMAIL
    )
    assert outbox.deliver_message(message_id=row.pk) == "sent"
    row.refresh_from_db()
    assert row.state == State.SENT
    assert row.gateway_id != ""  # the provider's id, by which its reports name the message
    assert str(mail.outbox[-1].anymail_status.message_id) == row.gateway_id
    assert mail.outbox[-1].metadata == {"outbox_message": str(row.pk)}
    return row


def test_a_delivery_report_marks_the_row_delivered(clinic_setup: Clinic, patient: User) -> None:
    row = sent_confirmation(booked(patient, clinic_setup, by_sms=False))

    assert post(delivery(row.gateway_id)) == 200

    row.refresh_from_db()
    assert row.state == State.DELIVERED
    assert row.delivered_at == dt.datetime(2026, 6, 1, 5, 1, 7, tzinfo=dt.UTC)
    # A report repeated later changes nothing.
    assert post(delivery(row.gateway_id)) == 200
    row.refresh_from_db()
    assert row.state == State.DELIVERED


def test_a_spam_complaint_marks_the_row_complained(clinic_setup: Clinic, patient: User) -> None:
    row = sent_confirmation(booked(patient, clinic_setup, by_sms=False))
    post(delivery(row.gateway_id))

    assert post(complaint(row.gateway_id)) == 200

    row.refresh_from_db()
    assert row.state == State.COMPLAINED
    own = Client()
    own.force_login(patient)
    page = own.get(reverse("patients:messages")).content.decode()
    assert f'data-message="{row.pk}" data-state="complained"' in page
    assert "Delivered, marked as spam" in page
    assert patient.patient_profile.__class__.objects.get(pk=patient.patient_profile.pk).email_works


def test_a_hard_bounce_marks_the_address_and_moves_appointment_messages_to_sms(
    clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    appointment = booked(patient, clinic_setup, by_sms=False)
    assert not OutboxMessage.objects.filter(channel=Channel.SMS).exists()
    row = sent_confirmation(appointment)
    reminder = OutboxMessage.objects.get(kind=Kind.APPOINTMENT_REMINDER, channel=Channel.EMAIL)

    assert post(bounce(row.gateway_id)) == 200

    row.refresh_from_db()
    assert row.state == State.BOUNCED
    assert "550 5.1.1" in row.last_error or "unable to deliver" in row.last_error
    profile = patient.patient_profile.__class__.objects.get(pk=patient.patient_profile.pk)
    assert profile.email_bounced_at == dt.datetime(2026, 6, 1, 5, 10, tzinfo=dt.UTC)
    assert not profile.email_works
    # Nothing more goes to the address; appointment messages go by SMS instead.
    reminder.refresh_from_db()
    assert reminder.state == State.CANCELLED
    texts = {m.kind: m for m in OutboxMessage.objects.filter(channel=Channel.SMS)}
    assert set(texts) >= {Kind.BOOKING_CONFIRMATION, Kind.APPOINTMENT_REMINDER}
    assert texts[Kind.APPOINTMENT_REMINDER].dedupe_key == reminder.dedupe_key
    assert texts[Kind.APPOINTMENT_REMINDER].due_at == reminder.due_at
    assert texts[Kind.BOOKING_CONFIRMATION].state == State.PENDING
    assert not channels.wants(profile, Kind.APPOINTMENT_REMINDER, Channel.EMAIL)
    assert channels.wants(profile, Kind.APPOINTMENT_REMINDER, Channel.SMS)
    assert not channels.wants(profile, Kind.RECALL, Channel.SMS)  # recalls only if chosen
    # The desk sees it on the patient's page and in the list.
    desk = Client()
    desk.force_login(receptionist)
    page = desk.get(reverse("patients:staff-patient", args=[profile.pk])).content.decode()
    assert "data-email-bounced" in page
    assert "E-mail not working since" in page
    listing = desk.get(reverse("patients:staff-patients")).content.decode()
    assert "data-email-bounced" in listing
    # And the bounce on the patient's Messages page.
    own = Client()
    own.force_login(patient)
    mine = own.get(reverse("patients:messages")).content.decode()
    assert f'data-message="{row.pk}" data-state="bounced"' in mine


def test_a_soft_bounce_changes_nothing(clinic_setup: Clinic, patient: User) -> None:
    row = sent_confirmation(booked(patient, clinic_setup, by_sms=False))

    assert post(bounce(row.gateway_id, kind="SoftBounce")) == 200

    row.refresh_from_db()
    assert row.state == State.SENT
    assert patient.patient_profile.__class__.objects.get(pk=patient.patient_profile.pk).email_works


def test_a_bounce_from_an_address_the_patient_no_longer_has_keeps_their_address(
    clinic_setup: Clinic, patient: User
) -> None:
    row = sent_confirmation(booked(patient, clinic_setup, by_sms=False))

    post(bounce(row.gateway_id, email="old-address@example.test"))

    row.refresh_from_db()
    assert row.state == State.BOUNCED
    assert patient.patient_profile.__class__.objects.get(pk=patient.patient_profile.pk).email_works


def test_a_webhook_without_the_secret_changes_nothing(clinic_setup: Clinic, patient: User) -> None:
    row = sent_confirmation(booked(patient, clinic_setup, by_sms=False))

    assert post(bounce(row.gateway_id), secret="postmark:wrong") in (400, 401, 403)

    row.refresh_from_db()
    assert row.state == State.SENT


def test_a_report_found_by_the_metadata_alone(clinic_setup: Clinic, patient: User) -> None:
    """Providers that do not echo the message id still echo the message's metadata."""
    row = sent_confirmation(booked(patient, clinic_setup, by_sms=True))
    event = AnymailTrackingEvent(
        event_type="bounced",
        message_id="unknown-to-us",
        metadata={"outbox_message": str(row.pk)},
        recipient="alice@example.test",
        reject_reason="bounced",
        description="mailbox does not exist",
        esp_event={},
    )

    tracking.send(sender=object, event=event, esp_name="Mailgun")

    row.refresh_from_db()
    assert row.state == State.BOUNCED
    assert row.last_error == "mailbox does not exist"


def test_the_desk_marks_the_address_as_working_again(
    clinic_setup: Clinic, patient: User, other_patient: User, receptionist: User
) -> None:
    row = sent_confirmation(booked(patient, clinic_setup, by_sms=False))
    post(bounce(row.gateway_id))
    profile = patient.patient_profile.__class__.objects.get(pk=patient.patient_profile.pk)
    assert not profile.email_works
    url = reverse("patients:staff-email-works", args=[profile.pk])

    # A patient never reaches the desk's button, not even for their own record.
    own = Client()
    own.force_login(patient)
    assert own.post(url).status_code == 404
    desk = Client()
    desk.force_login(receptionist)
    assert desk.get(url).status_code == 405

    response = desk.post(url)

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.email_works
    assert profile.email_bounce_reason == ""
    assert channels.wants(profile, Kind.APPOINTMENT_REMINDER, Channel.EMAIL)
    assert not channels.wants(profile, Kind.APPOINTMENT_REMINDER, Channel.SMS)  # her choice
    page = desk.get(reverse("patients:staff-patient", args=[profile.pk])).content.decode()
    assert "data-email-bounced" not in page
