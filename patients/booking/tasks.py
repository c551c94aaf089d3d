"""Celery tasks of booking: the periodic jobs that keep bookings honest.

Thin on purpose: each calls one service with the current time.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from patients.booking.services.rescreen_jobs import run_rescreen_job
from patients.booking.services.reviews import auto_decline_overdue_reviews


@shared_task(name="patients.tasks.auto_decline_reviews")
def auto_decline_reviews() -> list[int]:
    """Decline the reviews still pending too close to their slot (every 15 minutes by beat)."""
    return auto_decline_overdue_reviews(now=timezone.now())


@shared_task(name="patients.tasks.rescreen_appointments")
def rescreen_appointments(job_id: int) -> int:
    """Screen again the appointments of a catalogue edit's job; returns how many went to review."""
    return run_rescreen_job(job_id=job_id).sent_to_review
