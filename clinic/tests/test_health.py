"""/health/ tells an operator whether the database, broker, worker and beat are up.

The public answer says only up (200) or down (503); the monitoring token shows what
and why. The checks run from one request at a time, at most every few seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from subprocess import Popen
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.test import Client

from clinic import health
from clinic.beat import HEARTBEAT_KEY

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "monitoring-token-0123456789"
MONITOR = {"X-Health-Check-Token": TOKEN}


@pytest.fixture(autouse=True)
def no_report_yet(settings: Any) -> Iterator[None]:
    settings.HEALTH_CHECK_TOKEN = TOKEN
    # No report yet, and no heartbeat of a beat that an earlier test ran.
    keys = [health.REPORT_KEY, health.LOCK_KEY, HEARTBEAT_KEY]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def test_health_is_503_naming_what_is_down_without_worker_and_beat(
    client: Client, settings: Any
) -> None:
    settings.HEALTH_WORKER_TIMEOUT_SECONDS = 1
    response = client.get("/health/", headers=MONITOR)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert set(body["failing"]) == {"worker", "beat"}
    assert "no worker answered" in body["checks"]["worker"]["detail"]


@pytest.mark.parametrize("token", [None, "wrong-token", ""])
def test_the_public_answer_says_only_up_or_down(
    client: Client, settings: Any, token: str | None
) -> None:
    settings.HEALTH_WORKER_TIMEOUT_SECONDS = 0.2
    headers = {} if token is None else {"X-Health-Check-Token": token}
    response = client.get("/health/", headers=headers)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_without_a_token_set_nobody_sees_the_detail(client: Client, settings: Any) -> None:
    settings.HEALTH_CHECK_TOKEN = ""
    settings.HEALTH_WORKER_TIMEOUT_SECONDS = 0.2
    response = client.get("/health/", headers={"X-Health-Check-Token": ""})
    assert response.json() == {"status": "unavailable"}


def test_ten_calls_with_the_worker_down_ping_once_and_wait_once(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.HEALTH_WORKER_TIMEOUT_SECONDS = 1.5
    pings: list[float] = []
    real_check = health.check_worker

    def counted() -> health.Check:
        pings.append(time.monotonic())
        return real_check()

    monkeypatch.setattr(health, "check_worker", counted)
    # A report exists (a minute old): the calls that do not check answer with it at once.
    health._store({"database": (True, "x"), "worker": (False, "down")}, time.time() - 60)
    timings: list[tuple[int, float]] = []

    def call() -> None:
        started = time.monotonic()
        status = Client().get("/health/").status_code
        timings.append((status, time.monotonic() - started))

    threads = [threading.Thread(target=call) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(pings) == 1
    assert [status for status, _ in timings] == [503] * 10
    slow = [seconds for _, seconds in timings if seconds >= 1.0]
    assert len(slow) == 1, timings  # the one that pinged; nine answered at once
    # And for HEALTH_CACHE_SECONDS after, nobody pings again.
    assert Client().get("/health/").status_code == 503
    assert len(pings) == 1


def test_the_report_is_fresh_for_a_few_seconds_then_checked_again(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.HEALTH_CACHE_SECONDS = 5
    runs: list[float] = []
    monkeypatch.setattr(health, "run_checks", lambda: runs.append(1) or {"db": (True, "ok")})

    assert health.current_report(now=1_000.0).ok
    assert health.current_report(now=time.time() + 4).ok
    assert len(runs) == 1
    assert health.current_report(now=time.time() + 6).ok
    assert len(runs) == 2


def test_a_cache_that_cannot_be_reached_is_no_500(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.HEALTH_WORKER_TIMEOUT_SECONDS = 0.2

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    backend = type(caches["default"])
    with monkeypatch.context() as patch:
        for operation in ("get", "set", "add", "delete"):
            patch.setattr(backend, operation, down)
        response = client.get("/health/", headers=MONITOR)

    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == {
        "ok": False,
        "detail": "cache unreachable (ConnectionError)",
    }


@pytest.mark.integration
def test_health_goes_from_503_to_200_when_worker_and_beat_start(
    client: Client, request: pytest.FixtureRequest, settings: Any
) -> None:
    settings.HEALTH_WORKER_TIMEOUT_SECONDS = 2
    settings.HEALTH_CACHE_SECONDS = 0
    assert client.get("/health/").status_code == 503

    worker: Popen[bytes] = request.getfixturevalue("celery_worker_process")
    beat: Popen[bytes] = request.getfixturevalue("celery_beat_process")
    settings.HEALTH_WORKER_TIMEOUT_SECONDS = 5
    deadline = time.monotonic() + 90
    body: dict[str, object] = {}
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker died"
        assert beat.poll() is None, "beat died"
        response = client.get("/health/", headers=MONITOR)
        body = response.json()
        if response.status_code == 200:
            break
        time.sleep(1)
    assert body.get("status") == "ok", body
    assert body["failing"] == []
    assert client.get("/health/").json() == {"status": "ok"}
