"""The booking page's month calendar: only the days the patient may book are links, and a
day's times are grouped by morning, afternoon and evening (no JavaScript, EN and RU)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import User
from clinic.tests.factories import ClosureFactory
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, ready

pytestmark = pytest.mark.django_db

PEEL = "glycolic-peel"
JUNE_1, JUNE_2 = dt.date(2026, 6, 1), dt.date(2026, 6, 2)
CLOSED = dt.date(2026, 6, 10)


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


def page(slug: str = PEEL, **params: Any) -> str:
    url = reverse("patients:book-procedure", args=[slug])
    return f"{url}?{urlencode(params)}" if params else url


def day_link(day: dt.date) -> str:
    return "?" + urlencode({"date": day.isoformat(), "days": 1}).replace("&", "&amp;")


def test_the_calendar_shows_only_the_days_with_times_the_patient_may_book(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    # A retinoid cream on 31 May: the peel needs two days without it, so not on 1 June.
    ready(patient, "peel", topical_retinoid_last_used=dt.date(2026, 5, 31))
    ClosureFactory(starts_on=CLOSED, reason="Clinic holiday")
    client.force_login(patient)

    response = client.get(page())

    calendar = response.context["calendar"]
    assert calendar.month == JUNE_1
    free = calendar.free_days
    assert JUNE_1 not in free  # screening refuses it
    assert CLOSED not in free  # no free time
    assert JUNE_2 in free
    assert dt.date(2026, 6, 11) in free
    assert free == sorted(free)
    assert all(day.month == 6 for day in free)
    html = response.content.decode()
    assert day_link(JUNE_2) in html
    assert day_link(JUNE_1) not in html
    assert day_link(CLOSED) not in html
    assert html.count('class="btn btn-sm w-100 free-day') == len(free)


def test_a_consultation_has_free_days_where_a_blocked_peel_has_none(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", rosacea=True)
    client.force_login(patient)

    peel = client.get(page())
    consultation = client.get(page("consultation"))

    assert peel.context["calendar"] is None
    assert "free-day" not in peel.content.decode()
    assert JUNE_2 in consultation.context["calendar"].free_days


def test_a_chosen_day_shows_its_times_by_morning_afternoon_and_evening(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    client.force_login(patient)

    response = client.get(page(date=WEDNESDAY.isoformat(), days=1))

    assert response.status_code == 200
    periods = response.context["chosen_periods"]
    assert [str(label) for label, _slots in periods] == ["Morning", "Afternoon", "Evening"]
    morning, afternoon, evening = (slots for _label, slots in periods)
    assert morning[0].start.time() == dt.time(9)
    assert all(slot.start.time() < dt.time(12) for slot in morning)
    assert all(dt.time(12) <= slot.start.time() < dt.time(17) for slot in afternoon)
    assert all(slot.start.time() >= dt.time(17) for slot in evening)
    starts = [slot.start for _label, slots in periods for slot in slots]
    assert starts == sorted(starts)
    html = response.content.decode()
    assert 'aria-current="date"' in html
    confirm = reverse("patients:book-confirm", args=[PEEL])
    assert f"{confirm}?{morning[0].query}" in html.replace("&amp;", "&")
    assert str(clinic_setup.derm) in html


def test_the_calendar_pages_by_month_within_the_horizon(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    client.force_login(patient)

    june = client.get(page()).context
    july = client.get(page(month="2026-07")).context

    assert june["calendar_previous"] is None  # no booking in the past
    assert june["calendar_next"] == "?month=2026-07"
    assert july["calendar"].month == dt.date(2026, 7, 1)
    assert july["calendar_previous"] == "?month=2026-06"
    assert dt.date(2026, 7, 1) in july["calendar"].free_days
    # 90 days ahead ends on 30 August: September is past the horizon.
    august = client.get(page(month="2026-08")).context
    assert august["calendar_next"] is None
    assert dt.date(2026, 8, 31) not in august["calendar"].free_days


def test_a_bad_month_is_a_400_naming_the_field(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    client.force_login(patient)

    response = client.get(page(month="2026-13"))

    assert response.status_code == 400
    assert "<strong>month</strong>" in response.content.decode()


def test_the_calendar_speaks_russian(client: Client, clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    client.force_login(patient)

    response = client.get(page(date=WEDNESDAY.isoformat(), days=1), HTTP_ACCEPT_LANGUAGE="ru")

    html = response.content.decode()
    assert "Дни со свободным временем: Июнь 2026" in html  # noqa: RUF001
    assert "Утро" in html
    assert "Вечер" in html
    assert "Следующий месяц" in html
