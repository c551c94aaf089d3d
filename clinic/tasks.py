"""Project-level Celery tasks."""

from celery import shared_task


@shared_task(name="clinic.ping", ignore_result=False, expires=30)
def ping() -> str:
    """Answer "pong": /health/ uses it to know a worker is consuming the queue."""
    return "pong"


@shared_task(name="clinic.noop", ignore_result=True)
def noop() -> None:
    """Do nothing and store nothing: `make bench` sets the outbox's send rate beside it."""
