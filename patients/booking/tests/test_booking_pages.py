"""The patient's booking pages: choose, screen, sign, confirm; my appointments; move, cancel,
the calendar file, a whole course, the waitlist; and who may see which appointment."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.models import Practitioner, User
from patients.booking.services import book_appointment, cancel_appointment
from patients.models import Appointment, TreatmentCourse, WaitlistEntry, WaitlistOffer
from patients.tests.booking_fixtures import MSK, WEDNESDAY, Clinic, at, ready
from patients.tests.factories import give_baseline_intake, intake_form_data, make_patient

pytestmark = pytest.mark.django_db

S = Appointment.Status
PEEL = "glycolic-peel"


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


def procedure_url(slug: str = PEEL, **params: Any) -> str:
    url = reverse("patients:book-procedure", args=[slug])
    return f"{url}?{urlencode(params)}" if params else url


def confirm_url(
    start: dt.datetime, practitioner: Practitioner | None = None, slug: str = PEEL
) -> str:
    params: dict[str, Any] = {"start": start.isoformat()}
    if practitioner is not None:
        params["practitioner"] = practitioner.pk
    return f"{reverse('patients:book-confirm', args=[slug])}?{urlencode(params)}"


def book(
    user: User, clinic: Clinic, start: dt.datetime, slug: str = PEEL, **kw: Any
) -> Appointment:
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure(slug),
        start=start,
        practitioner=kw.pop("practitioner", None),
        booked_by=kw.pop("booked_by", user),
        channel=kw.pop("channel", Appointment.Channel.WEB),
    )


# --- who reaches the pages -----------------------------------------------------------------


def test_an_anonymous_visitor_logs_in_first_and_comes_back(client: Client) -> None:
    response = client.get(reverse("patients:book"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote('/book/')}"


def test_without_an_intake_the_questionnaire_comes_first_then_the_same_page(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    client.force_login(patient)
    wanted = procedure_url(date="2026-06-03", days=1)

    response = client.get(wanted)
    assert response.status_code == 302
    intake_url = response["Location"]
    assert intake_url.startswith(reverse("patients:intake"))
    assert parse_qs(urlsplit(intake_url).query)["next"] == [wanted]

    response = client.post(intake_url, intake_form_data(on=dt.date(2026, 6, 1)))
    assert response.status_code == 302
    assert response["Location"] == wanted
    assert client.get(wanted).status_code == 200


def test_an_expired_intake_is_renewed_and_the_patient_comes_back(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    with time_machine.travel(dt.datetime(2025, 5, 1, 12, 0, tzinfo=MSK), tick=False):
        ready(patient, "peel")
    client.force_login(patient)

    response = client.get(reverse("patients:book"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert 'name="next" value="/book/"' in page.content.decode()

    renewed = client.post(reverse("patients:intake-renew"), {"next": "/book/"})
    assert renewed["Location"] == "/book/"
    assert client.get("/book/").status_code == 200


def test_a_next_to_another_site_is_ignored(client: Client, patient: User) -> None:
    give_baseline_intake(patient)
    client.force_login(patient)

    response = client.post(reverse("patients:intake-renew"), {"next": "https://evil.test/"})

    assert response["Location"] == reverse("patients:screening")


def test_staff_opening_book_are_sent_to_the_desk(client: Client, receptionist: User) -> None:
    client.force_login(receptionist)

    response = client.get(reverse("patients:book"))

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:index")


# --- 1. choose a procedure -----------------------------------------------------------------


def test_the_start_page_lists_the_catalogue_screened_for_the_patient(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", rosacea=True, herpes_history=True)
    client.force_login(patient)

    response = client.get(reverse("patients:book"))

    assert response.status_code == 200
    results = {procedure.slug: result.outcome for procedure, result in response.context["results"]}
    assert results[PEEL] == "blocked"  # rosacea
    assert results["consultation"] == "ok"
    assert results["microneedling"] == "blocked"
    assert results["mesotherapy"] == "review"  # rosacea is relative there
    html = response.content.decode()
    assert reverse("patients:book-procedure", args=["mesotherapy"]) in html
    assert "Book a consultation instead" in html


# --- 2. choose a time ----------------------------------------------------------------------


def test_ok_shows_free_slots_by_day_with_practitioner_names(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    client.force_login(patient)

    response = client.get(procedure_url(date="2026-06-03", days=3))

    assert response.status_code == 200
    picker = response.context["picker"]
    assert picker.result.outcome == "ok"
    assert [day.day for day in picker.days] == [WEDNESDAY, dt.date(2026, 6, 4), dt.date(2026, 6, 5)]
    names = {str(p) for p, _slots in picker.days[0].groups}
    assert names == {str(clinic_setup.derm), str(clinic_setup.cosm)}
    first = picker.days[0].groups[0][1][0]
    assert first.start == at(WEDNESDAY, 9)
    html = response.content.decode()
    assert "a booking is confirmed at once" in html
    assert f"{reverse('patients:book-confirm', args=[PEEL])}?{first.query}" in html.replace(
        "&amp;", "&"
    )


def test_review_says_a_practitioner_will_review_and_holds_the_slot(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", herpes_history=True)
    client.force_login(patient)

    response = client.get(procedure_url(date="2026-06-03", days=1))

    assert response.context["picker"].result.outcome == "review"
    assert response.context["picker"].has_slots
    assert "A practitioner will review your request" in response.content.decode()


def test_blocked_until_a_date_gives_the_reasons_and_the_slots_from_that_date(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    # A retinoid cream yesterday: the glycolic peel needs 2 days without it (until 2 June).
    ready(patient, "peel", topical_retinoid_last_used=dt.date(2026, 5, 31))
    client.force_login(patient)

    response = client.get(procedure_url(date="2026-06-01", days=3))

    picker = response.context["picker"]
    assert picker.blocked_first.blocking == ("PRECARE_TOPICAL_RETINOID",)
    assert picker.start == dt.date(2026, 6, 2)
    assert picker.days[0].day == dt.date(2026, 6, 2)
    assert picker.has_slots
    html = response.content.decode()
    assert "Not possible on" in html
    assert "the times below start then" in html


def test_blocked_for_good_gives_no_slot_and_offers_a_consultation(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", rosacea=True)
    client.force_login(patient)

    response = client.get(procedure_url(date="2026-06-03", days=7))

    picker = response.context["picker"]
    assert picker.blocked
    assert picker.days == []
    html = response.content.decode()
    assert "rosacea" in html.lower()
    assert reverse("patients:book-procedure", args=["consultation"]) in html
    assert reverse("patients:book-confirm", args=[PEEL]) not in html


def test_the_course_window_limits_the_days_offered(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    TreatmentCourse.objects.create(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure(PEEL),
        started_on=dt.date(2026, 5, 20),
        sessions_done=1,
        last_session_on=dt.date(2026, 5, 20),
    )
    client.force_login(patient)

    response = client.get(procedure_url(date="2026-06-01", days=14))

    picker = response.context["picker"]
    # Session 2: from 20 May + 14 days to 20 May + 21 days.
    assert picker.window.opens_on == dt.date(2026, 6, 3)
    assert picker.window.closes_on == dt.date(2026, 6, 10)
    assert picker.window_moved
    assert (picker.days[0].day, picker.days[-1].day) == (dt.date(2026, 6, 3), dt.date(2026, 6, 10))
    assert "Session 2 of your course" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date": "not-a-date"}, "date"),
        ({"date": "2026-05-01"}, "date"),
        ({"date": "2026-06-03", "days": "500"}, "days"),
    ],
)
def test_bad_dates_are_a_400_naming_the_field(
    client: Client, clinic_setup: Clinic, patient: User, params: dict[str, str], field: str
) -> None:
    ready(patient, "peel")
    client.force_login(patient)

    response = client.get(procedure_url(**params))

    assert response.status_code == 400
    assert f"<strong>{field}</strong>" in response.content.decode()


def test_an_unknown_procedure_is_a_404(client: Client, patient: User) -> None:
    ready(patient, "peel")
    client.force_login(patient)

    assert client.get(procedure_url("no-such-thing")).status_code == 404


# --- 3/4. consent, confirm, book -----------------------------------------------------------


def test_a_missing_consent_is_signed_in_the_flow_and_the_patient_comes_back(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    give_baseline_intake(patient)
    client.force_login(patient)
    wanted = confirm_url(at(WEDNESDAY, 10), clinic_setup.cosm)

    response = client.get(wanted)
    assert response.status_code == 302
    sign_url = response["Location"]
    assert sign_url.startswith(reverse("patients:consent-sign", args=["peel"]))

    page = client.get(sign_url)
    version = page.context["text"].version
    signed = client.post(
        sign_url, {"version": version, "full_name": "Alice Archer", "ticked": "on"}
    )
    assert signed["Location"] == wanted
    assert client.get(wanted).status_code == 200


def test_confirming_books_and_shows_the_confirmation_with_precare_and_calendar(
    client: Client,
    clinic_setup: Clinic,
    patient: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ready(patient, "peel")
    client.force_login(patient)
    url = confirm_url(at(WEDNESDAY, 10), clinic_setup.cosm)

    page = client.get(url)
    assert page.status_code == 200
    assert "Book this time" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    appointment = Appointment.objects.get()
    assert response["Location"] == reverse("patients:appointment", args=[appointment.pk])
    assert appointment.status == S.CONFIRMED
    assert appointment.practitioner == clinic_setup.cosm
    assert appointment.channel == Appointment.Channel.WEB
    shown = client.get(response["Location"]).content.decode()
    assert "Your appointment is booked and confirmed." in shown
    assert clinic_setup.procedure(PEEL).precare[:40] in shown
    assert reverse("patients:appointment-ics", args=[appointment.pk]) in shown
    assert reverse("patients:appointments") in shown
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("Your appointment is confirmed")
    assert mail.outbox[0].attachments[0][0] == "appointment.ics"


def test_a_review_booking_is_pending_and_says_so(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", herpes_history=True)
    client.force_login(patient)
    url = confirm_url(at(WEDNESDAY, 10))

    assert "Request this time" in client.get(url).content.decode()
    response = client.post(url)

    appointment = Appointment.objects.get()
    assert appointment.status == S.PENDING_REVIEW
    shown = client.get(response["Location"]).content.decode()
    assert "A practitioner will review your request; the time is held for you" in shown


def test_a_blocked_date_cannot_be_booked_even_by_posting(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", rosacea=True)
    client.force_login(patient)
    url = confirm_url(at(WEDNESDAY, 10))

    page = client.get(url)
    assert "Book this time" not in page.content.decode()
    response = client.post(url)

    assert response.status_code == 422
    assert "cannot be booked" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_slot_taken_meanwhile_is_a_friendly_page_with_alternatives(
    client: Client, clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    ready(patient, "peel")
    ready(other_patient, "peel")
    url = confirm_url(at(WEDNESDAY, 10), clinic_setup.cosm)
    client.force_login(patient)
    client.get(url)
    book(other_patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.cosm)

    response = client.post(url)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Just taken" in html
    alternatives = response.context["alternatives"]
    assert alternatives
    assert all(slot.start > at(WEDNESDAY, 10) for slot in alternatives)
    assert alternatives[0].query in html.replace("&amp;", "&")
    assert Appointment.objects.filter(patient=patient.patient_profile).count() == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=garbage", "start"),
        ("start=2026-06-03T10:00:00", "start"),  # no UTC offset
        ("start=2026-06-03T10:00:00%2B03:00&practitioner=999999", "practitioner"),
        ("practitioner=1", "start"),
    ],
)
def test_a_bad_slot_is_a_400_naming_the_field(
    client: Client, clinic_setup: Clinic, patient: User, query: str, field: str
) -> None:
    ready(patient, "peel")
    client.force_login(patient)

    response = client.post(f"{reverse('patients:book-confirm', args=[PEEL])}?{query}")

    assert response.status_code == 400
    assert f"<strong>{field}</strong>" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_slot_off_the_grid_is_refused_with_the_reason(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    client.force_login(patient)

    response = client.post(confirm_url(at(WEDNESDAY, 10, 7)))

    assert response.status_code == 400
    assert "every 15 minutes" in response.content.decode()


def test_an_unverified_patient_is_told_to_confirm_the_address(
    client: Client, clinic_setup: Clinic
) -> None:
    user = make_patient(email="new@example.test", profile__unverified=True)
    ready(user, "peel")
    client.force_login(user)
    url = confirm_url(at(WEDNESDAY, 10))

    assert "Book this time" not in client.get(url).content.decode()
    response = client.post(url)

    assert response.status_code == 403
    assert not Appointment.objects.exists()


# --- 5. my appointments, move, cancel ------------------------------------------------------


def test_my_appointments_lists_upcoming_and_past_with_their_status(
    client: Client, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    ready(patient, "peel", "consultation")
    upcoming = book(patient, clinic_setup, at(WEDNESDAY, 10))
    cancelled = book(patient, clinic_setup, at(WEDNESDAY, 14), slug="consultation")
    cancel_appointment(appointment=cancelled, by=patient)
    client.force_login(patient)

    response = client.get(reverse("patients:appointments"))

    assert [row["appointment"] for row in response.context["upcoming"]] == [upcoming]
    assert [row["appointment"] for row in response.context["past"]] == [cancelled]
    html = response.content.decode()
    assert reverse("patients:appointment-move", args=[upcoming.pk]) in html
    assert reverse("patients:appointment-cancel", args=[upcoming.pk]) in html
    assert reverse("patients:appointment-cancel", args=[cancelled.pk]) not in html
    assert "Cancelled" in html


def test_my_appointments_costs_the_same_queries_for_one_and_many(
    client: Client, clinic_setup: Clinic, patient: User, django_assert_max_num_queries: Any
) -> None:
    ready(patient, "peel", "consultation")
    book(patient, clinic_setup, at(WEDNESDAY, 10))
    client.force_login(patient)
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("patients:appointments"))
    for day in range(4, 9):
        book(patient, clinic_setup, at(dt.date(2026, 6, day), 10), slug="consultation")

    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("patients:appointments"))


def test_cancelling_before_the_cutoff(
    client: Client, clinic_setup: Clinic, patient: User, django_capture_on_commit_callbacks: Any
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    client.force_login(patient)
    url = reverse("patients:appointment-cancel", args=[appointment.pk])

    page = client.get(url)
    assert "up to 24 hours before the start" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "I am away"})

    assert response["Location"] == reverse("patients:appointments")
    appointment.refresh_from_db()
    assert appointment.status == S.CANCELLED
    assert appointment.reason == "I am away"
    assert mail.outbox[-1].subject.startswith("Cancelled:")


def test_after_the_cutoff_the_patient_is_asked_to_call(
    client: Client, clinic_setup: Clinic, patient: User, settings: Any
) -> None:
    settings.CLINIC_PHONE = "+7 495 765-43-21"
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(dt.date(2026, 6, 1), 16))  # in 8 hours
    client.force_login(patient)
    url = reverse("patients:appointment-cancel", args=[appointment.pk])

    page = client.get(url).content.decode()
    assert "too late to cancel online" in page
    assert 'href="tel:+74957654321"' in page
    response = client.post(url)

    assert response.status_code == 409
    appointment.refresh_from_db()
    assert appointment.status == S.CONFIRMED
    listing = client.get(reverse("patients:appointments")).content.decode()
    assert "Too late to change online" in listing


def test_moving_picks_a_new_slot_confirms_and_is_rescreened(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.cosm)
    client.force_login(patient)
    url = reverse("patients:appointment-move", args=[appointment.pk])

    picker = client.get(url, {"date": "2026-06-04", "days": 1}).context["picker"]
    assert picker.days[0].day == dt.date(2026, 6, 4)
    new = f"{url}?{urlencode({'start': at(dt.date(2026, 6, 4), 11).isoformat()})}"
    confirm = client.get(new)
    assert confirm.context["result"].outcome == "ok"
    assert "Move to this time" in confirm.content.decode()
    response = client.post(new)

    assert response["Location"] == reverse("patients:appointment", args=[appointment.pk])
    appointment.refresh_from_db()
    assert appointment.start == at(dt.date(2026, 6, 4), 11)
    assert appointment.version == 1


def test_moving_onto_a_blocked_date_is_refused(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    give_baseline_intake(patient, herpes_active=True)  # blocks every day from now on
    client.force_login(patient)
    new = (
        reverse("patients:appointment-move", args=[appointment.pk])
        + "?"
        + urlencode({"start": at(dt.date(2026, 6, 4), 11).isoformat()})
    )

    assert "Move to this time" not in client.get(new).content.decode()
    response = client.post(new)

    assert response.status_code == 422
    appointment.refresh_from_db()
    assert appointment.start == at(WEDNESDAY, 10)


def test_the_calendar_file_is_the_appointment(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    client.force_login(patient)

    response = client.get(reverse("patients:appointment-ics", args=[appointment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert f"UID:appointment-{appointment.pk}@" in body
    assert "DTSTART:20260603T070000Z" in body


def test_another_patients_appointment_is_a_404_on_every_url(
    client: Client, clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    ready(patient, "peel")
    ready(other_patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    entry = WaitlistEntry.objects.create(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure(PEEL),
        from_date=WEDNESDAY,
        to_date=WEDNESDAY,
    )
    offer = WaitlistOffer.objects.create(
        entry=entry,
        start=at(WEDNESDAY, 12),
        end=at(WEDNESDAY, 12, 45),
        room_free_at=at(WEDNESDAY, 12, 55),
        practitioner=clinic_setup.cosm,
        room=clinic_setup.rooms["treatment"],
        expires_at=at(WEDNESDAY, 9),
    )
    client.force_login(other_patient)
    move = reverse("patients:appointment-move", args=[appointment.pk])
    gets = [
        reverse("patients:appointment", args=[appointment.pk]),
        reverse("patients:appointment-ics", args=[appointment.pk]),
        reverse("patients:appointment-cancel", args=[appointment.pk]),
        move,
        f"{move}?{urlencode({'start': at(WEDNESDAY, 12).isoformat()})}",
        reverse("patients:waitlist-offer", args=[offer.pk]),
    ]
    posts = [
        reverse("patients:appointment-cancel", args=[appointment.pk]),
        f"{move}?{urlencode({'start': at(WEDNESDAY, 12).isoformat()})}",
        reverse("patients:waitlist-offer", args=[offer.pk]),
        reverse("patients:waitlist-leave", args=[entry.pk]),
    ]

    assert [client.get(url).status_code for url in gets] == [404] * len(gets)
    assert [client.post(url).status_code for url in posts] == [404] * len(posts)
    appointment.refresh_from_db()
    assert (appointment.status, appointment.start) == (S.CONFIRMED, at(WEDNESDAY, 10))
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.OPEN
    listing = client.get(reverse("patients:appointments"))
    assert listing.context["upcoming"] == []


# --- 6. a whole course ---------------------------------------------------------------------


def test_booking_a_whole_course_proposes_every_session_and_books_them_all(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    client.force_login(patient)
    url = (
        reverse("patients:book-course", args=[PEEL])
        + "?"
        + urlencode(
            {
                "start": at(WEDNESDAY, 10).isoformat(),
                "practitioner": clinic_setup.cosm.pk,
                "sessions": 3,
            }
        )
    )

    page = client.get(url)
    rows = page.context["rows"]
    assert [row["proposal"].session_number for row in rows] == [1, 2, 3]
    assert [row["start"].date() for row in rows] == [
        WEDNESDAY,
        dt.date(2026, 6, 20),
        dt.date(2026, 7, 7),
    ]
    assert page.context["bookable"]
    response = client.post(url)

    assert response["Location"] == reverse("patients:appointments")
    booked = list(Appointment.objects.order_by("start"))
    assert [a.start.astimezone(MSK).date() for a in booked] == [r["start"].date() for r in rows]
    assert {a.channel for a in booked} == {Appointment.Channel.COURSE}


def test_the_confirm_page_offers_the_whole_course_only_for_a_course(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", "consultation")
    client.force_login(patient)

    peel = client.get(confirm_url(at(WEDNESDAY, 10))).content.decode()
    consultation = client.get(confirm_url(at(WEDNESDAY, 10), slug="consultation")).content.decode()

    assert reverse("patients:book-course", args=[PEEL]) in peel
    assert "whole course" not in consultation
    assert client.get(reverse("patients:book-course", args=["consultation"])).status_code == 404


# --- 7. the waitlist -----------------------------------------------------------------------


def test_joining_the_waitlist_then_accepting_an_offer(
    client: Client,
    clinic_setup: Clinic,
    patient: User,
    other_patient: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ready(patient, "peel")
    ready(other_patient, "peel")
    taken = book(other_patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.cosm)
    client.force_login(patient)

    response = client.post(
        reverse("patients:waitlist-join", args=[PEEL]),
        {"from_date": "2026-06-03", "to_date": "2026-06-03", "practitioner": clinic_setup.cosm.pk},
    )
    assert response["Location"] == reverse("patients:appointments")
    assert WaitlistEntry.objects.get().patient == patient.patient_profile

    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(appointment=taken, by=other_patient)
    offer = WaitlistOffer.objects.get()
    offer_mail = [m for m in mail.outbox if m.to == [patient.email]][-1]
    assert reverse("patients:waitlist-offer", args=[offer.pk]) in offer_mail.body
    listing = client.get(reverse("patients:appointments")).content.decode()
    assert reverse("patients:waitlist-offer", args=[offer.pk]) in listing

    page = client.get(reverse("patients:waitlist-offer", args=[offer.pk]))
    assert page.context["is_open"]
    accepted = client.post(reverse("patients:waitlist-offer", args=[offer.pk]))

    appointment = Appointment.objects.get(patient=patient.patient_profile)
    assert accepted["Location"] == reverse("patients:appointment", args=[appointment.pk])
    assert appointment.start == at(WEDNESDAY, 10)


def test_a_bad_waitlist_range_is_a_400_with_the_field(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    client.force_login(patient)

    response = client.post(
        reverse("patients:waitlist-join", args=[PEEL]),
        {"from_date": "2026-06-05", "to_date": "2026-06-03"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["to_date"]
    assert not WaitlistEntry.objects.exists()


def test_an_expired_offer_cannot_be_taken(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    entry = WaitlistEntry.objects.create(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure(PEEL),
        from_date=WEDNESDAY,
        to_date=WEDNESDAY,
        status=WaitlistEntry.Status.OFFERED,
    )
    offer = WaitlistOffer.objects.create(
        entry=entry,
        start=at(WEDNESDAY, 12),
        end=at(WEDNESDAY, 12, 45),
        room_free_at=at(WEDNESDAY, 12, 55),
        practitioner=clinic_setup.cosm,
        room=clinic_setup.rooms["treatment"],
        expires_at=at(dt.date(2026, 6, 1), 7),
    )
    client.force_login(patient)
    url = reverse("patients:waitlist-offer", args=[offer.pk])

    assert "no longer available" in client.get(url).content.decode()
    response = client.post(url)

    assert response.status_code == 409
    assert not Appointment.objects.exists()


def test_leaving_the_waitlist(client: Client, clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    entry = WaitlistEntry.objects.create(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure(PEEL),
        from_date=WEDNESDAY,
        to_date=WEDNESDAY,
    )
    client.force_login(patient)

    client.post(reverse("patients:waitlist-leave", args=[entry.pk]))

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.CANCELLED


# --- e-mails -------------------------------------------------------------------------------


def test_the_booking_emails_are_written_in_the_patients_language(
    clinic_setup: Clinic, patient: User, django_capture_on_commit_callbacks: Any
) -> None:
    patient.preferred_language = "ru"
    patient.save()
    ready(patient, "peel", herpes_history=True)

    with django_capture_on_commit_callbacks(execute=True):
        book(patient, clinic_setup, at(WEDNESDAY, 10))

    message = mail.outbox[-1]
    assert message.subject.startswith("Ваша заявка")
    assert "Вторник" not in message.body
    assert "среда" in message.body.lower()
    html = message.alternatives[0][0]
    assert '<html lang="ru">' in html


def test_moved_and_review_decided_emails_say_what_happened(
    clinic_setup: Clinic,
    patient: User,
    practitioner: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from patients.booking.services import (
        approve_booking_review,
        decline_booking_review,
        move_appointment,
    )

    ready(patient, "peel", herpes_history=True)
    first = book(patient, clinic_setup, at(WEDNESDAY, 10))
    second = book(patient, clinic_setup, at(dt.date(2026, 6, 20), 10))
    with django_capture_on_commit_callbacks(execute=True):
        move_appointment(appointment=first, start=at(WEDNESDAY, 12), by=patient)
        approve_booking_review(appointment=first, by=practitioner, note="Bring your SPF cream.")
        decline_booking_review(
            appointment=second, by=practitioner, reason="Too soon after the first."
        )

    moved, approved, declined = mail.outbox[-3:]
    assert moved.subject.startswith("Your appointment has moved")
    assert "June 3, 2026 at 10:00 has moved to a new time" in moved.body
    assert approved.subject.startswith("Confirmed:")
    assert "Bring your SPF cream." in approved.body
    assert approved.attachments[0][0] == "appointment.ics"
    assert "was declined" in declined.subject
    assert "Too soon after the first." in declined.body
    assert not declined.attachments
    assert f"/me/appointments/{second.pk}/" in declined.body
