"""The desk finds a patient by any spelling of the phone number and by a name in any case."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.models import PatientProfile
from patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client: Client, receptionist: User) -> Client:
    client.force_login(receptionist)
    return client


def found(desk: Client, query: str) -> list[PatientProfile]:
    response = desk.get(reverse("desk:index"), {"q": query})
    assert response.status_code == 200
    return list(response.context["patients"])


@pytest.mark.parametrize(
    "query", ["9165551234", "+79165551234", "8 916 555 12 34", "+7 (916) 555-12-34"]
)
def test_the_desk_finds_a_patient_by_any_spelling_of_the_number(desk: Client, query: str) -> None:
    petrova = make_patient(first_name="Мария", last_name="Петрова", phone="8 (916) 555-12-34")
    make_patient(first_name="Ivan", last_name="Ivanov", phone="+7 916 555-12-35")

    assert found(desk, query) == [petrova.patient_profile]


def test_two_spellings_of_one_number_are_one_number(desk: Client) -> None:
    first = make_patient(last_name="Abel", phone="8 916 555 12 34")
    second = make_patient(last_name="Baker", phone="+7-916-555-1234")
    make_patient(last_name="Cole", phone="+7 916 555 12 99")

    assert User.objects.filter(phone="+79165551234").count() == 2
    assert first.phone == second.phone
    for query in ("8 916 555 12 34", "+7-916-555-1234", "9165551234"):
        assert sorted(p.user.last_name for p in found(desk, query)) == ["Abel", "Baker"]


@pytest.mark.parametrize("query", ["петрова", "ПЕТРОВА", "мария петрова", "Петр"])
def test_the_desk_finds_a_cyrillic_name_whatever_its_case(desk: Client, query: str) -> None:
    petrova = make_patient(first_name="Мария", last_name="Петрова")
    make_patient(first_name="Мария", last_name="Иванова")

    assert found(desk, query) == [petrova.patient_profile]


def test_a_part_of_the_number_still_finds_the_patient(desk: Client) -> None:
    patient = make_patient(phone="+7 916 555-12-34")

    assert found(desk, "555-12") == [patient.patient_profile]
    assert found(desk, "555 99") == []


@pytest.mark.parametrize("query", ["8 916 555 12 34", "+79165551234", "555-12"])
def test_the_admin_lists_find_a_phone_in_any_spelling(desk: Client, query: str) -> None:
    petrova = make_patient(last_name="Петрова", phone="+7 916 555-12-34")
    make_patient(last_name="Ivanova", phone="+7 900 765-43-21")

    response = desk.get(reverse("admin:patients_patientprofile_changelist"), {"q": query})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [petrova.patient_profile]
