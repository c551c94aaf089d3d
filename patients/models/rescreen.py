"""Re-screening jobs: booked appointments screened again after staff edited the catalogue.

When staff change what screening reads for some procedures (their rules,
washouts or prerequisites: `procedures.signals.screening_rules_changed`), every
future appointment of those procedures is screened again in a background job
(`rules-v2.md` section 6). One row per job says which procedures, how far it
got (`done` of `total`), how many confirmed appointments went back to review,
and how it ended; the manager follows it in the admin.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RescreenJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    procedure_slugs = models.JSONField(
        _("procedures"), default=list, help_text=_("The procedures whose rules changed.")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("appointments to screen"), default=0)
    done = models.PositiveIntegerField(_("appointments screened"), default=0)
    sent_to_review = models.PositiveIntegerField(_("sent back to review"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("re-screening job")
        verbose_name_plural = _("re-screening jobs")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{', '.join(self.procedure_slugs)}: {self.done}/{self.total} ({self.state})"
