"""Screening: the worked examples, every catalogue row, earliest dates, bad input, the loader."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procedures.errors import AnswerError, DomainError
from procedures.intake import ANSWER_KEYS, QUESTIONS, Kind, baseline_answers
from procedures.rules import RULES
from procedures.screening import (
    Finding,
    Outcome,
    ProcedureRules,
    ScreeningResult,
    get_rules_loader,
    rules_for,
    screen,
    set_rules_loader,
)

from .expected_catalogue import EXPECTED, EXPECTED_BY_SLUG, Expected

ON = dt.date(2025, 6, 15)
SLUGS = [e.slug for e in EXPECTED]


def days_before(days: int, on: dt.date = ON) -> dt.date:
    return on - dt.timedelta(days=days)


def baseline(on: dt.date = ON, **changes: Any) -> dict[str, Any]:
    return {**baseline_answers(on=on), **changes}


# rules-v2.md: the first edition's cases of a procedure that needs a consultation pass one,
# done a month before, and keep their expectations; the touch-up also needs its filler.
CONSULTED = (("consultation", days_before(30), True),)
BEFORE = {"hyaluronic-filler-touch-up": (*CONSULTED, ("hyaluronic-filler", days_before(20), True))}


def prior(slug: str) -> tuple[tuple[str, dt.date, bool], ...]:
    """The other sessions a procedure needs before it: none fires a washout."""
    return BEFORE.get(slug, CONSULTED)


@pytest.fixture(autouse=True)
def _catalogue_rules() -> Iterator[None]:
    # Slugs resolve from the built-in catalogue data here, not through the
    # project's database loader, so these tests need no database.
    previous = set_rules_loader(None)
    yield
    set_rules_loader(previous)


# --- examples.md ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "history", "slug", "outcome", "blocking", "flags"),
    [
        ({}, {}, "hyaluronic-filler", "ok", (), ()),
        ({"pregnant": "yes"}, {}, "hyaluronic-filler", "blocked", ("PREGNANCY",), ()),
        ({"pregnant": "possibly"}, {}, "hyaluronic-filler", "review", (), ("PREGNANCY_POSSIBLE",)),
        (
            {
                "isotretinoin": "stopped",
                "scar_types": ["boxcar_shallow"],
                "isotretinoin_stopped_on": days_before(90),
            },
            {},
            "laser-resurfacing",
            "blocked",
            ("ISOTRETINOIN_LT6M",),
            (),
        ),
        ({"diabetes": True}, {}, "ozone-therapy", "blocked", ("DIABETES",), ()),
        (
            {"diabetes": True, "scar_types": ["boxcar_shallow"]},
            {},
            "vacuum-cleaning",
            "review",
            (),
            ("DIABETES",),
        ),
        ({"skin_type": "dry"}, {}, "cryo-massage", "blocked", ("DRY_SKIN",), ()),
        ({"active_inflammation": True}, {}, "phototherapy", "ok", (), ()),
        (
            {},
            {"last_session_on": days_before(120), "sessions_done": 1},
            "hyaluronic-filler",
            "blocked",
            ("REPEAT_TOO_SOON",),
            (),
        ),
        (
            {},
            {"last_session_on": days_before(30), "sessions_done": 2},
            "glycolic-peel",
            "review",
            (),
            ("COURSE_GAP_EXCEEDED",),
        ),
    ],
)
def test_worked_examples(
    changes: dict[str, Any],
    history: dict[str, Any],
    slug: str,
    outcome: str,
    blocking: tuple[str, ...],
    flags: tuple[str, ...],
) -> None:
    result = screen(slug, baseline(**changes), on=ON, other_sessions=CONSULTED, **history)
    assert (result.outcome, result.blocking, result.flags) == (outcome, blocking, flags)
    assert result.procedure == slug
    assert result.on == ON


def test_filler_example_offers_the_date_six_months_on() -> None:
    result = screen(
        "hyaluronic-filler",
        baseline(),
        on=ON,
        last_session_on=days_before(120),
        sessions_done=1,
        other_sessions=CONSULTED,
    )
    assert result.earliest_date == days_before(120) + dt.timedelta(days=182)


def test_filler_repeats_without_a_session_limit() -> None:
    result = screen(
        "hyaluronic-filler",
        baseline(),
        on=ON,
        last_session_on=days_before(182),
        sessions_done=5,
        other_sessions=CONSULTED,
    )
    assert result.outcome == Outcome.OK
    too_soon = screen(
        "hyaluronic-filler",
        baseline(),
        on=ON,
        last_session_on=days_before(181),
        sessions_done=5,
        other_sessions=CONSULTED,
    )
    assert too_soon.blocking == ("REPEAT_TOO_SOON",)


# --- every row of catalogue.md --------------------------------------------------------------------

FLAG_TRIGGERS = {
    "INFLAMMATION_ACTIVE": "active_inflammation",
    "HERPES_ACTIVE": "herpes_active",
    "HERPES_HISTORY": "herpes_history",
    "SKIN_DISEASE_ACTIVE": "skin_disease_active",
    "WOUND": "skin_wound",
    "BURN_FROSTBITE": "burn_or_frostbite",
    "ROSACEA": "rosacea",
    "DIABETES": "diabetes",
    "ENDOCRINE_OTHER": "endocrine_other",
    "CARDIOVASCULAR": "cardiovascular",
    "PACEMAKER": "pacemaker",
    "ONCOLOGY": "cancer",
    "MENTAL_ILLNESS": "mental_illness",
    "EPILEPSY": "epilepsy",
    "HEPATIC_RENAL": "liver_kidney_disease",
    "G6PD_DEFICIENCY": "g6pd_deficiency",
    "LACTATION": "breastfeeding",
    "MENSTRUATION": "menstruating",
    "PHOTOSENSITISING_DRUGS": "photosensitising_drugs",
    "ANTICOAGULANTS": "blood_thinners",
    "BLEEDING_DISORDER": "bleeding_disorder",
    "KELOID_TENDENCY": "keloid_tendency",
    "PIH_HISTORY": "pih_history",
    "RECENT_TAN": "recent_tan",
    "COLD_INTOLERANCE": "cold_intolerance",
    "METAL_IMPLANTS_FACE": "metal_implants_face",
    "RECENT_FACIAL_SURGERY": "recent_facial_surgery",
}
ANSWER_TRIGGERS: dict[str, dict[str, Any]] = {
    "PREGNANCY": {"pregnant": "yes"},
    "PREGNANCY_POSSIBLE": {"pregnant": "possibly"},
    "AGE_UNDER_18": {"date_of_birth": ON.replace(year=ON.year - 16)},
    "ISOTRETINOIN_LT6M": {"isotretinoin": "current"},
    "ISOTRETINOIN_6_12M": {"isotretinoin": "stopped", "isotretinoin_stopped_on": days_before(200)},
    "PRECARE_TOPICAL_RETINOID": {"topical_retinoid_last_used": days_before(1)},
    "AUTOIMMUNE_ACTIVE": {"autoimmune": "active"},
    "AUTOIMMUNE_STABLE": {"autoimmune": "stable"},
    "ALLERGY_HYALURONIC": {"allergies": ["hyaluronic_acid"]},
    "ALLERGY_LIDOCAINE": {"allergies": ["lidocaine"]},
    "ALLERGY_BOVINE_COLLAGEN": {"allergies": ["bovine_collagen"]},
    "PRECARE_COLLAGEN_SKIN_TEST": {
        "collagen_skin_test": "not_done",
        "collagen_skin_test_read_on": None,
    },
    "FITZ_IV_VI": {"fitzpatrick": "IV"},
    "FITZ_V_VI": {"fitzpatrick": "V"},
    "DRY_SKIN": {"skin_type": "dry"},
    "COMBINATION_SKIN": {"skin_type": "combination"},
    "SCAR_TYPE_NOT_INDICATED": {"scar_types": []},
}


def procedure_base(expected: Expected) -> dict[str, Any]:
    """A patient with nothing to declare and a scar the procedure treats."""
    return baseline(
        scar_types=[sorted(expected.scars)[0]],
        collagen_skin_test="negative",
        collagen_skin_test_read_on=days_before(60),
    )


def trigger(code: str, expected: Expected) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (answer changes, history) under which rule `code` fires for this procedure."""
    if code in FLAG_TRIGGERS:
        return {FLAG_TRIGGERS[code]: True}, {}
    if code in ANSWER_TRIGGERS:
        return ANSWER_TRIGGERS[code], {}
    if code == "REPEAT_TOO_SOON":
        return {}, {"last_session_on": days_before(1), "sessions_done": 0}
    if code == "COURSE_GAP_EXCEEDED":
        gap = (expected.interval[1] or 3650) + 1
        return {}, {"last_session_on": days_before(gap), "sessions_done": 1}
    if code == "COURSE_LIMIT_REACHED":
        return {}, {"sessions_done": expected.session_limit or 1000}
    raise AssertionError(f"no trigger for {code}")


def test_every_rule_code_has_a_trigger() -> None:
    assert {code for code in RULES if trigger(code, EXPECTED[1])} == RULES.keys()


@pytest.mark.parametrize("slug", SLUGS)
def test_catalogue_row(slug: str) -> None:
    expected = EXPECTED_BY_SLUG[slug]
    base = procedure_base(expected)
    assert screen(slug, base, on=ON, other_sessions=prior(slug)).outcome == Outcome.OK
    for code in RULES:
        changes, history = trigger(code, expected)
        result = screen(slug, {**base, **changes}, on=ON, other_sessions=prior(slug), **history)
        if code in expected.absolute:
            assert result.outcome == Outcome.BLOCKED, code
            assert code in result.blocking, code
            assert code not in result.flags, code
        elif code in expected.relative:
            assert (result.outcome, result.blocking) == (Outcome.REVIEW, ()), code
            assert code in result.flags, code
        else:
            assert code not in result.blocking + result.flags, code


def test_relative_rules_are_still_reported_when_blocked() -> None:
    result = screen(
        "laser-resurfacing",
        baseline(pregnant="yes", diabetes=True, recent_tan=True),
        on=ON,
        other_sessions=CONSULTED,
    )
    assert result.outcome == Outcome.BLOCKED
    assert result.blocking == ("PREGNANCY",)
    assert result.flags == ("DIABETES", "RECENT_TAN")
    assert [f.absolute for f in result.findings] == [True, False, False]
    assert result.findings[0].patient_message == RULES["PREGNANCY"].patient_message
    assert result.findings[1].patient_message == RULES["DIABETES"].patient_review_message


def test_consultation_is_always_ok() -> None:
    everything = baseline(
        pregnant="yes",
        active_inflammation=True,
        herpes_active=True,
        date_of_birth=days_before(365 * 10),
        scar_types=[],
        isotretinoin="current",
    )
    result = screen("consultation", everything, on=ON, last_session_on=ON, sessions_done=99)
    assert (result.outcome, result.findings) == (Outcome.OK, ())


# --- the earliest date ----------------------------------------------------------------------------


def stopped(days: int) -> dict[str, Any]:
    return {"isotretinoin": "stopped", "isotretinoin_stopped_on": days_before(days)}


@pytest.mark.parametrize(
    ("slug", "changes", "history", "earliest"),
    [
        # Two time-bound blockers: the later of their clear dates.
        ("laser-resurfacing", {"topical_retinoid_last_used": days_before(3), **stopped(100)}, {},
         days_before(-82)),
        ("laser-resurfacing", {"topical_retinoid_last_used": days_before(3)},
         {"last_session_on": days_before(10)}, days_before(-80)),
        ("laser-resurfacing", {"topical_retinoid_last_used": days_before(3)}, {},
         days_before(-11)),
        ("glycolic-peel", {"topical_retinoid_last_used": days_before(1)},
         {"last_session_on": days_before(13), "sessions_done": 1}, days_before(-1)),
        # One blocker that is not time-bound: no date to offer.
        ("laser-resurfacing", {"topical_retinoid_last_used": days_before(3), "pregnant": "yes"},
         {}, None),
        ("laser-resurfacing", {"isotretinoin": "current"}, {}, None),
        ("collagen-injection", {}, {}, None),  # skin test not done
        # A rule that takes over from another: under 6 months, then 6 to 12 months.
        ("phenol-peel", stopped(90), {}, days_before(90 - 365)),
        # Corrected by rules-v2.md: subcision has only a relative isotretinoin rule now.
        ("subcision", stopped(100), {}, None),
        ("subcision", stopped(300), {}, None),
        # The collagen skin test, read 28 days before.
        ("collagen-injection", {"collagen_skin_test": "negative",
                                "collagen_skin_test_read_on": days_before(10)}, {},
         days_before(-18)),
        # Not blocked: no earliest date.
        ("fractional-laser", {"isotretinoin": "current"}, {}, None),
        ("hyaluronic-filler", {}, {}, None),
    ],
)  # fmt: skip
def test_earliest_date(
    slug: str, changes: dict[str, Any], history: dict[str, Any], earliest: dt.date | None
) -> None:
    answers = baseline(**changes)
    result = screen(slug, answers, on=ON, other_sessions=CONSULTED, **history)
    assert result.earliest_date == earliest
    if earliest is not None:
        assert result.outcome == Outcome.BLOCKED
        # The offered date is free of blockers; the day before is not.
        later = screen(slug, answers, on=earliest, other_sessions=CONSULTED, **history)
        assert later.outcome != Outcome.BLOCKED
        day_before = earliest - dt.timedelta(days=1)
        earlier = screen(slug, answers, on=day_before, other_sessions=CONSULTED, **history)
        assert earlier.outcome == Outcome.BLOCKED


def test_finding_clear_dates() -> None:
    result = screen(
        "laser-resurfacing",
        baseline(topical_retinoid_last_used=days_before(3), **stopped(100)),
        on=ON,
        last_session_on=days_before(10),
        other_sessions=CONSULTED,
    )
    assert {f.code: f.clears_on for f in result.findings} == {
        "ISOTRETINOIN_LT6M": days_before(-82),
        "PRECARE_TOPICAL_RETINOID": days_before(-11),
        "REPEAT_TOO_SOON": days_before(-80),
    }
    assert result.earliest_date == days_before(-82)


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"last_session_on": ON + dt.timedelta(days=1)}, "last_session_on"),
        ({"last_session_on": "2025-06-01"}, "last_session_on"),
        ({"last_session_on": dt.datetime(2025, 6, 1, tzinfo=dt.UTC)}, "last_session_on"),
        ({"sessions_done": -1}, "sessions_done"),
        ({"sessions_done": True}, "sessions_done"),
        ({"sessions_done": 1.0}, "sessions_done"),
        ({"sessions_done": "2"}, "sessions_done"),
        ({"sessions_done": None}, "sessions_done"),
        ({"on": dt.datetime(2025, 6, 15, 10, 0, tzinfo=dt.UTC)}, "on"),
        ({"on": "2025-06-15"}, "on"),
    ],
)
def test_bad_history_or_date(kwargs: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"on": ON, **kwargs}
    with pytest.raises(AnswerError) as excinfo:
        screen("glycolic-peel", baseline(), **arguments)
    assert excinfo.value.field == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"diabetes": "yes"}, "diabetes"),
        ({"date_of_birth": "1990-01-01"}, "date_of_birth"),
        ({"topical_retinoid_last_used": ON + dt.timedelta(days=1)}, "topical_retinoid_last_used"),
        ({"isotretinoin": "stopped"}, "isotretinoin_stopped_on"),
    ],
)
def test_bad_answers(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(AnswerError) as excinfo:
        screen("glycolic-peel", baseline(**changes), on=ON)
    assert excinfo.value.field == field


def test_missing_key_is_an_answer_error() -> None:
    answers = baseline()
    del answers["rosacea"]
    with pytest.raises(AnswerError) as excinfo:
        screen("glycolic-peel", answers, on=ON)
    assert excinfo.value.field == "rosacea"


def test_a_man_needs_no_pregnancy_answers() -> None:
    answers = baseline(sex="male")
    for key in ("pregnant", "breastfeeding", "menstruating"):
        del answers[key]
    assert screen("ozone-therapy", answers, on=ON).outcome == Outcome.OK


def test_unknown_procedure() -> None:
    with pytest.raises(DomainError) as excinfo:
        screen("tattoo-removal", baseline(), on=ON)
    assert not isinstance(excinfo.value, AnswerError)
    assert (excinfo.value.code, excinfo.value.field) == ("unknown_procedure", "procedure")
    assert "tattoo-removal" in str(excinfo.value)


def test_something_that_is_not_a_procedure() -> None:
    with pytest.raises(TypeError):
        screen(42, baseline(), on=ON)


# --- how a procedure is given ---------------------------------------------------------------------

TOY = ProcedureRules(
    slug="toy",
    absolute=frozenset({"ROSACEA", "REPEAT_TOO_SOON"}),
    relative=frozenset({"DIABETES"}),
    interval_min_days=10,
)


def test_procedure_rules_directly() -> None:
    assert screen(TOY, baseline(rosacea=True), on=ON).blocking == ("ROSACEA",)
    assert screen(TOY, baseline(diabetes=True), on=ON).flags == ("DIABETES",)


def test_object_with_screening_rules() -> None:
    class Procedure:
        slug = "toy"

        def screening_rules(self) -> ProcedureRules:
            return TOY

    result = screen(Procedure(), baseline(), on=ON, last_session_on=days_before(3))
    assert (result.procedure, result.blocking) == ("toy", ("REPEAT_TOO_SOON",))
    assert result.earliest_date == days_before(-7)


def test_default_loader_reads_the_catalogue() -> None:
    assert rules_for("glycolic-peel").retinoid_window_days == 2
    assert rules_for("hyaluronic-filler").sessions_max is None
    assert rules_for("dermabrasion").sessions_max == 1


def test_set_rules_loader() -> None:
    calls: list[str] = []

    def loader(slug: str) -> ProcedureRules | None:
        calls.append(slug)
        return TOY if slug == "toy" else None

    previous = set_rules_loader(loader)
    assert screen("toy", baseline(rosacea=True), on=ON).blocking == ("ROSACEA",)
    with pytest.raises(DomainError) as excinfo:
        screen("glycolic-peel", baseline(), on=ON)
    assert excinfo.value.code == "unknown_procedure"
    assert calls == ["toy", "glycolic-peel"]
    assert get_rules_loader() is loader

    assert set_rules_loader(None) is loader
    assert get_rules_loader() is previous
    assert screen("glycolic-peel", baseline(), on=ON).outcome == Outcome.OK


@pytest.mark.parametrize("error", [KeyError("x"), LookupError("x"), ObjectDoesNotExist("x")])
def test_loader_errors_mean_unknown_procedure(error: Exception) -> None:
    def loader(slug: str) -> ProcedureRules | None:
        raise error

    set_rules_loader(loader)
    with pytest.raises(DomainError) as excinfo:
        screen("anything", baseline(), on=ON)
    assert excinfo.value.code == "unknown_procedure"


def test_loader_returning_something_else_is_a_bug() -> None:
    set_rules_loader(lambda slug: "not rules")
    with pytest.raises(TypeError):
        screen("anything", baseline(), on=ON)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"absolute": {"NOT_A_RULE"}, "relative": set()}, "unknown rule codes"),
        ({"absolute": {"PREGNANCY_POSSIBLE"}, "relative": set()}, "always relative"),
        ({"absolute": {"PRECARE_TOPICAL_RETINOID"}, "relative": set()}, "retinoid window"),
    ],
)
def test_procedure_rules_refuse_bad_data(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ProcedureRules(slug="bad", **kwargs)


def test_procedure_rules_normalise_their_sets() -> None:
    rules = ProcedureRules(
        slug="x",
        absolute=["ROSACEA"],
        relative=("ROSACEA", "DIABETES"),
        indicated_scar_types=["rolling"],
    )
    assert rules.absolute == frozenset({"ROSACEA"})
    assert rules.relative == frozenset({"DIABETES"})
    assert rules.indicated_scar_types == frozenset({"rolling"})


# --- the result -----------------------------------------------------------------------------------


def test_result_to_dict_is_json_ready() -> None:
    result = screen(
        "laser-resurfacing",
        baseline(topical_retinoid_last_used=days_before(3), herpes_history=True),
        on=ON,
        other_sessions=CONSULTED,
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert data["procedure"] == "laser-resurfacing"
    assert data["on"] == "2025-06-15"
    assert data["outcome"] == "blocked"
    assert data["blocking"] == ["PRECARE_TOPICAL_RETINOID"]
    assert data["flags"] == ["HERPES_HISTORY"]
    assert data["earliest_date"] == "2025-06-26"
    assert data["findings"][0]["clears_on"] == "2025-06-26"
    assert data["findings"][0]["absolute"] is True
    assert data["findings"][1]["clears_on"] is None
    assert data["messages"] == [
        str(RULES["PRECARE_TOPICAL_RETINOID"].patient_message),
        str(RULES["HERPES_HISTORY"].patient_review_message),
    ]
    assert len(result.messages) == 2


def test_finding_tells_the_review_screen_what_to_show() -> None:
    result = screen(
        "laser-resurfacing", baseline(blood_thinners=True), on=ON, other_sessions=CONSULTED
    )
    (finding,) = result.findings
    assert isinstance(finding, Finding)
    assert finding.keys == ("blood_thinners", "blood_thinners_which")
    assert finding.label == "Blood thinners"
    assert result.needs_review
    assert not result.blocked


# --- properties -----------------------------------------------------------------------------------

CHOICE_VALUES = sorted({v for q in QUESTIONS.values() for v in q.choice_values})
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.floats(allow_nan=True),
    st.text(max_size=6),
    st.sampled_from(CHOICE_VALUES),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.lists(st.sampled_from(CHOICE_VALUES), max_size=3),
    st.frozensets(st.sampled_from(CHOICE_VALUES), max_size=3),
    st.lists(st.one_of(st.integers(), st.none()), max_size=2),
    st.dictionaries(st.text(max_size=3), st.booleans(), max_size=2),
)
SCREEN_DATES = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    slug=st.sampled_from(SLUGS),
    on=SCREEN_DATES,
    changes=st.dictionaries(st.sampled_from((*ANSWER_KEYS, "unknown", "")), ANY_VALUE),
    dropped=st.sets(st.sampled_from(ANSWER_KEYS), max_size=3),
    last_session_on=st.one_of(st.none(), SCREEN_DATES, st.text(max_size=3)),
    sessions_done=st.one_of(st.integers(min_value=-2, max_value=12), st.booleans(), st.none()),
)
def test_any_answers_give_a_verdict_or_an_answer_error(
    slug: str,
    on: dt.date,
    changes: dict[str, Any],
    dropped: set[str],
    last_session_on: Any,
    sessions_done: Any,
) -> None:
    answers = {k: v for k, v in baseline(on, **changes).items() if k not in dropped}
    try:
        result = screen(
            slug, answers, on=on, last_session_on=last_session_on, sessions_done=sessions_done
        )
    except AnswerError as error:
        refused = error
    else:
        assert_consistent(result)
        return
    assert isinstance(refused.field, str)  # the key at fault (an unknown key may be "")


@settings(max_examples=200, deadline=None)
@given(answers=st.dictionaries(st.text(max_size=12), ANY_VALUE, max_size=6))
def test_arbitrary_dicts_are_refused_with_an_answer_error(answers: dict[str, Any]) -> None:
    with pytest.raises(AnswerError):
        screen("glycolic-peel", answers, on=ON)


def valid_answers(on: dt.date) -> st.SearchStrategy[dict[str, Any]]:
    """Complete, valid answers with dates up to two years before `on`."""
    past = st.dates(min_value=on - dt.timedelta(days=730), max_value=on)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for key, q in QUESTIONS.items():
        if q.kind is Kind.BOOL:
            fields[key] = st.booleans()
        elif q.kind is Kind.CHOICE:
            fields[key] = st.sampled_from(q.choice_values)
        elif q.kind is Kind.MULTI_CHOICE:
            fields[key] = st.frozensets(st.sampled_from(q.choice_values))
        elif q.kind is Kind.TEXT:
            fields[key] = st.text(max_size=20)
        elif q.kind is Kind.OPTIONAL_DATE:
            fields[key] = st.one_of(st.none(), past)
        else:
            fields[key] = past
    fields["date_of_birth"] = st.dates(
        min_value=on.replace(year=on.year - 80), max_value=on.replace(year=on.year - 10)
    )
    return st.fixed_dictionaries(fields)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    slug=st.sampled_from(SLUGS),
    answers=valid_answers(ON),
    last_session_days=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
    sessions_done=st.integers(min_value=0, max_value=12),
)
def test_valid_answers_always_give_a_consistent_verdict(
    slug: str, answers: dict[str, Any], last_session_days: int | None, sessions_done: int
) -> None:
    last = None if last_session_days is None else days_before(last_session_days)
    result = screen(slug, answers, on=ON, last_session_on=last, sessions_done=sessions_done)
    assert_consistent(result)
    if result.earliest_date is not None:
        later = screen(
            slug,
            answers,
            on=result.earliest_date,
            last_session_on=last,
            sessions_done=sessions_done,
        )
        assert later.outcome != Outcome.BLOCKED


def assert_consistent(result: ScreeningResult) -> None:
    assert result.outcome in Outcome.values
    assert (result.outcome == Outcome.BLOCKED) == bool(result.blocking)
    assert (result.outcome == Outcome.REVIEW) == (not result.blocking and bool(result.flags))
    assert not set(result.blocking) & set(result.flags)
    # Each code once, however many findings (other sessions) fired it.
    assert tuple(dict.fromkeys(f.code for f in result.findings)) == result.blocking + result.flags
    blocking = sum(f.absolute for f in result.findings)
    assert all(f.absolute for f in result.findings[:blocking])  # blocking reasons first
    if result.earliest_date is not None:
        assert result.outcome == Outcome.BLOCKED
        assert result.earliest_date > result.on
    json.dumps(result.to_dict())
