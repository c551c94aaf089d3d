"""Check-in asks the patient whether anything in the questionnaire changed, and screens again.

rules-v2.md section 6: the attestation is recorded (who, when); "something changed"
means updating the answers first; check-in and completion refuse while a new absolute
code fires; the day sheet shows each appointment's current screening.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.booking.services import (
    BookingError,
    ScreeningBlocked,
    book_appointment,
    check_in,
    complete_appointment,
)
from patients.models import Appointment
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.factories import give_baseline_intake

pytestmark = pytest.mark.django_db

S = Appointment.Status


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow."""


@pytest.fixture
def booked(clinic_setup: Clinic, patient: User) -> Appointment:
    """Alice's confirmed glycolic peel with the dermatologist on Wednesday at 10:00."""
    ready(patient, "peel")
    return book_appointment(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure("glycolic-peel"),
        start=at(WEDNESDAY, 10),
        practitioner=clinic_setup.derm,
        booked_by=patient,
        channel=Appointment.Channel.WEB,
    )


def on_the_day() -> Any:
    return time_machine.travel(at(WEDNESDAY, 9, 50), tick=False)


def test_check_in_needs_the_patients_confirmation_and_records_it(
    booked: Appointment, receptionist: User
) -> None:
    with on_the_day():
        with pytest.raises(BookingError) as refused:
            check_in(appointment=booked, by=receptionist)
        assert refused.value.code == "intake_attestation_required"
        booked.refresh_from_db()
        assert booked.status == S.CONFIRMED

        checked = check_in(appointment=booked, by=receptionist, nothing_changed=True)

    assert checked.status == S.CHECKED_IN
    assert checked.intake_attested_by == receptionist
    assert checked.intake_attested_at == at(WEDNESDAY, 9, 50)


def test_changed_answers_with_a_new_absolute_code_refuse_the_check_in(
    booked: Appointment, receptionist: User
) -> None:
    with on_the_day():
        # Something changed: the patient updates the answers first (re-screened then).
        give_baseline_intake(booked.patient.user, active_inflammation=True)
        booked.refresh_from_db()
        assert booked.status == S.PENDING_REVIEW

        with pytest.raises(Exception) as refused:  # noqa: PT011 - checked below
            check_in(appointment=booked, by=receptionist, nothing_changed=True)
    assert refused.value.code == "transition_not_allowed"


def test_check_in_screens_again_and_sends_a_new_code_back_to_review(
    booked: Appointment, receptionist: User
) -> None:
    # The answers changed without the triggers seeing it (a row written behind their back):
    # check-in is the last gate before the chair.
    version = booked.patient.intake_versions.order_by("-number").first()
    answers = {**version.answers, "active_inflammation": True}
    type(version).objects.filter(pk=version.pk).update(answers=answers)

    with on_the_day(), pytest.raises(ScreeningBlocked):
        check_in(appointment=booked, by=receptionist, nothing_changed=True)

    booked.refresh_from_db()
    assert booked.status == S.PENDING_REVIEW  # kept: back in the review queue
    assert booked.screening_blocking == ["INFLAMMATION_ACTIVE"]
    assert booked.intake_attested_at is None


def test_completion_is_refused_while_a_new_absolute_code_fires(
    booked: Appointment, receptionist: User, settings: Any
) -> None:
    settings.COMPLETE_REQUIRES_SIGNED_CHART = False
    with on_the_day():
        check_in(appointment=booked, by=receptionist, nothing_changed=True)
    version = booked.patient.intake_versions.order_by("-number").first()
    answers = {**version.answers, "active_inflammation": True}
    type(version).objects.filter(pk=version.pk).update(answers=answers)

    with on_the_day(), pytest.raises(ScreeningBlocked):
        complete_appointment(appointment=booked, by=receptionist)
    booked.refresh_from_db()
    assert booked.status == S.CHECKED_IN


def test_the_day_sheet_shows_the_current_screening_and_asks_for_the_confirmation(
    booked: Appointment, clinic_setup: Clinic, practitioner: User, client: Client
) -> None:
    clinic_setup.derm.user.groups.add(*practitioner.groups.all())
    client.force_login(clinic_setup.derm.user)
    sheet = reverse("workspace:day-sheet")
    page = client.get(sheet, {"date": WEDNESDAY.isoformat()}).content.decode()
    assert 'name="nothing_changed"' in page
    assert "INFLAMMATION_ACTIVE" not in page

    # Stored at booking: ok. Now: the answers changed behind the triggers' back.
    version = booked.patient.intake_versions.order_by("-number").first()
    answers = {**version.answers, "active_inflammation": True}
    type(version).objects.filter(pk=version.pk).update(answers=answers)
    page = client.get(sheet, {"date": WEDNESDAY.isoformat()}).content.decode()
    assert "INFLAMMATION_ACTIVE" in page
    assert "finding-absolute" in page

    with on_the_day():
        client.post(
            reverse("workspace:appointment-check-in", args=[booked.pk]),
            {"next": sheet},
        )
    booked.refresh_from_db()
    assert booked.status == S.CONFIRMED  # no confirmation ticked: not checked in
