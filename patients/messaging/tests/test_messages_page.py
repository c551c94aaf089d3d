"""The "Messages" page: the patient's own messages, and the same list on the staff patient page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.booking.services import book_appointment
from patients.models import Appointment, OutboxMessage
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
State = OutboxMessage.State
Channel = OutboxMessage.Channel


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow."""


def row(user: User, key: str, **fields: object) -> OutboxMessage:
    values: dict[str, object] = {
        "kind": Kind.RECALL,
        "channel": Channel.EMAIL,
        "patient": user.patient_profile,
        "due_at": dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC),
        "dedupe_key": key,
        **fields,
    }
    return OutboxMessage.objects.create(**values)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_patient_sees_what_when_channel_and_delivery_of_their_messages(
    patient: User, other_patient: User
) -> None:
    sent = dt.datetime(2026, 5, 20, 9, 1, tzinfo=dt.UTC)
    delivered = row(
        patient,
        "a",
        channel=Channel.SMS,
        state=State.DELIVERED,
        sent_at=sent,
        kind=Kind.APPOINTMENT_REMINDER,
    )
    failed = row(
        patient,
        "b",
        state=State.FAILED,
        kind=Kind.INTAKE_RENEWAL,
        due_at=dt.datetime(2026, 5, 19, 9, 0, tzinfo=dt.UTC),
    )
    pending = row(patient, "c", due_at=dt.datetime(2026, 6, 9, 9, 0, tzinfo=dt.UTC))
    cancelled = row(patient, "d", state=State.CANCELLED)
    bobs = row(other_patient, "e", state=State.SENT, sent_at=sent, kind=Kind.LOT_RECALL)

    response = signed_in(patient).get(reverse("patients:messages"))

    assert response.status_code == 200
    shown = [m.pk for m in response.context["outbox"]]
    assert shown == [pending.pk, delivered.pk, failed.pk]  # newest first
    assert bobs.pk not in shown
    assert cancelled.pk not in shown
    page = response.content.decode()
    assert f'data-message="{delivered.pk}" data-state="delivered"' in page
    assert "Appointment reminder" in page
    assert "SMS" in page
    assert "Delivered" in page
    assert "Not delivered" in page
    assert "Scheduled" in page
    assert "Product lot recall" not in page  # Bob's message
    # Linked from the account's navigation.
    assert f'href="{reverse("patients:messages")}"' in page


def test_the_page_is_in_the_patients_language(patient: User) -> None:
    row(patient, "a", state=State.DELIVERED, sent_at=dt.datetime(2026, 5, 20, 9, tzinfo=dt.UTC))
    client = signed_in(patient)
    client.cookies["django_language"] = "ru"

    page = client.get(reverse("patients:messages"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Доставлено" in page
    assert "Сообщения" in page


def test_the_list_names_the_visit_time_never_the_procedure(
    clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    ready(patient, "peel")
    appointment = book_appointment(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure("glycolic-peel"),
        start=at(WEDNESDAY, 10),
        practitioner=None,
        booked_by=patient,
        channel=Appointment.Channel.WEB,
    )
    assert OutboxMessage.objects.filter(appointment=appointment).exists()

    for client, url in (
        (signed_in(patient), reverse("patients:messages")),
        (
            signed_in(receptionist),
            reverse("patients:staff-messages", args=[patient.patient_profile.pk]),
        ),
    ):
        page = client.get(url).content.decode()
        assert "Booking confirmation" in page
        assert appointment.procedure_name not in page
        assert "Glycolic" not in page


def test_staff_see_the_same_list_with_cancelled_rows_and_the_address(
    patient: User, other_patient: User, receptionist: User, practitioner: User, manager: User
) -> None:
    sent = row(
        patient,
        "a",
        state=State.SENT,
        sent_at=dt.datetime(2026, 5, 20, 9, tzinfo=dt.UTC),
        recipient="alice@example.test",
    )
    cancelled = row(patient, "b", state=State.CANCELLED)
    bobs = row(other_patient, "c")
    url = reverse("patients:staff-messages", args=[patient.patient_profile.pk])

    for user in (receptionist, practitioner, manager):
        response = signed_in(user).get(url)
        assert response.status_code == 200
        shown = {m.pk for m in response.context["outbox"]}
        assert shown == {sent.pk, cancelled.pk}
        assert bobs.pk not in shown
        assert "alice@example.test" in response.content.decode()
    overview = signed_in(receptionist).get(
        reverse("patients:staff-patient", args=[patient.patient_profile.pk])
    )
    assert f'href="{url}"' in overview.content.decode()


def test_patients_never_reach_the_staff_list(patient: User, other_patient: User) -> None:
    row(other_patient, "a")
    url = reverse("patients:staff-messages", args=[other_patient.patient_profile.pk])

    assert signed_in(patient).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    assert Client().get(reverse("patients:messages")).status_code == 302
