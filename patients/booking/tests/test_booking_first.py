"""The patient's first booking: "Book" from "Treatments for me", a consultation offered after
a decline, `next` kept through sign-in and registration, the language after sign-in."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.booking.services import book_appointment, decline_booking_review
from patients.models import DATA_PROCESSING, Appointment
from patients.records.selectors import current_consent_text
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready

pytestmark = pytest.mark.django_db

PEEL = "glycolic-peel"


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


def book_url(slug: str) -> str:
    return reverse("patients:book-procedure", args=[slug])


# --- "Treatments for me" -------------------------------------------------------------------


def test_treatments_for_me_has_a_book_button_on_every_procedure_the_patient_may_book(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", rosacea=True, herpes_history=True)
    client.force_login(patient)

    response = client.get(reverse("patients:screening"))

    html = response.content.decode()
    outcomes = {procedure.slug: result for procedure, result in response.context["results"]}
    assert outcomes["consultation"].outcome == "ok"
    assert outcomes["mesotherapy"].outcome == "review"
    assert f'href="{book_url("consultation")}"' in html
    assert f'href="{book_url("mesotherapy")}"' in html
    for slug, result in outcomes.items():
        if result.outcome == "blocked" and result.earliest_date is None:
            assert book_url(slug) not in html  # nothing to book: no button
    assert ">Book<span" in html


# --- a declined appointment -----------------------------------------------------------------


def test_a_declined_appointments_page_offers_a_consultation(
    client: Client, clinic_setup: Clinic, patient: User, practitioner: User
) -> None:
    ready(patient, "peel", herpes_history=True)
    appointment = book_appointment(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure(PEEL),
        start=at(WEDNESDAY, 10),
        practitioner=None,
        booked_by=patient,
        channel=Appointment.Channel.WEB,
    )
    assert appointment.status == Appointment.Status.PENDING_REVIEW
    client.force_login(patient)
    page = reverse("patients:appointment", args=[appointment.pk])
    assert book_url("consultation") not in client.get(page).content.decode()

    decline_booking_review(appointment=appointment, by=practitioner, reason="Not this month.")
    html = client.get(page).content.decode()

    assert "Book a consultation" in html
    assert f'href="{book_url("consultation")}"' in html


# --- sign in / register from a booking page -----------------------------------------------


def registration(**changes: Any) -> dict[str, Any]:
    data = {
        "email": "carol@example.test",
        "password1": "a-long-unusual-passphrase-42",
        "password2": "a-long-unusual-passphrase-42",
        "first_name": "Carol",
        "last_name": "Clark",
        "phone": "+7 900 333-33-33",
        "date_of_birth": "1990-02-03",
        "preferred_language": "en",
        "consent_text": current_consent_text(DATA_PROCESSING).pk,
        "consent_full_name": "Carol Clark",
        "consent_ticked": "on",
    }
    data.update(changes)
    return data


def test_the_login_page_links_to_registration_keeping_next(client: Client) -> None:
    target = book_url(PEEL)
    first = client.get(target)
    assert first["Location"] == f"{reverse('login')}?next={quote(target)}"

    login_page = client.get(first["Location"]).content.decode()
    assert f'href="{reverse("register")}?next={quote(target)}"' in login_page
    register_page = client.get(f"{reverse('register')}?next={quote(target)}").content.decode()
    assert f'name="next" value="{target}"' in register_page
    assert f'href="{reverse("login")}?next={quote(target)}"' in register_page


def test_registering_from_a_booking_page_comes_back_to_it(client: Client) -> None:
    target = book_url(PEEL)

    response = client.post(reverse("register"), registration(next=target))

    assert response.status_code == 302
    assert response["Location"] == target
    assert User.objects.filter(email="carol@example.test").exists()
    login_page = client.get(client.get(target)["Location"])
    assert "Log in to go on." in login_page.content.decode()


def test_registering_with_an_existing_address_answers_the_same(
    client: Client, patient: User
) -> None:
    target = book_url(PEEL)

    response = client.post(reverse("register"), registration(email=patient.email, next=target))

    assert response.status_code == 302
    assert response["Location"] == target


@pytest.mark.parametrize("bad", ["https://evil.test/", "//evil.test/book/", "javascript:alert(1)"])
def test_a_next_to_another_site_after_registration_is_ignored(client: Client, bad: str) -> None:
    response = client.post(reverse("register"), registration(next=bad))

    assert response["Location"] == reverse("register_done")


def test_signing_in_from_a_booking_page_comes_back_to_it(client: Client, patient: User) -> None:
    target = book_url(PEEL)

    response = client.post(
        f"{reverse('login')}?next={quote(target)}",
        {"username": patient.email, "password": "pw-patient", "next": target},
    )

    assert response["Location"] == target


# --- the interface language after sign-in ---------------------------------------------------


def test_the_interface_follows_the_patients_language_after_sign_in(
    client: Client, patient: User
) -> None:
    patient.preferred_language = "ru"
    patient.save(update_fields=["preferred_language"])
    assert client.get(reverse("login")).headers["Content-Language"] == "en"

    response = client.post(reverse("login"), {"username": patient.email, "password": "pw-patient"})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    dashboard = client.get(response["Location"])
    assert dashboard.headers["Content-Language"] == "ru"
    assert '<html lang="ru"' in dashboard.content.decode()


def test_a_failed_sign_in_keeps_the_language(client: Client, patient: User) -> None:
    patient.preferred_language = "ru"
    patient.save(update_fields=["preferred_language"])

    response = client.post(reverse("login"), {"username": patient.email, "password": "wrong"})

    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
