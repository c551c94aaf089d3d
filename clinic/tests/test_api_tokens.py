"""API tokens end with the password, expire when idle, and need a staff member's second
factor (issue #21)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from clinic.models import User

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
SOME_API = "/api/v1/appointments/"


def api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def ask_token(email: str, password: str, **extra: Any) -> Any:
    body = {"email": email, "password": password, **extra}
    return Client().post(TOKEN_URL, body, content_type="application/json")


def test_a_patient_gets_a_token_with_the_password(patient: User) -> None:
    response = ask_token("alice@example.test", "pw-patient")
    assert response.status_code == 200
    assert api(response.json()["token"]).get(SOME_API).status_code == 200


def test_changing_the_password_revokes_the_tokens(client: Client, patient: User) -> None:
    token = ask_token("alice@example.test", "pw-patient").json()["token"]
    client.force_login(patient)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-patient",
            "new_password1": "a-much-newer-Secret-42",
            "new_password2": "a-much-newer-Secret-42",
        },
    )
    assert response.status_code == 302
    assert not Token.objects.filter(user=patient).exists()
    assert api(token).get(SOME_API).status_code == 401


def test_a_password_set_anywhere_revokes_the_tokens(patient: User) -> None:
    """The reset page, the admin and `changepassword` all end in set_password and save."""
    token = ask_token("alice@example.test", "pw-patient").json()["token"]
    patient.set_password("reset-by-e-mail-Secret-42")
    patient.save()
    assert api(token).get(SOME_API).status_code == 401


def test_saving_the_user_without_a_new_password_keeps_the_tokens(patient: User) -> None:
    token = ask_token("alice@example.test", "pw-patient").json()["token"]
    patient.first_name = "Alicia"
    patient.save()
    assert api(token).get(SOME_API).status_code == 200


def test_an_idle_token_expires_and_a_used_one_does_not(patient: User) -> None:
    start = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    idle = dt.timedelta(minutes=settings.API_TOKEN_IDLE_MINUTES)
    with time_machine.travel(start, tick=False) as traveller:
        token = ask_token("alice@example.test", "pw-patient").json()["token"]
        # Used just before the limit, each time: it lives on.
        for _use in range(3):
            traveller.shift(idle - dt.timedelta(minutes=5))
            assert api(token).get(SOME_API).status_code == 200
        traveller.shift(idle + dt.timedelta(minutes=1))
        response = api(token).get(SOME_API)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert not Token.objects.filter(key=token).exists()


def test_the_idle_period_is_a_setting(settings: Any, patient: User) -> None:
    settings.API_TOKEN_IDLE_MINUTES = 10
    token = ask_token("alice@example.test", "pw-patient").json()["token"]
    Token.objects.filter(key=token).update(
        created=Token.objects.get(key=token).created - dt.timedelta(minutes=11)
    )
    assert api(token).get(SOME_API).status_code == 401


def test_staff_get_no_token_without_their_second_factor(receptionist: User) -> None:
    response = ask_token("rita@clinic.test", "pw-receptionist")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    assert response.json()["field"] == "otp"
    assert not Token.objects.filter(user=receptionist).exists()

    device = TOTPDevice.objects.create(user=receptionist, name="phone", confirmed=True)
    code = f"{totp(device.bin_key):06d}"
    response = ask_token("rita@clinic.test", "pw-receptionist", otp=code)
    assert response.status_code == 200
    assert Token.objects.filter(user=receptionist).exists()
