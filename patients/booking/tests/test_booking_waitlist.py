"""The waitlist: joining, a cancellation offering its slot to the first eligible waiter,
the hold, accepting, and expired offers moving on to the next waiter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from clinic.models import User
from patients.booking.selectors import free_slots_for
from patients.booking.services import (
    Forbidden,
    SlotTaken,
    book_appointment,
    cancel_appointment,
)
from patients.booking.services.waitlist import (
    accept_waitlist_offer,
    expire_waitlist_offers,
    join_waitlist,
    leave_waitlist,
)
from patients.booking.tasks import expire_waitlist_offers as expire_waitlist_offers_task
from patients.models import Appointment, WaitlistEntry, WaitlistOffer
from patients.tests.booking_fixtures import NOW, WEDNESDAY, Clinic, at, ready
from patients.tests.factories import make_patient
from procedures.errors import DomainError

pytestmark = pytest.mark.django_db

SLOT = at(WEDNESDAY, 10)


@pytest.fixture(autouse=True)
def _now(pinned_now: dt.datetime) -> None:
    """Monday 1 June 2026, 08:00 Moscow."""


def wait(user: User, clinic: Clinic, **kw: Any) -> WaitlistEntry:
    return join_waitlist(
        patient=user.patient_profile,
        procedure=clinic.procedure("glycolic-peel"),
        from_date=kw.pop("from_date", WEDNESDAY),
        to_date=kw.pop("to_date", WEDNESDAY + dt.timedelta(days=2)),
        practitioner=kw.pop("practitioner", None),
        by=kw.pop("by", user),
    )


def booked(user: User, clinic: Clinic) -> Appointment:
    return book_appointment(
        patient=user.patient_profile,
        procedure=clinic.procedure("glycolic-peel"),
        start=SLOT,
        practitioner=clinic.derm,
        booked_by=user,
        channel="web",
    )


@pytest.mark.parametrize(
    ("dates", "code", "field"),
    [
        ((dt.date(2026, 5, 31), WEDNESDAY), "date_in_past", "from_date"),
        ((WEDNESDAY, dt.date(2026, 6, 2)), "range_reversed", "to_date"),
        ((WEDNESDAY, dt.date(2026, 12, 1)), "too_far_ahead", "to_date"),
    ],
)
def test_join_refuses_bad_ranges(
    clinic_setup: Clinic, patient: User, dates: tuple[dt.date, dt.date], code: str, field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        wait(patient, clinic_setup, from_date=dates[0], to_date=dates[1])
    assert (caught.value.code, caught.value.field) == (code, field)


def test_join_once_per_procedure_and_only_for_oneself(
    clinic_setup: Clinic, patient: User, other_patient: User, receptionist: User
) -> None:
    entry = wait(patient, clinic_setup)
    assert entry.status == WaitlistEntry.Status.WAITING
    with pytest.raises(DomainError) as caught:
        wait(patient, clinic_setup)
    assert caught.value.code == "already_waiting"
    with pytest.raises(Forbidden):
        wait(other_patient, clinic_setup, by=patient)
    assert (
        wait(other_patient, clinic_setup, by=receptionist).patient == other_patient.patient_profile
    )
    leave_waitlist(entry=entry, by=patient)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.CANCELLED


def test_cancellation_offers_the_slot_to_the_first_eligible_waiter(
    clinic_setup: Clinic,
    patient: User,
    other_patient: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ready(patient, "peel")
    appointment = booked(patient, clinic_setup)
    blocked = make_patient(email="blocked@example.test")
    ready(blocked, "peel", rosacea=True)
    unsigned = make_patient(email="unsigned@example.test")
    ready(unsigned, "laser")
    ready(other_patient, "peel")
    for user in (blocked, unsigned, other_patient):  # joined in this order
        wait(user, clinic_setup)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(appointment=appointment, by=patient)

    offer = WaitlistOffer.objects.get()
    assert offer.entry.patient == other_patient.patient_profile  # the first eligible one
    assert offer.start == SLOT
    assert offer.practitioner == clinic_setup.derm
    assert offer.expires_at == NOW + dt.timedelta(hours=3)
    assert offer.freed_by == appointment
    assert offer.entry.status == WaitlistEntry.Status.OFFERED


def test_an_offered_slot_is_held_and_the_waiter_can_take_it(
    clinic_setup: Clinic,
    patient: User,
    other_patient: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ready(patient, "peel")
    ready(other_patient, "peel")
    third = make_patient(email="third@example.test")
    ready(third, "peel")
    appointment = booked(patient, clinic_setup)
    entry = wait(other_patient, clinic_setup, practitioner=clinic_setup.derm)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(appointment=appointment, by=patient)
    offer = WaitlistOffer.objects.get()

    slots = free_slots_for(
        clinic_setup.procedure("glycolic-peel"),
        start_date=WEDNESDAY,
        days=1,
        practitioner=clinic_setup.derm,
    )
    assert SLOT not in {slot.start for slot in slots}
    with pytest.raises(SlotTaken):  # held for the waiter
        booked(third, clinic_setup)
    with pytest.raises(Forbidden):
        accept_waitlist_offer(offer=offer, patient=third.patient_profile)

    taken = accept_waitlist_offer(offer=offer, patient=other_patient.patient_profile)
    assert (taken.start, taken.practitioner, taken.status) == (SLOT, clinic_setup.derm, "confirmed")
    offer.refresh_from_db()
    entry.refresh_from_db()
    assert (offer.status, offer.appointment) == (WaitlistOffer.Status.ACCEPTED, taken)
    assert entry.status == WaitlistEntry.Status.BOOKED


def test_expired_offer_moves_on_to_the_next_waiter(
    clinic_setup: Clinic,
    patient: User,
    other_patient: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ready(patient, "peel")
    ready(other_patient, "peel")
    third = make_patient(email="third@example.test")
    ready(third, "peel")
    appointment = booked(patient, clinic_setup)
    first_entry = wait(other_patient, clinic_setup)
    wait(third, clinic_setup)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(appointment=appointment, by=patient)
    first_offer = WaitlistOffer.objects.get()

    later = NOW + dt.timedelta(hours=3, minutes=1)
    with time_machine.travel(later, tick=False):
        assert expire_waitlist_offers(NOW + dt.timedelta(hours=2)) == 0  # still held
        with django_capture_on_commit_callbacks(execute=True):
            assert expire_waitlist_offers(later) == 1
        with pytest.raises(DomainError) as caught:
            accept_waitlist_offer(offer=first_offer, patient=other_patient.patient_profile)
    assert caught.value.code == "offer_expired"

    first_offer.refresh_from_db()
    first_entry.refresh_from_db()
    assert first_offer.status == WaitlistOffer.Status.EXPIRED
    assert first_entry.status == WaitlistEntry.Status.WAITING  # may get another slot
    second_offer = WaitlistOffer.objects.exclude(pk=first_offer.pk).get()
    assert second_offer.entry.patient == third.patient_profile
    assert second_offer.expires_at == later + dt.timedelta(hours=3)
    assert second_offer.start == SLOT


def test_beat_expires_the_offers_past_their_hold(
    clinic_setup: Clinic,
    patient: User,
    other_patient: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The periodic task (clinic/periodic.py puts it in beat) runs the service."""
    ready(patient, "peel")
    ready(other_patient, "peel")
    appointment = booked(patient, clinic_setup)
    entry = wait(other_patient, clinic_setup)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(appointment=appointment, by=patient)
    offer = WaitlistOffer.objects.get()

    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        assert expire_waitlist_offers_task.apply().get() == 0
    with time_machine.travel(NOW + dt.timedelta(hours=3, minutes=1), tick=False):
        assert expire_waitlist_offers_task.apply().get() == 1

    offer.refresh_from_db()
    entry.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.EXPIRED
    assert entry.status == WaitlistEntry.Status.WAITING
