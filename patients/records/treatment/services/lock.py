"""The erasure lock: an erasure request keeps the treatment record instead of deleting it.

Charts, addenda, products used and adverse events are the clinic's medical record,
which Russian health law requires it to keep for years. When a patient's erasure is
completed their record is locked until `TREATMENT_RECORD_RETENTION_YEARS` after
that day: nothing in it changes any more (no chart, addendum, product use or event
update), nothing is deleted, and it stays linked only to the anonymised account.
Locking twice keeps the first lock.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from patients.models import ErasureRequest, RecordLock

__all__ = ["lock_record_for_erasure"]


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def lock_record_for_erasure(*, erasure: ErasureRequest) -> RecordLock:
    """Lock the patient's treatment record for the retention period (idempotent)."""
    today = timezone.localdate()
    lock, _created = RecordLock.objects.get_or_create(
        patient_id=erasure.patient_id,
        defaults={
            "erasure": erasure,
            "locked_until": _years_later(today, settings.TREATMENT_RECORD_RETENTION_YEARS),
        },
    )
    return lock
