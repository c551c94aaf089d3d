"""What /health/ checks: the database, the broker, a worker and beat.

Each check returns (ok, detail). The worker check sends a real ping task and
waits for the answer, so it proves a worker consumes the queue, not just that
the broker is up.
"""

import time

from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.db import connection

from .beat import last_heartbeat
from .celery import app
from .tasks import ping

Check = tuple[bool, str]


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
    finally:
        pass
    if answer != "pong":
        return False, "unexpected answer"
    return True, f"answered in {(time.monotonic() - started) * 1000:.0f} ms"


def check_beat() -> Check:
    tick = last_heartbeat()
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
