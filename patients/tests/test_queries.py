"""List pages make the same number of queries for one row and for fifty."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Room, User
from clinic.tests.factories import PractitionerFactory, WorkingHoursFactory
from patients.models import Appointment, Photo
from patients.tests.factories import make_patient
from procedures.models import Procedure

pytestmark = pytest.mark.django_db


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_staff_patient_list(client: Client, receptionist: User) -> None:
    make_patient()
    client.force_login(receptionist)
    url = reverse("patients:staff-patients")
    one = count_queries(client, url)
    for _ in range(49):
        make_patient()
    assert count_queries(client, url) == one


def test_patient_photo_list(client: Client, patient: User, add_photo: Callable[..., Photo]) -> None:
    add_photo(patient)
    client.force_login(patient)
    url = reverse("patients:photos")
    one = count_queries(client, url)
    for _ in range(9):
        add_photo(patient)
    assert count_queries(client, url) == one


def test_staff_photo_page(
    client: Client, patient: User, practitioner: User, add_photo: Callable[..., Photo]
) -> None:
    add_photo(patient)
    client.force_login(practitioner)
    url = reverse("patients:staff-photos", args=[patient.patient_profile.pk])
    one = count_queries(client, url)
    for _ in range(9):
        add_photo(patient, kind=Photo.Kind.BEFORE, by=practitioner)
    assert count_queries(client, url) == one


def _appointment_with_own_practitioner(patient: User, day: int) -> None:
    """A pending-review appointment `day` days ahead, with a practitioner of its own."""
    procedure = Procedure.objects.get(slug="glycolic-peel")
    room = Room.objects.get_or_create(name="Query room", kind=Room.Kind.TREATMENT)[0]
    practitioner = PractitionerFactory()
    WorkingHoursFactory(practitioner=practitioner)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=day + 3)
    Appointment.from_catalogue(
        procedure=procedure,
        start=start,
        end=start + dt.timedelta(minutes=procedure.booked_minutes),
        patient=patient.patient_profile,
        practitioner=practitioner,
        room=room,
        status=Appointment.Status.PENDING_REVIEW,
        screening_outcome="review",
        screening_flags=["HERPES_HISTORY"],
        channel=Appointment.Channel.WEB,
        created_by=patient,
    ).save()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/patients/appointment/",
        "/admin/clinic/workinghours/",
        "/admin/workspace/reviews/",
        "/me/appointments/",
        "/api/v1/appointments/",
    ],
)
def test_lists_of_appointments_and_practitioners(
    client: Client, patient: User, manager: User, url: str
) -> None:
    # Each row has its own practitioner: the practitioner filter lists them all by name.
    _appointment_with_own_practitioner(patient, 0)
    client.force_login(patient if url.startswith(("/me/", "/api/")) else manager)
    one = count_queries(client, url)
    for day in range(1, 50):
        _appointment_with_own_practitioner(patient, day)
    assert count_queries(client, url) == one
