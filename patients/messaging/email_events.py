"""What became of an e-mail after the provider took it: django-anymail's tracking events.

Domain rules:
- E-mail goes through an e-mail provider in production (`EMAIL_URL=anymail://<esp>`),
  which reports delivery to its tracking webhook under `/anymail/` (protected by
  `ANYMAIL_WEBHOOK_SECRET`). Anymail turns each report into a tracking event;
  this module puts it on the outbox row it is about: the row whose `gateway_id`
  is the provider's message id (kept when the provider took the message), or
  else the row named in the message's metadata (`outbox_message`).
- `delivered` lands on a row that is `sent`; `bounced` and `complained` (the
  patient marked it as spam) on a row `sent` or `delivered` (a bounce may come
  after an accepted delivery, a complaint always does). A report about a row in
  any other state changes nothing (providers repeat themselves).
- A hard bounce (anymail's `bounced`, or a rejection because the address is
  invalid or bounced before) marks the patient's address as not working, when
  it is still their address: nothing more is e-mailed to it
  (`channels.wants`), the desk sees the mark on the patient's page and in the
  patient list, and appointment messages move to SMS: each appointment message
  still waiting for its e-mail, and the bounced one when it still matters, is
  written for SMS with the same `dedupe_key` (`schedule_message` writes one row
  per channel, so a text already there is kept). A temporary failure
  (`deferred`) changes nothing: the provider tries again. Once the patient
  gives a working address, the desk clears the mark (`email_works_again`) and
  messages written from then on go by e-mail again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

import patients.messaging.channels as channels
from patients.messaging.outbox import schedule_message
from patients.models import OutboxMessage, PatientProfile

__all__ = [
    "EmailEvent",
    "email_works_again",
    "mark_email_not_working",
    "on_tracking",
    "record_email_event",
]

logger = logging.getLogger(__name__)
State = OutboxMessage.State
Channel = OutboxMessage.Channel

HARD_REJECT_REASONS = frozenset({"invalid", "bounced"})
# Bounces some providers report as `bounced` though the next try may pass (Postmark's
# `Type`, Amazon SES's `bounceType`): these never mark the address as not working.
SOFT_BOUNCE_TYPES = frozenset({"SoftBounce", "Transient", "DnsError", "Undetermined"})


@dataclass(frozen=True)
class EmailEvent:
    """One provider report, as anymail normalises it."""

    event_type: str
    message_id: str = ""
    outbox_id: str = ""
    recipient: str = ""
    reject_reason: str = ""
    description: str = ""
    timestamp: dt.datetime | None = None
    soft: bool = False

    @property
    def hard_bounce(self) -> bool:
        if self.soft:
            return False
        return self.event_type == "bounced" or (
            self.event_type in ("rejected", "failed") and self.reject_reason in HARD_REJECT_REASONS
        )


def _row(event: EmailEvent) -> OutboxMessage | None:
    rows = OutboxMessage.objects.filter(channel=Channel.EMAIL).select_related("patient__user")
    if event.message_id:
        found = rows.filter(gateway_id=event.message_id).first()
        if found is not None:
            return found
    if event.outbox_id.isdigit():
        return rows.filter(pk=int(event.outbox_id)).first()
    return None


def record_email_event(event: EmailEvent) -> str:
    """Put one provider report on its outbox row; what changed ("delivered", "bounced", ...)."""
    at = event.timestamp or timezone.now()
    with transaction.atomic():
        message = _row(event)
        if message is None:
            return "unknown"
        rows = OutboxMessage.objects.filter(pk=message.pk)
        if event.event_type == "delivered":
            changed = rows.filter(state=State.SENT).update(state=State.DELIVERED, delivered_at=at)
            return "delivered" if changed else "unchanged"
        if event.event_type == "complained":
            changed = rows.filter(state__in=[State.SENT, State.DELIVERED]).update(
                state=State.COMPLAINED, last_error=event.description[:2000]
            )
            return "complained" if changed else "unchanged"
        if not event.hard_bounce:
            return "unchanged"
        reason = event.description or event.reject_reason or event.event_type
        changed = rows.filter(state__in=[State.SENT, State.DELIVERED]).update(
            state=State.BOUNCED, last_error=reason[:2000]
        )
        if not changed:
            return "unchanged"
        recipient = (event.recipient or message.recipient).strip().lower()
        if recipient and recipient != message.patient.user.email.strip().lower():
            return "bounced"  # an address the patient no longer has
        mark_email_not_working(patient=message.patient, reason=reason, at=at, bounced=message)
    return "bounced"


def mark_email_not_working(
    *,
    patient: PatientProfile,
    reason: str,
    at: dt.datetime,
    bounced: OutboxMessage | None = None,
) -> int:
    """Mark the patient's address as not working and move appointment messages to SMS.

    Returns how many appointment messages were written for SMS. Runs in the caller's
    transaction.
    """
    patient.email_bounced_at = at
    patient.email_bounce_reason = reason[:300]
    patient.save(update_fields=["email_bounced_at", "email_bounce_reason"])
    waiting = list(
        OutboxMessage.objects.filter(
            patient=patient,
            channel=Channel.EMAIL,
            state__in=[State.PENDING, State.SENDING],
        ).select_related("appointment", "course")
    )
    OutboxMessage.objects.filter(pk__in=[m.pk for m in waiting]).update(
        state=State.CANCELLED, lease=""
    )
    now = timezone.now()
    candidates = [m for m in waiting if m.kind in channels.APPOINTMENT_KINDS]
    still_matters = bounced is not None and (bounced.send_by is None or bounced.send_by > now)
    if bounced is not None and still_matters and bounced.kind in channels.APPOINTMENT_KINDS:
        candidates.append(bounced)
    moved = 0
    for message in candidates:
        for subject in (message.appointment, message.course):
            if subject is not None:
                subject.patient = patient  # the patient just marked, not a stale copy
        written = schedule_message(
            kind=message.kind,
            patient_id=patient.pk,
            due_at=max(message.due_at, now) if message is bounced else message.due_at,
            dedupe_key=message.dedupe_key,
            appointment=message.appointment,
            course=message.course,
            subject_version=message.subject_version,
            context=message.context,
            send_by=message.send_by,
            intake_version_id=message.intake_version_id,
            waitlist_offer_id=message.waitlist_offer_id,
        )
        if written is not None and written.channel == Channel.SMS:
            moved += 1
    logger.info("email: %s's address bounced; %s messages moved to SMS", patient.pk, moved)
    return moved


def email_works_again(*, patient: PatientProfile) -> None:
    """Clear the not-working mark: messages written from now on go by e-mail again."""
    patient.email_bounced_at = None
    patient.email_bounce_reason = ""
    patient.save(update_fields=["email_bounced_at", "email_bounce_reason"])


def on_tracking(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """Anymail's `tracking` signal: one provider report, read onto its outbox row."""
    metadata = getattr(event, "metadata", None) or {}
    raw = getattr(event, "esp_event", None)
    bounce_type = ""
    if isinstance(raw, dict):
        bounce_type = str(raw.get("Type") or (raw.get("bounce") or {}).get("bounceType") or "")
    record_email_event(
        EmailEvent(
            event_type=str(event.event_type or ""),
            message_id=str(event.message_id or ""),
            outbox_id=str(metadata.get("outbox_message", "")),
            recipient=str(event.recipient or ""),
            reject_reason=str(event.reject_reason or ""),
            description=str(event.description or event.mta_response or ""),
            timestamp=event.timestamp,
            soft=bounce_type in SOFT_BOUNCE_TYPES,
        )
    )
