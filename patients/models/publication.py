"""Publication consent per photo, and the before/after pairs of the public gallery.

Domain rules (the services in `patients.records.outcomes.gallery` enforce them):
- Every photo is clinical-only: it is seen by the patient and the clinicians
  treating them, never on a public page. Publishing one needs its own consent,
  a document apart from the consent to the processing of health data: since
  1 September 2025 Russian law asks for a separate consent to personal data made
  public (152-FZ art. 10.1), and a photo of the skin is health data, a special
  category under GDPR art. 9 that needs explicit consent for each purpose.
- The patient gives it photo by photo, themselves (staff cannot tick on their
  behalf), by agreeing to the current version of the `photo_publication` consent
  text. The row keeps that version and its hash, the time, the account, the
  address and the language shown. A consent holds under the version agreed to; a
  new version of the text asks for new ticks only for photos consented after it.
- Withdrawal takes effect at once: the row gets its `withdrawn_at`, the photo's
  pairs leave the gallery, and the public pages are dropped from the cache. A
  photo has at most one live consent; ticking it again later is a new row.
- A gallery pair is a manager's choice: one procedure, a before and an after
  photo of one patient, and one crop region (fractions of the picture, so both
  photos are cut alike and the face can be left out). A pair is public only while
  both of its photos have a live consent.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from procedures.models import Procedure

from .consent import ConsentText
from .photo import Photo

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PhotoPublicationConsent(models.Model):
    photo = models.ForeignKey(
        Photo,
        # Erasing a patient's photos erases what they allowed to be shown of them.
        on_delete=models.CASCADE,
        related_name="publication_consents",
        verbose_name=_("photo"),
    )
    text = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        related_name="publication_consents",
        verbose_name=_("consent text"),
    )
    # Copies of the text's identity, so the row reads on its own.
    text_version = models.PositiveIntegerField(_("text version"))
    text_sha256 = models.CharField(_("SHA-256 of the text agreed to"), max_length=64)
    given_at = models.DateTimeField(_("given at"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("given by"),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    language = models.CharField(_("language shown"), max_length=8)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("photo publication consent")
        verbose_name_plural = _("photo publication consents")
        ordering = ("-given_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["photo"],
                condition=Q(withdrawn_at__isnull=True),
                name="publication_one_live_consent_per_photo",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("given_at")),
                name="publication_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.photo} v{self.text_version}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None


def _fraction(verbose_name: StrOrPromise) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )


class GalleryPair(models.Model):
    # The public identifier in the image addresses (the photos' own never leave the portal).
    uuid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        related_name="gallery_pairs",
        verbose_name=_("procedure"),
    )
    before = models.ForeignKey(
        Photo, on_delete=models.CASCADE, related_name="+", verbose_name=_("before photo")
    )
    after = models.ForeignKey(
        Photo, on_delete=models.CASCADE, related_name="+", verbose_name=_("after photo")
    )
    # The region shown, as fractions of the picture's width and height.
    crop_x = _fraction(_("crop left"))
    crop_y = _fraction(_("crop top"))
    crop_width = _fraction(_("crop width"))
    crop_height = _fraction(_("crop height"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("before/after pair")
        verbose_name_plural = _("before/after pairs")
        ordering = ("procedure", "-created_at", "-pk")
        constraints = [
            models.CheckConstraint(condition=~Q(before=F("after")), name="gallery_pair_two_photos"),
            models.CheckConstraint(
                condition=Q(crop_width__gt=0, crop_height__gt=0)
                & Q(crop_x__gte=0, crop_y__gte=0)
                & Q(crop_x__lte=1 - F("crop_width"), crop_y__lte=1 - F("crop_height")),
                name="gallery_pair_crop_inside_picture",
            ),
            models.UniqueConstraint(
                fields=["procedure", "before", "after"], name="gallery_pair_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure}: {self.uuid}"

    @property
    def crop_box(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        return (self.crop_x, self.crop_y, self.crop_width, self.crop_height)
