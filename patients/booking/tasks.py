"""Celery tasks of booking: the periodic jobs that keep bookings honest, and the
re-screening a catalogue edit starts.

Thin on purpose: each calls one service. The periodic ones are declared here, beside
the service they run (clinic/periodic.py puts them in beat).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from clinic.periodic import periodic
from patients.booking.services.rescreen_jobs import run_rescreen_job
from patients.booking.services.reviews import auto_decline_overdue_reviews
from patients.booking.services.waitlist import expire_waitlist_offers as expire_offers


@periodic(every=dt.timedelta(minutes=15), name="Auto-decline reviews not decided in time")
@shared_task(name="patients.tasks.auto_decline_reviews", ignore_result=True)
def auto_decline_reviews() -> list[int]:
    """Decline the reviews still pending too close to their slot."""
    return auto_decline_overdue_reviews(now=timezone.now())


# An offer holds its slot WAITLIST_HOLD_HOURS hours; five minutes late is no harm, and
# a run that missed its five minutes is useless once the next one starts.
@periodic(
    every=dt.timedelta(minutes=5),
    name="Expire waitlist offers and pass their slots on",
    expires=dt.timedelta(minutes=5),
)
@shared_task(name="patients.tasks.expire_waitlist_offers", ignore_result=True)
def expire_waitlist_offers() -> int:
    """Expire the offers past their hold and offer each slot to the next waiter."""
    return expire_offers(now=timezone.now())


@shared_task(name="patients.tasks.rescreen_appointments")
def rescreen_appointments(job_id: int) -> int:
    """Screen again the appointments of a catalogue edit's job; returns how many went to review."""
    return run_rescreen_job(job_id=job_id).sent_to_review
