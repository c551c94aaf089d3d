"""A property of screening that lives (rules-v2.md section 6), over random histories.

Random sequences of book / move / cancel / complete / intake change (and a
practitioner's approval now and then) for one patient, each step through the
services as the pages call them (a refusal is a possible outcome of a step).
After every step: no appointment holding time from today on is `confirmed` while
its screening with the inputs of that moment fires a code that no practitioner
approved (an absolute code is never approved).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.availability import clinic_zone, local_day_bounds
from clinic.models import User
from patients.booking.screening import screen_appointment
from patients.booking.services import (
    approve_booking_review,
    book_appointment,
    cancel_appointment,
    check_in,
    complete_appointment,
    move_appointment,
)
from patients.models import Appointment, ReviewDecision
from patients.models.lifecycle import HOLDING_STATUSES
from patients.tests.booking_fixtures import NOW, Clinic, at, ready
from patients.tests.factories import give_baseline_intake
from procedures.errors import DomainError

pytestmark = pytest.mark.django_db

S = Appointment.Status
SLUGS = ("glycolic-peel", "salicylic-peel")
HOURS = (10, 12, 14, 16)
APPROVALS = (ReviewDecision.Kind.APPROVED, ReviewDecision.Kind.APPROVED_WITH_NOTE)


def _answers(variant: str, today: dt.date) -> dict[str, Any]:
    """Intake changes: relative codes for the peels, absolute ones, and back to none."""
    return {
        "baseline": {},
        "isotretinoin": {
            "isotretinoin": "stopped",
            "isotretinoin_stopped_on": today - dt.timedelta(days=30),
        },
        "herpes": {"herpes_history": True},
        "retinoid": {"topical_retinoid_last_used": today},
        "inflammation": {"active_inflammation": True},
        "pregnant": {"pregnant": "yes"},
    }[variant]


index = st.integers(min_value=0, max_value=5)
day = st.integers(min_value=1, max_value=45)
hour = st.sampled_from(HOURS)
step = st.one_of(
    st.tuples(st.just("book"), st.sampled_from(SLUGS), day, hour),
    st.tuples(st.just("move"), index, day, hour),
    st.tuples(st.just("cancel"), index),
    st.tuples(st.just("complete")),
    st.tuples(
        st.just("intake"),
        st.sampled_from(
            ("baseline", "isotretinoin", "herpes", "retinoid", "inflammation", "pregnant")
        ),
    ),
    st.tuples(st.just("approve"), index),
)


class _Rollback(Exception):
    """Ends one example: its rows are rolled back, the next starts from the fixtures."""


def _holding(patient: User) -> list[Appointment]:
    return list(
        Appointment.objects.filter(
            patient=patient.patient_profile, status__in=HOLDING_STATUSES
        ).order_by("start", "pk")
    )


def _pick(patient: User, number: int) -> Appointment | None:
    held = _holding(patient)
    return held[number % len(held)] if held else None


def _violations(patient: User) -> list[str]:
    """Confirmed appointments from today on whose current screening fires an unapproved code."""
    since = local_day_bounds(timezone.localdate(), zone=clinic_zone())[0]
    found = []
    for appointment in Appointment.objects.filter(
        patient=patient.patient_profile, status=S.CONFIRMED, start__gte=since
    ):
        result = screen_appointment(appointment)
        if result is None:
            continue
        approved: set[str] = set()
        for flags in appointment.review_decisions.filter(kind__in=APPROVALS).values_list(
            "flags", flat=True
        ):
            approved |= set(flags)
        unapproved = set(result.blocking) | (set(result.flags) - approved)
        if unapproved:
            found.append(f"#{appointment.pk} {appointment} fires {sorted(unapproved)}")
    return found


def _run(
    step: tuple[Any, ...],
    *,
    clinic: Clinic,
    patient: User,
    practitioner: User,
    receptionist: User,
    clock: contextlib.ExitStack,
) -> None:
    today = timezone.localdate()
    kind = step[0]
    if kind == "book":
        _kind, slug, days, at_hour = step
        book_appointment(
            patient=patient.patient_profile,
            procedure=clinic.procedure(slug),
            start=at(today + dt.timedelta(days=days), at_hour),
            booked_by=patient,
            channel=Appointment.Channel.WEB,
        )
    elif kind == "move":
        _kind, number, days, at_hour = step
        if (appointment := _pick(patient, number)) is not None:
            move_appointment(
                appointment=appointment,
                start=at(today + dt.timedelta(days=days), at_hour),
                by=receptionist,
            )
    elif kind == "cancel":
        if (appointment := _pick(patient, step[1])) is not None:
            cancel_appointment(appointment=appointment, by=receptionist, reason="property")
    elif kind == "approve":
        if (appointment := _pick(patient, step[1])) is not None:
            approve_booking_review(appointment=appointment, by=practitioner)
    elif kind == "intake":
        give_baseline_intake(patient, on=today, **_answers(step[1], today))
    elif kind == "complete":
        confirmed = [a for a in _holding(patient) if a.status == S.CONFIRMED]
        if confirmed:
            first = confirmed[0]
            # The clock moves on to the session (and stays there for the later steps).
            clock.enter_context(
                time_machine.travel(first.start + dt.timedelta(minutes=5), tick=False)
            )
            check_in(appointment=first, by=receptionist, nothing_changed=True)
            complete_appointment(appointment=first, by=receptionist)


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=7))
def test_no_confirmed_appointment_fires_an_unapproved_code_after_any_step(
    clinic_setup: Clinic,
    patient: User,
    practitioner: User,
    receptionist: User,
    django_settings: Any,
    steps: list[tuple[Any, ...]],
) -> None:
    with contextlib.suppress(_Rollback), transaction.atomic(), contextlib.ExitStack() as clock:
        clock.enter_context(time_machine.travel(NOW, tick=False))
        ready(patient, "peel")
        for number, one in enumerate(steps):
            # A refusal is an outcome (the services own their transactions, as for a page).
            with contextlib.suppress(DomainError):
                _run(
                    one,
                    clinic=clinic_setup,
                    patient=patient,
                    practitioner=practitioner,
                    receptionist=receptionist,
                    clock=clock,
                )
            violations = _violations(patient)
            assert not violations, f"after step {number} {one} of {steps}: {violations}"
        raise _Rollback


@pytest.fixture
def django_settings(settings: Any) -> Any:
    """Completing needs no signed chart here (the chart is not what is tested)."""
    settings.COMPLETE_REQUIRES_SIGNED_CHART = False
    return settings
