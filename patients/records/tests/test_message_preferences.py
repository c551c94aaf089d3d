"""Which channels a patient's messages take: the patient's page and the desk's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import User

pytestmark = pytest.mark.django_db

URL = reverse("patients:message-preferences")


def staff_url(user: User) -> str:
    return reverse("patients:staff-message-preferences", args=[user.patient_profile.pk])


def choices(user: User) -> dict[str, Any]:
    profile = user.patient_profile
    profile.refresh_from_db()
    return {
        name: getattr(profile, name)
        for name in (
            "appointments_by_email",
            "appointments_by_sms",
            "care_by_email",
            "care_by_sms",
            "recalls_opt_out",
            "recalls_by_sms",
        )
    }


def test_the_patient_chooses_channels_per_group(client: Client, patient: User) -> None:
    client.force_login(patient)
    page = client.get(URL)
    assert page.status_code == 200
    content = page.content.decode()
    for name in ("appointments", "care", "recalls"):
        assert f'name="{name}"' in content
    # Today's choices are shown: appointments by both, care by e-mail, recalls by e-mail.
    assert page.context["form"].initial == {
        "appointments": "both",
        "care": "email",
        "recalls": "email",
    }
    answer = client.post(URL, {"appointments": "sms", "care": "off", "recalls": "both"})
    assert answer.status_code == 302
    assert choices(patient) == {
        "appointments_by_email": False,
        "appointments_by_sms": True,
        "care_by_email": False,
        "care_by_sms": False,
        "recalls_opt_out": False,
        "recalls_by_sms": True,
    }
    client.post(URL, {"appointments": "email", "care": "both", "recalls": "off"})
    assert choices(patient) == {
        "appointments_by_email": True,
        "appointments_by_sms": False,
        "care_by_email": True,
        "care_by_sms": True,
        "recalls_opt_out": True,
        "recalls_by_sms": False,
    }


def test_appointment_messages_cannot_be_turned_off(client: Client, patient: User) -> None:
    client.force_login(patient)
    before = choices(patient)
    answer = client.post(URL, {"appointments": "off", "care": "off", "recalls": "off"})
    assert answer.status_code == 200
    assert "appointments" in answer.context["form"].errors
    assert choices(patient) == before


def test_sms_needs_a_phone_number(client: Client, patient: User) -> None:
    patient.phone = ""
    patient.save()
    client.force_login(patient)
    answer = client.post(URL, {"appointments": "email", "care": "sms", "recalls": "email"})
    assert answer.status_code == 200
    assert "phone" in str(answer.context["form"].errors["care"])
    assert choices(patient)["care_by_sms"] is False


def test_the_page_is_the_patients_own_and_needs_a_login(client: Client) -> None:
    assert client.get(URL).status_code == 302


def test_the_desk_sets_a_patients_channels(
    client: Client, receptionist: User, patient: User
) -> None:
    client.force_login(receptionist)
    page = client.get(staff_url(patient))
    assert page.status_code == 200
    answer = client.post(
        staff_url(patient), {"appointments": "both", "care": "sms", "recalls": "off"}
    )
    assert answer.status_code == 302
    assert choices(patient)["care_by_sms"] is True
    assert choices(patient)["recalls_opt_out"] is True


def test_patients_never_reach_the_desk_page(
    client: Client, patient: User, other_patient: User
) -> None:
    client.force_login(patient)
    assert client.get(staff_url(other_patient)).status_code == 404
    assert client.post(staff_url(other_patient), {"appointments": "sms"}).status_code == 404
    assert client.get(staff_url(patient)).status_code == 404
