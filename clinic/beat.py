"""Beat's scheduler: django-celery-beat's database scheduler that leaves a heartbeat.

Staff edit periodic tasks in the admin (django-celery-beat). Every tick also
records the time in the shared cache so /health/ can tell whether beat is alive
without waiting for a periodic task to be run by a worker.

Beat outlives an outage of the cache or the broker (both are Redis in
production): a heartbeat that cannot be written is logged and tried again on a
later tick, and /health/ calls beat down meanwhile; due tasks that cannot be
sent are logged by Celery's scheduler, and the broker connection is retried
without limit (CELERY_BROKER_CONNECTION_MAX_RETRIES).
"""

import logging
import time
from typing import Any

from django.core.cache import cache
from django_celery_beat.schedulers import DatabaseScheduler

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "clinic:beat:last_tick"
# Writing on every tick would touch the cache every few seconds for nothing.
_MIN_SECONDS_BETWEEN_WRITES = 5.0
# During an outage every tick fails; one line a minute says it is still so.
_SECONDS_BETWEEN_FAILURE_LOGS = 60.0


class HeartbeatDatabaseScheduler(DatabaseScheduler):
    """DatabaseScheduler that writes a heartbeat to the cache as it ticks."""

    _last_write = 0.0
    _failing_since: float | None = None
    _last_failure_log = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        now = time.time()
        if now - self._last_write >= _MIN_SECONDS_BETWEEN_WRITES:
            self._last_write = now
            self._write_heartbeat(now)
        # Tick at least every 10 s so the heartbeat stays fresh.
        return min(super().tick(*args, **kwargs), 10.0)

    def _write_heartbeat(self, now: float) -> None:
        try:
            record_heartbeat(now)
        except Exception as error:  # any cache failure: beat must keep scheduling
            if self._failing_since is None or (
                now - self._last_failure_log >= _SECONDS_BETWEEN_FAILURE_LOGS
            ):
                log.warning(
                    "Beat's heartbeat could not be written to the cache (%s: %s); "
                    "beat carries on and tries again on the next tick.",
                    type(error).__name__,
                    error,
                )
                self._last_failure_log = now
            if self._failing_since is None:
                self._failing_since = now
            return
        if self._failing_since is not None:
            log.warning(
                "Beat's heartbeat is written again after %.0f s of cache errors.",
                now - self._failing_since,
            )
            self._failing_since = None


def record_heartbeat(at: float) -> None:
    """Remember beat's last tick (seconds since the epoch) for a day."""
    cache.set(HEARTBEAT_KEY, at, timeout=24 * 3600)


def last_heartbeat() -> float | None:
    """Beat's last tick, or None if beat never ticked (or the cache lost it)."""
    return cache.get(HEARTBEAT_KEY)
