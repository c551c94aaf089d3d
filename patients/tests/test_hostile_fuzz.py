"""Hypothesis with hostile input (issue #21): deep nesting, the ends of the calendar, UTC
offsets beyond +-15:59, NUL in query strings, on the API, the booking pages, the desk
and every search box. Nothing answers 5xx; the API's refusals name a field.

Like every Hypothesis test of the suite, each runs derandomized and then from the run's
random seed (`clinic.tests.fuzzing`; replay with `FUZZ_SEED=<n>`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from clinic.models import User
from patients.tests.booking_fixtures import Clinic, ready

pytestmark = pytest.mark.django_db

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=60,
    suppress_health_check=list(HealthCheck),
)

# Any day of Python's calendar, the ends most often.
DAYS = st.one_of(
    st.dates(),
    st.sampled_from([dt.date.min, dt.date.max, dt.date(9999, 12, 25), dt.date(2026, 6, 3)]),
)
OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
NUL_TEXT = st.builds(
    lambda before, after: f"{before}\x00{after}",
    st.text(max_size=5).map(lambda text: text.replace("\x00", "")),
    st.text(max_size=5),
)


@st.composite
def starts(draw: st.DrawFn) -> str:
    """An ISO start: any day, any time, any offset up to +-23:59 (or a Z)."""
    day = draw(DAYS)
    moment = dt.datetime.combine(day, draw(st.times()))
    if draw(st.booleans()):
        return moment.replace(tzinfo=draw(OFFSETS)).isoformat()
    return moment.isoformat() + "Z"


def nested(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"procedure": ' * depth + b"1" + b"}" * depth


@pytest.fixture
def ready_patient(patient: User, clinic_setup: Clinic, pinned_now: dt.datetime) -> User:
    return ready(patient, "peel")


@pytest.fixture
def api(ready_patient: User) -> Client:
    token = Token.objects.create(user=ready_patient).key
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def assert_api_refusal_or_answer(response: Any) -> None:
    assert response.status_code < 500, response.content[:300]
    if response.status_code == 400:
        assert response.json().get("code"), response.content[:300]


@FUZZ
@given(day=DAYS, days=st.integers(min_value=-3, max_value=120))
def test_availability_on_any_day_is_an_answer_or_a_400(
    api: Client, day: dt.date, days: int
) -> None:
    query = {"procedure": "glycolic-peel", "start": day.isoformat(), "days": days}
    response = api.get("/api/v1/availability/", query)
    assert_api_refusal_or_answer(response)
    if not dt.date(1900, 1, 1) <= day <= dt.date(2999, 12, 31):
        assert response.status_code == 400
        assert response.json()["field"] == "start"


@FUZZ
@given(start=starts())
def test_booking_at_any_moment_is_an_answer_or_a_4xx(api: Client, start: str) -> None:
    body = {"procedure": "glycolic-peel", "start": start}
    response = api.post("/api/v1/appointments/", body, content_type="application/json")
    assert_api_refusal_or_answer(response)


@FUZZ
@given(start=starts())
def test_the_booking_page_at_any_moment_is_an_answer_or_a_4xx(
    client: Client, ready_patient: User, start: str
) -> None:
    client.force_login(ready_patient)
    url = reverse("patients:book-confirm", args=["glycolic-peel"])
    response = client.get(url, {"start": start})
    assert response.status_code < 500


@FUZZ
@given(
    depth=st.integers(min_value=1, max_value=30_000),
    kind=st.sampled_from(["array", "object"]),
    path=st.sampled_from(["/api/v1/auth/token/", "/api/v1/screening/", "/api/v1/appointments/"]),
)
def test_json_nested_at_any_depth_is_an_answer_or_a_4xx(
    api: Client, depth: int, kind: str, path: str
) -> None:
    response = api.post(path, nested(depth, kind), content_type="application/json")
    assert_api_refusal_or_answer(response)
    if depth > 32:
        assert response.status_code == 400


SEARCH_PAGES = [
    ("patients:staff-patients", "q"),
    ("desk:index", "q"),
    ("admin:patients_appointment_changelist", "q"),
    ("admin:patients_appointment_changelist", "status__exact"),
    ("admin:patients_patientprofile_changelist", "q"),
    ("workspace:calendar", "date"),
]


@FUZZ
@given(page=st.sampled_from(SEARCH_PAGES), text=NUL_TEXT)
def test_a_nul_in_any_search_or_filter_is_a_400(
    client: Client, manager: User, page: tuple[str, str], text: str
) -> None:
    client.force_login(manager)
    name, parameter = page
    response = client.get(f"{reverse(name)}?{parameter}={quote(text)}")
    assert response.status_code == 400
