"""Course windows: session k+1 between last + min and last + max interval days."""

import datetime as dt

import pytest

from procedures.courses import next_session_window, propose_course
from procedures.screening import ProcedureRules

PEEL = ProcedureRules(
    slug="glycolic-peel",
    absolute=frozenset(),
    relative=frozenset(),
    interval_min_days=14,
    interval_max_days=21,
    sessions_max=8,
)
FILLER = ProcedureRules(
    slug="hyaluronic-filler", absolute=frozenset(), relative=frozenset(), interval_min_days=182
)
LAST = dt.date(2026, 11, 25)


def test_first_session_has_an_open_window() -> None:
    window = next_session_window(PEEL, last_session_on=None, sessions_done=0)
    assert (window.session_number, window.opens_on, window.closes_on) == (1, None, None)
    assert window.contains(dt.date(2030, 1, 1))


@pytest.mark.parametrize(
    ("days_after", "inside"),
    [(13, False), (14, True), (21, True), (22, False)],
)
def test_peel_window_boundaries(days_after: int, inside: bool) -> None:
    window = next_session_window(PEEL, last_session_on=LAST, sessions_done=2)
    assert window.session_number == 3
    assert window.opens_on == dt.date(2026, 12, 9)
    assert window.closes_on == dt.date(2026, 12, 16)
    assert window.contains(LAST + dt.timedelta(days=days_after)) is inside


def test_course_limit_closes_the_window() -> None:
    window = next_session_window(PEEL, last_session_on=LAST, sessions_done=8)
    assert window.complete
    assert not window.contains(LAST + dt.timedelta(days=15))


def test_repeatable_filler_has_no_upper_bound() -> None:
    window = next_session_window(FILLER, last_session_on=LAST, sessions_done=5)
    assert not window.complete
    assert window.closes_on is None
    assert not window.contains(LAST + dt.timedelta(days=181))
    assert window.contains(LAST + dt.timedelta(days=182))
    assert window.contains(LAST + dt.timedelta(days=2000))


def test_propose_course_puts_each_session_in_the_middle_of_its_window() -> None:
    # Windows of 14 to 21 days: each session 17 days after the one before, so it can
    # move three days earlier or four later and stay inside its window.
    dates = propose_course(PEEL, first_on=dt.date(2026, 12, 1), sessions=3)
    assert dates == [dt.date(2026, 12, 1), dt.date(2026, 12, 18), dt.date(2027, 1, 4)]


@pytest.mark.parametrize(
    ("last_days_before", "aim"),
    [(None, None), (0, dt.date(2026, 12, 12))],
)
def test_the_aim_of_a_window(last_days_before: int | None, aim: dt.date | None) -> None:
    last = None if last_days_before is None else LAST
    window = next_session_window(PEEL, last_session_on=last, sessions_done=1 if last else 0)
    assert window.aim_on == aim
    filler = next_session_window(FILLER, last_session_on=LAST, sessions_done=1)
    assert filler.aim_on == filler.opens_on  # no upper bound: its opening


def test_propose_course_respects_history_and_the_limit() -> None:
    dates = propose_course(
        PEEL, first_on=dt.date(2026, 11, 30), sessions=5, last_session_on=LAST, sessions_done=6
    )
    # Session 7 cannot be before 9 December; session 8, the last of the course, aims at
    # the middle of its window.
    assert dates == [dt.date(2026, 12, 9), dt.date(2026, 12, 26)]
