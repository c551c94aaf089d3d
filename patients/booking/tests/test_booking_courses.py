"""Course windows at the door (13 vs 14 days, 21 vs 22, 181 vs 182), booked sessions
counting as history, whole-course booking (all or none), and restarting a course."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

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
    propose_course_slots,
)
from patients.models import Appointment, TreatmentCourse
from patients.records.selectors import procedure_history
from patients.tests.booking_fixtures import WEDNESDAY, Clinic, at, ready
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
    ready(patient, "filler")
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
    ready(patient, "resurfacing")
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


def test_book_course_at_each_window_opening_same_time(clinic_setup: Clinic, patient: User) -> None:
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
        at(WEDNESDAY + dt.timedelta(days=14), 10),
        at(WEDNESDAY + dt.timedelta(days=28), 10),
    ]
    assert [a.session_number for a in appointments] == [1, 2, 3]
    assert {a.status for a in appointments} == {S.CONFIRMED}
    assert all(a.status_changes.count() == 1 for a in appointments)


def test_book_course_takes_the_nearest_free_slot_in_the_window(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    ClosureFactory(starts_on=WEDNESDAY + dt.timedelta(days=14), reason="Clinic holiday")
    proposals = propose_course_slots(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure("glycolic-peel"),
        first_start=at(WEDNESDAY, 10),
        sessions=3,
    )
    starts = [p.slot.start for p in proposals if p.slot]
    # Session 2's window opens on the closed day: the nearest free slot is the morning after
    # at 09:00 (closer to 10:00 on the closed day than 10:00 the next day is).
    assert starts[1] == at(WEDNESDAY + dt.timedelta(days=15), 9)
    # Session 3 counts from the day session 2 actually takes place.
    assert starts[2] == at(WEDNESDAY + dt.timedelta(days=29), 10)
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
        at(LAST_PEEL + dt.timedelta(days=28), 10),
    ]
    assert [p.screening.outcome for p in proposals] == ["ok", "ok"]
