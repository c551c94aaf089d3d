# ruff: noqa: RUF001 - the Russian texts are Cyrillic (and use en dashes) on purpose.
"""Dates, times and prices follow the active language, on pages and in e-mails.

The project's choices: dates in each language's own words ("June 3, 2026" in
English, "3 июня 2026" in Russian), times on the 24-hour clock in both ("14:30"),
prices in whole roubles with the language's grouping ("3,500 RUB", "3 500 ₽", with a
no-break space) and kopecks only when there are any ("3 500,50 ₽").
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy, ngettext

from clinic.models import User
from patients.booking.errors import ScreeningBlocked, booked_at_most_days_ahead
from patients.messaging.render import render, sms_text
from patients.models import Appointment, OutboxMessage
from patients.records.services.photos import TooManyUploads
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.workspace_helpers import book
from patients.workspace.selectors import dashboard
from procedures.errors import lazy_date, lazy_interpolate
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
        ("ru", "Среда, 3 июня 2026, 14:30–15:15", f"от 3{NBSP}500 ₽"),
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
        ("ru", "3 июня 2026, 14:30", f"3{NBSP}500 ₽"),
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
    ("language", "shown"),
    [("en", "Earliest date: June 3, 2026."), ("ru", "Ближайшая возможная дата: 3 июня 2026.")],
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


# Messages that end a sentence with a date, as their templates write them (a sample of the
# forty or so in the three catalogues), and what a Russian reader sees.
SENTENCES_ENDING_WITH_A_DATE = [
    ("It is possible from {{ day }}.", "Она возможна с 3 июня 2026."),
    ("Last saved on {{ day }}.", "Последнее сохранение: 3 июня 2026."),
    ("Your answers are valid until {{ day }}.", "Ваши ответы действительны до 3 июня 2026."),
    (
        "You asked for erasure on {{ day }}. The clinic is handling it.",
        "Вы запросили удаление данных 3 июня 2026. Клиника обрабатывает запрос.",
    ),
    ("Signed by {{ name }} on {{ day }}.", "Подписано: Дарья, 3 июня 2026."),
]


@pytest.mark.parametrize(("message", "russian"), SENTENCES_ENDING_WITH_A_DATE)
def test_a_russian_sentence_ending_with_a_date_has_one_full_stop(
    message: str, russian: str
) -> None:
    template = Template(
        '{% load i18n %}{% blocktranslate with day=on|date:"DATE_FORMAT" %}'
        + message
        + "{% endblocktranslate %}"
    )
    with translation.override("ru"):
        shown = template.render(Context({"on": WEDNESDAY, "name": "Дарья"}))
    assert shown == russian
    assert ".." not in shown


def test_a_russian_date_made_in_python_ends_a_sentence_with_one_full_stop() -> None:
    window = lazy_interpolate(
        gettext_lazy("Your next session can be booked from %(opens)s."),
        {"opens": lazy_date(WEDNESDAY)},
    )
    with translation.override("ru"):
        assert str(window) == "Следующий сеанс можно записать начиная с 3 июня 2026."
        # Dates never end in an abbreviation point, so no message can double it.
        for format_name in ("DATE_FORMAT", "DATETIME_FORMAT", "YEAR_MONTH_FORMAT"):
            assert not date_format(dt.datetime(2026, 6, 3, 14, 30), format_name).endswith(".")


@pytest.mark.parametrize(("language", "monday"), [("en", "June 1"), ("ru", "1 июня")])
def test_the_dashboards_weeks_are_named_in_the_language(language: str, monday: str) -> None:
    with translation.override(language):
        figures = dashboard(today=dt.date(2026, 6, 3), now=at(dt.date(2026, 6, 3), 12))
    assert figures["bookings_per_week"][-1].label == monday


# --- the sweep (issue #20): no ISO date, no 12-hour clock, plurals that agree ---------------

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
TWELVE_HOUR = re.compile(r"\b(?:[ap]\.m\.|[AP]M)\b")


def visible_text(html: str) -> str:
    """What a reader sees: no scripts, styles or tags (URLs and attributes may hold ISO dates)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def assert_language_formats(text: str, where: str) -> None:
    assert not ISO_DATE.findall(text), (where, ISO_DATE.findall(text))
    assert not TWELVE_HOUR.findall(text), (where, TWELVE_HOUR.findall(text))


@pytest.mark.usefixtures("pinned_now")
def test_the_patient_s_and_staff_pages_and_messages_in_russian_use_russian_formats(
    clinic_setup: Clinic,
    patient: User,
    receptionist: User,
    practitioner: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    patient.preferred_language = "ru"
    patient.phone = "+79161234567"
    patient.save(update_fields=["preferred_language", "phone"])
    patient.patient_profile.appointments_by_sms = True
    patient.patient_profile.save(update_fields=["appointments_by_sms"])
    ready(patient, "peel")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, clinic_setup, at(WEDNESDAY, 14, 30))
    client = in_language(Client(), "ru")
    client.force_login(patient)
    pages = [
        "/me/",
        "/me/appointments/",
        f"/me/appointments/{appointment.pk}/",
        f"/me/appointments/{appointment.pk}/move/",
        f"/me/appointments/{appointment.pk}/cancel/",
        reverse("patients:messages"),
        reverse("patients:book-procedure", args=["glycolic-peel"]) + "?date=2026-06-03&days=1",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        assert_language_formats(text, url)
    assert "14:30" in visible_text(
        client.get(f"/me/appointments/{appointment.pk}/").content.decode()
    )

    staff_pages = [
        (receptionist, reverse("workspace:appointment", args=[appointment.pk])),
        (receptionist, reverse("workspace:calendar") + "?date=2026-06-03&view=week"),
        (receptionist, reverse("patients:staff-patient", args=[patient.patient_profile.pk])),
        (practitioner, reverse("workspace:day-sheet") + "?date=2026-06-03"),
        # The admin names an appointment by its __str__ (its date and time).
        (receptionist, reverse("admin:patients_appointment_change", args=[appointment.pk])),
    ]
    for user, url in staff_pages:
        staff = in_language(Client(), "ru")
        staff.force_login(user)
        response = staff.get(url)
        assert response.status_code == 200, url
        assert_language_formats(visible_text(response.content.decode()), url)

    assert mail.outbox  # the booking confirmation, in Russian
    for message in mail.outbox:
        assert "Запись" in message.subject or "запис" in message.body
        html = message.alternatives[0][0] if message.alternatives else ""
        for where, text in (("subject", message.subject), ("body", message.body)):
            assert_language_formats(text, where)
        assert_language_formats(visible_text(str(html)), "html")
        assert "14:30" in message.body
    # The text message waits for the end of quiet hours (it is 08:00): render it as it will go.
    rows = OutboxMessage.objects.filter(channel=OutboxMessage.Channel.SMS)
    texts = [sms_text(row, rendered) for row in rows if (rendered := render(row)) is not None]
    assert texts
    for text in texts:
        assert_language_formats(text, "sms")
    assert any("03.06.2026 в 14:30" in text for text in texts), texts


@pytest.mark.parametrize(
    ("count", "session", "days", "minutes", "events"),
    [
        (1, "1 сеанс", "1 день", "1 минуту", "1 нежелательное явление"),
        (2, "2 сеанса", "2 дня", "2 минуты", "2 нежелательных явления"),
        (5, "5 сеансов", "5 дней", "5 минут", "5 нежелательных явлений"),
        (21, "21 сеанс", "21 день", "21 минуту", "21 нежелательное явление"),
    ],
)
def test_russian_plurals_agree_with_the_number(
    count: int, session: str, days: str, minutes: str, events: str
) -> None:
    with translation.override("ru"):
        booked = ngettext(
            "Your course is booked: %(count)s session.",
            "Your course is booked: %(count)s sessions.",
            count,
        ) % {"count": count}
        horizon = str(lazy_interpolate(booked_at_most_days_ahead(count), {"days": count}))
        uploads = str(TooManyUploads(retry_after=count * 60).message)
        button = Template(
            "{% load i18n %}{% blocktranslate count count=n %}Book {{ count }} session"
            "{% plural %}Book all {{ count }} sessions{% endblocktranslate %}"
        ).render(Context({"n": count}))
        report = Template(
            "{% load i18n %}{% blocktranslate count events=n %}{{ events }} event"
            "{% plural %}{{ events }} events{% endblocktranslate %}"
        ).render(Context({"n": count}))
    assert booked == f"Курс записан: {session}."
    assert f"на {days} вперёд" in horizon
    assert f"через {minutes}." in uploads
    assert session.split()[1] in button
    assert report == events
