"""Periodic jobs: each declared in code beside the service it runs, and kept in beat.

Rules:
- A periodic job is a Celery task in the tasks module beside its service, decorated
  with `@periodic(every=..., name=...)`; the decorator records it in `JOBS`. No job
  is only a row someone must remember to create.
- After every `migrate` (post_migrate, connected in `ClinicConfig.ready()`)
  `sync_periodic_jobs` gives django-celery-beat one PeriodicTask per job, named
  as the job: a missing row is created with the declared schedule; a row that
  exists keeps what staff set in the admin (its interval, switched on or off) and
  only gets its task name back if that differs.
- A periodic task stores no result (`ignore_result=True`): nobody reads it, and
  every run would leave a row in the result backend. `periodic` refuses a task
  that would store one.
- A task that takes no arguments can only be run by a schedule, so each such task
  is a periodic job (clinic/tests/test_periodic.py checks it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

# django-celery-beat's interval periods, longest first, in seconds.
_PERIODS = (("days", 86400), ("hours", 3600), ("minutes", 60), ("seconds", 1))


@dataclass(frozen=True)
class PeriodicJob:
    name: str  # the PeriodicTask's name, as staff see it in the admin
    task: Any  # the Celery task (its name is read once the app is set up)
    every: dt.timedelta
    expires: dt.timedelta | None  # a run not started by then is dropped

    @property
    def task_name(self) -> str:
        return str(self.task.name)

    def interval(self) -> tuple[int, str]:
        """`every` as django-celery-beat spells it: (3, "hours"), (15, "minutes")..."""
        seconds = int(self.every.total_seconds())
        for period, length in _PERIODS:
            if seconds % length == 0:
                return seconds // length, period
        raise ImproperlyConfigured(f"{self.name}: a schedule in whole seconds")


JOBS: list[PeriodicJob] = []


def periodic(
    *, every: dt.timedelta, name: str, expires: dt.timedelta | None = None
) -> Callable[[T], T]:
    """Declare the Celery task below as a periodic job run `every` so often."""

    def declare(task: T) -> T:
        if not getattr(task, "ignore_result", False):
            raise ImproperlyConfigured(f"{name}: a periodic task stores no result")
        JOBS[:] = [job for job in JOBS if job.name != name]
        JOBS.append(PeriodicJob(name=name, task=task, every=every, expires=expires))
        return task

    return declare


def sync_periodic_jobs(*, using: str = "default", apps: Any = None, **kwargs: Any) -> None:
    """Give beat a PeriodicTask for every job that has none (post_migrate)."""
    if apps is not None:
        try:
            apps.get_model("django_celery_beat", "PeriodicTask")
        except LookupError:  # beat's tables are not migrated yet (a partial migrate)
            return
    # The real models, not the migration state's: their save() tells a running beat.
    # Imported here because clinic/apps.py imports this module before models load.
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for job in JOBS:
        every, period = job.interval()
        interval, _created = IntervalSchedule.objects.using(using).get_or_create(
            every=every, period=period
        )
        row, created = PeriodicTask.objects.using(using).get_or_create(
            name=job.name,
            defaults={
                "task": job.task_name,
                "interval": interval,
                "enabled": True,
                "expire_seconds": int(job.expires.total_seconds()) if job.expires else None,
            },
        )
        if not created and row.task != job.task_name:
            row.task = job.task_name
            row.save(update_fields=["task"])
