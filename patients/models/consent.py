"""Consent texts and signatures.

Domain rules:
- A consent text has a kind: the processing of personal and health data
  (152-FZ asks for it in writing, signed at registration) or one procedure
  category (a peel, a laser, a filler...). Each kind has numbered versions;
  the highest published version is the current one. A version is never
  edited: a new wording is a new version.
- Every version carries the SHA-256 of its exact English and Russian text, so
  a signature can prove which words were agreed to.
- The consent to publish a photo (`PHOTO_PUBLICATION`) is versioned the same
  way but agreed to per photo (`patients.models.publication`), not signed here.
- Signing records the typed full name, the tick, the time, the IP address and
  browser, the exact version and a copy of its hash. A signature counts for
  its kind only while its version is the current one: a new version needs a
  new signature before the next booking of that category.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from patients.models.intake import ImmutableRowError
from patients.models.profile import PatientProfile
from procedures.models import Procedure  # the catalogue app owns the categories

DATA_PROCESSING = "data_processing"
# Agreed to photo by photo (`PhotoPublicationConsent`), never signed once for all.
PHOTO_PUBLICATION = "photo_publication"


def consent_kind_choices() -> list[tuple[str, Any]]:
    """The data-processing kind, every procedure category of the catalogue, publication."""
    return [
        (DATA_PROCESSING, _("Processing of personal and health data")),
        *Procedure.Category.choices,
        (PHOTO_PUBLICATION, _("Publication of photos")),
    ]


def consent_text_digest(
    *, kind: str, version: int, title_en: str, title_ru: str, body_en: str, body_ru: str
) -> str:
    """SHA-256 over the kind, version and both languages' exact words."""
    canonical = "\n\x1e\n".join([kind, str(version), title_en, body_en, title_ru, body_ru]).encode(
        "utf-8"
    )
    return hashlib.sha256(canonical).hexdigest()


class ConsentText(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    body_en = models.TextField(_("text (English)"))
    body_ru = models.TextField(_("text (Russian)"))
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, editable=False)
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ("kind", "-version")
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="consent_text_unique_version"),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="consent_version_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableRowError("A consent text cannot change; publish a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRowError("Consent texts are kept; they cannot be deleted.")

    def compute_digest(self) -> str:
        return consent_text_digest(
            kind=self.kind,
            version=self.version,
            title_en=self.title_en,
            title_ru=self.title_ru,
            body_en=self.body_en,
            body_ru=self.body_ru,
        )

    @property
    def title(self) -> str:
        return self.title_ru if (get_language() or "").startswith("ru") else self.title_en

    @property
    def body(self) -> str:
        return self.body_ru if (get_language() or "").startswith("ru") else self.body_en

    @property
    def kind_label(self) -> str:
        return str(dict(consent_kind_choices()).get(self.kind, self.kind))


class ConsentSignature(models.Model):
    patient = models.ForeignKey(
        PatientProfile,
        on_delete=models.PROTECT,
        related_name="consent_signatures",
        verbose_name=_("patient"),
    )
    text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("text")
    )
    # Copies of the text's identity, so a signature reads on its own.
    kind = models.CharField(_("kind"), max_length=40)
    text_version = models.PositiveIntegerField(_("text version"))
    text_sha256 = models.CharField(_("SHA-256 of the signed text"), max_length=64)
    full_name = models.CharField(_("full name as typed"), max_length=200)
    ticked = models.BooleanField(_("agreement ticked"))
    language = models.CharField(_("language shown"), max_length=8)
    signed_at = models.DateTimeField(_("signed at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=512, blank=True)

    class Meta:
        verbose_name = _("consent signature")
        verbose_name_plural = _("consent signatures")
        ordering = ("-signed_at",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ticked=True), name="consent_signature_ticked"
            ),
            models.CheckConstraint(
                condition=~models.Q(full_name=""), name="consent_signature_has_name"
            ),
        ]
        indexes = [models.Index(fields=["patient", "kind"], name="consent_sig_patient_kind_idx")]

    def __str__(self) -> str:
        return f"{self.full_name}: {self.kind} v{self.text_version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableRowError("A signature cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRowError("Signatures are kept; they cannot be deleted.")
