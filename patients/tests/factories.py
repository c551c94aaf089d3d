"""Factories for patients: users with a profile, intake versions, photos."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from clinic.models import Practitioner, Room, User
from clinic.tests.factories import PractitionerFactory, RoomFactory, UserFactory
from patients.models import DATA_PROCESSING, Appointment, IntakeVersion, PatientProfile
from patients.records import services
from patients.records.forms import NO, YES
from patients.records.selectors import current_consent_text
from procedures.intake import QUESTIONS, Kind, baseline_answers
from procedures.models import Procedure


class PatientUserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"patient{n}@example.test")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Patient{n}")
    phone = "+7 900 000-00-00"
    preferred_language = "en"
    password = factory.PostGenerationMethodCall("set_password", "pw-patient")

    @factory.post_generation
    def profile(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        obj.save()
        PatientProfile.objects.create(
            user=obj,
            date_of_birth=kwargs.get("date_of_birth", dt.date(1995, 5, 17)),
            email_verified_at=None if kwargs.get("unverified") else timezone.now(),
        )


def make_patient(**kwargs: Any) -> User:
    """A patient login with a verified profile and the data-processing consent signed."""
    user = PatientUserFactory(**kwargs)
    text = current_consent_text(DATA_PROCESSING)
    if text is not None:
        services.sign_consent(
            patient=user.patient_profile,
            text=text,
            full_name=user.get_full_name(),
            ticked=True,
            ip_address="127.0.0.1",
            user_agent="factory",
            language=user.preferred_language,
        )
    return user


def give_baseline_intake(user: User, *, on: dt.date | None = None, **changes: Any) -> IntakeVersion:
    """Submit the baseline answers of intake.md (with `changes`) as the patient's intake."""
    answers = baseline_answers(on=on or timezone.localdate())
    answers.update(changes)
    return services.submit_intake(patient=user.patient_profile, answers=answers, submitted_by=user)


def intake_form_data(*, on: dt.date | None = None, **changes: Any) -> dict[str, Any]:
    """The baseline answers of intake.md (with `changes`) as the browser posts the form."""
    data: dict[str, Any] = {}
    for key, value in baseline_answers(on=on or timezone.localdate()).items():
        kind = QUESTIONS[key].kind
        if kind is Kind.BOOL:
            data[key] = YES if value else NO
        elif kind is Kind.MULTI_CHOICE:
            data[key] = sorted(value)
        elif value is None:
            data[key] = ""
        elif isinstance(value, dt.date):
            data[key] = value.isoformat()
        else:
            data[key] = value
    data.update(changes)
    return data


def jpeg_bytes(size: tuple[int, int] = (64, 48), color: str = "red", **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG", **save)
    return out.getvalue()


def give_session(
    user: User,
    slug: str,
    *,
    start: dt.datetime,
    status: str = Appointment.Status.CONFIRMED,
    practitioner: Practitioner | None = None,
) -> Appointment:
    """A session of `slug` for the patient written as a row (another session screening reads).

    Its practitioner and room are the clinic's own when the test set one up.
    """
    procedure = Procedure.objects.get(slug=slug)
    end = start + dt.timedelta(minutes=procedure.booked_minutes)
    practitioner = (
        practitioner
        or Practitioner.objects.order_by("pk").first()
        or PractitionerFactory(user=UserFactory(is_staff=True), roles=list(procedure.roles))
    )
    room = (
        Room.objects.filter(kind=procedure.room_kind).order_by("pk").first()
        or Room.objects.order_by("pk").first()
        or RoomFactory(kind=procedure.room_kind)
    )
    return Appointment.objects.create(
        patient=user.patient_profile,
        procedure=procedure,
        practitioner=practitioner,
        room=room,
        start=start,
        end=end,
        room_free_at=end + dt.timedelta(minutes=procedure.buffer_minutes),
        buffer_minutes=procedure.buffer_minutes,
        status=status,
        procedure_name_en=procedure.name_en or procedure.name,
        price=procedure.price_from,
        booked_minutes=procedure.booked_minutes,
        screening_outcome="ok",
        screening_flags=[],
        channel=Appointment.Channel.DESK,
        created_by=user,
    )


def give_done_session(
    user: User, slug: str = "consultation", *, days_ago: int = 30, on: dt.date | None = None
) -> Appointment:
    """A completed session of `slug` for the patient (by default a consultation a month ago).

    The procedures that need a consultation first (rules-v2.md section 3) are booked
    after one; it holds no time any more, so it never meets a slot of the test.
    """
    day = on or timezone.localdate() - dt.timedelta(days=days_ago)
    start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=timezone.get_current_timezone())
    return give_session(user, slug, start=start, status=Appointment.Status.COMPLETED)
