"""Reminder throughput per channel: 10,000 due reminders scanned, sent and marked, by e-mail
and by SMS (a local server speaking SMS.ru's HTTP API).

A real worker process (prefork, the CPU count) consumes the run's queue; the
dispatcher runs here, claims the 10,000 due rows and enqueues one send task per
`OUTBOX_SEND_BATCH` rows; the figure is rows per second from the dispatcher's start
until every row is `sent` in the database (the mail server or the gateway accepted
each). E-mail goes first to a lean SMTP server (`bench.smtp_responder`), so that the
figure is the portal's, then the same e-mails to aiosmtpd, the tests' sink, whose own
CPU (0.7 ms a message) shares the two cores with the worker: a figure for reference.
Beside them: a plain no-op Celery task's rate on the same broker and worker
(`clinic.noop`, no result stored; the last one followed by a `clinic.ping` whose
answer says all were taken), measured before, between and after the channels, and
each channel's ratio to the mean of the two no-op runs around it (issue #19 aims for
at least one half). The CPU each process spent per row is in the notes.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from clinic.celery import app
from clinic.models import Practitioner, Room, User
from clinic.tasks import noop, ping
from clinic.tests.sms_fakes import FakeSmsRu, serving, smsru_url
from patients.messaging import outbox
from patients.models import Appointment, OutboxMessage, PatientProfile
from patients.tests.smtp_sink import SmtpSink, free_port
from procedures.models import Procedure
from procedures.screening import Outcome

from .core import Row, benchmark
from .server import children_cpu_seconds, process_cpu
from .smtp_responder import LeanSmtpResponder

REMINDERS = 10_000
NOOPS = 2_000


def _rows() -> list[Appointment]:
    user = User.objects.create_user(
        email="bench-reminders@example.test", password=None, phone="+79000000000"
    )
    profile = PatientProfile.objects.create(user=user)
    procedure = Procedure.objects.get(slug="glycolic-peel")
    practitioner = Practitioner.objects.create(
        user=User.objects.create_user(email="bench-cosm@example.test", password=None),
        roles=["cosm"],
    )
    room = Room.objects.create(name="bench room", kind="treatment")
    first = timezone.now() + dt.timedelta(days=2)
    appointments = Appointment.objects.bulk_create(
        Appointment(
            patient=profile,
            procedure=procedure,
            practitioner=practitioner,
            room=room,
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
        for i in range(REMINDERS)
    )
    return appointments


def _reminders(appointments: list[Appointment], channel: str) -> None:
    """One due reminder per appointment on `channel` (each channel measured on its own)."""
    due = timezone.now() - dt.timedelta(minutes=1)
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind=OutboxMessage.Kind.APPOINTMENT_REMINDER,
            channel=channel,
            patient_id=a.patient_id,
            appointment=a,
            subject_version=0,
            due_at=due,
            dedupe_key=f"bench:appointment_reminder:{a.pk}",
        )
        for a in appointments
    )


def _worker_env(broker: str, email_url: str, sms_url: str) -> dict[str, str]:
    env = dict(os.environ)
    db = settings.DATABASES["default"]
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "clinic.settings.test",
            "TEST_RUN_ID": settings.TEST_RUN_ID,
            "OUTBOX_DELIVERY": "celery",
            "REDIS_URL": broker,
            "EMAIL_URL": email_url,
            "TEST_USE_EMAIL_URL": "1",
            "TEST_SMS_URL": sms_url,
            # The bench runs at any hour: no SMS waits for the morning here.
            "SMS_QUIET_HOURS": "00:00,00:00",
            "LOG_LEVEL": "WARNING",
        }
    )
    if db["ENGINE"] == "django.db.backends.sqlite3":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env


def _wait(condition: Callable[[], object], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        # Seldom: this process also runs the SMTP sink, and shares the CPUs with the worker.
        time.sleep(0.5)
    return False


def _worker_cpu_ms(worker: int) -> float:
    """CPU milliseconds the worker's pool processes have used so far (0 off Linux)."""
    return 1000 * (children_cpu_seconds(worker) or 0)


def _servers_cpu_ms() -> dict[str, float]:
    """CPU milliseconds used so far by this process (the dispatcher, the SMTP sink and the
    fake gateway run here) and by the PostgreSQL and Redis servers' processes (0 off Linux)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    used = {"bench": 1000 * (own.ru_utime + own.ru_stime), "postgres": 0.0, "redis": 0.0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, seconds = process_cpu(stat)
        except (OSError, IndexError, ValueError):
            continue  # ended meanwhile
        for server in ("postgres", "redis"):
            if name.startswith(server):
                used[server] += 1000 * seconds
    return used


@dataclass(frozen=True)
class Sent:
    """One channel's run: rows per second, whether all arrived, CPU ms per row by process."""

    rate: float
    done: bool
    cpu_per_row: dict[str, float]

    @property
    def cpu_note(self) -> str:
        cpu = self.cpu_per_row
        return (
            f"CPU ms a row: worker {cpu['worker']:.2f}, bench process (dispatcher, mail "
            f"server, fake gateway) {cpu['bench']:.2f}, PostgreSQL {cpu['postgres']:.2f}, "
            f"Redis {cpu['redis']:.2f}"
        )


def _send_rate(
    channel: str, appointments: list[Appointment], arrived: Callable[[], int], worker: int
) -> Sent:
    """Rows of `channel` per second from the dispatcher's start until every one is `sent`."""
    _reminders(appointments, channel)
    cpu = _worker_cpu_ms(worker)
    others = _servers_cpu_ms()
    started = time.perf_counter()
    outbox.dispatch_due_messages()
    # Only this benchmark's rows: other benchmarks of the run leave messages of their own.
    sent = OutboxMessage.objects.filter(
        state=OutboxMessage.State.SENT, channel=channel, dedupe_key__startswith="bench:"
    )
    finished = _wait(lambda: sent.count() == REMINDERS, timeout=600)
    elapsed = time.perf_counter() - started
    cpu_per_row = (_worker_cpu_ms(worker) - cpu) / REMINDERS
    others_per_row = {
        name: (used - others[name]) / REMINDERS for name, used in _servers_cpu_ms().items()
    }
    done = finished and arrived() == REMINDERS
    return Sent(sent.count() / elapsed, done, {"worker": cpu_per_row, **others_per_row})


def _noop_rate(worker: int) -> tuple[float, float]:
    """Plain no-op tasks per second (no result stored), a final ping saying all were taken;
    the worker's CPU milliseconds per task."""
    cpu = _worker_cpu_ms(worker)
    started = time.perf_counter()
    for _ in range(NOOPS):
        noop.apply_async(expires=300)
    ping.apply_async(expires=300).get(timeout=120)
    rate = NOOPS / (time.perf_counter() - started)
    return rate, (_worker_cpu_ms(worker) - cpu) / NOOPS


@benchmark
def reminder_throughput() -> Iterable[Row]:
    load_before = os.getloadavg()[0]
    redis_server = None
    broker = settings.REDIS_URL
    if not broker:
        port = free_port()
        redis_server = subprocess.Popen(
            [
                *(shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port)),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
        )
        broker = f"redis://127.0.0.1:{port}/0"
        time.sleep(0.5)
    app.conf.broker_url = broker
    app.conf.result_backend = broker
    app.conf.broker_transport_options = {}
    settings.OUTBOX_DELIVERY = "celery"
    settings.OUTBOX_DISPATCH_BATCH = REMINDERS
    # An empty queue: other benchmarks of the run (the booking server) leave send tasks there.
    app.control.purge()
    # E-mail goes first to a lean SMTP server (bench.smtp_responder: the portal's own rate),
    # then, on the same port, to aiosmtpd (the tests' sink), whose own CPU is in its figure.
    responder = LeanSmtpResponder().start()
    gateway = FakeSmsRu()
    appointments = _rows()
    concurrency = os.cpu_count() or 4
    celery = str(Path(sys.executable).with_name("celery"))
    sink = None
    with serving(gateway):
        worker = subprocess.Popen(
            [
                *(celery, "-A", "clinic", "worker", f"--concurrency={concurrency}"),
                *("--pool=prefork", "--without-gossip", "--without-mingle"),
                *("--without-heartbeat", "--loglevel=WARNING"),
                *("-Q", settings.CELERY_TASK_DEFAULT_QUEUE),
            ],
            env=_worker_env(broker, responder.url, smsru_url(gateway)),
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            ping.apply_async(expires=300).get(timeout=60)  # the worker is up
            # The no-op before and after each channel, each channel set beside the mean of
            # the two around it: on a shared machine the load moves within minutes.
            noop_runs = [_noop_rate(worker.pid)]
            email = _send_rate("email", appointments, lambda: responder.unique, worker.pid)
            noop_runs.append(_noop_rate(worker.pid))
            OutboxMessage.objects.filter(dedupe_key__startswith="bench:").delete()
            sms = _send_rate("sms", appointments, lambda: len(gateway.sent), worker.pid)
            noop_runs.append(_noop_rate(worker.pid))
            OutboxMessage.objects.filter(dedupe_key__startswith="bench:").delete()
            # The worker's kept SMTP connection closes with the responder; it opens a new one.
            responder.stop()
            sink = SmtpSink(port=responder.port).start()
            unique = sink.unique
            aiosmtpd = _send_rate("email", appointments, lambda: sink.unique - unique, worker.pid)
            noop_runs.append(_noop_rate(worker.pid))
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            responder.stop()
            if sink is not None:
                sink.stop()
            if redis_server is not None:
                redis_server.terminate()
                redis_server.wait()
    where = "Redis" if settings.REDIS_URL else "private redis-server"
    database = "SQLite" if "sqlite" in settings.DATABASES["default"]["ENGINE"] else "PostgreSQL"
    note = (
        f"{concurrency} worker processes, {where}, {database}, "
        f"{settings.OUTBOX_SEND_BATCH} rows per send task, load average {load_before:.1f} before"
    )
    yield (
        "10,000 due reminders by e-mail: scanned, sent to a lean SMTP server, marked",
        f"{email.rate:.0f}",
        "per second",
        note + f"; {email.cpu_note}" + ("" if email.done else "; INCOMPLETE"),
    )
    yield (
        "10,000 due reminders by SMS: scanned, sent to a local SMS.ru-speaking server, marked",
        f"{sms.rate:.0f}",
        "per second",
        f"one HTTP request per text; {sms.cpu_note}" + ("" if sms.done else "; INCOMPLETE"),
    )
    yield (
        "the same e-mails to aiosmtpd (the tests' SMTP sink) instead",
        f"{aiosmtpd.rate:.0f}",
        "per second",
        aiosmtpd.cpu_note + ("" if aiosmtpd.done else "; INCOMPLETE"),
    )
    yield (
        "plain no-op Celery task, before e-mail / between / after SMS / after aiosmtpd",
        " / ".join(f"{rate:.0f}" for rate, _cpu in noop_runs),
        "per second",
        f"{NOOPS} tasks each time, no result stored; worker CPU "
        + " / ".join(f"{cpu:.2f}" for _rate, cpu in noop_runs)
        + " ms a task",
    )
    noops = [rate for rate, _cpu in noop_runs]
    for what, channel, before in (
        ("e-mail reminders / no-op", email, 0),
        ("SMS reminders / no-op", sms, 1),
        ("e-mail reminders to aiosmtpd / no-op", aiosmtpd, 2),
    ):
        yield (
            what,
            f"{channel.rate / ((noops[before] + noops[before + 1]) / 2):.2f}",
            "ratio",
            "against the mean of the no-op runs around it; aim: at least 0.5"
            if channel is not aiosmtpd
            else "for reference: the sink's own CPU shares the cores with the worker",
        )
