"""Products and their lots: what went into a patient, from which batch.

Domain rules (the services in `patients.records.treatment.lots` enforce them):
- A product (filler, anaesthetic, peel agent, needle cartridge, device tip) is
  kept in the admin by staff with the permission, as are its lots: the lot
  number, expiry date, date received, quantity received and quantity left.
- A chart may use only a lot that exists and has not expired on the session's
  date (the expiry date itself is still usable). The amount used is taken from
  the lot's stock once: a `ProductUsage` row is unique per chart, lot, purpose
  and zone, so a form posted twice finds its row and changes nothing.
- A recalled lot has one `LotRecall` row: who recalled it, when, why, and how
  many patients were told.
- Nothing here is deleted; a lot that is no longer used simply runs out or expires.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .treatment import FaceZone, TreatmentProcedure, TreatmentVisit, UndeletableModel


class Product(UndeletableModel):
    class Kind(models.TextChoices):
        FILLER = "filler", _("Filler")
        ANAESTHETIC = "anaesthetic", _("Anaesthetic")
        PEEL_AGENT = "peel_agent", _("Peel agent")
        NEEDLE_CARTRIDGE = "needle_cartridge", _("Needle cartridge")
        DEVICE_TIP = "device_tip", _("Device tip")

    class StockUnit(models.TextChoices):
        ML = "ml", _("ml")
        G = "g", _("g")
        PIECE = "pc", _("pcs")

    name = models.CharField(_("name"), max_length=150)
    manufacturer = models.CharField(_("manufacturer"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=4, choices=StockUnit.choices)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ("name", "manufacturer")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "manufacturer"], name="product_name_once_per_manufacturer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.manufacturer})"


class ProductLot(UndeletableModel):
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="lots", verbose_name=_("product")
    )
    lot_number = models.CharField(_("lot number"), max_length=60)
    expires_on = models.DateField(_("expires on"))
    received_on = models.DateField(_("received on"))
    quantity_received = models.DecimalField(_("quantity received"), max_digits=10, decimal_places=2)
    quantity_left = models.DecimalField(_("quantity left"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("product lot")
        verbose_name_plural = _("product lots")
        ordering = ("expires_on", "lot_number")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "lot_number"], name="product_lot_number_once_per_product"
            ),
            models.CheckConstraint(
                condition=Q(quantity_received__gt=0), name="product_lot_received_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity_left__gte=0), name="product_lot_left_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(quantity_left__lte=F("quantity_received")),
                name="product_lot_left_at_most_received",
            ),
        ]
        indexes = [models.Index(fields=["lot_number"], name="product_lot_number_idx")]

    def __str__(self) -> str:
        return f"{self.product.name} — {self.lot_number}"


class ProductUsage(models.Model):
    """An amount of one lot used in one chart (for one purpose and zone)."""

    class Purpose(models.TextChoices):
        TREATMENT = "treatment", _("Treatment")
        ANAESTHESIA = "anaesthesia", _("Anaesthesia")

    visit = models.ForeignKey(
        TreatmentVisit,
        on_delete=models.PROTECT,
        related_name="product_usages",
        verbose_name=_("chart"),
    )
    treatment = models.ForeignKey(
        TreatmentProcedure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="product_usages",
        verbose_name=_("procedure charted"),
    )
    lot = models.ForeignKey(
        ProductLot, on_delete=models.PROTECT, related_name="usages", verbose_name=_("lot")
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    zone = models.CharField(_("zone"), max_length=20, choices=FaceZone.choices, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("product used")
        verbose_name_plural = _("products used")
        ordering = ("visit", "recorded_at", "pk")
        constraints = [
            # The stock is taken once per chart: a second post of the same use finds this row.
            models.UniqueConstraint(
                fields=["visit", "lot", "purpose", "zone"], name="product_usage_once_per_chart"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="product_usage_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.lot}: {self.amount}"


class LotRecall(UndeletableModel):
    lot = models.OneToOneField(
        ProductLot, on_delete=models.PROTECT, related_name="recall", verbose_name=_("lot")
    )
    reason = models.TextField(_("reason"))
    recalled_at = models.DateTimeField(_("recalled at"), default=timezone.now)
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recalled by"),
    )
    patients_told = models.PositiveIntegerField(_("patients told"), default=0)

    class Meta:
        verbose_name = _("lot recall")
        verbose_name_plural = _("lot recalls")
        ordering = ("-recalled_at",)

    def __str__(self) -> str:
        return str(self.lot)
