"""Booking at the reception desk: the same services and checks as online, a blocked
screening refused with its reasons, staff changes at any time, and who may use the desk."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.models import Practitioner, User
from patients.booking.services import book_appointment
from patients.models import Appointment, PatientProfile
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.factories import give_baseline_intake

pytestmark = pytest.mark.django_db

S = Appointment.Status
PEEL = "glycolic-peel"


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


@pytest.fixture
def desk(client: Client, receptionist: User) -> Client:
    client.force_login(receptionist)
    return client


def book_page(patient: User, slug: str = PEEL, **params: Any) -> str:
    profile = patient.patient_profile
    query = urlencode({"procedure": slug, "date": "2026-06-03", "days": 1, **params})
    return f"{reverse('desk:book', args=[profile.pk])}?{query}"


def confirm(
    patient: User, start: dt.datetime, practitioner: Practitioner | None = None, slug: str = PEEL
) -> str:
    params: dict[str, Any] = {"start": start.isoformat()}
    if practitioner is not None:
        params["practitioner"] = practitioner.pk
    url = reverse("desk:confirm", args=[patient.patient_profile.pk, slug])
    return f"{url}?{urlencode(params)}"


def test_the_receptionist_finds_a_patient_by_name_or_phone(desk: Client, patient: User) -> None:
    by_name = desk.get(reverse("desk:index"), {"q": "archer"})
    by_phone = desk.get(reverse("desk:index"), {"q": "111-11"})

    assert list(by_name.context["patients"]) == [patient.patient_profile]
    assert list(by_phone.context["patients"]) == [patient.patient_profile]
    assert reverse("desk:patient", args=[patient.patient_profile.pk]) in by_name.content.decode()


def test_the_admin_links_to_the_desk(desk: Client) -> None:
    assert reverse("desk:index") in desk.get(reverse("admin:index")).content.decode()


def test_only_receptionists_and_managers_use_the_desk(
    client: Client, patient: User, practitioner: User, manager: User
) -> None:
    url = reverse("desk:patient", args=[patient.patient_profile.pk])

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("admin:login"))
    client.force_login(patient)
    assert client.get(url).status_code == 302  # not staff: the admin's login page
    client.force_login(practitioner)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    assert client.get(url).status_code == 200


def test_the_desk_books_through_the_same_service(
    desk: Client,
    clinic_setup: Clinic,
    patient: User,
    receptionist: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ready(patient, "peel")

    page = desk.get(book_page(patient))
    assert page.status_code == 200
    assert page.context["picker"].result.outcome == "ok"
    assert page.context["picker"].has_slots
    url = confirm(patient, at(WEDNESDAY, 10), clinic_setup.derm)
    assert url in page.content.decode().replace("&amp;", "&")
    assert "Book for the patient" in desk.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(url)

    assert response["Location"] == reverse("desk:patient", args=[patient.patient_profile.pk])
    appointment = Appointment.objects.get()
    assert appointment.status == S.CONFIRMED
    assert appointment.channel == Appointment.Channel.DESK
    assert appointment.created_by == receptionist
    assert appointment.practitioner == clinic_setup.derm
    assert appointment.status_changes.get().by == receptionist
    assert [m.to for m in mail.outbox] == [[patient.email]]
    listing = desk.get(response["Location"]).content.decode()
    assert reverse("desk:move", args=[appointment.pk]) in listing
    assert reverse("desk:cancel", args=[appointment.pk]) in listing


def test_a_blocked_patient_is_refused_at_the_desk_without_health_details(
    desk: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", rosacea=True)

    page = desk.get(book_page(patient))
    html = page.content.decode()
    assert page.context["picker"].blocked
    assert "Blocked on" in html
    # A receptionist never reads intake answers, not even as a refusal's reason.
    assert "rosacea" not in html.lower()
    assert "the patient sees them in their account" in html
    assert reverse("desk:confirm", args=[patient.patient_profile.pk, PEEL]) not in html
    desk_book = reverse("desk:book", args=[patient.patient_profile.pk])
    consultation = f"{desk_book}?procedure=consultation&date=2026-06-03"
    assert consultation.replace("&", "&amp;") in html
    assert desk.get(consultation).status_code == 200

    url = confirm(patient, at(WEDNESDAY, 10))
    assert "Book for the patient" not in desk.get(url).content.decode()
    response = desk.post(url)

    assert response.status_code == 422
    refused = response.content.decode()
    assert "rosacea" not in refused.lower()
    assert "Only a practitioner correcting" in refused
    assert not Appointment.objects.exists()


def test_a_manager_at_the_desk_sees_why_screening_refused(
    client: Client, clinic_setup: Clinic, patient: User, manager: User
) -> None:
    ready(patient, "peel", rosacea=True)
    client.force_login(manager)

    html = client.get(book_page(patient)).content.decode()

    assert "Blocked on" in html
    assert "rosacea" in html.lower()


def test_blocked_until_a_date_offers_the_desk_slots_from_then(
    desk: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", topical_retinoid_last_used=dt.date(2026, 6, 1))

    page = desk.get(book_page(patient, date="2026-06-02", days=3))

    picker = page.context["picker"]
    assert picker.blocked_first.earliest_date == dt.date(2026, 6, 3)
    assert picker.days[0].day == dt.date(2026, 6, 3)
    assert picker.has_slots


def test_a_flagged_booking_at_the_desk_is_pending_review(
    desk: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", herpes_history=True)
    url = confirm(patient, at(WEDNESDAY, 10))

    assert "Book as pending review" in desk.get(url).content.decode()
    desk.post(url)

    assert Appointment.objects.get().status == S.PENDING_REVIEW


def test_a_missing_consent_is_named_and_refused(
    desk: Client, clinic_setup: Clinic, patient: User
) -> None:
    give_baseline_intake(patient)
    url = confirm(patient, at(WEDNESDAY, 10))

    assert "has not signed the current consent" in desk.get(url).content.decode()
    response = desk.post(url)

    assert response.status_code == 422
    assert not Appointment.objects.exists()


def test_a_patient_without_intake_is_named_not_a_500(
    desk: Client, clinic_setup: Clinic, patient: User
) -> None:
    page = desk.get(book_page(patient))

    assert page.status_code == 422
    assert "missing: the patient must fill it in" in page.content.decode()


def test_a_slot_taken_meanwhile_gives_the_desk_alternatives(
    desk: Client, clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    ready(patient, "peel")
    ready(other_patient, "peel")
    book_appointment(
        patient=other_patient.patient_profile,
        procedure=clinic_setup.procedure(PEEL),
        start=at(WEDNESDAY, 10),
        practitioner=clinic_setup.derm,
        booked_by=other_patient,
        channel="web",
    )

    response = desk.post(confirm(patient, at(WEDNESDAY, 10), clinic_setup.derm))

    assert response.status_code == 409
    assert response.context["alternatives"]
    assert not Appointment.objects.filter(patient=patient.patient_profile).exists()


def test_staff_move_and_cancel_inside_the_24_hours(
    desk: Client, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    ready(patient, "peel")
    today = dt.date(2026, 6, 1)
    appointment = book_appointment(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure(PEEL),
        start=at(today, 12),
        booked_by=patient,
        channel="web",
    )
    move = reverse("desk:move", args=[appointment.pk])

    picker = desk.get(move, {"date": "2026-06-01", "days": 1}).context["picker"]
    assert picker.has_slots
    new = f"{move}?{urlencode({'start': at(today, 15).isoformat()})}"
    moved = desk.post(new)
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == at(today, 15)

    cancelled = desk.post(reverse("desk:cancel", args=[appointment.pk]), {"reason": "Called in"})
    assert cancelled.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == S.CANCELLED
    change = appointment.status_changes.order_by("at", "pk").last()
    assert (change.by, change.reason) == (receptionist, "Called in")


def test_a_bad_slot_at_the_desk_is_a_400_naming_the_field(
    desk: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    url = reverse("desk:confirm", args=[patient.patient_profile.pk, PEEL]) + "?start=tomorrow"

    response = desk.post(url)

    assert response.status_code == 400
    assert "<strong>start</strong>" in response.content.decode()
    assert desk.get(book_page(patient, procedure="nope")).status_code == 400


def test_an_erased_patient_is_not_found_at_the_desk(desk: Client, patient: User) -> None:
    profile = patient.patient_profile
    PatientProfile.objects.filter(pk=profile.pk).update(
        erased_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    )

    assert desk.get(reverse("desk:patient", args=[profile.pk])).status_code == 404


def test_the_desk_is_told_in_words_that_a_flagged_booking_waits_for_a_practitioner(
    desk: Client, clinic_setup: Clinic, patient: User, practitioner: User
) -> None:
    ready(patient, "peel", herpes_history=True)
    url = confirm(patient, at(WEDNESDAY, 10))

    after = desk.post(url, follow=True).content.decode()

    waits = "decision. The reasons are health data, shown to practitioners only"
    assert after.count(waits) == 2  # the message after booking, and the row
    assert "HERPES" not in after
    appointment = Appointment.objects.get()
    workspace = reverse("workspace:appointment", args=[appointment.pk])
    desk_view = desk.get(workspace).content.decode()
    assert waits in desk_view
    assert "HERPES" not in desk_view
    desk.force_login(practitioner)
    clinician = desk.get(workspace)
    assert clinician.status_code == 200
    assert "HERPES_HISTORY" in clinician.content.decode()
    assert waits not in clinician.content.decode()
    assert reverse("workspace:appointment-move", args=[appointment.pk]) not in (
        clinician.content.decode()
    )


def test_the_desk_books_a_whole_course_for_the_patient(
    desk: Client,
    clinic_setup: Clinic,
    patient: User,
    receptionist: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ready(patient, "peel")
    confirm_page = desk.get(confirm(patient, at(WEDNESDAY, 10))).content.decode()
    course = reverse("desk:course", args=[patient.patient_profile.pk, PEEL])
    assert course in confirm_page
    url = f"{course}?{urlencode({'start': at(WEDNESDAY, 10).isoformat(), 'sessions': 3})}"

    proposal = desk.get(url)
    assert proposal.status_code == 200
    assert [row["start"] for row in proposal.context["rows"]] == [
        at(WEDNESDAY, 10),
        at(WEDNESDAY + dt.timedelta(days=17), 10),
        at(WEDNESDAY + dt.timedelta(days=34), 10),
    ]
    assert "Book all 3 sessions" in proposal.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(url)

    assert response["Location"] == reverse("desk:patient", args=[patient.patient_profile.pk])
    booked = Appointment.objects.order_by("start")
    assert [a.session_number for a in booked] == [1, 2, 3]
    assert {a.channel for a in booked} == {Appointment.Channel.DESK}
    assert {a.created_by for a in booked} == {receptionist}
    listing = desk.get(response["Location"]).content.decode()
    assert "The course is booked: 3 sessions." in listing


def test_a_course_the_horizon_cannot_hold_is_booked_none_at_the_desk(
    desk: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    course = reverse("desk:course", args=[patient.patient_profile.pk, PEEL])
    url = f"{course}?{urlencode({'start': at(WEDNESDAY, 10).isoformat(), 'sessions': 8})}"

    response = desk.post(url)

    assert response.status_code == 400
    assert not Appointment.objects.exists()
    assert (
        desk.get(
            reverse("desk:course", args=[patient.patient_profile.pk, "consultation"])
            + "?"
            + urlencode({"start": at(WEDNESDAY, 10).isoformat(), "sessions": 2})
        ).status_code
        == 404
    )
