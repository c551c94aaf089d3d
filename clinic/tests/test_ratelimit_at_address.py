"""The API token and the password reset count an account at an address (issue #21).

A stranger hammering someone's account from one address is refused there (a 429)
while the owner, signing in or asking for a reset from another address, is not;
behind the proxy the address is the client's (`clinic.http.client_address`).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from clinic.models import User

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"
NOW = dt.datetime(2026, 11, 25, 12, 0, 10, tzinfo=dt.UTC)
TOKEN = "/api/v1/auth/token/"
RESET = "/accounts/password/reset/"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def limits_behind_proxy(settings: Any) -> Any:
    settings.TRUSTED_PROXIES = [PROXY]
    settings.RATE_LIMIT_ENABLED = True
    # Below AXES_FAILURE_LIMIT, so the rate limit answers before axes would lock.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "token": "3/5m", "password_reset": "2/h"}
    assert django_settings.AXES_FAILURE_LIMIT > 3
    return settings


def fresh_address() -> str:
    """A new client address per call: the counters live in the shared cache."""
    value = uuid.uuid4().int
    return f"100.{value % 250}.{(value >> 8) % 250}.{(value >> 16) % 250 + 1}"


def through_proxy(address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def ask_token(client: Client, email: str, password: str) -> Any:
    return client.post(
        TOKEN, {"email": email, "password": password}, content_type="application/json"
    )


def test_a_stranger_at_the_token_endpoint_does_not_lock_out_the_owner(
    limits_behind_proxy: Any, patient: User
) -> None:
    stranger = through_proxy(fresh_address())
    with time_machine.travel(NOW, tick=False) as traveller:
        for _attempt in range(3):
            assert ask_token(stranger, patient.email, "wrong").status_code == 400
        refused = ask_token(stranger, patient.email, "wrong")
        assert refused.status_code == 429
        assert refused.json()["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) == 300 - 10
        # The address is refused whatever account it names next.
        assert ask_token(stranger, f"x{patient.email}", "wrong").status_code == 429

        owner = ask_token(through_proxy(fresh_address()), patient.email, "pw-patient")
        assert owner.status_code == 200
        assert owner.json()["token"]

        # The window over, the address is counted afresh.
        traveller.shift(dt.timedelta(minutes=5))
        assert ask_token(stranger, patient.email, "pw-patient").status_code == 200


def test_many_addresses_at_one_account_are_each_counted_alone(limits_behind_proxy: Any) -> None:
    email = f"{uuid.uuid4().hex}@example.test"
    codes = [
        ask_token(through_proxy(fresh_address()), email, "wrong").status_code for _ in range(5)
    ]
    assert codes == [400] * 5


def test_the_schema_says_why_the_token_endpoint_answers_429() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    description = schema["paths"][TOKEN]["post"]["responses"]["429"]["description"]
    assert "rate_limited" in description
    assert "locked_out" in description
    assert "Retry-After" in description


def ask_reset(client: Client, email: str) -> Any:
    return client.post(RESET, {"email": email})


def test_a_stranger_at_the_reset_form_does_not_stop_the_owner(
    limits_behind_proxy: Any, patient: User, mailoutbox: list[Any]
) -> None:
    stranger = through_proxy(fresh_address())
    with time_machine.travel(NOW, tick=False) as traveller:
        for _attempt in range(2):
            assert ask_reset(stranger, patient.email).status_code == 302
        refused = ask_reset(stranger, patient.email)
        assert refused.status_code == 429
        assert "Too many attempts" in refused.content.decode()
        assert int(refused.headers["Retry-After"]) > 0
        sent = len(mail.outbox)

        owner = ask_reset(through_proxy(fresh_address()), patient.email)
        assert owner.status_code == 302
        assert owner["Location"] == reverse("password_reset_done")
        assert len(mail.outbox) == sent + 1
        assert mail.outbox[-1].to == [patient.email]

        traveller.shift(dt.timedelta(hours=1))
        assert ask_reset(stranger, patient.email).status_code == 302


@pytest.mark.parametrize("limited", [False, True], ids=["within", "over"])
def test_the_reset_answers_alike_whether_the_account_exists(
    limits_behind_proxy: Any, patient: User, limited: bool
) -> None:
    answers = []
    for email in (patient.email, f"{uuid.uuid4().hex}@example.test"):
        client = through_proxy(fresh_address())
        if limited:
            for _attempt in range(2):
                ask_reset(client, email)
        response = ask_reset(client, email)
        # The page's own CSRF token (the language form) differs from one client to another.
        page = CSRF_TOKEN.sub("", response.content.decode())
        answers.append((response.status_code, response.get("Location"), page))
    assert answers[0] == answers[1]
