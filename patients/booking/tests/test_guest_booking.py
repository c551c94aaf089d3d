"""A consultation booked without an account (issue #20): the code e-mailed, checked once,
the account created the desk's way (invited), the booking made; other procedures refused."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.booking.views.guest import SESSION_KEY
from patients.models import Appointment, OutboxMessage, PatientProfile
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at
from patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db

GUEST = {
    "first_name": "Gina",
    "last_name": "Guest",
    "phone": "+7 912 555-01-02",
    "email": "gina@example.test",
    "date_of_birth": "1991-05-06",
    "preferred_language": "en",
    "code_channel": "email",
}
TIMES = reverse("patients:book-guest", args=["consultation"])
CODE = reverse("patients:book-guest-code", args=["consultation"])


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


def details_url(clinic: Clinic, hour: int = 10) -> str:
    start = at(WEDNESDAY, hour)
    return f"{TIMES}?{urlencode({'start': start.isoformat(), 'practitioner': clinic.derm.pk})}"


def ask_code(client: Client, clinic: Clinic, **changes: str) -> str:
    """Post the details; the code the e-mail carries."""
    mail.outbox.clear()
    response = client.post(details_url(clinic), {**GUEST, **changes})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == CODE
    (message,) = mail.outbox
    assert message.to == [changes.get("email", GUEST["email"])]
    match = re.search(r"\b(\d{6})\b", str(message.body))
    assert match
    return match.group(1)


def other(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_consultation_page_shows_free_times_to_a_guest(
    client: Client, clinic_setup: Clinic
) -> None:
    response = client.get(TIMES)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{TIMES}?start=" in page
    assert "2026-06-03T10%3A00%3A00%2B03%3A00" in page


def test_a_guest_books_a_consultation_with_the_code(
    client: Client, clinic_setup: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    code = ask_code(client, clinic_setup)
    stored = client.session[SESSION_KEY]
    assert code not in str(stored)  # only its hash is kept
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CODE, {"code": code})
    user = User.objects.get(email=GUEST["email"])
    appointment = Appointment.objects.get(patient__user=user)
    assert appointment.procedure.slug == "consultation"
    assert appointment.start == at(WEDNESDAY, 10)
    assert appointment.practitioner == clinic_setup.derm
    assert appointment.channel == Appointment.Channel.WEB
    assert not user.has_usable_password()
    assert user.phone == "+79125550102"
    assert user.patient_profile.is_verified
    # The invitation to set a password went out through the outbox, as from the desk.
    assert OutboxMessage.objects.filter(
        patient=user.patient_profile, kind=OutboxMessage.Kind.INVITATION
    ).exists()
    # Signed in, and asked for the questionnaire before the visit.
    intake = reverse("patients:intake")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{intake}?next=")
    assert str(appointment.pk) in response["Location"]
    assert client.get(reverse("patients:appointment", args=[appointment.pk])).status_code == 200
    assert SESSION_KEY not in client.session


def test_a_wrong_code_books_nothing_and_tries_run_out(
    client: Client, clinic_setup: Clinic, settings: Any
) -> None:
    settings.GUEST_CODE_ATTEMPTS = 3
    code = ask_code(client, clinic_setup)
    response = client.post(CODE, {"code": other(code)})
    assert response.status_code == 400
    assert "This code is not right." in response.content.decode()
    client.post(CODE, {"code": other(code)})
    client.post(CODE, {"code": other(code)})
    response = client.post(CODE, {"code": code})  # the right one, too late
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    assert not User.objects.filter(email=GUEST["email"]).exists()
    assert not Appointment.objects.exists()


def test_an_expired_code_books_nothing(client: Client, clinic_setup: Clinic) -> None:
    code = ask_code(client, clinic_setup)
    with time_machine.travel(dt.timedelta(minutes=11)):
        response = client.post(CODE, {"code": code})
    assert response.status_code == 400
    assert "This code has expired" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_new_code_replaces_the_expired_one(client: Client, clinic_setup: Clinic) -> None:
    old = ask_code(client, clinic_setup)
    mail.outbox.clear()
    client.post(CODE, {"resend": "1"})
    (message,) = mail.outbox
    match = re.search(r"\b(\d{6})\b", str(message.body))
    assert match
    new = match.group(1)
    if new != old:
        assert client.post(CODE, {"code": old}).status_code == 400
    assert client.post(CODE, {"code": new}).status_code == 302
    assert Appointment.objects.count() == 1


def test_a_code_is_used_once(
    client: Client, clinic_setup: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    code = ask_code(client, clinic_setup)
    stored = dict(client.session[SESSION_KEY])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(CODE, {"code": code}).status_code == 302
    # The same pending booking replayed (another browser with the old session): refused.
    replay = Client()
    session = replay.session
    session[SESSION_KEY] = {**stored, "used": True}
    session.save()
    response = replay.post(CODE, {"code": code})
    assert response.status_code == 400
    assert "This code was used already" in response.content.decode()
    assert Appointment.objects.count() == 1
    assert User.objects.filter(email=GUEST["email"]).count() == 1


@pytest.mark.parametrize(
    "known", [{"email": "gina@example.test"}, {"phone": "+79125550102"}], ids=["email", "phone"]
)
def test_a_known_phone_or_email_is_told_to_sign_in_without_the_page_saying_so(
    client: Client, clinic_setup: Clinic, known: dict[str, str]
) -> None:
    owner = make_patient(**({"email": "someone@example.test", "phone": "+79990000000"} | known))
    mail.outbox.clear()
    response = client.post(details_url(clinic_setup), GUEST)
    # The same answer as for a new guest: the page does not tell who has an account.
    assert response.status_code == 302
    assert response["Location"] == CODE
    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert "please sign in to book" in str(message.body)
    assert reverse("login") in str(message.body)
    assert not re.search(r"\b\d{6}\b", str(message.body))
    # No code books the time.
    for guess in ("000000", "123456"):
        assert client.post(CODE, {"code": guess}).status_code == 400
    assert PatientProfile.objects.count() == 1
    assert not Appointment.objects.exists()


def test_another_procedure_cannot_be_booked_as_a_guest(
    client: Client, clinic_setup: Clinic
) -> None:
    peel = reverse("patients:book-guest", args=["glycolic-peel"])
    assert client.get(peel).status_code == 404
    start = at(WEDNESDAY, 10).isoformat()
    response = client.post(f"{peel}?{urlencode({'start': start})}", GUEST)
    assert response.status_code == 404
    assert (
        client.post(
            reverse("patients:book-guest-code", args=["glycolic-peel"]), {"code": "123456"}
        ).status_code
        == 404
    )
    assert not mail.outbox
    assert not User.objects.filter(email=GUEST["email"]).exists()


def test_codes_are_rate_limited(client: Client, clinic_setup: Clinic, settings: Any) -> None:
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "guest_code": "2/h"}
    ask_code(client, clinic_setup)
    client.post(CODE, {"resend": "1"})
    response = client.post(CODE, {"resend": "1"})
    assert response.status_code == 429


def test_bad_details_are_a_400_naming_the_field(client: Client, clinic_setup: Clinic) -> None:
    response = client.post(details_url(clinic_setup), {**GUEST, "phone": "call me"})
    assert response.status_code == 400
    assert 'id="id_phone"' in response.content.decode()
    assert client.get(f"{TIMES}?start=tomorrow").status_code == 400


def test_a_guest_on_a_booking_page_goes_to_the_guest_page_or_to_sign_in(
    client: Client, clinic_setup: Clinic
) -> None:
    response = client.get(reverse("patients:book-procedure", args=["consultation"]))
    assert response.status_code == 302
    assert response["Location"] == TIMES
    peel = reverse("patients:book-procedure", args=["glycolic-peel"])
    response = client.get(peel)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")
