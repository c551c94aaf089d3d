"""Screening that lives, in a real browser (rules-v2.md section 6).

A patient books a laser resurfacing course, then reports isotretinoin in the
questionnaire (stopped less than six months before the session): the appointment is
"waiting for a practitioner". The practitioner cannot approve it (an absolute code)
and declines; the patient sees the earliest safe date and books it.

The clock is not pinned (the browser keeps its own clock for cookies); the test clinic
is open every day, so the days ahead always have free times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils.formats import date_format

from clinic.availability import Policy
from clinic.models import User
from clinic.tests.browser import sign_in
from patients.models import Appointment
from patients.tests.booking_fixtures import Clinic, at, sign
from patients.tests.factories import give_baseline_intake, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Appointment.Status


def _consultation_done(patient: User, clinic: Clinic, day: dt.date) -> None:
    """A consultation a month ago (laser resurfacing asks for one before it)."""
    consultation = clinic.procedure("consultation")
    start = at(day, 10)
    Appointment.from_catalogue(
        procedure=consultation,
        start=start,
        end=start + dt.timedelta(minutes=consultation.booked_minutes),
        patient=patient.patient_profile,
        practitioner=clinic.derm,
        room=clinic.rooms["consult"],
        status=S.COMPLETED,
        screening_outcome="ok",
        channel=Appointment.Channel.DESK,
        created_by=patient,
    ).save()


def test_a_booked_laser_course_goes_back_to_review_is_declined_and_rebooked_safely(
    page: Any,
    open_page: Callable[..., Any],
    live_server: Any,
    clinic_setup: Clinic,
    practitioner: User,
) -> None:
    today = dt.datetime.now(Policy.from_settings().zone).date()
    day = today + dt.timedelta(days=2)
    stopped = today - dt.timedelta(days=176)  # 178 days before the session: under 182
    earliest = stopped + dt.timedelta(days=182)
    patient = make_patient(email="lena@example.test", first_name="Lena", last_name="Lind")
    give_baseline_intake(patient)
    sign(patient, "laser")
    _consultation_done(patient, clinic_setup, today - dt.timedelta(days=30))

    # The patient books the course from a free time of the day after tomorrow.
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}/book/laser-resurfacing/?date={day.isoformat()}&days=1")
    page.locator("a.slot").first.click()
    page.get_by_role("heading", name="Confirm your booking").wait_for()
    page.get_by_role("link", name="Book the whole course from this time").click()
    page.get_by_role("button", name="Book 1 session").click()
    page.get_by_text("Your course is booked").wait_for()
    booked = Appointment.objects.get(
        patient=patient.patient_profile, procedure__slug="laser-resurfacing"
    )
    assert booked.status == S.CONFIRMED
    assert booked.channel == Appointment.Channel.COURSE

    # Then she reports isotretinoin in the questionnaire.
    page.goto(f"{live_server.url}/me/intake/")
    page.locator('input[name="isotretinoin"][value="stopped"]').check()
    page.locator('input[name="isotretinoin_stopped_on"]').fill(stopped.isoformat())
    page.get_by_role("button", name="Save my answers").click()
    page.get_by_role("heading", name="Treatments for me").wait_for()
    page.goto(f"{live_server.url}/me/appointments/{booked.pk}/")
    page.get_by_text("Waiting for a practitioner").first.wait_for()
    booked.refresh_from_db()
    assert booked.status == S.PENDING_REVIEW

    # The practitioner cannot approve it, and declines.
    staff = open_page()
    sign_in(staff, live_server, practitioner)
    staff.goto(f"{live_server.url}/admin/workspace/reviews/")
    row = staff.locator("table.review-queue tr", has_text="Lena Lind")
    assert "ISOTRETINOIN_LT6M" in row.inner_text()
    row.get_by_role("link", name="Lena Lind").click()
    staff.get_by_text("Approval is not possible now.").wait_for()
    assert staff.locator('input[name="decision"][value="approve"]').is_disabled()
    staff.locator('input[name="decision"][value="decline"]').check()
    staff.locator('textarea[name="note"]').fill(
        "Isotretinoin was stopped less than six months before this date."
    )
    staff.get_by_role("button", name="Record the decision").click()
    staff.get_by_text("Declined; the patient is told why.").wait_for()
    booked.refresh_from_db()
    assert booked.status == S.DECLINED

    # The patient sees the earliest safe date and books it.
    page.goto(f"{live_server.url}/me/appointments/{booked.pk}/")
    shown = page.locator(".earliest-safe-date")
    expected = date_format(earliest, "DATE_FORMAT")
    assert f"The earliest safe date for this procedure: {expected}." in shown.inner_text()
    shown.get_by_role("link", name="Book from that date").click()
    page.wait_for_url(f"**date={earliest.isoformat()}**")
    page.locator("a.slot").first.click()
    page.get_by_role("heading", name="Confirm your booking").wait_for()
    page.get_by_role("button", name="Book this time").click()
    page.get_by_text("Your appointment is booked").wait_for()
    rebooked = Appointment.objects.exclude(pk=booked.pk).get(
        patient=patient.patient_profile, procedure__slug="laser-resurfacing"
    )
    assert rebooked.start.astimezone(Policy.from_settings().zone).date() == earliest
    assert rebooked.status == S.CONFIRMED
