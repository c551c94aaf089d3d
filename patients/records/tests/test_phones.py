"""Phones: the patient types any spelling, the portal keeps E.164 and refuses a non-number."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.records.tests.test_accounts import registration

pytestmark = pytest.mark.django_db


def stored_phone(user: User) -> str:
    """The column as the database holds it (the model field reads it into an object)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM clinic_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("typed", ["8 916 555 12 34", "9165551234", "+7 (916) 555-12-34"])
def test_registration_stores_the_phone_in_e164(
    client: Client, django_capture_on_commit_callbacks: Any, typed: str
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("register"), registration(phone=typed))

    assert response.status_code == 302
    assert stored_phone(User.objects.get(email="carol@example.test")) == "+79165551234"


@pytest.mark.parametrize("typed", ["12345", "call me", "+7 916 555"])
def test_registration_refuses_what_is_not_a_phone_number(client: Client, typed: str) -> None:
    response = client.post(reverse("register"), registration(phone=typed))

    assert response.status_code == 200
    errors = response.context["form"].errors["phone"]
    assert errors == [
        "Enter a valid phone number (e.g. 8 (301) 123-45-67) or a number with an "
        "international call prefix."
    ]
    assert not User.objects.filter(email="carol@example.test").exists()


def test_the_phone_error_is_in_russian_too(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.post(reverse("register"), registration(phone="12345"))

    assert response.status_code == 200
    assert "Введите корректный номер телефона (например, 8 (301) 123-45-67)" in (
        response.content.decode()
    )


def test_the_profile_keeps_the_phone_in_e164_and_shows_it_back(
    client: Client, patient: User
) -> None:
    client.force_login(patient)
    response = client.post(
        reverse("patients:profile"),
        {
            "first_name": "Alice",
            "last_name": "Archer",
            "phone": "8 916 555-12-34",
            "preferred_language": "en",
        },
    )

    assert response.status_code == 302
    patient.refresh_from_db()
    assert stored_phone(patient) == "+79165551234"
    page = client.get(reverse("patients:profile")).content.decode()
    assert 'type="tel"' in page
    assert "8 (916) 555-12-34" in page


def test_the_profile_refuses_an_invalid_phone(client: Client, patient: User) -> None:
    client.force_login(patient)
    response = client.post(
        reverse("patients:profile"),
        {"first_name": "Alice", "last_name": "Archer", "phone": "1", "preferred_language": "en"},
    )

    assert response.status_code == 200
    assert "Enter a valid phone number" in str(response.context["form"].errors["phone"])
    patient.refresh_from_db()
    assert stored_phone(patient) == "+79001111111"
