"""Erasure requests: a patient asks, a manager completes, and the row records it.

What erasure does (see `patients.records.services.complete_erasure` for the details):
contact details and photos go; the signed consents and the intake versions
(medical records, which Russian law requires a clinic to keep for years) stay,
locked and linked only to an anonymised account.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patients.models.profile import PatientProfile


class ErasureRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        COMPLETED = "completed", _("Completed")

    patient = models.ForeignKey(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="erasure_requests",
        verbose_name=_("patient"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested at"))
    patient_note = models.TextField(_("patient's note"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    summary = models.JSONField(_("what was done"), default=dict, blank=True)

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ("-requested_at",)
        constraints = [
            # One open request per patient: asking twice must not create two.
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status="requested"),
                name="erasure_one_open_request",
            ),
            models.CheckConstraint(
                condition=models.Q(status="requested", completed_at__isnull=True)
                | models.Q(status="completed", completed_at__isnull=False),
                name="erasure_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} ({self.get_status_display()})"
