"""Catalogue edits: every future appointment of the procedures concerned, screened again.

Domain rules (`rules-v2.md` section 6, "staff edit a procedure's rules, washouts or
prerequisites"):
- After the edit commits (`procedures.signals.screening_rules_changed`) one
  `RescreenJob` is queued for the procedures concerned and a worker runs it
  (`patients.tasks.rescreen_appointments`): the edit itself never waits for the
  appointments, however many there are.
- The job screens every appointment of those procedures holding time from today
  on, each in its own transaction (`rescreen.rescreen_appointment`: a confirmed
  one with a code no practitioner approved goes back to review, the patient is
  told), and writes its progress after each one, so the manager sees how far it
  got in the admin. One failing appointment is logged and counted as screened;
  the rest still run. The worker reads the rules afresh first (its cache may
  predate the edit).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import current_app
from django.db import transaction
from django.utils import timezone

from clinic.availability import clinic_zone, local_date, local_day_bounds
from patients.booking.services.rescreen import RESCREENED_STATUSES, Cause, rescreen_appointment
from patients.models import Appointment, RescreenJob
from procedures.errors import DomainError
from procedures.selectors import clear_rules_cache

__all__ = ["RESCREEN_TASK", "queue_rescreen_job", "run_rescreen_job"]

logger = logging.getLogger(__name__)
RESCREEN_TASK = "patients.tasks.rescreen_appointments"
State = RescreenJob.State


def queue_rescreen_job(*, procedure_slugs: Iterable[str]) -> RescreenJob:
    """A job for the procedures' future appointments, handed to a worker after the commit."""
    job = RescreenJob(procedure_slugs=sorted(set(procedure_slugs)))
    job.full_clean()
    job.save()
    job_id = job.pk

    def enqueue() -> None:  # named: a failure's log line says which callback failed
        current_app.send_task(RESCREEN_TASK, args=[job_id])

    transaction.on_commit(enqueue, robust=True)
    return job


def _held_from_today(slugs: list[str]) -> list[int]:
    since = local_day_bounds(local_date(timezone.now()), zone=clinic_zone())[0]
    return list(
        Appointment.objects.filter(
            procedure__slug__in=slugs, status__in=RESCREENED_STATUSES, start__gte=since
        )
        .order_by("start", "pk")
        .values_list("pk", flat=True)
    )


def run_rescreen_job(*, job_id: int) -> RescreenJob:
    """Screen the job's appointments again, one transaction each, with progress."""
    job = RescreenJob.objects.get(pk=job_id)
    if job.state in (State.DONE, State.FAILED):
        return job  # a redelivered task: the job already ran
    # A worker's cached rules may predate the edit (they live for a TTL): read them afresh.
    clear_rules_cache()
    ids = _held_from_today(list(job.procedure_slugs))
    RescreenJob.objects.filter(pk=job.pk).update(
        state=State.RUNNING, started_at=timezone.now(), total=len(ids), done=0, sent_to_review=0
    )
    sent = 0
    for done, appointment_id in enumerate(ids, start=1):
        try:
            with transaction.atomic():
                moved = rescreen_appointment(Appointment(pk=appointment_id), cause=Cause.RULES)
        except (DomainError, Appointment.DoesNotExist):
            logger.exception("Re-screening appointment %s failed.", appointment_id)
            moved = False
        sent += int(moved)
        RescreenJob.objects.filter(pk=job.pk).update(done=done, sent_to_review=sent)
    RescreenJob.objects.filter(pk=job.pk).update(state=State.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job
