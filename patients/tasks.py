"""Celery tasks of the patients' side: the outbox dispatcher, the sender, review auto-decline.

Thin on purpose: they take ids, call `patients.services.outbox`, and leave
retrying to Celery (`autoretry_for` with exponential backoff on SMTP and
network errors; the service marks the row `failed` on its last try).
"""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from .services import outbox


@shared_task(name="patients.tasks.dispatch_due_messages", ignore_result=True)
def dispatch_due_messages() -> int:
    """Claim the due outbox rows and enqueue one send task per row."""
    return outbox.dispatch_due_messages()


@shared_task(
    name="patients.tasks.send_message",
    ignore_result=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=settings.OUTBOX_MAX_ATTEMPTS,
)
def send_message(message_id: int, lease: str | None = None) -> str:
    """Send one outbox row (if it is still due, still ours and still applies)."""
    return outbox.deliver_message(message_id=message_id, lease=lease)


@shared_task(name="patients.tasks.auto_decline_reviews")
def auto_decline_reviews() -> list[int]:
    """Decline the reviews still pending too close to their slot (every 15 minutes by beat)."""
    from django.utils import timezone

    from .services.reviews import auto_decline_overdue_reviews

    return auto_decline_overdue_reviews(now=timezone.now())
