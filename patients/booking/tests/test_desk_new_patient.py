"""A first-time caller at the desk (issue #20): created with an invitation through the
outbox, an existing patient offered instead of a duplicate, the invitation's one-time
link, and a consultation booked without a questionnaire or a consent."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.messaging.render import render, sms_text
from patients.models import Appointment, OutboxMessage, PatientProfile
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at
from patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db

NEW = reverse("desk:new-patient")
EMAIL, SMS = OutboxMessage.Channel.EMAIL, OutboxMessage.Channel.SMS
CALLER = {
    "first_name": "Carol",
    "last_name": "Caller",
    "phone": "8 (912) 345-67-89",
    "email": "carol@example.test",
    "date_of_birth": "1990-04-02",
    "preferred_language": "en",
}


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


@pytest.fixture
def desk(client: Client, receptionist: User) -> Client:
    client.force_login(receptionist)
    return client


def create(desk: Client, capture: Any, **changes: str) -> Any:
    with capture(execute=True):
        return desk.post(NEW, {**CALLER, **changes})


def invitation_link(message: Any) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/welcome/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_a_first_time_caller_is_created_and_invited(
    desk: Client, django_capture_on_commit_callbacks: Any
) -> None:
    response = create(desk, django_capture_on_commit_callbacks)

    profile = PatientProfile.objects.get(user__email="carol@example.test")
    assert response["Location"] == reverse("desk:patient", args=[profile.pk])
    user = profile.user
    assert user.phone == "+79123456789"
    assert user.preferred_language == "en"
    assert profile.date_of_birth == dt.date(1990, 4, 2)
    assert not user.has_usable_password()
    assert not profile.is_verified
    rows = OutboxMessage.objects.filter(patient=profile)
    assert {row.kind for row in rows} == {OutboxMessage.Kind.INVITATION}
    assert rows.get(channel=EMAIL).state == OutboxMessage.State.SENT
    # The SMS waits for the end of the quiet hours (it is 08:00 in Moscow).
    assert rows.get(channel=SMS).state == OutboxMessage.State.PENDING
    assert [m.to for m in mail.outbox] == [["carol@example.test"]]
    assert "/me/intake/" in mail.outbox[0].body
    page = desk.get(response["Location"]).content.decode()
    assert "not done yet" in page
    assert "missing" in page


def test_the_invitation_link_sets_a_password_once_and_leads_to_the_questionnaire(
    desk: Client, receptionist: User, django_capture_on_commit_callbacks: Any
) -> None:
    create(desk, django_capture_on_commit_callbacks)
    link = invitation_link(mail.outbox[0])
    client = Client()

    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert form.context["validlink"]
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "a-Long-pass-2026", "new_password2": "a-Long-pass-2026"}
    )

    assert done["Location"] == reverse("patients:intake")
    profile = PatientProfile.objects.get(user__email="carol@example.test")
    assert profile.user.check_password("a-Long-pass-2026")
    assert profile.is_verified  # the link came through the address
    assert client.get(reverse("patients:intake")).status_code == 200  # signed in
    client.logout()
    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert (
        "done: the patient set a password"
        in desk.get(reverse("desk:patient", args=[profile.pk])).content.decode()
    )


def test_the_desk_sends_the_invitation_again_until_it_is_done(
    desk: Client, django_capture_on_commit_callbacks: Any
) -> None:
    create(desk, django_capture_on_commit_callbacks)
    profile = PatientProfile.objects.get(user__email="carol@example.test")

    with django_capture_on_commit_callbacks(execute=True):
        desk.post(reverse("desk:invite", args=[profile.pk]))

    keys = OutboxMessage.objects.filter(patient=profile).values_list("dedupe_key", flat=True)
    assert len(set(keys)) == 2  # two sendings, each by e-mail and SMS
    assert len(mail.outbox) == 2
    profile.user.set_password("chosen-Pass-1")
    profile.user.save()
    refused = desk.post(reverse("desk:invite", args=[profile.pk]), follow=True)
    assert "set a password already" in refused.content.decode()
    assert len(set(keys)) == 2


@pytest.mark.parametrize("spelling", ["+7 912 345-67-89", "8 912 3456789", "(912) 345 67 89"])
def test_a_patient_with_the_same_phone_is_offered_instead(
    desk: Client, django_capture_on_commit_callbacks: Any, spelling: str
) -> None:
    existing = make_patient(email="carl@example.test", first_name="Carl", phone="+79123456789")

    response = create(desk, django_capture_on_commit_callbacks, phone=spelling)

    assert response.status_code == 400
    assert [d.patient for d in response.context["duplicates"]] == [existing.patient_profile]
    page = response.content.decode()
    assert reverse("desk:patient", args=[existing.patient_profile.pk]) in page
    assert "This is another person with the same phone" in page
    assert not PatientProfile.objects.filter(user__email="carol@example.test").exists()
    assert OutboxMessage.objects.count() == 0


def test_another_person_with_the_same_phone_is_created_when_the_desk_says_so(
    desk: Client, django_capture_on_commit_callbacks: Any
) -> None:
    make_patient(email="carl@example.test", phone="+79123456789")

    response = create(desk, django_capture_on_commit_callbacks, another_person="on")

    assert response.status_code == 302
    assert User.objects.filter(phone="+79123456789").count() == 2


def test_the_same_email_address_is_refused_even_for_another_person(
    desk: Client, django_capture_on_commit_callbacks: Any
) -> None:
    existing = make_patient(email="Carol@Example.test", phone="+79990000000")

    response = create(desk, django_capture_on_commit_callbacks, another_person="on")

    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert [d.patient for d in response.context["duplicates"]] == [existing.patient_profile]
    assert response.context["duplicates"][0].by_email


def test_a_caller_without_email_is_invited_by_sms_only(
    desk: Client, django_capture_on_commit_callbacks: Any
) -> None:
    response = create(desk, django_capture_on_commit_callbacks, email="")

    profile = PatientProfile.objects.get(user__phone="+79123456789")
    assert not profile.has_email
    assert mail.outbox == []
    sms = OutboxMessage.objects.get(patient=profile)
    assert sms.channel == SMS
    rendered = render(sms)
    assert rendered is not None
    text = sms_text(sms, rendered)
    assert "/accounts/welcome/" in text
    assert "questionnaire" in text
    page = desk.get(response["Location"]).content.decode()
    assert "no e-mail" in page
    assert "waiting to be sent" in page
    assert "(SMS)" in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "call me"}, "phone"),
        ({"phone": "123"}, "phone"),
        ({"date_of_birth": "2030-01-01"}, "date_of_birth"),
        ({"email": "not-an-address"}, "email"),
        ({"first_name": ""}, "first_name"),
        ({"preferred_language": "xx"}, "preferred_language"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    desk: Client, django_capture_on_commit_callbacks: Any, changes: dict[str, str], field: str
) -> None:
    response = create(desk, django_capture_on_commit_callbacks, **changes)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert PatientProfile.objects.count() == 0


def test_only_the_desk_creates_patients(
    client: Client, practitioner: User, patient: User, manager: User
) -> None:
    client.force_login(practitioner)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, CALLER).status_code == 403
    client.force_login(patient)
    assert client.get(NEW).status_code == 302  # the admin's login
    client.force_login(manager)
    assert client.get(NEW).status_code == 200
    assert PatientProfile.objects.filter(user__email="carol@example.test").count() == 0


def test_a_consultation_is_booked_without_questionnaire_or_consent_but_a_peel_is_not(
    desk: Client, clinic_setup: Clinic, django_capture_on_commit_callbacks: Any
) -> None:
    create(desk, django_capture_on_commit_callbacks)
    profile = PatientProfile.objects.get(user__email="carol@example.test")
    query = urlencode({"procedure": "consultation", "date": WEDNESDAY.isoformat(), "days": 1})

    page = desk.get(f"{reverse('desk:book', args=[profile.pk])}?{query}")
    assert page.status_code == 200
    assert page.context["picker"].has_slots
    start = at(WEDNESDAY, 10)
    confirm = reverse("desk:confirm", args=[profile.pk, "consultation"])
    confirm += "?" + urlencode({"start": start.isoformat()})
    shown = desk.get(confirm).content.decode()
    assert "Book for the patient" in shown
    assert "has not signed the current consent" not in shown
    with django_capture_on_commit_callbacks(execute=True):
        booked = desk.post(confirm)

    assert booked["Location"] == reverse("desk:patient", args=[profile.pk])
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.start == start
    assert appointment.screening_outcome == "ok"
    assert appointment.intake_version is None
    peel = urlencode({"procedure": "glycolic-peel", "date": WEDNESDAY.isoformat(), "days": 1})
    refused = desk.get(f"{reverse('desk:book', args=[profile.pk])}?{peel}")
    assert refused.status_code == 422
    assert refused.context["error"].code == "intake_required"


def test_the_invitation_is_written_in_the_patients_language(
    desk: Client, django_capture_on_commit_callbacks: Any
) -> None:
    create(desk, django_capture_on_commit_callbacks, preferred_language="ru")

    message = mail.outbox[0]
    assert message.subject.startswith("Добро пожаловать")
    assert "Ссылка действительна 3 дня." in message.body
