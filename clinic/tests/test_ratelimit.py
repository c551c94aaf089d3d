"""Rate limits: login, password reset and the screening API answer 429 with Retry-After."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.test import Client

from clinic.ratelimit import Limit, hit

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 12, 0, 10, tzinfo=dt.UTC)


@pytest.fixture
def limits_on(settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "login": "3/5m",
        "password_reset": "2/h",
        "screening": "2/m",
    }
    return settings


def fresh_address() -> str:
    """A new address per test, so counters of other tests never interfere."""
    value = uuid.uuid4().int
    return f"10.{value % 250}.{(value >> 8) % 250}.{(value >> 16) % 250 + 1}"


@pytest.mark.parametrize(
    ("spec", "count", "seconds"),
    [("10/m", 10, 60), ("20/5m", 20, 300), ("5/h", 5, 3600), ("1/2d", 1, 172800), ("3/s", 3, 1)],
)
def test_limit_specs(spec: str, count: int, seconds: int) -> None:
    assert Limit.parse(spec) == Limit(count, seconds)


def test_a_bad_spec_is_refused() -> None:
    with pytest.raises(ValueError, match="looks like"):
        Limit.parse("ten per minute")


@time_machine.travel(NOW, tick=False)
def test_hit_counts_per_identity_and_says_how_long_to_wait(limits_on) -> None:
    who = f"ip:{fresh_address()}"
    assert [hit("login", [who]) for _ in range(3)] == [None, None, None]
    # The window started at 12:00:00 and lasts five minutes.
    assert hit("login", [who]) == 300 - 10
    assert hit("login", [f"ip:{fresh_address()}"]) is None


def test_login_is_limited_per_address_and_per_account_at_that_address(limits_on) -> None:
    """Login counts an account at an address, not an account alone (issue #21).

    A per-account counter let strangers elsewhere refuse the owner's own correct login.
    Many addresses trying one account gain nothing for it: each is slowed by the
    per-address limit, and django-axes locks each account and address pair after
    AXES_FAILURE_LIMIT failures; the owner at their own address is never counted with them.
    """
    address, email = fresh_address(), f"{uuid.uuid4().hex}@example.com"
    client = Client(REMOTE_ADDR=address)
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": email, "password": "wrong"})
        assert response.status_code == 200
    refused = client.post("/accounts/login/", {"username": email, "password": "wrong"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many attempts" in refused.content.decode()

    # The address is limited whatever account it tries next ...
    other = client.post("/accounts/login/", {"username": "x" + email, "password": "wrong"})
    assert other.status_code == 429
    # ... the same account from another address is not refused by this one's count ...
    elsewhere = Client(REMOTE_ADDR=fresh_address())
    assert (
        elsewhere.post("/accounts/login/", {"username": email, "password": "x"}).status_code == 200
    )
    # ... and the page itself can still be read.
    assert client.get("/accounts/login/").status_code == 200


def test_password_reset_is_limited(limits_on, mailoutbox) -> None:
    client = Client(REMOTE_ADDR=fresh_address())
    email = f"{uuid.uuid4().hex}@example.com"
    codes = [
        client.post("/accounts/password/reset/", {"email": email}).status_code for _ in range(3)
    ]
    assert codes[:2] != [429, 429]
    assert codes[2] == 429


def test_screening_api_answers_429_with_retry_after(limits_on) -> None:
    client = Client(REMOTE_ADDR=fresh_address())
    codes = [
        client.post("/api/v1/screening/", {}, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert codes[:2] == [400, 400]
    assert codes[2] == 429
    refused = client.post("/api/v1/screening/", {}, content_type="application/json")
    assert refused.json()["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0


def test_limits_switched_off_count_nothing(settings) -> None:
    settings.RATE_LIMIT_ENABLED = False
    assert all(hit("login", ["ip:1.2.3.4"]) is None for _ in range(100))


def test_token_endpoint_counts_the_account_at_each_address(limits_on) -> None:
    """Per account at an address, as login (issue #21): three addresses at one account
    are each counted alone; one address is refused on its third try."""
    limits_on.RATE_LIMITS = {**limits_on.RATE_LIMITS, "token": "2/5m"}
    email = f"{uuid.uuid4().hex}@example.com"

    def ask(client: Client) -> int:
        body = {"email": email, "password": "wrong"}
        return client.post("/api/v1/auth/token/", body, content_type="application/json").status_code

    assert [ask(Client(REMOTE_ADDR=fresh_address())) for _ in range(3)] == [400, 400, 400]
    one = Client(REMOTE_ADDR=fresh_address())
    assert [ask(one) for _ in range(3)] == [400, 400, 429]


def test_booking_posts_are_limited_but_reading_is_not(limits_on, patient) -> None:
    limits_on.RATE_LIMITS = {**limits_on.RATE_LIMITS, "booking": "2/m"}
    client = Client(REMOTE_ADDR=fresh_address())
    client.force_login(patient)
    for _ in range(5):
        assert client.get("/api/v1/appointments/").status_code == 200
    codes = [
        client.post("/api/v1/appointments/", {}, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert 429 not in codes[:2]
    assert codes[2] == 429
