"""The treatment record as the patient reads it: in plain words, and in their data export.

On their own appointment page a patient sees their signed charts in plain words:
each procedure, the zones treated, the products used (name and lot, which matter
if a lot is ever recalled), the after-care given, who signed it and when, and any
addenda. Device settings (energies, densities, depths) are the clinic's working
detail: shown only when the clinic turns `PATIENT_CHART_SHOWS_SETTINGS` on. The
data export holds every chart in full, settings included, with units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from patients.models import AdverseEvent, FaceZone, PatientProfile, TreatmentVisit
from patients.models.treatment import ParameterScope

from .parameters import format_value, parameters_of
from .selectors import chart_for_appointment, charts_of_patient
from .services.events import SESSION_HAPPENED

__all__ = ["PlainChart", "export_treatment_record", "patient_appointment_context", "plain_chart"]

# The face map's order (forehead first, neck last), not the alphabet's.
ZONE_ORDER = {zone: index for index, zone in enumerate(FaceZone.values)}


@dataclass
class PlainProcedure:
    name: str
    zones: list[str]
    settings: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class PlainChart:
    visit: TreatmentVisit
    procedures: list[PlainProcedure]
    products: list[str]
    aftercare: str
    signed_by: str
    addenda: list[tuple[Any, str]]


def _settings(schema: list[dict[str, Any]], values: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (p.label, format_value(p, values.get(p.key)))
        for p in parameters_of(schema)
        if values.get(p.key) not in (None, "")
    ]


def plain_chart(visit: TreatmentVisit, *, with_settings: bool | None = None) -> PlainChart:
    """The chart in the patient's words (uses what `chart_for_appointment` prefetched)."""
    if with_settings is None:
        with_settings = settings.PATIENT_CHART_SHOWS_SETTINGS
    procedures = []
    for treatment in visit.procedures.all():
        zones = sorted(treatment.zones.all(), key=lambda zone: ZONE_ORDER[zone.zone])
        item = PlainProcedure(treatment.procedure_name, [zone.get_zone_display() for zone in zones])
        if with_settings:
            session = [p for p in treatment.schema if p.get("scope") == ParameterScope.PER_SESSION]
            item.settings = _settings(session, treatment.values)
            per_zone = [p for p in treatment.schema if p.get("scope") == ParameterScope.PER_ZONE]
            for zone in zones:
                item.settings += [
                    (f"{zone.get_zone_display()}: {label}", value)
                    for label, value in _settings(per_zone, zone.values)
                ]
        procedures.append(item)
    products = [
        f"{usage.lot.product.name} ({usage.lot.lot_number})"
        for usage in visit.product_usages.all()
        if usage.purpose == usage.Purpose.TREATMENT or with_settings
    ]
    return PlainChart(
        visit=visit,
        procedures=procedures,
        products=sorted(set(products)),
        aftercare=visit.aftercare_given,
        signed_by=visit.signed_by.get_full_name() if visit.signed_by else "",
        addenda=[(addendum.written_at, addendum.text) for addendum in visit.addenda.all()],
    )


def _export_chart(visit: TreatmentVisit) -> dict[str, Any]:
    def values(
        schema: list[dict[str, Any]], stored: dict[str, Any], reasons: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [
            {
                "parameter": p.label_en,
                "value": format_value(p, stored.get(p.key)),
                "reason_out_of_range": reasons.get(p.key, ""),
            }
            for p in parameters_of(schema)
            if stored.get(p.key) not in (None, "")
        ]

    return {
        "session_date": visit.session_on.isoformat(),
        "practitioner": visit.practitioner.user.get_full_name(),
        "signed_at": visit.signed_at.isoformat() if visit.signed_at else None,
        "signed_by": visit.signed_by.get_full_name() if visit.signed_by else None,
        "anaesthesia": visit.anaesthesia,
        "precare": visit.precare,
        "skin_response": {
            "erythema": visit.erythema,
            "frosting": visit.frosting,
            "bleeding": visit.bleeding,
        },
        "aftercare_given": visit.aftercare_given,
        "notes": visit.notes,
        "procedures": [
            {
                "procedure": t.procedure_name_en,
                "session_values": values(t.schema, t.values, t.reasons),
                "zones": [
                    {"zone": zone.zone, "values": values(t.schema, zone.values, zone.reasons)}
                    for zone in t.zones.all()
                ],
            }
            for t in visit.procedures.all()
        ],
        "products_used": [
            {
                "product": usage.lot.product.name,
                "manufacturer": usage.lot.product.manufacturer,
                "lot": usage.lot.lot_number,
                "expires_on": usage.lot.expires_on.isoformat(),
                "amount": str(usage.amount),
                "unit": usage.lot.product.unit,
                "purpose": usage.purpose,
                "zone": usage.zone,
            }
            for usage in visit.product_usages.all()
        ],
        "addenda": [
            {"written_at": a.written_at.isoformat(), "reason": a.reason, "text": a.text}
            for a in visit.addenda.all()
        ],
    }


def export_treatment_record(patient: PatientProfile) -> dict[str, Any]:
    """Every chart and adverse event of the patient, for their data export."""
    events = AdverseEvent.objects.filter(patient=patient).order_by("onset_on", "pk")
    return {
        "treatment_charts": [_export_chart(visit) for visit in charts_of_patient(patient)],
        "adverse_events": [
            {
                "session_date": event.appointment.start.date().isoformat(),
                "type": event.kind,
                "severity": event.severity,
                "onset": event.onset_on.isoformat(),
                "description": event.description,
                "treatment_given": event.treatment_given,
                "outcome": event.outcome,
                "resolved_on": event.resolved_on.isoformat() if event.resolved_on else None,
                "status": event.status,
                "source": event.source,
            }
            for event in events.select_related("appointment")
        ],
    }


def patient_appointment_context(appointment: Any) -> dict[str, Any]:
    """What the patient's appointment page shows of the record: chart, reports, the link."""
    happened = appointment.status in SESSION_HAPPENED
    visit = chart_for_appointment(appointment) if happened else None
    reports = list(
        AdverseEvent.objects.filter(appointment=appointment, source=AdverseEvent.Source.PATIENT)
        .select_related("assigned_to")
        .order_by("reported_at")
    )
    return {
        "appointment": appointment,
        "chart": plain_chart(visit) if visit is not None and visit.is_signed else None,
        "reports": reports,
        "can_report": happened,
    }
