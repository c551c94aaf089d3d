"""The waitlist: patients waiting for a procedure in a range of dates.

Domain rules:
- A patient waits for one procedure between two local dates (inclusive),
  optionally with one practitioner.
- When an appointment is cancelled, its slot is offered to the first eligible
  waiter (oldest entry first): the slot's date lies in their range, the
  practitioner matches when they chose one, screening for that date is not
  blocked, and their intake and consent are in order. The offer holds the slot
  for that patient for `settings.WAITLIST_HOLD_HOURS` hours: while the offer is
  open the slot is busy for everybody else (free slots, web and desk booking),
  exactly like an appointment of the same practitioner, room and times.
- An offer that expires goes to the next eligible waiter; the expired waiter
  is waiting again.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models.appointment import Appointment
from patients.models.profile import PatientProfile


class WaitlistEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a slot")
        BOOKED = "booked", _("Booked")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    patient = models.ForeignKey(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="waitlist_entries",
        verbose_name=_("patient"),
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.PROTECT,
        related_name="waitlist_entries",
        verbose_name=_("procedure"),
    )
    from_date = models.DateField(_("from"))
    to_date = models.DateField(_("until"))
    practitioner = models.ForeignKey(
        "clinic.Practitioner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("practitioner"),
        help_text=_("Empty: any qualified practitioner."),
    )
    created_at = models.DateTimeField(_("joined at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        ordering = ("created_at", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(to_date__gte=F("from_date")), name="waitlist_range_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["procedure", "status", "created_at"], name="waitlist_queue_idx")
        ]

    def __str__(self) -> str:
        return f"{self.patient} — {self.procedure} ({self.from_date}..{self.to_date})"


class WaitlistOffer(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    entry = models.ForeignKey(
        WaitlistEntry, on_delete=models.PROTECT, related_name="offers", verbose_name=_("entry")
    )
    start = models.DateTimeField(_("slot start"))
    end = models.DateTimeField(_("slot end"))
    room_free_at = models.DateTimeField(_("room free at"))
    practitioner = models.ForeignKey(
        "clinic.Practitioner",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("practitioner"),
    )
    room = models.ForeignKey(
        "clinic.Room", on_delete=models.PROTECT, related_name="+", verbose_name=_("room")
    )
    expires_at = models.DateTimeField(_("held until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    freed_by = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("freed by the cancellation of"),
    )
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked appointment"),
    )
    created_at = models.DateTimeField(_("offered at"), default=timezone.now)

    class Meta:
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["status", "expires_at"], name="waitlist_offer_due_idx")]

    def __str__(self) -> str:
        return f"{self.entry} @ {timezone.localtime(self.start):%Y-%m-%d %H:%M}"
