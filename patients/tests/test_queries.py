"""List pages make the same number of queries for one row and for fifty."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import User
from patients.models import Photo
from patients.tests.factories import make_patient

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
