"""Worker and beat log through the portal's LOGGING, so contact details stay hidden there too.

Celery replaces the root logger's handlers with its own unless a receiver of
`setup_logging` configures logging (clinic/celery.py). A task message the worker
cannot run is logged with its full body, arguments included: a real place where
a patient's address would reach the worker's log.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

from clinic.celery import app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EMAIL = "alice.smith@mail.example.ru"
PHONES = ("+7 916 123-45-67", "8 916 765-43-21", "89161112233")


def log_text(name: str) -> str:
    path = Path(settings.TEST_RUN_DIR) / f"{name}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def test_the_worker_hides_contact_details_it_logs(
    celery_worker_process: subprocess.Popen[bytes],
) -> None:
    app.send_task(
        "clinic.no_such_task",
        args=[EMAIL, *PHONES],
        queue=settings.CELERY_TASK_DEFAULT_QUEUE,
    )

    deadline = time.monotonic() + 60
    while "unregistered task" not in log_text("worker") and time.monotonic() < deadline:
        assert celery_worker_process.poll() is None, log_text("worker")
        time.sleep(0.5)

    logged = log_text("worker")
    assert "Received unregistered task of type 'clinic.no_such_task'" in logged
    assert "[hidden]" in logged
    for secret in (EMAIL, *PHONES):
        assert secret not in logged
    # The portal's format, not Celery's: "<time> <LEVEL> <logger> <message>".
    assert " ERROR celery.worker.consumer.consumer Received unregistered task" in logged


def test_beat_logs_through_the_portals_logging(
    celery_beat_process: subprocess.Popen[bytes],
) -> None:
    deadline = time.monotonic() + 60
    while " INFO celery.beat " not in log_text("beat") and time.monotonic() < deadline:
        assert celery_beat_process.poll() is None, log_text("beat")
        time.sleep(0.5)

    assert " INFO celery.beat beat: Starting..." in log_text("beat")
