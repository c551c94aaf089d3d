"""Photos of the skin: the patient's own pictures of the areas to treat, and a
practitioner's before/after pictures.

Every stored file has been re-encoded by `patients.records.images` (no EXIF, no GPS,
orientation applied) and lives under a random name in the default storage,
outside `static/`; it is served only by a view that checks who is asking.
A session photo (issue #18) is a before or after photo tied to the appointment it
was taken at and to one standard view (`procedures.PhotoView`), so two sessions
compare view by view; both links are empty on older rows and on a patient's own
area photos. A view is only given with a session, and a session photo is a before
or an after one (database constraints).

A photo is `processing` from the upload until the worker has re-encoded it (the
upload as it came sits meanwhile under `source_name`, private like the rest, and
is removed once done), then `ready`, or `failed` when the file could not be read
(`failure` holds the reason's code).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patients.models.profile import PatientProfile


class Photo(models.Model):
    class Kind(models.TextChoices):
        AREA = "area", _("Area to treat")
        BEFORE = "before", _("Before")
        AFTER = "after", _("After")

    class Format(models.TextChoices):
        JPEG = "JPEG", "JPEG"
        PNG = "PNG", "PNG"
        WEBP = "WEBP", "WebP"

    class Status(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be processed")

    # The public identifier in URLs: not guessable, unlike the row id.
    uuid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        PatientProfile, on_delete=models.PROTECT, related_name="photos", verbose_name=_("patient")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.READY
    )
    failure = models.CharField(_("why it failed"), max_length=40, blank=True, editable=False)
    source_name = models.CharField(
        _("upload awaiting processing"), max_length=200, blank=True, editable=False
    )
    file_name = models.CharField(_("stored file"), max_length=200, blank=True, editable=False)
    thumbnail_name = models.CharField(
        _("stored thumbnail"), max_length=200, blank=True, editable=False
    )
    image_format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size_bytes = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    appointment = models.ForeignKey(
        "patients.Appointment",
        on_delete=models.PROTECT,
        related_name="photos",
        null=True,
        blank=True,
        verbose_name=_("session"),
    )
    view = models.ForeignKey(
        "procedures.PhotoView",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("view"),
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ("-uploaded_at", "-pk")
        indexes = [
            models.Index(fields=["patient", "kind"], name="photo_patient_kind_idx"),
            models.Index(fields=["appointment", "view", "kind"], name="photo_session_view_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(appointment__isnull=True) | Q(kind__in=["before", "after"]),
                name="photo_session_before_or_after",
            ),
            models.CheckConstraint(
                condition=Q(view__isnull=True) | Q(appointment__isnull=False),
                name="photo_view_only_with_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uuid}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def stored_names(self) -> tuple[str, ...]:
        """Every file this photo keeps in the storage (the upload, the picture, the thumbnail)."""
        return tuple(n for n in (self.source_name, self.file_name, self.thumbnail_name) if n)

    @property
    def content_type(self) -> str:
        return {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[self.image_format]
