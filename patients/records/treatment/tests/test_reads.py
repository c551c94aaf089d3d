"""Reads of the record: query counts, the receptionist's one fact, plain words, the export,
and the manager's events report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from clinic.models import User
from patients.models import FaceZone, ProductLot, TreatmentVisit
from patients.records.treatment import reports, selectors, services
from patients.records.treatment.plain import export_treatment_record, plain_chart
from patients.records.treatment.tests.conftest import TODAY
from patients.records.treatment.tests.test_charts import complete_tca_cross
from procedures.models import Procedure

pytestmark = pytest.mark.django_db


def read_everything(visit: TreatmentVisit) -> None:
    for treatment in visit.procedures.all():
        for zone in treatment.zones.all():
            assert zone.values is not None
    for usage in visit.product_usages.all():
        assert usage.lot.product.name
    list(visit.addenda.all())


def test_a_chart_is_read_in_the_same_queries_for_one_zone_and_every_zone(
    charted: Callable[..., TreatmentVisit],
    practitioner: User,
    lot: ProductLot,
    django_assert_num_queries: Callable[..., object],
) -> None:
    small = charted("hyaluronic-filler")
    services.record_zone_values(
        treatment=small.procedures.get(), zone="chin", values={"volume_ml": "0.5"}, by=practitioner
    )
    large = charted("subcision", hour=12)
    services.add_procedure(
        visit=large, procedure=Procedure.objects.get(slug="tca-cross"), by=practitioner
    )
    for treatment in large.procedures.all():
        for zone in FaceZone.values:
            services.record_zone_values(treatment=treatment, zone=zone, values={}, by=practitioner)
    for zone in FaceZone.values:
        services.use_lot(visit=large, lot=lot, amount="0.1", by=practitioner, zone=zone)
    for visit in (small, large):
        with django_assert_num_queries(5):
            read_everything(selectors.chart_for_appointment(visit.appointment_id))


def test_a_receptionist_learns_only_which_charts_are_signed(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    signed = charted("tca-cross")
    complete_tca_cross(signed, practitioner)
    services.sign_chart(visit=signed, by=practitioner)
    draft = charted("subcision", hour=12)
    ids = [signed.appointment_id, draft.appointment_id]
    assert selectors.signed_appointment_ids(ids) == {signed.appointment_id}


def test_the_patient_reads_their_chart_in_plain_words(
    charted: Callable[..., TreatmentVisit], practitioner: User, lot: ProductLot
) -> None:
    visit = charted("hyaluronic-filler")
    treatment = visit.procedures.get()
    services.record_zone_values(
        treatment=treatment,
        zone="cheek_left",
        values={"volume_ml": "0.6", "technique": "cannula", "depth": "subdermal"},
        by=practitioner,
    )
    services.use_lot(visit=visit, lot=lot, amount="0.6", by=practitioner, zone="cheek_left")
    plain = plain_chart(selectors.chart_for_appointment(visit.appointment_id), with_settings=False)
    assert [(p.name, p.zones, p.settings) for p in plain.procedures] == [
        ("Hyaluronic acid filler", ["Left cheek"], [])
    ]
    assert plain.products == ["Restylane Refyne (RF-2026-001)"]
    detailed = plain_chart(
        selectors.chart_for_appointment(visit.appointment_id), with_settings=True
    )
    assert ("Left cheek: Volume", "0.6 ml") in detailed.procedures[0].settings
    assert ("Left cheek: Needle or cannula", "Cannula") in detailed.procedures[0].settings


def test_the_data_export_holds_the_whole_record(
    charted: Callable[..., TreatmentVisit], practitioner: User, patient: User
) -> None:
    visit = charted("tca-cross")
    complete_tca_cross(visit, practitioner, zones=("forehead",))
    services.sign_chart(visit=visit, by=practitioner)
    services.add_addendum(visit=visit, by=practitioner, reason="Call", text="All well.")
    services.record_adverse_event(
        appointment=visit.appointment,
        by=practitioner,
        kind="prolonged_erythema",
        severity="mild",
        onset_on=TODAY,
    )
    data = export_treatment_record(patient.patient_profile)
    chart = data["treatment_charts"][0]
    assert chart["session_date"] == TODAY.isoformat()
    assert chart["signed_by"] == "Pavel Derm"
    assert chart["procedures"][0]["zones"][0]["zone"] == "forehead"
    assert {"parameter": "Scars treated", "value": "12 count", "reason_out_of_range": ""} in (
        chart["procedures"][0]["zones"][0]["values"]
    )
    assert chart["addenda"][0]["text"] == "All well."
    assert data["adverse_events"][0]["type"] == "prolonged_erythema"


def test_the_events_report_per_procedure_device_lot_and_practitioner(
    charted: Callable[..., TreatmentVisit],
    practitioner: User,
    lot: ProductLot,
    other_patient: User,
) -> None:
    laser = charted("fractional-laser")
    services.record_session_values(
        treatment=laser.procedures.get(),
        values={"device": "erbium_glass_1550"},
        by=practitioner,
    )
    services.record_adverse_event(
        appointment=laser.appointment,
        by=practitioner,
        kind="burn",
        severity="moderate",
        onset_on=TODAY,
    )
    # Another patient's: a filler the day of a fractional laser is a washout (rules-v2.md).
    filler = charted("hyaluronic-filler", user=other_patient, hour=12)
    services.use_lot(visit=filler, lot=lot, amount="1", by=practitioner, zone="chin")
    # A patient's report waits for triage before it counts.
    services.report_problem(
        appointment=filler.appointment, by=other_patient, what="Lump", since=TODAY
    )
    report = reports.events_report(start=TODAY - dt.timedelta(days=1), end=TODAY)
    assert (report.sessions, report.events, report.rate) == (2, 1, Decimal("50.0"))
    assert [(r.label, r.sessions, r.events, r.rate) for r in report.by_procedure] == [
        ("Fractional laser resurfacing", 1, 1, Decimal("100.0")),
        ("Hyaluronic acid filler", 1, 0, Decimal("0.0")),
    ]
    assert [r.label for r in report.by_device] == [
        "Fractional laser resurfacing: Erbium glass 1550 nm"
    ]
    assert [(r.label, r.events) for r in report.by_lot] == [("Restylane Refyne — RF-2026-001", 0)]
    assert [(r.sessions, r.events) for r in report.by_practitioner] == [(2, 1)]
    assert report.by_kind == [("Burn", 1)]
    empty = reports.events_report(
        start=TODAY + dt.timedelta(days=1), end=TODAY + dt.timedelta(days=2)
    )
    assert (empty.sessions, empty.rate) == (0, Decimal(0))
