"""Beat and the worker outlive an outage of Redis (cache and broker) and carry on after it."""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.core.cache import cache, caches
from django_celery_beat.schedulers import DatabaseScheduler
from django_redis.cache import RedisCache

from clinic import beat
from clinic.beat import HEARTBEAT_KEY, HeartbeatDatabaseScheduler, last_heartbeat
from clinic.tests.redis_server import RedisServer
from conftest import start_celery, stop_process


class CacheDown(redis.ConnectionError):
    pass


@pytest.fixture
def scheduler(monkeypatch: pytest.MonkeyPatch) -> HeartbeatDatabaseScheduler:
    """The scheduler with the database scheduler's own work replaced by "next tick in 3 s"."""
    monkeypatch.setattr(DatabaseScheduler, "tick", lambda self, *a, **k: 3.0)
    return HeartbeatDatabaseScheduler.__new__(HeartbeatDatabaseScheduler)


def test_a_tick_survives_a_cache_error_and_writes_again_when_the_cache_returns(
    scheduler: HeartbeatDatabaseScheduler,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache.delete(HEARTBEAT_KEY)
    backend = type(caches["default"])  # the class: the proxy `cache` takes no attributes
    real_set = backend.set

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise CacheDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(backend, "set", refuse)
    clock = iter(float(t) for t in range(1_000, 1_000_000, 6))
    monkeypatch.setattr(beat, "time", SimpleNamespace(time=lambda: next(clock)))

    with caplog.at_level(logging.WARNING, logger="clinic.beat"):
        assert [scheduler.tick() for _ in range(3)] == [3.0, 3.0, 3.0]
    assert last_heartbeat() is None
    # One line for the outage, not one per tick.
    failures = [r for r in caplog.records if "could not be written" in r.getMessage()]
    assert len(failures) == 1
    assert "CacheDown" in failures[0].getMessage()

    monkeypatch.setattr(backend, "set", real_set)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="clinic.beat"):
        assert scheduler.tick() == 3.0
    assert last_heartbeat() == 1_018.0
    assert "written again after 18 s" in caplog.text


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.stop()


def heartbeat_on(server: RedisServer) -> float | None:
    """Beat's last tick as the portal reads it from that server (the run's key prefix)."""
    backend = RedisCache(server.url, {"KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"]})
    try:
        return backend.get(HEARTBEAT_KEY)
    except redis.RedisError:
        return None


def wait_for(condition: Any, timeout: float, *alive: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in alive:
            assert process.poll() is None, f"{process.args[3]} exited with {process.returncode}"
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_beat_and_the_worker_outlive_a_redis_outage(private_redis: RedisServer) -> None:
    env = {"REDIS_URL": private_redis.url}
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    worker = start_celery(
        "worker", "--concurrency=1", "--without-gossip", "--without-mingle", "-Q", queue,
        log_name="outage-worker", extra_env=env,
    )  # fmt: skip
    beat_process = start_celery("beat", log_name="outage-beat", extra_env=env)
    # Not the current app: shared tasks sent later in the run must keep using the portal's.
    client = Celery(
        "outage-test", broker=private_redis.url, backend=private_redis.url, set_as_current=False
    )
    try:
        assert wait_for(lambda: heartbeat_on(private_redis) is not None, 60, beat_process)

        private_redis.stop()
        # Beat ticks at least every 10 s and tries its heartbeat on each tick.
        outage_started = time.time()
        assert not wait_for(lambda: False, 15, beat_process, worker)

        private_redis.start()
        assert wait_for(
            lambda: (heartbeat_on(private_redis) or 0) > outage_started, 60, beat_process, worker
        ), "beat never wrote its heartbeat again"
        answer = client.send_task("clinic.ping", queue=queue).get(timeout=60)
        assert answer == "pong"
        assert (
            "heartbeat could not be written"
            in (settings.TEST_RUN_DIR / "outage-beat.log").read_text()
        )
    finally:
        client.close()
        stop_process(beat_process)
        stop_process(worker)
