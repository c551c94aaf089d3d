"""Adverse events: what went wrong after a session, how it was treated, how it ended.

Domain rules (the services in `patients.records.treatment.events` enforce them):
- An event belongs to a session (the appointment; its chart, when there is one,
  gives the device settings and product lots it is linked to).
- A practitioner records an event with its type and severity at once; a patient's
  problem report arrives as a `new` event (what, since when, photos) with no type
  yet, assigned to the session's practitioner, who triages it (type, severity)
  first thing in their queue. The patient sees it was received and who looks at it.
- Outcome and resolution date go together: a resolved event has its date, not
  before the onset.
- Nothing is deleted; the photos it shows are protected from deletion too (the
  erasure keeps them, locked with the rest of the record).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .appointment import Appointment
from .photo import Photo
from .profile import PatientProfile
from .treatment import UndeletableModel


class AdverseEvent(UndeletableModel):
    class Kind(models.TextChoices):
        BURN = "burn", _("Burn")
        BLISTERING = "blistering", _("Blistering")
        INFECTION = "infection", _("Infection")
        HERPES_FLARE = "herpes_flare", _("Herpes flare")
        PIH = "pih", _("Post-inflammatory hyperpigmentation")
        PROLONGED_ERYTHEMA = "prolonged_erythema", _("Prolonged erythema")
        NODULE = "nodule", _("Nodule")
        VASCULAR_OCCLUSION = "vascular_occlusion", _("Vascular occlusion")
        ALLERGIC_REACTION = "allergic_reaction", _("Allergic reaction")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        MILD = "mild", _("Mild")
        MODERATE = "moderate", _("Moderate")
        SEVERE = "severe", _("Severe")

    class Outcome(models.TextChoices):
        ONGOING = "ongoing", _("Ongoing")
        RESOLVED = "resolved", _("Resolved")
        RESOLVED_WITH_SEQUELAE = "resolved_sequelae", _("Resolved with lasting effects")

    class Source(models.TextChoices):
        PRACTITIONER = "practitioner", _("Recorded by a practitioner")
        PATIENT = "patient", _("Reported by the patient")

    class Status(models.TextChoices):
        NEW = "new", _("To triage")
        OPEN = "open", _("Being followed")
        CLOSED = "closed", _("Closed")

    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        related_name="adverse_events",
        verbose_name=_("session"),
    )
    patient = models.ForeignKey(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="adverse_events",
        verbose_name=_("patient"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    onset_on = models.DateField(_("onset"))
    description = models.TextField(_("what happened"), blank=True)
    treatment_given = models.TextField(_("treatment given"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.ONGOING
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("looked at by"),
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("triaged by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("adverse event")
        verbose_name_plural = _("adverse events")
        ordering = ("-reported_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="ongoing", resolved_on__isnull=True)
                | (~Q(outcome="ongoing") & Q(resolved_on__isnull=False)),
                name="adverse_event_resolved_has_date",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("onset_on")),
                name="adverse_event_resolved_after_onset",
            ),
            # Only a patient's report waits for its type; a triaged event has both.
            models.CheckConstraint(
                condition=Q(status="new") | (~Q(kind="") & ~Q(severity="")),
                name="adverse_event_triaged_has_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "assigned_to"], name="adverse_event_queue_idx"),
            models.Index(fields=["onset_on"], name="adverse_event_onset_idx"),
        ]

    def __str__(self) -> str:
        kind = self.get_kind_display() if self.kind else _("Problem reported")
        return f"{kind} — {self.onset_on:%Y-%m-%d}"


class AdverseEventPhoto(models.Model):
    event = models.ForeignKey(
        AdverseEvent, on_delete=models.PROTECT, related_name="photo_links", verbose_name=_("event")
    )
    photo = models.ForeignKey(
        Photo, on_delete=models.PROTECT, related_name="+", verbose_name=_("photo")
    )

    class Meta:
        verbose_name = _("adverse event photo")
        verbose_name_plural = _("adverse event photos")
        constraints = [
            models.UniqueConstraint(fields=["event", "photo"], name="adverse_event_photo_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.photo_id}"
