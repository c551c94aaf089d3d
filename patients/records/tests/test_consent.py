"""Consent: versioned texts with a hash, signatures with their evidence, a new
version needs a new signature, and the patient downloads what they signed."""

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.models import (
    ConsentSignature,
    ConsentText,
    ImmutableRowError,
    consent_kind_choices,
)
from patients.records import selectors, services
from procedures.errors import DomainError
from procedures.models import Procedure

pytestmark = pytest.mark.django_db


def test_every_procedure_category_and_data_processing_has_a_seeded_text() -> None:
    kinds = {kind for kind, _label in consent_kind_choices()}
    assert kinds == {"data_processing", *Procedure.Category.values, "photo_publication"}
    for kind in kinds:
        text = selectors.current_consent_text(kind)
        assert text is not None, kind
        assert text.version == 1
        assert text.body_en
        assert text.body_ru
        assert text.title_ru
        assert text.sha256 == text.compute_digest()


def test_signing_records_name_tick_time_address_browser_version_and_hash(
    client: Client, patient: User
) -> None:
    client.force_login(patient)
    text = selectors.current_consent_text("peel")
    url = reverse("patients:consent-sign", args=["peel"])
    page = client.get(url).content.decode()
    assert text.sha256 in page
    response = client.post(
        url,
        {"version": text.version, "full_name": "  Alice   Archer ", "ticked": "on"},
        headers={"user-agent": "Firefox/140"},
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 302
    signature = ConsentSignature.objects.get(patient=patient.patient_profile, kind="peel")
    assert signature.full_name == "Alice Archer"
    assert signature.ticked
    assert signature.ip_address == "192.0.2.44"
    assert signature.user_agent == "Firefox/140"
    assert signature.text == text
    assert signature.text_version == 1
    assert signature.text_sha256 == text.sha256
    assert signature.signed_at is not None
    assert selectors.has_valid_consent(patient.patient_profile, "peel")


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [("/me/screening/", "/me/screening/"), ("https://evil.example/", "/me/consents/")],
)
def test_after_signing_only_our_own_next_page_is_followed(
    client: Client, patient: User, next_url: str, expected: str
) -> None:
    client.force_login(patient)
    url = reverse("patients:consent-sign", args=["injection"])
    response = client.post(
        f"{url}?next={next_url}", {"version": 1, "full_name": "Alice Archer", "ticked": "on"}
    )
    assert response["Location"] == expected


def test_signing_needs_the_tick_and_a_name(client: Client, patient: User) -> None:
    client.force_login(patient)
    url = reverse("patients:consent-sign", args=["laser"])
    response = client.post(url, {"version": 1, "full_name": "Alice Archer"})
    assert response.status_code == 200
    assert "ticked" in response.context["form"].errors
    response = client.post(url, {"version": 1, "full_name": "", "ticked": "on"})
    assert "full_name" in response.context["form"].errors
    assert not ConsentSignature.objects.filter(kind="laser").exists()


def sign(user: User, kind: str) -> ConsentSignature:
    return services.sign_consent(
        patient=user.patient_profile,
        text=selectors.current_consent_text(kind),
        full_name="Alice Archer",
        ticked=True,
        ip_address="127.0.0.1",
        user_agent="test",
        language="en",
    )


def test_a_new_version_needs_a_new_signature_before_booking(patient: User) -> None:
    profile = patient.patient_profile
    sign(patient, "filler")
    services.require_valid_consent(profile, "filler")  # does not raise
    new = services.publish_consent_text(
        kind="filler",
        title_en="Fillers v2",
        title_ru="Филлеры v2",
        body_en="New.",
        body_ru="Новый.",
    )
    assert new.version == 2
    assert new.sha256 == new.compute_digest()
    assert not selectors.has_valid_consent(profile, "filler")
    with pytest.raises(DomainError) as caught:
        services.require_valid_consent(profile, "filler")
    assert caught.value.code == "consent_required"
    overview = {item["text"].kind: item for item in selectors.consent_overview(profile)}
    assert overview["filler"]["older_signed"]
    sign(patient, "filler")
    assert selectors.has_valid_consent(profile, "filler")


def test_an_outdated_version_cannot_be_signed(patient: User) -> None:
    old = selectors.current_consent_text("cryo")
    services.publish_consent_text(
        kind="cryo", title_en="Cryo v2", title_ru="Крио v2", body_en="Text.", body_ru="Текст."
    )
    with pytest.raises(DomainError) as caught:
        services.sign_consent(
            patient=patient.patient_profile,
            text=old,
            full_name="Alice Archer",
            ticked=True,
            ip_address=None,
            user_agent="",
            language="en",
        )
    assert caught.value.code == "consent_text_outdated"


def test_unsigned_or_unknown_categories_are_not_valid(patient: User) -> None:
    assert not selectors.has_valid_consent(patient.patient_profile, "laser")
    assert not selectors.has_valid_consent(patient.patient_profile, "no-such-category")


def test_signing_twice_keeps_one_signature(patient: User) -> None:
    assert sign(patient, "light") == sign(patient, "light")
    assert ConsentSignature.objects.filter(kind="light").count() == 1


def test_texts_and_signatures_are_immutable(patient: User) -> None:
    signature = sign(patient, "hardware")
    signature.full_name = "Mallory"
    with pytest.raises(ImmutableRowError):
        signature.save()
    text = signature.text
    text.body_en = "Something else"
    with pytest.raises(ImmutableRowError):
        text.save()
    with pytest.raises(ImmutableRowError):
        text.delete()


def test_the_download_holds_the_text_hash_name_and_time(client: Client, patient: User) -> None:
    signature = sign(patient, "surgery")
    client.force_login(patient)
    response = client.get(reverse("patients:consent-download", args=[signature.pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert signature.text.body_en in body
    assert signature.text.body_ru in body
    assert signature.text_sha256 in body
    assert "Alice Archer" in body
    assert f"{signature.signed_at.astimezone().year}" in body
    consents_page = client.get(reverse("patients:consents")).content.decode()
    assert reverse("patients:consent-download", args=[signature.pk]) in consents_page


def test_unknown_kind_is_404(client: Client, patient: User) -> None:
    client.force_login(patient)
    assert client.get(reverse("patients:consent-sign", args=["nope"])).status_code == 404


def test_the_hash_covers_both_languages() -> None:
    text = ConsentText.objects.get(kind="peel", version=1)
    changed = ConsentText(
        kind=text.kind,
        version=text.version,
        title_en=text.title_en,
        title_ru=text.title_ru,
        body_en=text.body_en,
        body_ru=text.body_ru + " ",
    )
    assert changed.compute_digest() != text.sha256
