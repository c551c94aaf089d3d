"""Celery tasks of the patient's record: processing uploaded photos.

Thin on purpose: the task takes the photo's id and calls the service. The
upload service enqueues it by name (`PROCESS_PHOTO`), and the app's `ready()`
imports this module so every process knows it.
"""

from __future__ import annotations

from celery import shared_task

from patients.records.services.photos import PROCESS_PHOTO, process_photo


@shared_task(name=PROCESS_PHOTO, ignore_result=True)
def process_uploaded_photo(photo_id: int) -> str:
    """Decode, clean and store one uploaded photo (patients.records.services.photos)."""
    return process_photo(photo_id=photo_id)
