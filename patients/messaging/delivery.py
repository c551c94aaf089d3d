"""What became of a text message after the gateway took it: its delivery reports.

Domain rules:
- A report lands on the row the gateway's id names (`gateway_id`), and only on
  a row that is `sent`: `delivered` (with the moment it was heard of) or
  `failed` with the gateway's reason in `last_error`. A report about a row
  already delivered or failed changes nothing (gateways repeat themselves).
- Reports come two ways: the poller (`poll_sms_statuses`, every few minutes
  from beat) asks the gateway about the SMS sent in the last
  `SMS_STATUS_POLL_HOURS` not yet settled, and gateways that call back POST to
  `/sms/status/<SMS_CALLBACK_TOKEN>/`, whose body the gateway's adapter reads.
- A gateway that does not answer the poller is asked again next time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone

from clinic.sms import DELIVERED, FAILED, Report, SmsTemporaryError, get_backend
from patients.models import OutboxMessage

__all__ = ["poll_sms_statuses", "receive_callback", "record_reports"]

logger = logging.getLogger(__name__)
State = OutboxMessage.State
POLL_BATCH = 200


def record_reports(reports: Iterable[Report], *, now: dt.datetime | None = None) -> int:
    """Put the settled reports on their rows; how many rows changed."""
    now = now or timezone.now()
    changed = 0
    for report in reports:
        if report.state not in (DELIVERED, FAILED) or not report.gateway_id:
            continue
        rows = OutboxMessage.objects.filter(
            channel=OutboxMessage.Channel.SMS, gateway_id=report.gateway_id, state=State.SENT
        )
        if report.state == DELIVERED:
            changed += rows.update(state=State.DELIVERED, delivered_at=now)
        else:
            changed += rows.update(state=State.FAILED, last_error=report.reason[:2000])
    return changed


def poll_sms_statuses(*, now: dt.datetime | None = None) -> int:
    """Ask the gateway about recent SMS not settled yet; how many rows changed."""
    now = now or timezone.now()
    since = now - dt.timedelta(hours=settings.SMS_STATUS_POLL_HOURS)
    unsettled = list(
        OutboxMessage.objects.filter(
            channel=OutboxMessage.Channel.SMS, state=State.SENT, sent_at__gte=since
        )
        .exclude(gateway_id="")
        .order_by("sent_at", "pk")
        .values_list("gateway_id", "recipient")[:POLL_BATCH]
    )
    if not unsettled:
        return 0
    try:
        reports = get_backend().statuses(unsettled)
    except SmsTemporaryError as error:
        logger.warning("sms: the gateway did not report delivery: %s", error.reason)
        return 0
    return record_reports(reports, now=now)


def receive_callback(data: Mapping[str, Any]) -> str:
    """Read a gateway's delivery callback onto the rows; what to answer the gateway."""
    reports, answer = get_backend().read_callback(data)
    record_reports(reports)
    return answer
