"""`make load`: 50 simulated patients for 2 minutes against the portal served as in production.

The run, on 127.0.0.1 only:
1. (Re)creates its own PostgreSQL database (`LOAD_DATABASE_URL`, default
   `postgres://postgres@127.0.0.1:5432/clinic_load`; its name must contain "load",
   because the run drops it first), migrates it, compiles the translations,
   collects the static files, and loads the catalogue and the demo clinic
   (`seed_demo`) plus `LOAD_USERS` patients with a current intake, every consent
   signed and an API token each.
2. Starts what README "Running in production" runs: gunicorn
   (`clinic.settings.production`, `--workers 4`) and a Celery worker on its own
   queue, with Redis (`LOAD_REDIS_URL`, default db 5) as cache and broker; e-mail
   goes to django-environ's `dummymail://` (sent nowhere).
3. Runs locust headless (`load/locustfile.py`, its own venv from
   requirements-load.txt): `LOAD_USERS` users (50) for `LOAD_TIME` (2m), each
   browsing the catalogue, screening, asking for slots, booking, moving and
   cancelling through the API.
4. Stops the server and the worker, then checks by SQL that no two time-holding
   appointments overlap (practitioner, room with its buffer, patient) and that no
   reminder row is doubled.

Passes when locust counted no error (5xx, unexpected 4xx, connection failures),
the p95 of every request is under `LOAD_P95_MS` (300), and both SQL checks find
nothing. Expected refusals (409 slot taken / patient busy, 422 screening or
review) are successes for locust and counted apart. Rate limits are off for the
run: its 50 patients share one address, which the per-address limits would
rightly throttle.
"""

from __future__ import annotations

import csv
import http.client
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.server import children_cpu_seconds, gunicorn, stop

DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_load")
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/5")
USERS = int(os.environ.get("LOAD_USERS", "50"))
RUN_TIME = os.environ.get("LOAD_TIME", "2m")
SPAWN_RATE = os.environ.get("LOAD_SPAWN_RATE", "10")
P95_LIMIT_MS = float(os.environ.get("LOAD_P95_MS", "300"))
LOCUST = Path(os.environ.get("LOCUST", BASE_DIR / ".venv-load/bin/locust"))
VAR = BASE_DIR / "var" / "load"
# README "Running in production".
GUNICORN_ARGS = ("--workers", "4")
QUEUE = "clinic-load"


def load_env() -> dict[str, str]:
    """The environment of every process of the run: production settings, local services."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings.production",
        "SECRET_KEY": "load-run-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_URL": "http://127.0.0.1",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": "dummymail://",
        "CELERY_QUEUE": QUEUE,
        "RATE_LIMIT_ENABLED": "false",
        "VAR_DIR": str(VAR),
        "LOG_LEVEL": "WARNING",
    }


def recreate_database() -> None:
    import psycopg

    name = urlsplit(DATABASE_URL).path.lstrip("/")
    if "load" not in name or not name.replace("_", "").isalnum():
        raise SystemExit(f"LOAD_DATABASE_URL must name a database of its own with 'load': {name}")
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=load_env(), check=True)


def prepare() -> Path:
    """Database, static files, demo clinic and the load patients; returns locust's data file."""
    VAR.mkdir(parents=True, exist_ok=True)
    for previous in ("locust_stats.csv", "refusals.json"):
        (VAR / previous).unlink(missing_ok=True)
    recreate_database()
    manage("compile_translations")
    manage("migrate", "--noinput", "-v", "0")
    manage("collectstatic", "--noinput", "-v", "0")
    manage("seed_demo", "--no-login-list")
    os.environ.update(load_env())
    import django

    django.setup()
    from load.patients import (
        bookable_procedures,
        first_bookable_day,
        load_patients,
        screening_answers,
    )

    data = {
        "tokens": load_patients(USERS),
        "bookable": bookable_procedures(),
        "answers": screening_answers(),
        # Past the patients' change cut-off (24 h), so moves and cancels are allowed.
        "first_day": first_bookable_day().isoformat(),
        "days": 28,
    }
    path = VAR / "locust-data.json"
    path.write_text(json.dumps(data))
    return path


def warm_up(port: int, data: Path) -> None:
    """Send each worker the reads a running server has long since answered (imports, caches)."""
    prepared = json.loads(data.read_text())
    token, slug = prepared["tokens"][0], prepared["bookable"][0]
    headers = {"X-Forwarded-Proto": "https", "Authorization": f"Token {token}"}
    paths = [
        "/procedures/",
        f"/procedures/{slug}/",
        "/api/v1/procedures/",
        "/api/v1/appointments/",
        f"/api/v1/availability/?procedure={slug}&start={prepared['first_day']}&days=7",
    ]

    def get(path: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path, headers=headers)
        connection.getresponse().read()
        connection.close()

    # Concurrent, so the requests spread over every worker process.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(get, paths * 8))


def run_locust(port: int, data: Path) -> int:
    csv_prefix = VAR / "locust"
    command = [
        str(LOCUST),
        "-f",
        str(BASE_DIR / "load" / "locustfile.py"),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        SPAWN_RATE,
        "--run-time",
        RUN_TIME,
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "LOAD_DATA": str(data), "LOAD_REFUSALS": str(VAR / "refusals.json")}
    return subprocess.run(command, env=env, cwd=BASE_DIR, check=False).returncode


def locust_totals() -> dict[str, str]:
    with open(VAR / "locust_stats.csv", newline="") as stats:
        return next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")


def server_cpu(before: float | None, after: float | None, requests: int, elapsed: float) -> str:
    """The workers' CPU per request: what the figures would be without the machine's other work."""
    if before is None or after is None or not requests:
        return "gunicorn workers' CPU time: not measured (needs Linux /proc)"
    used = after - before
    return (
        f"gunicorn workers' CPU {used:.1f} s = {used * 1000 / requests:.1f} ms per request, "
        f"{used / elapsed:.2f} of {os.cpu_count()} cores on average"
    )


def main() -> int:
    if not LOCUST.exists():
        raise SystemExit(f"{LOCUST} is missing: `make load` installs it (requirements-load.txt)")
    data = prepare()
    from load.checks import duplicate_reminders, overlapping_appointments

    env = load_env()
    with open(VAR / "celery.log", "ab") as celery_log:
        worker = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "clinic",
                "worker",
                "--loglevel=WARNING",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "-Q",
                QUEUE,
            ],
            env=env,
            cwd=BASE_DIR,
            stdout=celery_log,
            stderr=subprocess.STDOUT,
        )
        try:
            with gunicorn(
                env=env, args=GUNICORN_ARGS, log=VAR / "gunicorn.log", cwd=BASE_DIR
            ) as server:
                warm_up(server.port, data)
                load_before = os.getloadavg()
                cpu_before = children_cpu_seconds(server.pid)
                started = time.monotonic()
                code = run_locust(server.port, data)
                elapsed = time.monotonic() - started
                cpu_after = children_cpu_seconds(server.pid)
                load_after = os.getloadavg()
        finally:
            stop(worker)

    if not (VAR / "locust_stats.csv").exists() or not (VAR / "refusals.json").exists():
        print(f"FAIL: locust exited with {code} and left no statistics (see its output above)")
        return 1
    totals = locust_totals()
    refusals = json.loads((VAR / "refusals.json").read_text())
    requests, errors = int(totals["Request Count"]), int(totals["Failure Count"])
    p95 = float(totals["95%"])
    overlaps = overlapping_appointments()
    duplicates = duplicate_reminders()
    failures = []
    if errors:
        failures.append(f"{errors} errors (see {VAR}/locust_failures.csv)")
    if p95 >= P95_LIMIT_MS:
        failures.append(f"p95 {p95:.0f} ms is not under {P95_LIMIT_MS:.0f} ms")
    if overlaps:
        failures.append(f"{len(overlaps)} overlapping appointment pairs: {overlaps[:5]}")
    if duplicates:
        failures.append(f"{len(duplicates)} duplicate reminder rows: {duplicates[:5]}")
    print(
        f"\nLoad run: {USERS} users for {RUN_TIME} ({elapsed:.0f} s), gunicorn "
        f"{' '.join(GUNICORN_ARGS)}, {os.cpu_count()} cores, load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} at the end\n"
        f"  requests {requests} ({float(totals['Requests/s']):.1f}/s), errors {errors}, "
        f"p50 {float(totals['50%']):.0f} ms, p95 {p95:.0f} ms, p99 {float(totals['99%']):.0f} ms, "
        f"max {float(totals['Max Response Time']):.0f} ms\n"
        f"  {server_cpu(cpu_before, cpu_after, requests, elapsed)}\n"
        f"  expected refusals: "
        + (", ".join(f"{key} x{n}" for key, n in sorted(refusals["refusals"].items())) or "none")
        + "\n"
        f"  appointments booked {refusals['booked']}, moved {refusals['moved']}, "
        f"cancelled {refusals['cancelled']}\n"
        f"  overlapping appointments: {len(overlaps)}; duplicate reminder rows: {len(duplicates)}"
    )
    if failures:
        print("FAIL: " + "; ".join(failures))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
