"""The outbox: every message the clinic sends a patient, as a row first.

Domain rules:
- A message is a row created in the same transaction as the event that causes
  it (booking, move, cancellation, completion, intake, review decision,
  waitlist offer), so a rolled-back event leaves no message and a committed
  one can never lose its message.
- `dedupe_key` names what the message is about (e.g. the reminder of
  appointment 7 at version 2, the window opening before session 3 of course
  5); a named unique constraint makes a second row for the same thing
  impossible, however many processes try.
- Life of a row: `pending` until due; the dispatcher claims it (`sending`,
  `claimed_at`, a fresh `lease`) and enqueues one send task; the task sends it
  with the row's fixed `message_id` and marks it `sent`. Moving or cancelling
  the subject `cancelled`s pending rows; the last failed try leaves `failed`
  with `last_error` for staff. A row claimed longer than the reclaim time (a
  worker died) is claimed again with a new lease: the old task, if it ever
  runs, finds its lease gone and does nothing.
- A message goes out by e-mail, by SMS or both: one row per channel, with the
  same `dedupe_key` (unique per channel). Which channels a kind takes is the
  patient's choice (`patients.messaging.channels`). An SMS row is `sent` when
  the gateway took it and `delivered` or `failed` (with the gateway's reason)
  when its delivery report comes in; `gateway_id` is the gateway's name for it.
  An e-mail row sent through an e-mail provider (django-anymail) likewise keeps
  the provider's id and becomes `delivered`, `bounced` or `complained` (the
  patient marked it as spam) when the provider's tracking webhook reports it.
- `send_by` is the moment after which the message is pointless (the start of
  the appointment a reminder is about, the end of a course window); quiet
  hours never delay an SMS past it, and a row found due after it is `expired`,
  never sent (a dispatcher back after an outage sends no "see you tomorrow"
  for yesterday).
- Handing over: the row is marked `handed_over_at` in one conditional update
  just before the mail server or gateway gets it. A cancellation waits for that
  update (it takes the row's lock first) and then respects it: a row being
  handed over is not cancelled but gets `cancel_arrived_at` and a note, and
  becomes `sent` when the gateway took it (the log tells the truth: the patient
  got it), or `cancelled` if the hand-over failed.
- A failed try goes back to `pending`, due again after a backoff that doubles
  up to OUTBOX_RETRY_MAX_SECONDS; once the next try would come more than
  OUTBOX_RETRY_HOURS after the first failure the row is `failed` for staff.
- `subject_version` is the appointment's version when the row was scheduled:
  a different version at send time means the appointment moved.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models.appointment import Appointment
from patients.models.course import TreatmentCourse
from patients.models.intake import IntakeVersion
from patients.models.profile import PatientProfile
from patients.models.waitlist import WaitlistOffer


def new_message_id() -> str:
    """A globally unique, stable Message-ID for one row (kept across retries)."""
    return f"<outbox-{uuid.uuid4().hex}@clinic.local>"


class OutboxMessage(models.Model):
    class Kind(models.TextChoices):
        BOOKING_CONFIRMATION = "booking_confirmation", _("Booking confirmation")
        REVIEW_DECISION = "review_decision", _("Review decision")
        APPOINTMENT_CANCELLED = "appointment_cancelled", _("Appointment cancelled")
        APPOINTMENT_MOVED = "appointment_moved", _("Appointment moved")
        APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder")
        PRECARE_NOTICE = "precare_notice", _("Pre-care notice")
        AFTERCARE = "aftercare", _("After-care")
        COURSE_WINDOW_OPEN = "course_window_open", _("Course window opens")
        COURSE_WINDOW_CLOSING = "course_window_closing", _("Course window closing")
        COURSE_OVERDUE = "course_overdue", _("Course overdue")
        RECALL = "recall", _("Recall")
        INTAKE_RENEWAL = "intake_renewal", _("Intake renewal")
        WAITLIST_OFFER = "waitlist_offer", _("Waitlist offer")
        INTAKE_UPDATE_REQUESTED = "intake_update_requested", _("Intake update requested")
        LOT_RECALL = "lot_recall", _("Product lot recall")
        SKIN_CHECK = "skin_check", _("How is your skin?")
        SCREENING_REVIEW = "screening_review", _("Appointment back under review")
        INVITATION = "invitation", _("Invitation to set a password")
        SELF_ASSESSMENT = "self_assessment", _("How do you rate your result?")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        # E-mail providers' delivery reports (django-anymail's tracking webhooks).
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Marked as spam")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    patient = models.ForeignKey(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="outbox_messages",
        verbose_name=_("patient"),
    )
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("appointment"),
    )
    course = models.ForeignKey(
        TreatmentCourse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("treatment course"),
    )
    intake_version = models.ForeignKey(
        IntakeVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("intake version"),
    )
    waitlist_offer = models.ForeignKey(
        WaitlistOffer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("waitlist offer"),
    )
    subject_version = models.PositiveIntegerField(
        _("subject version"),
        null=True,
        blank=True,
        help_text=_("The appointment's version when scheduled: another one means it moved."),
    )
    due_at = models.DateTimeField(_("due at"))
    send_by = models.DateTimeField(
        _("pointless after"),
        null=True,
        blank=True,
        help_text=_("After this moment the message would come too late (e.g. the start)."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    lease = models.CharField(_("lease"), max_length=32, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    recipient = models.CharField(
        _("recipient"), max_length=254, blank=True, help_text=_("The address or phone sent to.")
    )
    gateway_id = models.CharField(
        _("gateway's message id"),
        max_length=100,
        blank=True,
        help_text=_("What the SMS gateway calls the message, for its delivery reports."),
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    handed_over_at = models.DateTimeField(
        _("handed to the mail server or gateway at"),
        null=True,
        blank=True,
        help_text=_("Set while the message is being handed over: a cancellation then waits."),
    )
    cancel_arrived_at = models.DateTimeField(
        _("cancellation arrived at"),
        null=True,
        blank=True,
        help_text=_("A cancellation that came while the message was being handed over."),
    )
    first_failed_at = models.DateTimeField(
        _("first failed at"),
        null=True,
        blank=True,
        help_text=_("Tries go on, further and further apart, for OUTBOX_RETRY_HOURS after this."),
    )
    note = models.TextField(_("note"), blank=True)
    message_id = models.CharField(
        _("Message-ID"), max_length=200, unique=True, default=new_message_id, editable=False
    )
    dedupe_key = models.CharField(_("what it is about"), max_length=200)
    context = models.JSONField(
        _("context"), default=dict, blank=True, help_text=_("What the template needs.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ("-due_at", "-pk")
        constraints = [
            # One row per thing told and channel: the e-mail and the SMS of one reminder.
            models.UniqueConstraint(
                fields=["dedupe_key", "channel"], name="outbox_one_row_per_dedupe_key_channel"
            ),
            models.CheckConstraint(
                condition=models.Q(state="sent", sent_at__isnull=False) | ~models.Q(state="sent"),
                name="outbox_sent_has_sent_at",
            ),
        ]
        indexes = [
            # The dispatcher's scan: due pending rows, and rows stuck in sending.
            models.Index(fields=["state", "due_at"], name="outbox_state_due_idx"),
            models.Index(fields=["patient", "due_at"], name="outbox_patient_due_idx"),
            # Delivery reports find their row by the gateway's id.
            models.Index(fields=["gateway_id"], name="outbox_gateway_id_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} #{self.pk} "
            f"({self.get_channel_display()}, {self.get_state_display()})"
        )
