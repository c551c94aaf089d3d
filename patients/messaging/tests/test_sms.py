# ruff: noqa: RUF001 - the Russian text is Cyrillic on purpose.
"""SMS as the outbox's second channel: rows per channel, quiet hours, privacy, delivery reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse

from clinic.models import User
from clinic.sms import local
from clinic.tests.sms_fakes import FakeSmsc, FakeSmsRu, serving, smsc_url, smsru_url
from patients.booking.services import book_appointment, cancel_appointment
from patients.messaging import channels, delivery, outbox
from patients.messaging.links import reply_urls
from patients.models import Appointment, OutboxMessage
from patients.tests.booking_fixtures import MSK, WEDNESDAY, Clinic, at, ready
from patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
State = OutboxMessage.State
Channel = OutboxMessage.Channel
UTC = dt.UTC
REMINDER_DUE = at(dt.date(2026, 6, 2), 10, 30)


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow, unless a test travels."""


@pytest.fixture(autouse=True)
def texts() -> Iterator[list[dict[str, str]]]:
    local.sent_texts.clear()
    yield local.sent_texts
    local.sent_texts.clear()


def book(
    user: User, clinic: Clinic, start: dt.datetime, slug: str = "glycolic-peel"
) -> Appointment:
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure(slug),
        start=start,
        practitioner=None,
        booked_by=user,
        channel=Appointment.Channel.WEB,
    )


def rows(appointment: Appointment) -> dict[tuple[str, str], OutboxMessage]:
    found = OutboxMessage.objects.filter(appointment=appointment).order_by("pk")
    return {(m.kind, m.channel): m for m in found}


def texts_of(message: OutboxMessage, texts: list[dict[str, str]]) -> list[dict[str, str]]:
    return [t for t in texts if t["reference"] == f"outbox-{message.pk}"]


def dispatch_at(moment: dt.datetime) -> int:
    with (
        time_machine.travel(moment, tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        return outbox.dispatch_due_messages()


def prefer(user: User, **choices: bool) -> None:
    profile = user.patient_profile
    for name, value in choices.items():
        setattr(profile, name, value)
    profile.save()


# --- rows per channel ------------------------------------------------------------------------


def test_a_booking_writes_each_message_for_email_and_sms_with_one_dedupe_key(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    scheduled = rows(appointment)
    # Care instructions go by e-mail unless the patient asks for SMS too.
    assert set(scheduled) == {
        (Kind.BOOKING_CONFIRMATION, Channel.EMAIL),
        (Kind.BOOKING_CONFIRMATION, Channel.SMS),
        (Kind.APPOINTMENT_REMINDER, Channel.EMAIL),
        (Kind.APPOINTMENT_REMINDER, Channel.SMS),
        (Kind.AFTERCARE, Channel.EMAIL),
    }
    email, sms = (scheduled[(Kind.APPOINTMENT_REMINDER, c)] for c in Channel)
    assert email.dedupe_key == sms.dedupe_key
    assert email.message_id != sms.message_id
    assert sms.due_at == email.due_at == dt.datetime(2026, 6, 2, 7, tzinfo=UTC)
    assert sms.send_by == appointment.start
    # Booked at 08:00 Moscow, inside quiet hours: the confirmation's SMS waits for 09:00.
    confirmation = scheduled[(Kind.BOOKING_CONFIRMATION, Channel.SMS)]
    assert confirmation.due_at == at(dt.date(2026, 6, 1), 9)
    assert scheduled[(Kind.BOOKING_CONFIRMATION, Channel.EMAIL)].due_at == at(
        dt.date(2026, 6, 1), 8
    )


def test_writing_a_message_again_adds_no_row_on_either_channel(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    before = OutboxMessage.objects.count()
    again = outbox.schedule_message(
        kind=Kind.APPOINTMENT_REMINDER,
        patient_id=patient.patient_profile.pk,
        appointment=appointment,
        due_at=REMINDER_DUE,
        dedupe_key=f"appointment_reminder:appointment:{appointment.pk}:v0",
    )
    assert OutboxMessage.objects.count() == before
    assert again == rows(appointment)[(Kind.APPOINTMENT_REMINDER, Channel.EMAIL)]


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ({}, {Kind.APPOINTMENT_REMINDER: {"email", "sms"}, Kind.AFTERCARE: {"email"}}),
        (
            {"appointments_by_email": False, "care_by_sms": True},
            {Kind.APPOINTMENT_REMINDER: {"sms"}, Kind.AFTERCARE: {"email", "sms"}},
        ),
        (
            {"appointments_by_sms": False, "care_by_email": False},
            {Kind.APPOINTMENT_REMINDER: {"email"}, Kind.AFTERCARE: set()},
        ),
    ],
)
def test_each_kind_goes_to_the_channels_the_patient_chose(
    clinic_setup: Clinic, patient: User, choices: dict[str, bool], expected: dict[str, set[str]]
) -> None:
    ready(patient, "peel")
    prefer(patient, **choices)
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    written: dict[str, set[str]] = {}
    for kind, channel in rows(appointment):
        written.setdefault(kind, set()).add(channel)
    assert {kind: written.get(kind, set()) for kind in expected} == expected


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ({}, ["email"]),
        ({"recalls_by_sms": True}, ["email", "sms"]),
        ({"recalls_by_sms": True, "recalls_opt_out": True}, []),
    ],
)
def test_recalls_by_email_unless_opted_out_and_by_sms_on_request(
    patient: User, choices: dict[str, bool], expected: list[str]
) -> None:
    prefer(patient, **choices)
    assert channels.channels_for(patient.patient_profile, Kind.RECALL) == expected
    assert channels.channels_for(patient.patient_profile, Kind.LOT_RECALL) == ["email"]


def test_appointment_messages_always_reach_a_channel(patient: User) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        prefer(patient, appointments_by_email=False, appointments_by_sms=False)


@pytest.mark.parametrize(
    ("phone", "number"),
    [
        ("+7 900 123-45-67", "+79001234567"),
        ("8 (900) 123 45 67", "+79001234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("12-34", None),
        ("", None),
    ],
)
def test_the_sms_number_is_e164(phone: str, number: str | None) -> None:
    assert channels.sms_number(phone) == number


def test_no_phone_no_sms_row(clinic_setup: Clinic) -> None:
    user = make_patient(email="nophone@example.test", phone="")
    ready(user, "peel")
    appointment = book(user, clinic_setup, at(WEDNESDAY, 10))
    assert {channel for _kind, channel in rows(appointment)} == {Channel.EMAIL}


# --- sending ---------------------------------------------------------------------------------


def test_the_sms_names_clinic_date_time_and_a_link_never_the_procedure(
    clinic_setup: Clinic, patient: User, texts: list[dict[str, str]], settings: Any
) -> None:
    settings.PORTAL_URL = "https://portal.example"
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    assert dispatch_at(REMINDER_DUE) == 4  # the confirmation's e-mail and SMS, the reminder's
    reminder = rows(appointment)[(Kind.APPOINTMENT_REMINDER, Channel.SMS)]
    number = channels.sms_number(patient.phone)
    assert (reminder.state, reminder.recipient) == (State.SENT, number)
    [text] = texts_of(reminder, texts)
    assert text["to"] == number
    assert reminder.gateway_id == text["id"]
    links = reply_urls(appointment, channel=Channel.SMS)
    assert text["text"] == (
        f"{settings.CLINIC_NAME}: reminder of your visit on 06/03/2026 at 10:00. "
        f"Confirm: {links['confirm_url']} Can't come: {links['cancel_url']}"
    )
    assert links["confirm_url"].startswith("https://portal.example/r/")
    every_text = " ".join(t["text"] for t in texts).lower()
    email_subjects = " ".join(m.subject for m in mail.outbox).lower()
    for word in ("peel", "glycolic", appointment.procedure_name.lower()):
        assert word not in every_text
        assert word not in email_subjects


def test_the_sms_is_in_the_patients_language(
    clinic_setup: Clinic, patient: User, texts: list[dict[str, str]]
) -> None:
    patient.preferred_language = "ru"
    patient.save()
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    dispatch_at(REMINDER_DUE)
    reminder = rows(appointment)[(Kind.APPOINTMENT_REMINDER, Channel.SMS)]
    [text] = texts_of(reminder, texts)
    assert "напоминаем о визите 03.06.2026 в 10:00" in text["text"]


def test_an_sms_turned_off_since_it_was_written_is_cancelled(
    clinic_setup: Clinic, patient: User, texts: list[dict[str, str]]
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    prefer(patient, appointments_by_sms=False)
    dispatch_at(REMINDER_DUE)
    assert rows(appointment)[(Kind.APPOINTMENT_REMINDER, Channel.SMS)].state == State.CANCELLED
    assert rows(appointment)[(Kind.APPOINTMENT_REMINDER, Channel.EMAIL)].state == State.SENT
    assert texts == []


def test_cancelling_cancels_the_pending_sms_too(
    clinic_setup: Clinic, patient: User, texts: list[dict[str, str]]
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    with TestCase.captureOnCommitCallbacks(execute=True):
        cancel_appointment(appointment=appointment, by=patient, reason="")
    assert rows(appointment)[(Kind.APPOINTMENT_REMINDER, Channel.SMS)].state == State.CANCELLED
    dispatch_at(REMINDER_DUE)
    assert all("reminder" not in t["text"] for t in texts)


@pytest.mark.parametrize("gateway", ["smsru", "smsc"])
def test_a_gateway_that_rejects_the_number_fails_the_row_at_once(
    clinic_setup: Clinic, patient: User, settings: Any, gateway: str
) -> None:
    fake = FakeSmsRu() if gateway == "smsru" else FakeSmsc()
    with serving(fake):
        settings.SMS_URL = smsru_url(fake) if gateway == "smsru" else smsc_url(fake)
        fake.mode = "bad_number"
        ready(patient, "peel")
        appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
        dispatch_at(REMINDER_DUE)
    reminder = rows(appointment)[(Kind.APPOINTMENT_REMINDER, Channel.SMS)]
    assert (reminder.state, reminder.attempts) == (State.FAILED, 1)
    assert ("202" if gateway == "smsru" else "SMSC.ru 7") in reminder.last_error
    assert rows(appointment)[(Kind.APPOINTMENT_REMINDER, Channel.EMAIL)].state == State.SENT


@pytest.mark.parametrize("failure", ["throttle", "down"])
def test_a_throttled_or_down_gateway_is_tried_again_and_the_sms_goes_once(
    clinic_setup: Clinic, patient: User, settings: Any, failure: str
) -> None:
    with serving(FakeSmsRu()) as fake:
        settings.SMS_URL = smsru_url(fake)
        ready(patient, "peel")
        appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
        OutboxMessage.objects.exclude(kind=Kind.APPOINTMENT_REMINDER).update(state=State.CANCELLED)
        fake.failure, fake.fail_next = failure, 2
        moment = REMINDER_DUE
        for _try in range(3):
            dispatch_at(moment)
            reminder = rows(appointment)[(Kind.APPOINTMENT_REMINDER, Channel.SMS)]
            moment = reminder.due_at
    # Two refusals a minute and two apart, then the gateway recovers: sent on the third try, once.
    assert (reminder.state, reminder.attempts, reminder.last_error) == (State.SENT, 3, "")
    assert reminder.first_failed_at == REMINDER_DUE
    assert [sent["to"] for sent in fake.sent] == [reminder.recipient.lstrip("+")]
    assert [path for path, _form in fake.requests] == ["/sms/send"] * 3


def test_a_gateway_down_for_every_try_fails_the_row_with_its_reason(
    clinic_setup: Clinic, patient: User, settings: Any
) -> None:
    with serving(FakeSmsc()) as fake:
        settings.SMS_URL = smsc_url(fake)
        ready(patient, "peel")
        appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
        OutboxMessage.objects.exclude(kind=Kind.APPOINTMENT_REMINDER).update(state=State.CANCELLED)
        fake.mode = "down"
        reminder = rows(appointment)[(Kind.APPOINTMENT_REMINDER, Channel.SMS)]
        moment = REMINDER_DUE
        while reminder.state != State.FAILED:
            assert moment < REMINDER_DUE + dt.timedelta(hours=7)
            dispatch_at(moment)
            reminder.refresh_from_db()
            moment = reminder.due_at
    # Tried for about six hours (the appointment is the next day), then failed for staff.
    assert reminder.attempts > 8
    assert "HTTP 503" in reminder.last_error
    assert fake.sent == []


# --- quiet hours -----------------------------------------------------------------------------

START = at(dt.date(2026, 6, 10), 12)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (at(WEDNESDAY, 20, 59), at(WEDNESDAY, 20, 59)),
        (at(WEDNESDAY, 21), at(dt.date(2026, 6, 4), 9)),
        (at(WEDNESDAY, 23, 59), at(dt.date(2026, 6, 4), 9)),
        (at(WEDNESDAY, 0), at(WEDNESDAY, 9)),
        (at(WEDNESDAY, 8, 59), at(WEDNESDAY, 9)),
        (at(WEDNESDAY, 9), at(WEDNESDAY, 9)),
    ],
)
def test_quiet_hours_at_their_edges_in_the_clinics_zone(
    due: dt.datetime, expected: dt.datetime
) -> None:
    assert channels.sms_due(due, START) == expected


def test_a_message_that_would_be_late_in_the_morning_goes_in_quiet_hours() -> None:
    night = at(WEDNESDAY, 22)
    assert channels.sms_due(night, at(dt.date(2026, 6, 4), 8, 30)) == night
    assert channels.sms_due(night, at(dt.date(2026, 6, 4), 9)) == night
    assert channels.sms_due(night, at(dt.date(2026, 6, 4), 9, 1)) == at(dt.date(2026, 6, 4), 9)
    assert channels.sms_due(night, None) == at(dt.date(2026, 6, 4), 9)


@pytest.mark.parametrize(
    ("evening", "morning_utc"),
    [
        # Berlin springs forward on 29 March 2026: 09:00 that morning is 07:00 UTC, not 08:00.
        (
            dt.datetime(2026, 3, 28, 22, tzinfo=ZoneInfo("Europe/Berlin")),
            dt.datetime(2026, 3, 29, 7, tzinfo=UTC),
        ),
        # ...and falls back on 25 October 2026: 09:00 is 08:00 UTC again.
        (
            dt.datetime(2026, 10, 24, 22, tzinfo=ZoneInfo("Europe/Berlin")),
            dt.datetime(2026, 10, 25, 8, tzinfo=UTC),
        ),
    ],
)
def test_quiet_hours_end_at_nine_local_across_a_dst_change(
    settings: Any, evening: dt.datetime, morning_utc: dt.datetime
) -> None:
    settings.CLINIC_TIME_ZONE = "Europe/Berlin"
    assert channels.in_quiet_hours(evening)
    assert channels.sms_due(evening, None) == morning_utc
    assert not channels.in_quiet_hours(morning_utc)
    assert channels.in_quiet_hours(morning_utc - dt.timedelta(seconds=1))


def test_quiet_hours_come_from_settings(settings: Any) -> None:
    settings.SMS_QUIET_HOURS = ("22:00", "08:00")
    assert not channels.in_quiet_hours(at(WEDNESDAY, 21, 30))
    assert channels.sms_due(at(WEDNESDAY, 7), None) == at(WEDNESDAY, 8)


def test_an_sms_a_late_dispatcher_finds_in_quiet_hours_waits_for_the_morning(
    clinic_setup: Clinic, patient: User, texts: list[dict[str, str]]
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(dt.date(2026, 6, 5), 12))
    reminder = rows(appointment)[(Kind.APPOINTMENT_REMINDER, Channel.SMS)]
    assert reminder.due_at == at(dt.date(2026, 6, 4), 12)
    # The dispatcher was down all afternoon and comes back at 23:00.
    dispatch_at(at(dt.date(2026, 6, 4), 23))
    reminder.refresh_from_db()
    assert (reminder.state, reminder.due_at, reminder.attempts) == (
        State.PENDING,
        at(dt.date(2026, 6, 5), 9),
        0,
    )
    assert texts == []
    assert rows(appointment)[(Kind.APPOINTMENT_REMINDER, Channel.EMAIL)].state == State.SENT
    dispatch_at(at(dt.date(2026, 6, 5), 9))
    reminder.refresh_from_db()
    assert reminder.state == State.SENT
    assert len(texts_of(reminder, texts)) == 1


# --- delivery reports ------------------------------------------------------------------------


def sent_sms(clinic: Clinic, user: User) -> OutboxMessage:
    ready(user, "peel")
    appointment = book(user, clinic, at(WEDNESDAY, 10))
    dispatch_at(REMINDER_DUE)
    reminder = rows(appointment)[(Kind.APPOINTMENT_REMINDER, Channel.SMS)]
    assert reminder.state == State.SENT
    return reminder


def test_the_poller_puts_delivery_and_failure_on_the_rows(
    clinic_setup: Clinic, patient: User, other_patient: User, settings: Any
) -> None:
    with serving(FakeSmsRu()) as fake:
        settings.SMS_URL = smsru_url(fake)
        one = sent_sms(clinic_setup, patient)
        two = OutboxMessage.objects.get(
            channel=Channel.SMS, kind=Kind.BOOKING_CONFIRMATION, patient__user=patient
        )
        assert delivery.poll_sms_statuses() == 0  # still on their way
        fake.statuses[one.gateway_id] = 103
        fake.statuses[two.gateway_id] = 104
        with time_machine.travel(REMINDER_DUE + dt.timedelta(minutes=5), tick=False):
            assert delivery.poll_sms_statuses() == 2
            assert delivery.poll_sms_statuses() == 0  # settled rows are not asked about again
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.state, one.delivered_at) == (
        State.DELIVERED,
        REMINDER_DUE + dt.timedelta(minutes=5),
    )
    assert (two.state, two.last_error) == (State.FAILED, "SMS.ru 104: Expired")


def test_a_gateway_down_for_the_poller_leaves_the_rows_sent(
    clinic_setup: Clinic, patient: User, settings: Any
) -> None:
    with serving(FakeSmsc()) as fake:
        settings.SMS_URL = smsc_url(fake)
        reminder = sent_sms(clinic_setup, patient)
        fake.mode = "down"
        assert delivery.poll_sms_statuses() == 0
    reminder.refresh_from_db()
    assert reminder.state == State.SENT


def test_the_callback_needs_the_token_and_lands_on_the_row(
    clinic_setup: Clinic, patient: User, settings: Any, client: Client
) -> None:
    with serving(FakeSmsRu()) as fake:
        settings.SMS_URL = smsru_url(fake)
        reminder = sent_sms(clinic_setup, patient)
    body = {"data[0]": f"sms_status\n{reminder.gateway_id}\n103\n1780000000"}
    settings.SMS_CALLBACK_TOKEN = ""
    assert client.post("/sms/status/anything/", body).status_code == 404
    settings.SMS_CALLBACK_TOKEN = "t0ken-of-the-gateway"
    url = reverse("patients:sms-status-callback", args=["t0ken-of-the-gateway"])
    assert client.post("/sms/status/wrong-token/", body).status_code == 404
    assert client.get(url).status_code == 405
    reminder.refresh_from_db()
    assert reminder.state == State.SENT
    answer = client.post(url, body)
    assert (answer.status_code, answer.content) == (200, b"100")
    reminder.refresh_from_db()
    assert reminder.state == State.DELIVERED
    # Said again (gateways repeat themselves): nothing changes.
    assert (
        client.post(url, {"data[0]": f"sms_status\n{reminder.gateway_id}\n107\n1"}).content
        == b"100"
    )
    reminder.refresh_from_db()
    assert reminder.state == State.DELIVERED


def test_the_smsc_callback_reports_a_failure_with_its_reason(
    clinic_setup: Clinic, patient: User, settings: Any, client: Client
) -> None:
    with serving(FakeSmsc()) as fake:
        settings.SMS_URL = smsc_url(fake)
        reminder = sent_sms(clinic_setup, patient)
        settings.SMS_CALLBACK_TOKEN = "t0ken"
        answer = client.post(
            "/sms/status/t0ken/",
            {"id": reminder.gateway_id, "phone": reminder.recipient, "status": "22", "err": "1"},
        )
    assert answer.content == b"OK"
    reminder.refresh_from_db()
    assert (reminder.state, reminder.last_error) == (
        State.FAILED,
        "SMSC.ru status 22: wrong number (error 1)",
    )


def test_the_sms_poller_runs_every_five_minutes_from_beat() -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="patients.tasks.poll_sms_statuses")
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 5, "minutes")


_ = MSK
