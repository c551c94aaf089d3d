"""Screening, second edition: washouts, prerequisites, new procedures, corrections (pure).

Every washout row at its boundary in both directions (N - 1 days fires, N does not),
sessions on the same day, several sessions at once, every prerequisite window's edges,
the new procedures and the three corrections, every example of examples-v2.md, and
that no other sessions keep the first edition's verdicts. Slugs resolve from the
built-in data here (no database); the database-backed tables have their own tests.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procedures.errors import AnswerError
from procedures.intake import SCAR_TYPES, baseline_answers
from procedures.rules import RULES, SessionCode, code_label
from procedures.screening import (
    CATALOGUE_SESSION_RULES,
    Outcome,
    ProcedureRules,
    rules_for,
    screen,
    set_rules_loader,
)
from procedures.sessions import NO_SESSION_RULES
from procedures.verdicts import OtherSession
from procedures.washouts_data import PREREQUISITES, WASHOUT_GROUPS, WASHOUTS, WashoutEntry

from .expected_catalogue import EXPECTED

ON = dt.date(2025, 6, 15)
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
SLUGS = [e.slug for e in EXPECTED]
WASHOUT = SessionCode.WASHOUT.value
WASHOUT_REVIEW = SessionCode.WASHOUT_REVIEW.value
MISSING = SessionCode.PREREQUISITE_MISSING.value
BOOKED = SessionCode.PREREQUISITE_BOOKED.value
NEEDS_CONSULTATION = sorted(p.procedure for p in PREREQUISITES if p.requires == "consultation")


@pytest.fixture(autouse=True)
def _catalogue_rules() -> Iterator[None]:
    previous = set_rules_loader(None)
    yield
    set_rules_loader(previous)


def day(offset: int) -> dt.date:
    """`ON` moved by `offset` days: negative before, positive after."""
    return ON + dt.timedelta(days=offset)


def before(days: int, slug: str, *, done: bool = True) -> tuple[str, dt.date, bool]:
    return (slug, day(-days), done)


def after(days: int, slug: str, *, done: bool = False) -> tuple[str, dt.date, bool]:
    return (slug, day(days), done)


CONSULTED = before(30, "consultation")


def baseline(**changes: Any) -> dict[str, Any]:
    return {**baseline_answers(on=ON), **changes}


def anyone(**changes: Any) -> dict[str, Any]:
    """Nothing declared, every scar type, a negative collagen test read long ago."""
    defaults = {
        "scar_types": list(SCAR_TYPES),
        "collagen_skin_test": "negative",
        "collagen_skin_test_read_on": day(-400),
    }
    return baseline(**(defaults | changes))


def codes(result: Any) -> set[str]:
    return set(result.blocking) | set(result.flags)


def washout_codes(result: Any) -> set[str]:
    return codes(result) & {WASHOUT, WASHOUT_REVIEW}


# --- examples-v2.md -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "slug", "others", "outcome", "blocking", "flags", "earliest"),
    [
        ({}, "fractional-laser", [before(45, "laser-resurfacing"), CONSULTED],
         "blocked", ("WASHOUT",), (), day(45)),
        ({}, "dermabrasion", [after(30, "microdermabrasion"), CONSULTED],
         "blocked", ("WASHOUT",), (), None),
        ({}, "laser-resurfacing", [before(10, "glycolic-peel"), CONSULTED],
         "review", (), ("WASHOUT_REVIEW",), None),
        ({}, "laser-resurfacing", [before(1, "phototherapy"), CONSULTED],
         "ok", (), (), None),
        ({}, "rf-microneedling", [before(10, "hyaluronic-filler"), CONSULTED],
         "blocked", ("WASHOUT",), ("WASHOUT_REVIEW",), day(4)),
        ({"topical_retinoid_last_used": day(-3)}, "laser-resurfacing",
         [before(10, "punch-excision"), CONSULTED],
         "blocked", ("PRECARE_TOPICAL_RETINOID", "WASHOUT"), (), day(11)),
        ({}, "laser-resurfacing", [before(400, "consultation")],
         "blocked", ("PREREQUISITE_MISSING",), (), None),
        ({}, "laser-resurfacing", [before(7, "consultation", done=False)],
         "review", (), ("PREREQUISITE_BOOKED",), None),
        ({}, "hyaluronic-filler-touch-up",
         [before(10, "hyaluronic-filler"), before(60, "consultation")],
         "blocked", ("PREREQUISITE_MISSING",), (), day(4)),
        ({"pacemaker": True}, "rf-microneedling", [CONSULTED],
         "blocked", ("PACEMAKER",), (), None),
        ({"isotretinoin": "stopped", "isotretinoin_stopped_on": day(-270)}, "subcision",
         [CONSULTED], "ok", (), (), None),
        ({"pregnant": "yes"}, "salicylic-peel", [CONSULTED],
         "blocked", ("PREGNANCY",), (), None),
    ],
)  # fmt: skip
def test_examples_v2(
    changes: dict[str, Any],
    slug: str,
    others: list[tuple[str, dt.date, bool]],
    outcome: str,
    blocking: tuple[str, ...],
    flags: tuple[str, ...],
    earliest: dt.date | None,
) -> None:
    result = screen(slug, baseline(**changes), on=ON, other_sessions=others)
    assert (result.outcome, result.blocking, result.flags) == (outcome, blocking, flags)
    assert result.earliest_date == earliest
    if earliest is not None:
        later = screen(slug, baseline(**changes), on=earliest, other_sessions=others)
        assert later.outcome != Outcome.BLOCKED


# --- every washout row at its boundary, both directions -----------------------------------

# Two procedures of each group: a row between a group and itself needs two different ones.
MEMBERS = {group.code: group.procedures for group in WASHOUT_GROUPS}


def pair(row: WashoutEntry) -> tuple[str, str]:
    """An earlier and a later procedure the row covers, and no procedure-specific row too."""
    earlier = MEMBERS[row.earlier_group][0]
    if row.later_procedure is not None:
        return earlier, row.later_procedure
    candidates = [
        slug
        for slug in MEMBERS[row.later_group or ""]
        if slug != earlier
        # rf-microneedling has its own row after fillers; keep the group row alone.
        and not any(w.later_procedure == slug for w in WASHOUTS)
    ]
    return earlier, candidates[0]


def row_id(row: WashoutEntry) -> str:
    later = row.later_group or row.later_procedure
    return f"{row.earlier_group}->{later}-{row.days}-{'abs' if row.absolute else 'rel'}"


def prior_for(slug: str) -> list[tuple[str, dt.date, bool]]:
    """What a procedure needs before it and fires no washout: a consultation, a filler."""
    if slug == "hyaluronic-filler-touch-up":
        return [CONSULTED, before(20, "hyaluronic-filler")]
    return [CONSULTED]


def code_of(row: WashoutEntry) -> str:
    return WASHOUT if row.absolute else WASHOUT_REVIEW


def own_rows(earlier: str, later: str) -> set[str]:
    """The washout codes the table gives this ordered pair (several rows may cover it)."""
    group_of = CATALOGUE_SESSION_RULES.group_of
    return {
        code_of(row)
        for row in WASHOUTS
        if row.earlier_group == group_of(earlier)
        and (row.later_group == group_of(later) or row.later_procedure == later)
    }


@pytest.mark.parametrize("row", WASHOUTS, ids=row_id)
def test_an_earlier_session_fires_until_its_days_have_passed(row: WashoutEntry) -> None:
    earlier, later = pair(row)
    fires = screen(
        later,
        anyone(),
        on=ON,
        other_sessions=[*prior_for(later), before(row.days - 1, earlier)],
    )
    assert code_of(row) in codes(fires)
    finding = next(f for f in fires.findings if f.code == code_of(row) and f.clears_on == day(1))
    assert finding.session == OtherSession(earlier, day(1 - row.days), True)
    assert finding.latest_date is None
    if row.absolute and not fires.flags:
        assert fires.earliest_date == day(1)
    clear = screen(
        later, anyone(), on=ON, other_sessions=[*prior_for(later), before(row.days, earlier)]
    )
    assert code_of(row) not in codes(clear)


@pytest.mark.parametrize("row", WASHOUTS, ids=row_id)
def test_a_later_session_fires_until_it_is_far_enough(row: WashoutEntry) -> None:
    earlier, later = pair(row)
    fires = screen(
        earlier,
        anyone(),
        on=ON,
        other_sessions=[*prior_for(earlier), after(row.days - 1, later)],
    )
    assert code_of(row) in codes(fires)
    finding = next(f for f in fires.findings if f.code == code_of(row))
    assert finding.session == OtherSession(later, day(row.days - 1), False)
    assert finding.latest_date == day(-1)
    assert finding.clears_on is None
    assert fires.earliest_date is None  # waiting makes a later session closer
    clear = screen(
        earlier, anyone(), on=ON, other_sessions=[*prior_for(earlier), after(row.days, later)]
    )
    assert code_of(row) not in codes(clear)


@pytest.mark.parametrize("row", WASHOUTS, ids=row_id)
def test_a_done_later_session_counts_like_a_booked_one(row: WashoutEntry) -> None:
    earlier, later = pair(row)
    result = screen(
        earlier,
        anyone(),
        on=ON,
        other_sessions=[*prior_for(earlier), after(row.days - 1, later, done=True)],
    )
    assert code_of(row) in codes(result)


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("glycolic-peel", "mesotherapy"),  # mesotherapy has no group
        ("mesotherapy", "laser-resurfacing"),
        ("consultation", "laser-resurfacing"),
        ("phototherapy", "laser-resurfacing"),  # no row has light as the earlier group
        ("hyaluronic-filler", "glycolic-peel"),  # filler -> superficial: no row
        ("hyaluronic-filler", "hyaluronic-filler-touch-up"),  # filler -> filler: no row
        ("tca-cross", "hyaluronic-filler"),  # focal -> filler: no row
        ("tca-cross", "subcision"),  # focal -> focal: no row
        ("glycolic-peel", "salicylic-peel"),  # superficial -> superficial: no row
    ],
)
def test_pairs_without_a_row_never_fire(earlier: str, later: str) -> None:
    for days in (0, 1, 13, 100):
        result = screen(
            later,
            anyone(),
            on=ON,
            other_sessions=[*prior_for(later), before(days, earlier)],
        )
        if days == 0:  # the same day is also checked the other way round
            assert washout_codes(result) == own_rows(later, earlier)
        else:
            assert not washout_codes(result), days


def test_the_same_procedure_is_never_a_washout() -> None:
    result = screen(
        "fractional-laser",
        anyone(),
        on=ON,
        other_sessions=[CONSULTED, before(1, "fractional-laser"), after(1, "fractional-laser")],
    )
    assert result.outcome == Outcome.OK
    assert result.findings == ()


def test_two_rows_of_one_pair_fire_each_on_their_own() -> None:
    result = screen(
        "rf-microneedling", anyone(), on=ON, other_sessions=[CONSULTED, before(100, "fat-transfer")]
    )
    # 100 days: the absolute 14 days are over, the relative 182 are not.
    assert (result.outcome, result.blocking, result.flags) == ("review", (), (WASHOUT_REVIEW,))
    (finding,) = result.findings
    assert finding.clears_on == day(82)


# --- the same day ---------------------------------------------------------------------------


def test_a_same_day_session_is_checked_both_ways() -> None:
    result = screen(
        "fractional-laser",
        anyone(),
        on=ON,
        other_sessions=[CONSULTED, ("laser-resurfacing", ON, True)],
    )
    # deep -> fractional (90) as the earlier one, fractional -> deep (28) as the later one.
    assert result.blocking == (WASHOUT,)
    forward, reverse = result.findings
    assert (forward.clears_on, forward.latest_date) == (day(90), None)
    assert reverse.latest_date == day(-28)
    # For the earliest date it counts as the earlier session.
    assert reverse.clears_on == day(90)
    assert result.earliest_date == day(90)


def test_a_same_day_session_with_only_the_reverse_row_gives_no_date() -> None:
    result = screen(
        "laser-resurfacing",
        anyone(),
        on=ON,
        other_sessions=[CONSULTED, ("phototherapy", ON, False)],
    )
    assert result.blocking == (WASHOUT,)  # deep -> light, 90 days, the laser before the light
    assert result.earliest_date is None


def test_a_same_day_session_clears_with_its_forward_rows_even_relative_ones() -> None:
    result = screen(
        "laser-resurfacing",
        anyone(),
        on=ON,
        other_sessions=[CONSULTED, ("glycolic-peel", ON, True)],
    )
    # superficial -> deep is relative (14), deep -> superficial absolute (90).
    assert (result.blocking, result.flags) == ((WASHOUT,), (WASHOUT_REVIEW,))
    assert result.earliest_date == day(14)
    assert (
        screen(
            "laser-resurfacing",
            anyone(),
            on=day(14),
            other_sessions=[CONSULTED, ("glycolic-peel", ON, True)],
        ).outcome
        == Outcome.OK
    )


# --- several sessions at once ---------------------------------------------------------------


def test_several_sessions_are_each_a_finding_and_each_code_is_reported_once() -> None:
    others = [
        CONSULTED,
        before(45, "laser-resurfacing"),  # deep -> fractional: 90 absolute, clears + 45
        before(20, "dermabrasion"),  # deep -> fractional: 90 absolute, clears + 70
        before(5, "glycolic-peel"),  # superficial -> fractional: 14 relative
        before(3, "salicylic-peel"),  # superficial -> fractional: 14 relative
    ]
    result = screen("fractional-laser", anyone(), on=ON, other_sessions=others)
    assert (result.blocking, result.flags) == ((WASHOUT,), (WASHOUT_REVIEW,))
    assert [(f.code, f.session.slug) for f in result.findings if f.session] == [
        (WASHOUT, "laser-resurfacing"),
        (WASHOUT, "dermabrasion"),
        (WASHOUT_REVIEW, "glycolic-peel"),
        (WASHOUT_REVIEW, "salicylic-peel"),
    ]
    assert result.earliest_date == day(70)  # the later of the clearing dates


def test_a_later_session_among_earlier_ones_takes_the_date_away() -> None:
    # fractional -> superficial needs 28 days: the microdermabrasion 20 days on fires.
    others = [CONSULTED, before(45, "laser-resurfacing"), after(20, "microdermabrasion")]
    result = screen("fractional-laser", anyone(), on=ON, other_sessions=others)
    assert result.blocking == (WASHOUT,)
    assert len(result.findings) == 2
    assert result.earliest_date is None


def test_a_session_passed_on_the_way_is_checked_on_the_new_date() -> None:
    # The laser clears at + 45. A microneedling booked at + 30 does not fire now (30 days
    # after: fractional -> fractional needs 28), but on + 45 it is 15 days before: the
    # date moves on to + 58.
    others = [CONSULTED, before(45, "laser-resurfacing"), after(30, "microneedling")]
    result = screen("fractional-laser", anyone(), on=ON, other_sessions=others)
    assert result.blocking == (WASHOUT,)
    assert len(result.findings) == 1
    assert result.earliest_date == day(58)
    assert screen("fractional-laser", anyone(), on=day(57), other_sessions=others).blocked
    assert not screen("fractional-laser", anyone(), on=day(58), other_sessions=others).blocked


def test_a_focal_session_passed_on_the_way_moves_the_date_again() -> None:
    # TCA CROSS at + 40 is 40 days after now (fine), 5 days before + 45 (focal ->
    # fractional, 14 absolute): the date is + 54.
    others = [CONSULTED, before(45, "laser-resurfacing"), after(40, "tca-cross")]
    result = screen("fractional-laser", anyone(), on=ON, other_sessions=others)
    assert result.earliest_date == day(54)
    assert screen("fractional-laser", anyone(), on=day(53), other_sessions=others).blocked


# --- prerequisites --------------------------------------------------------------------------


@pytest.mark.parametrize("slug", NEEDS_CONSULTATION)
@pytest.mark.parametrize(
    ("session", "code"),
    [
        (None, MISSING),
        (before(0, "consultation"), None),  # the same day, done
        (before(364, "consultation"), None),
        (before(365, "consultation"), MISSING),
        (after(1, "consultation", done=True), MISSING),  # done after the date: not before it
        (after(1, "consultation"), MISSING),
        (before(0, "consultation", done=False), BOOKED),
        (before(364, "consultation", done=False), BOOKED),
        (before(365, "consultation", done=False), MISSING),
    ],
)
def test_the_consultation_window(
    slug: str, session: tuple[str, dt.date, bool] | None, code: str | None
) -> None:
    result = screen(slug, anyone(), on=ON, other_sessions=[session] if session else [])
    prerequisite_codes = codes(result) & {MISSING, BOOKED}
    assert prerequisite_codes == ({code} if code else set())
    if code == MISSING:
        assert result.outcome == Outcome.BLOCKED
        assert result.remedy_procedure == "consultation"
        assert result.earliest_date is None  # waiting does not bring a consultation
        finding = next(f for f in result.findings if f.code == MISSING)
        assert finding.remedy_procedure == "consultation"
    else:
        assert result.remedy_procedure is None
    if code == BOOKED:
        assert result.outcome == Outcome.REVIEW
        (finding,) = (f for f in result.findings if f.code == BOOKED)
        assert finding.session == OtherSession(*session)


@pytest.mark.parametrize("slug", [e.slug for e in EXPECTED if e.slug not in NEEDS_CONSULTATION])
def test_procedures_without_a_prerequisite_need_no_consultation(slug: str) -> None:
    result = screen(slug, anyone(), on=ON, other_sessions=prior_for(slug)[1:])
    assert not codes(result) & {MISSING, BOOKED}


def test_two_booked_consultations_are_one_code_and_two_findings() -> None:
    result = screen(
        "laser-resurfacing",
        anyone(),
        on=ON,
        other_sessions=[
            before(3, "consultation", done=False),
            before(2, "consultation", done=False),
        ],
    )
    assert (result.outcome, result.flags) == ("review", (BOOKED,))
    assert [f.session.date for f in result.findings] == [day(-3), day(-2)]


TOUCH_UP = "hyaluronic-filler-touch-up"


@pytest.mark.parametrize(
    ("fillers", "code", "earliest"),
    [
        ([], MISSING, None),
        ([before(13, "hyaluronic-filler")], MISSING, day(1)),
        ([before(14, "hyaluronic-filler")], None, None),
        ([before(30, "hyaluronic-filler")], None, None),
        ([before(31, "hyaluronic-filler")], MISSING, None),
        ([before(0, "hyaluronic-filler")], MISSING, day(14)),  # the same day included
        ([before(20, "hyaluronic-filler", done=False)], BOOKED, None),
        ([before(5, "hyaluronic-filler", done=False)], MISSING, day(9)),
        ([before(10, "hyaluronic-filler"), before(40, "hyaluronic-filler")], MISSING, day(4)),
        ([before(3, "hyaluronic-filler"), before(10, "hyaluronic-filler")], MISSING, day(4)),
        ([after(1, "hyaluronic-filler")], MISSING, None),  # a filler after it does not count
        ([before(40, "hyaluronic-filler"), before(20, "hyaluronic-filler")], None, None),
    ],
)
def test_the_touch_up_window(
    fillers: list[tuple[str, dt.date, bool]], code: str | None, earliest: dt.date | None
) -> None:
    # No consultation: the touch-up does not need one of its own.
    result = screen(TOUCH_UP, anyone(), on=ON, other_sessions=fillers)
    assert codes(result) & {MISSING, BOOKED} == ({code} if code else set())
    assert result.earliest_date == earliest
    assert result.remedy_procedure is None  # waiting or a filler, never "book the filler"
    if earliest is not None:
        assert screen(TOUCH_UP, anyone(), on=earliest, other_sessions=fillers).outcome != "blocked"
        day_before = earliest - dt.timedelta(days=1)
        assert screen(TOUCH_UP, anyone(), on=day_before, other_sessions=fillers).blocked


# --- the new procedures ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["PACEMAKER", "METAL_IMPLANTS_FACE"])
def test_rf_microneedling_refuses_implants_and_mechanical_microneedling_does_not(code: str) -> None:
    key = {"PACEMAKER": "pacemaker", "METAL_IMPLANTS_FACE": "metal_implants_face"}[code]
    rf = screen("rf-microneedling", anyone(**{key: True}), on=ON, other_sessions=[CONSULTED])
    assert rf.blocking == (code,)
    mechanical = screen("microneedling", anyone(**{key: True}), on=ON)
    assert mechanical.outcome == Outcome.OK


def test_rf_microneedling_is_otherwise_microneedling() -> None:
    rf, mechanical = rules_for("rf-microneedling"), rules_for("microneedling")
    assert rf.absolute - mechanical.absolute == {"PACEMAKER", "METAL_IMPLANTS_FACE"}
    assert rf.relative == mechanical.relative
    assert rf.retinoid_window_days == mechanical.retinoid_window_days == 7
    assert (rf.interval_min_days, rf.interval_max_days, rf.sessions_max) == (28, 42, 4)
    assert rf.washout_group == mechanical.washout_group == "fractional"
    assert mechanical.prerequisites == ()  # only the RF one needs a consultation
    assert [p.requires for p in rf.prerequisites] == ["consultation"]


def test_the_touch_up_has_its_own_interval_and_no_session_limit() -> None:
    filler = before(20, "hyaluronic-filler")
    too_soon = screen(
        TOUCH_UP,
        anyone(),
        on=ON,
        last_session_on=day(-181),
        sessions_done=3,
        other_sessions=[filler],
    )
    assert too_soon.blocking == ("REPEAT_TOO_SOON",)
    assert too_soon.earliest_date == day(1)
    again = screen(
        TOUCH_UP,
        anyone(),
        on=ON,
        last_session_on=day(-182),
        sessions_done=9,
        other_sessions=[filler],
    )
    assert again.outcome == Outcome.OK  # no COURSE_LIMIT_REACHED


def test_the_touch_up_is_not_a_filler_session_for_the_filler() -> None:
    # A touch-up 10 days ago neither counts as the filler's last session nor washes out.
    result = screen(
        "hyaluronic-filler", anyone(), on=ON, other_sessions=[CONSULTED, before(10, TOUCH_UP)]
    )
    assert result.outcome == Outcome.OK
    assert rules_for(TOUCH_UP).absolute == rules_for("hyaluronic-filler").absolute


# --- the corrections ------------------------------------------------------------------------

STOPPED_100 = {"isotretinoin": "stopped", "isotretinoin_stopped_on": day(-100)}
STOPPED_270 = {"isotretinoin": "stopped", "isotretinoin_stopped_on": day(-270)}


@pytest.mark.parametrize(
    ("slug", "changes", "outcome", "blocking", "flags"),
    [
        ("subcision", {"isotretinoin": "current"}, "review", (), ("ISOTRETINOIN_LT6M",)),
        ("subcision", STOPPED_100, "review", (), ("ISOTRETINOIN_LT6M",)),
        ("subcision", STOPPED_270, "ok", (), ()),
        ("microdermabrasion", {"isotretinoin": "current"}, "review", (), ("ISOTRETINOIN_LT6M",)),
        ("microdermabrasion", STOPPED_100, "review", (), ("ISOTRETINOIN_LT6M",)),
        ("salicylic-peel", {"pregnant": "yes"}, "blocked", ("PREGNANCY",), ()),
        ("salicylic-peel", {"pregnant": "possibly"}, "review", (), ("PREGNANCY_POSSIBLE",)),
        ("salicylic-peel", {"breastfeeding": True}, "review", (), ("LACTATION",)),
        ("glycolic-peel", {"pregnant": "yes"}, "review", (), ("PREGNANCY",)),
        ("glycolic-peel", {"breastfeeding": True}, "ok", (), ()),
    ],
)
def test_the_corrections(
    slug: str,
    changes: dict[str, Any],
    outcome: str,
    blocking: tuple[str, ...],
    flags: tuple[str, ...],
) -> None:
    result = screen(slug, anyone(**changes), on=ON, other_sessions=[CONSULTED])
    assert (result.outcome, result.blocking, result.flags) == (outcome, blocking, flags)


def test_the_corrections_keep_the_other_codes() -> None:
    assert (
        "ISOTRETINOIN_6_12M"
        not in rules_for("subcision").absolute | rules_for("subcision").relative
    )
    assert rules_for("glycolic-peel").relative >= {"PREGNANCY", "PREGNANCY_POSSIBLE"}
    assert "LACTATION" not in rules_for("glycolic-peel").relative


# --- no other sessions: the first edition -------------------------------------------------


def first_edition(rules: ProcedureRules) -> ProcedureRules:
    """The same procedure without anything of the second edition's tables."""
    return replace(rules, prerequisites=(), sessions=NO_SESSION_RULES)


def same_verdict(one: Any, other: Any) -> bool:
    return (one.outcome, one.blocking, one.flags, one.earliest_date) == (
        other.outcome,
        other.blocking,
        other.flags,
        other.earliest_date,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    slug=st.sampled_from(SLUGS),
    changes=st.fixed_dictionaries(
        {},
        optional={
            "pregnant": st.sampled_from(["no", "yes", "possibly"]),
            "isotretinoin": st.just("current"),
            "topical_retinoid_last_used": st.integers(0, 30).map(lambda n: day(-n)),
            "rosacea": st.booleans(),
            "diabetes": st.booleans(),
            "pacemaker": st.booleans(),
            "scar_types": st.lists(st.sampled_from(SCAR_TYPES), max_size=2),
        },
    ),
    last=st.one_of(st.none(), st.integers(0, 400)),
    done=st.integers(0, 8),
)
def test_no_other_sessions_keep_the_first_editions_verdict(
    slug: str, changes: dict[str, Any], last: int | None, done: int
) -> None:
    rules = rules_for(slug)
    history = {"last_session_on": None if last is None else day(-last), "sessions_done": done}
    now = screen(rules, anyone(**changes), on=ON, **history)
    then = screen(first_edition(rules), anyone(**changes), on=ON, **history)
    if not rules.prerequisites:
        assert same_verdict(now, then)
        return
    # Only the prerequisite is new: it blocks, and nothing else changed.
    assert MISSING in now.blocking
    assert now.outcome == Outcome.BLOCKED
    assert [c for c in now.blocking if c != MISSING] == list(then.blocking)
    assert now.flags == then.flags
    # With the prerequisite met, the verdict is the first edition's (the touch-up's filler
    # window closes within 30 days: a later date may find it gone, so no date compares).
    met = screen(rules, anyone(**changes), on=ON, other_sessions=prior_for(slug), **history)
    assert (met.outcome, met.blocking, met.flags) == (then.outcome, then.blocking, then.flags)
    if slug != TOUCH_UP:
        assert met.earliest_date == then.earliest_date


# --- properties with other sessions -------------------------------------------------------

OTHER_SESSIONS = st.lists(
    st.tuples(st.sampled_from(SLUGS), st.integers(-200, 200).map(day), st.booleans()),
    max_size=6,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    slug=st.sampled_from(SLUGS),
    others=OTHER_SESSIONS,
    retinoid=st.one_of(st.none(), st.integers(0, 20)),
)
def test_any_other_sessions_give_a_consistent_verdict(
    slug: str, others: list[tuple[str, dt.date, bool]], retinoid: int | None
) -> None:
    answers = anyone(topical_retinoid_last_used=None if retinoid is None else day(-retinoid))
    result = screen(slug, answers, on=ON, other_sessions=others)
    assert (result.outcome == Outcome.BLOCKED) == bool(result.blocking)
    assert tuple(dict.fromkeys(f.code for f in result.findings)) == result.blocking + result.flags
    for finding in result.findings:
        if finding.code in {WASHOUT, WASHOUT_REVIEW}:
            session = finding.session
            assert session is not None
            assert session.slug != slug
            if session.date < ON:
                assert finding.clears_on is not None
                assert finding.clears_on > ON
            if finding.latest_date is not None:
                assert finding.latest_date < session.date
    if result.remedy_procedure is not None:
        assert MISSING in result.blocking
    if result.earliest_date is not None:
        assert result.earliest_date > ON
        later = screen(slug, answers, on=result.earliest_date, other_sessions=others)
        assert later.outcome != Outcome.BLOCKED
    # The order the sessions come in changes nothing.
    again = screen(slug, answers, on=ON, other_sessions=list(reversed(others)))
    assert same_verdict(result, again)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("others", "field"),
    [
        ("consultation", "other_sessions"),
        ({"slug": "consultation"}, "other_sessions"),
        (42, "other_sessions"),
        ([("consultation", ON)], "other_sessions.0"),
        (["consultation"], "other_sessions.0"),
        ([CONSULTED, (1, ON, True)], "other_sessions.1.slug"),
        ([("", ON, True)], "other_sessions.0.slug"),
        ([("consultation", "2025-06-01", True)], "other_sessions.0.date"),
        ([("consultation", dt.datetime(2025, 6, 1, tzinfo=dt.UTC), True)], "other_sessions.0.date"),
        ([("consultation", dt.date(1800, 1, 1), True)], "other_sessions.0.date"),
        ([("consultation", ON, 1)], "other_sessions.0.done"),
        ([("consultation", ON, "yes")], "other_sessions.0.done"),
        ([CONSULTED] * 501, "other_sessions"),
    ],
)
def test_bad_other_sessions_name_the_entry(others: Any, field: str) -> None:
    with pytest.raises(AnswerError) as caught:
        screen("laser-resurfacing", anyone(), on=ON, other_sessions=others)
    assert caught.value.field == field


def test_other_sessions_may_be_any_iterable_of_triples() -> None:
    sessions = (s for s in [OtherSession("consultation", day(-1), True)])
    assert screen("laser-resurfacing", anyone(), on=ON, other_sessions=sessions).outcome == "ok"


def test_an_unknown_slug_among_the_other_sessions_relates_to_nothing() -> None:
    result = screen(
        "laser-resurfacing", anyone(), on=ON, other_sessions=[CONSULTED, before(1, "tattoo")]
    )
    assert result.outcome == Outcome.OK


# --- what the findings say ------------------------------------------------------------------


def test_washout_sentences_name_the_session_and_its_dates() -> None:
    result = screen(
        "fractional-laser",
        anyone(),
        on=ON,
        other_sessions=[CONSULTED, before(45, "laser-resurfacing"), after(20, "glycolic-peel")],
    )
    earlier, later = result.findings
    with translation.override("en"):
        assert str(earlier.patient_message) == (
            "Your session of “Laser resurfacing, full ablative (CO2 / Er:YAG)” on May 1, 2025 "
            "needs time to heal before this procedure: it can follow from July 30, 2025."
        )
        assert "Deep resurfacing" in str(earlier.clinical_message)
        assert "90 days" in str(earlier.clinical_message)
        assert str(later.patient_message) == (
            "You have a session of “Glycolic acid peel (superficial)” on July 5, 2025: this "
            "procedure would leave too little time to heal before it. The latest date that "
            "fits is June 7, 2025."
        )
        assert "28 days" in str(later.clinical_message)
    with translation.override("ru"):
        assert "Абляционная лазерная шлифовка" in str(earlier.patient_message)
        assert "30 июля 2025" in str(earlier.patient_message)
        assert "Глубокая шлифовка" in str(earlier.clinical_message)
        assert "Гликолевый пилинг" in str(later.patient_message)
        assert "7 июня 2025" in str(later.patient_message)


def test_prerequisite_sentences_in_both_languages() -> None:
    missing = screen("laser-resurfacing", anyone(), on=ON)
    booked = screen(
        "laser-resurfacing", anyone(), on=ON, other_sessions=[before(7, "consultation", done=False)]
    )
    touch_up = screen(TOUCH_UP, anyone(), on=ON)
    with translation.override("en"):
        assert str(missing.findings[0].patient_message) == (
            "This procedure needs a “Consultation and skin assessment” first, done between "
            "June 16, 2024 and June 15, 2025: please book one before it."
        )
        assert "0 to 364 days" in str(missing.findings[0].clinical_message)
        assert "June 8, 2025" in str(booked.findings[0].patient_message)
        assert "Hyaluronic acid filler" in str(touch_up.findings[0].patient_message)
        assert "May 16, 2025 and June 1, 2025" in str(touch_up.findings[0].patient_message)
    with translation.override("ru"):
        for result in (missing, booked, touch_up):
            for finding in result.findings:
                for message in (finding.patient_message, finding.clinical_message):
                    assert CYRILLIC.search(str(message)), str(message)
        assert "Консультация" in str(missing.findings[0].patient_message)
        assert "16 июня 2024" in str(missing.findings[0].patient_message)


def test_session_codes_have_labels_and_no_answer_keys() -> None:
    result = screen(
        "laser-resurfacing", anyone(), on=ON, other_sessions=[before(1, "glycolic-peel")]
    )
    for finding in result.findings:
        assert finding.keys == ()
        assert finding.label == code_label(finding.code) != finding.code
    assert code_label("ROSACEA") == str(RULES["ROSACEA"].label)
    assert code_label("NOT_A_CODE") == "NOT_A_CODE"
    with translation.override("ru"):
        assert code_label(WASHOUT) != "Too close to another treatment"


def test_the_result_to_dict_carries_sessions_dates_and_the_remedy() -> None:
    data = screen(
        "fractional-laser", anyone(), on=ON, other_sessions=[before(45, "laser-resurfacing")]
    ).to_dict()
    assert data["blocking"] == [WASHOUT, MISSING]
    assert data["remedy_procedure"] == "consultation"
    assert data["earliest_date"] is None  # the consultation is not time-bound
    washout, missing = data["findings"]
    assert washout["session"] == {
        "procedure": "laser-resurfacing",
        "date": "2025-05-01",
        "done": True,
    }
    assert (washout["clears_on"], washout["latest_date"]) == ("2025-07-30", None)
    assert missing["session"] is None
    assert missing["remedy_procedure"] == "consultation"
