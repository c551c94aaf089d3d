"""Sessions of other procedures re-screen a booking too (rules-v2.md sections 2, 3 and 6).

Washouts and prerequisites read every other session of the patient, so booking,
cancelling or completing one session changes what another one is screened with: a
confirmed laser resurfacing goes back to review when a peel is booked ten days before
it (`WASHOUT_REVIEW`) or when the consultation it relied on is cancelled
(`PREREQUISITE_MISSING`), and a pending one shows "no flags now" once the consultation
it waited for is done.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from clinic.models import User
from patients.booking.services import (
    approve_booking_review,
    book_appointment,
    cancel_appointment,
    check_in,
    complete_appointment,
)
from patients.models import Appointment, AppointmentStatusChange, OutboxMessage
from patients.tests.booking_fixtures import NOW, WEDNESDAY, Clinic, at, ready, sign

pytestmark = pytest.mark.django_db

S = Appointment.Status
DAY = dt.timedelta(days=1)
LASER = "laser-resurfacing"


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow."""


def book(user: User, clinic: Clinic, day: dt.date, slug: str, hour: int = 10) -> Appointment:
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure(slug),
        start=at(day, hour),
        booked_by=user,
        channel=Appointment.Channel.WEB,
    )


def consultation_done(user: User, clinic: Clinic, day: dt.date) -> Appointment:
    consultation = clinic.procedure("consultation")
    start = at(day, 10)
    appointment = Appointment.from_catalogue(
        procedure=consultation,
        start=start,
        end=start + dt.timedelta(minutes=consultation.booked_minutes),
        patient=user.patient_profile,
        practitioner=clinic.derm,
        room=clinic.rooms["consult"],
        status=S.COMPLETED,
        screening_outcome="ok",
        channel=Appointment.Channel.DESK,
        created_by=user,
    )
    appointment.save()
    return appointment


def back_to_review(appointment: Appointment, code: str, cause: str) -> None:
    appointment.refresh_from_db()
    assert appointment.status == S.PENDING_REVIEW
    assert code in appointment.screening_new_flags
    (row,) = AppointmentStatusChange.objects.filter(
        appointment=appointment, from_status=S.CONFIRMED, to_status=S.PENDING_REVIEW
    )
    assert row.by is None
    assert cause in row.reason
    assert code in row.reason
    assert OutboxMessage.objects.filter(
        appointment=appointment, kind=OutboxMessage.Kind.SCREENING_REVIEW
    ).exists()


def test_a_peel_booked_ten_days_before_a_laser_sends_the_laser_back_to_review(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    sign(patient, "laser")
    consultation_done(patient, clinic_setup, NOW.date() - 30 * DAY)
    laser = book(patient, clinic_setup, WEDNESDAY + 20 * DAY, LASER)
    assert laser.status == S.CONFIRMED

    # superficial -> deep: 14 days, relative (rules-v2.md section 2).
    peel = book(patient, clinic_setup, WEDNESDAY + 10 * DAY, "glycolic-peel")

    assert peel.status == S.PENDING_REVIEW  # screened at its own door: the laser after it
    back_to_review(laser, "WASHOUT_REVIEW", "another session was booked")


def test_cancelling_that_peel_leaves_the_laser_with_no_flags_now(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    sign(patient, "laser")
    consultation_done(patient, clinic_setup, NOW.date() - 30 * DAY)
    laser = book(patient, clinic_setup, WEDNESDAY + 20 * DAY, LASER)
    peel = book(patient, clinic_setup, WEDNESDAY + 10 * DAY, "glycolic-peel")

    cancel_appointment(appointment=peel, by=patient)

    laser.refresh_from_db()
    assert laser.status == S.PENDING_REVIEW  # stays for the practitioner to approve
    assert (laser.screening_flags, laser.screening_blocking) == ([], [])


def test_cancelling_the_consultation_an_approved_laser_relied_on(
    clinic_setup: Clinic, patient: User, practitioner: User
) -> None:
    ready(patient, "consultation")
    sign(patient, "laser")
    consultation = book(patient, clinic_setup, WEDNESDAY, "consultation")
    laser = book(patient, clinic_setup, WEDNESDAY + 14 * DAY, LASER)
    assert laser.status == S.PENDING_REVIEW  # only a booked consultation: PREREQUISITE_BOOKED
    assert laser.screening_flags == ["PREREQUISITE_BOOKED"]
    approve_booking_review(appointment=laser, by=practitioner)

    cancel_appointment(appointment=consultation, by=patient)

    back_to_review(laser, "PREREQUISITE_MISSING", "another session was cancelled")
    laser.refresh_from_db()
    assert laser.screening_blocking == ["PREREQUISITE_MISSING"]


def test_completing_the_consultation_clears_the_pending_laser(
    clinic_setup: Clinic, patient: User, receptionist: User, settings: Any
) -> None:
    settings.COMPLETE_REQUIRES_SIGNED_CHART = False
    ready(patient, "consultation")
    sign(patient, "laser")
    consultation = book(patient, clinic_setup, WEDNESDAY, "consultation")
    laser = book(patient, clinic_setup, WEDNESDAY + 14 * DAY, LASER)
    assert laser.status == S.PENDING_REVIEW

    with time_machine.travel(at(WEDNESDAY, 10, 5), tick=False):
        check_in(appointment=consultation, by=receptionist, nothing_changed=True)
        complete_appointment(appointment=consultation, by=receptionist)

    laser.refresh_from_db()
    assert laser.status == S.PENDING_REVIEW
    assert laser.screening_flags == []  # "no flags now": the practitioner approves it
