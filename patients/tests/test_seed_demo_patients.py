"""The demo patients of `seed_demo`: twenty verified logins with a current intake, signed
consents, a few weeks of consistent appointments, and nothing doubled by a second run."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from clinic.models import User
from patients.management.demo import DEMO_PATIENTS
from patients.models import (
    Appointment,
    AppointmentStatusChange,
    ConsentSignature,
    IntakeVersion,
    PatientProfile,
    TreatmentCourse,
)
from patients.models.lifecycle import HOLDING_STATUSES, AppointmentStatus
from patients.records.selectors import current_consent_texts, has_valid_consent, intake_status

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
# A Wednesday: the seed's past and future days fall on working days around it.
NOW = dt.datetime(2026, 3, 11, 8, 0, tzinfo=MOSCOW)
S = AppointmentStatus


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def demo_profiles() -> list[PatientProfile]:
    emails = [spec.email for spec in DEMO_PATIENTS]
    return list(PatientProfile.objects.filter(user__email__in=emails).select_related("user"))


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            PatientProfile,
            IntakeVersion,
            ConsentSignature,
            Appointment,
            AppointmentStatusChange,
            TreatmentCourse,
        )
    }


@time_machine.travel(NOW, tick=False)
def test_seed_demo_twice_is_idempotent_with_twenty_patients_each_with_a_current_intake() -> None:
    seed()
    first = counts()
    output = seed()

    assert counts() == first
    assert f"Demo patients: {len(DEMO_PATIENTS)} (0 created, 0 intakes, 0 appointments)" in output
    profiles = demo_profiles()
    assert len(profiles) >= 20
    for profile in profiles:
        assert profile.is_verified
        assert intake_status(profile) == "current", profile.user.email


@time_machine.travel(NOW, tick=False)
def test_every_demo_patient_signed_every_consent_and_logs_in_with_the_demo_password() -> None:
    seed()

    kinds = {text.kind for text in current_consent_texts()}
    request = RequestFactory().post("/accounts/login/")
    for profile in demo_profiles():
        assert all(has_valid_consent(profile, kind) for kind in kinds), profile.user.email
    user = authenticate(request, username=DEMO_PATIENTS[0].email, password=settings.DEMO_PASSWORD)
    assert user is not None
    assert user.email == DEMO_PATIENTS[0].email


@time_machine.travel(NOW, tick=False)
def test_the_demo_has_past_and_future_appointments_consistent_with_the_services() -> None:
    seed()
    now = NOW.astimezone(dt.UTC)
    appointments = list(Appointment.objects.select_related("procedure"))

    past = [a for a in appointments if a.start < now]
    future = [a for a in appointments if a.start > now]
    statuses = {a.status for a in past}
    assert {S.COMPLETED, S.NO_SHOW} <= statuses
    assert all(a.status in (S.COMPLETED, S.NO_SHOW) for a in past)
    assert len(past) >= 10
    assert {a.status for a in future} == {S.CONFIRMED, S.PENDING_REVIEW}
    assert sum(a.status == S.PENDING_REVIEW for a in future) >= 2
    assert min(a.start for a in future) - now >= dt.timedelta(hours=2)
    assert max(a.start for a in appointments) - min(a.start for a in appointments) >= dt.timedelta(
        days=21
    )
    # Every appointment has its history, creation first.
    for appointment in appointments:
        changes = list(appointment.status_changes.order_by("at", "pk"))
        assert changes[0].from_status == ""
        assert changes[-1].to_status == appointment.status
    # Completed sessions advanced the courses: one session per completed visit.
    done = sum(a.status == S.COMPLETED for a in appointments)
    assert sum(TreatmentCourse.objects.values_list("sessions_done", flat=True)) == done


@time_machine.travel(NOW, tick=False)
def test_demo_appointments_never_overlap_for_a_practitioner_room_or_patient() -> None:
    seed()
    rows = list(Appointment.objects.exclude(status__in=(S.CANCELLED, S.DECLINED)))

    for i, one in enumerate(rows):
        for other in rows[i + 1 :]:
            if one.start < other.room_free_at and other.start < one.room_free_at:
                assert one.room_id != other.room_id
            if one.start < other.end and other.start < one.end:
                assert one.practitioner_id != other.practitioner_id
                assert one.patient_id != other.patient_id
    active = [a for a in rows if a.status in HOLDING_STATUSES]
    assert active


@time_machine.travel(NOW, tick=False)
def test_demo_intakes_vary_some_patients_blocked_some_flagged() -> None:
    from patients.booking.services import screen_for_booking
    from procedures.models import Procedure

    seed()
    peel = Procedure.objects.get(slug="salicylic-peel")  # nobody had one: no course window
    day = NOW.date() + dt.timedelta(days=7)
    outcomes = {
        profile.user.email: screen_for_booking(patient=profile, procedure=peel, on=day).outcome
        for profile in demo_profiles()
    }

    assert outcomes["patient@clinic.local"] == "ok"
    assert outcomes["ekaterina.kuznetsova@patients.clinic.local"] == "blocked"  # rosacea
    assert outcomes["maria.ivanova@patients.clinic.local"] == "review"  # cold sores
    assert set(outcomes.values()) == {"ok", "review", "blocked"}


@time_machine.travel(NOW, tick=False)
def test_every_demo_patient_has_a_valid_phone_stored_in_e164() -> None:
    seed()

    phones = [profile.user.phone for profile in demo_profiles()]
    assert len(phones) == len(DEMO_PATIENTS)
    assert all(phone.is_valid() for phone in phones)
    emails = [spec.email for spec in DEMO_PATIENTS]
    in_e164 = User.objects.filter(email__in=emails, phone__regex=r"^\+7900[0-9]{7}$")
    assert in_e164.count() == len(DEMO_PATIENTS)
