"""Booking benchmarks: free slots through the real selector, and 50 concurrent bookings.

- `free_slots_for` (patients.booking_selectors) for one procedure over 30 days, with the
  1,000 appointments of `bench.slots` stored as real rows, so the figure includes the one
  query for what holds time; its query count for 7 and 30 days.
- 50 concurrent `POST /api/v1/appointments/` for one slot, 50 patients with their own
  tokens, served the way production serves (README: gunicorn, several worker processes,
  here `GUNICORN_ARGS`) on the configured database (PostgreSQL when DATABASE_URL is set:
  its exclusion constraint decides; SQLite serialises). The server runs as a subprocess
  on this run's test database and cache, and is warmed by a few reads first, as a
  running server is. Counted: created, conflicts (409), server errors (5xx), and the
  p95 of the request times.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
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
from patients import services
from patients.booking_selectors import free_slots_for
from patients.models import Appointment, PatientProfile
from patients.selectors import current_consent_text
from patients.services.booking import book_appointment
from procedures.intake import baseline_answers
from procedures.models import Procedure

from .core import Row, benchmark, median_ms
from .slots import DAYS, START, _demo_month

ATTEMPTS = 50
# README "Running in production": gunicorn with several workers. Threads let a worker
# answer another request while one waits on the database.
GUNICORN_ARGS = ("--workers", "4", "--worker-class", "gthread", "--threads", "4")


def _server_env() -> dict[str, str]:
    """The environment of a server process that shares this run's database and cache."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "clinic.settings.test"
    env["TEST_RUN_ID"] = settings.TEST_RUN_ID
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, token: str | None = None) -> int:
    headers = {"Authorization": f"Token {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def _post(url: str, body: bytes, token: str) -> tuple[int, float]:
    """POST JSON with the token: the status and the milliseconds it took."""
    request = urllib.request.Request(  # noqa: S310 - our own server's http URL
        url,
        data=body,
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()
            code = response.status
    except urllib.error.HTTPError as error:
        error.read()
        code = error.code
    return code, (time.perf_counter() - started) * 1000


@contextlib.contextmanager
def _gunicorn() -> Iterator[str]:
    """A gunicorn serving clinic.wsgi on a free local port; yields its base URL."""
    port = _free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = open(Path(settings.TEST_RUN_DIR) / "gunicorn.log", "ab")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            gunicorn,
            "clinic.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            *GUNICORN_ARGS,
            "--backlog",
            "256",
        ],
        env=_server_env(),
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log.name}")
            try:
                _get(f"{base}/api/v1/appointments/")  # 401 without a token: it answers
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


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


def _race(
    base: str,
    procedure: Procedure,
    practitioner: Practitioner,
    start: datetime,
    tokens: list[str],
    warm_start: datetime,
) -> tuple[list[tuple[int, float]], float]:
    """The 50 requests at once (status, ms each), then the median of one such request alone."""
    url = f"{base}/api/v1/appointments/"
    # Warm the workers, as a running server is (imports, connections, translation
    # catalogues, the screening rules): reads, then "just taken" answers for another
    # slot held by someone else, so the measured slot's cached alternatives start cold.
    availability = (
        f"{base}/api/v1/availability/?procedure={procedure.slug}"
        f"&start={start.date().isoformat()}&days=1&practitioner={practitioner.pk}"
    )
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
        warm = list(pool.map(lambda token: _post(url, held, token)[0], tokens))
    assert set(warm) == {409}, warm
    body = json.dumps(
        {"procedure": procedure.slug, "start": start.isoformat(), "practitioner": practitioner.pk}
    ).encode()
    barrier = threading.Barrier(ATTEMPTS)

    def attempt(token: str) -> tuple[int, float]:
        barrier.wait(timeout=60)
        return _post(url, body, token)

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        results = list(pool.map(attempt, tokens))
    # The same "just taken" answer with nothing else running: what one request costs.
    barrier = threading.Barrier(1)
    alone = statistics.median(attempt(token)[1] for token in tokens[:20])
    return results, alone


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
    with _gunicorn() as base:
        results, alone = _race(base, procedure, practitioner, start, tokens, warm_start)
    statuses = Counter(code for code, _ms in results)
    times = sorted(ms for _code, ms in results)
    p95 = statistics.quantiles(times, n=20)[-1]
    stored = Appointment.objects.filter(start=start, practitioner=practitioner).count()
    yield (
        f"{ATTEMPTS} concurrent bookings of one slot (HTTP, {connection.vendor})",
        f"{statistics.median(times):.0f}",
        "ms median",
        f"created {statuses[201]}, conflicts {statuses[409]}, "
        f"5xx {sum(n for code, n in statuses.items() if code >= 500)}, "
        f"other {sum(n for code, n in statuses.items() if code not in (201, 409) and code < 500)}"
        f"; {stored} appointment stored",
    )
    yield (
        "  p95 of those requests",
        f"{p95:.0f}",
        "ms",
        f"target < 200 ms on PostgreSQL; gunicorn {' '.join(GUNICORN_ARGS)}, "
        f"{os.cpu_count()} cores, load average {load:.1f} before",
    )
    yield (
        "  one such request alone (409 with cached alternatives)",
        f"{alone:.0f}",
        "ms median",
        "the quick answer; the concurrent figure is about 50 of these sharing the cores",
    )
