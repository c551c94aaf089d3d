"""Review decisions: what a practitioner (or the auto-decline policy) decided on a flagged booking.

Every decision on a `pending_review` appointment is one row: who (empty when the
system declined it automatically), when, what, and two texts the practitioner
writes: the clinical note (`note`, for clinicians only: "herpes flare last week,
on warfarin") and the reason (`reason`, what the patient and the reception desk
are told). The desk sees that a booking was flagged, never why. Rows written
before the reason existed keep their text as a clinical note. Asking the patient
to update their intake leaves the appointment pending, so this row is the only
trace of it; approvals and declines also have their `AppointmentStatusChange` row.
Rows are never changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models.appointment import Appointment


class ReviewDecision(models.Model):
    class Kind(models.TextChoices):
        APPROVED = "approved", _("Approved")
        APPROVED_WITH_NOTE = "approved_note", _("Approved with a note")
        DECLINED = "declined", _("Declined")
        INTAKE_UPDATE = "intake_update", _("Asked to update the intake")
        AUTO_DECLINED = "auto_declined", _("Declined automatically (not reviewed in time)")

    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        related_name="review_decisions",
        verbose_name=_("appointment"),
    )
    kind = models.CharField(_("decision"), max_length=20, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the system decided."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(
        _("clinical note"), blank=True, help_text=_("For clinicians only; never shown to the desk.")
    )
    reason = models.TextField(
        _("reason for the patient"),
        blank=True,
        help_text=_("What the patient and the reception desk are told."),
    )
    flags = models.JSONField(
        _("flags reviewed"), default=list, blank=True, help_text=_("The rule codes decided on.")
    )

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering = ("appointment", "at", "pk")
        indexes = [models.Index(fields=["appointment", "at"], name="review_decision_appt_idx")]

    def __str__(self) -> str:
        return f"{self.appointment_id}: {self.kind}"
