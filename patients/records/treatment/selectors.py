"""Reads of the treatment record, each in a fixed number of queries.

The chart page reads one chart with everything under it (procedures, zones, lots,
addenda, events) in the same number of queries however many zones and procedures
it has; the lot search reads every use of a lot in one query, however many sessions.
Who may read what is decided by the caller (`records.treatment.access`) and every
staff read is audited there.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from patients.models import (
    AdverseEvent,
    AdverseEventPhoto,
    Appointment,
    ChartAddendum,
    PatientProfile,
    ProductLot,
    ProductUsage,
    TreatmentProcedure,
    TreatmentVisit,
    TreatmentZone,
)

__all__ = [
    "LotRecipient",
    "chart_for_appointment",
    "chart_is_signed",
    "chart_states",
    "chart_with_everything",
    "charts_of_patient",
    "events_to_triage",
    "find_lots",
    "lot_recipients",
    "lot_recipients_csv",
    "lots_needing_attention",
    "record_photo_ids",
    "signed_appointment_ids",
]

LOW_STOCK_FRACTION = Decimal("0.2")


def _chart_queryset() -> QuerySet[TreatmentVisit]:
    return TreatmentVisit.objects.select_related(
        "appointment", "patient__user", "practitioner__user", "signed_by", "opened_by"
    ).prefetch_related(
        Prefetch(
            "procedures",
            queryset=TreatmentProcedure.objects.select_related("procedure").prefetch_related(
                Prefetch("zones", queryset=TreatmentZone.objects.order_by("zone"))
            ),
        ),
        Prefetch(
            "product_usages",
            queryset=ProductUsage.objects.select_related("lot__product", "treatment"),
        ),
        Prefetch("addenda", queryset=ChartAddendum.objects.select_related("written_by")),
    )


def chart_with_everything(visit_id: int) -> TreatmentVisit | None:
    """One chart with its procedures, zones, products used and addenda (five queries)."""
    return _chart_queryset().filter(pk=visit_id).first()


def chart_for_appointment(appointment: Appointment | int) -> TreatmentVisit | None:
    """The appointment's chart with everything under it, or None when none was opened."""
    appointment_id = appointment if isinstance(appointment, int) else appointment.pk
    return _chart_queryset().filter(appointment_id=appointment_id).first()


def charts_of_patient(
    patient: PatientProfile, *, signed_only: bool = False
) -> QuerySet[TreatmentVisit]:
    """The patient's charts, newest first, with everything under them."""
    charts = _chart_queryset().filter(patient=patient)
    return charts.filter(signed_at__isnull=False) if signed_only else charts


def chart_is_signed(appointment: Appointment) -> bool:
    """Has the appointment's chart been signed? (What completing the session needs.)"""
    return TreatmentVisit.objects.filter(
        appointment_id=appointment.pk, signed_at__isnull=False
    ).exists()


def chart_states(appointment_ids: Iterable[int]) -> dict[int, str]:
    """For each appointment with a chart: "signed" or "open" (the day sheet's column)."""
    rows = TreatmentVisit.objects.filter(appointment_id__in=list(appointment_ids)).values_list(
        "appointment_id", "signed_at"
    )
    return {appointment_id: "signed" if signed else "open" for appointment_id, signed in rows}


def signed_appointment_ids(appointment_ids: Iterable[int]) -> set[int]:
    """Which of these appointments have a signed chart (all a receptionist may learn)."""
    return set(
        TreatmentVisit.objects.filter(
            appointment_id__in=list(appointment_ids), signed_at__isnull=False
        ).values_list("appointment_id", flat=True)
    )


@dataclass(frozen=True)
class LotRecipient:
    """One use of a lot: the session, the patient, the amount."""

    usage_id: int
    visit_id: int
    appointment_id: int
    session_on: dt.date
    patient_id: int
    patient_name: str
    email: str
    phone: str
    procedure: str
    zone: str
    purpose: str
    amount: Decimal
    unit: str
    practitioner: str


def lot_recipients(lot: ProductLot) -> list[LotRecipient]:
    """Every session that used the lot, with patient and amount (one query)."""
    usages = (
        ProductUsage.objects.filter(lot=lot)
        .select_related(
            "visit__patient__user", "visit__practitioner__user", "treatment", "lot__product"
        )
        .order_by("visit__session_on", "visit_id", "pk")
    )
    return [
        LotRecipient(
            usage_id=usage.pk,
            visit_id=usage.visit_id,
            appointment_id=usage.visit.appointment_id,
            session_on=usage.visit.session_on,
            patient_id=usage.visit.patient_id,
            patient_name=str(usage.visit.patient),
            email="" if usage.visit.patient.erased_at else usage.visit.patient.user.email,
            phone="" if usage.visit.patient.erased_at else str(usage.visit.patient.user.phone),
            procedure=usage.treatment.procedure_name if usage.treatment else "",
            zone=usage.get_zone_display() if usage.zone else "",
            purpose=usage.get_purpose_display(),
            amount=usage.amount,
            unit=usage.lot.product.get_unit_display(),
            practitioner=usage.visit.practitioner.user.get_full_name(),
        )
        for usage in usages
    ]


CSV_HEADER = (
    "session_date",
    "patient",
    "email",
    "phone",
    "procedure",
    "zone",
    "purpose",
    "amount",
    "unit",
    "practitioner",
    "appointment_id",
)


def lot_recipients_csv(lot: ProductLot) -> str:
    """The lot's recipients as CSV (a header row, then one row per use)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in lot_recipients(lot):
        writer.writerow(
            [
                r.session_on.isoformat(),
                _safe_cell(r.patient_name),
                _safe_cell(r.email),
                _safe_cell(r.phone),
                _safe_cell(r.procedure),
                r.zone,
                r.purpose,
                str(r.amount),
                r.unit,
                _safe_cell(r.practitioner),
                r.appointment_id,
            ]
        )
    return out.getvalue()


def _safe_cell(text: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def record_photo_ids(patient: PatientProfile) -> list[int]:
    """The patient's photos the record shows (adverse events): never deleted."""
    return list(
        AdverseEventPhoto.objects.filter(event__patient=patient).values_list("photo_id", flat=True)
    )


def find_lots(query: str) -> QuerySet[ProductLot]:
    """Lots whose number (or product name) contains `query`, with how often each was used."""
    query = query.strip()
    lots = ProductLot.objects.select_related("product").annotate(uses=Count("usages"))
    if not query:
        return lots.none()
    return lots.filter(Q(lot_number__icontains=query) | Q(product__name__icontains=query)).order_by(
        "product__name", "lot_number"
    )


def lots_needing_attention(*, on: dt.date | None = None) -> dict[str, list[ProductLot]]:
    """Lots in stock that expired, and lots running low (a fifth of what came in, or less)."""
    on = on or timezone.localdate()
    lots = list(
        ProductLot.objects.select_related("product")
        .filter(quantity_left__gt=0, product__is_active=True)
        .filter(
            Q(expires_on__lt=on) | Q(quantity_left__lte=LOW_STOCK_FRACTION * F("quantity_received"))
        )
        .order_by("expires_on", "lot_number")
    )
    return {
        "expired": [lot for lot in lots if lot.expires_on < on],
        "low": [lot for lot in lots if lot.expires_on >= on],
    }


def events_to_triage(*, assigned_to_id: int | None = None) -> QuerySet[AdverseEvent]:
    """Patients' problem reports waiting for triage, oldest first (a practitioner's, or all)."""
    events = AdverseEvent.objects.filter(status=AdverseEvent.Status.NEW).select_related(
        "patient__user", "appointment", "assigned_to"
    )
    if assigned_to_id is not None:
        events = events.filter(assigned_to_id=assigned_to_id)
    return events.order_by("reported_at", "pk")
