"""The quick "no" of a taken slot: answered before screening and before the schedule is
read, with the next free slots cached briefly for the other losers; the real checks stay."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.availability import Slot
from clinic.models import User
from patients.booking import race_guard
from patients.booking.services import (
    PatientBusy,
    ScreeningBlocked,
    SlotTaken,
    SlotUnavailable,
    book_appointment,
    cancel_appointment,
)
from patients.models import Appointment, PatientProfile
from patients.models.lifecycle import HOLDING_STATUSES
from patients.tests.booking_fixtures import NOW, WEDNESDAY, Clinic, at, ready
from patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow."""


def book(user: User, clinic: Clinic, start: dt.datetime, slug: str = "glycolic-peel", **kw):
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure(slug),
        start=start,
        practitioner=kw.pop("practitioner", None),
        booked_by=kw.pop("booked_by", user),
        channel=kw.pop("channel", Appointment.Channel.WEB),
    )


def sql_of(captured: CaptureQueriesContext) -> str:
    return "\n".join(query["sql"] for query in captured.captured_queries)


def test_a_taken_slot_is_refused_before_screening(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    ready(patient, "peel")
    ready(other_patient, "peel")
    derm = clinic_setup.derm
    book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
    peel = clinic_setup.procedure("glycolic-peel")
    profile = other_patient.patient_profile

    with CaptureQueriesContext(connection) as first, pytest.raises(SlotTaken) as caught:
        book_appointment(
            patient=profile,
            procedure=peel,
            start=at(WEDNESDAY, 10),
            practitioner=derm,
            booked_by=other_patient,
            channel=Appointment.Channel.WEB,
        )
    assert caught.value.alternatives[0].start == at(WEDNESDAY, 11)
    # Neither the consents nor the patient's lock were read; the intake only once, to
    # offer the alternatives on the days the patient may book (issue #15, section 3).
    sql = sql_of(first)
    assert sql.count('FROM "patients_intakeversion"') == 1
    assert "consent" not in sql
    assert "FOR UPDATE" not in sql

    with CaptureQueriesContext(connection) as second, pytest.raises(SlotTaken) as again:
        book_appointment(
            patient=profile,
            procedure=peel,
            start=at(WEDNESDAY, 10),
            practitioner=derm,
            booked_by=other_patient,
            channel=Appointment.Channel.WEB,
        )
    # The next loser: the overlap query, the same alternatives from the cache, screened
    # for the patient (intake, sessions, course).
    assert len(second) == 4, sql_of(second)
    assert again.value.alternatives == caught.value.alternatives


def test_patient_busy_is_refused_before_screening(clinic_setup: Clinic, patient: User) -> None:
    ready(patient, "peel", "consultation")
    book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.derm)
    with CaptureQueriesContext(connection) as captured, pytest.raises(PatientBusy):
        book(patient, clinic_setup, at(WEDNESDAY, 10, 30), slug="consultation")
    # One for the procedure (the helper reads it), one for the overlap.
    assert len(captured) == 2, sql_of(captured)
    # With a practitioner asked for, the patient's own overlap still answers patient_busy.
    with pytest.raises(PatientBusy):
        book(
            patient,
            clinic_setup,
            at(WEDNESDAY, 10),
            slug="consultation",
            practitioner=clinic_setup.derm,
        )


def _overlap_through_the_orm(
    profile: PatientProfile, start: dt.datetime, minutes: int, practitioner_id: int | None
) -> type[PatientBusy] | type[SlotTaken] | None:
    """The quick "no"'s question asked through the ORM: what its written-out SQL must answer."""
    end = start + dt.timedelta(minutes=minutes)
    holders = Q(patient=profile)
    if practitioner_id is not None:
        holders |= Q(practitioner_id=practitioner_id)
    overlapping = set(
        Appointment.objects.filter(
            holders, status__in=HOLDING_STATUSES, start__lt=end, end__gt=start
        ).values_list("patient_id", flat=True)[:2]
    )
    if not overlapping:
        return None
    return PatientBusy if profile.pk in overlapping else SlotTaken


def test_the_quick_overlap_query_answers_as_the_orm_does(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    ready(patient, "peel", "consultation")
    ready(other_patient, "peel", "consultation")
    derm, cosm = clinic_setup.derm, clinic_setup.cosm
    book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
    book(other_patient, clinic_setup, at(WEDNESDAY, 12), practitioner=cosm)
    checked_in = book(
        patient, clinic_setup, at(WEDNESDAY, 15), slug="consultation", practitioner=derm
    )
    Appointment.objects.filter(pk=checked_in.pk).update(status=Appointment.Status.CHECKED_IN)
    cancelled = book(
        other_patient, clinic_setup, at(WEDNESDAY, 14), slug="consultation", practitioner=derm
    )
    cancel_appointment(appointment=cancelled, by=other_patient)

    answers = Counter()
    for profile in (patient.patient_profile, other_patient.patient_profile):
        for practitioner_id in (derm.pk, cosm.pk, None):
            for quarter in range(4 * 9):
                start = at(WEDNESDAY, 9) + dt.timedelta(minutes=15 * quarter)
                for minutes in (15, 45, 60):
                    expected = _overlap_through_the_orm(profile, start, minutes, practitioner_id)
                    answer = race_guard._overlap_verdict_for(
                        patient=profile,
                        start=start,
                        booked_minutes=minutes,
                        practitioner_id=practitioner_id,
                        now=NOW,
                    )
                    assert answer is expected, (profile, practitioner_id, start, minutes)
                    answers[answer] += 1
    # Every answer occurs (the cancelled 14:00 holds nothing, the checked-in 15:00 does).
    assert set(answers) == {None, PatientBusy, SlotTaken}, answers


def test_a_free_slot_still_goes_through_every_check(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    """The quick path only refuses: a blocked patient at a free time is still blocked."""
    ready(patient, "peel")
    ready(other_patient, "peel", rosacea=True)
    book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.derm)
    with pytest.raises(ScreeningBlocked):
        book(other_patient, clinic_setup, at(WEDNESDAY, 12), practitioner=clinic_setup.derm)
    # At the taken time the same patient hears "taken"; nothing is booked either way.
    with pytest.raises(SlotTaken):
        book(other_patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.derm)
    assert not Appointment.objects.filter(patient=other_patient.patient_profile).exists()


def test_a_start_off_the_grid_keeps_its_own_answer(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    ready(patient, "peel")
    ready(other_patient, "peel")
    book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.derm)
    with pytest.raises(SlotUnavailable):
        book(other_patient, clinic_setup, at(WEDNESDAY, 10, 5), practitioner=clinic_setup.derm)


def test_cached_alternatives_follow_the_schedule_within_seconds(
    clinic_setup: Clinic, patient: User, other_patient: User, settings
) -> None:
    settings.BOOKING_ALTERNATIVES_CACHE_SECONDS = 5
    third = make_patient(email="third@example.test")
    for user in (patient, other_patient, third):
        ready(user, "peel")
    derm = clinic_setup.derm
    book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
    with pytest.raises(SlotTaken) as first:
        book(other_patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
    assert first.value.alternatives[0].start == at(WEDNESDAY, 11)

    # 11:00 is booked now; within the cache's seconds a loser may still hear of it.
    eleven = book(third, clinic_setup, at(WEDNESDAY, 11), practitioner=derm)
    with pytest.raises(SlotTaken) as cached:
        book(other_patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
    assert cached.value.alternatives == first.value.alternatives

    with time_machine.travel(NOW + dt.timedelta(seconds=6), tick=False):
        with pytest.raises(SlotTaken) as fresh:
            book(other_patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
        assert fresh.value.alternatives[0].start == at(WEDNESDAY, 12)
        # And a cancellation frees 11:00 again for the next answer after the seconds.
        cancel_appointment(appointment=eleven, by=third)
    with time_machine.travel(NOW + dt.timedelta(seconds=12), tick=False):
        with pytest.raises(SlotTaken) as freed:
            book(other_patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
        assert freed.value.alternatives[0].start == at(WEDNESDAY, 11)


def test_without_the_cache_every_loser_computes_them(
    clinic_setup: Clinic, patient: User, other_patient: User, settings
) -> None:
    settings.BOOKING_ALTERNATIVES_CACHE_SECONDS = 0
    third = make_patient(email="third@example.test")
    for user in (patient, other_patient, third):
        ready(user, "peel")
    derm = clinic_setup.derm
    book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
    with pytest.raises(SlotTaken):
        book(other_patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
    book(third, clinic_setup, at(WEDNESDAY, 11), practitioner=derm)
    with pytest.raises(SlotTaken) as caught:
        book(other_patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
    assert caught.value.alternatives[0].start == at(WEDNESDAY, 12)


def test_api_loser_gets_409_with_alternatives_in_few_queries(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    ready(patient, "peel")
    ready(other_patient, "peel")
    book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=clinic_setup.derm)
    client = APIClient()
    token = Token.objects.create(user=other_patient)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = {
        "procedure": "glycolic-peel",
        "start": "2026-06-03T10:00:00+03:00",
        "practitioner": clinic_setup.derm.pk,
    }
    first = client.post("/api/v1/appointments/", body, format="json")
    assert first.status_code == 409
    assert first.json()["alternatives"][0]["start"] == "2026-06-03T11:00:00+03:00"
    with CaptureQueriesContext(connection) as captured:
        second = client.post("/api/v1/appointments/", body, format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "slot_taken"
    assert second.json()["alternatives"] == first.json()["alternatives"]
    # The token with its user and profile, and the overlap: a start refused seconds ago
    # needs no schedule and no role look-up for a verified patient; its cached
    # alternatives are screened for the patient (intake, sessions, course; the procedure's
    # id is cached with them).
    assert len(captured) == 5, sql_of(captured)


def _answer_later(seconds: float, mark: str, answer: tuple | None = None) -> threading.Thread:
    """A parallel refusal computing the next free slots: after `seconds` it caches its
    answer (procedure, practitioner, start, slots), or none, and takes its mark away."""

    def finish() -> None:
        time.sleep(seconds)
        if answer is not None:
            race_guard._cache_alternatives(*answer)
        cache.delete(mark)

    thread = threading.Thread(target=finish)
    thread.start()
    return thread


def test_a_refusal_waits_for_the_next_free_slots_another_one_is_computing(
    clinic_setup: Clinic, patient: User, other_patient: User
) -> None:
    """Parallel refusals of one start with nothing cached (a hot slot's first losers):
    one computes the next free slots, the others wait for its answer instead of
    reading the schedule too."""
    ready(patient, "peel")
    ready(other_patient, "peel")
    derm, peel = clinic_setup.derm, clinic_setup.procedure("glycolic-peel")
    book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
    mark = race_guard._computing_key(peel, derm, at(WEDNESDAY, 10))
    assert cache.add(mark, True, timeout=5)  # the other refusal, computing
    theirs = [
        Slot(at(WEDNESDAY, 15), at(WEDNESDAY, 15, 45), derm.pk, clinic_setup.rooms["treatment"].pk)
    ]
    other = _answer_later(0.1, mark, (peel, derm, at(WEDNESDAY, 10), theirs))

    with CaptureQueriesContext(connection) as captured, pytest.raises(SlotTaken) as caught:
        book(other_patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
    other.join()

    assert caught.value.alternatives == theirs
    assert "workinghours" not in sql_of(captured)  # the schedule was not read here


def test_a_refusal_computes_the_next_free_slots_when_the_other_gives_none(
    clinic_setup: Clinic, patient: User, other_patient: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal computing them failed (its mark goes, no answer), or died (its mark
    stays): the waiting one stops waiting and computes its own."""
    ready(patient, "peel")
    ready(other_patient, "peel")
    derm, peel = clinic_setup.derm, clinic_setup.procedure("glycolic-peel")
    book(patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
    mark = race_guard._computing_key(peel, derm, at(WEDNESDAY, 10))
    assert cache.add(mark, True, timeout=60)
    failed = _answer_later(0.05, mark)
    with pytest.raises(SlotTaken) as caught:
        book(other_patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
    failed.join()
    assert caught.value.alternatives[0].start == at(WEDNESDAY, 11)

    race_guard.clear_alternatives_cache()
    monkeypatch.setattr(race_guard, "ALTERNATIVES_WAIT_SECONDS", 0.05)
    assert cache.add(mark, True, timeout=60)  # and nobody answers or takes it away
    started = time.monotonic()
    with pytest.raises(SlotTaken) as caught:
        book(other_patient, clinic_setup, at(WEDNESDAY, 10), practitioner=derm)
    assert caught.value.alternatives[0].start == at(WEDNESDAY, 11)
    assert time.monotonic() - started < 5  # waited its short while, not for the mark's expiry
