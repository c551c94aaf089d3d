"""Each session trigger of rules-v2.md section 6 screens the patient's other bookings again.

A glycolic peel course (sessions 14 to 21 days apart): a session booked, moved,
cancelled or declined changes the history a later session is screened with, and the
later one goes back to review (`COURSE_GAP_EXCEEDED`) or stays confirmed, with the
system's history row naming the cause and the patient's message. Completion and a
no-show leave the later sessions as they are. One cancellation goes through the API.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.models import User
from patients.booking.services import (
    book_appointment,
    cancel_appointment,
    check_in,
    complete_appointment,
    decline_booking_review,
    mark_no_show,
    move_appointment,
)
from patients.models import Appointment, AppointmentStatusChange, OutboxMessage
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready

pytestmark = pytest.mark.django_db

S = Appointment.Status
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow."""


def book(user: User, clinic: Clinic, day: dt.date) -> Appointment:
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure("glycolic-peel"),
        start=at(day, 10),
        booked_by=user,
        channel=Appointment.Channel.WEB,
    )


def back_to_review(appointment: Appointment, cause: str) -> None:
    """Went back to review: the system's row naming `cause`, the patient's message."""
    appointment.refresh_from_db()
    assert appointment.status == S.PENDING_REVIEW
    assert appointment.screening_new_flags == ["COURSE_GAP_EXCEEDED"]
    (row,) = AppointmentStatusChange.objects.filter(
        appointment=appointment, from_status=S.CONFIRMED, to_status=S.PENDING_REVIEW
    )
    assert row.by is None
    assert cause in row.reason
    assert "COURSE_GAP_EXCEEDED" in row.reason
    assert OutboxMessage.objects.filter(
        appointment=appointment, kind=OutboxMessage.Kind.SCREENING_REVIEW
    ).exists()


def stayed_confirmed(appointment: Appointment) -> None:
    appointment.refresh_from_db()
    assert appointment.status == S.CONFIRMED
    assert not appointment.status_changes.filter(to_status=S.PENDING_REVIEW).exists()
    assert not OutboxMessage.objects.filter(
        appointment=appointment, kind=OutboxMessage.Kind.SCREENING_REVIEW
    ).exists()


def test_booking_an_earlier_session_leaves_a_later_one_too_far_behind(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    later = book(patient, clinic_setup, WEDNESDAY + 28 * DAY)  # a first session: confirmed
    assert later.status == S.CONFIRMED

    book(patient, clinic_setup, WEDNESDAY)

    back_to_review(later, "another session was booked")


def test_booking_a_session_that_fits_changes_nothing(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    first = book(patient, clinic_setup, WEDNESDAY)

    book(patient, clinic_setup, WEDNESDAY + 14 * DAY)

    stayed_confirmed(first)


def test_moving_a_session_away_from_the_next_one(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    thursday = WEDNESDAY + DAY
    first = book(patient, clinic_setup, thursday)
    second = book(patient, clinic_setup, thursday + 21 * DAY)

    move_appointment(appointment=first, start=at(WEDNESDAY - DAY, 10), by=patient)

    back_to_review(second, "another session was moved")


def test_cancelling_a_middle_session_sends_the_next_back_to_review(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    book(patient, clinic_setup, WEDNESDAY)
    middle = book(patient, clinic_setup, WEDNESDAY + 14 * DAY)
    last = book(patient, clinic_setup, WEDNESDAY + 28 * DAY)

    cancel_appointment(appointment=middle, by=patient)

    back_to_review(last, "another session was cancelled")


def test_cancelling_the_last_session_changes_nothing(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    first = book(patient, clinic_setup, WEDNESDAY)
    second = book(patient, clinic_setup, WEDNESDAY + 14 * DAY)

    cancel_appointment(appointment=second, by=patient)

    stayed_confirmed(first)


def test_declining_a_middle_session_sends_the_next_back_to_review(
    clinic_setup: Clinic, patient: User, practitioner: User
) -> None:
    ready(patient, "peel")
    book(patient, clinic_setup, WEDNESDAY)
    middle = book(patient, clinic_setup, WEDNESDAY + 22 * DAY)  # 22 > 21 days: a review
    assert middle.status == S.PENDING_REVIEW
    last = book(patient, clinic_setup, WEDNESDAY + 36 * DAY)
    assert last.status == S.CONFIRMED

    decline_booking_review(appointment=middle, by=practitioner, reason="Too long a gap.")

    back_to_review(last, "another session was declined")


def test_completing_a_session_keeps_the_next_confirmed(
    clinic_setup: Clinic, patient: User, receptionist: User, settings
) -> None:
    settings.COMPLETE_REQUIRES_SIGNED_CHART = False
    ready(patient, "peel")
    first = book(patient, clinic_setup, WEDNESDAY)
    second = book(patient, clinic_setup, WEDNESDAY + 14 * DAY)

    with time_machine.travel(at(WEDNESDAY, 10, 5), tick=False):
        check_in(appointment=first, by=receptionist, nothing_changed=True)
        complete_appointment(appointment=first, by=receptionist)

    stayed_confirmed(second)


def test_a_no_show_keeps_the_next_confirmed(
    clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    ready(patient, "peel")
    first = book(patient, clinic_setup, WEDNESDAY)
    second = book(patient, clinic_setup, WEDNESDAY + 14 * DAY)

    with time_machine.travel(at(WEDNESDAY, 11), tick=False):
        mark_no_show(appointment=first, by=receptionist)

    stayed_confirmed(second)


def test_cancelling_through_the_api_sends_the_next_session_back_to_review(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    book(patient, clinic_setup, WEDNESDAY)
    middle = book(patient, clinic_setup, WEDNESDAY + 14 * DAY)
    last = book(patient, clinic_setup, WEDNESDAY + 28 * DAY)
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=patient)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.post(f"/api/v1/appointments/{middle.pk}/cancel/", {}, format="json")

    assert response.status_code == 200
    back_to_review(last, "another session was cancelled")


# --- the cancel page says so first ------------------------------------------------------------


def test_the_cancel_page_says_which_later_sessions_go_back_to_review(
    clinic_setup: Clinic, patient: User, client
) -> None:
    ready(patient, "peel")
    first = book(patient, clinic_setup, WEDNESDAY)
    middle = book(patient, clinic_setup, WEDNESDAY + 14 * DAY)
    last = book(patient, clinic_setup, WEDNESDAY + 28 * DAY)
    client.force_login(patient)

    page = client.get(reverse("patients:appointment-cancel", args=[middle.pk]))

    html = page.content.decode()
    assert "Cancelling this session changes your later sessions:" in html
    assert "July 1, 2026" in html  # the last session
    # Only said, nothing done: the dry run left every row as it was.
    for appointment in (first, middle, last):
        appointment.refresh_from_db()
        assert appointment.status == S.CONFIRMED
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.SCREENING_REVIEW).exists()
    assert not AppointmentStatusChange.objects.filter(to_status=S.PENDING_REVIEW).exists()

    # The last session says nothing of the kind: nothing comes after it.
    html = client.get(reverse("patients:appointment-cancel", args=[last.pk])).content.decode()
    assert "Cancelling this session changes your later sessions:" not in html

    client.post(reverse("patients:appointment-cancel", args=[middle.pk]), {"reason": ""})
    back_to_review(last, "another session was cancelled")
