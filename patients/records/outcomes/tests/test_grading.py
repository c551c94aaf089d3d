"""Grading a visit: the service, the stored score, the rules of the chart, the time series."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from clinic.models import User
from patients.models import (
    AuditEntry,
    ErasureRequest,
    ImmutableRowError,
    IntakeVersion,
    ScarGrading,
    TreatmentVisit,
)
from patients.records.outcomes import services
from patients.records.outcomes.selectors import gradings_for_patient
from patients.records.selectors import latest_intake
from patients.records.treatment import services as chart_services
from patients.records.treatment.errors import ChartSigned, Forbidden, RecordError, RecordLocked

pytestmark = pytest.mark.django_db


def test_a_grading_stores_the_computed_score_and_who_graded(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    grading = services.grade_visit(
        visit=visit,
        by=practitioner,
        overall_grade=3,
        zone_grades={"cheek_left": 3, "cheek_right": 2, "forehead": 1},
        counts={"punched_deep_abnormal": 12, "shallow_broad": 4},
        keloidal_area_cm2="0",
    )
    grading.refresh_from_db()
    assert grading.score == 3 * 2 + 2 * 1
    assert grading.overall_grade == 3
    assert grading.zone_grades == {"cheek_left": 3, "cheek_right": 2, "forehead": 1}
    assert grading.counts()["punched_deep_abnormal"] == 12
    assert grading.graded_by == practitioner
    assert grading.graded_on == visit.session_on
    assert grading.patient_id == visit.patient_id


def test_grading_again_corrects_the_one_grading_of_the_chart(
    charted: Callable[..., TreatmentVisit], practitioner: User, manager: User
) -> None:
    visit = charted("tca-cross")
    services.grade_visit(visit=visit, by=practitioner, overall_grade=3, counts={"macular": 30})
    services.grade_visit(
        visit=visit, by=manager, overall_grade=2, counts={"macular": 5}, keloidal_area_cm2="5"
    )
    grading = ScarGrading.objects.get()
    assert (grading.overall_grade, grading.score, grading.graded_by) == (2, 1 + 12, manager)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"overall_grade": 5}, "overall_grade"),
        ({"overall_grade": 0}, "overall_grade"),
        ({"overall_grade": True}, "overall_grade"),
        ({"overall_grade": 2, "zone_grades": {"cheek_left": 7}}, "zone_cheek_left"),
        ({"overall_grade": 2, "zone_grades": {"elbow": 2}}, "zone_grades"),
        ({"overall_grade": 2, "counts": {"macular": -1}}, "macular_count"),
        ({"overall_grade": 2, "counts": {"papular": 1000}}, "papular_count"),
        ({"overall_grade": 2, "keloidal_area_cm2": "-1"}, "keloidal_area_cm2"),
        ({"overall_grade": 2, "keloidal_area_cm2": "lots"}, "keloidal_area_cm2"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    charted: Callable[..., TreatmentVisit], practitioner: User, kwargs: dict, field: str
) -> None:
    visit = charted("tca-cross")
    with pytest.raises(RecordError) as caught:
        services.grade_visit(visit=visit, by=practitioner, **kwargs)
    assert caught.value.field == field
    assert not ScarGrading.objects.exists()


def test_only_clinicians_grade(
    charted: Callable[..., TreatmentVisit], receptionist: User, patient: User
) -> None:
    visit = charted("tca-cross")
    for user in (receptionist, patient):
        with pytest.raises(Forbidden):
            services.grade_visit(visit=visit, by=user, overall_grade=2)
    assert not ScarGrading.objects.exists()


def test_a_signed_chart_keeps_its_grading(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    services.grade_visit(visit=visit, by=practitioner, overall_grade=3)
    TreatmentVisit.objects.filter(pk=visit.pk).update(
        signed_at=visit.opened_at, signed_by=practitioner
    )
    with pytest.raises(ChartSigned):
        services.grade_visit(visit=visit, by=practitioner, overall_grade=1)
    assert ScarGrading.objects.get().overall_grade == 3


def test_a_locked_record_is_not_graded(
    charted: Callable[..., TreatmentVisit], practitioner: User, patient: User
) -> None:
    visit = charted("tca-cross")
    erasure = ErasureRequest.objects.create(
        patient=patient.patient_profile, requested_at=visit.opened_at
    )
    chart_services.lock_record_for_erasure(erasure=erasure)
    with pytest.raises(RecordLocked):
        services.grade_visit(visit=visit, by=practitioner, overall_grade=3)


def test_a_grading_is_never_deleted(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    grading = services.grade_visit(visit=visit, by=practitioner, overall_grade=3)
    with pytest.raises(ImmutableRowError):
        grading.delete()
    with pytest.raises(ImmutableRowError):
        ScarGrading.objects.all().delete()


def test_the_consultation_is_graded_on_its_chart(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("consultation")
    grading = services.grade_visit(visit=visit, by=practitioner, overall_grade=3)
    assert grading.visit.appointment.procedure.slug == "consultation"


# --- the scar types seen ---------------------------------------------------------------------


def test_the_scar_types_seen_are_the_intakes(
    charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    assert services.scar_types_seen(visit) == {"icepick", "rolling", "boxcar_shallow"}


def test_changing_the_scar_types_corrects_the_intake_as_the_intake_page_does(
    charted: Callable[..., TreatmentVisit], practitioner: User, patient: User
) -> None:
    visit = charted("tca-cross")
    before = latest_intake(patient.patient_profile)
    services.grade_visit(
        visit=visit,
        by=practitioner,
        overall_grade=3,
        scar_types={"icepick", "boxcar_deep"},
        scar_types_reason="Boxcars are deeper than the patient thought.",
    )
    after = latest_intake(patient.patient_profile)
    assert after.number == before.number + 1
    assert after.source == IntakeVersion.Source.PRACTITIONER_CORRECTION
    assert set(after.answers["scar_types"]) == {"icepick", "boxcar_deep"}
    assert after.answers["fitzpatrick"] == before.answers["fitzpatrick"]
    assert after.clinician_confirmed
    assert AuditEntry.objects.filter(
        patient=patient.patient_profile, action=AuditEntry.Action.CORRECT_INTAKE
    ).exists()
    assert services.scar_types_seen(visit) == {"icepick", "boxcar_deep"}


def test_unchanged_scar_types_store_no_new_intake_version(
    charted: Callable[..., TreatmentVisit], practitioner: User, patient: User
) -> None:
    visit = charted("tca-cross")
    before = latest_intake(patient.patient_profile)
    services.grade_visit(
        visit=visit,
        by=practitioner,
        overall_grade=3,
        scar_types={"rolling", "icepick", "boxcar_shallow"},
    )
    assert latest_intake(patient.patient_profile).number == before.number


def test_a_correction_needs_a_reason_and_then_nothing_is_stored(
    charted: Callable[..., TreatmentVisit], practitioner: User, patient: User
) -> None:
    visit = charted("tca-cross")
    before = latest_intake(patient.patient_profile)
    with pytest.raises(RecordError) as caught:
        services.grade_visit(visit=visit, by=practitioner, overall_grade=3, scar_types={"keloid"})
    assert (caught.value.code, caught.value.field) == ("reason_required", "scar_types_reason")
    assert latest_intake(patient.patient_profile).number == before.number
    assert not ScarGrading.objects.exists()


# --- the time series -------------------------------------------------------------------------


def test_gradings_for_patient_is_the_time_series_oldest_first(
    charted: Callable[..., TreatmentVisit],
    practitioner: User,
    patient: User,
    other_patient: User,
    django_assert_num_queries: Callable[..., object],
) -> None:
    consultation = charted("consultation")
    session = charted("tca-cross", hour=11)
    bobs = charted("tca-cross", user=other_patient, hour=12)
    TreatmentVisit.objects.filter(pk=consultation.pk).update(
        session_on=consultation.session_on.replace(day=1, month=5)
    )
    consultation.refresh_from_db()
    services.grade_visit(visit=session, by=practitioner, overall_grade=2, counts={"macular": 4})
    services.grade_visit(
        visit=consultation, by=practitioner, overall_grade=3, keloidal_area_cm2=Decimal(6)
    )
    services.grade_visit(visit=bobs, by=practitioner, overall_grade=4)
    with django_assert_num_queries(1):
        points = gradings_for_patient(patient.patient_profile)
    assert [(p.graded_on, p.overall_grade, p.score, p.procedure_slug) for p in points] == [
        (consultation.session_on, 3, 12, "consultation"),
        (session.session_on, 2, 1, "tca-cross"),
    ]
    assert points[0].visit_id == consultation.pk
    assert points[1].appointment_id == session.appointment_id
    assert gradings_for_patient(other_patient.patient_profile)[0].overall_grade == 4
