"""The outbox's machinery: scheduling rows, claiming due ones, sending one exactly once.

Domain rules:
- `schedule_message` writes a row in the caller's transaction; a row with the
  same `dedupe_key` already there is returned instead (the unique constraint
  makes a second one impossible anyway). A row due now is handed to a worker
  right after the commit; should the broker be down, it stays `pending` and the
  dispatcher sends it once the broker is back.
- The dispatcher (`dispatch_due_messages`, every minute from beat) claims due
  `pending` rows, and rows left `sending` longer than `OUTBOX_RECLAIM_MINUTES`
  (their worker died), in one short transaction: `SELECT ... FOR UPDATE SKIP
  LOCKED` on PostgreSQL so two dispatchers never wait for each other, a
  conditional `UPDATE ... WHERE state = 'pending'` elsewhere (SQLite
  serialises writers anyway). The claimed rows get `sending`, `claimed_at` and
  one fresh lease; after the commit one send task per `OUTBOX_SEND_BATCH` rows
  is enqueued with the lease (`deliver_batch` takes and reads the batch's rows
  and subjects together, then sends them one after the other, each as below;
  a row whose try failed gets its own retrying task). No ETA
  tasks for due rows: Redis would redeliver a long one after its visibility
  timeout.
- `deliver_message` takes the row only with its lease (a reclaimed row has a
  new lease, so a late task does nothing). A row whose `send_by` has passed is
  `expired`, not sent. It re-checks the subject (`patients.messaging.render`:
  cancelled, moved, already booked, recalls turned off: the row is
  `cancelled`), then takes the row for the hand-over (`_hand_over`: one
  conditional update, `handed_over_at`, only while it is still ours), sends
  with the row's Message-ID and marks it `sent`. A cancellation committed
  before the hand-over wins (nothing is sent); one arriving during it waits for
  the row's lock and leaves a note instead (`cancel_pending`): the row is then
  `sent` with the note, or `cancelled` if the send failed. The only ways a copy
  goes out twice are a process dying between the server accepting it and the
  row being marked, and the database server itself crashing a fraction of a
  second after a hand-over or a mark (they commit without waiting for the disk,
  `patients.messaging.send_speed`); the copy has the same Message-ID.
- A failed try puts the row back to `pending`, due after a backoff
  (`retry_delay`: OUTBOX_RETRY_FIRST_SECONDS, doubling, at most
  OUTBOX_RETRY_MAX_SECONDS apart); when the next try would come more than
  OUTBOX_RETRY_HOURS after the first failure the row is `failed` with
  `last_error`, which staff see and may retry from the admin (`retry_failed`).
  The dispatcher takes due retries like any due row: no long countdown tasks.
- One row per channel the patient wants for the kind (`channels.channels_for`),
  all with the message's `dedupe_key`. An SMS row goes to the gateway of
  `SMS_URL` (`clinic.sms`): an SMS due in quiet hours is due at the morning
  instead (`channels.sms_due`), and one that a late dispatcher finds in quiet
  hours goes back to `pending` until then. A gateway that throttles or is down
  is retried like an SMTP server; one that rejects the number fails the row at
  once with its reason. The gateway's id of the message is kept for its
  delivery reports (`patients.messaging.delivery`); so is an e-mail provider's
  (`patients.messaging.email_events`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from smtplib import SMTPException, SMTPServerDisconnected
from typing import Any

from celery import Task, current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

import patients.messaging.channels as channels
import patients.messaging.render as rendering
import patients.messaging.send_speed as send_speed
from clinic.sms import SmsRejected, SmsTemporaryError, get_backend
from patients.messaging.mail import build_templated_email
from patients.models import Appointment, OutboxMessage, PatientProfile, TreatmentCourse

logger = logging.getLogger(__name__)

State = OutboxMessage.State
Channel = OutboxMessage.Channel
# The tasks' names (`patients.messaging.tasks`), by which these services enqueue them.
DISPATCH_DUE_MESSAGES = "patients.tasks.dispatch_due_messages"
SEND_MESSAGE = "patients.tasks.send_message"
SEND_MESSAGES = "patients.tasks.send_messages"
# Errors of the mail server, the gateway or the network: the row is tried again later.
RETRIED_ERRORS = (SMTPException, OSError, SmsTemporaryError)

__all__ = [
    "cancel_pending",
    "claim_due_messages",
    "deliver_batch",
    "deliver_message",
    "dispatch_due_messages",
    "due_scan",
    "retry_delay",
    "retry_failed",
    "schedule_message",
]


def schedule_message(
    *,
    kind: str,
    patient_id: int,
    due_at: dt.datetime,
    dedupe_key: str,
    appointment: Appointment | None = None,
    course: TreatmentCourse | None = None,
    subject_version: int | None = None,
    context: dict[str, Any] | None = None,
    send_by: dt.datetime | None = None,
    **subject: Any,
) -> OutboxMessage | None:
    """Write the message's rows in the caller's transaction, one per channel the patient wants.

    Returns the first (the e-mail's when there is one), None when the patient
    turned that kind off. A row already there with the key and channel is kept:
    get_or_create() inserts inside its own savepoint, so a row a parallel
    transaction wrote leaves the caller's transaction usable.
    """
    patient = _patient(patient_id, appointment, course)
    written: list[OutboxMessage] = []
    due_now: list[int] = []
    now = timezone.now()
    for channel in channels.channels_for(patient, kind):
        due = channels.sms_due(due_at, send_by) if channel == Channel.SMS else due_at
        message, created = OutboxMessage.objects.get_or_create(
            dedupe_key=dedupe_key,
            channel=channel,
            defaults={
                "kind": kind,
                "patient": patient,
                "appointment": appointment,
                "course": course,
                "subject_version": subject_version,
                "due_at": due,
                "send_by": send_by,
                "context": context or {},
                **subject,
            },
        )
        written.append(message)
        if created and due <= now:
            due_now.append(message.pk)
    if due_now:
        transaction.on_commit(lambda: _send_soon(due_now), robust=True)
    return written[0] if written else None


def _patient(
    patient_id: int, appointment: Appointment | None, course: TreatmentCourse | None
) -> PatientProfile:
    """The message's patient with its user: the subject's when already read, else one query."""
    for subject in (appointment, course):
        if subject is not None and subject.patient_id == patient_id:
            return subject.patient
    return PatientProfile.objects.select_related("user").get(pk=patient_id)


def cancel_pending(
    *,
    kinds: Iterable[str],
    appointment: Appointment | None = None,
    course: TreatmentCourse | None = None,
    patient_id: int | None = None,
) -> int:
    """Cancel the subject's messages of `kinds` not sent yet (claimed ones included).

    A row being handed over right now is not cancelled (the patient may get it
    any moment): it is noted, and the sender marks it `sent` with the note, or
    `cancelled` if the hand-over fails. The update waits for the row's lock
    when a sender holds it, and sees the sender's `handed_over_at` after.
    """
    rows = OutboxMessage.objects.filter(
        kind__in=list(kinds), state__in=[State.PENDING, State.SENDING]
    )
    if appointment is not None:
        rows = rows.filter(appointment=appointment)
    if course is not None:
        rows = rows.filter(course=course)
    if patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    now = timezone.now()
    cancelled = rows.filter(handed_over_at__isnull=True).update(state=State.CANCELLED, lease="")
    rows.filter(handed_over_at__isnull=False, cancel_arrived_at__isnull=True).update(
        cancel_arrived_at=now,
        note=f"A cancellation arrived at {now.isoformat(timespec='seconds')} "
        "while this message was being handed over.",
    )
    return cancelled


# --- claiming --------------------------------------------------------------------------------


def _claimable(now: dt.datetime) -> Q:
    stuck_since = now - dt.timedelta(minutes=settings.OUTBOX_RECLAIM_MINUTES)
    return Q(state=State.PENDING, due_at__lte=now) | Q(
        state=State.SENDING, claimed_at__lt=stuck_since
    )


def due_scan(
    *, now: dt.datetime, limit: int, ids: Iterable[int] | None = None
) -> QuerySet[OutboxMessage, int]:
    """The dispatcher's scan: the ids of claimable rows, oldest due first (`outbox_state_due_idx`).

    Run it in a transaction: on PostgreSQL the rows are locked, and rows another
    dispatcher holds are skipped, not waited for.
    """
    due = OutboxMessage.objects.filter(_claimable(now))
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    due = due.order_by("due_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    return due.values_list("pk", flat=True)[:limit]


def claim_due_messages(
    *, now: dt.datetime | None = None, limit: int | None = None, ids: Iterable[int] | None = None
) -> tuple[str, list[int]]:
    """Claim due rows (or the given due ids) for sending: (the lease, the claimed ids)."""
    now = now or timezone.now()
    limit = limit or settings.OUTBOX_DISPATCH_BATCH
    lease = uuid.uuid4().hex
    with transaction.atomic():
        candidates = list(due_scan(now=now, limit=limit, ids=ids))
        if not candidates:
            return lease, []
        # Conditional: a row somebody else claimed (or cancelled) meanwhile is left alone.
        # A reclaimed row's hand-over died with its worker: the new lease hands it over anew.
        OutboxMessage.objects.filter(_claimable(now), pk__in=candidates).update(
            state=State.SENDING, claimed_at=now, lease=lease, handed_over_at=None
        )
        taken = set(
            OutboxMessage.objects.filter(pk__in=candidates, lease=lease).values_list(
                "pk", flat=True
            )
        )
    # Oldest due first, as scanned (the model's default ordering is the other way round).
    return lease, [pk for pk in candidates if pk in taken]


def _task(name: str) -> Task:
    """A task of `patients.messaging.tasks`, by its name (the app registers them at start)."""
    return current_app.tasks[name]


def _enqueue(lease: str, claimed: list[int]) -> None:
    """One send task per `OUTBOX_SEND_BATCH` claimed rows; rows the broker refused go back."""
    send_messages = _task(SEND_MESSAGES)
    size = settings.OUTBOX_SEND_BATCH
    for start in range(0, len(claimed), size):
        batch = claimed[start : start + size]
        try:
            if settings.OUTBOX_DELIVERY == "inline":
                send_messages.apply(args=(batch,), kwargs={"lease": lease})
            else:
                send_messages.delay(batch, lease=lease)
        except Exception:
            # The broker is down: release the rest so the next dispatcher run takes them.
            logger.warning(
                "outbox: could not enqueue, %s rows back to pending", len(claimed) - start
            )
            OutboxMessage.objects.filter(
                pk__in=claimed[start:], state=State.SENDING, lease=lease
            ).update(state=State.PENDING, lease="", claimed_at=None)
            return


def _send_soon(ids: list[int]) -> None:
    lease, claimed = claim_due_messages(ids=ids)
    _enqueue(lease, claimed)


def dispatch_due_messages(*, now: dt.datetime | None = None) -> int:
    """Claim the due rows and enqueue their send tasks; how many were claimed."""
    lease, claimed = claim_due_messages(now=now)
    # After the commit: a worker must find the row claimed with this lease.
    transaction.on_commit(lambda: _enqueue(lease, claimed))
    return len(claimed)


# --- sending ---------------------------------------------------------------------------------


def _take(message_id: int, lease: str | None, now: dt.datetime) -> str | None:
    """Take the row for this try (refreshing claimed_at); the lease, or None when not ours."""
    rows = OutboxMessage.objects.filter(pk=message_id)
    if lease:
        rows = rows.filter(state=State.SENDING, lease=lease)
    else:
        lease = uuid.uuid4().hex
        rows = rows.filter(state=State.PENDING)
    taken = rows.update(
        state=State.SENDING, lease=lease, claimed_at=now, attempts=F("attempts") + 1
    )
    return lease if taken else None


def _load(message_id: int) -> OutboxMessage:
    """The row with its patient, then its subject with what the templates show.

    Two small queries, not one joining every possible subject (docs/benchmarks.md).
    """
    message = OutboxMessage.objects.select_related("patient__user").get(pk=message_id)
    _attach_subjects([message])
    return message


def _attach_subjects(messages: list[OutboxMessage]) -> None:
    """Read the messages' appointments (or else courses) in one query each, and attach them."""
    appointment_ids = {m.appointment_id for m in messages if m.appointment_id is not None}
    course_ids = {
        m.course_id for m in messages if m.appointment_id is None and m.course_id is not None
    }
    appointments = (
        Appointment.objects.select_related("procedure", "practitioner__user", "room").in_bulk(
            appointment_ids
        )
        if appointment_ids
        else {}
    )
    courses = (
        TreatmentCourse.objects.select_related("procedure").in_bulk(course_ids)
        if course_ids
        else {}
    )
    for message in messages:
        # A subject deleted meanwhile is not attached: reading it fails for that row alone.
        if message.appointment_id in appointments:
            message.appointment = appointments[message.appointment_id]
        elif message.appointment_id is None and message.course_id in courses:
            message.course = courses[message.course_id]
        # The subject's patient is the message's: reuse the row already read with its user.
        for subject in (message.appointment, message.course):
            if subject is not None and subject.patient_id == message.patient_id:
                subject.patient = message.patient


def deliver_message(*, message_id: int, lease: str | None = None) -> str:
    """Send one outbox row if it is still ours and still applies; returns what happened.

    "sent", "cancelled" (no longer applies), "skipped" (not ours: sent, cancelled or
    reclaimed), "failed" (last try). An SMTP error on an earlier try is raised after
    being recorded, for the task to retry.
    """
    lease = _take(message_id, lease, timezone.now())
    if lease is None:
        return "skipped"
    return _deliver(_load(message_id), lease)


def _still_ours(message_id: int, lease: str) -> QuerySet[OutboxMessage]:
    """The row while it is `sending` under this lease (built only when a row needs it)."""
    return OutboxMessage.objects.filter(pk=message_id, state=State.SENDING, lease=lease)


def _deliver(message: OutboxMessage, lease: str) -> str:
    """Render, check once more that the row is still ours, send and mark (deliver_message)."""
    now = timezone.now()
    if message.send_by is not None and now >= message.send_by:
        # Its moment is gone (the appointment started, the window closed): never sent late.
        _still_ours(message.pk, lease).update(
            state=State.EXPIRED,
            note=f"Not sent: due by {message.send_by.isoformat(timespec='minutes')}, "
            f"found at {now.isoformat(timespec='minutes')}.",
        )
        return "expired"
    if message.channel == Channel.SMS and channels.sms_due(now, message.send_by) > now:
        # Found in quiet hours (the dispatcher was late): back to pending until the morning.
        _still_ours(message.pk, lease).update(
            state=State.PENDING,
            lease="",
            claimed_at=None,
            attempts=F("attempts") - 1,
            due_at=channels.sms_due(now, message.send_by),
        )
        return "deferred"
    rendered = rendering.render(message)
    if rendered is None:
        _still_ours(message.pk, lease).update(state=State.CANCELLED)
        return "cancelled"
    send, recipient = _sender(message, rendered)
    # Cancelled after the claim (the appointment was cancelled a moment ago): not sent.
    if not _hand_over(message.pk, lease, timezone.now()):
        return "skipped"
    try:
        gateway_id = send()
    except Exception as error:
        return _not_handed_over(message, lease, error, recipient)
    _mark_sent(message.pk, lease, timezone.now(), recipient=recipient, gateway_id=gateway_id)
    return "sent"


def retry_delay(attempts: int) -> dt.timedelta:
    """How long after its `attempts`-th failed try a row is tried again."""
    first = settings.OUTBOX_RETRY_FIRST_SECONDS
    seconds = first * 2 ** min(max(attempts - 1, 0), 30)
    return dt.timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def _not_handed_over(message: OutboxMessage, lease: str, error: Exception, recipient: str) -> str:
    """The server or gateway did not take the row: cancelled, retried later, or failed."""
    mine = _still_ours(message.pk, lease)
    reason = error.reason if isinstance(error, SmsRejected) else f"{type(error).__name__}: {error}"
    # A cancellation came during the try: nothing went out, so it is cancelled after all.
    if mine.filter(cancel_arrived_at__isnull=False).update(
        state=State.CANCELLED, handed_over_at=None, last_error=reason[:2000]
    ):
        return "cancelled"
    now = timezone.now()
    first_failed = message.first_failed_at or now
    retry_at = now + retry_delay(message.attempts)
    give_up = retry_at - first_failed > dt.timedelta(hours=settings.OUTBOX_RETRY_HOURS)
    if isinstance(error, SmsRejected) or give_up:
        # Rejected (a bad number: no use trying again), or tried for OUTBOX_RETRY_HOURS.
        mine.update(
            state=State.FAILED,
            handed_over_at=None,
            last_error=reason[:2000],
            first_failed_at=first_failed,
            recipient=recipient,
        )
        logger.error("outbox: message %s failed for good: %s", message.pk, reason)
        return "failed"
    if not isinstance(error, RETRIED_ERRORS):
        logger.exception("outbox: message %s: unexpected error, tried again later", message.pk)
    mine.update(
        state=State.PENDING,
        lease="",
        claimed_at=None,
        handed_over_at=None,
        due_at=retry_at,
        last_error=reason[:2000],
        first_failed_at=first_failed,
    )
    return "retrying"


def _sender(message: OutboxMessage, rendered: rendering.Rendered) -> tuple[Any, str]:
    """What sends the row on its channel (returning the gateway's id), and to whom."""
    user = message.patient.user
    if message.channel == Channel.SMS:
        text = rendering.sms_text(message, rendered)
        phone = channels.sms_number(user.phone) or ""
        return (
            lambda: get_backend().send(to=phone, text=text, reference=f"outbox-{message.pk}"),
            phone,
        )
    email = build_templated_email(
        user=user,
        template=rendered.template,
        context=rendered.context,
        attachments=rendered.attachments,
        headers={"Message-ID": message.message_id},
    )
    # An e-mail provider (django-anymail) echoes the metadata in its delivery reports.
    email.metadata = {"outbox_message": str(message.pk)}  # type: ignore[attr-defined]  # anymail reads it

    def send_email() -> str:
        _send(email)
        # The provider's id of the message, by which its delivery reports name it.
        status = getattr(email, "anymail_status", None)
        provider_id = getattr(status, "message_id", None)
        return "" if provider_id is None else str(provider_id)

    return send_email, user.email


# The two statements every message costs are written out once rather than built by the
# ORM for each message of each batch (docs/benchmarks.md, "Why some queries are written out").
# The hand-over is an UPDATE, not a SELECT: it takes the row's lock, so a cancellation
# committing at that moment is either seen (nothing sent) or waits and sees the mark.
_HAND_OVER_SQL = (
    "UPDATE {table} SET handed_over_at = %s "
    "WHERE id = %s AND state = %s AND lease = %s AND handed_over_at IS NULL"
)
_MARK_SENT_SQL = (
    "UPDATE {table} SET state = %s, sent_at = %s, last_error = '', recipient = %s, "
    "gateway_id = %s, handed_over_at = NULL WHERE id = %s AND state = %s AND lease = %s"
)


def _table() -> str:
    return connection.ops.quote_name(OutboxMessage._meta.db_table)


def _hand_over(message_id: int, lease: str, at: dt.datetime) -> bool:
    """Mark the row as being handed over, if it is still `sending` under this lease.

    False when somebody cancelled or reclaimed it meanwhile. Committed at once
    outside a transaction (the send tasks), so a cancellation sees it.
    """
    sql = _HAND_OVER_SQL.format(table=_table())
    at_value = connection.ops.adapt_datetimefield_value(at)
    return send_speed.update_unflushed(sql, [at_value, message_id, State.SENDING, lease]) == 1


def _mark_sent(
    message_id: int, lease: str, at: dt.datetime, *, recipient: str, gateway_id: str
) -> None:
    """The row is `sent` at `at` to `recipient` (only while it is still ours)."""
    send_speed.update_unflushed(
        _MARK_SENT_SQL.format(table=_table()),
        [
            State.SENT,
            connection.ops.adapt_datetimefield_value(at),
            recipient[:254],
            gateway_id[:100],
            message_id,
            State.SENDING,
            lease,
        ],
    )


def _take_batch(message_ids: list[int], lease: str) -> list[OutboxMessage]:
    """Take the batch's rows still claimed with `lease` for this try, read with their subjects.

    One update and three reads for the whole batch, in the order given; a row
    cancelled or reclaimed meanwhile is simply not among them.
    """
    ours = OutboxMessage.objects.filter(pk__in=message_ids, state=State.SENDING, lease=lease)
    ours.update(claimed_at=timezone.now(), attempts=F("attempts") + 1)
    found = ours.select_related("patient__user").in_bulk()
    messages = [found[pk] for pk in message_ids if pk in found]
    _attach_subjects(messages)
    return messages


def deliver_batch(*, message_ids: Iterable[int], lease: str) -> None:
    """Send the claimed rows one after the other; a row whose try failed waits for its retry.

    The rows are taken and read together (`_take_batch`), then each is sent as
    `deliver_message` sends one. A failed try goes back to `pending` with its
    backoff like any other, so one bad address or a dropped session never holds
    back the rest of the batch.
    """
    for message in _take_batch(list(message_ids), lease):
        try:
            _deliver(message, lease)
        except SoftTimeLimitExceeded:
            raise  # the task ran out of time: the rest stays `sending` for the dispatcher
        except Exception:
            # Anything else (the database or the broker went away): the row stays
            # `sending`, the dispatcher reclaims it after OUTBOX_RECLAIM_MINUTES.
            logger.exception("outbox: message %s not sent, left for the dispatcher", message.pk)


_connection: Any = None
_connection_backend = ""


def _send(email: Any) -> None:
    """Send over this process's open connection (one SMTP session for many messages).

    A connection the server dropped while idle fails before the message is
    accepted; it is opened again once, then an error is the row's to retry later.
    """
    global _connection, _connection_backend
    if _connection_backend != settings.EMAIL_BACKEND:
        _connection = None  # the backend was changed (tests do)
    for fresh in (False, True):
        if _connection is None or fresh:
            _connection_backend = settings.EMAIL_BACKEND
            if _connection is not None:
                with contextlib.suppress(Exception):
                    _connection.close()
            _connection = get_connection()
            _connection.open()
        email.connection = _connection
        try:
            email.send()
            return
        except SMTPServerDisconnected:
            if fresh:
                _connection = None
                raise
        except Exception:
            _connection = None
            raise


def retry_failed(*, ids: Iterable[int]) -> int:
    """Put failed rows back to `pending`, due now, with a fresh count of tries."""
    return OutboxMessage.objects.filter(pk__in=list(ids), state=State.FAILED).update(
        state=State.PENDING,
        attempts=0,
        due_at=timezone.now(),
        lease="",
        claimed_at=None,
        first_failed_at=None,
    )
