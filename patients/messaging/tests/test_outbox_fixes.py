"""Outbox fixes of issue #19: messages whose moment is gone expire; a cancellation during a
send is told the truth; the same outbox rules for SMS when a gateway fails then recovers."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test import Client, TestCase

from clinic.models import User
from clinic.sms import local
from clinic.tests.sms_fakes import FakeSmsc, FakeSmsRu, serving, smsc_url, smsru_url
from patients.booking.services import (
    book_appointment,
    cancel_appointment,
    check_in,
    complete_appointment,
)
from patients.messaging import outbox
from patients.models import Appointment, OutboxMessage, TreatmentCourse
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
State = OutboxMessage.State
Channel = OutboxMessage.Channel


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


def dispatch_at(moment: dt.datetime) -> int:
    with (
        time_machine.travel(moment, tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        return outbox.dispatch_due_messages()


def row(appointment: Appointment, kind: str, channel: str = Channel.EMAIL) -> OutboxMessage:
    return OutboxMessage.objects.get(appointment=appointment, kind=kind, channel=channel)


# --- expired ---------------------------------------------------------------------------------


def test_after_a_dispatcher_outage_reminders_for_past_visits_expire_and_nothing_is_sent_late(
    clinic_setup: Clinic, patient: User, texts: list[dict[str, str]], client: Client, manager: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    # The dispatcher was down from Monday morning until Wednesday noon, after the visit began.
    dispatch_at(at(WEDNESDAY, 12))
    for kind in (Kind.BOOKING_CONFIRMATION, Kind.APPOINTMENT_REMINDER):
        for channel in Channel:
            message = row(appointment, kind, channel)
            assert message.state == State.EXPIRED, (kind, channel)
            assert message.sent_at is None
            assert "Not sent: due by" in message.note
    assert mail.outbox == []
    assert texts == []
    # After-care is about after the visit: its moment has not gone.
    assert row(appointment, Kind.AFTERCARE).state == State.PENDING
    # Staff see the new state in the admin.
    client.force_login(manager)
    page = client.get("/admin/patients/outboxmessage/?state__exact=expired")
    assert page.status_code == 200
    assert page.content.decode().count("Expired") >= 4
    assert "expired" in dict(OutboxMessage.State.choices)
    assert site.is_registered(OutboxMessage)


def test_a_reminder_found_one_minute_before_the_start_still_goes(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    dispatch_at(at(WEDNESDAY, 9, 59))
    assert row(appointment, Kind.APPOINTMENT_REMINDER).state == State.SENT
    assert row(appointment, Kind.APPOINTMENT_REMINDER, Channel.SMS).state == State.SENT


def test_a_window_opens_message_after_the_window_closed_expires(
    clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    with time_machine.travel(at(WEDNESDAY, 10, 50), tick=False):
        check_in(appointment=appointment, by=receptionist, nothing_changed=True)
        complete_appointment(appointment=appointment, by=receptionist)
    course = TreatmentCourse.objects.get(patient=patient.patient_profile)
    opens = OutboxMessage.objects.get(course=course, kind=Kind.COURSE_WINDOW_OPEN, channel="email")
    # Glycolic peel: the window is 14 to 21 days after 3 June; it has closed at midnight on 25 June.
    assert opens.send_by == at(dt.date(2026, 6, 25), 0)
    dispatch_at(at(dt.date(2026, 6, 25), 8))
    opens.refresh_from_db()
    assert opens.state == State.EXPIRED
    # "Overdue" has no deadline: it still goes.
    overdue = OutboxMessage.objects.get(course=course, kind=Kind.COURSE_OVERDUE, channel="email")
    assert overdue.send_by is None


# --- a cancellation during the send ----------------------------------------------------------


class CancellingSMTP(BaseEmailBackend):
    """Accepts each message, but first the patient cancels (the send is under way)."""

    during: Any = None
    fail = False

    def send_messages(self, email_messages: Any) -> int:
        if type(self).during is not None:
            action, type(self).during = type(self).during, None
            action()
        if type(self).fail:
            raise OSError("the server went away mid-send")
        mail.outbox.extend(email_messages)
        return len(email_messages)


def test_a_cancellation_during_the_send_leaves_the_row_sent_with_a_note(
    clinic_setup: Clinic, patient: User, receptionist: User, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.CancellingSMTP"
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    reminder = row(appointment, Kind.APPOINTMENT_REMINDER)
    OutboxMessage.objects.exclude(kind=Kind.APPOINTMENT_REMINDER).update(state=State.CANCELLED)
    # The reminder's SMS comes right after its e-mail in the same batch.
    OutboxMessage.objects.filter(kind=Kind.APPOINTMENT_REMINDER, channel=Channel.SMS).update(
        due_at=reminder.due_at + dt.timedelta(minutes=1)
    )
    CancellingSMTP.during = lambda: cancel_appointment(appointment=appointment, by=receptionist)
    dispatch_at(at(dt.date(2026, 6, 2), 10, 30))
    reminder.refresh_from_db()
    # The patient got it: the row says so, with the cancellation noted.
    assert reminder.state == State.SENT
    assert reminder.cancel_arrived_at == at(dt.date(2026, 6, 2), 10, 30)
    assert "cancellation arrived" in reminder.note
    assert reminder.handed_over_at is None
    assert reminder.message_id in [m.extra_headers["Message-ID"] for m in mail.outbox]
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    # The reminder's SMS, next in the batch, was not handed over yet: cancelled, never sent.
    sms = row(appointment, Kind.APPOINTMENT_REMINDER, Channel.SMS)
    assert (sms.state, sms.sent_at, sms.cancel_arrived_at) == (State.CANCELLED, None, None)


def test_a_cancellation_during_a_send_that_fails_cancels_the_row(
    clinic_setup: Clinic, patient: User, receptionist: User, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.CancellingSMTP"
    CancellingSMTP.fail = True
    try:
        ready(patient, "peel")
        appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
        reminder = row(appointment, Kind.APPOINTMENT_REMINDER)
        OutboxMessage.objects.exclude(pk=reminder.pk).update(state=State.CANCELLED)
        CancellingSMTP.during = lambda: cancel_appointment(appointment=appointment, by=receptionist)
        dispatch_at(at(dt.date(2026, 6, 2), 10, 30))
    finally:
        CancellingSMTP.fail = False
    reminder.refresh_from_db()
    assert (reminder.state, reminder.sent_at) == (State.CANCELLED, None)
    assert reminder.cancel_arrived_at is not None


def test_a_cancellation_committed_before_the_hand_over_stops_the_send(
    clinic_setup: Clinic, patient: User, receptionist: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    reminder = row(appointment, Kind.APPOINTMENT_REMINDER)
    render = outbox.rendering.render

    def render_then_cancel(message: OutboxMessage) -> Any:
        rendered = render(message)
        if message.pk == reminder.pk:
            cancel_appointment(appointment=appointment, by=receptionist)
        return rendered

    monkeypatch.setattr(outbox.rendering, "render", render_then_cancel)
    dispatch_at(at(dt.date(2026, 6, 2), 10, 30))
    reminder.refresh_from_db()
    assert (reminder.state, reminder.cancel_arrived_at) == (State.CANCELLED, None)
    assert reminder.message_id not in [m.extra_headers.get("Message-ID") for m in mail.outbox]


@pytest.mark.django_db(transaction=True)
def test_the_hand_over_waits_for_a_cancellation_in_progress_and_respects_it(
    clinic_setup: Clinic, patient: User
) -> None:
    """Two connections: the cancellation's transaction holds the row; the sender waits for it."""
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    reminder = row(appointment, Kind.APPOINTMENT_REMINDER)
    with time_machine.travel(at(dt.date(2026, 6, 2), 10, 30), tick=True):
        lease, claimed = outbox.claim_due_messages(ids=[reminder.pk])
        assert claimed == [reminder.pk]
        started = threading.Event()
        result: dict[str, Any] = {}

        def sender() -> None:
            started.set()
            try:
                result["outcome"] = outbox.deliver_message(message_id=reminder.pk, lease=lease)
            finally:
                connection.close()

        with transaction.atomic():
            outbox.cancel_pending(appointment=appointment, kinds=[Kind.APPOINTMENT_REMINDER])
            thread = threading.Thread(target=sender)
            thread.start()
            started.wait(5)
            thread.join(0.5)  # the sender's hand-over waits for this transaction's lock
            assert thread.is_alive() or result.get("outcome") == "skipped"
        thread.join(30)
    assert result["outcome"] == "skipped"
    reminder.refresh_from_db()
    assert reminder.state == State.CANCELLED
    assert reminder.message_id not in [m.extra_headers.get("Message-ID") for m in mail.outbox]


# --- SMS through the outbox's reliability rules -----------------------------------------------


@pytest.mark.parametrize("gateway", ["smsru", "smsc"])
def test_a_gateway_that_fails_then_recovers_loses_nothing_and_doubles_nothing(
    clinic_setup: Clinic, patient: User, other_patient: User, settings: Any, gateway: str
) -> None:
    fake = FakeSmsRu() if gateway == "smsru" else FakeSmsc()
    users = [patient, other_patient] + [
        make_patient(email=f"sms{n}@example.test", phone=f"+7 900 555-00-0{n}") for n in range(2)
    ]
    with serving(fake):
        settings.SMS_URL = smsru_url(fake) if gateway == "smsru" else smsc_url(fake)
        settings.OUTBOX_SEND_BATCH = 3
        for user, hour in zip(users, (10, 12, 14, 16), strict=True):
            ready(user, "peel")
            book(user, clinic_setup, at(WEDNESDAY, hour))
        sms = OutboxMessage.objects.filter(channel=Channel.SMS)
        assert sms.count() == 8  # a confirmation and a reminder for each of four visits
        # Every row is due; the gateway refuses the first requests (down, then throttling).
        fake.fail_next, fake.failure = 5, "down"
        moment = at(dt.date(2026, 6, 2), 16, 30)
        dispatch_at(moment)
        assert sms.filter(state=State.PENDING).count() == 5
        fake.fail_next, fake.failure = 2, "throttle"
        for _round in range(6):
            moment += dt.timedelta(minutes=2)
            dispatch_at(moment)
    sent = sms.filter(state=State.SENT)
    assert sent.count() == 8  # none lost
    assert len(fake.sent) == 8  # none doubled
    assert sorted(s["to"].lstrip("+") for s in fake.sent) == sorted(
        m.recipient.lstrip("+") for m in sent
    )
    assert len({m.gateway_id for m in sent}) == 8
    assert sms.filter(attempts__gt=1).count() >= 5


def test_a_row_whose_worker_died_during_the_hand_over_is_handed_over_anew(
    clinic_setup: Clinic, patient: User, settings: Any
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    reminder = row(appointment, Kind.APPOINTMENT_REMINDER)
    OutboxMessage.objects.exclude(pk=reminder.pk).update(state=State.CANCELLED)
    due = at(dt.date(2026, 6, 2), 10, 30)
    with time_machine.travel(due, tick=False):
        lease, claimed = outbox.claim_due_messages()
        assert claimed == [reminder.pk]
        assert outbox._hand_over(reminder.pk, lease, due)  # then the worker was killed
    dispatch_at(due + dt.timedelta(minutes=settings.OUTBOX_RECLAIM_MINUTES + 1))
    reminder.refresh_from_db()
    assert (reminder.state, reminder.handed_over_at) == (State.SENT, None)
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [reminder.message_id]
