"""The guest's code by text message (issue #20): the guest chooses the phone or the e-mail;
the text goes through the SMS gateway at once, quiet hours or not; the code is accepted, a
wrong one is a form error, and the tries are limited. Texts land in the file backend."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from clinic.models import User
from clinic.sms import SmsRejected
from clinic.sms.local import LocmemBackend
from patients.booking.tests.test_guest_booking import CODE, details_url
from patients.booking.tests.test_guest_booking import GUEST as EMAILED_GUEST
from patients.messaging.channels import in_quiet_hours
from patients.models import Appointment, OutboxMessage
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at
from patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db

# The guest of the e-mail tests, with the phone in another spelling and the code by text.
GUEST = {**EMAILED_GUEST, "phone": "8 (912) 555-01-02", "code_channel": "sms"}


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


@pytest.fixture
def texts(settings: Any, tmp_path: Path) -> Path:
    """The SMS file backend's folder: one .txt per text sent."""
    settings.SMS_URL = f"file://{tmp_path}"
    return tmp_path


def sent(folder: Path) -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))]


def code_in(text: str) -> str:
    match = re.search(r"\b(\d{6})\b", text)
    assert match, text
    return match.group(1)


def ask_code_by_text(client: Client, clinic: Clinic, texts: Path, **changes: str) -> str:
    mail.outbox.clear()
    response = client.post(details_url(clinic), {**GUEST, **changes})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == CODE
    (text,) = sent(texts)
    assert "To: +79125550102" in text
    assert not mail.outbox  # the code went by text only
    return code_in(text)


def test_the_details_page_offers_the_phone_or_the_e_mail(
    client: Client, clinic_setup: Clinic
) -> None:
    page = client.get(details_url(clinic_setup)).content.decode()
    assert 'name="code_channel" value="sms"' in page
    assert 'name="code_channel" value="email"' in page
    assert "By text message to my phone" in page


def test_the_code_arrives_by_text_and_books_the_consultation(
    client: Client,
    clinic_setup: Clinic,
    texts: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    code = ask_code_by_text(client, clinic_setup, texts)
    (text,) = sent(texts)
    assert "It works for 10 minutes." in text
    assert "Consultation" not in text  # a text names nothing about health
    page = client.get(CODE).content.decode()
    assert "We sent a code by text message to +79125550102." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CODE, {"code": code})
    assert response.status_code == 302
    user = User.objects.get(email=GUEST["email"])
    appointment = Appointment.objects.get(patient__user=user)
    assert appointment.start == at(WEDNESDAY, 10)
    # The code proved the phone, not the address: setting the password verifies that.
    assert not user.patient_profile.is_verified
    assert OutboxMessage.objects.filter(
        patient=user.patient_profile, kind=OutboxMessage.Kind.INVITATION
    ).exists()


def test_a_wrong_code_by_text_is_a_form_error_and_tries_run_out(
    client: Client, clinic_setup: Clinic, texts: Path, settings: Any
) -> None:
    settings.GUEST_CODE_ATTEMPTS = 2
    code = ask_code_by_text(client, clinic_setup, texts)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post(CODE, {"code": wrong})
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["This code is not right."]
    client.post(CODE, {"code": wrong})
    response = client.post(CODE, {"code": code})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    assert not Appointment.objects.exists()
    # A new code by text starts the tries again.
    before = sent(texts)
    client.post(CODE, {"resend": "1"})
    (new_text,) = [text for text in sent(texts) if text not in before]
    new = code_in(new_text)
    assert client.post(CODE, {"code": new}).status_code == 302
    assert Appointment.objects.count() == 1


def test_the_code_is_e_mailed_when_the_guest_chooses_e_mail(
    client: Client, clinic_setup: Clinic, texts: Path
) -> None:
    mail.outbox.clear()
    response = client.post(details_url(clinic_setup), {**GUEST, "code_channel": "email"})
    assert response.status_code == 302
    assert not sent(texts)
    (message,) = mail.outbox
    assert message.to == [GUEST["email"]]
    assert client.post(CODE, {"code": code_in(str(message.body))}).status_code == 302
    assert User.objects.get(email=GUEST["email"]).patient_profile.is_verified


def test_quiet_hours_do_not_hold_back_a_code(
    client: Client, clinic_setup: Clinic, texts: Path, settings: Any
) -> None:
    settings.SMS_QUIET_HOURS = ("21:00", "09:00")
    late = dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    with time_machine.travel(late, tick=False):
        assert in_quiet_hours(late)
        code = ask_code_by_text(client, clinic_setup, texts)
        assert client.post(CODE, {"code": code}).status_code == 302
    # The code went at once (it was in the folder above); the clinic's own texts still wait
    # for the morning: the booking confirmation's SMS row is due at 09:00.
    confirmation = OutboxMessage.objects.get(
        kind=OutboxMessage.Kind.BOOKING_CONFIRMATION, channel=OutboxMessage.Channel.SMS
    )
    assert confirmation.due_at == late.replace(day=2, hour=9, minute=0)
    assert not any(code in str(row.context) for row in OutboxMessage.objects.all())


def test_a_known_phone_is_told_by_text_to_sign_in_and_gets_no_code(
    client: Client, clinic_setup: Clinic, texts: Path
) -> None:
    owner = make_patient(email="someone@example.test", phone="+79125550102")
    mail.outbox.clear()
    response = client.post(details_url(clinic_setup), GUEST)
    assert response.status_code == 302  # the page says no more than for a new guest
    (text,) = sent(texts)
    assert owner.phone == "+79125550102"
    assert "To: +79125550102" in text
    assert "already have an account" in text
    assert not re.search(r"\b\d{6}\b", text)
    assert not mail.outbox


def test_a_rejected_number_is_a_form_error_on_the_phone(
    client: Client, clinic_setup: Clinic, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def reject(self: LocmemBackend, *, to: str, text: str, reference: str) -> str:
        raise SmsRejected("number on the stop list")

    settings.SMS_URL = "locmem:"
    monkeypatch.setattr(LocmemBackend, "send", reject)
    response = client.post(details_url(clinic_setup), GUEST)
    assert response.status_code == 400
    assert "have the code e-mailed instead" in " ".join(response.context["form"].errors["phone"])


def test_the_text_is_in_the_guest_s_language(
    client: Client, clinic_setup: Clinic, texts: Path
) -> None:
    ask_code_by_text(client, clinic_setup, texts, preferred_language="ru")
    (text,) = sent(texts)
    assert "код подтверждения записи" in text
    assert "Он действует 10 минут." in text
