"""The patient API: token, availability, appointments (list, book, cancel, move), every error
shape, who gets in, and the schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.models import User
from patients.booking.services import book_appointment
from patients.models import Appointment
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready

pytestmark = pytest.mark.django_db

S = Appointment.Status


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow."""


def api_for(user: User) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def post_booking(client: APIClient, **body: Any) -> Any:
    return client.post("/api/v1/appointments/", body, format="json")


# --- token ----------------------------------------------------------------------------------


def test_token_for_good_credentials(patient: User) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"email": "alice@example.test", "password": "pw-patient"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=patient).key}


def test_token_bad_credentials_and_bad_input(patient: User) -> None:
    client = APIClient()
    wrong = client.post(
        "/api/v1/auth/token/", {"email": "alice@example.test", "password": "nope"}, format="json"
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_credentials"
    missing = client.post("/api/v1/auth/token/", {"email": "not-an-email"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["field"] == "email"
    assert not Token.objects.exists()


def test_token_lockout_applies(patient: User, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = APIClient()
    for _attempt in range(3):
        client.post(
            "/api/v1/auth/token/",
            {"email": "alice@example.test", "password": "wrong"},
            format="json",
        )
    locked = client.post(
        "/api/v1/auth/token/",
        {"email": "alice@example.test", "password": "pw-patient"},
        format="json",
    )
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"


# --- who gets in ----------------------------------------------------------------------------


def test_anonymous_gets_401_and_staff_without_profile_403(receptionist: User) -> None:
    anonymous = APIClient().get("/api/v1/appointments/")
    assert anonymous.status_code == 401
    staff = api_for(receptionist).get("/api/v1/appointments/")
    assert staff.status_code == 403
    assert "no patient profile" in staff.json()["detail"]
    assert staff.json()["code"] == "permission_denied"


def test_a_token_stops_working_when_deleted_or_its_user_is_deactivated(patient: User) -> None:
    client = api_for(patient)
    assert client.get("/api/v1/appointments/").status_code == 200
    patient.is_active = False
    patient.save(update_fields=["is_active"])
    inactive = client.get("/api/v1/appointments/")
    assert inactive.status_code == 401
    assert inactive.json()["code"] == "authentication_failed"
    patient.is_active = True
    patient.save(update_fields=["is_active"])
    Token.objects.filter(user=patient).delete()
    deleted = client.get("/api/v1/appointments/")
    assert deleted.status_code == 401
    assert deleted.json()["code"] == "authentication_failed"


def test_an_erased_patients_token_gets_403(patient: User) -> None:
    """The profile read with the token counts only while the patient is not erased."""
    client = api_for(patient)
    assert client.get("/api/v1/appointments/").status_code == 200
    patient.patient_profile.erased_at = dt.datetime(2026, 6, 1, 5, 0, tzinfo=dt.UTC)
    patient.patient_profile.save(update_fields=["erased_at"])
    erased = client.get("/api/v1/appointments/")
    assert erased.status_code == 403
    assert "no patient profile" in erased.json()["detail"]


# --- availability ---------------------------------------------------------------------------


def test_availability_lists_slots_with_offsets(clinic_setup: Clinic, patient: User) -> None:
    response = api_for(patient).get(
        "/api/v1/availability/",
        {"procedure": "glycolic-peel", "start": "2026-06-03", "days": 1},
    )
    assert response.status_code == 200
    slots = response.json()["slots"]
    assert slots[0] == {
        "start": "2026-06-03T09:00:00+03:00",
        "end": "2026-06-03T09:45:00+03:00",
        "practitioner": clinic_setup.derm.pk,
        "room": clinic_setup.rooms["treatment"].pk,
    }
    assert all(slot["start"].startswith("2026-06-03") for slot in slots)


def test_availability_for_one_practitioner(clinic_setup: Clinic, patient: User) -> None:
    response = api_for(patient).get(
        "/api/v1/availability/",
        {
            "procedure": "glycolic-peel",
            "start": "2026-06-03",
            "days": 2,
            "practitioner": clinic_setup.cosm.pk,
        },
    )
    assert response.status_code == 200
    assert {slot["practitioner"] for slot in response.json()["slots"]} == {clinic_setup.cosm.pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"procedure": "no-such-thing", "start": "2026-06-03"}, "procedure"),
        ({"procedure": "glycolic-peel", "start": "03.06.2026"}, "start"),
        ({"procedure": "glycolic-peel", "start": "2026-06-03", "days": 91}, "days"),
        ({"procedure": "glycolic-peel", "start": "2026-06-03", "days": 0}, "days"),
        ({"procedure": "glycolic-peel", "start": "2026-06-03", "days": "x"}, "days"),
        (
            {"procedure": "glycolic-peel", "start": "2026-06-03", "practitioner": 99999},
            "practitioner",
        ),
        ({"start": "2026-06-03"}, "procedure"),
    ],
)
def test_availability_bad_input_is_400_naming_the_field(
    clinic_setup: Clinic, patient: User, query: dict[str, Any], field: str
) -> None:
    response = api_for(patient).get("/api/v1/availability/", query)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert body[field]
    assert body["code"] == "invalid"


# --- booking --------------------------------------------------------------------------------


def test_book_confirmed_201(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    response = post_booking(
        api_for(patient), procedure="glycolic-peel", start="2026-06-03T10:00:00+03:00"
    )
    assert response.status_code == 201
    body = response.json()
    appointment = Appointment.objects.get()
    assert body["id"] == appointment.pk
    assert body["status"] == "confirmed"
    assert body["start"] == "2026-06-03T10:00:00+03:00"
    assert body["procedure"] == "glycolic-peel"
    assert body["price"] == "3500.00"
    assert appointment.channel == "api"


def test_book_with_utc_offset_and_named_practitioner(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    response = post_booking(
        api_for(patient),
        procedure="glycolic-peel",
        start="2026-06-03T07:00:00Z",
        practitioner=clinic_setup.cosm.pk,
    )
    assert response.status_code == 201
    assert response.json()["start"] == "2026-06-03T10:00:00+03:00"
    assert response.json()["practitioner"] == clinic_setup.cosm.pk


def test_book_review_is_pending(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel", pregnant="possibly")
    response = post_booking(
        api_for(patient), procedure="glycolic-peel", start="2026-06-03T10:00:00+03:00"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "pending_review"


def test_book_blocked_is_422_with_reasons(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel", topical_retinoid_last_used=dt.date(2026, 6, 1))
    response = post_booking(
        api_for(patient), procedure="glycolic-peel", start="2026-06-02T10:00:00+03:00"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "screening_blocked"
    assert body["blocking"] == ["PRECARE_TOPICAL_RETINOID"]
    assert body["earliest_date"] == "2026-06-03"
    assert body["messages"]
    assert not Appointment.objects.exists()


def test_book_consent_and_intake_required_are_422(clinic_setup: Clinic, patient: User) -> None:
    client = api_for(patient)
    no_intake = post_booking(client, procedure="glycolic-peel", start="2026-06-03T10:00:00+03:00")
    assert no_intake.status_code == 422
    assert no_intake.json()["code"] == "intake_required"
    ready(patient, "laser")
    no_consent = post_booking(client, procedure="glycolic-peel", start="2026-06-03T10:00:00+03:00")
    assert no_consent.status_code == 422
    assert no_consent.json()["code"] == "consent_required"


def test_book_slot_taken_409_with_alternatives(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    ready(patient, "peel")
    ready(other_patient, "peel")
    start = "2026-06-03T10:00:00+03:00"
    assert post_booking(api_for(patient), procedure="glycolic-peel", start=start).status_code == 201
    taken = post_booking(api_for(other_patient), procedure="glycolic-peel", start=start)
    assert taken.status_code == 409
    body = taken.json()
    assert body["code"] == "slot_taken"
    assert body["alternatives"][0]["start"] == "2026-06-03T11:00:00+03:00"
    assert set(body["alternatives"][0]) == {"start", "end", "practitioner", "room"}


def test_book_patient_busy_409(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel", "consultation")
    client = api_for(patient)
    post_booking(client, procedure="glycolic-peel", start="2026-06-03T10:00:00+03:00")
    busy = post_booking(client, procedure="consultation", start="2026-06-03T10:15:00+03:00")
    assert busy.status_code == 409
    assert busy.json()["code"] == "patient_busy"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"procedure": "nope", "start": "2026-06-03T10:00:00+03:00"}, "procedure"),
        ({"procedure": "glycolic-peel", "start": "2026-06-03T10:00:00"}, "start"),  # naive
        ({"procedure": "glycolic-peel", "start": "tomorrow"}, "start"),
        ({"procedure": "glycolic-peel", "start": "2026-06-03T10:05:00+03:00"}, "start"),  # grid
        ({"procedure": "glycolic-peel", "start": "2026-06-03T07:00:00+03:00"}, "start"),  # closed
        ({"procedure": "glycolic-peel"}, "start"),
        (
            {
                "procedure": "glycolic-peel",
                "start": "2026-06-03T10:00:00+03:00",
                "practitioner": "x",
            },
            "practitioner",
        ),
    ],
)
def test_book_bad_input_is_400_naming_the_field(
    clinic_setup: Clinic, patient: User, body: dict[str, Any], field: str
) -> None:
    ready(patient, "peel")
    response = post_booking(api_for(patient), **body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert not Appointment.objects.exists()


def test_book_practitioner_not_qualified_is_400(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "filler", consulted=True)
    response = post_booking(
        api_for(patient),
        procedure="hyaluronic-filler",
        start="2026-06-03T10:00:00+03:00",
        practitioner=clinic_setup.cosm.pk,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "practitioner_not_qualified"
    assert response.json()["field"] == "practitioner"


# --- my appointments ------------------------------------------------------------------------


def _booked(user: User, clinic: Clinic, hour: int = 10) -> Appointment:
    ready(user, "peel")
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure("glycolic-peel"),
        start=at(WEDNESDAY, hour),
        booked_by=user,
        channel="web",
    )


def test_list_shows_only_my_appointments(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    mine = _booked(patient, clinic_setup, 10)
    _booked(other_patient, clinic_setup, 12)
    response = api_for(patient).get("/api/v1/appointments/")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [mine.pk]
    assert response.json()[0]["status_label"] == "Confirmed"


def test_list_query_count_does_not_grow(
    clinic_setup: Clinic, patient: User, django_assert_num_queries: Any
) -> None:
    from patients.tests.booking_fixtures import sign

    _booked(patient, clinic_setup, 10)
    client = api_for(patient)
    with django_assert_num_queries(2) as one:  # token+user+profile, list
        assert len(client.get("/api/v1/appointments/").json()) == 1
    sign(patient, "consultation")
    for hour in (12, 14, 16):
        book_appointment(
            patient=patient.patient_profile,
            procedure=clinic_setup.procedure("consultation"),
            start=at(WEDNESDAY, hour),
            booked_by=patient,
            channel="web",
        )
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/appointments/").json()) == 4


def test_cancel_mine(clinic_setup: Clinic, patient: User) -> None:
    appointment = _booked(patient, clinic_setup)
    response = api_for(patient).post(
        f"/api/v1/appointments/{appointment.pk}/cancel/", {"reason": "Travelling"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    appointment.refresh_from_db()
    assert appointment.reason == "Travelling"


def test_move_mine(clinic_setup: Clinic, patient: User) -> None:
    appointment = _booked(patient, clinic_setup)
    response = api_for(patient).post(
        f"/api/v1/appointments/{appointment.pk}/move/",
        {"start": "2026-06-03T15:00:00+03:00"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["start"] == "2026-06-03T15:00:00+03:00"
    assert response.json()["version"] == 1


def test_move_bad_start_is_400(clinic_setup: Clinic, patient: User) -> None:
    appointment = _booked(patient, clinic_setup)
    response = api_for(patient).post(
        f"/api/v1/appointments/{appointment.pk}/move/",
        {"start": "2026-06-03 15:00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "start"


# The first and last instants a datetime holds, pushed past them by their offset (the API
# fuzzer's find): refused as a bad `start`, never an OverflowError and a 500.
EDGES = ["0001-01-01T00:00:03+01:00", "9999-12-31T23:00:00-05:00"]


@pytest.mark.parametrize("start", EDGES)
def test_moving_to_the_edge_of_time_is_a_400(
    clinic_setup: Clinic, patient: User, start: str
) -> None:
    appointment = _booked(patient, clinic_setup)
    response = api_for(patient).post(
        f"/api/v1/appointments/{appointment.pk}/move/", {"start": start}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "start"


@pytest.mark.parametrize("start", EDGES)
def test_booking_at_the_edge_of_time_is_a_400(
    clinic_setup: Clinic, patient: User, start: str
) -> None:
    ready(patient, "peel")
    client = api_for(patient)
    body = {"procedure": "glycolic-peel", "start": start, "practitioner": clinic_setup.derm.pk}
    response = post_booking(client, **body)
    assert response.status_code == 400
    assert response.json()["field"] == "start"


@pytest.mark.parametrize("action", ["cancel", "move"])
def test_another_patients_appointment_is_404(
    clinic_setup: Clinic, patient: User, other_patient: User, action: str
) -> None:
    theirs = _booked(other_patient, clinic_setup)
    response = api_for(patient).post(
        f"/api/v1/appointments/{theirs.pk}/{action}/",
        {"start": "2026-06-03T15:00:00+03:00"},
        format="json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.status == S.CONFIRMED
    assert theirs.start == at(WEDNESDAY, 10)


def test_change_too_late_is_409(clinic_setup: Clinic, patient: User) -> None:
    import time_machine

    appointment = _booked(patient, clinic_setup)
    with time_machine.travel(at(dt.date(2026, 6, 2), 11), tick=False):
        response = api_for(patient).post(f"/api/v1/appointments/{appointment.pk}/cancel/")
    assert response.status_code == 409
    assert response.json()["code"] == "change_too_late"


# --- schema ---------------------------------------------------------------------------------


def test_schema_documents_every_booking_endpoint(client: Client) -> None:
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    assert "post" in paths["/api/v1/auth/token/"]
    assert "get" in paths["/api/v1/availability/"]
    assert {"get", "post"} <= set(paths["/api/v1/appointments/"])
    assert "post" in paths["/api/v1/appointments/{id}/cancel/"]
    assert "post" in paths["/api/v1/appointments/{id}/move/"]
    booking = paths["/api/v1/appointments/"]["post"]["responses"]
    assert {"201", "400", "409", "422"} <= set(booking)
    assert "SlotTaken" in str(booking["409"])
    parameters = {p["name"] for p in paths["/api/v1/availability/"]["get"]["parameters"]}
    assert {"procedure", "start", "days", "practitioner"} <= parameters
