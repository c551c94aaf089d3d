"""Accounts: registration with the data-processing consent, e-mail verification in
the patient's language, login lockout, password reset, profile."""

import base64
import datetime as dt
import re
import zlib
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.models import DATA_PROCESSING, ConsentSignature, PatientProfile
from patients.records import services
from patients.records.selectors import current_consent_text
from patients.records.services.accounts import VERIFY_SALT
from procedures.errors import DomainError

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


def registration(**changes: Any) -> dict[str, Any]:
    data = {
        "email": "Carol@Example.test",
        "password1": "a-long-unusual-passphrase-42",
        "password2": "a-long-unusual-passphrase-42",
        "first_name": "Carol",
        "last_name": "Clark",
        "phone": "+7 900 333-33-33",
        "date_of_birth": "1990-02-03",
        "preferred_language": "ru",
        "consent_text": current_consent_text(DATA_PROCESSING).pk,
        "consent_full_name": "Carol Clark",
        "consent_ticked": "on",
    }
    data.update(changes)
    return data


def link_in(message: Any) -> str:
    match = re.search(r"https?://\S+/accounts/verify/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def test_registration_creates_the_patient_and_records_the_consent(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("register"),
            registration(),
            headers={"user-agent": "TestBrowser/1.0"},
            REMOTE_ADDR="203.0.113.7",
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("register_done")
    user = User.objects.get(email="carol@example.test")
    assert user.check_password("a-long-unusual-passphrase-42")
    assert user.preferred_language == "ru"
    profile = user.patient_profile
    assert profile.date_of_birth == dt.date(1990, 2, 3)
    assert not profile.is_verified
    assert not services.is_verified(user)
    signature = ConsentSignature.objects.get(patient=profile)
    text = current_consent_text(DATA_PROCESSING)
    assert signature.text == text
    assert signature.text_sha256 == text.sha256 == text.compute_digest()
    assert signature.full_name == "Carol Clark"
    assert signature.ip_address == "203.0.113.7"
    assert signature.user_agent == "TestBrowser/1.0"
    assert signature.ticked


def test_the_verification_email_is_in_the_patients_language_and_verifies(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("register"), registration())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carol@example.test"]
    assert "Подтвердите" in message.subject
    assert "Здравствуйте" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "<a href=" in html
    response = client.get(link_in(message))
    assert response.status_code == 302
    user = User.objects.get(email="carol@example.test")
    assert services.is_verified(user)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"consent_ticked": ""}, "consent_ticked", "This field is required"),
        ({"date_of_birth": "2099-01-01"}, "date_of_birth", "in the future"),
        ({"password2": "something-else-entirely"}, "password2", "differ"),
        ({"password1": "12345678", "password2": "12345678"}, "password1", "too common"),
        ({"consent_full_name": ""}, "consent_full_name", "This field is required"),
        ({"email": "not-an-address"}, "email", "valid email"),
    ],
)
def test_registration_errors_are_clear(
    client: Client, changes: dict[str, Any], field: str, message: str
) -> None:
    response = client.post(reverse("register"), registration(**changes))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not User.objects.filter(email="carol@example.test").exists()
    # What was typed stays in the form.
    assert 'value="Carol"' in response.content.decode()


def test_registering_an_existing_address_answers_the_same_and_tells_the_owner(
    client: Client, patient: User
) -> None:
    mail.outbox.clear()
    taken = client.post(reverse("register"), registration(email="ALICE@example.test"))
    fresh = Client().post(reverse("register"), registration(email="new.one@example.test"))
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"] == reverse("register_done")
    assert User.objects.filter(email__iexact="alice@example.test").count() == 1
    assert "_auth_user_id" not in client.session  # the stranger is not signed in as alice
    to_alice = [m for m in mail.outbox if m.to == ["alice@example.test"]]
    assert len(to_alice) == 1
    assert "already has an account" in to_alice[0].body
    assert "/accounts/password/reset/" in to_alice[0].body


def test_a_new_and_a_taken_address_get_the_same_answer_and_nobody_is_signed_in(
    patient: User,
) -> None:
    """Issue #21: a sign-in after a new registration told a stranger the address was free."""
    taken_client, fresh_client = Client(), Client()
    taken = taken_client.post(reverse("register"), registration(email="alice@example.test"))
    fresh = fresh_client.post(reverse("register"), registration(email="new.two@example.test"))
    assert User.objects.filter(email="new.two@example.test").exists()
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert sorted(taken.cookies) == sorted(fresh.cookies)
    assert settings.SESSION_COOKIE_NAME not in fresh.cookies
    assert "_auth_user_id" not in fresh_client.session
    assert "_auth_user_id" not in taken_client.session
    # The page after it is the same too, and says to check the e-mail.
    pages = [
        # Only the per-request secrets (CSRF token, CSP nonce) may differ.
        re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', "", c.get(r["Location"]).text)
        for c, r in ((taken_client, taken), (fresh_client, fresh))
    ]
    assert pages[0] == pages[1]
    assert "Check your e-mail" in pages[0]


def test_the_new_patient_confirms_the_address_then_logs_in(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("register"), registration())
    assert client.get(reverse("patients:dashboard")).status_code == 302  # not signed in
    response = client.get(link_in(mail.outbox[0]))
    assert response["Location"].startswith(reverse("login"))
    response = client.post(
        response["Location"],
        {"username": "carol@example.test", "password": "a-long-unusual-passphrase-42"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:dashboard")
    assert client.get(reverse("patients:dashboard")).status_code == 200


def test_registration_is_rate_limited(settings: Any, client: Client) -> None:
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": "2/h"}
    address = "198.51.100.77"
    codes = [
        client.post(
            reverse("register"), registration(email=f"n{i}@example.test"), REMOTE_ADDR=address
        ).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]


def test_a_stale_consent_version_is_refused(client: Client) -> None:
    old = current_consent_text(DATA_PROCESSING)
    services.publish_consent_text(
        kind=DATA_PROCESSING, title_en="New", title_ru="Новый", body_en="Body.", body_ru="Текст."
    )
    response = client.post(reverse("register"), registration(consent_text=old.pk))
    assert "has changed" in response.content.decode()
    assert not User.objects.filter(email="carol@example.test").exists()


def test_a_tampered_or_expired_link_is_refused(client: Client, patient: User) -> None:
    profile = patient.patient_profile
    profile.email_verified_at = None
    profile.save()
    response = client.get(reverse("verify_email", args=["not-a-token"]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    token = services.email_verification_token(patient)
    days = settings.EMAIL_VERIFICATION_MAX_AGE_DAYS
    with time_machine.travel(dt.datetime.now(tz=MOSCOW) + dt.timedelta(days=days, hours=1)):
        response = client.get(reverse("verify_email", args=[token]))
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    profile.refresh_from_db()
    assert not profile.is_verified


def test_a_link_stops_working_when_the_address_changes(patient: User) -> None:
    token = services.email_verification_token(patient)
    patient.email = "alice.new@example.test"
    patient.save()
    with pytest.raises(DomainError) as caught:
        services.verify_email(token=token)
    assert caught.value.code == "link_invalid"


def _decoded(token: str) -> str:
    """Everything a reader of the link can decode from it, without the secret key."""
    payload = token.split(":")[0]
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if payload.startswith(".") else raw).decode()


def test_the_verification_link_holds_no_address(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("register"), registration())
    link = link_in(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[-1]
    for text in (link, _decoded(token)):
        assert "carol" not in text.lower()
        assert "example.test" not in text
    assert client.get(link).status_code == 302
    assert services.is_verified(User.objects.get(email="carol@example.test"))


def test_a_link_sent_with_the_address_still_verifies(patient: User) -> None:
    profile = patient.patient_profile
    profile.email_verified_at = None
    profile.save()
    old = signing.dumps({"u": patient.pk, "e": patient.email}, salt=VERIFY_SALT, compress=True)
    assert services.verify_email(token=old) == patient
    profile.refresh_from_db()
    assert profile.is_verified


def test_resend_verification(client: Client, patient: User) -> None:
    profile = patient.patient_profile
    profile.email_verified_at = None
    profile.save()
    client.force_login(patient)
    assert (
        "Please confirm your e-mail address"
        in client.get(reverse("patients:dashboard")).content.decode()
    )
    client.post(reverse("patients:resend-verification"))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("Confirm your e-mail address")


def test_login_sends_patients_to_their_account(client: Client, patient: User) -> None:
    response = client.post(
        reverse("login"), {"username": "alice@example.test", "password": "pw-patient"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:dashboard")


def test_logout_is_a_post(client: Client, patient: User) -> None:
    client.force_login(patient)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def fail_login(client: Client, email: str, ip: str = "198.51.100.1") -> Any:
    return client.post(reverse("login"), {"username": email, "password": "wrong"}, REMOTE_ADDR=ip)


def test_repeated_failures_lock_the_account_from_that_address(
    client: Client, patient: User
) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for _attempt in range(limit - 1):
        response = fail_login(client, "alice@example.test")
        assert response.status_code == 200
        assert "Please enter a correct" in response.content.decode()
    response = fail_login(client, "alice@example.test")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins" in html
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"try again in {minutes} minutes" in html
    # Even the right password is refused from that address while locked...
    response = client.post(
        reverse("login"),
        {"username": "alice@example.test", "password": "pw-patient"},
        REMOTE_ADDR="198.51.100.1",
    )
    assert response.status_code == 429
    # ...but the same account from another address, and another account, still work.
    response = client.post(
        reverse("login"),
        {"username": "alice@example.test", "password": "pw-patient"},
        REMOTE_ADDR="198.51.100.2",
    )
    assert response.status_code == 302


def test_the_lockout_ends_after_the_cool_off(client: Client, patient: User) -> None:
    start = dt.datetime(2026, 3, 10, 12, 0, tzinfo=MOSCOW)
    with time_machine.travel(start, tick=False) as traveller:
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            fail_login(client, "alice@example.test")
        traveller.shift(settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1))
        response = client.post(
            reverse("login"),
            {"username": "alice@example.test", "password": "pw-patient"},
            REMOTE_ADDR="198.51.100.1",
        )
    assert response.status_code == 302


def test_password_reset_email_in_the_users_language(client: Client, patient: User) -> None:
    patient.preferred_language = "ru"
    patient.save()
    response = client.post(reverse("password_reset"), {"email": "alice@example.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "новый пароль" in message.subject.lower()
    assert message.alternatives[0][1] == "text/html"
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body).group(0)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {
            "new_password1": "another-long-passphrase-9",
            "new_password2": "another-long-passphrase-9",
        },
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.check_password("another-long-passphrase-9")


def test_profile_edit(client: Client, patient: User) -> None:
    client.force_login(patient)
    response = client.post(
        reverse("patients:profile"),
        {
            "first_name": "Alicia",
            "last_name": "Archer",
            "phone": "+7 900 999-99-99",
            "date_of_birth": "1994-01-02",
            "preferred_language": "ru",
        },
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.first_name, patient.phone, patient.preferred_language) == (
        "Alicia",
        "+7 900 999-99-99",
        "ru",
    )
    assert PatientProfile.objects.get(user=patient).date_of_birth == dt.date(1994, 1, 2)


def test_profile_refuses_a_future_birth_date(client: Client, patient: User) -> None:
    client.force_login(patient)
    response = client.post(
        reverse("patients:profile"),
        {
            "first_name": "Alice",
            "last_name": "Archer",
            "phone": "1",
            "date_of_birth": "2999-01-01",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 200
    assert "in the future" in str(response.context["form"].errors["date_of_birth"])


def test_the_verification_link_names_no_address(patient: User) -> None:
    """The signed token is readable base64: it carries the account id and a keyed digest."""
    token = services.email_verification_token(patient)
    payload = token.split(":")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"alice" not in decoded
    assert b"example.test" not in decoded
    assert "alice" not in token
    assert services.verify_email(token=token) == patient


def test_a_verification_link_dies_when_the_address_changes(patient: User) -> None:
    token = services.email_verification_token(patient)
    patient.email = "alice.new@example.test"
    patient.save()
    with pytest.raises(DomainError):
        services.verify_email(token=token)
