"""What is offered is what is allowed (issue #15, section 3).

The slot lists a patient is given (the API's availability, a "just taken" answer's next
free times, the waitlist's offers) leave out the days the patient's screening refuses,
and say why once; a refusal's dates are always real.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.models import User
from patients.booking.errors import SlotTaken, TooCloseToLaterSession
from patients.booking.services import book_appointment
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.factories import give_session, make_patient

pytestmark = pytest.mark.django_db

PEEL = "glycolic-peel"
TUESDAY = dt.date(2026, 6, 2)


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


def api_for(user: User) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def availability(user: User, **query: Any) -> Any:
    response = api_for(user).get("/api/v1/availability/", {"procedure": PEEL, **query})
    assert response.status_code == 200, response.content
    return response.json()


# --- the API's availability --------------------------------------------------------------------


def test_availability_leaves_out_the_days_the_patient_may_not_book(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    give_session(patient, "laser-resurfacing", start=at(TUESDAY, 9), practitioner=clinic_setup.derm)

    body = availability(patient, start="2026-06-01", days=3)

    # Monday (before the laser) is a review, offered; from Tuesday a washout until 31 August.
    assert body["screened"] is True
    assert {slot["start"][:10] for slot in body["slots"]} == {"2026-06-01"}
    assert body["days_left_out"] == ["2026-06-02", "2026-06-03"]
    assert len(body["left_out"]) == 1
    assert "Aug. 31, 2026" in body["left_out"][0]


def test_availability_is_the_clinics_until_the_patient_answers_the_questionnaire(
    clinic_setup: Clinic, patient: User
) -> None:
    body = availability(patient, start="2026-06-03", days=1)
    assert body["screened"] is False
    assert body["slots"]
    assert (body["left_out"], body["days_left_out"]) == ([], [])


def test_availability_in_russian_says_why_in_russian(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    give_session(patient, "laser-resurfacing", start=at(TUESDAY, 9), practitioner=clinic_setup.derm)
    response = api_for(patient).get(
        "/api/v1/availability/",
        {"procedure": PEEL, "start": "2026-06-03", "days": 1},
        headers={"accept-language": "ru"},
    )
    sentence = response.json()["left_out"][0]
    assert "31 августа 2026" in sentence


# --- "just taken": the next free times ---------------------------------------------------------


def test_the_next_free_times_of_a_taken_slot_are_those_the_patient_may_book(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    """Alice's TCA CROSS on Wednesday blocks a peel until 17 June (focal -> superficial)."""
    ready(patient, "peel")
    ready(other_patient, "peel")
    give_session(patient, "tca-cross", start=at(WEDNESDAY, 9), practitioner=clinic_setup.cosm)
    book_appointment(
        patient=other_patient.patient_profile,
        procedure=clinic_setup.procedure(PEEL),
        start=at(WEDNESDAY, 10),
        practitioner=clinic_setup.derm,
        booked_by=other_patient,
        channel="web",
    )
    carol = make_patient(email="carol@example.test")
    ready(carol, "peel")

    refusals = {}
    for user in (carol, patient):
        with pytest.raises(SlotTaken) as caught:
            book_appointment(
                patient=user.patient_profile,
                procedure=clinic_setup.procedure(PEEL),
                start=at(WEDNESDAY, 10),
                practitioner=clinic_setup.derm,
                booked_by=user,
                channel="web",
            )
        refusals[user.email] = caught.value.alternatives

    assert refusals[carol.email]  # the clinic's next free times on Wednesday
    assert {slot.start.date() for slot in refusals[carol.email]} == {WEDNESDAY}
    assert refusals[patient.email] == []  # none Alice could book


# --- a refusal's dates are real ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("later", "wanted", "latest"),
    [
        (dt.date(2026, 6, 20), dt.date(2026, 6, 10), dt.date(2026, 6, 6)),
        (dt.date(2026, 6, 10), dt.date(2026, 6, 5), None),  # 27 May is gone
    ],
)
def test_no_later_than_is_never_a_date_already_gone(
    clinic_setup: Clinic, patient: User, later: dt.date, wanted: dt.date, latest: dt.date | None
) -> None:
    ready(patient, "peel")
    give_session(patient, PEEL, start=at(later, 10), practitioner=clinic_setup.derm)

    with pytest.raises(TooCloseToLaterSession) as caught:
        book_appointment(
            patient=patient.patient_profile,
            procedure=clinic_setup.procedure(PEEL),
            start=at(wanted, 12),
            booked_by=patient,
            channel="web",
        )
    assert caught.value.latest_date == latest
    message = str(caught.value.message)
    if latest is None:
        assert "no later than" not in message
        assert "Move that session first" in message
        assert caught.value.payload()["latest_date"] is None
    else:
        assert "no later than June 6, 2026" in message
