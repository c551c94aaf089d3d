"""The grading page: who reaches it, the form and its errors, the worked sum, EN and RU."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.models import Appointment, AuditEntry, ScarGrading, TreatmentVisit
from patients.records.outcomes import services
from patients.records.selectors import latest_intake
from patients.records.treatment.tests.test_pages import chart_url

pytestmark = pytest.mark.django_db


def grading_url(visit_or_appointment: Any) -> str:
    appointment_id = (
        getattr(visit_or_appointment, "appointment_id", None) or visit_or_appointment.pk
    )
    return reverse("grading:visit", args=[appointment_id])


def is_ticked(page: str, scar_type: str) -> bool:
    """Is the scar type's box ticked on the form?"""
    return re.search(rf'value="{scar_type}"[^>]*checked', page) is not None


def grading_post(**extra: Any) -> dict[str, Any]:
    """Grade 3 overall, the cheeks 3 and 2; 12 icepicks with abnormal bases, 4 rolling areas."""
    data: dict[str, Any] = {
        "overall_grade": "3",
        "zone_cheek_left": "3",
        "zone_cheek_right": "2",
        "zone_forehead": "",
        "punched_deep_abnormal_count": "12",
        "shallow_broad_count": "4",
        "keloidal_area_cm2": "",
        "scar_types": ["icepick", "rolling", "boxcar_shallow"],
        "scar_types_reason": "",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("persona", "status"), [("practitioner", 200), ("manager", 200), ("receptionist", 403)]
)
def test_the_grading_page_is_for_clinicians_and_every_read_is_audited(
    client: Client,
    request: pytest.FixtureRequest,
    charted: Callable[..., TreatmentVisit],
    persona: str,
    status: int,
) -> None:
    visit = charted("tca-cross")
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(grading_url(visit))
    assert response.status_code == status
    audited = AuditEntry.objects.filter(
        actor=user, action=AuditEntry.Action.VIEW_CHART, detail__startswith="grading"
    )
    assert audited.count() == (1 if status == 200 else 0)
    assert client.post(grading_url(visit), grading_post()).status_code in (302, 403)
    assert ScarGrading.objects.exists() == (status == 200)


def test_patients_never_reach_the_grading_page(
    client: Client, charted: Callable[..., TreatmentVisit], patient: User, other_patient: User
) -> None:
    visit = charted("tca-cross")
    for user in (patient, other_patient):
        client.force_login(user)
        response = client.get(grading_url(visit))
        assert response.status_code in (302, 403, 404)
        assert "Qualitative grade" not in response.content.decode()
        assert client.post(grading_url(visit), grading_post()).status_code in (302, 403, 404)
    assert not ScarGrading.objects.exists()


def test_no_chart_no_grading_page(
    client: Client, checked_in: Callable[..., Appointment], patient: User, practitioner: User
) -> None:
    appointment = checked_in(patient, "tca-cross")
    client.force_login(practitioner)
    assert client.get(grading_url(appointment)).status_code == 404
    assert client.get(reverse("grading:visit", args=[987654])).status_code == 404


def test_the_chart_links_to_its_grading_and_shows_it(
    client: Client, charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("consultation")
    client.force_login(practitioner)
    page = client.get(chart_url(visit)).content.decode()
    assert grading_url(visit) in page
    assert "Grade the scars" in page
    services.grade_visit(visit=visit, by=practitioner, overall_grade=3, counts={"macular": 11})
    assert "Scar grading: grade 3, score 2" in client.get(chart_url(visit)).content.decode()


def test_a_grading_is_saved_and_its_worked_sum_shown(
    client: Client, charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("consultation")
    client.force_login(practitioner)
    page = client.get(grading_url(visit)).content.decode()
    assert "Qualitative grade (Goodman & Baron)" in page
    assert "Left cheek" in page
    assert "Punched-out scars with deep abnormal bases (&lt; 5 mm)" in page
    assert is_ticked(page, "icepick")
    assert not is_ticked(page, "keloid")
    # A new grading chooses its overall grade: nothing is preselected.
    assert '<option value="" selected>—</option>' in page

    response = client.post(grading_url(visit), grading_post(keloidal_area_cm2="5"))
    assert response.status_code == 302, response.content.decode()[:2000]
    grading = ScarGrading.objects.get()
    assert grading.zone_grades == {"cheek_left": 3, "cheek_right": 2}
    assert grading.score == 6 + 2 + 12
    page = client.get(grading_url(visit)).content.decode()
    assert "Overall grade 3 · quantitative score 20 of 84" in page
    # The worked sum: each line's band and points, then the total.
    assert "\u00d72" in page  # 12 scars: the 11-20 band (a multiplication sign)
    assert "5.0 cm²" in page
    assert "<strong>20</strong>" in page
    assert 'name="zone_cheek_left"' in page  # the chart is not signed: still editable
    assert '<option value="3" selected>' in page


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"overall_grade": ""}, "overall_grade", "This field is required."),
        ({"overall_grade": "7"}, "overall_grade", "Select a valid choice."),
        ({"zone_chin": "5"}, "zone_chin", "Select a valid choice."),
        ({"macular_count": "-2"}, "macular_count", "greater than or equal to 0"),
        ({"papular_count": "lots"}, "papular_count", "Enter a whole number."),
        ({"papular_count": "1000"}, "papular_count", "less than or equal to 999"),
        ({"keloidal_area_cm2": "-1"}, "keloidal_area_cm2", "greater than or equal to 0"),
        ({"scar_types": ["elbow"]}, "scar_types", "Select a valid choice."),
        ({"scar_types": ["keloid"]}, "scar_types_reason", "Say why the answers are corrected."),
    ],
)
def test_bad_input_is_a_form_error_not_a_500(
    client: Client,
    charted: Callable[..., TreatmentVisit],
    practitioner: User,
    extra: dict[str, Any],
    field: str,
    message: str,
) -> None:
    visit = charted("tca-cross")
    client.force_login(practitioner)
    response = client.post(grading_url(visit), grading_post(**extra))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert any(message in error for error in form.errors[field])
    assert message.replace("&", "&amp;") in response.content.decode()
    assert not ScarGrading.objects.exists()


def test_the_scar_types_are_corrected_from_the_grading_form(
    client: Client, charted: Callable[..., TreatmentVisit], practitioner: User, patient: User
) -> None:
    visit = charted("tca-cross")
    before = latest_intake(patient.patient_profile).number
    client.force_login(practitioner)
    response = client.post(
        grading_url(visit),
        grading_post(scar_types=["icepick", "keloid"], scar_types_reason="A keloid on the jaw."),
    )
    assert response.status_code == 302
    latest = latest_intake(patient.patient_profile)
    assert latest.number == before + 1
    assert set(latest.answers["scar_types"]) == {"icepick", "keloid"}
    assert latest.reason == "A keloid on the jaw."
    page = client.get(grading_url(visit)).content.decode()
    assert is_ticked(page, "keloid")
    assert not is_ticked(page, "rolling")


def test_a_signed_chart_shows_its_grading_read_only(
    client: Client, charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    services.grade_visit(visit=visit, by=practitioner, overall_grade=2, counts={"macular": 3})
    TreatmentVisit.objects.filter(pk=visit.pk).update(
        signed_at=visit.opened_at, signed_by=practitioner
    )
    client.force_login(practitioner)
    page = client.get(grading_url(visit)).content.decode()
    assert "The chart is signed: its grading is read-only." in page
    assert 'name="overall_grade"' not in page
    assert "Overall grade 2 · quantitative score 1 of 84" in page
    response = client.post(grading_url(visit), grading_post())
    assert response.status_code == 400
    assert "This chart is signed and read-only" in response.content.decode()
    assert ScarGrading.objects.get().overall_grade == 2


def test_the_grading_page_speaks_russian(
    client: Client, charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    services.grade_visit(visit=visit, by=practitioner, overall_grade=3, counts={"papular": 21})
    client.force_login(practitioner)
    client.cookies["django_language"] = "ru"
    page = client.get(grading_url(visit), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Оценка рубцов" in page
    assert "Общая степень 3 · количественный балл 6 из 84" in page
    assert "Папулёзные рубцы" in page
    assert "Левая щека" in page
    response = client.post(
        grading_url(visit), grading_post(overall_grade=""), HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert "Обязательное поле." in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"), [("practitioner", 200), ("manager", 200), ("receptionist", 403)]
)
def test_the_admin_shows_gradings_read_only_to_clinicians(
    client: Client,
    request: pytest.FixtureRequest,
    charted: Callable[..., TreatmentVisit],
    practitioner: User,
    persona: str,
    status: int,
) -> None:
    visit = charted("tca-cross")
    grading = services.grade_visit(visit=visit, by=practitioner, overall_grade=4)
    user = request.getfixturevalue(persona)
    client.force_login(user)
    change = reverse("admin:patients_scargrading_change", args=[grading.pk])
    assert client.get(reverse("admin:patients_scargrading_changelist")).status_code == status
    assert client.get(change).status_code == status
    assert AuditEntry.objects.filter(
        actor=user, detail__startswith="admin scargrading"
    ).exists() == (status == 200)
    delete = reverse("admin:patients_scargrading_delete", args=[grading.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.post(change, {"overall_grade": "1"}).status_code == 403
    assert ScarGrading.objects.get().overall_grade == 4
