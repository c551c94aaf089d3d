"""The audit log: who on the staff opened which patient's health data, and when.

Append-only: a row is written by `patients.records.services.record_access()` every time
staff open a patient's intake or photos (pages, files and admin pages alike)
or act on them; it is never changed or deleted, not even through the admin.
Managers read it in the admin.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patients.models.intake import ImmutableRowError
from patients.models.profile import PatientProfile


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRowError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRowError("The audit log is append-only.")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        VIEW_INTAKE = "view_intake", _("Opened the intake")
        CORRECT_INTAKE = "correct_intake", _("Confirmed or corrected the intake")
        VIEW_PHOTOS = "view_photos", _("Opened the photos")
        VIEW_PHOTO_FILE = "view_photo_file", _("Opened a photo file")
        ADD_PHOTO = "add_photo", _("Added a photo")
        COMPARE_PHOTOS = "compare_photos", _("Compared photos")
        COMPLETE_ERASURE = "complete_erasure", _("Completed an erasure request")
        VIEW_CHART = "view_chart", _("Opened a treatment chart")
        VIEW_ADVERSE_EVENT = "view_adverse_event", _("Opened an adverse event")
        VIEW_LOT_RECIPIENTS = "view_lot_recipients", _("Listed who received a product lot")
        EXPORT_LOT_RECIPIENTS = "export_lot_recipients", _("Exported who received a product lot")
        VIEW_SCREENING = "view_screening", _("Saw the screening flags of a booking")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
    )
    patient = models.ForeignKey(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        verbose_name=_("patient"),
    )
    action = models.CharField(_("what"), max_length=32, choices=Action.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} #{self.patient_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableRowError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRowError("The audit log is append-only.")
