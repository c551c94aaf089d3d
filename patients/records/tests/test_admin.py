"""The admin: immutable rows stay read-only, opening intake or photo pages is
audited, the audit log is append-only and for managers."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.models import AuditEntry, ImmutableRowError, Photo
from patients.tests.factories import give_baseline_intake

pytestmark = pytest.mark.django_db


def test_opening_an_intake_version_in_the_admin_is_audited(
    client: Client, patient: User, practitioner: User
) -> None:
    version = give_baseline_intake(patient)
    client.force_login(practitioner)
    url = reverse("admin:patients_intakeversion_change", args=[version.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "fitzpatrick" in response.content.decode()
    entry = AuditEntry.objects.get(actor=practitioner)
    assert entry.action == AuditEntry.Action.VIEW_INTAKE
    assert entry.patient == patient.patient_profile
    # Read-only: no save or delete buttons, and a POST changes nothing.
    assert 'name="_save"' not in response.content.decode()
    assert client.post(url, {"reason": "x"}).status_code == 403


def test_opening_a_photo_in_the_admin_is_audited(
    client: Client, patient: User, manager: User, add_photo: Callable[..., Photo]
) -> None:
    photo = add_photo(patient)
    client.force_login(manager)
    response = client.get(reverse("admin:patients_photo_change", args=[photo.pk]))
    assert response.status_code == 200
    assert AuditEntry.objects.filter(actor=manager, action=AuditEntry.Action.VIEW_PHOTOS).exists()


@pytest.mark.parametrize(
    ("persona", "model", "status"),
    [
        ("receptionist", "intakeversion", 403),
        ("receptionist", "photo", 403),
        ("receptionist", "patientprofile", 200),
        ("receptionist", "auditentry", 403),
        ("practitioner", "intakeversion", 200),
        ("practitioner", "auditentry", 403),
        ("manager", "auditentry", 200),
        ("manager", "erasurerequest", 200),
        ("manager", "consenttext", 200),
    ],
)
def test_admin_lists_follow_the_roles(
    client: Client,
    request: pytest.FixtureRequest,
    patient: User,
    persona: str,
    model: str,
    status: int,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(f"admin:patients_{model}_changelist")).status_code == status


def test_the_audit_log_is_append_only(
    client: Client, patient: User, manager: User, practitioner: User
) -> None:
    version = give_baseline_intake(patient)
    client.force_login(practitioner)
    client.get(reverse("patients:staff-intake", args=[patient.patient_profile.pk]))
    entry = AuditEntry.objects.get()
    entry.detail = "changed"
    with pytest.raises(ImmutableRowError):
        entry.save()
    with pytest.raises(ImmutableRowError):
        entry.delete()
    with pytest.raises(ImmutableRowError):
        AuditEntry.objects.all().delete()
    with pytest.raises(ImmutableRowError):
        AuditEntry.objects.update(detail="x")
    client.force_login(manager)
    response = client.get(reverse("admin:patients_auditentry_change", args=[entry.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_save"' not in html
    assert "deletelink" not in html
    assert (
        client.post(reverse("admin:patients_auditentry_delete", args=[entry.pk])).status_code == 403
    )
    assert version.number == 1


def test_a_manager_publishes_a_new_consent_version_in_the_admin(
    client: Client, manager: User
) -> None:
    client.force_login(manager)
    response = client.post(
        reverse("admin:patients_consenttext_add"),
        {
            "kind": "peel",
            "title_en": "Peel consent",
            "title_ru": "Согласие на пилинг",
            "body_en": "New words.",
            "body_ru": "Новые слова.",
        },
    )
    assert response.status_code == 302
    from patients.records.selectors import current_consent_text

    text = current_consent_text("peel")
    assert text.version == 2
    assert text.sha256 == text.compute_digest()
    response = client.get(reverse("admin:patients_consenttext_change", args=[text.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
