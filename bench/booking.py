"""Booking benchmarks: free slots through the real selector, and 50 concurrent bookings.

- `free_slots_for` (patients.booking.selectors) for one procedure over 30 days, with the
  1,000 appointments of `bench.slots` stored as real rows, so the figure includes the one
  query for what holds time; its query count for 7 and 30 days.
- 50 concurrent `POST /api/v1/appointments/` for one slot, 50 patients with their own
  tokens, served the way production serves (README: gunicorn, several worker processes,
  here `GUNICORN_ARGS`) on the configured database (PostgreSQL when DATABASE_URL is set:
  its exclusion constraint decides; SQLite serialises). The server runs as a subprocess
  on this run's test database and cache, and is warmed first, as a running server is:
  reads, bookings of other days (cancelled again) and "just taken" answers. The client
  stays light: the 50 connections are opened and the request bytes prepared first, then
  one thread writes every request and reads the answers; each time runs from writing
  that request to the last byte of its response. Counted: created, conflicts (409),
  server errors (5xx), the p95 of the request times, and the CPU time the server's
  workers spent on them (a figure the machine's other load changes far less than the
  times: compare it between runs on a shared machine).
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import socket
import statistics
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from datetime import time as wall
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from clinic.models import OpeningHours, Practitioner, Room, User, WorkingHours
from patients.booking.selectors import free_slots_for, free_slots_for_patient
from patients.booking.services import book_appointment
from patients.models import Appointment, PatientProfile
from patients.records import services
from patients.records.selectors import current_consent_text
from procedures.intake import baseline_answers
from procedures.models import Procedure

from .core import Row, benchmark, median_ms
from .server import children_cpu_seconds, gunicorn
from .slots import DAYS, START, _demo_month

ATTEMPTS = 50
# README "Running in production": gunicorn with several (sync) worker processes, as there.
# BENCH_GUNICORN_ARGS replaces them for a comparison (e.g. BENCH_GUNICORN_ARGS="--workers 4
# --worker-class gthread --threads 4": on two cores threads cost more CPU than they save).
GUNICORN_ARGS = tuple(os.environ.get("BENCH_GUNICORN_ARGS", "--workers 4").split())


def _server_env() -> dict[str, str]:
    """The environment of a server process that shares this run's database and cache."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "clinic.settings.test"
    env["TEST_RUN_ID"] = settings.TEST_RUN_ID
    # As in production: a booking's messages go to the broker after the commit and a
    # worker sends them (the test settings send them inside the request instead).
    env["OUTBOX_DELIVERY"] = "celery"
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env


def _get(url: str, token: str | None = None, *, timeout: float = 10) -> int:
    headers = {"Authorization": f"Token {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def _post_json(url: str, body: bytes, token: str) -> tuple[int, dict]:
    """POST JSON with the token: the status and the JSON answer."""
    request = urllib.request.Request(  # noqa: S310 - our own server's http URL
        url,
        data=body,
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _workers_cpu_ms(master: int) -> float:
    """The CPU milliseconds (user + system) the gunicorn master's workers used so far."""
    return (children_cpu_seconds(master) or 0.0) * 1000


@contextlib.contextmanager
def _gunicorn() -> Iterator[tuple[str, int]]:
    """A gunicorn serving clinic.wsgi on a free local port; yields its base URL and pid."""
    log = Path(settings.TEST_RUN_DIR) / "gunicorn.log"
    args = (*GUNICORN_ARGS, "--backlog", "256")
    with gunicorn(env=_server_env(), args=args, log=log, cwd=settings.BASE_DIR) as server:
        yield f"http://127.0.0.1:{server.port}", server.pid


def _patient(email: str) -> User:
    user = User.objects.create_user(
        email=email, password=None, first_name="Bench", last_name=email.split("@")[0]
    )
    profile = PatientProfile.objects.create(user=user, email_verified_at=timezone.now())
    services.submit_intake(
        patient=profile, answers=baseline_answers(on=timezone.localdate()), submitted_by=user
    )
    text = current_consent_text("peel")
    assert text is not None
    services.sign_consent(
        patient=profile,
        text=text,
        full_name=user.get_full_name(),
        ticked=True,
        ip_address="127.0.0.1",
        user_agent="bench",
        language="en",
    )
    return user


@benchmark
def free_slots_with_stored_appointments() -> Iterable[Row]:
    procedure = Procedure.objects.get(slug="glycolic-peel")
    bookings = _demo_month(procedure)
    # Each patient holds one appointment at a time (the database guards that too), so the
    # month's bookings are shared out among a few holders, greedily by start.
    holders: list[tuple[PatientProfile, datetime]] = []
    rows = []
    for b in sorted(bookings, key=lambda booking: booking.start):
        # The month books a practitioner and a room for every slot.
        assert b.practitioner_id is not None
        assert b.room_id is not None
        index = next((i for i, (_p, free) in enumerate(holders) if free <= b.start), None)
        if index is None:
            user = User.objects.create_user(email=f"bench-holder{len(holders)}@example.test")
            holders.append((PatientProfile.objects.create(user=user), b.start))
            index = len(holders) - 1
        profile = holders[index][0]
        holders[index] = (profile, b.end)
        rows.append(
            Appointment(
                patient=profile,
                procedure=procedure,
                practitioner_id=b.practitioner_id,
                room_id=b.room_id,
                start=b.start,
                end=b.end,
                buffer_minutes=b.buffer_minutes,
                room_free_at=b.end + timedelta(minutes=b.buffer_minutes),
                status=Appointment.Status.CONFIRMED,
                procedure_name_en=procedure.name_en or procedure.name,
                price=Decimal("3500"),
                booked_minutes=int((b.end - b.start).total_seconds() // 60),
                screening_outcome="ok",
                channel=Appointment.Channel.DESK,
                created_by=profile.user,
            )
        )
    Appointment.objects.bulk_create(rows)
    now = datetime(2026, 5, 31, 12, 0, tzinfo=ZoneInfo(settings.CLINIC_TIME_ZONE))
    found = len(free_slots_for(procedure, start_date=START, days=DAYS, now=now))
    queries = {}
    for days in (7, DAYS):
        with CaptureQueriesContext(connection) as captured:
            free_slots_for(procedure, start_date=START, days=days, now=now)
        queries[days] = len(captured)
    figure = median_ms(
        lambda: free_slots_for(procedure, start_date=START, days=DAYS, now=now), repeat=30
    )
    yield (
        "free_slots_for, 30 days, 1,000 stored appointments (with its SQL)",
        f"{figure:.2f}",
        "ms median",
        f"{found} slots free on {connection.vendor}; target < 50 ms",
    )
    yield (
        "  SQL queries of free_slots_for, 7 days / 30 days",
        f"{queries[7]} / {queries[DAYS]}",
        "queries",
        "target <= 6, the same whatever the range",
    )
    # Per-patient filtering on (issue #15): the same 30 days for one patient with an
    # intake and sessions of other procedures (a done consultation, a booked TCA CROSS
    # in the middle of the month: its washout leaves two weeks out), each day screened.
    reader = _patient("bench-reader@example.test").patient_profile
    for slug, day, status in (
        ("consultation", START - timedelta(days=20), Appointment.Status.COMPLETED),
        ("tca-cross", START + timedelta(days=10), Appointment.Status.CONFIRMED),
    ):
        other = Procedure.objects.get(slug=slug)
        begins = datetime.combine(day, wall(7, 0), tzinfo=ZoneInfo(settings.CLINIC_TIME_ZONE))
        Appointment.objects.create(
            patient=reader,
            procedure=other,
            practitioner_id=rows[0].practitioner_id,
            room_id=Room.objects.filter(kind=other.room_kind).values_list("pk", flat=True)[0],
            start=begins,
            end=begins + timedelta(minutes=other.booked_minutes),
            buffer_minutes=0,
            room_free_at=begins + timedelta(minutes=other.booked_minutes),
            status=status,
            procedure_name_en=other.name_en or other.name,
            price=Decimal("3500"),
            booked_minutes=other.booked_minutes,
            screening_outcome="ok",
            channel=Appointment.Channel.DESK,
            created_by=reader.user,
        )
    screened = free_slots_for_patient(
        patient=reader, procedure=procedure, start_date=START, days=DAYS, now=now
    )
    with CaptureQueriesContext(connection) as captured:
        free_slots_for_patient(
            patient=reader, procedure=procedure, start_date=START, days=DAYS, now=now
        )
    patient_figure = median_ms(
        lambda: free_slots_for_patient(
            patient=reader, procedure=procedure, start_date=START, days=DAYS, now=now
        ),
        repeat=30,
    )
    yield (
        "free_slots_for_patient, 30 days, the same schedule, screened day by day",
        f"{patient_figure:.2f}",
        "ms median",
        f"{len(screened.slots)} slots offered, {len(screened.days_left_out)} days left out, "
        f"{len(captured)} queries; target < 50 ms",
    )
    Appointment.objects.filter(patient=reader).delete()
    # The next benchmark books into an empty schedule.
    Appointment.objects.filter(patient__in=[profile for profile, _free in holders]).delete()


def _bench_clinic() -> tuple[Procedure, Practitioner, datetime]:
    """A practitioner working every day and a free start the day after tomorrow, 10:00."""
    procedure = Procedure.objects.get(slug="glycolic-peel")
    user = User.objects.create_user(
        email="bench-derm@clinic.test", password=None, first_name="Bench", last_name="Derm"
    )
    practitioner = Practitioner.objects.create(user=user, roles=["derm"])
    for weekday in range(7):
        OpeningHours.objects.update_or_create(
            weekday=weekday, defaults={"opens": wall(9), "closes": wall(20)}
        )
        WorkingHours.objects.create(
            practitioner=practitioner, weekday=weekday, start=wall(9), end=wall(18)
        )
    if not Room.objects.filter(kind=Room.Kind.TREATMENT, is_active=True).exists():
        Room.objects.create(name="Bench treatment room", kind=Room.Kind.TREATMENT)
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    day: date = timezone.now().astimezone(zone).date() + timedelta(days=2)
    return procedure, practitioner, datetime.combine(day, wall(10), tzinfo=zone)


def _request_bytes(base: str, path: str, body: bytes, token: str) -> bytes:
    """One keep-alive HTTP/1.1 POST of JSON with the token, ready to write to a socket."""
    host = base.removeprefix("http://")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Token {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


def _complete_status(received: bytes) -> int | None:
    """The status of a complete response in `received`, or None while more is to come."""
    head, separator, body = received.partition(b"\r\n\r\n")
    if not separator:
        return None
    lines = head.split(b"\r\n")
    lengths = [int(line.split(b":", 1)[1]) for line in lines if b"content-length:" in line.lower()]
    if lengths and len(body) < lengths[0]:
        return None
    return int(lines[0].split()[1])


def _burst(base: str, requests: list[bytes]) -> list[tuple[int, float]]:
    """Send the requests at once, each on its own open connection: (status, ms) each.

    The connections are opened and the bytes prepared first; then one thread writes
    every request and waits for the answers, so the client costs the shared cores
    next to nothing while the server works. Each time runs from writing that request
    to reading the last byte of its response.
    """
    port = int(base.rsplit(":", 1)[1])
    connections = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in requests]
    selector = selectors.DefaultSelector()
    sent: dict[socket.socket, float] = {}
    received: dict[socket.socket, bytes] = {}
    results: dict[socket.socket, tuple[int, float]] = {}
    try:
        for connection_ in connections:
            connection_.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for connection_, data in zip(connections, requests, strict=True):
            sent[connection_] = time.perf_counter()
            connection_.sendall(data)
            connection_.setblocking(False)
            received[connection_] = b""
            selector.register(connection_, selectors.EVENT_READ)
        deadline = time.monotonic() + 60
        while len(results) < len(connections):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(connections) - len(results)} requests unanswered")
            for key, _events in selector.select(timeout=1):
                ready = key.fileobj
                assert isinstance(ready, socket.socket)
                connection_ = ready
                chunk = connection_.recv(65536)
                received[connection_] += chunk
                code = _complete_status(received[connection_])
                if code is None and not chunk:
                    raise ConnectionError("the server closed a connection before answering")
                if code is not None:
                    elapsed = (time.perf_counter() - sent[connection_]) * 1000
                    results[connection_] = (code, elapsed)
                    # Done with it, as any client is: a server that lingers for the
                    # client's close (gunicorn's sync workers do) is not kept waiting.
                    selector.unregister(connection_)
                    connection_.close()
    finally:
        selector.close()
        for connection_ in connections:
            connection_.close()
    return [results[connection_] for connection_ in connections]


def _warm(
    base: str,
    procedure: Procedure,
    practitioner: Practitioner,
    start: datetime,
    tokens: list[str],
    warm_start: datetime,
) -> None:
    """Warm the workers, as a running server is (imports, connections, translation
    catalogues, templates, the screening rules): reads; bookings of other days,
    cancelled again; then "just taken" answers for another slot held by someone else,
    so the measured slot's cached alternatives start cold.
    """
    url = f"{base}/api/v1/appointments/"
    availability = (
        f"{base}/api/v1/availability/?procedure={procedure.slug}"
        f"&start={start.date().isoformat()}&days=1&practitioner={practitioner.pk}"
    )

    def book_and_cancel(numbered: tuple[int, str]) -> tuple[int, int]:
        number, token = numbered
        other_day = start + timedelta(days=1 + number)
        body = {
            "procedure": procedure.slug,
            "start": other_day.isoformat(),
            "practitioner": practitioner.pk,
        }
        booked, appointment = _post_json(url, json.dumps(body).encode(), token)
        cancelled, _answer = _post_json(f"{url}{appointment.get('id')}/cancel/", b"{}", token)
        return booked, cancelled

    held = json.dumps(
        {
            "procedure": procedure.slug,
            "start": warm_start.isoformat(),
            "practitioner": practitioner.pk,
        }
    ).encode()
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda token: _get(url, token), tokens))
        list(pool.map(lambda token: _get(availability, token), tokens))
        warm_bookings = list(pool.map(book_and_cancel, enumerate(tokens)))
        warm = list(pool.map(lambda token: _post_json(url, held, token)[0], tokens))
    assert set(warm_bookings) == {(201, 200)}, warm_bookings
    assert set(warm) == {409}, warm


def _race(
    base: str,
    master: int,
    procedure: Procedure,
    practitioner: Practitioner,
    start: datetime,
    tokens: list[str],
) -> tuple[list[tuple[int, float]], float, float]:
    """The 50 requests at once (status, ms each) and the CPU milliseconds the server
    spent on them, then the median of one such request alone."""
    path = "/api/v1/appointments/"
    body = json.dumps(
        {"procedure": procedure.slug, "start": start.isoformat(), "practitioner": practitioner.pk}
    ).encode()
    requests = [_request_bytes(base, path, body, token) for token in tokens]
    cpu_before = _workers_cpu_ms(master)
    results = _burst(base, requests)
    cpu = _workers_cpu_ms(master) - cpu_before
    # The same "just taken" answer with nothing else running: what one request costs.
    alone = statistics.median(_burst(base, [request])[0][1] for request in requests[:20])
    return results, cpu, alone


@benchmark
def concurrent_bookings_of_one_slot() -> Iterable[Row]:
    procedure, practitioner, start = _bench_clinic()
    users = [_patient(f"bench-racer{n}@example.test") for n in range(ATTEMPTS)]
    tokens = [Token.objects.create(user=user).key for user in users]
    holder = _patient("bench-holder@example.test")
    warm_start = start + timedelta(hours=4)
    book_appointment(
        patient=holder.patient_profile,
        procedure=procedure,
        start=warm_start,
        practitioner=practitioner,
        booked_by=holder,
        channel=Appointment.Channel.API,
    )
    load = os.getloadavg()[0]  # the machine's other work shares the cores too
    with _gunicorn() as (base, master):
        _warm(base, procedure, practitioner, start, tokens, warm_start)
        results, cpu, alone = _race(base, master, procedure, practitioner, start, tokens)
    statuses = Counter(code for code, _ms in results)
    times = sorted(ms for _code, ms in results)
    p95 = statistics.quantiles(times, n=20)[-1]
    stored = Appointment.objects.filter(start=start, practitioner=practitioner).count()
    booked_ms = ", ".join(f"{ms:.0f} ms" for code, ms in results if code == 201) or "-"
    yield (
        f"{ATTEMPTS} concurrent bookings of one slot (HTTP, {connection.vendor})",
        f"{statistics.median(times):.0f}",
        "ms median",
        f"created {statuses[201]}, conflicts {statuses[409]}, "
        f"5xx {sum(n for code, n in statuses.items() if code >= 500)}, "
        f"other {sum(n for code, n in statuses.items() if code not in (201, 409) and code < 500)}"
        f"; {stored} appointment stored; the booking took {booked_ms}",
    )
    yield (
        "  p95 of those requests",
        f"{p95:.0f}",
        "ms",
        f"target < 200 ms on PostgreSQL; gunicorn {' '.join(GUNICORN_ARGS)}, "
        f"{os.cpu_count()} cores, load average {load:.1f} before",
    )
    yield (
        "  server CPU for those requests, all workers",
        f"{cpu:.0f}",
        "ms",
        f"user + system time of the gunicorn workers ({1000 / os.sysconf('SC_CLK_TCK'):.0f} ms "
        "ticks): what the machine's load does not change much",
    )
    yield (
        "  one such request alone (409 with cached alternatives)",
        f"{alone:.0f}",
        "ms median",
        "the quick answer; the concurrent figure is about 50 of these sharing the cores",
    )
