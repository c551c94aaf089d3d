"""A loser's next free times are screened for that loser (issue #15), however it lost.

The race guard keeps a refused start's next free slots in the shared cache unscreened,
and screens them for each patient with its own quick read of the patient: the reads
must answer as the ORM's selectors do (`screening_inputs`, `own_history`), and no
patient's screening may reach another.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.models import User
from patients.booking import race_guard
from patients.booking.errors import SlotTaken
from patients.booking.screening import own_history, screening_inputs
from patients.booking.services import book_appointment, move_appointment
from patients.models import Appointment, TreatmentCourse
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.factories import give_baseline_intake, give_session, make_patient
from procedures.models import Procedure

pytestmark = pytest.mark.django_db

PEEL = "glycolic-peel"
START = "2026-06-03T10:00:00+03:00"  # Wednesday 10:00


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


def api_for(user: User) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def api_book(user: User, clinic: Clinic) -> Any:
    body = {"procedure": PEEL, "start": START, "practitioner": clinic.derm.pk}
    return api_for(user).post("/api/v1/appointments/", body, format="json")


def days_of(answer: Any) -> set[str]:
    return {slot["start"][:10] for slot in answer.json()["alternatives"]}


@pytest.fixture
def alice_after_a_tca_cross(clinic_setup: Clinic, patient: User) -> User:
    """Alice's TCA CROSS on Wednesday 9:00 blocks a peel until 17 June (focal -> superficial)."""
    ready(patient, "peel")
    give_session(patient, "tca-cross", start=at(WEDNESDAY, 9), practitioner=clinic_setup.cosm)
    return patient


@pytest.fixture
def carol() -> User:
    return ready(make_patient(email="carol@example.test"), "peel")


def test_each_api_loser_hears_the_cached_next_times_screened_for_them(
    clinic_setup: Clinic, alice_after_a_tca_cross: User, other_patient: User, carol: User
) -> None:
    alice = alice_after_a_tca_cross
    ready(other_patient, "peel")
    assert api_book(other_patient, clinic_setup).status_code == 201

    first = api_book(carol, clinic_setup)  # computes and caches the next free slots
    with CaptureQueriesContext(connection) as queries:
        alices = api_book(alice, clinic_setup)  # the quick "no", from the cache
    carols_again = api_book(carol, clinic_setup)

    assert not any('FROM "clinic_workinghours"' in q["sql"] for q in queries.captured_queries)
    assert (first.status_code, alices.status_code, carols_again.status_code) == (409, 409, 409)
    assert days_of(first) == {"2026-06-03"}
    assert alices.json()["alternatives"] == []  # none Alice could book
    assert carols_again.json() == first.json()  # Alice's screening did not stay behind


def test_a_loser_first_in_the_queue_does_not_leave_its_screening_to_the_next(
    clinic_setup: Clinic, alice_after_a_tca_cross: User, other_patient: User, carol: User
) -> None:
    """The one who computes the next free slots is the one who may book none of them."""
    alice = alice_after_a_tca_cross
    ready(other_patient, "peel")
    assert api_book(other_patient, clinic_setup).status_code == 201

    alices = api_book(alice, clinic_setup)
    carols = api_book(carol, clinic_setup)

    assert alices.json()["alternatives"] == []
    assert days_of(carols) == {"2026-06-03"}


def test_a_moved_appointment_is_left_out_of_its_own_screening(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    """Moving Alice's peel onto a taken start: the peel being moved does not make the
    next free times too close to itself (its minimum interval)."""
    ready(patient, "peel")
    ready(other_patient, "peel")
    peel = clinic_setup.procedure(PEEL)
    mine = book_appointment(
        patient=patient.patient_profile,
        procedure=peel,
        start=at(WEDNESDAY, 15),
        practitioner=clinic_setup.derm,
        booked_by=patient,
        channel="web",
    )
    book_appointment(
        patient=other_patient.patient_profile,
        procedure=peel,
        start=at(WEDNESDAY, 10),
        practitioner=clinic_setup.derm,
        booked_by=other_patient,
        channel="web",
    )

    with pytest.raises(SlotTaken) as caught:
        move_appointment(
            appointment=mine, start=at(WEDNESDAY, 10), practitioner=clinic_setup.derm, by=patient
        )

    assert {slot.start.date() for slot in caught.value.alternatives} == {WEDNESDAY}


# --- the quick read answers as the ORM's selectors do ------------------------------------------


def test_the_quick_read_of_a_patient_answers_as_the_selectors_do(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    give_baseline_intake(patient)
    give_baseline_intake(patient, pregnant="yes")  # the latest version counts
    give_baseline_intake(other_patient)
    peel = Procedure.objects.get(slug=PEEL)
    sessions = {
        status: give_session(patient, slug, start=start, status=status)
        for slug, start, status in (
            ("consultation", at(dt.date(2026, 5, 4), 10), Appointment.Status.COMPLETED),
            (PEEL, at(dt.date(2026, 5, 11), 10), Appointment.Status.CANCELLED),
            (PEEL, at(WEDNESDAY, 10), Appointment.Status.CONFIRMED),
            ("tca-cross", at(WEDNESDAY, 12), Appointment.Status.PENDING_REVIEW),
            (PEEL, at(dt.date(2026, 6, 24), 10), Appointment.Status.NO_SHOW),
        )
    }
    give_session(other_patient, PEEL, start=at(dt.date(2026, 6, 5), 10))
    for started, status, done in (
        (dt.date(2025, 1, 10), TreatmentCourse.Status.COMPLETED, 3),
        (dt.date(2026, 5, 1), TreatmentCourse.Status.LAPSED, 1),
        (dt.date(2026, 2, 1), TreatmentCourse.Status.COMPLETED, 2),
    ):
        TreatmentCourse.objects.create(
            patient=patient.patient_profile,
            procedure=peel,
            started_on=started,
            status=status,
            sessions_done=done,
            last_session_on=started + dt.timedelta(days=30),
        )
    confirmed = sessions[Appointment.Status.CONFIRMED]

    for user in (patient, other_patient, make_patient(email="new@example.test")):
        profile = user.patient_profile
        for excluding in (None, confirmed.pk):
            expected = screening_inputs(profile, excluding=excluding)
            version = race_guard._latest_intake(profile.pk)
            sessions_read = race_guard._sessions(profile.pk, excluding)
            if expected.version is None:
                assert version is None
            else:
                assert version is not None
                assert version.pk == expected.version.pk
                assert version.patient_reviewed_at == expected.version.patient_reviewed_at
                assert version.parsed_answers == expected.version.parsed_answers
            assert sessions_read == expected.other_sessions
        own = own_history(profile, peel, screening_inputs(profile))
        assert race_guard._course(profile.pk, peel.pk) == (own.course_last_on, own.course_done)

    # Alice's latest course not lapsed is the one started in February: two done.
    assert race_guard._course(patient.patient_profile.pk, peel.pk) == (dt.date(2026, 3, 3), 2)
