"""The outbox: rows written with their event, due times, claiming, sending exactly once."""

from __future__ import annotations

import datetime as dt
import itertools
from smtplib import SMTPDataError, SMTPServerDisconnected
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, connection, transaction
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from clinic.models import User
from patients import messaging as notifications
from patients.booking.services import (
    approve_booking_review,
    book_appointment,
    cancel_appointment,
    check_in,
    complete_appointment,
    decline_booking_review,
    move_appointment,
)
from patients.messaging import channels, outbox, reminders
from patients.messaging import render as rendering
from patients.messaging.tasks import dispatch_due_messages, send_message, send_messages
from patients.models import Appointment, OutboxMessage, TreatmentCourse
from patients.records.services.intake import renew_intake
from patients.tests.booking_fixtures import MSK, WEDNESDAY, Clinic, at, ready
from patients.tests.factories import make_patient
from procedures.models import CareInstruction

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
State = OutboxMessage.State
UTC = dt.UTC


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow, unless a test travels."""


@pytest.fixture(autouse=True)
def _email_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The outbox's mechanics on its e-mail rows; the SMS rows are test_sms.py's."""
    every = channels.channels_for
    monkeypatch.setattr(
        channels,
        "channels_for",
        lambda patient, kind: [c for c in every(patient, kind) if c == OutboxMessage.Channel.EMAIL],
    )


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


def rows(**filters: Any) -> dict[str, OutboxMessage]:
    return {m.kind: m for m in OutboxMessage.objects.filter(**filters).order_by("pk")}


def text(content: str | bytes) -> str:
    return content.decode() if isinstance(content, bytes) else content


def dispatch_at(moment: dt.datetime) -> int:
    """Run the dispatcher at `moment`, and its after-commit enqueueing (sent inline here)."""
    with (
        time_machine.travel(moment, tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        return outbox.dispatch_due_messages()


# --- what is scheduled with the event ----------------------------------------------------------


def test_booking_writes_confirmation_reminder_and_aftercare_in_its_transaction(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    scheduled = rows(appointment=appointment)
    assert set(scheduled) == {Kind.BOOKING_CONFIRMATION, Kind.APPOINTMENT_REMINDER, Kind.AFTERCARE}
    assert scheduled[Kind.BOOKING_CONFIRMATION].due_at == dt.datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
    # 24 real hours before 10:00 on Wednesday; after-care Thursday 10:00 Moscow (07:00 UTC).
    assert scheduled[Kind.APPOINTMENT_REMINDER].due_at == dt.datetime(2026, 6, 2, 7, tzinfo=UTC)
    assert scheduled[Kind.AFTERCARE].due_at == dt.datetime(2026, 6, 4, 7, tzinfo=UTC)
    assert {m.state for m in scheduled.values()} == {State.PENDING}
    assert all(m.subject_version == 0 for m in scheduled.values())
    assert scheduled[Kind.APPOINTMENT_REMINDER].dedupe_key == (
        f"appointment_reminder:appointment:{appointment.pk}:v0"
    )
    assert len({m.message_id for m in scheduled.values()}) == 3
    assert all(m.message_id.startswith("<outbox-") for m in scheduled.values())


def test_a_booking_that_rolls_back_leaves_no_message(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")

    @transaction.atomic
    def book_then_fail() -> None:
        book(patient, clinic_setup, at(WEDNESDAY, 10))
        raise RuntimeError("the request failed after booking")

    with pytest.raises(RuntimeError):
        book_then_fail()
    assert not Appointment.objects.exists()
    assert not OutboxMessage.objects.exclude(kind=Kind.INTAKE_RENEWAL).exists()


def test_precare_notice_14_days_before_microdermabrasion_at_ten(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "resurfacing")
    appointment = book(patient, clinic_setup, at(dt.date(2026, 6, 24), 15), "microdermabrasion")
    precare = rows(appointment=appointment)[Kind.PRECARE_NOTICE]
    assert precare.due_at == at(dt.date(2026, 6, 10), 10)
    stop = CareInstruction.objects.get(procedure=appointment.procedure, offset_days=-14)
    # The catalogue's "stop retinoid and acid products" rides on the notice of its day.
    assert precare.context == {"window_days": 14, "instructions": [stop.pk]}


def test_the_same_message_cannot_be_written_twice(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    again = outbox.schedule_message(
        kind=Kind.APPOINTMENT_REMINDER,
        patient_id=appointment.patient_id,
        appointment=appointment,
        subject_version=0,
        due_at=appointment.start,
        dedupe_key=f"appointment_reminder:appointment:{appointment.pk}:v0",
    )
    assert again == rows(appointment=appointment)[Kind.APPOINTMENT_REMINDER]
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.create(
            kind=Kind.APPOINTMENT_REMINDER,
            patient_id=appointment.patient_id,
            due_at=appointment.start,
            dedupe_key=again.dedupe_key,
        )
    assert OutboxMessage.objects.filter(dedupe_key=again.dedupe_key).count() == 1


def test_moving_cancels_the_old_reminders_and_schedules_new_ones(
    clinic_setup: Clinic, patient: User, django_capture_on_commit_callbacks: Any
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    old = rows(appointment=appointment, subject_version=0)
    with django_capture_on_commit_callbacks(execute=True):
        move_appointment(appointment=appointment, start=at(WEDNESDAY, 14), by=patient)
    for kind in (Kind.APPOINTMENT_REMINDER, Kind.AFTERCARE):
        old[kind].refresh_from_db()
        assert old[kind].state == State.CANCELLED
    new = rows(appointment=appointment, subject_version=1)
    assert new[Kind.APPOINTMENT_REMINDER].due_at == at(WEDNESDAY - dt.timedelta(days=1), 14)
    assert new[Kind.APPOINTMENT_REMINDER].state == State.PENDING
    assert new[Kind.APPOINTMENT_MOVED].state == State.SENT
    (moved,) = mail.outbox
    assert moved.extra_headers["Message-ID"] == new[Kind.APPOINTMENT_MOVED].message_id
    assert "SEQUENCE:1" in text(moved.attachments[0][1])


def test_cancelling_cancels_pending_reminders_and_sends_the_cancellation(
    clinic_setup: Clinic, patient: User, django_capture_on_commit_callbacks: Any
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(appointment=appointment, by=patient)
    states = {kind: m.state for kind, m in rows(appointment=appointment).items()}
    assert states == {
        Kind.BOOKING_CONFIRMATION: State.PENDING,  # the test never ran its after-commit kick
        Kind.APPOINTMENT_REMINDER: State.CANCELLED,
        Kind.AFTERCARE: State.CANCELLED,
        Kind.APPOINTMENT_CANCELLED: State.SENT,
    }
    assert len(mail.outbox) == 1
    assert "METHOD:CANCEL" in text(mail.outbox[0].attachments[0][1])
    # Nothing about the cancelled appointment goes out later, the confirmation neither.
    assert dispatch_at(at(WEDNESDAY, 9)) == 1
    assert len(mail.outbox) == 1
    assert rows(appointment=appointment)[Kind.BOOKING_CONFIRMATION].state == State.CANCELLED


def test_review_decisions_are_sent_and_a_decline_cancels_the_reminders(
    clinic_setup: Clinic,
    patient: User,
    other_patient: User,
    practitioner: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ready(patient, "peel", pregnant="possibly")
    ready(other_patient, "peel", pregnant="possibly")
    declined = book(patient, clinic_setup, at(WEDNESDAY, 10))
    approved = book(other_patient, clinic_setup, at(WEDNESDAY, 12))
    assert declined.status == approved.status == Appointment.Status.PENDING_REVIEW
    with django_capture_on_commit_callbacks(execute=True):
        decline_booking_review(appointment=declined, by=practitioner, reason="Not now.")
        approve_booking_review(appointment=approved, by=practitioner)
    assert rows(appointment=declined)[Kind.APPOINTMENT_REMINDER].state == State.CANCELLED
    assert rows(appointment=approved)[Kind.APPOINTMENT_REMINDER].state == State.PENDING
    assert rows(appointment=declined)[Kind.REVIEW_DECISION].state == State.SENT
    assert rows(appointment=approved)[Kind.REVIEW_DECISION].state == State.SENT
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address[patient.email].attachments == []
    assert by_address[other_patient.email].attachments[0][0] == "appointment.ics"


# --- due times (pure) --------------------------------------------------------------------------

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # 24 real hours: across the spring change the wall clock says 09:00.
        (dt.datetime(2026, 3, 29, 10, tzinfo=BERLIN), dt.datetime(2026, 3, 28, 9, tzinfo=BERLIN)),
        # ...and across the autumn change 11:00.
        (
            dt.datetime(2026, 10, 25, 10, tzinfo=BERLIN),
            dt.datetime(2026, 10, 24, 11, tzinfo=BERLIN),
        ),
        (dt.datetime(2026, 6, 3, 10, tzinfo=MSK), dt.datetime(2026, 6, 2, 10, tzinfo=MSK)),
    ],
)
def test_reminder_is_24_real_hours_before(start: dt.datetime, due: dt.datetime) -> None:
    assert reminders.reminder_due(start, hours=24) == due
    assert start - reminders.reminder_due(start, hours=24) == dt.timedelta(hours=24)


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(dt.date(2026, 3, 28), 9), (dt.date(2026, 3, 29), 8), (dt.date(2026, 10, 25), 9)],
)
def test_wall_clock_ten_keeps_its_hour_across_dst(day: dt.date, utc_hour: int) -> None:
    due = reminders.at_wall_clock(day, zone=BERLIN)
    assert due.tzinfo == UTC
    assert (due.date(), due.hour) == (day, utc_hour)
    assert due.astimezone(BERLIN).hour == 10


@pytest.mark.parametrize(
    ("window", "has_notice"), [(None, False), (2, False), (6, False), (7, True), (14, True)]
)
def test_precare_notice_only_for_long_stop_windows(window: int | None, has_notice: bool) -> None:
    start = dt.datetime(2026, 6, 24, 15, tzinfo=MSK)
    due = reminders.precare_due(start, window_days=window, zone=MSK)
    assert (due is not None) == has_notice
    if due is not None:
        assert due == dt.datetime(2026, 6, 24 - window, 10, tzinfo=MSK)


def test_course_and_recall_due_times() -> None:
    last = dt.date(2026, 12, 1)
    assert reminders.window_open_due(last, interval_min_days=14, zone=MSK) == at(
        dt.date(2026, 12, 15), 10
    )
    assert reminders.window_closing_due(last, interval_max_days=21, notice_days=3, zone=MSK) == at(
        dt.date(2026, 12, 19), 10
    )
    assert reminders.overdue_due(last, interval_max_days=21, zone=MSK) == at(
        dt.date(2026, 12, 23), 10
    )
    assert reminders.recall_due(last, recall_after_days=182, zone=MSK) == at(
        dt.date(2027, 6, 1), 10
    )
    assert reminders.intake_renewal_due(dt.date(2027, 6, 1), notice_days=14, zone=MSK) == at(
        dt.date(2027, 5, 18), 10
    )


def test_a_reminder_due_across_a_dst_change_goes_out_at_the_right_instant(
    clinic_setup: Clinic, patient: User, settings: Any
) -> None:
    """Berlin, spring 2027: the clocks jump at 02:00 on Sunday 28 March, the appointment's day."""
    settings.CLINIC_TIME_ZONE = "Europe/Berlin"
    ready(patient, "peel")
    with time_machine.travel(dt.datetime(2027, 3, 20, 8, tzinfo=BERLIN), tick=False):
        appointment = book(patient, clinic_setup, dt.datetime(2027, 3, 28, 10, tzinfo=BERLIN))
    reminder = rows(appointment=appointment)[Kind.APPOINTMENT_REMINDER]
    # 24 real hours before 10:00 CEST (08:00 UTC) is 09:00 CET on Saturday, not 10:00.
    right = dt.datetime(2027, 3, 27, 9, tzinfo=BERLIN)
    assert reminder.due_at == right
    OutboxMessage.objects.exclude(pk=reminder.pk).update(state=State.CANCELLED)
    assert dispatch_at(right - dt.timedelta(seconds=1)) == 0
    assert dispatch_at(right) == 1
    reminder.refresh_from_db()
    assert reminder.state == State.SENT
    assert mail.outbox[0].extra_headers["Message-ID"] == reminder.message_id


# --- claiming and sending ----------------------------------------------------------------------


def make_due(clinic: Clinic, user: User, hour: int = 10) -> tuple[Appointment, OutboxMessage]:
    ready(user, "peel")
    appointment = book(user, clinic, at(WEDNESDAY, hour))
    OutboxMessage.objects.exclude(kind=Kind.APPOINTMENT_REMINDER).update(state=State.CANCELLED)
    return appointment, rows(appointment=appointment)[Kind.APPOINTMENT_REMINDER]


DUE = at(dt.date(2026, 6, 2), 10, 30)


def test_dispatcher_claims_only_due_rows_once(clinic_setup: Clinic, patient: User) -> None:
    _appointment, reminder = make_due(clinic_setup, patient)
    with time_machine.travel(at(dt.date(2026, 6, 2), 9, 59), tick=False):
        assert outbox.claim_due_messages()[1] == []
    with time_machine.travel(DUE, tick=False):
        lease, claimed = outbox.claim_due_messages()
        assert claimed == [reminder.pk]
        # A second dispatcher (another beat by mistake) finds nothing to claim.
        assert outbox.claim_due_messages()[1] == []
    reminder.refresh_from_db()
    assert (reminder.state, reminder.lease, reminder.claimed_at) == (State.SENDING, lease, DUE)


def test_a_row_left_sending_is_reclaimed_and_the_late_task_does_nothing(
    clinic_setup: Clinic, patient: User, settings: Any
) -> None:
    settings.OUTBOX_RECLAIM_MINUTES = 10
    _appointment, reminder = make_due(clinic_setup, patient)
    with time_machine.travel(DUE, tick=False):
        first_lease, _claimed = outbox.claim_due_messages()
    with time_machine.travel(DUE + dt.timedelta(minutes=9), tick=False):
        assert outbox.claim_due_messages()[1] == []
    with time_machine.travel(DUE + dt.timedelta(minutes=11), tick=False):
        second_lease, claimed = outbox.claim_due_messages()
        assert claimed == [reminder.pk]
        # The first worker's task, redelivered late, finds the row is no longer its own.
        assert outbox.deliver_message(message_id=reminder.pk, lease=first_lease) == "skipped"
        assert outbox.deliver_message(message_id=reminder.pk, lease=second_lease) == "sent"
        assert outbox.deliver_message(message_id=reminder.pk, lease=second_lease) == "skipped"
    assert len(mail.outbox) == 1


def test_sent_message_has_its_message_id_both_parts_and_the_patients_language(
    clinic_setup: Clinic, patient: User
) -> None:
    patient.preferred_language = "ru"
    patient.save()
    _appointment, reminder = make_due(clinic_setup, patient)
    assert dispatch_at(DUE) == 1
    reminder.refresh_from_db()
    assert (reminder.state, reminder.sent_at, reminder.attempts) == (State.SENT, DUE, 1)
    (message,) = mail.outbox
    assert message.extra_headers["Message-ID"] == reminder.message_id
    assert message.message()["Message-ID"] == reminder.message_id
    assert message.to == [patient.email]
    assert "Напоминание" in message.subject
    assert message.alternatives[0][1] == "text/html"
    assert "<html" in message.alternatives[0][0]


def test_cancel_after_the_claim_but_before_sending_sends_nothing(
    clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    appointment, reminder = make_due(clinic_setup, patient)
    with time_machine.travel(DUE, tick=False):
        lease, _claimed = outbox.claim_due_messages()
        cancel_appointment(appointment=appointment, by=receptionist)
        assert outbox.deliver_message(message_id=reminder.pk, lease=lease) == "skipped"
    reminder.refresh_from_db()
    assert reminder.state == State.CANCELLED
    assert mail.outbox == []


def test_a_moved_appointment_never_gets_the_old_reminder(
    clinic_setup: Clinic, patient: User
) -> None:
    appointment, reminder = make_due(clinic_setup, patient)
    with time_machine.travel(DUE, tick=False):
        lease, _claimed = outbox.claim_due_messages()
        # Moved by an update that bypassed the outbox: the version check still catches it.
        Appointment.objects.filter(pk=appointment.pk).update(version=5)
        assert outbox.deliver_message(message_id=reminder.pk, lease=lease) == "cancelled"
    assert mail.outbox == []


class BrokenSMTP(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise SMTPServerDisconnected("connection refused by the test")


class DroppingSMTP(BaseEmailBackend):
    """Counts the sessions opened; the server drops an idle session when told to."""

    opened = 0
    drop_next = False

    def open(self) -> bool:
        type(self).opened += 1
        return True

    def send_messages(self, email_messages: Any) -> int:
        if type(self).drop_next:
            type(self).drop_next = False
            raise SMTPServerDisconnected("idle session closed by the server")
        mail.outbox.extend(email_messages)
        return len(email_messages)


def test_one_smtp_session_serves_many_messages_and_a_dropped_one_is_reopened(
    clinic_setup: Clinic, patient: User, other_patient: User, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.DroppingSMTP"
    DroppingSMTP.opened = 0
    _first, one = make_due(clinic_setup, patient)
    _second, two = make_due(clinic_setup, other_patient, hour=9)
    with time_machine.travel(DUE, tick=False):
        lease, _claimed = outbox.claim_due_messages()
        assert outbox.deliver_message(message_id=one.pk, lease=lease) == "sent"
        DroppingSMTP.drop_next = True
        assert outbox.deliver_message(message_id=two.pk, lease=lease) == "sent"
    assert DroppingSMTP.opened == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([patient.email, other_patient.email])


def test_smtp_errors_are_retried_for_hours_further_apart_then_the_row_fails_for_staff(
    clinic_setup: Clinic, patient: User, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.BrokenSMTP"
    _appointment, reminder = make_due(clinic_setup, patient)
    reminder.send_by = None  # a message with no deadline: only the retry window ends it
    reminder.save()
    tries: list[dt.datetime] = []
    moment = DUE
    while reminder.state != State.FAILED:
        assert len(tries) < 50, "never gave up"
        dispatch_at(moment)
        tries.append(moment)
        reminder.refresh_from_db()
        assert reminder.last_error == "SMTPServerDisconnected: connection refused by the test"
        moment = reminder.due_at
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(tries)]
    # A minute, then twice as long each time, never more than an hour apart...
    assert gaps[:4] == [60, 120, 240, 480]
    assert max(gaps) == settings.OUTBOX_RETRY_MAX_SECONDS
    # ...for about six hours after the first failure, then `failed` for staff.
    assert dt.timedelta(hours=5) <= tries[-1] - tries[0] <= dt.timedelta(hours=6)
    assert reminder.first_failed_at == DUE
    assert reminder.attempts == len(tries)
    # Staff put it back; it goes out with the same Message-ID.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.retry_failed(ids=[reminder.pk]) == 1
    assert dispatch_at(tries[-1] + dt.timedelta(minutes=5)) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == reminder.message_id
    reminder.refresh_from_db()
    assert (reminder.state, reminder.first_failed_at) == (State.SENT, None)


def test_a_short_smtp_outage_loses_nothing(
    clinic_setup: Clinic, patient: User, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.BrokenSMTP"
    _appointment, reminder = make_due(clinic_setup, patient)
    dispatch_at(DUE)
    dispatch_at(DUE + dt.timedelta(minutes=1))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == (State.PENDING, 2)
    assert dispatch_at(reminder.due_at) == 1
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == (State.SENT, 3)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 60), (2, 120), (6, 1920), (7, 3600), (40, 3600)]
)
def test_the_retry_delay_doubles_up_to_the_setting(attempts: int, seconds: int) -> None:
    assert outbox.retry_delay(attempts) == dt.timedelta(seconds=seconds)


class RefusingOnceSMTP(BaseEmailBackend):
    """Refuses the first message to each address in `refuse`, then accepts."""

    refuse: set[str] = set()

    def send_messages(self, email_messages: Any) -> int:
        for message in email_messages:
            if message.to[0] in type(self).refuse:
                type(self).refuse.discard(message.to[0])
                raise SMTPDataError(451, b"try again later")
        mail.outbox.extend(email_messages)
        return len(email_messages)


def test_rows_go_out_in_batches_and_a_failed_try_does_not_hold_back_the_rest(
    clinic_setup: Clinic, patient: User, other_patient: User, settings: Any, monkeypatch: Any
) -> None:
    settings.OUTBOX_SEND_BATCH = 2
    settings.EMAIL_BACKEND = f"{__name__}.RefusingOnceSMTP"
    RefusingOnceSMTP.refuse = {patient.email}
    _first, one = make_due(clinic_setup, patient)
    _second, two = make_due(clinic_setup, other_patient, hour=9)
    batches: list[list[int]] = []
    apply = send_messages.apply

    def recording_apply(*args: Any, **kwargs: Any) -> Any:
        batches.append(list(kwargs["args"][0]))
        return apply(*args, **kwargs)

    monkeypatch.setattr(send_messages, "apply", recording_apply)
    assert dispatch_at(DUE) == 2
    assert batches == [[two.pk, one.pk]]  # one task, oldest due first (09:00, then 10:00)
    one.refresh_from_db()
    two.refresh_from_db()
    # The refused first row waits for its retry; the second went out all the same.
    assert (one.state, two.state) == (State.PENDING, State.SENT)
    assert one.due_at == DUE + dt.timedelta(seconds=settings.OUTBOX_RETRY_FIRST_SECONDS)
    assert one.last_error.startswith("SMTPDataError")
    assert dispatch_at(one.due_at) == 1
    one.refresh_from_db()
    assert (one.state, one.attempts, two.attempts) == (State.SENT, 2, 1)
    assert one.last_error == ""
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(
        [one.message_id, two.message_id]
    )


def test_a_row_that_breaks_in_a_batch_is_left_to_the_dispatcher_and_the_rest_go_out(
    clinic_setup: Clinic, patient: User, other_patient: User, settings: Any, monkeypatch: Any
) -> None:
    settings.OUTBOX_SEND_BATCH = 2
    _first, one = make_due(clinic_setup, patient)
    _second, two = make_due(clinic_setup, other_patient, hour=9)
    render = rendering.render

    def broken_for_one(message: OutboxMessage) -> Any:
        if message.pk == one.pk:
            raise RuntimeError("a bug in one template")
        return render(message)

    monkeypatch.setattr(rendering, "render", broken_for_one)
    assert dispatch_at(DUE) == 2
    one.refresh_from_db()
    two.refresh_from_db()
    # Still `sending`: the dispatcher reclaims it after OUTBOX_RECLAIM_MINUTES.
    assert (one.state, two.state) == (State.SENDING, State.SENT)
    assert [m.to for m in mail.outbox] == [[other_patient.email]]


def test_the_send_task_leaves_retrying_to_the_outbox(
    clinic_setup: Clinic, patient: User, settings: Any
) -> None:
    """No Celery countdown (Redis redelivers long ones): the row waits as `pending`."""
    settings.EMAIL_BACKEND = f"{__name__}.BrokenSMTP"
    _appointment, reminder = make_due(clinic_setup, patient)
    assert not getattr(send_message, "autoretry_for", ())
    with time_machine.travel(DUE, tick=False):
        lease, _claimed = outbox.claim_due_messages()
        assert send_message.apply(args=(reminder.pk,), kwargs={"lease": lease}).get() == "retrying"
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts, reminder.lease) == (State.PENDING, 1, "")
    assert reminder.due_at == DUE + dt.timedelta(minutes=1)


def test_dispatch_task_runs_the_dispatcher(clinic_setup: Clinic, patient: User) -> None:
    _appointment, reminder = make_due(clinic_setup, patient)
    with (
        time_machine.travel(DUE, tick=False),
        TestCase.captureOnCommitCallbacks(execute=True) as callbacks,
    ):
        assert dispatch_due_messages.apply().get() == 1
    assert len(callbacks) == 1
    reminder.refresh_from_db()
    assert reminder.state == State.SENT


def test_the_dispatcher_is_a_periodic_task_staff_can_edit() -> None:
    task = PeriodicTask.objects.get(task="patients.tasks.dispatch_due_messages")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")


def test_dispatcher_scan_uses_the_index(patient: User) -> None:
    """The claim's own query, on a table of mostly sent rows (as a clinic's soon is)."""
    now = at(WEDNESDAY, 10)
    profile = patient.patient_profile

    def row(key: str, state: str, due_at: dt.datetime, **extra: Any) -> OutboxMessage:
        return OutboxMessage(
            kind=Kind.APPOINTMENT_REMINDER,
            patient=profile,
            dedupe_key=key,
            state=state,
            due_at=due_at,
            **extra,
        )

    past = now - dt.timedelta(days=30)
    OutboxMessage.objects.bulk_create(
        row(f"sent:{i}", State.SENT, past, sent_at=past) for i in range(3000)
    )
    due = OutboxMessage.objects.bulk_create(
        [
            row("due", State.PENDING, now - dt.timedelta(minutes=1)),
            row("stuck", State.SENDING, past, claimed_at=now - dt.timedelta(hours=1)),
        ]
    )
    OutboxMessage.objects.bulk_create(
        [
            row("later", State.PENDING, now + dt.timedelta(hours=1)),
            row("being-sent", State.SENDING, past, claimed_at=now),
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with transaction.atomic():
        scan = outbox.due_scan(now=now, limit=2000)
        assert list(scan) == [due[1].pk, due[0].pk]  # oldest due first
        if connection.vendor == "postgresql":
            plan = scan.explain()
            assert "outbox_state_due_idx" in plan, plan
            assert "Seq Scan on patients_outboxmessage" not in plan, plan
        else:
            sql, params = scan.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "INDEX outbox_state_due_idx" in plan, plan
            assert "SCAN patients_outboxmessage" not in plan, plan


# --- courses, recalls, intake ------------------------------------------------------------------


def complete(appointment: Appointment, receptionist: User) -> TreatmentCourse:
    with time_machine.travel(appointment.start + dt.timedelta(minutes=50), tick=False):
        check_in(appointment=appointment, by=receptionist, nothing_changed=True)
        complete_appointment(appointment=appointment, by=receptionist)
    appointment.refresh_from_db()
    assert appointment.course is not None
    return appointment.course


def test_completing_a_peel_schedules_window_open_closing_and_overdue(
    clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    course = complete(appointment, receptionist)
    scheduled = rows(course=course)
    # Glycolic peel: every 14 to 21 days.
    assert scheduled[Kind.COURSE_WINDOW_OPEN].due_at == at(dt.date(2026, 6, 17), 10)
    assert scheduled[Kind.COURSE_WINDOW_CLOSING].due_at == at(dt.date(2026, 6, 21), 10)
    assert scheduled[Kind.COURSE_OVERDUE].due_at == at(dt.date(2026, 6, 25), 10)
    assert Kind.RECALL not in scheduled
    OutboxMessage.objects.exclude(course=course).update(state=State.CANCELLED)

    assert dispatch_at(at(dt.date(2026, 6, 17), 10)) == 1
    (opened,) = mail.outbox
    assert "between June 17, 2026 and June 24, 2026" in opened.body
    assert "/book/glycolic-peel/?date=2026-06-17" in opened.body
    # The patient books the next session: no "closing" nor "overdue" note then.
    with time_machine.travel(at(dt.date(2026, 6, 17), 11), tick=False):
        book(patient, clinic_setup, at(dt.date(2026, 6, 23), 10))
    OutboxMessage.objects.exclude(course=course).update(state=State.CANCELLED)
    assert dispatch_at(at(dt.date(2026, 6, 21), 10)) == 1
    assert dispatch_at(at(dt.date(2026, 6, 25), 10)) == 1
    assert len(mail.outbox) == 1
    assert {m.state for m in rows(course=course).values()} == {State.SENT, State.CANCELLED}


def test_window_closing_goes_out_when_nothing_is_booked(
    clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    ready(patient, "peel")
    course = complete(book(patient, clinic_setup, at(WEDNESDAY, 10)), receptionist)
    OutboxMessage.objects.exclude(course=course).update(state=State.CANCELLED)
    assert dispatch_at(at(dt.date(2026, 6, 21), 10)) == 2  # the opening (late) and the closing
    assert any("by June 24, 2026" in m.subject for m in mail.outbox)


@pytest.mark.parametrize(("opt_out", "sent"), [(False, 1), (True, 0)])
def test_filler_recall_after_182_days_unless_the_patient_turned_recalls_off(
    clinic_setup: Clinic, patient: User, receptionist: User, opt_out: bool, sent: int
) -> None:
    ready(patient, "filler", consulted=True)
    course = complete(
        book(patient, clinic_setup, at(WEDNESDAY, 10), "hyaluronic-filler"), receptionist
    )
    recall = rows(course=course)[Kind.RECALL]
    assert recall.due_at == at(WEDNESDAY + dt.timedelta(days=182), 10)
    assert set(rows(course=course)) == {Kind.RECALL}
    profile = patient.patient_profile
    profile.recalls_opt_out = opt_out
    profile.save()
    OutboxMessage.objects.exclude(course=course).update(state=State.CANCELLED)
    dispatch_at(recall.due_at)
    assert len(mail.outbox) == sent
    recall.refresh_from_db()
    assert recall.state == (State.CANCELLED if opt_out else State.SENT)


def test_fat_transfer_recall_after_547_days() -> None:
    from procedures.models import Procedure

    assert Procedure.objects.get(slug="fat-transfer").recall_after_days == 547
    assert Procedure.objects.get(slug="hyaluronic-filler").recall_after_days == 182


def test_intake_renewal_before_expiry_and_a_newer_version_replaces_it(patient: User) -> None:
    ready(patient, "peel")
    first = OutboxMessage.objects.get(kind=Kind.INTAKE_RENEWAL)
    # Reviewed on 1 June 2026: valid for 12 months, the notice 14 days before.
    assert first.due_at == at(dt.date(2027, 5, 18), 10)
    with time_machine.travel(at(dt.date(2026, 9, 1), 12), tick=False):
        renew_intake(patient=patient.patient_profile, submitted_by=patient)
    first.refresh_from_db()
    assert first.state == State.CANCELLED
    second = OutboxMessage.objects.get(kind=Kind.INTAKE_RENEWAL, state=State.PENDING)
    assert second.due_at == at(dt.date(2027, 8, 18), 10)
    assert dispatch_at(second.due_at) == 1
    assert "valid until" in mail.outbox[0].body


# --- staff and the patient ---------------------------------------------------------------------


def test_staff_see_every_patients_messages_and_retry_failed_ones(
    client: Client, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    _appointment, reminder = make_due(clinic_setup, patient)
    OutboxMessage.objects.filter(pk=reminder.pk).update(
        state=State.FAILED, attempts=5, last_error="SMTPServerDisconnected: gone"
    )
    client.force_login(receptionist)
    page = client.get("/admin/patients/outboxmessage/?state__exact=failed")
    assert page.status_code == 200
    assert "SMTPServerDisconnected: gone" in page.content.decode()
    response = client.post(
        "/admin/patients/outboxmessage/",
        {"action": "retry_selected", "_selected_action": [reminder.pk]},
    )
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == (State.PENDING, 0)


def test_patients_cannot_open_the_outbox(client: Client, patient: User) -> None:
    client.force_login(patient)
    response = client.get("/admin/patients/outboxmessage/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_patient_turns_recalls_off_on_the_profile_page(client: Client, patient: User) -> None:
    client.force_login(patient)
    page = client.get("/me/profile/")
    assert 'name="recalls_opt_out"' in page.content.decode()
    data = {
        "first_name": "Vera",
        "last_name": "Patient",
        "phone": "+7 900 000-00-00",
        "preferred_language": "en",
        "recalls_opt_out": "on",
    }
    assert client.post("/me/profile/", data).status_code == 302
    patient.patient_profile.refresh_from_db()
    assert patient.patient_profile.recalls_opt_out is True
    del data["recalls_opt_out"]
    client.post("/me/profile/", data)
    patient.patient_profile.refresh_from_db()
    assert patient.patient_profile.recalls_opt_out is False


def test_notifications_module_keeps_its_public_names() -> None:
    for name in (
        "appointment_booked",
        "appointment_moved",
        "appointment_cancelled",
        "review_decided",
        "waitlist_offer_made",
    ):
        assert callable(getattr(notifications, name))


def test_a_batch_reads_its_rows_and_subjects_together(clinic_setup: Clinic) -> None:
    """A batch costs one update and three reads in all, then two statements a row: the
    last look that the row is still ours, and marking it sent."""
    users = [make_patient(email=f"batch{number}@example.test") for number in range(6)]
    due = [make_due(clinic_setup, user, hour=9 + n)[1] for n, user in enumerate(users)]
    with time_machine.travel(at(dt.date(2026, 6, 2), 18), tick=False):
        lease, claimed = outbox.claim_due_messages()
        assert sorted(claimed) == sorted(message.pk for message in due)
        with CaptureQueriesContext(connection) as two_rows:
            outbox.deliver_batch(message_ids=claimed[:2], lease=lease)
        with CaptureQueriesContext(connection) as four_rows:
            outbox.deliver_batch(message_ids=claimed[2:], lease=lease)

    assert OutboxMessage.objects.filter(pk__in=claimed, state=State.SENT).count() == 6
    assert len(mail.outbox) == 6
    assert len(four_rows) - len(two_rows) == 2 * 2
