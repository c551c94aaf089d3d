"""Celery tasks of the patient's side: thin wrappers that call one service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="patients.tasks.auto_decline_reviews")
def auto_decline_reviews() -> list[int]:
    """Decline the reviews still pending too close to their slot (every 15 minutes by beat)."""
    from .services.reviews import auto_decline_overdue_reviews

    return auto_decline_overdue_reviews(now=timezone.now())
