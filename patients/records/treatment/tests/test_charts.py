"""Opening a chart, adding a procedure to the visit, recording values, signing, addenda."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import ProtectedError

from clinic.models import User
from patients.models import (
    Appointment,
    ChartAddendum,
    ErasureRequest,
    ImmutableRowError,
    ParameterSchema,
    TreatmentVisit,
    TreatmentZone,
)
from patients.records.treatment import services
from patients.records.treatment.errors import ChartSigned, Forbidden, RecordError, RecordLocked
from patients.records.treatment.parameters import ParameterErrors
from patients.records.treatment.services import signing
from patients.records.treatment.tests.conftest import TODAY
from procedures.models import Procedure

pytestmark = pytest.mark.django_db

COMPLETE_VISIT: dict[str, Any] = {
    "precare": {
        "retinoids_stopped": "yes",
        "antiviral_started": "na",
        "no_recent_tan": "yes",
        "skin_cleansed": "yes",
    },
    "erythema": "mild",
    "frosting": "2",
    "bleeding": "none",
    "aftercare_given": "Petrolatum twice a day; no picking scabs.",
}


def complete_tca_cross(
    visit: TreatmentVisit, by: User, zones: tuple[str, ...] = ("forehead",)
) -> None:
    treatment = visit.procedures.get()
    services.record_session_values(
        treatment=treatment,
        values={"concentration_percent": "80", "applicator": "toothpick"},
        by=by,
    )
    for zone in zones:
        services.record_zone_values(
            treatment=treatment, zone=zone, values={"scars_treated": "12", "frosting": "3"}, by=by
        )
    services.record_visit_details(visit=visit, by=by, **COMPLETE_VISIT)
    visit.refresh_from_db()


# --- opening ---------------------------------------------------------------------------------


def test_a_chart_opens_only_once_the_patient_is_checked_in(
    checked_in: Callable[..., Appointment], patient: User, practitioner: User, receptionist: User
) -> None:
    appointment = checked_in(patient, "tca-cross")
    appointment.status = Appointment.Status.CONFIRMED
    appointment.save(update_fields=["status"])
    with pytest.raises(RecordError) as caught:
        services.open_chart(appointment=appointment, by=practitioner)
    assert caught.value.code == "not_checked_in"
    assert not TreatmentVisit.objects.exists()

    appointment.status = Appointment.Status.CHECKED_IN
    appointment.save(update_fields=["status"])
    visit = services.open_chart(appointment=appointment, by=practitioner)
    assert services.open_chart(appointment=appointment, by=practitioner) == visit
    assert TreatmentVisit.objects.count() == 1
    with pytest.raises(Forbidden):
        services.open_chart(appointment=appointment, by=receptionist)


def test_a_new_chart_carries_the_schema_and_the_aftercare_template(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    procedure = Procedure.objects.get(slug="tca-cross")
    treatment = visit.procedures.get()
    assert treatment.is_booked
    assert treatment.procedure == procedure
    assert treatment.schema == ParameterSchema.objects.get(procedure=procedure).snapshot()
    assert {p["key"] for p in treatment.schema} >= {"concentration_percent", "scars_treated"}
    assert visit.aftercare_given == procedure.aftercare_en
    assert visit.session_on == TODAY
    assert visit.practitioner == visit.appointment.practitioner
    # A later edit of the schema never rewrites the chart's copy.
    schema = ParameterSchema.objects.get(procedure=procedure)
    schema.definitions.filter(key="applicator").update(label_en="Tool")
    treatment.refresh_from_db()
    assert treatment.schema[1]["label_en"] == "Applicator"


# --- a second procedure in the same visit -----------------------------------------------------


def test_a_second_procedure_is_added_to_the_same_visit(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("subcision")
    added = services.add_procedure(
        visit=visit, procedure=Procedure.objects.get(slug="tca-cross"), by=practitioner
    )
    assert not added.is_booked
    assert added.screening_outcome == "ok"
    assert [t.procedure.slug for t in visit.procedures.all()] == ["subcision", "tca-cross"]
    with pytest.raises(RecordError) as caught:
        services.add_procedure(visit=visit, procedure=added.procedure, by=practitioner)
    assert caught.value.code == "already_charted"


def test_a_procedure_screening_blocks_is_refused(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    # A pacemaker blocks microcurrent (absolute) and is no concern for a glycolic peel.
    visit = charted("glycolic-peel", pacemaker=True)
    with pytest.raises(RecordError) as caught:
        services.add_procedure(
            visit=visit, procedure=Procedure.objects.get(slug="microcurrent"), by=practitioner
        )
    assert caught.value.code == "screening_blocked"
    assert caught.value.field == "procedure"
    assert "pacemaker" in str(caught.value)
    assert visit.procedures.count() == 1


def test_adding_a_procedure_needs_its_consent(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    with pytest.raises(RecordError) as caught:
        services.add_procedure(
            visit=visit, procedure=Procedure.objects.get(slug="mesotherapy"), by=practitioner
        )
    assert caught.value.code == "consent_required"


# --- values ----------------------------------------------------------------------------------


def test_zone_values_are_checked_against_the_schema(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    treatment = visit.procedures.get()
    with pytest.raises(ParameterErrors) as caught:
        services.record_zone_values(
            treatment=treatment, zone="forehead", values={"scars_treated": "150"}, by=practitioner
        )
    assert "give a reason" in str(caught.value.errors["scars_treated"])
    assert not TreatmentZone.objects.exists()

    zone = services.record_zone_values(
        treatment=treatment,
        zone="forehead",
        values={"scars_treated": "150", "frosting": "2"},
        reasons={"scars_treated": "dense icepick field, agreed with the patient"},
        by=practitioner,
    )
    assert zone.values == {"scars_treated": "150", "frosting": "2"}
    assert zone.reasons == {"scars_treated": "dense icepick field, agreed with the patient"}
    # Saving the zone again replaces its values: still one row.
    services.record_zone_values(
        treatment=treatment, zone="forehead", values={"scars_treated": "20"}, by=practitioner
    )
    zone.refresh_from_db()
    assert zone.values == {"scars_treated": "20"}
    assert zone.reasons == {}
    with pytest.raises(RecordError) as unknown:
        services.record_zone_values(treatment=treatment, zone="ear", values={}, by=practitioner)
    assert unknown.value.code == "unknown_zone"
    services.clear_zone(treatment=treatment, zone="forehead", by=practitioner)
    assert not TreatmentZone.objects.exists()


def test_session_values_are_checked_against_the_schema(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    treatment = charted("tca-cross").procedures.get()
    with pytest.raises(ParameterErrors):
        services.record_session_values(
            treatment=treatment, values={"applicator": "spoon"}, by=practitioner
        )
    services.record_session_values(
        treatment=treatment, values={"concentration_percent": "100"}, by=practitioner
    )
    treatment.refresh_from_db()
    assert treatment.values == {"concentration_percent": "100"}


def test_visit_details_refuse_unknown_choices(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    with pytest.raises(RecordError) as caught:
        services.record_visit_details(visit=visit, by=practitioner, erythema="purple")
    assert caught.value.field == "erythema"
    with pytest.raises(RecordError):
        services.record_visit_details(
            visit=visit, by=practitioner, precare={"retinoids_stopped": "maybe"}
        )


# --- signing and addenda ---------------------------------------------------------------------


def test_signing_lists_what_is_missing_then_signs(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    services.record_visit_details(visit=visit, by=practitioner, aftercare_given="")
    visit.refresh_from_db()
    problems = [str(p) for p in services.signing_problems(visit)]
    assert any("Concentration" in p for p in problems)
    assert any("mark the treated zones" in p for p in problems)
    assert any("pre-care" in p for p in problems)
    assert "Note the immediate skin response." in problems
    assert "Write down the after-care given." in problems
    assert not services.can_sign(visit)
    with pytest.raises(RecordError) as caught:
        services.sign_chart(visit=visit, by=practitioner)
    assert caught.value.code == "chart_incomplete"

    complete_tca_cross(visit, practitioner, zones=("forehead", "cheek_left", "cheek_right"))
    assert services.signing_problems(visit) == []
    assert services.can_sign(visit)
    signed = services.sign_chart(visit=visit, by=practitioner)
    assert signed.signed_by == practitioner
    assert signed.signed_at is not None
    assert not services.can_sign(signed)
    with pytest.raises(ChartSigned):
        services.sign_chart(visit=visit, by=practitioner)


def test_a_zone_missing_a_required_value_blocks_signing(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    complete_tca_cross(visit, practitioner)
    services.record_zone_values(
        treatment=visit.procedures.get(), zone="chin", values={"frosting": "1"}, by=practitioner
    )
    problems = [str(p) for p in services.signing_problems(visit)]
    assert problems == ["TCA CROSS (focal trichloroacetic acid), Chin: give Scars treated."]


def test_anaesthesia_needs_its_lot_before_signing(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    complete_tca_cross(visit, practitioner)
    services.record_visit_details(
        visit=visit, by=practitioner, **{**COMPLETE_VISIT, "anaesthesia": "topical"}
    )
    visit.refresh_from_db()
    assert [str(p) for p in services.signing_problems(visit)] == [
        "Record the anaesthetic's lot and amount."
    ]


def test_other_features_add_a_signing_condition(
    charted: Callable[..., TreatmentVisit], practitioner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    visit = charted("tca-cross")
    complete_tca_cross(visit, practitioner)
    monkeypatch.setattr(signing, "_conditions", list(signing._conditions))

    @services.signing_condition
    def photos_required(chart: TreatmentVisit) -> list[str]:
        return ["Take the standard photos."]

    services.signing_condition(photos_required)  # twice: still one copy
    assert services.signing_problems(visit) == ["Take the standard photos."]
    assert not services.can_sign(visit)


def test_a_signed_chart_is_read_only_and_changes_are_addenda(
    charted: Callable[..., TreatmentVisit], practitioner: User, manager: User, receptionist: User
) -> None:
    visit = charted("tca-cross")
    with pytest.raises(RecordError) as early:
        services.add_addendum(visit=visit, by=practitioner, reason="typo", text="x")
    assert early.value.code == "chart_not_signed"
    complete_tca_cross(visit, practitioner)
    services.sign_chart(visit=visit, by=practitioner)
    treatment = visit.procedures.get()
    for change in (
        lambda: services.record_zone_values(
            treatment=treatment, zone="chin", values={"scars_treated": "3"}, by=practitioner
        ),
        lambda: services.record_session_values(treatment=treatment, values={}, by=practitioner),
        lambda: services.record_visit_details(visit=visit, by=practitioner, notes="later"),
        lambda: services.clear_zone(treatment=treatment, zone="forehead", by=practitioner),
        lambda: services.add_procedure(
            visit=visit, procedure=Procedure.objects.get(slug="subcision"), by=practitioner
        ),
    ):
        with pytest.raises(ChartSigned):
            change()

    with pytest.raises(RecordError) as no_reason:
        services.add_addendum(visit=visit, by=manager, reason="  ", text="Called the patient.")
    assert no_reason.value.field == "reason"
    with pytest.raises(Forbidden):
        services.add_addendum(visit=visit, by=receptionist, reason="r", text="t")
    addendum = services.add_addendum(
        visit=visit, by=manager, reason="Patient called", text="Mild itching on day 2."
    )
    assert (addendum.written_by, addendum.reason) == (manager, "Patient called")
    addendum.text = "changed"
    with pytest.raises(ImmutableRowError):
        addendum.save()
    assert list(ChartAddendum.objects.values_list("text", flat=True)) == ["Mild itching on day 2."]


# --- nothing is deleted; the erasure lock ------------------------------------------------------


def test_nothing_in_the_record_can_be_deleted(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    with pytest.raises(ImmutableRowError):
        visit.delete()
    with pytest.raises(ImmutableRowError):
        TreatmentVisit.objects.all().delete()
    with pytest.raises(ImmutableRowError):
        visit.procedures.get().delete()
    with pytest.raises(ProtectedError):
        Appointment.objects.filter(pk=visit.appointment_id).delete()


def test_an_erasure_locks_the_record_instead_of_deleting_it(
    charted: Callable[..., TreatmentVisit], practitioner: User, patient: User
) -> None:
    visit = charted("tca-cross")
    complete_tca_cross(visit, practitioner)
    erasure = ErasureRequest.objects.create(
        patient=patient.patient_profile, requested_at=visit.opened_at
    )
    lock = services.lock_record_for_erasure(erasure=erasure)
    assert lock.locked_until == TODAY.replace(year=TODAY.year + 25)
    assert services.lock_record_for_erasure(erasure=erasure) == lock
    assert services.record_is_locked(patient.patient_profile)
    assert not services.can_sign(visit)
    with pytest.raises(RecordLocked):
        services.sign_chart(visit=visit, by=practitioner)
    with pytest.raises(RecordLocked):
        services.record_visit_details(visit=visit, by=practitioner, notes="x")
    assert TreatmentVisit.objects.filter(pk=visit.pk).exists()


def test_the_chart_form_is_saved_whole_or_not_at_all(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    treatment = visit.procedures.get()
    services.record_zone_values(
        treatment=treatment, zone="nose", values={"scars_treated": "2"}, by=practitioner
    )
    details = {**COMPLETE_VISIT, "notes": "Tolerated well"}
    good = services.TreatmentEntry(
        values={"concentration_percent": "80", "applicator": "needle"},
        reasons={},
        zones={
            "forehead": ({"scars_treated": "10", "frosting": "3"}, {}),
            "chin": ({"scars_treated": "4", "frosting": "2"}, {}),
        },
    )
    bad = services.TreatmentEntry(
        values={"concentration_percent": "120"},
        reasons={},
        zones={"forehead": ({"scars_treated": "x"}, {}), "ear": ({}, {})},
    )
    with pytest.raises(services.ChartErrors) as caught:
        services.save_chart(
            visit=visit, by=practitioner, details=details, entries={treatment.pk: bad}
        )
    assert set(caught.value.errors) == {
        (treatment.pk, "", "concentration_percent"),
        (treatment.pk, "forehead", "scars_treated"),
        (treatment.pk, "ear", ""),
    }
    visit.refresh_from_db()
    assert visit.notes == ""
    services.save_chart(visit=visit, by=practitioner, details=details, entries={treatment.pk: good})
    visit.refresh_from_db()
    assert visit.notes == "Tolerated well"
    assert sorted(treatment.zones.values_list("zone", flat=True)) == ["chin", "forehead"]
    assert services.signing_problems(visit) == []
