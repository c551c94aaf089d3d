"""The outbox against real processes: a worker killed mid-batch, Redis down, two beats.

Each test starts a real SMTP server (`smtp_sink`, aiosmtpd) that counts what it
accepts by Message-ID, and real Celery processes sharing the run's broker and
database (`conftest.start_celery`). They pass on the filesystem broker locally
and on Redis in CI; the Redis outage test starts a private redis-server on a
free port, so the machine's own stays up.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from kombu import pools

from clinic.celery import app
from clinic.models import User
from conftest import start_celery, stop_process
from patients.booking.services import book_appointment
from patients.messaging import outbox
from patients.models import Appointment, OutboxMessage
from patients.tests.booking_fixtures import MSK, Clinic, ready
from patients.tests.smtp_sink import SmtpSink, free_port
from procedures.screening import Outcome

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

State = OutboxMessage.State
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server on a free port, counting accepted messages by Message-ID."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def worker_env(sink: SmtpSink, **extra: str) -> dict[str, str]:
    return {
        "EMAIL_URL": sink.url,
        "TEST_USE_EMAIL_URL": "1",
        "OUTBOX_RECLAIM_MINUTES": "0.75",
        # The filesystem broker (local runs) hands a worker one message per poll.
        "CELERY_POLLING_INTERVAL": "0.005",
        **extra,
    }


def start_worker(env: dict[str, str], *, concurrency: int = 1, name: str = "worker") -> Any:
    return start_celery(
        "worker",
        "--loglevel=INFO",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-Q",
        django_settings.CELERY_TASK_DEFAULT_QUEUE,
        log_name=name,
        extra_env=env,
        new_session=True,
    )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and its pool at once: nothing gets to clean up."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def wait_for(
    condition: Callable[[], bool],
    *,
    timeout: float,
    every: float = 0.5,
    tick: Callable[[], object] | None = None,
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tick is not None:
            tick()
        if condition():
            return True
        time.sleep(every)
    return condition()


def due_reminders(clinic: Clinic, user: User, count: int) -> list[str]:
    """`count` confirmed appointments with a reminder due now; their Message-IDs."""
    procedure = clinic.procedure("glycolic-peel")
    first = (timezone.now() + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    appointments = Appointment.objects.bulk_create(
        Appointment(
            patient=user.patient_profile,
            procedure=procedure,
            practitioner=clinic.cosm,
            room=clinic.rooms["treatment"],
            # An hour apart: no overlap even under PostgreSQL's exclusion constraints.
            start=first + dt.timedelta(hours=i),
            end=first + dt.timedelta(hours=i, minutes=45),
            room_free_at=first + dt.timedelta(hours=i, minutes=55),
            status=Appointment.Status.CONFIRMED,
            procedure_name_en=procedure.name_en,
            price=Decimal("4500"),
            booked_minutes=45,
            buffer_minutes=10,
            screening_outcome=Outcome.OK,
            channel=Appointment.Channel.DESK,
            created_by=user,
        )
        for i in range(count)
    )
    due = timezone.now() - dt.timedelta(minutes=1)
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind=OutboxMessage.Kind.APPOINTMENT_REMINDER,
            patient=user.patient_profile,
            appointment=appointment,
            subject_version=0,
            due_at=due,
            dedupe_key=f"appointment_reminder:appointment:{appointment.pk}:v0",
        )
        for appointment in appointments
    )
    return [row.message_id for row in rows]


def unsent() -> list[dict[str, Any]]:
    rows = OutboxMessage.objects.exclude(state=State.SENT)
    return list(rows.values("state", "attempts", "claimed_at", "last_error"))


def sent_count() -> int:
    return OutboxMessage.objects.filter(state=State.SENT).count()


@pytest.fixture
def celery_delivery(settings: Any) -> None:
    """This process's dispatcher enqueues send tasks for the worker instead of sending inline."""
    settings.OUTBOX_DELIVERY = "celery"


def test_worker_killed_mid_batch_loses_nothing(
    clinic_setup: Clinic, patient: User, smtp_sink: SmtpSink, celery_delivery: None, settings: Any
) -> None:
    # This process dispatches: it reclaims what the killed worker held after 20 seconds
    # (longer than a batch waits in the queue, 20 tasks of 50 rows: queued rows reclaimed
    # again and again would be skipped, harmless, but slow).
    settings.OUTBOX_RECLAIM_MINUTES = 1 / 3
    expected = set(due_reminders(clinic_setup, patient, 1000))
    env = worker_env(smtp_sink)
    worker = start_worker(env)
    kills = 0
    try:
        # The dispatcher runs here (as beat would run it every minute), a few times a second.
        assert wait_for(
            lambda: smtp_sink.unique >= 250, timeout=90, tick=outbox.dispatch_due_messages
        ), f"only {smtp_sink.unique} messages arrived before the kill"
        kill_group(worker)
        kills += 1
        at_kill = smtp_sink.unique
        assert at_kill < 1000, "the batch finished before the kill"
        worker = start_worker(env, name="worker-restarted")
        assert wait_for(
            lambda: sent_count() == 1000 and smtp_sink.unique >= 1000,
            timeout=150,
            every=1,
            tick=outbox.dispatch_due_messages,
        ), f"{sent_count()} rows sent, {smtp_sink.unique} Message-IDs arrived; not sent: {unsent()}"
    finally:
        stop_process(worker)
    counts = smtp_sink.counts
    assert set(counts) == expected, "a message was lost or an unknown one arrived"
    duplicates = {message_id: n for message_id, n in counts.items() if n > 1}
    retried = OutboxMessage.objects.filter(attempts__gt=1).count()
    print(
        f"\n1000 reminders, {kills} kill after {at_kill} arrived: {retried} row(s) tried again, "
        f"{len(duplicates)} duplicate(s), each with its one Message-ID: {duplicates}"
    )
    assert sum(n - 1 for n in duplicates.values()) <= kills


def test_two_beats_by_mistake_send_nothing_twice(
    clinic_setup: Clinic, patient: User, smtp_sink: SmtpSink
) -> None:
    expected = set(due_reminders(clinic_setup, patient, 200))
    every_second, _created = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.filter(task="patients.tasks.dispatch_due_messages").update(
        interval=every_second, expire_seconds=5
    )
    env = worker_env(smtp_sink, OUTBOX_RECLAIM_MINUTES="10")
    worker = start_worker(env, concurrency=4)
    beats = [
        start_celery("beat", "--loglevel=INFO", log_name=f"beat-{n}", extra_env=env) for n in (1, 2)
    ]
    try:
        assert wait_for(lambda: sent_count() == 200, timeout=90, every=1), f"{sent_count()} sent"
        time.sleep(3)  # both beats keep dispatching: nothing more may arrive
    finally:
        for process in (*beats, worker):
            stop_process(process)
    for n in (1, 2):
        log = (Path(django_settings.TEST_RUN_DIR) / f"beat-{n}.log").read_text()
        assert "patients.tasks.dispatch_due_messages" in log, f"beat {n} never dispatched"
    assert set(smtp_sink.counts) == expected
    assert smtp_sink.total == 200, "a message was sent twice"


@pytest.fixture
def private_redis() -> Iterator[Callable[[str], int]]:
    """A redis-server of this test on a free port; call it with "stop" or "start"."""
    port = free_port()
    process: list[subprocess.Popen[bytes]] = []

    def control(action: str) -> int:
        if action == "start":
            process.append(
                subprocess.Popen(
                    [REDIS_SERVER, "--port", str(port), "--save", "", "--appendonly", "no"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            wait_for(lambda: _redis_answers(port), timeout=10, every=0.1)
        else:
            stop_process(process.pop())
        return port

    yield control
    for running in process:
        stop_process(running)


def _redis_answers(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(port=port, socket_connect_timeout=0.2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def broker_at() -> Iterator[Callable[[str], None]]:
    """Point this process's Celery producer at another broker (restored after the test)."""
    keys = ("broker_url", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}

    def forget_connections() -> None:
        # Celery's pools live in kombu's process-wide registries (keyed by broker URL):
        # close and clear them all, or a later test (the /health/ ping) sends through a
        # pool closed here.
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None
        vars(app.control.mailbox).pop("producer_pool", None)

    def point(url: str) -> None:
        app.conf.update(broker_url=url, broker_transport_options={})
        forget_connections()

    yield point
    app.conf.update(saved)
    forget_connections()


def test_bookings_succeed_while_redis_is_down_and_every_message_goes_out_after(
    clinic_setup: Clinic,
    patient: User,
    smtp_sink: SmtpSink,
    celery_delivery: None,
    private_redis: Callable[[str], int],
    broker_at: Callable[[str], None],
) -> None:
    port = private_redis("start")
    url = f"redis://127.0.0.1:{port}/0"
    broker_at(url)
    worker = start_worker(worker_env(smtp_sink, REDIS_URL=url))
    try:
        ready(patient, "consultation")
        private_redis("stop")
        consultation = clinic_setup.procedure("consultation")
        today = timezone.localdate()
        booked = [
            book_appointment(
                patient=patient.patient_profile,
                procedure=consultation,
                start=dt.datetime.combine(today + dt.timedelta(days=day), dt.time(12), tzinfo=MSK),
                practitioner=None,
                booked_by=patient,
                channel=Appointment.Channel.WEB,
            )
            for day in (2, 3, 4)
        ]
        assert all(a.status == Appointment.Status.CONFIRMED for a in booked)
        rows = OutboxMessage.objects.filter(
            appointment__in=booked,
            channel=OutboxMessage.Channel.EMAIL,
            kind__in=[
                OutboxMessage.Kind.BOOKING_CONFIRMATION,
                OutboxMessage.Kind.APPOINTMENT_REMINDER,
            ],
        )
        assert rows.count() == 6
        # The broker refused the confirmations: they wait in the outbox, nothing is lost.
        assert set(rows.values_list("state", flat=True)) == {State.PENDING}
        assert smtp_sink.total == 0

        private_redis("start")
        # A day later, say: the reminders are due too.
        rows.filter(kind=OutboxMessage.Kind.APPOINTMENT_REMINDER).update(due_at=timezone.now())
        assert wait_for(
            lambda: rows.filter(state=State.SENT).count() == 6,
            timeout=60,
            every=1,
            tick=outbox.dispatch_due_messages,
        ), list(rows.values_list("kind", "state", "last_error"))
    finally:
        stop_process(worker)
    assert set(smtp_sink.counts) == set(rows.values_list("message_id", flat=True))
    assert smtp_sink.total == 6
