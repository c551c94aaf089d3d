"""Periodic jobs: declared in code beside their services, every one in beat, none forgotten."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from clinic.celery import app
from clinic.periodic import JOBS, periodic, sync_periodic_jobs

pytestmark = pytest.mark.django_db

# Tasks without arguments that are not periodic jobs, each with the reason.
NOT_PERIODIC = {
    "clinic.ping": "sent by /health/ to see that a worker consumes the queue",
    "clinic.noop": "the plain task `make bench` compares the send rate with",
}


def first_party_tasks() -> dict[str, object]:
    app.loader.import_default_modules()
    return {
        name: task
        for name, task in app.tasks.items()
        if name.split(".")[0] in ("clinic", "patients", "procedures")
    }


def test_the_periodic_jobs_of_the_portal() -> None:
    jobs = {job.task_name: (job.every, job.expires) for job in JOBS}

    assert jobs == {
        "patients.tasks.dispatch_due_messages": (dt.timedelta(minutes=1), dt.timedelta(minutes=1)),
        "patients.tasks.auto_decline_reviews": (dt.timedelta(minutes=15), None),
        "patients.tasks.expire_waitlist_offers": (
            dt.timedelta(minutes=5),
            dt.timedelta(minutes=5),
        ),
        "patients.tasks.poll_sms_statuses": (dt.timedelta(minutes=5), dt.timedelta(minutes=5)),
    }


def test_every_task_a_schedule_must_run_is_a_periodic_job() -> None:
    """A task that takes no arguments is run by beat or by nobody."""
    tasks = first_party_tasks()
    scheduled = {job.task_name for job in JOBS}
    without_arguments = {
        name for name, task in tasks.items() if not inspect.signature(task.run).parameters
    }

    assert without_arguments - set(NOT_PERIODIC) == scheduled
    assert scheduled <= set(tasks)


def test_periodic_tasks_store_no_result() -> None:
    assert all(job.task.ignore_result for job in JOBS)
    with pytest.raises(ImproperlyConfigured, match="stores no result"):
        periodic(every=dt.timedelta(minutes=1), name="Keeps results")(app.tasks["clinic.ping"])


def test_migrate_puts_every_job_in_beat() -> None:
    for job in JOBS:
        row = PeriodicTask.objects.get(name=job.name)
        assert row.task == job.task_name
        assert row.enabled
        assert (row.interval.every, row.interval.period) == job.interval()
        assert row.expire_seconds == (job.expires.total_seconds() if job.expires else None)


def test_a_row_staff_changed_is_kept_and_a_missing_one_comes_back() -> None:
    by_task = {job.task_name: job for job in JOBS}
    dispatcher = by_task["patients.tasks.dispatch_due_messages"]
    auto_decline = by_task["patients.tasks.auto_decline_reviews"]
    PeriodicTask.objects.filter(name=dispatcher.name).update(enabled=False)
    PeriodicTask.objects.filter(name=auto_decline.name).delete()

    call_command("migrate", verbosity=0)

    assert not PeriodicTask.objects.get(name=dispatcher.name).enabled
    assert PeriodicTask.objects.get(name=auto_decline.name).enabled
    assert PeriodicTask.objects.filter(task__startswith="patients.tasks.").count() == len(JOBS)


def test_sync_waits_for_beats_tables() -> None:
    class MigrationState:
        def get_model(self, app_label: str, model_name: str) -> None:
            raise LookupError(app_label)

    PeriodicTask.objects.all().delete()
    sync_periodic_jobs(apps=MigrationState())

    assert not PeriodicTask.objects.exists()
