"""The record's pages: the chart form, who sees what, audit rows, lots, the report."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.models import (
    AdverseEvent,
    Appointment,
    AuditEntry,
    OutboxMessage,
    ProductLot,
    TreatmentVisit,
)
from patients.records.treatment import services
from patients.records.treatment.tests.conftest import TODAY
from patients.records.treatment.tests.test_charts import complete_tca_cross
from patients.tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db


def chart_url(visit_or_appointment: Any) -> str:
    appointment_id = (
        getattr(visit_or_appointment, "appointment_id", None) or visit_or_appointment.pk
    )
    return reverse("treatment:chart", args=[appointment_id])


def chart_post(visit: TreatmentVisit, **extra: str) -> dict[str, str]:
    """The chart form as a browser posts it: TCA CROSS on the forehead and the chin."""
    t = visit.procedures.get().pk
    data = {
        "anaesthesia": "none",
        "precare-retinoids_stopped": "yes",
        "precare-antiviral_started": "na",
        "precare-no_recent_tan": "yes",
        "precare-skin_cleansed": "yes",
        "erythema": "mild",
        "frosting": "2",
        "bleeding": "none",
        "aftercare_given": "Petrolatum; no picking.",
        "notes": "",
        f"t{t}-concentration_percent": "80",
        f"t{t}-applicator": "toothpick",
        f"t{t}-zone-forehead": "on",
        f"t{t}-forehead-scars_treated": "12",
        f"t{t}-forehead-frosting": "3",
        f"t{t}-zone-chin": "on",
        f"t{t}-chin-scars_treated": "4",
        f"t{t}-chin-frosting": "2",
    }
    data.update(extra)
    return data


# --- who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"), [("practitioner", 200), ("manager", 200), ("receptionist", 403)]
)
def test_the_chart_page_follows_the_roles_and_every_read_is_audited(
    client: Client,
    request: pytest.FixtureRequest,
    charted: Callable[..., TreatmentVisit],
    persona: str,
    status: int,
) -> None:
    visit = charted("tca-cross")
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(chart_url(visit))
    assert response.status_code == status
    audited = AuditEntry.objects.filter(actor=user, action=AuditEntry.Action.VIEW_CHART)
    assert audited.count() == (1 if status == 200 else 0)
    if status == 200:
        page = response.content.decode()
        assert "Face map" in page
        assert "Concentration (%)" in page  # units everywhere
        assert "usual: 50\u2013100 %" in page


def test_patients_never_reach_the_staff_pages(
    client: Client, charted: Callable[..., TreatmentVisit], patient: User
) -> None:
    visit = charted("tca-cross")
    client.force_login(patient)
    response = client.get(chart_url(visit))
    assert response.status_code in (302, 403)
    assert "Face map" not in response.content.decode()


def test_a_chart_is_opened_only_after_check_in_from_its_page(
    client: Client, checked_in: Callable[..., Appointment], patient: User, practitioner: User
) -> None:
    appointment = checked_in(patient, "tca-cross")
    client.force_login(practitioner)
    page = client.get(chart_url(appointment)).content.decode()
    assert "Open the chart" in page
    response = client.post(reverse("treatment:chart-open", args=[appointment.pk]))
    assert response.status_code == 302
    assert TreatmentVisit.objects.filter(appointment=appointment).exists()


# --- the chart form --------------------------------------------------------------------------


def test_the_chart_form_saves_signs_and_turns_read_only(
    client: Client, charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    client.force_login(practitioner)
    response = client.post(chart_url(visit), chart_post(visit, sign="1"))
    assert response.status_code == 302, response.content.decode()[:3000]
    visit.refresh_from_db()
    assert visit.is_signed
    assert sorted(visit.procedures.get().zones.values_list("zone", flat=True)) == [
        "chin",
        "forehead",
    ]
    page = client.get(chart_url(visit)).content.decode()
    assert "Signed by Pavel Derm" in page
    assert 'name="aftercare_given"' not in page  # read-only now
    assert "Add the addendum" in page
    response = client.post(
        reverse("treatment:chart-addendum", args=[visit.appointment_id]),
        {"reason": "Patient called", "text": "Itching on day 2."},
    )
    assert response.status_code == 302
    assert "Itching on day 2." in client.get(chart_url(visit)).content.decode()


def test_a_bad_value_is_a_form_error_naming_the_field(
    client: Client, charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    t = visit.procedures.get().pk
    client.force_login(practitioner)
    response = client.post(
        chart_url(visit), chart_post(visit, **{f"t{t}-forehead-scars_treated": "500"})
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Outside the usual range (1\u2013100 count): give a reason." in page
    assert f'id="err_t{t}-forehead-scars_treated"' in page
    assert 'value="500"' in page  # what was typed is kept
    visit.refresh_from_db()
    assert not visit.procedures.get().zones.exists()
    response = client.post(
        chart_url(visit),
        chart_post(
            visit,
            **{
                f"t{t}-forehead-scars_treated": "500",
                f"t{t}-forehead-scars_treated-reason": "dense field",
            },
        ),
    )
    assert response.status_code == 302


def test_signing_an_incomplete_chart_says_what_is_missing(
    client: Client, charted: Callable[..., TreatmentVisit], practitioner: User
) -> None:
    visit = charted("tca-cross")
    client.force_login(practitioner)
    data = chart_post(visit, sign="1", erythema="")
    response = client.post(chart_url(visit), data)
    assert response.status_code == 400
    assert "Note the immediate skin response." in response.content.decode()
    visit.refresh_from_db()
    assert not visit.is_signed


def test_a_lot_is_used_once_from_the_chart_page_even_posted_twice(
    client: Client, charted: Callable[..., TreatmentVisit], practitioner: User, lot: ProductLot
) -> None:
    visit = charted("hyaluronic-filler")
    client.force_login(practitioner)
    url = reverse("treatment:chart-use-lot", args=[visit.appointment_id])
    form = {
        "lot": "",
        "lot_number": "rf-2026-001",
        "amount": "0,8",
        "purpose": "treatment",
        "zone": "cheek_left",
    }
    for _post in range(2):
        assert client.post(url, form).status_code == 302
    lot.refresh_from_db()
    assert str(lot.quantity_left) == "9.20"
    response = client.post(url, {**form, "lot_number": "NOPE"})
    assert response.status_code == 400
    assert "There is no lot with this number." in response.content.decode()


# --- lots, recall and the report (managers) ----------------------------------------------------


def test_the_lot_search_page_csv_and_recall_are_for_managers(
    client: Client,
    charted: Callable[..., TreatmentVisit],
    practitioner: User,
    manager: User,
    lot: ProductLot,
    patient: User,
) -> None:
    visit = charted("hyaluronic-filler")
    services.use_lot(visit=visit, lot=lot, amount="1", by=practitioner, zone="chin")
    client.force_login(practitioner)
    assert client.get(reverse("treatment:lots")).status_code == 403
    client.force_login(manager)
    page = client.get(reverse("treatment:lots"), {"q": "RF-2026"}).content.decode()
    assert "RF-2026-001" in page
    detail = client.get(reverse("treatment:lot", args=[lot.pk]))
    assert "Alice Archer" in detail.content.decode()
    assert AuditEntry.objects.filter(
        actor=manager, action=AuditEntry.Action.VIEW_LOT_RECIPIENTS, patient=patient.patient_profile
    ).exists()
    export = client.get(reverse("treatment:lot-csv", args=[lot.pk]))
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[1][1] == "Alice Archer"
    response = client.post(
        reverse("treatment:lot", args=[lot.pk]), {"reason": "Manufacturer notice"}
    )
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.LOT_RECALL).count() == 1


def test_the_events_report_counts_per_100_sessions(
    client: Client, charted: Callable[..., TreatmentVisit], practitioner: User, manager: User
) -> None:
    visit = charted("tca-cross")
    services.record_adverse_event(
        appointment=visit.appointment, by=practitioner, kind="burn", severity="mild", onset_on=TODAY
    )
    client.force_login(manager)
    response = client.get(
        reverse("treatment:events-report"), {"start": TODAY.isoformat(), "end": TODAY.isoformat()}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 event in 1 session: 100.0 per 100 sessions." in page
    client.force_login(practitioner)
    assert client.get(reverse("treatment:events-report")).status_code == 403


# --- the patient -----------------------------------------------------------------------------


def test_the_patient_reports_a_problem_and_sees_who_looks_at_it(
    client: Client,
    checked_in: Callable[..., Appointment],
    patient: User,
    other_patient: User,
) -> None:
    appointment = checked_in(patient, "tca-cross")
    url = reverse("my-treatment:report-problem", args=[appointment.pk])
    client.force_login(other_patient)
    assert client.get(url).status_code == 404
    client.force_login(patient)
    response = client.post(
        url,
        {
            "what": "Redness on the forehead",
            "since": TODAY.isoformat(),
            "photos": [SimpleUploadedFile("red.jpg", jpeg_bytes(), content_type="image/jpeg")],
        },
    )
    assert response.status_code == 302
    event = AdverseEvent.objects.get()
    assert event.status == AdverseEvent.Status.NEW
    assert event.photo_links.count() == 1
    page = client.get(reverse("patients:appointment", args=[appointment.pk])).content.decode()
    assert "Problems you reported" in page
    assert f"{appointment.practitioner.user.get_full_name()} is looking at it." in page


def test_the_patient_sees_their_signed_chart_in_plain_words(
    client: Client,
    charted: Callable[..., TreatmentVisit],
    practitioner: User,
    patient: User,
    settings: Any,
) -> None:
    visit = charted("tca-cross")
    complete_tca_cross(visit, practitioner, zones=("forehead", "chin"))
    url = reverse("patients:appointment", args=[visit.appointment_id])
    client.force_login(patient)
    assert "What was done" not in client.get(url).content.decode()  # not signed yet
    services.sign_chart(visit=visit, by=practitioner)
    page = client.get(url).content.decode()
    assert "What was done" in page
    assert "Forehead, Chin" in page
    assert "Concentration" not in page  # no device internals...
    # From the session to how the scars changed and to its photos' comparison.
    assert f'<a href="{reverse("patients:progress")}">My progress</a>' in page
    assert f'<a href="{reverse("my-photos:compare")}">Compare my sessions</a>' in page
    russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Подписано:" in russian
    assert "г.." not in russian  # noqa: RUF001 (the Russian date ends the sentence)
    settings.PATIENT_CHART_SHOWS_SETTINGS = True
    assert "Concentration: 80 %" in client.get(url).content.decode()  # ...unless the clinic says so
