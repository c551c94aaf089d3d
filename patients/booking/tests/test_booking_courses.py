"""Course windows at the door (13 vs 14 days, 21 vs 22, 181 vs 182), booked sessions
counting as history, whole-course booking (all or none), and restarting a course."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.models import User
from clinic.tests.factories import ClosureFactory
from patients.booking.services import (
    BookingError,
    ScreeningBlocked,
    approve_booking_review,
    book_appointment,
    book_course,
    check_in,
    complete_appointment,
    move_with_later_sessions,
    propose_course_slots,
)
from patients.models import Appointment, TreatmentCourse
from patients.records.selectors import procedure_history
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
from patients.tests.factories import give_session
from procedures.errors import DomainError
from procedures.models import Procedure

pytestmark = pytest.mark.django_db

S = Appointment.Status
LAST_PEEL = dt.date(2026, 5, 20)


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow."""


def course(
    user: User, slug: str, *, done: int, last: dt.date, status: str = "active"
) -> TreatmentCourse:
    return TreatmentCourse.objects.create(
        patient=user.patient_profile,
        procedure=Procedure.objects.get(slug=slug),
        started_on=last - dt.timedelta(days=14 * (done - 1)),
        sessions_done=done,
        last_session_on=last,
        status=status,
    )


def book(user: User, clinic: Clinic, start: dt.datetime, slug: str = "glycolic-peel", **kw):
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure(slug),
        start=start,
        practitioner=kw.pop("practitioner", None),
        booked_by=kw.pop("booked_by", user),
        channel=kw.pop("channel", Appointment.Channel.WEB),
    )


# --- the window at the door -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_after", "outcome", "codes"),
    [
        (13, "blocked", ("REPEAT_TOO_SOON",)),
        (14, S.CONFIRMED, ()),
        (21, S.CONFIRMED, ()),
        (22, S.PENDING_REVIEW, ("COURSE_GAP_EXCEEDED",)),
    ],
)
def test_peel_session_window_boundaries(
    clinic_setup: Clinic,
    patient: User,
    receptionist: User,
    days_after: int,
    outcome: str,
    codes: tuple[str, ...],
) -> None:
    ready(patient, "peel")
    course(patient, "glycolic-peel", done=1, last=LAST_PEEL)
    start = at(LAST_PEEL + dt.timedelta(days=days_after), 10)
    if outcome == "blocked":
        for booked_by in (patient, receptionist):
            with pytest.raises(ScreeningBlocked) as caught:
                book(patient, clinic_setup, start, booked_by=booked_by)
            assert caught.value.blocking == codes
            assert caught.value.earliest_date == LAST_PEEL + dt.timedelta(days=14)
        return
    appointment = book(patient, clinic_setup, start)
    assert appointment.status == outcome
    assert tuple(appointment.screening_flags) == codes
    assert appointment.session_number == 2


@pytest.mark.parametrize(("days_after", "blocked"), [(181, True), (182, False)])
def test_hyaluronic_filler_waits_182_days(
    clinic_setup: Clinic, patient: User, days_after: int, blocked: bool
) -> None:
    ready(patient, "filler", consulted=True)
    last = WEDNESDAY - dt.timedelta(days=182)
    course(patient, "hyaluronic-filler", done=1, last=last)
    start = at(last + dt.timedelta(days=days_after), 10)
    if blocked:
        with pytest.raises(ScreeningBlocked) as caught:
            book(patient, clinic_setup, start, slug="hyaluronic-filler")
        assert caught.value.blocking == ("REPEAT_TOO_SOON",)
        assert caught.value.earliest_date == last + dt.timedelta(days=182)
    else:
        appointment = book(patient, clinic_setup, start, slug="hyaluronic-filler")
        assert appointment.status == S.CONFIRMED  # repeatable: no course limit either


def test_a_booked_session_counts_as_history(
    clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    """Two peels a week apart are refused even before the first one took place."""
    ready(patient, "peel")
    first = book(patient, clinic_setup, at(WEDNESDAY, 10))
    with pytest.raises(ScreeningBlocked) as caught:
        book(
            patient, clinic_setup, at(WEDNESDAY + dt.timedelta(days=7), 10), booked_by=receptionist
        )
    assert caught.value.blocking == ("REPEAT_TOO_SOON",)
    assert caught.value.earliest_date == WEDNESDAY + dt.timedelta(days=14)
    second = book(patient, clinic_setup, at(WEDNESDAY + dt.timedelta(days=14), 10))
    assert (first.session_number, second.session_number) == (1, 2)


def test_course_limit_needs_review_and_approval_starts_a_new_course(
    clinic_setup: Clinic, patient: User, practitioner: User, receptionist: User
) -> None:
    """Dermabrasion is a course of one: a second one needs a practitioner's review."""
    ready(patient, "resurfacing", consulted=True)
    old = course(patient, "dermabrasion", done=1, last=dt.date(2025, 9, 1), status="completed")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10), slug="dermabrasion")
    assert appointment.status == S.PENDING_REVIEW
    assert appointment.screening_flags == ["COURSE_LIMIT_REACHED"]

    approve_booking_review(appointment=appointment, by=practitioner)
    appointment.refresh_from_db()
    new = appointment.course
    assert new is not None
    assert new != old
    assert (new.status, new.sessions_done, appointment.session_number) == ("active", 0, 1)
    with time_machine.travel(at(WEDNESDAY, 9, 55), tick=False):
        check_in(appointment=appointment, by=receptionist, nothing_changed=True)
        complete_appointment(appointment=appointment, by=practitioner)
    new.refresh_from_db()
    assert (new.status, new.sessions_done, new.last_session_on) == ("completed", 1, WEDNESDAY)
    assert procedure_history(patient.patient_profile)["dermabrasion"] == (WEDNESDAY, 1)


def test_gap_exceeded_approval_lapses_the_old_course(
    clinic_setup: Clinic, patient: User, practitioner: User
) -> None:
    ready(patient, "peel")
    old = course(patient, "glycolic-peel", done=2, last=dt.date(2026, 5, 1))
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    assert appointment.screening_flags == ["COURSE_GAP_EXCEEDED"]
    assert appointment.session_number == 3  # until a practitioner decides otherwise

    approve_booking_review(appointment=appointment, by=practitioner, note="Starting over.")
    old.refresh_from_db()
    appointment.refresh_from_db()
    assert old.status == "lapsed"
    assert appointment.course is not None
    assert appointment.course.status == "active"
    assert appointment.session_number == 1
    # The lapsed course no longer feeds screening: the history is the new course.
    assert procedure_history(patient.patient_profile)["glycolic-peel"] == (None, 0)


# --- whole courses ---------------------------------------------------------------------------


def test_book_course_aims_at_each_windows_middle_same_time(
    clinic_setup: Clinic, patient: User
) -> None:
    """Peels 14 to 21 days apart: each session 17 days after the one before, room either way."""
    ready(patient, "peel")
    appointments = book_course(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure("glycolic-peel"),
        first_start=at(WEDNESDAY, 10),
        sessions=3,
        booked_by=patient,
        channel=Appointment.Channel.COURSE,
    )
    assert [a.start for a in appointments] == [
        at(WEDNESDAY, 10),
        at(WEDNESDAY + dt.timedelta(days=17), 10),
        at(WEDNESDAY + dt.timedelta(days=34), 10),
    ]
    assert [a.session_number for a in appointments] == [1, 2, 3]
    assert {a.status for a in appointments} == {S.CONFIRMED}
    assert all(a.status_changes.count() == 1 for a in appointments)


def test_book_course_takes_the_nearest_free_slot_in_the_window(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    ClosureFactory(starts_on=WEDNESDAY + dt.timedelta(days=17), reason="Clinic holiday")
    proposals = propose_course_slots(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure("glycolic-peel"),
        first_start=at(WEDNESDAY, 10),
        sessions=3,
    )
    starts = [p.slot.start for p in proposals if p.slot]
    # Session 2 aims at the closed day: the nearest day with the same time free is the day
    # before (the nearest day first, then the nearest time of day, then the earlier).
    assert starts[1] == at(WEDNESDAY + dt.timedelta(days=16), 10)
    # Session 3 counts from the day session 2 actually takes place.
    assert starts[2] == at(WEDNESDAY + dt.timedelta(days=33), 10)
    assert [p.session_number for p in proposals] == [1, 2, 3]
    assert all(p.bookable for p in proposals)
    assert not Appointment.objects.exists()  # proposing books nothing


def test_book_course_is_all_or_none(clinic_setup: Clinic, patient: User) -> None:
    """Eight peels 14 days apart reach past the 90-day horizon: nothing is booked."""
    ready(patient, "peel")
    with pytest.raises(BookingError) as caught:
        book_course(
            patient=patient.patient_profile,
            procedure=clinic_setup.procedure("glycolic-peel"),
            first_start=at(WEDNESDAY, 10),
            sessions=8,
            booked_by=patient,
            channel=Appointment.Channel.COURSE,
        )
    assert caught.value.code == "course_not_bookable"
    assert caught.value.field == "sessions"
    assert "8" in str(caught.value)
    assert not Appointment.objects.exists()


def test_blocked_patient_cannot_book_a_course(
    clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    ready(patient, "peel", rosacea=True)
    for booked_by, channel in ((patient, "course"), (receptionist, "desk")):
        with pytest.raises(ScreeningBlocked) as caught:
            book_course(
                patient=patient.patient_profile,
                procedure=clinic_setup.procedure("glycolic-peel"),
                first_start=at(WEDNESDAY, 10),
                sessions=3,
                booked_by=booked_by,
                channel=channel,
            )
        assert caught.value.blocking == ("ROSACEA",)
        assert caught.value.payload()["session"] == 1
    assert not Appointment.objects.exists()


def test_course_continues_the_current_window(clinic_setup: Clinic, patient: User) -> None:
    """With one peel done on 20 May, a course asked from 2 June starts when its window opens."""
    ready(patient, "peel")
    course(patient, "glycolic-peel", done=1, last=LAST_PEEL)
    proposals = propose_course_slots(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure("glycolic-peel"),
        first_start=at(dt.date(2026, 6, 2), 10),  # 13 days after: too soon
        sessions=2,
    )
    assert [p.session_number for p in proposals] == [2, 3]
    assert [p.slot.start for p in proposals if p.slot] == [
        at(LAST_PEEL + dt.timedelta(days=14), 10),
        at(LAST_PEEL + dt.timedelta(days=14 + 17), 10),  # the next window's middle
    ]
    assert [p.screening.outcome for p in proposals] == ["ok", "ok"]


def test_book_course_passes_over_the_days_another_session_blocks(
    clinic_setup: Clinic, patient: User
) -> None:
    """A TCA CROSS on 19 June blocks peels until 2 July (focal -> superficial, 14 days):
    session 2, aimed at 20 June (window 17-24 June), goes to the nearest day it may,
    the 18th (a review: superficial -> focal, 14 days, relative)."""
    ready(patient, "peel")
    give_session(patient, "tca-cross", start=at(dt.date(2026, 6, 19), 9))
    proposals = propose_course_slots(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure("glycolic-peel"),
        first_start=at(WEDNESDAY, 10),
        sessions=2,
    )
    assert proposals[1].slot is not None
    assert proposals[1].slot.start == at(dt.date(2026, 6, 18), 10)
    assert proposals[1].screening.flags == ("WASHOUT_REVIEW",)
    assert all(p.bookable for p in proposals)


# --- moving a session with the ones after it -------------------------------------------------


def _course_of_three(clinic: Clinic, patient: User) -> list[Appointment]:
    ready(patient, "peel")
    return book_course(
        patient=patient.patient_profile,
        procedure=clinic.procedure("glycolic-peel"),
        first_start=at(WEDNESDAY, 10),
        sessions=3,
        practitioner=clinic.derm,
        booked_by=patient,
        channel=Appointment.Channel.COURSE,
    )


@pytest.mark.parametrize("days", [6, -1])
def test_a_session_moves_with_the_following_ones_by_the_same_days(
    clinic_setup: Clinic, patient: User, days: int
) -> None:
    """Peels 14-21 days apart, booked 17 apart: moving session 1 by 6 days alone would leave
    session 2 too close (11 days); carried together every gap stays 17 days."""
    sessions = _course_of_three(clinic_setup, patient)
    starts = [s.start for s in sessions]

    moved = move_with_later_sessions(
        appointment=sessions[0], start=starts[0] + dt.timedelta(days=days), by=patient
    )

    assert [m.pk for m in moved] == [s.pk for s in sessions]
    for session, start in zip(sessions, starts, strict=True):
        session.refresh_from_db()
        assert session.start == start + dt.timedelta(days=days)
        assert session.status == S.CONFIRMED
        assert session.version == 1
    assert Appointment.objects.filter(patient=patient.patient_profile).count() == 3


def test_a_carried_move_asks_the_patient_to_confirm_the_new_times(
    clinic_setup: Clinic, patient: User
) -> None:
    """The patient confirmed the old times (the reminder's one tap), not the new ones."""
    sessions = _course_of_three(clinic_setup, patient)
    Appointment.objects.filter(pk__in=[s.pk for s in sessions]).update(
        confirmed_by_patient_at=sessions[0].created_at, confirmed_by_patient_via="sms"
    )

    move_with_later_sessions(
        appointment=sessions[0], start=sessions[0].start + dt.timedelta(days=2), by=patient
    )

    for session in Appointment.objects.filter(pk__in=[s.pk for s in sessions]):
        assert (session.confirmed_by_patient_at, session.confirmed_by_patient_via) == (None, None)


def test_a_carried_move_is_all_or_none(clinic_setup: Clinic, patient: User) -> None:
    """The third session's new day is closed: nothing moves, and the refusal names it."""
    sessions = _course_of_three(clinic_setup, patient)
    starts = [s.start for s in sessions]
    ClosureFactory(starts_on=starts[2].date() + dt.timedelta(days=6), reason="Clinic holiday")

    with pytest.raises(DomainError) as caught:
        move_with_later_sessions(
            appointment=sessions[0], start=starts[0] + dt.timedelta(days=6), by=patient
        )
    assert caught.value.session_number == 3
    assert str(caught.value).startswith("Session 3:")
    for session, start in zip(sessions, starts, strict=True):
        session.refresh_from_db()
        assert (session.start, session.version) == (start, 0)


def test_a_carried_session_is_screened_where_it_lands(clinic_setup: Clinic, patient: User) -> None:
    """A TCA CROSS booked where session 2 would land: its washout refuses the whole move."""
    sessions = _course_of_three(clinic_setup, patient)
    starts = [s.start for s in sessions]
    landing = starts[1] + dt.timedelta(days=3)
    give_session(patient, "tca-cross", start=landing - dt.timedelta(days=2, hours=1))

    with pytest.raises(ScreeningBlocked) as caught:
        move_with_later_sessions(
            appointment=sessions[0], start=starts[0] + dt.timedelta(days=3), by=patient
        )
    assert caught.value.blocking == ("WASHOUT",)
    assert caught.value.session_number == 2
    assert [s.start for s in Appointment.objects.filter(procedure__slug="glycolic-peel")] == starts


def test_the_move_page_offers_to_carry_the_following_sessions(
    client: Client, clinic_setup: Clinic, patient: User
) -> None:
    sessions = _course_of_three(clinic_setup, patient)
    client.force_login(patient)
    new_start = sessions[0].start + dt.timedelta(days=5)
    url = reverse("patients:appointment-move", args=[sessions[0].pk])
    query = urlencode({"start": new_start.isoformat(), "practitioner": clinic_setup.derm.pk})

    page = client.get(f"{url}?{query}")
    assert page.context["later_sessions"] == 2
    assert "Move the 2 following sessions by the same number of days too" in (page.content.decode())
    # Session 2 would come 12 days after session 1: alone, the move is refused.
    alone = client.post(f"{url}?{query}")
    assert alone.status_code == 422
    carried = client.post(f"{url}?{query}", {"with_later": "1"})
    assert carried.status_code == 302
    starts = [s.start for s in sessions]
    for session, start in zip(sessions, starts, strict=True):
        session.refresh_from_db()
        assert session.start == start + dt.timedelta(days=5)


def test_the_api_moves_a_session_with_the_following_ones(
    clinic_setup: Clinic, patient: User
) -> None:
    sessions = _course_of_three(clinic_setup, patient)
    token, _created = Token.objects.get_or_create(user=patient)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = f"/api/v1/appointments/{sessions[0].pk}/move/"
    new_start = (sessions[0].start + dt.timedelta(days=5)).isoformat()

    alone = client.post(url, {"start": new_start}, format="json")
    assert (alone.status_code, alone.json()["code"]) == (422, "too_close_to_next_session")
    carried = client.post(url, {"start": new_start, "with_later": True}, format="json")
    assert carried.status_code == 200, carried.json()
    starts = [s.start for s in sessions]
    for session, start in zip(sessions, starts, strict=True):
        session.refresh_from_db()
        assert session.start == start + dt.timedelta(days=5)
