"""Behind the proxy (issue #21): the client's address comes from X-Forwarded-For only when
the connection is from a trusted proxy, and then from its rightmost untrusted hop; django-
axes locks an account and an address together, so strangers cannot lock out the owner.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from django.urls import reverse

from clinic.http import client_address
from clinic.models import User

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


@pytest.fixture
def behind_proxy(settings: Any) -> Any:
    settings.TRUSTED_PROXIES = [PROXY, "192.168.100.0/24", "fd00::/8"]
    return settings


def address(remote: str, forwarded: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    assert address(PROXY, "203.0.113.9") == PROXY


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.9", "203.0.113.9"),
        # The client wrote the left part: only the hop our proxy added counts.
        (PROXY, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        # Two proxies of ours (one by network): the rightmost hop that is not ours.
        (PROXY, "1.2.3.4, 203.0.113.9, 192.168.100.7", "203.0.113.9"),
        (PROXY, "203.0.113.9:51234", "203.0.113.9"),
        (PROXY, "[2001:db8::1]:443", "2001:db8::1"),
        ("fd00::2", "2001:db8::7", "2001:db8::7"),
        # Garbage our proxy passed on: believe it no further than the proxy.
        (PROXY, "203.0.113.9, not-an-address", PROXY),
        # No header, or only our own hops.
        (PROXY, None, PROXY),
        (PROXY, "192.168.100.3", "192.168.100.3"),
        # A stranger's own header, not through the proxy: ignored.
        ("203.0.113.50", "1.1.1.1", "203.0.113.50"),
    ],
)
def test_the_rightmost_untrusted_hop_from_a_trusted_proxy(
    behind_proxy: Any, remote: str, forwarded: str | None, expected: str
) -> None:
    assert address(remote, forwarded) == expected


def test_the_setting_may_be_a_comma_separated_string(settings: Any) -> None:
    settings.TRUSTED_PROXIES = f"{PROXY}, 192.168.100.0/24"
    assert address("192.168.100.9", "203.0.113.9") == "203.0.113.9"


def login(email: str, password: str, *, via: str) -> Any:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=via)
    return client.post(reverse("login"), {"username": email, "password": password})


def test_strangers_behind_the_proxy_do_not_lock_out_the_owner(
    behind_proxy: Any, patient: User
) -> None:
    for stranger in range(django_settings.AXES_FAILURE_LIMIT):
        response = login("alice@example.test", "wrong", via=f"203.0.113.{stranger + 1}")
        assert response.status_code == 200
    response = login("alice@example.test", "pw-patient", via="198.51.100.7")
    assert response.status_code == 302


def test_twenty_strangers_behind_the_proxy_do_not_rate_limit_the_owner(
    behind_proxy: Any, patient: User
) -> None:
    """The login rate limit counts the account per address, as axes locks it (issue #21)."""
    behind_proxy.RATE_LIMIT_ENABLED = True
    behind_proxy.RATE_LIMITS = {**behind_proxy.RATE_LIMITS, "login": "20/5m"}
    # Fresh addresses each run: the counters live in the shared cache (Redis on CI).
    net = uuid.uuid4().int % 250
    for stranger in range(25):
        response = login("alice@example.test", "wrong", via=f"100.{net}.{stranger}.1")
        assert response.status_code == 200
    response = login("alice@example.test", "pw-patient", via=f"100.{net}.250.9")
    assert response.status_code == 302


def test_one_stranger_behind_the_proxy_is_still_locked_out(
    behind_proxy: Any, patient: User
) -> None:
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        response = login("alice@example.test", "wrong", via="203.0.113.1")
    assert response.status_code == 429
    # Rotating the header's left part does not help: only the proxy's hop counts.
    response = login("alice@example.test", "pw-patient", via="9.9.9.9, 203.0.113.1")
    assert response.status_code == 429


def test_axes_locks_by_account_and_address_together() -> None:
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "clinic.http.client_address"


def test_the_readme_production_section_names_the_proxy_and_health_settings() -> None:
    readme = (django_settings.BASE_DIR / "README.md").read_text()
    production = readme.split("## Running in production", 1)[1].split("\n## ", 1)[0]
    assert "TRUSTED_PROXIES" in production
    assert "HEALTH_CHECK_TOKEN" in production
