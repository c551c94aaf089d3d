"""Who sees what: every URL that shows patient data, for the patient, another
patient, each staff role and an anonymous visitor; staff access is audited."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.models import AuditEntry, ConsentSignature, Photo

pytestmark = pytest.mark.django_db

OWN_PAGES = [
    "patients:dashboard",
    "patients:profile",
    "patients:intake",
    "patients:screening",
    "patients:consents",
    "patients:photos",
    "patients:progress",
    "patients:privacy",
    "patients:privacy-export",
]


@pytest.mark.parametrize("name", OWN_PAGES)
def test_own_pages_need_a_login(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", OWN_PAGES)
def test_own_pages_show_only_the_patients_own_data(
    client: Client, patient_with_intake: User, other_patient: User, name: str
) -> None:
    client.force_login(other_patient)
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200
    body = response.content
    assert b"alice@example.test" not in body
    assert b"Alice" not in body
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", OWN_PAGES)
def test_own_pages_for_the_patient(client: Client, patient_with_intake: User, name: str) -> None:
    client.force_login(patient_with_intake)
    response = client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["receptionist", "practitioner", "manager"])
@pytest.mark.parametrize("name", OWN_PAGES[1:])
def test_staff_without_a_profile_get_404_on_patient_pages(
    client: Client, request: pytest.FixtureRequest, persona: str, name: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("persona", ["receptionist", "practitioner", "manager"])
def test_staff_my_account_leads_to_the_staff_patient_list(
    client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("patients:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:staff-patients")


def test_signature_download_is_the_owners_only(
    client: Client, patient: User, other_patient: User
) -> None:
    signature = ConsentSignature.objects.get(patient=patient.patient_profile)
    url = reverse("patients:consent-download", args=[signature.pk])
    client.force_login(patient)
    response = client.get(url)
    assert response.status_code == 200
    assert signature.text_sha256 in response.content.decode()
    client.force_login(other_patient)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status", "audited"),
    [
        ("patient", 200, False),
        ("other_patient", 404, False),
        ("receptionist", 404, False),
        ("practitioner", 200, True),
        ("manager", 200, True),
    ],
)
@pytest.mark.parametrize("variant", ["full", "thumb"])
def test_photo_files(
    client: Client,
    request: pytest.FixtureRequest,
    patient: User,
    add_photo: Callable[..., Photo],
    persona: str,
    status: int,
    audited: bool,
    variant: str,
) -> None:
    photo = add_photo(patient)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("patients:photo-file", args=[photo.uuid, variant]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PHOTO_FILE)
    assert entries.exists() is audited


def test_photo_file_anonymous_goes_to_login(
    client: Client, patient: User, add_photo: Callable[..., Photo]
) -> None:
    photo = add_photo(patient)
    response = client.get(reverse("patients:photo-file", args=[photo.uuid, "full"]))
    assert response.status_code == 302


def test_another_patients_photo_cannot_be_deleted(
    client: Client, patient: User, other_patient: User, add_photo: Callable[..., Photo]
) -> None:
    photo = add_photo(patient)
    client.force_login(other_patient)
    response = client.post(reverse("patients:photo-delete", args=[photo.uuid]))
    assert response.status_code == 404
    assert Photo.objects.filter(pk=photo.pk).exists()


STAFF_TABLE = [
    # (url name, receptionist, practitioner, manager, other_patient/patient, audit action)
    ("patients:staff-patient", 200, 200, 200, 404, AuditEntry.Action.VIEW_INTAKE),
    ("patients:staff-intake", 403, 200, 200, 404, AuditEntry.Action.VIEW_INTAKE),
    ("patients:staff-photos", 403, 200, 200, 404, AuditEntry.Action.VIEW_PHOTOS),
]


@pytest.mark.parametrize(("name", "rec", "prac", "man", "pat", "action"), STAFF_TABLE)
def test_staff_pages_follow_the_table(
    client: Client,
    patient_with_intake: User,
    other_patient: User,
    receptionist: User,
    practitioner: User,
    manager: User,
    add_photo: Callable[..., Photo],
    name: str,
    rec: int,
    prac: int,
    man: int,
    pat: int,
    action: str | None,
) -> None:
    add_photo(patient_with_intake)
    url = reverse(name, args=[patient_with_intake.patient_profile.pk])
    for user, expected in (
        (receptionist, rec),
        (practitioner, prac),
        (manager, man),
        (other_patient, pat),
        (patient_with_intake, pat),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected, (user.email, expected)
        if action and expected == 200 and user in (practitioner, manager):
            assert AuditEntry.objects.filter(
                actor=user, patient=patient_with_intake.patient_profile, action=action
            ).exists()
    if action:
        assert not AuditEntry.objects.filter(actor=receptionist).exists()


def test_receptionist_sees_contacts_and_outcome_but_no_answers_or_reasons(
    client: Client, patient: User, receptionist: User
) -> None:
    from patients.tests.factories import give_baseline_intake

    give_baseline_intake(patient, pregnant="yes")
    client.force_login(receptionist)
    html = client.get(
        reverse("patients:staff-patient", args=[patient.patient_profile.pk])
    ).content.decode()
    assert "alice@example.test" in html
    assert "+7 900 111-11-11" in html
    assert "Not possible now" in html
    assert "PREGNANCY" not in html
    assert "pregnan" not in html.lower()
    assert reverse("patients:staff-intake", args=[patient.patient_profile.pk]) not in html


def test_practitioner_sees_answers_and_flags(
    client: Client, patient: User, practitioner: User
) -> None:
    from patients.tests.factories import give_baseline_intake

    give_baseline_intake(patient, pregnant="yes")
    client.force_login(practitioner)
    html = client.get(
        reverse("patients:staff-intake", args=[patient.patient_profile.pk])
    ).content.decode()
    assert "Are you pregnant?" in html
    assert "PREGNANCY" in html


def test_staff_patient_list_is_for_staff_only(
    client: Client, patient: User, receptionist: User, other_patient: User
) -> None:
    url = reverse("patients:staff-patients")
    client.force_login(receptionist)
    response = client.get(url, {"q": "archer"})
    assert response.status_code == 200
    assert b"alice@example.test" in response.content
    assert b"bob@example.test" not in response.content
    client.force_login(other_patient)
    assert client.get(url).status_code == 404


def test_unknown_patient_id_is_404_for_staff(client: Client, practitioner: User) -> None:
    client.force_login(practitioner)
    assert client.get(reverse("patients:staff-intake", args=[999999])).status_code == 404
