"""Celery tasks that send the patients' messages: the outbox dispatcher and the senders.

Thin on purpose: they take ids and call `patients.messaging.outbox`. Retrying
is the outbox's, not Celery's: a failed try puts the row back to `pending`,
due after its backoff, and the dispatcher takes it then (a countdown of hours
in the broker would be redelivered by Redis). The dispatcher's rows go out in
batches (`send_messages`); `send_message` sends one row. The services never
import this module: they enqueue by task name (`outbox.SEND_MESSAGE`...), and the
app's `ready()` imports it so every process knows the tasks.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from clinic.periodic import periodic
from patients.messaging import delivery, outbox

POLL_SMS_STATUSES = "patients.tasks.poll_sms_statuses"


# A dispatcher run that missed its minute is useless once the next one started.
@periodic(
    every=dt.timedelta(minutes=1),
    name="Send due patient messages (outbox)",
    expires=dt.timedelta(seconds=60),
)
@shared_task(name=outbox.DISPATCH_DUE_MESSAGES, ignore_result=True)
def dispatch_due_messages() -> int:
    """Claim the due outbox rows and enqueue one send task per row."""
    return outbox.dispatch_due_messages()


@shared_task(name=outbox.SEND_MESSAGE, ignore_result=True)
def send_message(message_id: int, lease: str | None = None) -> str:
    """Send one outbox row (if it is still due, still ours and still applies)."""
    return outbox.deliver_message(message_id=message_id, lease=lease)


@shared_task(name=outbox.SEND_MESSAGES, ignore_result=True)
def send_messages(message_ids: list[int], lease: str) -> None:
    """Send claimed rows one after the other (one task per `OUTBOX_SEND_BATCH` rows)."""
    outbox.deliver_batch(message_ids=message_ids, lease=lease)


@periodic(
    every=dt.timedelta(minutes=5),
    name="Read SMS delivery reports",
    expires=dt.timedelta(minutes=5),
)
@shared_task(name=POLL_SMS_STATUSES, ignore_result=True)
def poll_sms_statuses() -> int:
    """Ask the SMS gateway how recent messages fared."""
    return delivery.poll_sms_statuses()
