"""Never twice: 50 real parallel attempts at one slot, through the service and over HTTP,
on whatever database is configured (SQLite serialises, PostgreSQL's exclusion constraint
decides); and the database's own guard against overlapping active appointments."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from rest_framework.authtoken.models import Token

from clinic.models import User
from patients.booking.services import (
    PatientBusy,
    SlotTaken,
    book_appointment,
    cancel_appointment,
)
from patients.models import Appointment
from patients.tests.booking_fixtures import NOW, WEDNESDAY, Clinic, at, ready
from patients.tests.factories import make_patient

ATTEMPTS = 50
SLOT = at(WEDNESDAY, 10)


@pytest.fixture
def clock() -> Iterator[None]:
    # Pinned for every thread (time-machine patches the process), ticking so that
    # the database's busy timeouts and the server's sockets behave normally.
    with time_machine.travel(NOW, tick=True):
        yield


def patients_ready(count: int) -> list[User]:
    """`count` verified patients with the baseline intake and the peel consent signed."""
    users = []
    for number in range(count):
        user = make_patient(email=f"racer{number}@example.test")
        ready(user, "peel")
        users.append(user)
    return users


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_service_bookings_make_one_appointment(
    clock: None, clinic_setup: Clinic
) -> None:
    users = patients_ready(ATTEMPTS)
    procedure = clinic_setup.procedure("glycolic-peel")
    practitioner = clinic_setup.derm
    barrier = threading.Barrier(ATTEMPTS)

    def attempt(user: User) -> str:
        try:
            barrier.wait(timeout=60)
            book_appointment(
                patient=user.patient_profile,
                procedure=procedure,
                start=SLOT,
                practitioner=practitioner,
                booked_by=user,
                channel=Appointment.Channel.WEB,
            )
            return "created"
        except SlotTaken as error:
            return "taken" if error.alternatives else "taken without alternatives"
        except Exception as error:
            return f"{type(error).__name__}: {error}"
        finally:
            connection.close()  # each thread had its own connection

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        outcomes = Counter(pool.map(attempt, users))

    assert outcomes == {"created": 1, "taken": ATTEMPTS - 1}
    assert Appointment.objects.count() == 1
    assert Appointment.objects.get().start == SLOT


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_http_bookings_make_one_appointment(
    clock: None, clinic_setup: Clinic, live_server: Any
) -> None:
    users = patients_ready(ATTEMPTS)
    tokens = [Token.objects.create(user=user).key for user in users]
    body = json.dumps(
        {
            "procedure": "glycolic-peel",
            "start": SLOT.isoformat(),
            "practitioner": clinic_setup.derm.pk,
        }
    ).encode()
    url = f"{live_server.url}/api/v1/appointments/"

    def attempt(token: str) -> tuple[int, str]:
        request = urllib.request.Request(  # noqa: S310 - the test's own live server
            url,
            data=body,
            method="POST",
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status, json.loads(response.read())["status"]
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                return error.code, json.loads(payload).get("code", "")
            except ValueError:
                return error.code, payload[:200].decode(errors="replace")

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        results = list(pool.map(attempt, tokens))

    statuses = Counter(status for status, _code in results)
    assert statuses == {201: 1, 409: ATTEMPTS - 1}, results
    assert {code for status, code in results if status == 409} == {"slot_taken"}
    assert Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_patient_booking_twice_in_parallel_gets_one(clock: None, clinic_setup: Clinic) -> None:
    """A peel and a consultation at overlapping times, different rooms and practitioners:
    only the patient's own time is in the way, and it is guarded too."""
    user = make_patient(email="twice@example.test")
    ready(user, "peel", "consultation")
    barrier = threading.Barrier(2)
    wanted = [
        ("glycolic-peel", clinic_setup.derm, SLOT),
        ("consultation", clinic_setup.cosm, at(WEDNESDAY, 10, 15)),
    ]

    def attempt(choice: tuple[str, Any, dt.datetime]) -> str:
        slug, practitioner, start = choice
        try:
            barrier.wait(timeout=30)
            book_appointment(
                patient=user.patient_profile,
                procedure=clinic_setup.procedure(slug),
                start=start,
                practitioner=practitioner,
                booked_by=user,
                channel="web",
            )
            return "created"
        except (PatientBusy, SlotTaken) as error:
            return error.code
        except Exception as error:
            return f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = Counter(pool.map(attempt, wanted))
    assert outcomes == {"created": 1, "patient_busy": 1}
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_database_guards_overlaps_or_the_service_rechecks(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    """PostgreSQL refuses an overlapping active row itself; SQLite relies on the re-check."""
    ready(patient, "peel")
    ready(other_patient, "peel")
    first = book_appointment(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure("glycolic-peel"),
        start=SLOT,
        practitioner=clinic_setup.derm,
        booked_by=patient,
        channel="web",
    )
    clone = Appointment.objects.get(pk=first.pk)
    clone.pk = None
    clone.patient = other_patient.patient_profile
    clone.start = at(WEDNESDAY, 10, 30)
    clone.end = at(WEDNESDAY, 11, 15)
    clone.room_free_at = at(WEDNESDAY, 11, 25)

    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            clone.save()
        # The room alone (another practitioner, inside the buffer) is guarded too.
        clone.practitioner = clinic_setup.cosm
        clone.start, clone.end = at(WEDNESDAY, 10, 45), at(WEDNESDAY, 11, 30)
        clone.room_free_at = at(WEDNESDAY, 11, 40)
        with pytest.raises(IntegrityError), transaction.atomic():
            clone.save()
        # Cancelled appointments hold no time: the same row saves once the first is cancelled.
        cancel_appointment(appointment=first, by=patient)
        clone.save()
        assert Appointment.objects.filter(status="confirmed").count() == 1
    else:
        # SQLite has no range types: the service re-reads the schedule inside its
        # (IMMEDIATE, serialised) transaction and refuses.
        assert connection.vendor == "sqlite"
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        with pytest.raises(SlotTaken):
            book_appointment(
                patient=other_patient.patient_profile,
                procedure=clinic_setup.procedure("glycolic-peel"),
                start=at(WEDNESDAY, 10, 30),
                practitioner=clinic_setup.derm,
                booked_by=other_patient,
                channel="web",
            )
        assert Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_start_being_booked_is_answered_taken_at_once_and_free_again_if_that_fails(
    clock: None, clinic_setup: Clinic
) -> None:
    """While one booking of a practitioner's start is under way (holding its advisory
    lock), another booking of that start hears "taken" without waiting; once the first
    gives up, the start books. SQLite serialises whole transactions instead: the same
    second booking simply goes through once the first has ended."""
    (second,) = patients_ready(1)
    derm = clinic_setup.derm
    holding, release = threading.Event(), threading.Event()

    def booking_under_way() -> None:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                minute = int(SLOT.timestamp()) // 60
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [derm.pk, minute])
            holding.set()
            release.wait(10)
            # ...and then this booking is refused (its transaction rolls back).
        connection.close()

    def book_second() -> Appointment:
        return book_appointment(
            patient=second.patient_profile,
            procedure=clinic_setup.procedure("glycolic-peel"),
            start=SLOT,
            practitioner=derm,
            booked_by=second,
            channel=Appointment.Channel.API,
        )

    under_way = threading.Thread(target=booking_under_way)
    under_way.start()
    assert holding.wait(10)
    if connection.vendor == "postgresql":
        with pytest.raises(SlotTaken) as caught:
            book_second()
        # The start being taken is no alternative, though the booking taking it has not
        # committed yet: the next free ones come after it.
        assert caught.value.alternatives
        assert all(slot.start > SLOT for slot in caught.value.alternatives)
    release.set()
    under_way.join(10)

    appointment = book_second()

    assert appointment.patient_id == second.patient_profile.pk
    assert Appointment.objects.filter(start=SLOT).count() == 1
