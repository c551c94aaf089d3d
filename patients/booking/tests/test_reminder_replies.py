"""Confirmation in one tap: the reminder's signed links, "confirm" and "I can't come"."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client, TestCase

from clinic.models import User
from clinic.sms import local
from patients.booking.services import book_appointment, join_waitlist, move_appointment
from patients.messaging import outbox
from patients.messaging.links import CANCEL, CONFIRM, reply_token
from patients.models import Appointment, OutboxMessage, WaitlistOffer
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready

pytestmark = pytest.mark.django_db

S = Appointment.Status
Channel = OutboxMessage.Channel
REMINDER_DUE = at(dt.date(2026, 6, 2), 10, 30)
VISIT = at(WEDNESDAY, 10)


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow, unless a test travels."""


@pytest.fixture(autouse=True)
def texts() -> Iterator[list[dict[str, str]]]:
    local.sent_texts.clear()
    yield local.sent_texts
    local.sent_texts.clear()


def book(user: User, clinic: Clinic, start: dt.datetime = VISIT) -> Appointment:
    ready(user, "peel")
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure("glycolic-peel"),
        start=start,
        practitioner=clinic.derm,
        booked_by=user,
        channel=Appointment.Channel.WEB,
    )


def link(appointment: Appointment, action: str, channel: str = Channel.SMS) -> str:
    return f"/r/{reply_token(appointment, channel=channel, action=action)}/"


def test_the_reminder_carries_both_links_by_email_and_by_sms(
    clinic_setup: Clinic, patient: User, texts: list[dict[str, str]], settings: Any
) -> None:
    settings.PORTAL_URL = "https://portal.example"
    appointment = book(patient, clinic_setup)
    OutboxMessage.objects.exclude(kind=OutboxMessage.Kind.APPOINTMENT_REMINDER).update(
        state=OutboxMessage.State.CANCELLED
    )
    with (
        time_machine.travel(REMINDER_DUE, tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert outbox.dispatch_due_messages() == 2
    [email] = mail.outbox
    [sms] = texts
    for body, channel in ((email.body, Channel.EMAIL), (sms["text"], Channel.SMS)):
        for action in (CONFIRM, CANCEL):
            assert f"https://portal.example{link(appointment, action, channel)}" in body
    assert len(sms["text"]) < 320  # two texts at most, links included


def test_confirm_records_when_and_by_which_channel_once(
    clinic_setup: Clinic, patient: User, client: Client
) -> None:
    appointment = book(patient, clinic_setup)
    url = link(appointment, CONFIRM, Channel.SMS)
    page = client.get(url)
    assert page.status_code == 200
    assert "Yes, I'm coming" in page.content.decode()
    appointment.refresh_from_db()
    assert appointment.confirmed_by_patient_at is None  # looking is not answering
    with time_machine.travel(at(dt.date(2026, 6, 2), 11), tick=False):
        done = client.post(url)
    assert done.status_code == 200
    appointment.refresh_from_db()
    assert (appointment.confirmed_by_patient_at, appointment.confirmed_by_patient_via) == (
        at(dt.date(2026, 6, 2), 11),
        Channel.SMS,
    )
    # Single use: the same link is gone, for a look and for an answer.
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(
    "token",
    ["nonsense", "1.0.sc", "1.0.sc:forged-signature-xxxxxxxxxxxxxxx", "1.0.sc:" + "A" * 27],
)
def test_a_wrong_link_is_404(
    clinic_setup: Clinic, patient: User, client: Client, token: str
) -> None:
    book(patient, clinic_setup)
    assert client.get(f"/r/{token}/").status_code == 404
    assert client.post(f"/r/{token}/").status_code == 404


def test_a_link_of_another_appointment_cannot_be_made_from_one(
    clinic_setup: Clinic, patient: User, other_patient: User, client: Client
) -> None:
    mine = book(patient, clinic_setup)
    theirs = book(other_patient, clinic_setup, at(WEDNESDAY, 12))
    token = reply_token(mine, channel=Channel.EMAIL, action=CONFIRM)
    forged = token.replace(f"{mine.pk}.", f"{theirs.pk}.", 1)
    assert client.post(f"/r/{forged}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.confirmed_by_patient_at is None


def test_links_end_at_the_start_and_with_a_move(
    clinic_setup: Clinic, patient: User, client: Client
) -> None:
    appointment = book(patient, clinic_setup)
    url = link(appointment, CONFIRM)
    with time_machine.travel(at(WEDNESDAY, 10), tick=False):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    with time_machine.travel(at(WEDNESDAY, 9, 59), tick=False):
        assert client.get(url).status_code == 200
    move_appointment(
        appointment=appointment, start=at(dt.date(2026, 6, 5), 10), practitioner=None, by=patient
    )
    assert client.get(url).status_code == 404
    appointment.refresh_from_db()
    assert client.get(link(appointment, CONFIRM)).status_code == 200


def test_cant_come_cancels_frees_the_slot_and_offers_it_to_the_waitlist(
    clinic_setup: Clinic, patient: User, other_patient: User, client: Client
) -> None:
    appointment = book(patient, clinic_setup)
    ready(other_patient, "peel")
    join_waitlist(
        patient=other_patient.patient_profile,
        procedure=clinic_setup.procedure("glycolic-peel"),
        from_date=WEDNESDAY,
        to_date=WEDNESDAY,
        by=other_patient,
    )
    url = link(appointment, CANCEL, Channel.EMAIL)
    assert "Cancel my visit" in client.get(url).content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = client.post(url)
    assert done.status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == S.CANCELLED
    offer = WaitlistOffer.objects.get()
    assert (offer.entry.patient, offer.start) == (other_patient.patient_profile, appointment.start)
    assert client.post(url).status_code == 404
    assert client.post(link(appointment, CONFIRM)).status_code == 404


def test_cant_come_after_the_cut_off_says_call_us_and_changes_nothing(
    clinic_setup: Clinic, patient: User, client: Client, settings: Any
) -> None:
    appointment = book(patient, clinic_setup)
    url = link(appointment, CANCEL)
    with time_machine.travel(REMINDER_DUE, tick=False):  # 23.5 hours before: inside the cut-off
        page = client.get(url).content.decode()
        assert "too late to cancel online" in page
        assert settings.CLINIC_PHONE in page
        assert "Cancel my visit" not in page
        done = client.post(url)
    assert "Please call us" in done.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == S.CONFIRMED


def test_the_answer_page_names_no_procedure(
    clinic_setup: Clinic, patient: User, client: Client
) -> None:
    appointment = book(patient, clinic_setup)
    page = client.get(link(appointment, CONFIRM)).content.decode()
    assert "peel" not in page.lower()
    assert re.search(r"10:00", page)
