"""The clinic tablet (issue #20): a short-lived link for one patient, no staff rights on
it, the questionnaire then the consents with a finger-drawn signature, and "done" locks it."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from PIL import Image, ImageDraw

from clinic.models import User
from patients.models import (
    DATA_PROCESSING,
    Appointment,
    ConsentSignature,
    DrawnSignature,
    IntakeVersion,
    PatientProfile,
    TabletSession,
)
from patients.records.services import create_patient_at_desk
from patients.records.services.tablet import token_digest
from patients.tests.booking_fixtures import NOW, WEDNESDAY, Clinic, at
from patients.tests.factories import intake_form_data

pytestmark = pytest.mark.django_db

TABLET_UA = "Mozilla/5.0 (Linux; Android 14; Clinic Tab) Mobile"


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


@pytest.fixture
def desk(client: Client, receptionist: User) -> Client:
    client.force_login(receptionist)
    return client


@pytest.fixture
def caller(django_capture_on_commit_callbacks: Any) -> PatientProfile:
    with django_capture_on_commit_callbacks(execute=True):
        return create_patient_at_desk(
            first_name="Carol",
            last_name="Caller",
            phone="+79123456789",
            email="",
            date_of_birth=dt.date(1990, 4, 2),
            preferred_language="en",
        )


def drawing(*, blank: bool = False) -> str:
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    if not blank:
        ImageDraw.Draw(image).line(
            [(20, 150), (200, 40), (380, 160), (560, 60)], fill="black", width=4
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def open_tablet(desk: Client, patient: PatientProfile, *kinds: str) -> str:
    response = desk.post(reverse("desk:tablet", args=[patient.pk]), {"kinds": list(kinds)})
    assert response.status_code == 200
    url = response.context["tablet_url"]
    assert url in response.content.decode()
    assert "<svg" in response.content.decode()  # the QR code
    return re.sub(r"^https?://[^/]+", "", url)


def sign_current(tablet: Client, link: str, name: str = "Carol Caller", **changes: Any) -> Any:
    page = tablet.get(link)
    text = page.context["text"]
    data = {
        "kind": text.kind,
        "version": text.version,
        "full_name": name,
        "ticked": "on",
        "drawing": drawing(),
        **changes,
    }
    return tablet.post(link, data, HTTP_USER_AGENT=TABLET_UA)


def test_the_desk_opens_a_link_for_one_patient(desk: Client, caller: PatientProfile) -> None:
    link = open_tablet(desk, caller, "consultation", "peel")

    session = TabletSession.objects.get()
    assert session.patient == caller
    assert session.consent_kinds == [DATA_PROCESSING, "consultation", "peel"]
    assert session.expires_at == NOW + dt.timedelta(minutes=30)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert session.token_sha256 == token_digest(token)
    assert token not in str(TabletSession.objects.values_list()[0])  # only its hash is kept


def test_the_patient_fills_in_and_signs_then_done_locks_the_page(
    desk: Client, caller: PatientProfile, clinic_setup: Clinic
) -> None:
    link = open_tablet(desk, caller, "consultation", "peel")
    tablet = Client()

    first = tablet.get(link)
    assert first.status_code == 200
    assert "Health questionnaire" in first.content.decode()
    assert tablet.post(link, intake_form_data())["Location"] == link
    version = IntakeVersion.objects.get(patient=caller)
    assert version.submitted_by == caller.user
    for kind in (DATA_PROCESSING, "consultation", "peel"):
        assert tablet.get(link).context["text"].kind == kind
        assert sign_current(tablet, link)["Location"] == link
    done_page = tablet.get(link)
    assert "Done" in done_page.content.decode()
    finished = tablet.post(reverse("patients:tablet-done", args=[link.split("/")[-2]]))

    assert finished.status_code == 200
    assert "hand the tablet back" in finished.content.decode()
    assert TabletSession.objects.get().finished_at == NOW
    assert tablet.get(link).status_code == 410
    assert tablet.post(link, intake_form_data()).status_code == 410
    assert IntakeVersion.objects.filter(patient=caller).count() == 1
    drawn = DrawnSignature.objects.select_related("signature").order_by("pk")
    assert [d.signature.kind for d in drawn] == [DATA_PROCESSING, "consultation", "peel"]
    for item in drawn:
        assert item.signature.patient == caller
        assert item.full_name == "Carol Caller"
        assert item.device == TABLET_UA
        assert item.drawn_at == NOW
        assert Image.open(io.BytesIO(bytes(item.image))).format == "PNG"
    page = desk.get(reverse("desk:patient", args=[caller.pk])).content.decode()
    assert "Completed on the tablet" in page
    assert "missing" not in page
    peel = urlencode({"procedure": "glycolic-peel", "date": WEDNESDAY.isoformat(), "days": 1})
    book = desk.get(f"{reverse('desk:book', args=[caller.pk])}?{peel}")
    assert book.status_code == 200
    assert book.context["picker"].has_slots


def test_the_desk_sees_what_an_appointment_still_needs_before_the_visit(
    desk: Client, caller: PatientProfile, clinic_setup: Clinic
) -> None:
    url = reverse("desk:confirm", args=[caller.pk, "consultation"])
    desk.post(f"{url}?{urlencode({'start': at(WEDNESDAY, 10).isoformat()})}")
    assert Appointment.objects.count() == 1

    before = desk.get(reverse("desk:patient", args=[caller.pk])).content.decode()
    assert "questionnaire missing, consent not signed" in before
    link = open_tablet(desk, caller, "consultation")
    tablet = Client()
    tablet.post(link, intake_form_data())
    sign_current(tablet, link)
    sign_current(tablet, link)
    after = desk.get(reverse("desk:patient", args=[caller.pk])).content.decode()
    assert "questionnaire missing" not in after
    assert ">ready<" in after


def test_the_link_expires(desk: Client, caller: PatientProfile) -> None:
    link = open_tablet(desk, caller)
    tablet = Client()
    assert tablet.get(link).status_code == 200

    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        expired = tablet.get(link)
        posted = tablet.post(link, intake_form_data())
        page = desk.get(reverse("desk:patient", args=[caller.pk]))

    assert expired.status_code == 410
    assert posted.status_code == 410
    assert not IntakeVersion.objects.exists()
    assert "expired unused" in page.content.decode()


def test_an_unknown_link_is_locked(client: Client, caller: PatientProfile) -> None:
    assert client.get(reverse("patients:tablet", args=["not-a-token"])).status_code == 410


def test_the_link_is_for_one_patient_only(
    desk: Client, caller: PatientProfile, patient: User
) -> None:
    link = open_tablet(desk, caller)
    other_link = open_tablet(desk, patient.patient_profile)
    tablet = Client()

    tablet.post(link, intake_form_data())

    assert IntakeVersion.objects.get().patient == caller
    assert not IntakeVersion.objects.filter(patient=patient.patient_profile).exists()
    page = tablet.get(link).content.decode()
    assert "Carol Caller" in page
    assert "Alice" not in page
    assert tablet.get(other_link).status_code == 200  # its own link, its own patient
    # A new link for the same patient ends the earlier one.
    newer = open_tablet(desk, caller)
    assert tablet.get(link).status_code == 410
    assert tablet.get(newer).status_code == 200


def test_no_staff_rights_ride_along_on_the_tablet(
    client: Client, receptionist: User, caller: PatientProfile
) -> None:
    client.force_login(receptionist)
    link = open_tablet(client, caller)

    page = client.get(link)  # the receptionist opens it in the same browser

    assert page.status_code == 200
    assert reverse("admin:index") not in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("desk:index")).status_code == 302  # the admin's login again
    assert client.get(reverse("patients:dashboard")).status_code == 302


@pytest.mark.parametrize(
    "bad",
    [
        "",
        drawing(blank=True),
        "data:image/png;base64,not-base64!",
        "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff").decode(),
        "data:image/png;base64," + base64.b64encode(b"GIF89a").decode(),
    ],
)
def test_a_consent_needs_a_drawn_signature(desk: Client, caller: PatientProfile, bad: str) -> None:
    link = open_tablet(desk, caller)
    tablet = Client()
    tablet.post(link, intake_form_data())

    refused = sign_current(tablet, link, drawing=bad)

    assert refused.status_code == 400
    assert "drawing" in refused.context["form"].errors
    assert not ConsentSignature.objects.filter(patient=caller).exists()


def test_done_before_everything_is_signed_goes_back_to_the_step(
    desk: Client, caller: PatientProfile
) -> None:
    link = open_tablet(desk, caller)
    tablet = Client()
    token = link.split("/")[-2]

    response = tablet.post(reverse("patients:tablet-done", args=[token]))

    assert response["Location"] == link
    assert TabletSession.objects.get().finished_at is None


def test_the_tablet_speaks_the_patients_language(desk: Client, caller: PatientProfile) -> None:
    caller.user.preferred_language = "ru"
    caller.user.save()
    link = open_tablet(desk, caller)

    page = Client().get(link).content.decode()

    assert 'lang="ru"' in page
    assert "Анкета о здоровье" in page  # noqa: RUF001 - Russian text


def test_only_the_desk_opens_a_tablet(
    client: Client, practitioner: User, caller: PatientProfile
) -> None:
    client.force_login(practitioner)
    assert client.post(reverse("desk:tablet", args=[caller.pk])).status_code == 403
    assert not TabletSession.objects.exists()


def test_the_drawn_signature_is_shown_beside_the_consent_record(
    desk: Client, caller: PatientProfile, manager: User
) -> None:
    link = open_tablet(desk, caller)
    tablet = Client()
    tablet.post(link, intake_form_data())
    sign_current(tablet, link)
    signature = ConsentSignature.objects.get(patient=caller)
    admin = Client()
    admin.force_login(manager)

    page = admin.get(reverse("admin:patients_consentsignature_change", args=[signature.pk]))

    assert page.status_code == 200
    assert 'src="data:image/png;base64,' in page.content.decode()
    assert TABLET_UA in page.content.decode()
