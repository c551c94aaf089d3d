# ruff: noqa: RUF001, RUF002 - the Russian texts are Cyrillic (and use en dashes) on purpose.
"""Dates, times and prices follow the active language, on pages and in e-mails.

The project's choices: dates in each language's own words ("June 3, 2026" in
English, "3 июня 2026 г." in Russian), times on the 24-hour clock in both ("14:30"),
prices in whole roubles with the language's grouping ("3,500 RUB", "3 500 ₽", with a
no-break space) and kopecks only when there are any ("3 500,50 ₽").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from clinic.models import User
from patients.booking.errors import ScreeningBlocked
from patients.models import Appointment
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.workspace_helpers import book
from patients.workspace.selectors import dashboard
from procedures.screening import ScreeningResult
from procedures.templatetags.procedures_tags import rub

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


def in_language(client: Client, language: str) -> Client:
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize(
    ("language", "amount", "shown"),
    [
        ("en", Decimal("3500"), "3,500 RUB"),
        ("ru", Decimal("3500"), f"3{NBSP}500 ₽"),
        ("en", Decimal("45000.50"), "45,000.50 RUB"),
        ("ru", Decimal("45000.50"), f"45{NBSP}000,50 ₽"),
        ("ru", Decimal("900"), "900 ₽"),
    ],
)
def test_a_price_follows_the_language(language: str, amount: Decimal, shown: str) -> None:
    with translation.override(language):
        assert rub(amount) == shown


@pytest.mark.parametrize(
    ("language", "price"), [("en", "from 3,500 RUB"), ("ru", f"от 3{NBSP}500 ₽")]
)
def test_the_procedure_page_shows_its_price_in_the_language(
    client: Client, language: str, price: str
) -> None:
    page = in_language(client, language).get("/procedures/glycolic-peel/")
    assert price in page.content.decode()


@pytest.mark.usefixtures("pinned_now")
@pytest.mark.parametrize(
    ("language", "when", "price"),
    [
        ("en", "Wednesday, June 3, 2026, 14:30–15:15", "from 3,500 RUB"),
        ("ru", "Среда, 3 июня 2026 г., 14:30–15:15", f"от 3{NBSP}500 ₽"),
    ],
)
def test_an_appointment_shows_its_date_time_and_price_in_the_language(
    client: Client, clinic_setup: Clinic, patient: User, language: str, when: str, price: str
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 14, 30))
    client.force_login(patient)
    page = in_language(client, language).get(f"/me/appointments/{appointment.pk}/")
    text = page.content.decode()
    assert when in text
    assert price in text


@pytest.mark.usefixtures("pinned_now")
@pytest.mark.parametrize(
    ("language", "when", "price"),
    [
        ("en", "June 3, 2026, 14:30", "3,500 RUB"),
        ("ru", "3 июня 2026 г., 14:30", f"3{NBSP}500 ₽"),
    ],
)
def test_the_booking_e_mail_is_in_the_patients_language(
    clinic_setup: Clinic,
    patient: User,
    language: str,
    when: str,
    price: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    patient.preferred_language = language
    patient.save(update_fields=["preferred_language"])
    ready(patient, "peel")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, clinic_setup, at(WEDNESDAY, 14, 30))
    assert appointment.status == Appointment.Status.CONFIRMED
    [message] = mail.outbox
    assert when in message.body
    assert price in message.body
    html = message.alternatives[0][0] if message.alternatives else ""
    assert when in html


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "Earliest date: June 3, 2026."), ("ru", "3 июня 2026 г.")]
)
def test_the_earliest_date_of_a_refusal_is_in_the_language_it_is_shown_in(
    language: str, shown: str
) -> None:
    result = ScreeningResult(
        procedure="glycolic-peel",
        on=dt.date(2026, 6, 1),
        outcome="blocked",
        blocking=("RECENT_TAN",),
        flags=(),
        earliest_date=WEDNESDAY,
        findings=(),
    )
    error = ScreeningBlocked(result)  # raised in one language...
    with translation.override(language):  # ...shown in another
        assert shown in str(error.message)


@pytest.mark.parametrize(("language", "monday"), [("en", "June 1"), ("ru", "1 июня")])
def test_the_dashboards_weeks_are_named_in_the_language(language: str, monday: str) -> None:
    with translation.override(language):
        figures = dashboard(today=dt.date(2026, 6, 3), now=at(dt.date(2026, 6, 3), 12))
    assert figures["bookings_per_week"][-1].label == monday
