"""A hot slot's losers: a start refused seconds ago is refused again before the catalogue is
read (`refusal_of_a_recently_refused_start`), with the same answer the whole way gives, and
never once the time is free or the patient must hear something else first."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.models import User
from patients.booking.serializers import plain_booking_request
from patients.models import Appointment
from patients.tests.booking_fixtures import NOW, WEDNESDAY, Clinic, at, ready
from patients.tests.factories import make_patient

START = "2026-06-03T10:00:00+03:00"
CATALOGUE_TABLES = ("procedures_procedure", "clinic_practitioner")


def api_for(user: User) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def book(client: APIClient | User, clinic: Clinic, **changes: Any) -> Any:
    if isinstance(client, User):
        client = api_for(client)
    body = {"procedure": "glycolic-peel", "start": START, "practitioner": clinic.derm.pk}
    return client.post("/api/v1/appointments/", {**body, **changes}, format="json")


def reads_the_catalogue(queries: CaptureQueriesContext) -> bool:
    return any(table in q["sql"] for q in queries.captured_queries for table in CATALOGUE_TABLES)


SCHEDULE_TABLES = ("clinic_practitioner", "clinic_room", "clinic_workinghours", "clinic_closure")


def reads_the_schedule(queries: CaptureQueriesContext) -> bool:
    return any(table in q["sql"] for q in queries.captured_queries for table in SCHEDULE_TABLES)


@pytest.fixture
def three_patients(patient: User, other_patient: User) -> list[User]:
    third = make_patient(email="third@example.test")
    for user in (patient, other_patient, third):
        ready(user, "peel")
    return [patient, other_patient, third]


@pytest.mark.django_db
class TestAfterARefusal:
    @pytest.fixture(autouse=True)
    def _now(self, pinned_now: dt.datetime) -> None:
        """Monday 1 June 2026, 08:00 Moscow."""

    def test_another_patient_hears_the_same_answer_without_a_catalogue_query(
        self, clinic_setup: Clinic, three_patients: list[User]
    ) -> None:
        holder, first_loser, next_loser = three_patients
        assert book(holder, clinic_setup).status_code == 201
        first = book(first_loser, clinic_setup)
        assert first.status_code == 409
        client = api_for(next_loser)

        with CaptureQueriesContext(connection) as queries:
            again = book(client, clinic_setup)

        assert again.status_code == 409
        assert again.json() == first.json()
        assert again.json()["code"] == "slot_taken"
        assert again.json()["alternatives"]
        # The token with its patient, who holds the time, and the cached alternatives
        # screened for this patient (intake, sessions, course; the procedure's id is cached
        # with them): never the schedule nor the procedure's rules.
        assert len(queries) == 5
        assert not reads_the_schedule(queries)

    def test_the_holder_asking_again_hears_busy(
        self, clinic_setup: Clinic, three_patients: list[User]
    ) -> None:
        holder, first_loser, _next = three_patients
        assert book(holder, clinic_setup).status_code == 201
        assert book(first_loser, clinic_setup).json()["code"] == "slot_taken"
        client = api_for(holder)

        with CaptureQueriesContext(connection) as queries:
            again = book(client, clinic_setup)

        assert (again.status_code, again.json()["code"]) == (409, "patient_busy")
        assert not reads_the_catalogue(queries)
        assert Appointment.objects.count() == 1

    def test_a_time_freed_since_books_at_once(
        self, clinic_setup: Clinic, three_patients: list[User]
    ) -> None:
        holder, first_loser, _next = three_patients
        booked = book(holder, clinic_setup).json()
        assert book(first_loser, clinic_setup).status_code == 409
        cancel = api_for(holder).post(f"/api/v1/appointments/{booked['id']}/cancel/", {})
        assert cancel.status_code == 200

        again = book(first_loser, clinic_setup)

        assert again.status_code == 201
        assert Appointment.objects.get(pk=again.json()["id"]).patient.user == first_loser

    def test_an_unverified_patient_hears_what_the_whole_way_says(
        self, clinic_setup: Clinic, three_patients: list[User]
    ) -> None:
        holder, first_loser, next_loser = three_patients
        assert book(holder, clinic_setup).status_code == 201
        assert book(first_loser, clinic_setup).status_code == 409
        next_loser.patient_profile.email_verified_at = None
        next_loser.patient_profile.save()

        again = book(next_loser, clinic_setup)

        assert (again.status_code, again.json()["code"]) == (403, "email_unverified")

    def test_other_values_or_shapes_take_the_whole_way(
        self, clinic_setup: Clinic, three_patients: list[User]
    ) -> None:
        holder, first_loser, next_loser = three_patients
        assert book(holder, clinic_setup).status_code == 201
        assert book(first_loser, clinic_setup).status_code == 409
        client = api_for(next_loser)
        # The same instant written in UTC is the same start: refused without the catalogue.
        with CaptureQueriesContext(connection) as queries:
            same = book(client, clinic_setup, start="2026-06-03T07:00:00Z")
        assert same.json()["code"] == "slot_taken"
        assert not reads_the_schedule(queries)
        # A string id is the serializer's to read.
        with CaptureQueriesContext(connection) as queries:
            again = book(client, clinic_setup, practitioner=str(clinic_setup.derm.pk))
        assert again.json()["code"] == "slot_taken"
        assert reads_the_catalogue(queries)
        unknown = book(next_loser, clinic_setup, procedure="no-such-peel")
        assert (unknown.status_code, unknown.json()["field"]) == (400, "procedure")


@pytest.mark.parametrize(
    ("data", "plain"),
    [
        (
            {"procedure": "glycolic-peel", "start": START, "practitioner": 3},
            ("glycolic-peel", at(WEDNESDAY, 10), 3),
        ),
        ({"procedure": "glycolic-peel", "start": START}, None),  # any practitioner
        ({"procedure": "glycolic-peel", "start": START, "practitioner": "3"}, None),
        ({"procedure": "glycolic-peel", "start": START, "practitioner": True}, None),
        ({"procedure": "glycolic-peel", "start": "2026-06-03T10:00:00", "practitioner": 3}, None),
        ({"procedure": "glycolic-peel", "start": "2026-02-30T10:00:00Z", "practitioner": 3}, None),
        ({"procedure": "glycolic peel", "start": START, "practitioner": 3}, None),
        ({"procedure": ["glycolic-peel"], "start": START, "practitioner": 3}, None),
        (["glycolic-peel", START, 3], None),
    ],
)
def test_the_plain_shape_of_a_booking_request(data: Any, plain: Any) -> None:
    assert plain_booking_request(data) == plain


@pytest.fixture
def ticking_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.mark.django_db(transaction=True)
def test_a_start_being_booked_is_refused_again_without_taking_its_lock(
    ticking_clock: None, clinic_setup: Clinic, three_patients: list[User]
) -> None:
    """PostgreSQL: while a booking of the start holds its advisory lock, a refusal already
    given is given again from a look at the lock, which is not taken (the booking under
    way would otherwise be refused by its own lock's second holder); once that booking
    has given up, the start books. SQLite has no such lock (its IMMEDIATE transactions
    serialise whole bookings): there the booking simply goes through after the first."""
    _holder, first_loser, next_loser = three_patients
    derm = clinic_setup.derm
    holding, release = threading.Event(), threading.Event()

    def booking_under_way() -> None:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                minute = int(at(WEDNESDAY, 10).timestamp()) // 60
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [derm.pk, minute])
            holding.set()
            release.wait(10)
        connection.close()

    under_way = threading.Thread(target=booking_under_way)
    under_way.start()
    try:
        assert holding.wait(10)
        if connection.vendor == "postgresql":
            assert book(first_loser, clinic_setup).json()["code"] == "slot_taken"
            client = api_for(next_loser)
            with CaptureQueriesContext(connection) as queries:
                again = book(client, clinic_setup)
            assert again.json()["code"] == "slot_taken"
            sql = " ".join(q["sql"] for q in queries.captured_queries)
            assert "pg_locks" in sql
            assert "pg_try_advisory" not in sql
            # The cached alternatives are screened for this patient (the procedure's
            # row): never the schedule.
            assert not reads_the_schedule(queries)
    finally:
        release.set()
        under_way.join(10)

    last = book(next_loser, clinic_setup)
    assert last.status_code == 201, last.json()
