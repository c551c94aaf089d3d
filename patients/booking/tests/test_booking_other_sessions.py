"""Every path screens with the same inputs: the patient's other sessions (rules-v2.md section 1).

Alice has a laser resurfacing booked for Tuesday 2 June (confirmed, holding time). A
glycolic peel the day after is a washout (deep -> superficial: 90 days, absolute), and
every way of booking it refuses it the same way: `screening_blocked`, `WASHOUT`, the
earliest date 31 August (the laser's date + 90). A procedure that needs a consultation
is refused without one, and the refusal offers the consultation's free times: on the
web page, in the API's error body and at the desk.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.models import User
from patients.booking.errors import ScreeningBlocked
from patients.booking.screening import screening_inputs
from patients.booking.services import (
    book_appointment,
    book_course,
    cancel_appointment,
    move_appointment,
)
from patients.booking.services.waitlist import join_waitlist
from patients.models import Appointment, WaitlistOffer
from patients.records.selectors import screened_catalogue
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.factories import give_session, make_patient

pytestmark = pytest.mark.django_db

PEEL = "glycolic-peel"
LASER = "laser-resurfacing"
TUESDAY = dt.date(2026, 6, 2)
CLEARS = TUESDAY + dt.timedelta(days=90)  # 31 August 2026


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow (booking_fixtures)."""


@pytest.fixture
def laser_booked(clinic_setup: Clinic, patient: User) -> Appointment:
    """Alice, ready for peels, with a laser resurfacing booked on Tuesday at 09:00."""
    ready(patient, "peel")
    return give_session(patient, LASER, start=at(TUESDAY, 9), practitioner=clinic_setup.derm)


def api_for(user: User) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_washout(error: Any) -> None:
    assert error.code == "screening_blocked"
    assert error.blocking == ("WASHOUT",)
    assert error.earliest_date == CLEARS


def peels(patient: User) -> list[Appointment]:
    return list(Appointment.objects.filter(patient=patient.patient_profile, procedure__slug=PEEL))


# --- the one read -----------------------------------------------------------------------------


def test_the_inputs_are_the_sessions_that_count(
    clinic_setup: Clinic, patient: User, laser_booked: Appointment
) -> None:
    done = give_session(
        patient, "consultation", start=at(dt.date(2026, 5, 4), 9), status="completed"
    )
    give_session(patient, "tca-cross", start=at(dt.date(2026, 5, 5), 9), status="cancelled")
    give_session(patient, "tca-cross", start=at(dt.date(2026, 5, 6), 9), status="no_show")
    give_session(patient, "tca-cross", start=at(dt.date(2026, 5, 7), 9), status="declined")

    inputs = screening_inputs(patient.patient_profile)
    assert inputs.other_sessions == (
        ("consultation", dt.date(2026, 5, 4), True),
        (LASER, TUESDAY, False),
    )
    assert inputs.answers == inputs.version.parsed_answers
    assert screening_inputs(patient.patient_profile, excluding=done).other_sessions == (
        (LASER, TUESDAY, False),
    )
    assert screening_inputs(patient.patient_profile, excluding=laser_booked.pk).other_sessions == (
        ("consultation", dt.date(2026, 5, 4), True),
    )


# --- a washout against another booked session, path by path ----------------------------------


def test_web_refuses_the_washout(
    client: Client, clinic_setup: Clinic, patient: User, laser_booked: Appointment
) -> None:
    client.force_login(patient)
    query = urlencode({"start": at(WEDNESDAY, 10).isoformat()})
    response = client.post(f"{reverse('patients:book-confirm', args=[PEEL])}?{query}")

    assert response.status_code == 422
    assert_washout(response.context["error"])
    assert "31 August 2026" in response.content.decode() or "Aug. 31, 2026" in (
        response.content.decode()
    )
    assert peels(patient) == []


def test_the_api_refuses_the_washout(
    clinic_setup: Clinic, patient: User, laser_booked: Appointment
) -> None:
    response = api_for(patient).post(
        "/api/v1/appointments/",
        {"procedure": PEEL, "start": at(WEDNESDAY, 10).isoformat()},
        format="json",
    )

    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["blocking"], body["earliest_date"]) == (
        "screening_blocked",
        ["WASHOUT"],
        CLEARS.isoformat(),
    )
    assert "remedy_slots" not in body  # waiting is the way out, not another procedure
    assert peels(patient) == []


def test_the_desk_refuses_the_washout(
    client: Client,
    clinic_setup: Clinic,
    patient: User,
    receptionist: User,
    laser_booked: Appointment,
) -> None:
    client.force_login(receptionist)
    query = urlencode({"start": at(WEDNESDAY, 10).isoformat()})
    url = reverse("desk:confirm", args=[patient.patient_profile.pk, PEEL])
    response = client.post(f"{url}?{query}")

    assert response.status_code == 422
    assert_washout(response.context["error"])
    assert peels(patient) == []


def test_the_schedule_refuses_the_washout(
    client: Client,
    clinic_setup: Clinic,
    patient: User,
    receptionist: User,
    laser_booked: Appointment,
) -> None:
    """Booking from a free cell of the schedule goes through the same screening."""
    client.force_login(receptionist)
    response = client.post(
        reverse("workspace:calendar-book"),
        {
            "patient": patient.patient_profile.pk,
            "procedure": PEEL,
            "date": WEDNESDAY.isoformat(),
            "time": "10:00",
            "practitioner": clinic_setup.cosm.pk,
        },
    )

    assert response.status_code == 422
    messages = [str(m) for m in response.context["messages"]]
    assert any("Aug. 31, 2026" in m for m in messages), messages
    assert peels(patient) == []


@pytest.mark.parametrize("by", ["patient", "receptionist"])
def test_a_move_onto_the_washout_is_refused(
    clinic_setup: Clinic,
    patient: User,
    receptionist: User,
    laser_booked: Appointment,
    by: str,
) -> None:
    peel = give_session(patient, PEEL, start=at(dt.date(2026, 6, 20), 10))
    with pytest.raises(ScreeningBlocked) as caught:
        move_appointment(
            appointment=peel,
            start=at(WEDNESDAY, 10),
            by={"patient": patient, "receptionist": receptionist}[by],
        )
    assert_washout(caught.value)
    peel.refresh_from_db()
    assert peel.start == at(dt.date(2026, 6, 20), 10)


def test_a_course_starting_in_the_washout_is_refused(
    clinic_setup: Clinic, patient: User, laser_booked: Appointment
) -> None:
    with pytest.raises(ScreeningBlocked) as caught:
        book_course(
            patient=patient.patient_profile,
            procedure=clinic_setup.procedure(PEEL),
            first_start=at(WEDNESDAY, 10),
            sessions=2,
            booked_by=patient,
            channel="web",
        )
    assert_washout(caught.value)
    assert caught.value.session_number == 1
    assert peels(patient) == []


def test_a_freed_slot_in_the_washout_is_not_offered_to_the_waiter(
    clinic_setup: Clinic,
    patient: User,
    other_patient: User,
    laser_booked: Appointment,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ready(other_patient, "peel")
    taken = book_appointment(
        patient=other_patient.patient_profile,
        procedure=clinic_setup.procedure(PEEL),
        start=at(WEDNESDAY, 10),
        practitioner=clinic_setup.cosm,
        booked_by=other_patient,
        channel="web",
    )
    join_waitlist(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure(PEEL),
        from_date=WEDNESDAY,
        to_date=WEDNESDAY,
        practitioner=None,
        by=patient,
    )
    third = make_patient(email="carol@example.test")
    ready(third, "peel")
    join_waitlist(
        patient=third.patient_profile,
        procedure=clinic_setup.procedure(PEEL),
        from_date=WEDNESDAY,
        to_date=WEDNESDAY,
        practitioner=None,
        by=third,
    )

    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(appointment=taken, by=other_patient)

    # Alice joined first, but her laser makes the peel a washout: the slot goes to Carol.
    offer = WaitlistOffer.objects.get()
    assert offer.entry.patient == third.patient_profile


def test_the_slot_list_leaves_out_the_washout_days_and_says_why_once(
    client: Client, clinic_setup: Clinic, patient: User, laser_booked: Appointment
) -> None:
    client.force_login(patient)
    url = reverse("patients:book-procedure", args=[PEEL])
    page = client.get(f"{url}?{urlencode({'date': '2026-06-03', 'days': 3})}")

    picker = page.context["picker"]
    # Blocked until 31 August, past the booking horizon: no day is offered, and the
    # reason is said once, in the refusal above the list, rather than day by day.
    assert picker.days == []
    assert [day.day for day in picker.blocked_days] == [
        WEDNESDAY,
        dt.date(2026, 6, 4),
        dt.date(2026, 6, 5),
    ]
    assert picker.result.blocking == ("WASHOUT",)
    assert picker.left_out == []
    html = page.content.decode()
    assert html.count("needs time to heal before this procedure: it can follow from Aug. 31") == 1


def test_days_left_out_from_the_second_on_are_said_once_above_the_list(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    """A TCA CROSS on Thursday: a peel on Wednesday is a review, then blocked for 14 days."""
    ready(patient, "peel")
    thursday = dt.date(2026, 6, 4)
    give_session(patient, "tca-cross", start=at(thursday, 9), practitioner=clinic_setup.derm)
    client.force_login(patient)
    url = reverse("patients:book-procedure", args=[PEEL])
    page = client.get(f"{url}?{urlencode({'date': '2026-06-03', 'days': 3})}")

    picker = page.context["picker"]
    # superficial -> focal: 14 days, relative (Wednesday, a review); focal -> superficial:
    # 14 days, absolute (Thursday, the same day, and Friday: refused until 18 June).
    assert [day.day for day in picker.days] == [WEDNESDAY]
    assert picker.days[0].result.flags == ("WASHOUT_REVIEW",)
    assert [day.day for day in picker.blocked_days] == [thursday, dt.date(2026, 6, 5)]
    assert len(picker.left_out) == 1
    sentence = str(picker.left_out[0])
    assert "June 18, 2026" in sentence
    html = page.content.decode()
    assert html.count("it can follow from June 18, 2026") == 1
    assert html.index("it can follow from June 18, 2026") < html.index('class="mb-4 slot-day"')


def test_treatments_for_me_reads_the_other_sessions(
    clinic_setup: Clinic, patient: User, laser_booked: Appointment
) -> None:
    results = {p.slug: r for p, r in screened_catalogue(patient.patient_profile, on=WEDNESDAY)}
    assert results[PEEL].blocking == ("WASHOUT",)
    assert results[PEEL].earliest_date == CLEARS
    # Monday, the day before the laser: superficial -> deep needs 14 days, relative.
    today = {p.slug: r for p, r in screened_catalogue(patient.patient_profile)}
    assert today[PEEL].flags == ("WASHOUT_REVIEW",)


# --- a missing consultation offers the consultation's times ------------------------------------


@pytest.fixture
def unconsulted(clinic_setup: Clinic, patient: User) -> User:
    """Alice, ready for the laser (intake, consent), who never had a consultation."""
    ready(patient, "laser", "consultation")
    return patient


def test_the_web_page_offers_consultation_times(client: Client, unconsulted: User) -> None:
    client.force_login(unconsulted)
    url = reverse("patients:book-procedure", args=[LASER])
    page = client.get(f"{url}?{urlencode({'date': '2026-06-03', 'days': 1})}")

    picker = page.context["picker"]
    assert picker.result.blocking == ("PREREQUISITE_MISSING",)
    assert picker.remedy_procedure.slug == "consultation"
    assert picker.remedy
    html = page.content.decode()
    first = picker.remedy[0]
    link = f"{reverse('patients:book-confirm', args=['consultation'])}?{first.query}"
    assert link.replace("&", "&amp;") in html

    # The refusal of a post offers them too.
    query = urlencode({"start": at(WEDNESDAY, 10).isoformat()})
    refused = client.post(f"{reverse('patients:book-confirm', args=[LASER])}?{query}")
    assert refused.status_code == 422
    assert refused.context["remedy"]
    assert link.replace("&", "&amp;") in refused.content.decode()


def test_the_api_error_body_offers_consultation_times(unconsulted: User) -> None:
    response = api_for(unconsulted).post(
        "/api/v1/appointments/",
        {"procedure": LASER, "start": at(WEDNESDAY, 10).isoformat()},
        format="json",
    )

    assert response.status_code == 422
    body = response.json()
    assert body["blocking"] == ["PREREQUISITE_MISSING"]
    assert body["remedy_procedure"] == "consultation"
    assert body["remedy_slots"]
    first = body["remedy_slots"][0]
    assert set(first) == {"start", "end", "practitioner", "room"}

    # The time offered can be booked, and then the laser goes to review meanwhile.
    booked = api_for(unconsulted).post(
        "/api/v1/appointments/",
        {
            "procedure": "consultation",
            "start": first["start"],
            "practitioner": first["practitioner"],
        },
        format="json",
    )
    assert booked.status_code == 201, booked.json()
    later = api_for(unconsulted).post(
        "/api/v1/appointments/",
        {"procedure": LASER, "start": at(dt.date(2026, 6, 10), 10).isoformat()},
        format="json",
    )
    assert later.status_code == 201, later.json()
    assert later.json()["status"] == "pending_review"


def test_the_desk_offers_consultation_times(
    client: Client, receptionist: User, unconsulted: User
) -> None:
    client.force_login(receptionist)
    profile = unconsulted.patient_profile
    query = urlencode({"procedure": LASER, "date": "2026-06-03", "days": 1})
    page = client.get(f"{reverse('desk:book', args=[profile.pk])}?{query}")

    picker = page.context["picker"]
    assert picker.remedy
    confirm = reverse("desk:confirm", args=[profile.pk, "consultation"])
    assert f"{confirm}?{picker.remedy[0].query}".replace("&", "&amp;") in page.content.decode()

    start = urlencode({"start": at(WEDNESDAY, 10).isoformat()})
    refused = client.post(f"{reverse('desk:confirm', args=[profile.pk, LASER])}?{start}")
    assert refused.status_code == 422
    assert confirm in refused.content.decode()


def test_a_consultation_done_within_the_year_lets_the_laser_through(
    clinic_setup: Clinic, unconsulted: User
) -> None:
    give_session(unconsulted, "consultation", start=at(dt.date(2025, 6, 4), 9), status="completed")
    appointment = book_appointment(
        patient=unconsulted.patient_profile,
        procedure=clinic_setup.procedure(LASER),
        start=at(WEDNESDAY, 10),
        booked_by=unconsulted,
        channel="web",
    )
    assert appointment.status == "confirmed"


def test_a_consultation_a_year_ago_is_too_old(clinic_setup: Clinic, unconsulted: User) -> None:
    give_session(unconsulted, "consultation", start=at(dt.date(2025, 6, 3), 9), status="completed")
    with pytest.raises(ScreeningBlocked) as caught:
        book_appointment(
            patient=unconsulted.patient_profile,
            procedure=clinic_setup.procedure(LASER),
            start=at(WEDNESDAY, 10),
            booked_by=unconsulted,
            channel="web",
        )
    assert caught.value.blocking == ("PREREQUISITE_MISSING",)
    assert caught.value.remedy_slots
