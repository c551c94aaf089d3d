"""The clinic tablet: a short-lived page locked to one patient (issue #20).

Domain rules:
- The desk opens a tablet link for one patient; the link carries a random token
  (only its SHA-256 is stored) and works for `TABLET_LINK_MINUTES`. Opening a new
  one ends the patient's earlier open link.
- The link shows that patient's questionnaire and the consents the desk chose,
  nothing else, and carries no login: whoever holds the tablet has no staff
  rights and sees no other patient.
- A consent signed on the tablet is the usual `ConsentSignature` (typed name,
  tick, time, address, browser) plus the finger-drawn signature as a PNG image
  (`DrawnSignature`), with the device it was drawn on: evidence beside the record.
- "Done" ends the link (`finished_at`): the page is locked again.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models.consent import ConsentSignature
from patients.models.profile import PatientProfile


class TabletSession(models.Model):
    patient = models.ForeignKey(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="tablet_sessions",
        verbose_name=_("patient"),
    )
    token_sha256 = models.CharField(_("SHA-256 of the link's token"), max_length=64, unique=True)
    consent_kinds = models.JSONField(
        _("consents to sign"), default=list, blank=True, help_text=_("Consent kinds, in order.")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("tablet link")
        verbose_name_plural = _("tablet links")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["patient", "created_at"], name="tablet_patient_idx")]

    def __str__(self) -> str:
        return f"{self.patient} ({self.created_at:%Y-%m-%d %H:%M})"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        """Neither finished nor expired."""
        return self.finished_at is None and (now or timezone.now()) < self.expires_at


class DrawnSignature(models.Model):
    signature = models.OneToOneField(
        ConsentSignature,
        on_delete=models.PROTECT,
        related_name="drawn",
        verbose_name=_("consent signature"),
    )
    tablet = models.ForeignKey(
        TabletSession,
        on_delete=models.PROTECT,
        related_name="drawn_signatures",
        verbose_name=_("tablet link"),
    )
    image = models.BinaryField(_("drawn signature (PNG)"))
    full_name = models.CharField(_("full name as typed"), max_length=200)
    drawn_at = models.DateTimeField(_("drawn at"))
    device = models.CharField(_("device"), max_length=512, blank=True)

    class Meta:
        verbose_name = _("drawn signature")
        verbose_name_plural = _("drawn signatures")
        ordering = ("-drawn_at",)

    def __str__(self) -> str:
        return f"{self.full_name} ({self.drawn_at:%Y-%m-%d %H:%M})"
