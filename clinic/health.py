"""What /health/ checks: the database, the broker, a worker and beat.

Each check returns (ok, detail). The worker check sends a real ping task and
waits for the answer, so it proves a worker consumes the queue, not just that
the broker is up.

/health/ is public, and with the worker down a ping waits its whole timeout. So
the checks run from one request at a time (a lock in the shared cache, and one
for the threads of a process) at most
every HEALTH_CACHE_SECONDS; every other request answers from the last report,
stale or not, at once. Only before any report exists, while one request is
checking, do the others answer "unavailable" without waiting. A cache that cannot
be reached is no reason to fail: the checks then run unlocked (with the broker,
usually the same Redis, down they skip the worker and take a second or two).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .beat import last_heartbeat
from .celery import app
from .tasks import ping

log = logging.getLogger(__name__)

Check = tuple[bool, str]
REPORT_KEY = "clinic:health:report"
LOCK_KEY = "clinic:health:checking"
# A stale report is still better than nothing for the requests that do not check.
REPORT_KEPT_SECONDS = 24 * 3600
# The cache lock is atomic on Redis (production), not on the file cache; the threads
# of one process also take this lock, so they never check side by side either.
_checking_here = threading.Lock()


@dataclass(frozen=True)
class Report:
    checks: dict[str, Check]
    at: float  # when the checks ran, seconds since the epoch

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(passed for passed, _ in self.checks.values())

    @property
    def failing(self) -> list[str]:
        return [name for name, (passed, _) in self.checks.items() if not passed]


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the detail says why
        return False, f"{type(exc).__name__}"
    return True, connection.vendor


def check_broker() -> Check:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return False, f"{type(exc).__name__}"
    return True, str(transport)


def check_worker() -> Check:
    timeout = settings.HEALTH_WORKER_TIMEOUT_SECONDS
    started = time.monotonic()
    try:
        # A ping nobody answers expires, so a later worker does not work through a backlog.
        result = ping.apply_async(expires=timeout + 5)
        answer = result.get(timeout=timeout, interval=0.1)
    except CeleryTimeout:
        return False, f"no worker answered within {timeout:g} s"
    except Exception as exc:
        return False, f"{type(exc).__name__}"
    if answer != "pong":
        return False, "unexpected answer"
    return True, f"answered in {(time.monotonic() - started) * 1000:.0f} ms"


def check_beat() -> Check:
    try:
        tick = last_heartbeat()
    except Exception as exc:  # the cache is down: beat's heartbeat cannot be read
        return False, f"cache unreachable ({type(exc).__name__})"
    if tick is None:
        return False, "beat has never ticked"
    age = time.time() - tick
    if age > settings.BEAT_HEARTBEAT_MAX_AGE_SECONDS:
        return False, f"last tick {age:.0f} s ago"
    return True, f"last tick {age:.0f} s ago"


def run_checks() -> dict[str, Check]:
    """Run every check; the broker and worker are skipped when the broker is down."""
    results = {"database": check_database(), "broker": check_broker()}
    if results["broker"][0]:
        results["worker"] = check_worker()
    else:
        results["worker"] = (False, "broker unreachable")
    results["beat"] = check_beat()
    return results


def _cached(operation: str, *args: Any, **kwargs: Any) -> Any:
    """A cache call whose failure (Redis down) is an answer of None, logged."""
    try:
        return getattr(cache, operation)(*args, **kwargs)
    except Exception as exc:
        log.warning("Health report cache %s failed: %s", operation, type(exc).__name__)
        return None


def _store(checks: dict[str, Check], at: float) -> Report:
    report = Report(checks=checks, at=at)
    stored = {name: list(check) for name, check in checks.items()}
    _cached("set", REPORT_KEY, {"at": at, "checks": stored}, timeout=REPORT_KEPT_SECONDS)
    return report


def _last_report() -> Report | None:
    found = _cached("get", REPORT_KEY)
    if not isinstance(found, dict):
        return None
    checks = {name: (bool(ok), str(detail)) for name, (ok, detail) in found["checks"].items()}
    return Report(checks=checks, at=float(found["at"]))


def current_report(*, now: float | None = None) -> Report:
    """The last report if fresh; else checks now, unless another request already is."""
    now = time.time() if now is None else now
    last = _last_report()
    if last is not None and now - last.at < settings.HEALTH_CACHE_SECONDS:
        return last
    if not _checking_here.acquire(blocking=False):
        return _meanwhile(last, now)
    try:
        lock_timeout = int(settings.HEALTH_WORKER_TIMEOUT_SECONDS) + 10
        locked = _cached("add", LOCK_KEY, True, timeout=lock_timeout)
        if locked is False:
            return _meanwhile(last, now)
        try:
            return _store(run_checks(), time.time())
        finally:
            if locked:
                _cached("delete", LOCK_KEY)
    finally:
        _checking_here.release()


def _meanwhile(last: Report | None, now: float) -> Report:
    """The answer while another request is checking: the last report, however old."""
    if last is not None:
        return last
    return Report(checks={"checks": (False, "being checked by another request")}, at=now)
