"""Products used in a chart, and the recall of a lot.

Domain rules:
- A chart may use only a lot that exists and has not expired on the session's date
  (`unknown_lot`, `expired_lot`, on the field `lot`); an anaesthetic is the only
  product used for anaesthesia.
- `use_lot` says "this chart used this amount of this lot (for this purpose, in this
  zone)": the row is unique for those four, and the stock moves by the difference
  from what the row said before, under the lot's row lock. Posting the same form
  twice finds the row with the same amount and takes nothing more: the stock is
  taken once per chart. A use larger than the stock left is refused
  (`insufficient_stock`): the lot's count is then wrong and staff correct it first.
- Before signing a use can be removed (the wrong lot scanned); its amount goes back
  into the stock. A signed chart's uses never change.
- A recall (managers) is recorded once per lot; every patient who received the lot
  is told through the outbox, in their language, with no health detail in the
  subject line, and the list of recipients is what staff follow up.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import User
from patients.models import (
    FaceZone,
    LotRecall,
    OutboxMessage,
    Product,
    ProductLot,
    ProductUsage,
    TreatmentProcedure,
    TreatmentVisit,
)
from procedures.errors import lazy_interpolate

from .. import adapters
from ..access import require_clinician, require_manager
from ..errors import RecordError
from ..selectors import LotRecipient, lot_recipients
from .charts import lock_visit, require_editable

__all__ = ["RECALL_MESSAGE_KIND", "find_lot", "recall_lot", "remove_lot_usage", "use_lot"]

RECALL_MESSAGE_KIND = OutboxMessage.Kind.LOT_RECALL
MAX_AMOUNT = Decimal("100000")


def find_lot(*, lot_number: str, product: Product | None = None) -> ProductLot:
    """The lot with this number (of `product`, when given); raise `unknown_lot` if none or many."""
    number = (lot_number or "").strip()
    lots = ProductLot.objects.select_related("product").filter(lot_number__iexact=number)
    if product is not None:
        lots = lots.filter(product=product)
    found = list(lots[:2]) if number else []
    if len(found) != 1:
        message = (
            _("Several products have a lot with this number: choose the product.")
            if len(found) > 1
            else _("There is no lot with this number.")
        )
        raise RecordError(message, code="unknown_lot", field="lot")
    return found[0]


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        amount = Decimal(0)
    if not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT:
        raise RecordError(
            _("Give the amount used, more than zero."), code="invalid_amount", field="amount"
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise RecordError(
            _("Give the amount with at most two decimal places."),
            code="invalid_amount",
            field="amount",
        )
    return amount


def _check_usable(lot: ProductLot, visit: TreatmentVisit, purpose: str) -> None:
    if lot.expires_on < visit.session_on:
        raise RecordError(
            lazy_interpolate(
                _("Lot %(lot)s expired on %(date)s: it cannot be used."),
                {"lot": lot.lot_number, "date": lot.expires_on.isoformat()},
            ),
            code="expired_lot",
            field="lot",
        )
    if purpose == ProductUsage.Purpose.ANAESTHESIA and lot.product.kind != Product.Kind.ANAESTHETIC:
        raise RecordError(
            _("Only an anaesthetic is recorded as the anaesthesia."),
            code="not_anaesthetic",
            field="lot",
        )


def _move_stock(lot: ProductLot, taken: Decimal) -> None:
    """Take `taken` (negative: give back) from the lot's stock, under its row lock."""
    if taken == 0:
        return
    locked = ProductLot.objects.select_for_update().get(pk=lot.pk)
    if locked.quantity_left - taken < 0:
        raise RecordError(
            lazy_interpolate(
                _("Only %(left)s %(unit)s of lot %(lot)s are left in stock."),
                {
                    "left": locked.quantity_left.normalize(),
                    "unit": lot.product.get_unit_display(),
                    "lot": lot.lot_number,
                },
            ),
            code="insufficient_stock",
            field="amount",
        )
    ProductLot.objects.filter(pk=lot.pk).update(quantity_left=F("quantity_left") - taken)


def use_lot(
    *,
    visit: TreatmentVisit,
    lot: ProductLot,
    amount: Any,
    by: User,
    purpose: str = ProductUsage.Purpose.TREATMENT,
    zone: str = "",
    treatment: TreatmentProcedure | None = None,
) -> ProductUsage:
    """Record that the chart used `amount` of `lot` (idempotent: see the module doc)."""
    require_clinician(by)
    if purpose not in ProductUsage.Purpose.values:
        raise RecordError(
            _("Choose what the product was used for."), code="invalid_purpose", field="purpose"
        )
    if zone and zone not in FaceZone.values:
        raise RecordError(_("Choose a zone of the face map."), code="unknown_zone", field="zone")
    quantity = _amount(amount)
    with transaction.atomic():
        visit = lock_visit(visit)
        require_editable(visit)
        if treatment is not None and treatment.visit_id != visit.pk:
            raise RecordError(_("This procedure is not on the chart."), code="not_on_chart")
        if treatment is None and purpose == ProductUsage.Purpose.TREATMENT:
            # Unless told otherwise, a product is used for the appointment's own procedure.
            treatment = visit.procedures.filter(is_booked=True).first()
        lot = ProductLot.objects.select_related("product").get(pk=lot.pk)
        _check_usable(lot, visit, purpose)
        usage = ProductUsage.objects.filter(
            visit=visit, lot=lot, purpose=purpose, zone=zone
        ).first()
        before = usage.amount if usage is not None else Decimal(0)
        _move_stock(lot, quantity - before)
        if usage is None:
            usage = ProductUsage(visit=visit, lot=lot, purpose=purpose, zone=zone)
        usage.treatment = treatment
        usage.amount = quantity
        usage.recorded_by = by
        usage.recorded_at = timezone.now()
        usage.full_clean(validate_unique=False)
        usage.save()
    return usage


def remove_lot_usage(*, usage: ProductUsage, by: User) -> None:
    """Take a use off a chart not yet signed, giving its amount back to the stock."""
    require_clinician(by)
    with transaction.atomic():
        visit = lock_visit(usage.visit)
        require_editable(visit)
        usage = ProductUsage.objects.select_related("lot__product").get(pk=usage.pk)
        _move_stock(usage.lot, -usage.amount)
        usage.delete()


def _recall_context(lot: ProductLot, recall: LotRecall) -> dict[str, Any]:
    return {
        "product": lot.product.name,
        "manufacturer": lot.product.manufacturer,
        "lot_number": lot.lot_number,
        "recall_id": recall.pk,
    }


def recall_lot(*, lot: ProductLot, by: User, reason: str) -> tuple[LotRecall, list[LotRecipient]]:
    """Recall the lot: tell every patient who received it; return the list to follow up.

    Recalling again returns the first recall and tells nobody twice.
    """
    require_manager(by)
    reason = reason.strip()
    if not reason:
        raise RecordError(_("Say why the lot is recalled."), code="reason_required", field="reason")
    with transaction.atomic():
        lot = ProductLot.objects.select_for_update().select_related("product").get(pk=lot.pk)
        recall = LotRecall.objects.filter(lot=lot).first()
        recipients = lot_recipients(lot)
        if recall is not None:
            return recall, recipients
        recall = LotRecall(lot=lot, reason=reason, recalled_by=by)
        recall.full_clean()
        recall.save()
        told: set[int] = set()
        for recipient in recipients:
            if recipient.patient_id in told:
                continue
            told.add(recipient.patient_id)
            adapters.tell_of_recall(
                patient_id=recipient.patient_id, lot_id=lot.pk, context=_recall_context(lot, recall)
            )
        recall.patients_told = len(told)
        recall.save(update_fields=["patients_told"])
    return recall, recipients
