"""Beat's scheduler: django-celery-beat's database scheduler that leaves a heartbeat.

Staff edit periodic tasks in the admin (django-celery-beat). Every tick also
records the time in the shared cache so /health/ can tell whether beat is alive
without waiting for a periodic task to be run by a worker.
"""

import time
from typing import Any

from django.core.cache import cache
from django_celery_beat.schedulers import DatabaseScheduler

HEARTBEAT_KEY = "clinic:beat:last_tick"
# Writing on every tick would touch the cache every few seconds for nothing.
_MIN_SECONDS_BETWEEN_WRITES = 5.0


class HeartbeatDatabaseScheduler(DatabaseScheduler):
    """DatabaseScheduler that writes a heartbeat to the cache as it ticks."""

    _last_write = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        now = time.time()
        if now - self._last_write >= _MIN_SECONDS_BETWEEN_WRITES:
            record_heartbeat(now)
            self._last_write = now
        # Tick at least every 10 s so the heartbeat stays fresh.
        return min(super().tick(*args, **kwargs), 10.0)


def record_heartbeat(at: float) -> None:
    """Remember beat's last tick (seconds since the epoch) for a day."""
    cache.set(HEARTBEAT_KEY, at, timeout=24 * 3600)


def last_heartbeat() -> float | None:
    """Beat's last tick, or None if beat never ticked (or the cache lost it)."""
    return cache.get(HEARTBEAT_KEY)
