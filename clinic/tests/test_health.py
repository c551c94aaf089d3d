"""/health/ tells an operator whether the database, broker, worker and beat are up."""

import time
from subprocess import Popen

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)


def test_health_is_503_naming_what_is_down_without_worker_and_beat(
    client: Client, settings: object
) -> None:
    settings.HEALTH_WORKER_TIMEOUT_SECONDS = 1  # type: ignore[attr-defined]
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert set(body["failing"]) == {"worker", "beat"}
    assert "no worker answered" in body["checks"]["worker"]["detail"]


@pytest.mark.integration
def test_health_goes_from_503_to_200_when_worker_and_beat_start(
    client: Client, request: pytest.FixtureRequest, settings: object
) -> None:
    settings.HEALTH_WORKER_TIMEOUT_SECONDS = 2  # type: ignore[attr-defined]
    assert client.get("/health/").status_code == 503

    worker: Popen[bytes] = request.getfixturevalue("celery_worker_process")
    beat: Popen[bytes] = request.getfixturevalue("celery_beat_process")
    settings.HEALTH_WORKER_TIMEOUT_SECONDS = 5  # type: ignore[attr-defined]
    deadline = time.monotonic() + 90
    body: dict[str, object] = {}
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker died"
        assert beat.poll() is None, "beat died"
        response = client.get("/health/")
        body = response.json()
        if response.status_code == 200:
            break
        time.sleep(1)
    assert body.get("status") == "ok", body
    assert body["failing"] == []
