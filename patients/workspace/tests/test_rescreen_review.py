"""What a re-screening shows staff and the patient (rules-v2.md section 6).

The review queue highlights the codes no practitioner approved and says "no flags
now" when they cleared; while an absolute code fires the approval is disabled with
the reason; a decline offers the patient the earliest safe date; a catalogue edit
re-screens in a background job whose progress the manager sees.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import User
from patients.booking.services import book_appointment
from patients.booking.services.rescreen_jobs import run_rescreen_job
from patients.messaging.outbox import deliver_message
from patients.models import Appointment, OutboxMessage, RescreenJob
from patients.tests.booking_fixtures import NOW, WEDNESDAY, Clinic, at, ready
from patients.tests.factories import give_baseline_intake

pytestmark = pytest.mark.django_db

S = Appointment.Status
TODAY = NOW.date()
TUESDAY = WEDNESDAY - dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow."""


def book(user: User, clinic: Clinic, start: dt.datetime) -> Appointment:
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure("glycolic-peel"),
        start=start,
        booked_by=user,
        channel=Appointment.Channel.WEB,
    )


@pytest.fixture
def clinician(client: Client, practitioner: User) -> Client:
    client.force_login(practitioner)
    return client


@pytest.fixture
def blocked(clinic_setup: Clinic, patient: User) -> Appointment:
    """Alice's confirmed peel on Tuesday, then a retinoid used today (absolute, 2 days)."""
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(TUESDAY, 10))
    give_baseline_intake(patient, topical_retinoid_last_used=TODAY)
    appointment.refresh_from_db()
    assert appointment.status == S.PENDING_REVIEW
    return appointment


def test_the_queue_highlights_the_new_codes(
    clinician: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    give_baseline_intake(
        patient, isotretinoin="stopped", isotretinoin_stopped_on=TODAY - dt.timedelta(days=30)
    )

    html = clinician.get(reverse("workspace:reviews")).content.decode()

    assert reverse("workspace:review", args=[appointment.pk]) in html
    assert '<li class="finding-new"><mark><code>ISOTRETINOIN_LT6M</code>' in html


def test_the_queue_says_no_flags_now_when_the_codes_cleared(
    clinician: Client, clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel", herpes_history=True)
    book(patient, clinic_setup, at(WEDNESDAY, 10))
    give_baseline_intake(patient)

    html = clinician.get(reverse("workspace:reviews")).content.decode()

    assert "No flags now." in html
    assert "HERPES_HISTORY" not in html


def test_approval_is_disabled_with_the_reason_while_an_absolute_code_fires(
    clinician: Client, blocked: Appointment
) -> None:
    url = reverse("workspace:review", args=[blocked.pk])

    html = clinician.get(url).content.decode()
    assert re.search(r'<input[^>]*value="approve"[^>]*\bdisabled\b', html)
    assert not re.search(r'<input[^>]*value="decline"[^>]*\bdisabled\b', html)
    assert "Approval is not possible now." in html
    assert "PRECARE_TOPICAL_RETINOID" in html
    assert "Earliest safe date: June 3, 2026" in html

    response = clinician.post(url, {"decision": "approve", "note": ""})
    assert response.status_code == 400
    blocked.refresh_from_db()
    assert blocked.status == S.PENDING_REVIEW


def test_a_decline_offers_the_patient_the_earliest_safe_date(
    clinician: Client,
    blocked: Appointment,
    patient: User,
    mailoutbox: list[Any],
) -> None:
    response = clinician.post(
        reverse("workspace:review", args=[blocked.pk]),
        {"decision": "decline", "note": "A retinoid was used too recently."},
    )
    assert response.status_code == 302
    blocked.refresh_from_db()
    assert blocked.status == S.DECLINED
    assert blocked.screening_earliest_on == dt.date(2026, 6, 3)
    decision = OutboxMessage.objects.get(
        appointment=blocked,
        kind=OutboxMessage.Kind.REVIEW_DECISION,
        channel=OutboxMessage.Channel.EMAIL,
    )
    assert deliver_message(message_id=decision.pk) == "sent"
    (email,) = mailoutbox
    book_url = reverse("patients:book-procedure", args=["glycolic-peel"]) + "?date=2026-06-03"
    assert "June 3, 2026" in email.body
    assert book_url in email.body

    page = Client()
    page.force_login(patient)
    html = page.get(reverse("patients:appointment", args=[blocked.pk])).content.decode()
    assert "The earliest safe date for this procedure: June 3, 2026." in html
    assert book_url.replace("&", "&amp;") in html


def test_the_patient_sees_the_appointment_waiting_for_a_practitioner(
    blocked: Appointment, patient: User, other_patient: User
) -> None:
    page = Client()
    page.force_login(patient)
    html = page.get(reverse("patients:appointment", args=[blocked.pk])).content.decode()
    assert "Waiting for a practitioner" in html
    # Somebody else's appointment is not there for them.
    page.force_login(other_patient)
    assert page.get(reverse("patients:appointment", args=[blocked.pk])).status_code == 404


def test_a_catalogue_edit_rescreens_in_a_job_with_progress_for_the_manager(
    clinic_setup: Clinic,
    patient: User,
    manager: User,
    practitioner: User,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(
        "patients.booking.services.rescreen_jobs.current_app.send_task",
        lambda name, args: sent.append((name, args)),
    )
    ready(patient, "peel")
    first = book(patient, clinic_setup, at(WEDNESDAY, 10))
    second = book(patient, clinic_setup, at(WEDNESDAY + dt.timedelta(days=21), 10))
    assert second.status == S.CONFIRMED  # 21 days: the peel's longest interval

    peel = clinic_setup.procedure("glycolic-peel")
    with django_capture_on_commit_callbacks(execute=True):
        peel.interval_max_days = 20
        peel.save()

    job = RescreenJob.objects.get()
    assert sent == [("patients.tasks.rescreen_appointments", [job.pk])]
    assert job.state == RescreenJob.State.QUEUED
    second.refresh_from_db()
    assert second.status == S.CONFIRMED  # the edit itself does not wait for the job

    job = run_rescreen_job(job_id=job.pk)

    assert (job.state, job.total, job.done, job.sent_to_review) == ("done", 2, 2, 1)
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, second.status) == (S.CONFIRMED, S.PENDING_REVIEW)
    assert second.screening_new_flags == ["COURSE_GAP_EXCEEDED"]
    row = second.status_changes.get(to_status=S.PENDING_REVIEW)
    assert "the procedure's screening rules changed" in row.reason

    admin = Client()
    admin.force_login(manager)
    html = admin.get(reverse("admin:patients_rescreenjob_changelist")).content.decode()
    assert "2 / 2" in html
    admin.force_login(practitioner)
    assert admin.get(reverse("admin:patients_rescreenjob_changelist")).status_code == 403
