"""The transition table of the appointment lifecycle, and the statuses that hold time."""

import pytest

from patients.models.lifecycle import (
    HOLDING_STATUSES,
    SYSTEM_TRANSITIONS,
    TRANSITIONS,
    AppointmentStatus,
    TransitionNotAllowed,
    check_transition,
)

S = AppointmentStatus
ALLOWED = {
    (S.PENDING_REVIEW, S.CONFIRMED),
    (S.PENDING_REVIEW, S.DECLINED),
    (S.PENDING_REVIEW, S.CANCELLED),
    (S.CONFIRMED, S.CHECKED_IN),
    (S.CONFIRMED, S.NO_SHOW),
    (S.CONFIRMED, S.CANCELLED),
    (S.CHECKED_IN, S.COMPLETED),
    (S.CHECKED_IN, S.CANCELLED),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("wanted", list(S))
def test_only_the_listed_transitions_exist(current: str, wanted: str) -> None:
    if (current, wanted) in ALLOWED:
        check_transition(current, wanted)
    else:
        with pytest.raises(TransitionNotAllowed) as error:
            check_transition(current, wanted)
        assert error.value.code == "transition_not_allowed"


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("wanted", list(S))
def test_the_system_alone_sends_a_confirmed_appointment_back_to_review(
    current: str, wanted: str
) -> None:
    """A re-screening's edge (rules-v2.md section 6) exists for the system only."""
    if (current, wanted) in ALLOWED | {(S.CONFIRMED, S.PENDING_REVIEW)}:
        check_transition(current, wanted, system=True)
    else:
        with pytest.raises(TransitionNotAllowed):
            check_transition(current, wanted, system=True)
    assert {S.CONFIRMED: frozenset({S.PENDING_REVIEW})} == SYSTEM_TRANSITIONS


def test_every_status_is_in_the_table_and_active_ones_hold_time() -> None:
    assert set(TRANSITIONS) == set(S)
    assert {S.PENDING_REVIEW, S.CONFIRMED, S.CHECKED_IN} == HOLDING_STATUSES
