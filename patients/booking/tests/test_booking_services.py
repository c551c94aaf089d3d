"""The booking services: screening at the door, the slot, who may do what, the lifecycle,
history rows, copies, the 24-hour rule and days that lose an hour."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import User
from clinic.tests.factories import ClosureFactory
from patients.booking.selectors import free_slots_for, patient_appointments, pending_reviews
from patients.booking.services import (
    ChangeTooLate,
    ConsentRequired,
    EmailNotVerified,
    Forbidden,
    IntakeRequired,
    MoveNeedsReview,
    PatientBusy,
    ScreeningBlocked,
    SlotTaken,
    SlotUnavailable,
    approve_booking_review,
    book_appointment,
    cancel_appointment,
    check_in,
    complete_appointment,
    decline_booking_review,
    mark_no_show,
    move_appointment,
    screen_for_booking,
)
from patients.models import Appointment, AppointmentStatusChange, TreatmentCourse
from patients.models.lifecycle import TransitionNotAllowed
from patients.tests.booking_fixtures import MSK, NOW, WEDNESDAY, Clinic, at, ready
from patients.tests.factories import give_baseline_intake, make_patient

pytestmark = pytest.mark.django_db

S = Appointment.Status


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Every test here runs on Monday 1 June 2026, 08:00 Moscow."""


def book(user: User, clinic: Clinic, start: dt.datetime, slug: str = "glycolic-peel", **kw):
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure(slug),
        start=start,
        practitioner=kw.pop("practitioner", None),
        booked_by=kw.pop("booked_by", user),
        channel=kw.pop("channel", Appointment.Channel.WEB),
    )


# --- outcomes at the door --------------------------------------------------------------------


def test_ok_is_confirmed_with_copies_screening_and_history(
    clinic_setup: Clinic, patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))

    assert appointment.status == S.CONFIRMED
    assert appointment.start == dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC)
    assert appointment.end - appointment.start == dt.timedelta(minutes=45)
    assert appointment.room_free_at - appointment.end == dt.timedelta(minutes=10)
    assert appointment.room.kind == "treatment"
    assert appointment.practitioner in (clinic_setup.derm, clinic_setup.cosm)
    assert appointment.procedure_name_en == "Glycolic acid peel (superficial)"
    assert appointment.procedure_name_ru
    assert appointment.price == Decimal("3500.00")
    assert appointment.screening_outcome == "ok"
    assert appointment.intake_version == patient.patient_profile.intake_versions.get()
    assert appointment.session_number == 1
    assert appointment.version == 0
    changes = list(appointment.status_changes.values_list("from_status", "to_status", "by"))
    assert changes == [("", S.CONFIRMED, patient.pk)]


def test_review_is_pending_and_held(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel", pregnant="possibly")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.derm)

    assert appointment.status == S.PENDING_REVIEW
    assert appointment.screening_flags == ["PREGNANCY_POSSIBLE"]
    assert list(pending_reviews()) == [appointment]
    # It holds the practitioner's time like a confirmed one.
    slots = free_slots_for(
        clinic_setup.procedure("glycolic-peel"),
        start_date=WEDNESDAY,
        days=1,
        practitioner=clinic_setup.derm,
    )
    assert at(WEDNESDAY, 10) not in {slot.start for slot in slots}


@pytest.mark.parametrize("channel", ["web", "api", "desk"])
def test_blocked_refuses_everyone_including_the_desk(
    clinic_setup: Clinic, patient: User, receptionist: User, manager: User, channel: str
) -> None:
    ready(patient, "peel", rosacea=True)
    booked_by = {"web": patient, "api": patient, "desk": receptionist}[channel]

    with pytest.raises(ScreeningBlocked) as caught:
        book(patient, clinic_setup, at(WEDNESDAY, 10), booked_by=booked_by, channel=channel)
    assert caught.value.code == "screening_blocked"
    assert caught.value.http_status == 422
    assert caught.value.blocking == ("ROSACEA",)
    assert caught.value.earliest_date is None
    with pytest.raises(ScreeningBlocked):
        book(patient, clinic_setup, at(WEDNESDAY, 11), booked_by=manager, channel="desk")
    assert not Appointment.objects.exists()


def test_blocked_patient_cannot_be_moved_onto_a_blocked_date(
    clinic_setup: Clinic, patient: User, receptionist: User, practitioner: User
) -> None:
    """A practitioner's correction (a new intake version) blocks the move, at the desk too."""
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    give_baseline_intake(patient, herpes_active=True)

    with pytest.raises(ScreeningBlocked) as caught:
        move_appointment(appointment=appointment, start=at(WEDNESDAY, 12), by=receptionist)
    assert "HERPES_ACTIVE" in caught.value.blocking
    appointment.refresh_from_db()
    assert appointment.start == at(WEDNESDAY, 10)
    assert appointment.version == 0


def test_blocked_earliest_date_from_a_time_bound_rule(clinic_setup: Clinic, patient: User) -> None:
    # A topical retinoid used today: a glycolic peel waits two days (its window).
    ready(patient, "peel", topical_retinoid_last_used=dt.date(2026, 6, 1))
    tuesday = dt.date(2026, 6, 2)
    result = screen_for_booking(
        patient=patient.patient_profile,
        procedure=clinic_setup.procedure("glycolic-peel"),
        on=tuesday,
    )
    assert result.blocked
    assert result.earliest_date == WEDNESDAY
    with pytest.raises(ScreeningBlocked) as caught:
        book(patient, clinic_setup, at(tuesday, 10))
    assert caught.value.blocking == ("PRECARE_TOPICAL_RETINOID",)
    assert caught.value.earliest_date == WEDNESDAY
    assert caught.value.payload()["earliest_date"] == "2026-06-03"
    assert book(patient, clinic_setup, at(WEDNESDAY, 10)).status == S.CONFIRMED


def test_intake_required_missing_and_expired(clinic_setup: Clinic, patient: User) -> None:
    from patients.tests.booking_fixtures import sign

    sign(patient, "peel")
    with pytest.raises(IntakeRequired) as caught:
        book(patient, clinic_setup, at(WEDNESDAY, 10))
    assert caught.value.code == "intake_required"
    assert caught.value.http_status == 422
    assert caught.value.expired is False

    with time_machine.travel(NOW - dt.timedelta(days=400), tick=False):
        give_baseline_intake(patient)
    with pytest.raises(IntakeRequired) as caught:
        book(patient, clinic_setup, at(WEDNESDAY, 10))
    assert caught.value.expired is True


def test_consent_required_for_the_category(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "laser")  # signed laser, not peel
    with pytest.raises(ConsentRequired) as caught:
        book(patient, clinic_setup, at(WEDNESDAY, 10))
    assert caught.value.code == "consent_required"
    assert caught.value.http_status == 422
    assert caught.value.category == "peel"


def test_unverified_patient_cannot_book_online_but_the_desk_can(
    clinic_setup: Clinic, receptionist: User
) -> None:
    user = make_patient(profile__unverified=True)
    ready(user, "peel")
    with pytest.raises(EmailNotVerified):
        book(user, clinic_setup, at(WEDNESDAY, 10))
    appointment = book(
        user, clinic_setup, at(WEDNESDAY, 10), booked_by=receptionist, channel="desk"
    )
    assert appointment.status == S.CONFIRMED
    assert appointment.created_by == receptionist


def test_who_may_book(
    clinic_setup: Clinic, patient: User, other_patient: User, practitioner: User
) -> None:
    ready(patient, "peel")
    with pytest.raises(Forbidden):
        book(patient, clinic_setup, at(WEDNESDAY, 10), booked_by=other_patient)
    with pytest.raises(Forbidden) as caught:
        book(patient, clinic_setup, at(WEDNESDAY, 10), booked_by=practitioner)
    assert caught.value.http_status == 403
    assert not Appointment.objects.exists()


# --- the slot --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "words"),
    [
        (at(WEDNESDAY, 10, 5), "every 15 minutes"),
        (at(dt.date(2026, 6, 1), 9, 0), "2 hours ahead"),  # 1 hour after now
        (at(dt.date(2026, 9, 1), 10), "90 days"),
        (at(WEDNESDAY, 19, 0), "Nobody can perform"),  # the practitioners stop at 18:00
    ],
)
def test_slot_unavailable_says_why(
    clinic_setup: Clinic, patient: User, start: dt.datetime, words: str
) -> None:
    ready(patient, "peel")
    with pytest.raises(SlotUnavailable) as caught:
        book(patient, clinic_setup, start)
    assert caught.value.field == "start"
    assert caught.value.http_status == 400
    assert words in str(caught.value)


def test_closure_makes_a_start_unavailable(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    ClosureFactory(starts_on=WEDNESDAY, reason="Holiday")
    with pytest.raises(SlotUnavailable):
        book(patient, clinic_setup, at(WEDNESDAY, 10))


def test_naive_start_is_refused(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    with pytest.raises(SlotUnavailable) as caught:
        book(patient, clinic_setup, dt.datetime(2026, 6, 3, 10, 0))
    assert "offset" in str(caught.value)


def test_practitioner_not_qualified(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "filler", consulted=True)
    with pytest.raises(Exception) as caught:  # noqa: PT011 - checked below
        book(
            patient,
            clinic_setup,
            at(WEDNESDAY, 10),
            slug="hyaluronic-filler",
            practitioner=clinic_setup.cosm,  # fillers are for dermatologists
        )
    assert getattr(caught.value, "code", None) == "practitioner_not_qualified"
    assert caught.value.field == "practitioner"


def test_slot_taken_offers_the_next_free_slots(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    ready(patient, "peel")
    ready(other_patient, "peel")
    first = book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.derm)

    with pytest.raises(SlotTaken) as caught:
        book(other_patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.derm)
    error = caught.value
    assert error.http_status == 409
    assert error.alternatives
    assert all(slot.start >= at(WEDNESDAY, 10) for slot in error.alternatives)
    assert all(slot.practitioner_id == clinic_setup.derm.pk for slot in error.alternatives)
    # The only treatment room is cleaned until 10:55: the first alternative is 11:00.
    assert first.room_free_at == at(WEDNESDAY, 10, 55)
    assert error.alternatives[0].start == at(WEDNESDAY, 11)
    assert error.payload()["alternatives"][0] == {
        "start": "2026-06-03T11:00:00+03:00",
        "end": "2026-06-03T11:45:00+03:00",
        "practitioner": clinic_setup.derm.pk,
        "room": clinic_setup.rooms["treatment"].pk,
    }


def test_room_is_held_for_the_buffer(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    """One treatment room: the cosmetologist cannot start while the room is cleaned."""
    ready(patient, "peel")
    ready(other_patient, "peel")
    book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.derm)
    with pytest.raises(SlotTaken):  # the room is busy until 10:55
        book(other_patient, clinic_setup, at(WEDNESDAY, 10, 45), practitioner=clinic_setup.cosm)
    appointment = book(
        other_patient, clinic_setup, at(WEDNESDAY, 11), practitioner=clinic_setup.cosm
    )
    assert appointment.room == clinic_setup.rooms["treatment"]


def test_any_practitioner_takes_the_free_one(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    """Consultations: two practitioners but one consulting room, so one at a time."""
    ready(patient, "consultation")
    ready(other_patient, "consultation")
    first = book(patient, clinic_setup, at(WEDNESDAY, 10), slug="consultation")
    with pytest.raises(SlotTaken):
        book(other_patient, clinic_setup, at(WEDNESDAY, 10), slug="consultation")
    assert first.room == clinic_setup.rooms["consult"]


def test_patient_busy(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel", "consultation")
    book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.derm)
    with pytest.raises(PatientBusy) as caught:
        book(patient, clinic_setup, at(WEDNESDAY, 10, 30), slug="consultation")
    assert caught.value.code == "patient_busy"
    assert caught.value.http_status == 409
    # Right after it is fine.
    assert book(patient, clinic_setup, at(WEDNESDAY, 10, 45), slug="consultation")


def test_copies_survive_a_catalogue_edit(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    peel = clinic_setup.procedure("glycolic-peel")
    peel.name_en = "Renamed peel"
    peel.price_from = Decimal("9999")
    peel.booked_minutes = 90
    peel.buffer_minutes = 30
    peel.save()

    appointment.refresh_from_db()
    assert appointment.procedure_name_en == "Glycolic acid peel (superficial)"
    assert appointment.price == Decimal("3500.00")
    assert appointment.booked_minutes == 45
    # A move keeps the booked duration and buffer of the copy, not the new catalogue's.
    moved = move_appointment(appointment=appointment, start=at(WEDNESDAY, 14), by=patient)
    assert moved.end - moved.start == dt.timedelta(minutes=45)
    assert moved.room_free_at - moved.end == dt.timedelta(minutes=10)


# --- DST ------------------------------------------------------------------------------------


def test_booking_on_a_day_that_loses_an_hour(
    settings: pytest.FixtureRequest, patient: User, clinic_setup: Clinic
) -> None:
    """Berlin, Sunday 29 March 2026 (02:00 -> 03:00): 10:00 local is 08:00 UTC, not 09:00."""
    settings.CLINIC_TIME_ZONE = "Europe/Berlin"
    berlin = ZoneInfo("Europe/Berlin")
    sunday = dt.date(2026, 3, 29)
    with time_machine.travel(dt.datetime(2026, 3, 27, 9, 0, tzinfo=berlin), tick=False):
        ready(patient, "peel")
        appointment = book(patient, clinic_setup, at(sunday, 10, zone=berlin))
        # Another patient: a peel the day before one's own would come too soon before it.
        other = ready(make_patient(email="other@example.test"), "peel")
        day_before = book(other, clinic_setup, at(sunday - dt.timedelta(days=1), 10, zone=berlin))
    assert appointment.start == dt.datetime(2026, 3, 29, 8, 0, tzinfo=dt.UTC)
    assert day_before.start == dt.datetime(2026, 3, 28, 9, 0, tzinfo=dt.UTC)
    assert appointment.start.astimezone(berlin).hour == 10


def test_booking_on_a_day_that_gains_an_hour(
    settings: pytest.FixtureRequest, patient: User, clinic_setup: Clinic
) -> None:
    """Berlin, Sunday 25 October 2026 (03:00 -> 02:00): 10:00 local is 09:00 UTC, and the
    appointment's local date (for screening and course history) is still that Sunday."""
    settings.CLINIC_TIME_ZONE = "Europe/Berlin"
    berlin = ZoneInfo("Europe/Berlin")
    sunday = dt.date(2026, 10, 25)
    with time_machine.travel(dt.datetime(2026, 10, 23, 9, 0, tzinfo=berlin), tick=False):
        ready(patient, "peel")
        appointment = book(patient, clinic_setup, at(sunday, 10, zone=berlin))
        other = ready(make_patient(email="other@example.test"), "peel")
        with pytest.raises(SlotUnavailable):  # 10:10 local: off the grid
            book(other, clinic_setup, dt.datetime(2026, 10, 25, 9, 10, tzinfo=dt.UTC))
    assert appointment.start == dt.datetime(2026, 10, 25, 9, 0, tzinfo=dt.UTC)
    assert appointment.screening_outcome == "ok"


# --- the lifecycle ---------------------------------------------------------------------------


def test_every_status_change_writes_a_history_row(
    clinic_setup: Clinic, patient: User, receptionist: User, practitioner: User
) -> None:
    ready(patient, "peel", pregnant="possibly")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    approve_booking_review(
        appointment=appointment, by=practitioner, note="Fine for a superficial peel."
    )
    with time_machine.travel(at(WEDNESDAY, 9, 50), tick=False):
        check_in(appointment=appointment, by=receptionist, nothing_changed=True)
    with time_machine.travel(at(WEDNESDAY, 11), tick=False):
        complete_appointment(appointment=appointment, by=practitioner)

    rows = list(
        AppointmentStatusChange.objects.filter(appointment=appointment)
        .order_by("at", "pk")
        .values_list("from_status", "to_status", "by")
    )
    assert rows == [
        ("", S.PENDING_REVIEW, patient.pk),
        (S.PENDING_REVIEW, S.CONFIRMED, practitioner.pk),
        (S.CONFIRMED, S.CHECKED_IN, receptionist.pk),
        (S.CHECKED_IN, S.COMPLETED, practitioner.pk),
    ]
    appointment.refresh_from_db()
    assert appointment.note_to_patient == "Fine for a superficial peel."


def test_decline_needs_a_reason_and_frees_the_slot(
    clinic_setup: Clinic, patient: User, practitioner: User, receptionist: User
) -> None:
    ready(patient, "peel", pregnant="possibly")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.derm)
    with pytest.raises(Forbidden):
        decline_booking_review(appointment=appointment, by=receptionist, reason="no")
    with pytest.raises(Exception) as caught:  # noqa: PT011 - checked below
        decline_booking_review(appointment=appointment, by=practitioner, reason="  ")
    assert getattr(caught.value, "code", None) == "reason_required"

    decline_booking_review(appointment=appointment, by=practitioner, reason="Please see us first.")
    appointment.refresh_from_db()
    assert appointment.status == S.DECLINED
    assert appointment.reason == "Please see us first."
    assert appointment.status_changes.last().reason == "Please see us first."
    slots = free_slots_for(
        clinic_setup.procedure("glycolic-peel"),
        start_date=WEDNESDAY,
        days=1,
        practitioner=clinic_setup.derm,
    )
    assert at(WEDNESDAY, 10) in {slot.start for slot in slots}


def test_approve_is_for_practitioners_and_rescreens(
    clinic_setup: Clinic, patient: User, receptionist: User, practitioner: User
) -> None:
    ready(patient, "peel", pregnant="possibly")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    with pytest.raises(Forbidden):
        approve_booking_review(appointment=appointment, by=receptionist)
    with pytest.raises(Forbidden):
        approve_booking_review(appointment=appointment, by=patient)
    give_baseline_intake(patient, rosacea=True)  # the intake now blocks
    with pytest.raises(ScreeningBlocked):
        approve_booking_review(appointment=appointment, by=practitioner)
    appointment.refresh_from_db()
    assert appointment.status == S.PENDING_REVIEW


def test_transitions_outside_the_table_are_refused(
    clinic_setup: Clinic, patient: User, receptionist: User, practitioner: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    with pytest.raises(TransitionNotAllowed):
        approve_booking_review(appointment=appointment, by=practitioner)  # already confirmed
    with pytest.raises(TransitionNotAllowed):
        complete_appointment(appointment=appointment, by=practitioner)  # never checked in
    cancel_appointment(appointment=appointment, by=receptionist)
    with pytest.raises(TransitionNotAllowed):
        cancel_appointment(appointment=appointment, by=receptionist)


def test_check_in_on_the_day_and_no_show_after_the_start(
    clinic_setup: Clinic, patient: User, receptionist: User, practitioner: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    with pytest.raises(Exception) as caught:  # noqa: PT011 - checked below
        check_in(appointment=appointment, by=receptionist, nothing_changed=True)
    assert getattr(caught.value, "code", None) == "not_today"
    with time_machine.travel(at(WEDNESDAY, 9, 55), tick=False):
        with pytest.raises(Forbidden):  # the desk and practitioners check in, not patients
            check_in(appointment=appointment, by=patient)
        with pytest.raises(Exception) as caught:  # noqa: PT011 - checked below
            mark_no_show(appointment=appointment, by=receptionist)
        assert getattr(caught.value, "code", None) == "too_early"
    with time_machine.travel(at(WEDNESDAY, 10, 30), tick=False):
        mark_no_show(appointment=appointment, by=receptionist)
    appointment.refresh_from_db()
    assert appointment.status == S.NO_SHOW


def test_complete_advances_the_course_and_history(
    clinic_setup: Clinic, patient: User, receptionist: User
) -> None:
    from patients.records.selectors import procedure_history

    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    assert procedure_history(patient.patient_profile) == {}
    with time_machine.travel(at(WEDNESDAY, 9, 50), tick=False):
        check_in(appointment=appointment, by=receptionist, nothing_changed=True)
        complete_appointment(appointment=appointment, by=receptionist)

    course = TreatmentCourse.objects.get(patient=patient.patient_profile)
    assert (course.status, course.sessions_done, course.last_session_on) == (
        "active",
        1,
        WEDNESDAY,
    )
    appointment.refresh_from_db()
    assert (appointment.course, appointment.session_number) == (course, 1)
    assert procedure_history(patient.patient_profile) == {"glycolic-peel": (WEDNESDAY, 1)}


# --- moving, cancelling and the 24-hour rule --------------------------------------------------


def test_move_grows_the_version_and_keeps_one_row(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.derm)
    moved = move_appointment(appointment=appointment, start=at(WEDNESDAY, 10, 15), by=patient)
    moved = move_appointment(appointment=moved, start=at(WEDNESDAY, 12), by=patient)
    assert moved.pk == appointment.pk
    assert moved.version == 2
    assert moved.start == at(WEDNESDAY, 12)
    assert Appointment.objects.count() == 1
    # Moving within its own old time does not collide with itself (10:00 -> 10:15 above).
    assert list(moved.status_changes.values_list("to_status", flat=True)) == [S.CONFIRMED]


def test_move_that_would_need_a_new_review_is_refused(clinic_setup: Clinic, patient: User) -> None:
    """A confirmed peel moved to after the course's maximum gap would need a review."""
    ready(patient, "peel")
    peel = clinic_setup.procedure("glycolic-peel")
    TreatmentCourse.objects.create(
        patient=patient.patient_profile,
        procedure=peel,
        started_on=dt.date(2026, 5, 10),
        sessions_done=1,
        last_session_on=dt.date(2026, 5, 20),
    )
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))  # 14 days after: ok
    assert appointment.status == S.CONFIRMED
    with pytest.raises(MoveNeedsReview):
        move_appointment(appointment=appointment, start=at(dt.date(2026, 6, 12), 10), by=patient)


@pytest.mark.parametrize("action", ["move", "cancel"])
def test_patients_change_up_to_24_hours_before_and_staff_any_time(
    clinic_setup: Clinic, patient: User, receptionist: User, action: str
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))

    def change(by: User) -> Appointment:
        if action == "move":
            return move_appointment(appointment=appointment, start=at(WEDNESDAY, 14), by=by)
        return cancel_appointment(appointment=appointment, by=by)

    with time_machine.travel(at(WEDNESDAY - dt.timedelta(days=1), 10, 1), tick=False):
        with pytest.raises(ChangeTooLate) as caught:  # 23 h 59 min before
            change(patient)
        assert "24 hours" in str(caught.value)
        assert change(receptionist).pk == appointment.pk


def test_patient_may_change_exactly_24_hours_before(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    with time_machine.travel(at(WEDNESDAY - dt.timedelta(days=1), 10), tick=False):
        cancelled = cancel_appointment(appointment=appointment, by=patient, reason="Ill")
    assert cancelled.status == S.CANCELLED
    assert cancelled.status_changes.last().reason == "Ill"


def test_patients_change_only_their_own(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    ready(patient, "peel")
    appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    with pytest.raises(Forbidden):
        cancel_appointment(appointment=appointment, by=other_patient)
    with pytest.raises(Forbidden):
        move_appointment(appointment=appointment, start=at(WEDNESDAY, 14), by=other_patient)


def test_notifications_are_sent_after_commit_with_the_calendar_file(
    clinic_setup: Clinic,
    patient: User,
    mailoutbox: list,
    django_capture_on_commit_callbacks,
) -> None:
    ready(patient, "peel")
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, clinic_setup, at(WEDNESDAY, 10))
    with django_capture_on_commit_callbacks(execute=True):
        move_appointment(appointment=appointment, start=at(WEDNESDAY, 12), by=patient)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(appointment=appointment, by=patient)

    assert [message.to for message in mailoutbox] == [[patient.email]] * 3
    calendars = [message.attachments[0][1] for message in mailoutbox]
    calendars = [c.decode() if isinstance(c, bytes) else c for c in calendars]
    assert "SEQUENCE:0" in calendars[0]
    assert "METHOD:REQUEST" in calendars[0]
    assert "SEQUENCE:1" in calendars[1]
    assert "DTSTART:20260603T090000Z" in calendars[1]
    assert "METHOD:CANCEL" in calendars[2]
    uid = f"UID:appointment-{appointment.pk}@"
    assert all(uid in calendar for calendar in calendars)


def test_nothing_is_sent_for_a_refused_booking(
    clinic_setup: Clinic,
    patient: User,
    mailoutbox: list,
    django_capture_on_commit_callbacks,
) -> None:
    ready(patient, "peel", rosacea=True)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ScreeningBlocked),
    ):
        book(patient, clinic_setup, at(WEDNESDAY, 10))
    assert callbacks == []
    assert mailoutbox == []


def test_patient_appointments_lists_only_theirs(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    ready(patient, "peel")
    ready(other_patient, "peel")
    mine = book(patient, clinic_setup, at(WEDNESDAY, 10))
    book(other_patient, clinic_setup, at(WEDNESDAY, 12))
    with CaptureQueriesContext(connection) as queries:
        listed = list(patient_appointments(patient.patient_profile))
        [(a.procedure.slug, a.practitioner.user.email, a.room.name) for a in listed]
    assert listed == [mine]
    assert len(queries) == 1


def test_moscow_time_is_stored_in_utc() -> None:
    assert at(WEDNESDAY, 10).astimezone(dt.UTC).hour == 7
    assert MSK.key == "Europe/Moscow"
