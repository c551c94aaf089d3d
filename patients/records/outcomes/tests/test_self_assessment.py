"""The self-assessment: asked through the outbox a week after a completed session, in the
patient's language, answered once from a signed link without a login."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.availability import local_date
from clinic.models import User
from patients.booking.services import cancel_appointment, check_in, complete_appointment
from patients.messaging import links
from patients.messaging.outbox import deliver_message
from patients.messaging.render import render, sms_text
from patients.models import Appointment, OutboxMessage, SelfAssessment, TreatmentCourse
from patients.records.outcomes import self_assessment as service
from patients.tests.booking_fixtures import NOW, Clinic, at, ready
from patients.tests.workspace_helpers import book

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
Occasion = SelfAssessment.Occasion
TODAY = NOW.date()


def completed_peel(user: User, clinic: Clinic, desk: User, *, hour: int = 10) -> Appointment:
    """A glycolic peel today, checked in and completed at the desk."""
    ready(user, "peel")
    appointment = book(user, clinic, at(TODAY, hour))
    check_in(appointment=appointment, by=desk, nothing_changed=True)
    return complete_appointment(appointment=appointment, by=desk)


def asked(appointment: Appointment, channel: str = OutboxMessage.Channel.EMAIL) -> OutboxMessage:
    return OutboxMessage.objects.get(
        kind=Kind.SELF_ASSESSMENT, appointment=appointment, channel=channel
    )


def link_of(appointment: Appointment, occasion: str = Occasion.SESSION) -> str:
    return reverse(
        "patients:self-assessment",
        args=[links.self_assessment_token(appointment, occasion=occasion)],
    )


# --- asked through the outbox -----------------------------------------------------------


def test_asked_a_week_after_the_session_at_ten(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    session = completed_peel(patient, clinic_setup, receptionist)
    message = asked(session)
    assert message.due_at == at(TODAY + dt.timedelta(days=7), 10)
    # After the visit its start does not make it late; the link's last day does.
    assert message.send_by == at(last_day(session) + dt.timedelta(days=1), 0)
    assert message.context == {"occasion": Occasion.SESSION}
    rendered = render(message)
    assert rendered is not None
    assert rendered.template == "self_assessment"
    assert rendered.context["assessment_url"].endswith(link_of(session))
    assert rendered.context["course_end"] is False


def test_the_delay_is_a_setting(
    pinned_now: dt.datetime,
    clinic_setup: Clinic,
    patient: User,
    receptionist: User,
    settings: Any,
) -> None:
    settings.SELF_ASSESSMENT_AFTER_DAYS = 10
    session = completed_peel(patient, clinic_setup, receptionist)
    assert asked(session).due_at == at(TODAY + dt.timedelta(days=10), 10)


def test_the_session_that_ends_a_course_asks_about_the_course(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    peel = clinic_setup.procedure("glycolic-peel")
    assert peel.sessions_max is not None
    TreatmentCourse.objects.create(
        patient=patient.patient_profile,
        procedure=peel,
        started_on=TODAY - dt.timedelta(days=60),
        sessions_done=peel.sessions_max - 1,
        last_session_on=TODAY - dt.timedelta(days=15),
    )
    session = completed_peel(patient, clinic_setup, receptionist)
    assert session.course is not None
    assert session.course.status == TreatmentCourse.Status.COMPLETED
    message = asked(session)
    assert message.context == {"occasion": Occasion.COURSE_END}
    rendered = render(message)
    assert rendered is not None
    assert rendered.context["course_end"] is True
    assert rendered.context["assessment_url"].endswith(link_of(session, Occasion.COURSE_END))


def test_not_asked_after_a_consultation_nor_for_a_cancelled_session(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    ready(patient, "peel")
    consultation = book(patient, clinic_setup, at(TODAY, 10), slug="consultation")
    check_in(appointment=consultation, by=receptionist, nothing_changed=True)
    complete_appointment(appointment=consultation, by=receptionist)
    cancelled = book(patient, clinic_setup, at(TODAY + dt.timedelta(days=20), 10))
    cancel_appointment(appointment=cancelled, by=receptionist, reason="ill")
    assert not OutboxMessage.objects.filter(kind=Kind.SELF_ASSESSMENT).exists()


def test_nothing_is_sent_for_a_session_that_is_no_longer_completed_or_already_answered(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    session = completed_peel(patient, clinic_setup, receptionist)
    message = asked(session)
    Appointment.objects.filter(pk=session.pk).update(status=Appointment.Status.CANCELLED)
    assert render(message) is None
    Appointment.objects.filter(pk=session.pk).update(status=Appointment.Status.COMPLETED)
    SelfAssessment.objects.create(
        patient=patient.patient_profile,
        appointment=session,
        occasion=Occasion.SESSION,
        bother=5,
        satisfaction=5,
    )
    assert render(message) is None


def test_sent_in_the_patients_language_by_email_and_sms(
    pinned_now: dt.datetime,
    clinic_setup: Clinic,
    patient: User,
    receptionist: User,
    settings: Any,
) -> None:
    patient.preferred_language = "ru"
    patient.save(update_fields=["preferred_language"])
    profile = patient.patient_profile
    profile.care_by_sms = True
    profile.save(update_fields=["care_by_sms"])
    session = completed_peel(patient, clinic_setup, receptionist)
    email = asked(session)
    assert deliver_message(message_id=email.pk) == "sent"
    sent = mail.outbox[-1]
    assert sent.subject == "Как вы оцениваете результат?"
    assert link_of(session) in sent.body
    assert "пилинг" in sent.body.lower()  # the procedure's Russian name
    sms = asked(session, OutboxMessage.Channel.SMS)
    rendered = render(sms)
    assert rendered is not None
    text = sms_text(sms, rendered)
    assert link_of(session) in text
    assert "пилинг" not in text.lower()  # a text names no procedure
    assert "оцениваете" in text


# --- the one-time link ------------------------------------------------------------------


def test_the_link_is_answered_once_without_a_login(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    session = completed_peel(patient, clinic_setup, receptionist)
    client = Client()
    url = link_of(session)
    page = client.get(url)
    assert page.status_code == 200
    assert "How much do your scars bother you now?" in page.content.decode()
    assert 'class="self-assessment"' in page.content.decode()
    assert not SelfAssessment.objects.exists()  # a GET (a mail scanner) answers nothing
    done = client.post(url, {"bother": "3", "satisfaction": "8"})
    assert done.status_code == 200
    assert "your answers are recorded" in done.content.decode()
    answer = SelfAssessment.objects.get()
    assert (answer.patient, answer.appointment, answer.course) == (
        patient.patient_profile,
        session,
        session.course,
    )
    assert (answer.occasion, answer.bother, answer.satisfaction) == (Occasion.SESSION, 3, 8)
    assert answer.answered_at == NOW
    # Used: the link now says so, and a second answer changes nothing.
    again = client.get(url)
    assert again.status_code == 200
    assert "already answered" in again.content.decode()
    assert 'class="self-assessment"' not in again.content.decode()  # no questions any more
    second = client.post(url, {"bother": "9", "satisfaction": "0"})
    assert "already answered" in second.content.decode()
    assert SelfAssessment.objects.get().bother == 3


def test_a_race_of_two_taps_records_one_answer(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    session = completed_peel(patient, clinic_setup, receptionist)
    token = links.self_assessment_token(session, occasion="session")
    first = service.assessment_for_token(token, now=NOW)
    second = service.assessment_for_token(token, now=NOW)
    service.record_self_assessment(request=first, bother=1, satisfaction=9, now=NOW)
    with pytest.raises(service.AlreadyAnswered):
        service.record_self_assessment(request=second, bother=2, satisfaction=2, now=NOW)
    assert SelfAssessment.objects.count() == 1


def last_day(session: Appointment, days: int = 60) -> dt.date:
    """The last day the session's link works: `days` after the session's (local) end."""
    return local_date(session.end) + dt.timedelta(days=days)


def test_the_link_works_until_the_end_of_its_last_day(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    session = completed_peel(patient, clinic_setup, receptionist)
    url = link_of(session)
    with time_machine.travel(at(last_day(session), 23, 59), tick=False):
        page = Client().get(url).content.decode()
        assert 'class="self-assessment"' in page
        done = Client().post(url, {"bother": "4", "satisfaction": "6"})
    assert "your answers are recorded" in done.content.decode()
    assert SelfAssessment.objects.get().bother == 4


def test_the_day_after_the_link_says_it_has_expired_and_records_nothing(
    pinned_now: dt.datetime,
    clinic_setup: Clinic,
    patient: User,
    receptionist: User,
    settings: Any,
) -> None:
    settings.CLINIC_PHONE = "+7 495 765-43-21"
    session = completed_peel(patient, clinic_setup, receptionist)
    url = link_of(session)
    with time_machine.travel(at(last_day(session) + dt.timedelta(days=1), 0), tick=False):
        page = Client().get(url)
        posted = Client().post(url, {"bother": "4", "satisfaction": "6"})
    for response in (page, posted):
        assert response.status_code == 200
        content = response.content.decode()
        assert "This link has expired" in content
        assert "+7 495 765-43-21" in content  # how to reach the clinic
        assert f'href="{reverse("patients:progress")}"' in content  # where to sign in
        assert 'class="self-assessment"' not in content  # no questions
    assert not SelfAssessment.objects.exists()


def test_an_answered_link_still_says_so_after_its_last_day(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    session = completed_peel(patient, clinic_setup, receptionist)
    Client().post(link_of(session), {"bother": "3", "satisfaction": "8"})
    with time_machine.travel(at(last_day(session) + dt.timedelta(days=1), 12), tick=False):
        page = Client().get(link_of(session)).content.decode()
    assert "already answered" in page


def test_a_message_found_after_its_links_last_day_expires_unsent(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    session = completed_peel(patient, clinic_setup, receptionist)
    message = asked(session)
    mail.outbox.clear()
    with time_machine.travel(at(last_day(session), 23, 59), tick=False):
        assert message.send_by > timezone.now()  # still good on its last day
    with time_machine.travel(at(last_day(session) + dt.timedelta(days=1), 0), tick=False):
        assert deliver_message(message_id=message.pk) == "expired"
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.EXPIRED
    assert mail.outbox == []


def test_the_links_days_are_a_setting(
    pinned_now: dt.datetime,
    clinic_setup: Clinic,
    patient: User,
    receptionist: User,
    settings: Any,
) -> None:
    settings.SELF_ASSESSMENT_LINK_DAYS = 10
    session = completed_peel(patient, clinic_setup, receptionist)
    token = links.self_assessment_token(session, occasion=Occasion.SESSION)
    last = last_day(session, days=10)
    assert not service.assessment_for_token(token, now=at(last, 23, 59)).expired
    assert service.assessment_for_token(token, now=at(last + dt.timedelta(days=1), 0)).expired
    with time_machine.travel(at(last + dt.timedelta(days=1), 0), tick=False):
        page = Client().get(link_of(session)).content.decode()
    assert "This link has expired" in page


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "1.s",  # unsigned
        "1.s:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  # a made-up signature
    ],
)
def test_a_wrong_token_is_404(
    pinned_now: dt.datetime,
    clinic_setup: Clinic,
    patient: User,
    receptionist: User,
    token: str,
) -> None:
    completed_peel(patient, clinic_setup, receptionist)
    response = Client().get(reverse("patients:self-assessment", args=[token]))
    assert response.status_code == 404


def test_a_link_of_another_kind_or_for_a_session_not_completed_is_404(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    session = completed_peel(patient, clinic_setup, receptionist)
    client = Client()
    # The pre-care acknowledgement's token is signed with another salt.
    care = reverse("patients:self-assessment", args=[links.care_token(session)])
    assert client.get(care).status_code == 404
    later = book(patient, clinic_setup, at(TODAY + dt.timedelta(days=20), 10))
    assert client.get(link_of(later)).status_code == 404  # not completed (yet)
    assert client.post(link_of(later), {"bother": 1, "satisfaction": 1}).status_code == 404
    assert not SelfAssessment.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"satisfaction": "5"}, "bother"),
        ({"bother": "11", "satisfaction": "5"}, "bother"),
        ({"bother": "5", "satisfaction": "-1"}, "satisfaction"),
        ({"bother": "five", "satisfaction": "5"}, "bother"),
    ],
)
def test_a_bad_rating_is_a_form_error_naming_the_question(
    pinned_now: dt.datetime,
    clinic_setup: Clinic,
    patient: User,
    receptionist: User,
    data: dict[str, str],
    field: str,
) -> None:
    session = completed_peel(patient, clinic_setup, receptionist)
    response = Client().post(link_of(session), data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.content.decode()
    assert not SelfAssessment.objects.exists()


def test_the_page_speaks_the_patients_language(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    patient.preferred_language = "ru"
    patient.save(update_fields=["preferred_language"])
    session = completed_peel(patient, clinic_setup, receptionist)
    page = Client().get(link_of(session)).content.decode()
    assert "Насколько вас сейчас беспокоят рубцы?" in page
    assert "1 июня 2026" in page  # the session's day, in Russian
    assert "г.." not in page  # noqa: RUF001 (the Russian date ends the sentence)
    done = Client().post(link_of(session), {"bother": "2", "satisfaction": "7"})
    assert "ответы сохранены" in done.content.decode()


def test_the_expired_page_speaks_the_patients_language(
    pinned_now: dt.datetime, clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    patient.preferred_language = "ru"
    patient.save(update_fields=["preferred_language"])
    session = completed_peel(patient, clinic_setup, receptionist)
    with time_machine.travel(at(last_day(session) + dt.timedelta(days=1), 9), tick=False):
        page = Client().get(link_of(session)).content.decode()
    assert "Срок действия этой ссылки истёк" in page
    assert "Позвоните нам" in page
    assert "Мой прогресс" in page
