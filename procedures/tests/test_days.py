"""Which days a patient may book, and the sentences that say why the others are left out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procedures.days import OwnHistory, check_days, explain_left_out
from procedures.intake import baseline_answers
from procedures.screening import screen, screen_days, set_rules_loader

ON = dt.date(2026, 3, 2)
CONSULTED = ("consultation", ON - dt.timedelta(days=30), True)


@pytest.fixture(autouse=True)
def _catalogue_rules() -> Iterator[None]:
    previous = set_rules_loader(None)
    yield
    set_rules_loader(previous)


def day(offset: int) -> dt.date:
    return ON + dt.timedelta(days=offset)


def answers(**changes: Any) -> dict[str, Any]:
    return {**baseline_answers(on=ON), **changes}


def month() -> list[dt.date]:
    return [day(n) for n in range(31)]


def allowed(checks: Any) -> list[int]:
    return [(check.day - ON).days for check in checks if check.allowed]


# --- the history of a session on a day --------------------------------------------------


def test_booked_sessions_count_as_done_after_the_course() -> None:
    own = OwnHistory(course_last_on=day(-20), course_done=2, booked=(day(-25), day(5), day(19)))
    assert own.on(day(0)) == (day(-20), 2)  # the -25 one is in the course already
    assert own.on(day(5)) == (day(-20), 2)  # the same day is not before it
    assert own.on(day(6)) == (day(5), 3)
    assert own.on(day(30)) == (day(19), 4)
    assert own.next_from(day(5)) == day(5)
    assert own.next_from(day(6)) == day(19)
    assert own.next_from(day(20)) is None


# --- the days ---------------------------------------------------------------------------


def test_a_peel_course_window_leaves_out_the_days_before_it_opens() -> None:
    own = OwnHistory(course_last_on=day(-4), course_done=1)
    checks = check_days("glycolic-peel", answers(), days=month(), own=own)
    # The window opens 14 days after the last session: day 10. After day 17 it is
    # "review" (the gap is too long), still offered.
    assert allowed(checks) == list(range(10, 31))
    assert checks[11].result.outcome == "ok"
    assert checks[20].result.flags == ("COURSE_GAP_EXCEEDED",)
    with translation.override("en"):
        (sentence,) = (str(s) for s in explain_left_out("glycolic-peel", checks, own=own))
    assert sentence == "Your next session can be booked between March 12, 2026 and March 19, 2026."


def test_a_later_own_session_closes_the_days_too_close_before_it() -> None:
    own = OwnHistory(course_last_on=day(-30), course_done=1, booked=(day(20),))
    checks = check_days("glycolic-peel", answers(), days=month(), own=own)
    # From day 7 the session on day 20 would come less than 14 days after; from day 21
    # on, the session on day 20 is the last one and the next window opens on day 34.
    assert allowed(checks) == list(range(7))
    assert checks[10].too_close_to_later_session
    assert checks[10].latest_fitting == day(6)
    with translation.override("en"):
        sentences = [str(s) for s in explain_left_out("glycolic-peel", checks, own=own)]
    assert sentences == [
        "Your next session can be booked between April 5, 2026 and April 12, 2026.",
        "Your session on March 22, 2026 needs at least 14 days before it: dates up to "
        "March 8, 2026 fit.",
    ]


def test_the_own_sessions_move_the_window_as_they_pass() -> None:
    # A booked session on day 2: after it, the next one is 14 days later.
    own = OwnHistory(course_last_on=day(-30), course_done=1, booked=(day(2),))
    checks = check_days("glycolic-peel", answers(), days=month(), own=own)
    assert allowed(checks) == [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]
    assert not checks[0].allowed  # too close before the session on day 2
    assert not checks[3].allowed  # too soon after it


def test_washouts_leave_out_days_and_say_why_once() -> None:
    others = [CONSULTED, ("laser-resurfacing", day(-80), True)]
    checks = check_days("fractional-laser", answers(), days=month(), other_sessions=others)
    assert allowed(checks) == list(range(10, 31))  # deep -> fractional: 90 days
    with translation.override("en"):
        sentences = [str(s) for s in explain_left_out("fractional-laser", checks)]
    assert len(sentences) == 1
    assert "it can follow from March 12, 2026" in sentences[0]


def test_a_missing_consultation_leaves_out_every_day() -> None:
    checks = check_days("laser-resurfacing", answers(), days=month())
    assert allowed(checks) == []
    assert all(check.result.remedy_procedure == "consultation" for check in checks)
    assert len(explain_left_out("laser-resurfacing", checks)) == 1


def test_nothing_left_out_says_nothing() -> None:
    checks = check_days("vacuum-cleaning", answers(), days=month())
    assert allowed(checks) == list(range(31))
    assert explain_left_out("vacuum-cleaning", checks) == []


def test_review_days_are_offered() -> None:
    checks = check_days("vacuum-cleaning", answers(diabetes=True), days=[ON])
    assert checks[0].result.outcome == "review"
    assert checks[0].allowed


# --- screen_days is screen, day by day ------------------------------------------------------

SLUGS = ["glycolic-peel", "fractional-laser", "hyaluronic-filler", "rf-microneedling", "subcision"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    slug=st.sampled_from(SLUGS),
    course=st.one_of(st.none(), st.tuples(st.integers(1, 200), st.integers(1, 5))),
    booked=st.lists(st.integers(-60, 60), max_size=3, unique=True),
    others=st.lists(
        st.tuples(
            st.sampled_from(["consultation", "laser-resurfacing", "glycolic-peel", "tca-cross"]),
            st.integers(-120, 120),
            st.booleans(),
        ),
        max_size=4,
    ),
    retinoid=st.one_of(st.none(), st.integers(0, 20)),
)
def test_screen_days_says_what_screen_says_for_each_day(
    slug: str,
    course: tuple[int, int] | None,
    booked: list[int],
    others: list[tuple[str, int, bool]],
    retinoid: int | None,
) -> None:
    own = OwnHistory(
        course_last_on=day(-course[0]) if course else None,
        course_done=course[1] if course else 0,
        booked=tuple(day(n) for n in booked),
    )
    sessions = [(s, day(n), done) for s, n, done in others]
    given_answers = answers(topical_retinoid_last_used=None if retinoid is None else day(-retinoid))
    days = [day(n) for n in range(0, 40, 3)]
    many = screen_days(slug, given_answers, days=days, history_on=own.on, other_sessions=sessions)
    for one_day in days:
        last, done = own.on(one_day)
        single = screen(
            slug,
            given_answers,
            on=one_day,
            last_session_on=last,
            sessions_done=done,
            other_sessions=sessions,
        )
        assert many[one_day] == single


def test_screen_days_of_no_days() -> None:
    assert screen_days("glycolic-peel", answers(), days=[]) == {}


# --- never a date gone by --------------------------------------------------------------------


def test_a_latest_date_in_the_past_is_never_offered() -> None:
    # The microdermabrasion on day 20 needs the dermabrasion 90 days before: by day -70.
    result = screen(
        "dermabrasion",
        answers(),
        on=ON,
        other_sessions=[CONSULTED, ("microdermabrasion", day(20), False)],
    )
    (finding,) = result.findings
    assert finding.latest_date == day(-70)
    with translation.override("en"):
        before = str(finding.patient_message_on(day(-71)))
        after = str(finding.patient_message_on(ON))
        assert "The latest date that fits is Dec. 22, 2025." in before
        assert "December" not in after
        assert "no date before it fits any more" in after
        assert [str(m) for m in result.messages_on(ON)] == [after]
