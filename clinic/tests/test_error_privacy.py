"""No patient data on error pages or in the logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from clinic.logging import RedactPersonalData, redact
from clinic.models import User
from clinic.urls import urlpatterns as portal_urlpatterns

pytestmark = pytest.mark.django_db

PHONE = "+7 916 123-45-67"


def failing_view(request: HttpRequest) -> HttpResponse:
    raise ValueError(f"duplicate key (email)=({request.user.email}), phone {PHONE}")


urlpatterns = [*portal_urlpatterns, path("failing/", failing_view)]


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the portal's console handler writes during the test."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactPersonalData) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.urls(__name__)
def test_a_server_error_shows_and_logs_nothing_about_the_patient(
    patient: User, console: io.StringIO
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(patient)

    response = client.get("/failing/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert patient.email not in page
    assert PHONE not in page
    logged = console.getvalue()
    assert "Internal Server Error: /failing/" in logged
    assert "ValueError: duplicate key (email)=([hidden]), phone [hidden]" in logged
    assert patient.email not in logged
    assert PHONE not in logged


def test_a_refused_page_is_logged_in_one_line(
    client: Client, practitioner: User, console: io.StringIO
) -> None:
    client.force_login(practitioner)

    response = client.get(reverse("workspace:dashboard"))  # managers only

    assert response.status_code == 403
    logged = console.getvalue().strip().splitlines()
    assert len(logged) == 1, logged
    assert logged[0].endswith(
        "WARNING django.request Forbidden (Permission denied): /admin/workspace/dashboard/"
    )


def test_a_missing_page_is_the_portals_own_page(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("sent to alice.smith+clinic@mail.example.ru", "sent to [hidden]"),
        ("call +7 (916) 123-45-67 now", "call [hidden] now"),
        ("call 8 916 123-45-67 now", "call [hidden] now"),
        ("call 8 (916) 123-45-67 now", "call [hidden] now"),
        ("call 8-916-123-45-67 now", "call [hidden] now"),
        ("phone=89161234567, retry", "phone=[hidden], retry"),
        ("tel:84951234567.", "tel:[hidden]."),
        ("args ['89161234567', '8 495 123 45 67']", "args ['[hidden]', '[hidden]']"),
        # Ordinary numbers stay: ids, prices, dates, times, durations, task ids, addresses.
        ("slot 2026-11-25 20:15:00+03:00 for appointment 42", None),
        ("appointment 812345 moved, outbox row 8123456789", None),
        ("price 3 500 RUB, course 12500.00, 8 sessions", None),
        ("succeeded in 8.123456789s: 'pong'", None),
        ("task 8e1c3a2b-93f4-4b9f-8a6c-891612345670 received", None),
        ("order 891612345678 and 189161234567 and 89161234567.5", None),
        ("listening on 127.0.0.1:8000, pid 81234", None),
    ],
)
def test_redact_hides_contact_details_and_keeps_the_rest(line: str, expected: str | None) -> None:
    assert redact(line) == (line if expected is None else expected)
