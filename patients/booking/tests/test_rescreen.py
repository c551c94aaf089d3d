"""Screening that lives (rules-v2.md section 6): booked appointments are screened again.

Each trigger of section 6, through its service: a confirmed appointment goes back to
review (or stays confirmed) as specified, with the system's status-history row naming
the cause and the patient's message (no health reason in its subject line).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from clinic.models import User
from patients.booking.selectors import pending_reviews
from patients.booking.services import (
    ScreeningBlocked,
    approve_booking_review,
    auto_decline_overdue_reviews,
    book_appointment,
    cancel_appointment,
    decline_booking_review,
)
from patients.messaging.outbox import deliver_message
from patients.messaging.render import render, sms_text
from patients.models import Appointment, AppointmentStatusChange, OutboxMessage
from patients.records import services as records
from patients.tests.booking_fixtures import NOW, WEDNESDAY, Clinic, at, ready
from patients.tests.factories import give_baseline_intake, intake_form_data

pytestmark = pytest.mark.django_db

S = Appointment.Status
Kind = OutboxMessage.Kind
TODAY = NOW.date()
TUESDAY = WEDNESDAY - dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Every test here runs on Monday 1 June 2026, 08:00 Moscow."""


def book(
    user: User, clinic: Clinic, start: dt.datetime, slug: str = "glycolic-peel"
) -> Appointment:
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure(slug),
        start=start,
        booked_by=user,
        channel=Appointment.Channel.WEB,
    )


def system_rows(appointment: Appointment) -> list[AppointmentStatusChange]:
    return list(
        appointment.status_changes.filter(from_status=S.CONFIRMED, to_status=S.PENDING_REVIEW)
    )


def review_messages(
    appointment: Appointment, channel: str = OutboxMessage.Channel.EMAIL
) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            appointment=appointment, kind=Kind.SCREENING_REVIEW, channel=channel
        )
    )


# --- a new intake version -------------------------------------------------------------------


def test_a_new_relative_code_sends_a_confirmed_booking_back_to_review(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    assert appointment.status == S.CONFIRMED

    give_baseline_intake(
        patient, isotretinoin="stopped", isotretinoin_stopped_on=TODAY - dt.timedelta(days=30)
    )

    appointment.refresh_from_db()
    assert appointment.status == S.PENDING_REVIEW
    assert appointment.screening_flags == ["ISOTRETINOIN_LT6M"]
    assert appointment.screening_new_flags == ["ISOTRETINOIN_LT6M"]
    assert appointment.screening_blocking == []
    assert list(pending_reviews()) == [appointment]
    (row,) = system_rows(appointment)
    assert row.by is None
    assert "questionnaire" in row.reason
    assert "ISOTRETINOIN_LT6M" in row.reason
    assert len(review_messages(appointment)) == 1


def test_an_absolute_code_blocks_the_approval_and_the_decline_offers_the_earliest_date(
    clinic_setup: Clinic, patient: User, practitioner: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(TUESDAY, 10))

    # The glycolic peel's stop window is 2 days: a retinoid used today blocks tomorrow.
    give_baseline_intake(patient, topical_retinoid_last_used=TODAY)

    appointment.refresh_from_db()
    assert appointment.status == S.PENDING_REVIEW
    assert appointment.screening_blocking == ["PRECARE_TOPICAL_RETINOID"]
    assert appointment.screening_new_flags == ["PRECARE_TOPICAL_RETINOID"]
    earliest = appointment.screening_earliest_on
    assert earliest == TODAY + dt.timedelta(days=2)
    with pytest.raises(ScreeningBlocked):
        approve_booking_review(appointment=appointment, by=practitioner)
    appointment.refresh_from_db()
    assert appointment.status == S.PENDING_REVIEW

    decline_booking_review(appointment=appointment, by=practitioner, reason="Retinoid too recent.")
    appointment.refresh_from_db()
    assert appointment.status == S.DECLINED
    assert appointment.screening_earliest_on == earliest


def test_nothing_changes_when_the_answers_stay_the_same(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))

    records.renew_intake(patient=patient.patient_profile, submitted_by=patient)

    appointment.refresh_from_db()
    assert appointment.status == S.CONFIRMED
    assert system_rows(appointment) == []
    assert review_messages(appointment) == []


def test_an_approved_code_does_not_send_it_back_but_a_new_one_does(
    clinic_setup: Clinic, patient: User, practitioner: User
) -> None:
    stopped = TODAY - dt.timedelta(days=30)
    ready(patient, "peel", isotretinoin="stopped", isotretinoin_stopped_on=stopped)
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    assert appointment.status == S.PENDING_REVIEW
    approve_booking_review(appointment=appointment, by=practitioner)

    records.renew_intake(patient=patient.patient_profile, submitted_by=patient)
    appointment.refresh_from_db()
    assert appointment.status == S.CONFIRMED

    give_baseline_intake(
        patient, isotretinoin="stopped", isotretinoin_stopped_on=stopped, herpes_history=True
    )
    appointment.refresh_from_db()
    assert appointment.status == S.PENDING_REVIEW
    assert appointment.screening_new_flags == ["HERPES_HISTORY"]
    assert set(appointment.screening_flags) == {"ISOTRETINOIN_LT6M", "HERPES_HISTORY"}


def test_a_pending_review_whose_codes_cleared_stays_in_the_queue_with_no_flags(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", herpes_history=True)
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    assert appointment.status == S.PENDING_REVIEW

    give_baseline_intake(patient)

    appointment.refresh_from_db()
    assert appointment.status == S.PENDING_REVIEW
    assert appointment.screening_flags == []
    assert appointment.screening_new_flags == []
    assert list(pending_reviews()) == [appointment]


def test_a_pending_review_marks_only_the_codes_it_did_not_show_as_new(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", herpes_history=True)
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    assert appointment.screening_flags == ["HERPES_HISTORY"]

    give_baseline_intake(
        patient,
        herpes_history=True,
        isotretinoin="stopped",
        isotretinoin_stopped_on=TODAY - dt.timedelta(days=30),
    )
    appointment.refresh_from_db()
    assert set(appointment.screening_flags) == {"HERPES_HISTORY", "ISOTRETINOIN_LT6M"}
    assert appointment.screening_new_flags == ["ISOTRETINOIN_LT6M"]

    # Another change: what was new stays new while it fires.
    records.renew_intake(patient=patient.patient_profile, submitted_by=patient)
    appointment.refresh_from_db()
    assert appointment.screening_new_flags == ["ISOTRETINOIN_LT6M"]
    assert appointment.status == S.PENDING_REVIEW


def test_past_and_ended_appointments_are_not_screened_again(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    cancel_appointment(appointment=appointment, by=patient)

    give_baseline_intake(patient, active_inflammation=True)

    appointment.refresh_from_db()
    assert appointment.status == S.CANCELLED
    assert review_messages(appointment) == []


# --- the patient's message -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", "Your appointment on June 3, 2026 needs a practitioner's review"),
        ("ru", "Ваша запись на 3 июня 2026 требует проверки врача"),
    ],
)
def test_the_patient_is_told_in_their_language_without_the_health_reason_in_the_subject(
    clinic_setup: Clinic,
    patient: User,
    mailoutbox: list,
    language: str,
    subject: str,
) -> None:
    patient.preferred_language = language
    patient.save()
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    give_baseline_intake(
        patient, isotretinoin="stopped", isotretinoin_stopped_on=TODAY - dt.timedelta(days=30)
    )
    (message,) = review_messages(appointment)

    assert deliver_message(message_id=message.pk) == "sent"

    (email,) = [m for m in mailoutbox if m.subject == subject]
    assert "isotretinoin" not in email.subject.lower()
    assert "изотретиноин" not in email.subject.lower()
    assert reverse("patients:appointment", args=[appointment.pk]) in email.body


def test_the_text_message_names_no_health_reason_either(
    clinic_setup: Clinic, patient: User, settings
) -> None:
    settings.PORTAL_URL = "https://portal.example"
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    give_baseline_intake(
        patient, isotretinoin="stopped", isotretinoin_stopped_on=TODAY - dt.timedelta(days=30)
    )
    (message,) = review_messages(appointment, OutboxMessage.Channel.SMS)
    rendered = render(message)
    assert rendered is not None

    text = sms_text(message, rendered)

    assert text == (
        f"{settings.CLINIC_NAME}: a practitioner will look again at your booking for "
        f"06/03/2026 at 10:00; the time stays yours. "
        f"https://portal.example/me/appointments/{appointment.pk}/"
    )


def test_the_message_is_not_sent_once_the_review_is_decided(
    clinic_setup: Clinic, patient: User, practitioner: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    give_baseline_intake(
        patient, isotretinoin="stopped", isotretinoin_stopped_on=TODAY - dt.timedelta(days=30)
    )
    (message,) = review_messages(appointment)
    approve_booking_review(appointment=appointment, by=practitioner)

    assert deliver_message(message_id=message.pk) == "cancelled"


# --- through the intake page -----------------------------------------------------------------


def test_the_intake_page_sends_a_confirmed_booking_back_to_review(
    clinic_setup: Clinic, patient: User, client
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    client.force_login(patient)

    response = client.post(
        reverse("patients:intake"),
        intake_form_data(
            isotretinoin="stopped",
            isotretinoin_stopped_on=(TODAY - dt.timedelta(days=30)).isoformat(),
        ),
    )

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == S.PENDING_REVIEW
    (row,) = system_rows(appointment)
    assert row.by is None
    assert len(review_messages(appointment)) == 1


def test_the_automatic_decline_before_the_slot_applies_with_the_earliest_date(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(TUESDAY, 10))
    give_baseline_intake(patient, topical_retinoid_last_used=TODAY)
    appointment.refresh_from_db()
    assert appointment.status == S.PENDING_REVIEW

    # Nobody decided: 24 hours before the slot the system declines it, as for any review.
    declined = auto_decline_overdue_reviews(now=at(TUESDAY, 9))

    assert declined == [appointment.pk]
    appointment.refresh_from_db()
    assert appointment.status == S.DECLINED
    assert appointment.screening_earliest_on == TODAY + dt.timedelta(days=2)
    (row,) = appointment.status_changes.filter(to_status=S.DECLINED)
    assert row.by is None
