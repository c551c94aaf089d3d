"""Every rule code of rules.md, firing and not firing at its boundary."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils.functional import Promise

from procedures.intake import ANSWER_KEYS, baseline_answers, validate_answers
from procedures.rules import RULES, RuleCode, RuleContext, age_on, can_fire

ON = dt.date(2025, 6, 15)

# rules.md, in its order.
RULE_CODES = (
    "INFLAMMATION_ACTIVE",
    "HERPES_ACTIVE",
    "HERPES_HISTORY",
    "SKIN_DISEASE_ACTIVE",
    "WOUND",
    "BURN_FROSTBITE",
    "ROSACEA",
    "DIABETES",
    "ENDOCRINE_OTHER",
    "CARDIOVASCULAR",
    "PACEMAKER",
    "ONCOLOGY",
    "MENTAL_ILLNESS",
    "EPILEPSY",
    "HEPATIC_RENAL",
    "G6PD_DEFICIENCY",
    "PREGNANCY",
    "PREGNANCY_POSSIBLE",
    "LACTATION",
    "MENSTRUATION",
    "AGE_UNDER_18",
    "ISOTRETINOIN_LT6M",
    "ISOTRETINOIN_6_12M",
    "PRECARE_TOPICAL_RETINOID",
    "PHOTOSENSITISING_DRUGS",
    "ANTICOAGULANTS",
    "BLEEDING_DISORDER",
    "AUTOIMMUNE_ACTIVE",
    "AUTOIMMUNE_STABLE",
    "ALLERGY_HYALURONIC",
    "ALLERGY_LIDOCAINE",
    "ALLERGY_BOVINE_COLLAGEN",
    "PRECARE_COLLAGEN_SKIN_TEST",
    "KELOID_TENDENCY",
    "FITZ_IV_VI",
    "FITZ_V_VI",
    "PIH_HISTORY",
    "RECENT_TAN",
    "DRY_SKIN",
    "COMBINATION_SKIN",
    "COLD_INTOLERANCE",
    "METAL_IMPLANTS_FACE",
    "RECENT_FACIAL_SURGERY",
    "SCAR_TYPE_NOT_INDICATED",
    "REPEAT_TOO_SOON",
    "COURSE_GAP_EXCEEDED",
    "COURSE_LIMIT_REACHED",
)

# The yes/no answer each simple rule reads.
FLAG_RULES = {
    "INFLAMMATION_ACTIVE": "active_inflammation",
    "HERPES_ACTIVE": "herpes_active",
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


def days_before(days: int, on: dt.date = ON) -> dt.date:
    return on - dt.timedelta(days=days)


def answers(on: dt.date = ON, **changes: Any) -> dict[str, Any]:
    return validate_answers({**baseline_answers(on=on), **changes}, on=on)


def fires(code: str, changes: dict[str, Any], on: dt.date = ON, **ctx: Any) -> bool:
    return RULES[code].fires(answers(on, **changes), RuleContext(on=on, **ctx))


def test_rule_codes_are_those_of_rules_md_in_order() -> None:
    assert tuple(RULES) == RULE_CODES
    assert tuple(RuleCode.values) == RULE_CODES


@pytest.mark.parametrize("code", RULE_CODES)
def test_rule_has_label_messages_and_known_keys(code: str) -> None:
    rule = RULES[code]
    assert rule.code == code
    assert set(rule.keys) <= set(ANSWER_KEYS)
    assert rule.keys or rule.uses_history
    for message in (rule.patient_message, rule.patient_review_message, rule.clinical_message):
        assert isinstance(message, Promise)
        assert str(message).strip()
    assert rule.patient_message != rule.patient_review_message
    assert str(rule.label)


def test_pregnancy_message_is_the_documented_sentence() -> None:
    assert str(RULES["PREGNANCY"].patient_message) == (
        "You told us you are pregnant: this procedure cannot be done during pregnancy."
    )


@pytest.mark.parametrize(("code", "key"), FLAG_RULES.items())
def test_flag_rule_fires_on_its_answer_only(code: str, key: str) -> None:
    assert fires(code, {key: True})
    assert not fires(code, {key: False})
    assert key in RULES[code].keys


def stopped(days: int) -> dict[str, Any]:
    """Answers: isotretinoin stopped `days` before ON."""
    return {"isotretinoin": "stopped", "isotretinoin_stopped_on": days_before(days)}


def retinoid(days: int) -> dict[str, Any]:
    return {"topical_retinoid_last_used": days_before(days)}


def skin_test(status: str, days: int) -> dict[str, Any]:
    return {"collagen_skin_test": status, "collagen_skin_test_read_on": days_before(days)}


def window(days: int | None) -> dict[str, Any]:
    return {"retinoid_window_days": days}


def last(days: int | None, *, minimum: int | None = None, **more: Any) -> dict[str, Any]:
    """History context: last session `days` before ON (None: never)."""
    last_on = None if days is None else days_before(days)
    return {"last_session_on": last_on, "interval_min_days": minimum, **more}


def gap(days: int | None, done: int, maximum: int | None = 21, limit: int | None = 8) -> dict:
    return last(days, sessions_done=done, interval_max_days=maximum, sessions_max=limit)


ONLY_ROLLING = {"indicated_scar_types": frozenset({"rolling"})}

# (code, answer changes, context, fires?) - every non-flag rule at its boundaries.
BOUNDARY_CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    # HERPES_HISTORY: history and not active.
    ("HERPES_HISTORY", {"herpes_history": True}, {}, True),
    ("HERPES_HISTORY", {"herpes_history": True, "herpes_active": True}, {}, False),
    ("HERPES_HISTORY", {"herpes_active": True}, {}, False),
    # Pregnancy answers.
    ("PREGNANCY", {"pregnant": "yes"}, {}, True),
    ("PREGNANCY", {"pregnant": "possibly"}, {}, False),
    ("PREGNANCY", {"pregnant": "no"}, {}, False),
    ("PREGNANCY_POSSIBLE", {"pregnant": "possibly"}, {}, True),
    ("PREGNANCY_POSSIBLE", {"pregnant": "yes"}, {}, False),
    ("PREGNANCY_POSSIBLE", {"pregnant": "no"}, {}, False),
    # Isotretinoin: fewer than 182 days, then 182 to 364, then nothing.
    ("ISOTRETINOIN_LT6M", {"isotretinoin": "current"}, {}, True),
    ("ISOTRETINOIN_LT6M", {"isotretinoin": "never"}, {}, False),
    ("ISOTRETINOIN_LT6M", stopped(0), {}, True),
    ("ISOTRETINOIN_LT6M", stopped(181), {}, True),
    ("ISOTRETINOIN_LT6M", stopped(182), {}, False),
    ("ISOTRETINOIN_6_12M", stopped(181), {}, False),
    ("ISOTRETINOIN_6_12M", stopped(182), {}, True),
    ("ISOTRETINOIN_6_12M", stopped(364), {}, True),
    ("ISOTRETINOIN_6_12M", stopped(365), {}, False),
    ("ISOTRETINOIN_6_12M", {"isotretinoin": "current"}, {}, False),
    ("ISOTRETINOIN_6_12M", {"isotretinoin": "never"}, {}, False),
    # Topical retinoids: strictly fewer days than the procedure's window.
    ("PRECARE_TOPICAL_RETINOID", retinoid(13), window(14), True),
    ("PRECARE_TOPICAL_RETINOID", retinoid(14), window(14), False),
    ("PRECARE_TOPICAL_RETINOID", retinoid(6), window(7), True),
    ("PRECARE_TOPICAL_RETINOID", retinoid(7), window(7), False),
    ("PRECARE_TOPICAL_RETINOID", retinoid(1), window(2), True),
    ("PRECARE_TOPICAL_RETINOID", retinoid(2), window(2), False),
    ("PRECARE_TOPICAL_RETINOID", retinoid(0), window(2), True),
    ("PRECARE_TOPICAL_RETINOID", {"topical_retinoid_last_used": None}, window(14), False),
    ("PRECARE_TOPICAL_RETINOID", retinoid(1), window(None), False),
    # Autoimmune.
    ("AUTOIMMUNE_ACTIVE", {"autoimmune": "active"}, {}, True),
    ("AUTOIMMUNE_ACTIVE", {"autoimmune": "stable"}, {}, False),
    ("AUTOIMMUNE_STABLE", {"autoimmune": "stable"}, {}, True),
    ("AUTOIMMUNE_STABLE", {"autoimmune": "active"}, {}, False),
    ("AUTOIMMUNE_STABLE", {"autoimmune": "none"}, {}, False),
    # Allergies and the collagen skin test (read at least 28 days before).
    ("ALLERGY_HYALURONIC", {"allergies": ["hyaluronic_acid"]}, {}, True),
    ("ALLERGY_HYALURONIC", {"allergies": ["lidocaine", "bovine_collagen"]}, {}, False),
    ("ALLERGY_LIDOCAINE", {"allergies": ["lidocaine"]}, {}, True),
    ("ALLERGY_LIDOCAINE", {"allergies": []}, {}, False),
    ("ALLERGY_BOVINE_COLLAGEN", {"allergies": ["bovine_collagen"]}, {}, True),
    ("ALLERGY_BOVINE_COLLAGEN", skin_test("positive", 40), {}, True),
    ("ALLERGY_BOVINE_COLLAGEN", skin_test("negative", 40), {}, False),
    ("ALLERGY_BOVINE_COLLAGEN", {}, {}, False),
    ("PRECARE_COLLAGEN_SKIN_TEST", {"collagen_skin_test": "not_done"}, {}, True),
    ("PRECARE_COLLAGEN_SKIN_TEST", skin_test("negative", 27), {}, True),
    ("PRECARE_COLLAGEN_SKIN_TEST", skin_test("negative", 28), {}, False),
    ("PRECARE_COLLAGEN_SKIN_TEST", skin_test("positive", 5), {}, False),
    # Phototype and skin type.
    ("FITZ_IV_VI", {"fitzpatrick": "III"}, {}, False),
    ("FITZ_IV_VI", {"fitzpatrick": "IV"}, {}, True),
    ("FITZ_IV_VI", {"fitzpatrick": "V"}, {}, True),
    ("FITZ_IV_VI", {"fitzpatrick": "VI"}, {}, True),
    ("FITZ_V_VI", {"fitzpatrick": "IV"}, {}, False),
    ("FITZ_V_VI", {"fitzpatrick": "V"}, {}, True),
    ("FITZ_V_VI", {"fitzpatrick": "VI"}, {}, True),
    ("FITZ_V_VI", {"fitzpatrick": "I"}, {}, False),
    ("DRY_SKIN", {"skin_type": "dry"}, {}, True),
    ("DRY_SKIN", {"skin_type": "combination"}, {}, False),
    ("COMBINATION_SKIN", {"skin_type": "combination"}, {}, True),
    ("COMBINATION_SKIN", {"skin_type": "oily"}, {}, False),
    # Scar types: none of the recorded types indicated (an empty answer fires too).
    ("SCAR_TYPE_NOT_INDICATED", {"scar_types": ["icepick"]}, ONLY_ROLLING, True),
    ("SCAR_TYPE_NOT_INDICATED", {"scar_types": ["icepick", "rolling"]}, ONLY_ROLLING, False),
    ("SCAR_TYPE_NOT_INDICATED", {"scar_types": []}, ONLY_ROLLING, True),
    ("SCAR_TYPE_NOT_INDICATED", {"scar_types": []}, {}, True),
    ("SCAR_TYPE_NOT_INDICATED", {"scar_types": ["keloid"]}, {}, False),
    # History: the minimum interval, strictly.
    ("REPEAT_TOO_SOON", {}, last(13, minimum=14), True),
    ("REPEAT_TOO_SOON", {}, last(14, minimum=14), False),
    ("REPEAT_TOO_SOON", {}, last(181, minimum=182), True),
    ("REPEAT_TOO_SOON", {}, last(182, minimum=182), False),
    ("REPEAT_TOO_SOON", {}, last(None, minimum=14), False),
    ("REPEAT_TOO_SOON", {}, last(1, minimum=None), False),
    # History: a gap longer than the maximum interval, mid-course.
    ("COURSE_GAP_EXCEEDED", {}, gap(22, done=1), True),
    ("COURSE_GAP_EXCEEDED", {}, gap(21, done=1), False),
    ("COURSE_GAP_EXCEEDED", {}, gap(99, done=7), True),
    ("COURSE_GAP_EXCEEDED", {}, gap(99, done=8), False),
    ("COURSE_GAP_EXCEEDED", {}, gap(99, done=0), False),
    ("COURSE_GAP_EXCEEDED", {}, gap(None, done=3), False),
    ("COURSE_GAP_EXCEEDED", {}, gap(99, done=3, maximum=None), False),
    ("COURSE_GAP_EXCEEDED", {}, gap(99, done=3, limit=None), True),
    # History: the course's session limit.
    ("COURSE_LIMIT_REACHED", {}, {"sessions_done": 8, "sessions_max": 8}, True),
    ("COURSE_LIMIT_REACHED", {}, {"sessions_done": 9, "sessions_max": 8}, True),
    ("COURSE_LIMIT_REACHED", {}, {"sessions_done": 7, "sessions_max": 8}, False),
    ("COURSE_LIMIT_REACHED", {}, {"sessions_done": 1, "sessions_max": 1}, True),
    ("COURSE_LIMIT_REACHED", {}, {"sessions_done": 0, "sessions_max": 1}, False),
    ("COURSE_LIMIT_REACHED", {}, {"sessions_done": 100, "sessions_max": None}, False),
]


@pytest.mark.parametrize(("code", "changes", "ctx", "expected"), BOUNDARY_CASES)
def test_rule_boundaries(
    code: str, changes: dict[str, Any], ctx: dict[str, Any], expected: bool
) -> None:
    assert fires(code, changes, **ctx) is expected


def test_every_rule_code_has_a_firing_and_a_quiet_case() -> None:
    # A guard on the tables of this module, so a new rule code cannot go untested.
    seen: dict[str, set[bool]] = {code: {True, False} for code in FLAG_RULES}
    seen["AGE_UNDER_18"] = {True, False}  # test_age_under_18
    for code, _changes, _ctx, expected in BOUNDARY_CASES:
        seen.setdefault(code, set()).add(expected)
    assert {code for code, outcomes in seen.items() if outcomes == {True, False}} == set(RULE_CODES)


def _birthday(years_ago: int, on: dt.date = ON) -> dt.date:
    return on.replace(year=on.year - years_ago)


@pytest.mark.parametrize(
    ("date_of_birth", "on", "expected"),
    [
        (_birthday(18), ON, False),  # the 18th birthday itself
        (_birthday(18) + dt.timedelta(days=1), ON, True),  # the day before the 18th birthday
        (_birthday(17), ON, True),
        (_birthday(30), ON, False),
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), True),  # no 29 Feb in 2026: still 17
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), False),
        (dt.date(2008, 2, 29), dt.date(2028, 2, 28), False),
        (dt.date(2007, 3, 1), dt.date(2025, 2, 28), True),
        (dt.date(2007, 3, 1), dt.date(2025, 3, 1), False),
        (ON, ON, True),  # born today
    ],
)
def test_age_under_18(date_of_birth: dt.date, on: dt.date, expected: bool) -> None:
    assert fires("AGE_UNDER_18", {"date_of_birth": date_of_birth}, on=on) is expected


@pytest.mark.parametrize(
    ("date_of_birth", "on", "age"),
    [
        (dt.date(2000, 6, 15), dt.date(2025, 6, 15), 25),
        (dt.date(2000, 6, 16), dt.date(2025, 6, 15), 24),
        (dt.date(2000, 2, 29), dt.date(2025, 2, 28), 24),
        (dt.date(2000, 2, 29), dt.date(2025, 3, 1), 25),
        (dt.date(2000, 2, 29), dt.date(2024, 2, 29), 24),
        (dt.date(2000, 12, 31), dt.date(2001, 1, 1), 0),
    ],
)
def test_age_on_counts_calendar_years(date_of_birth: dt.date, on: dt.date, age: int) -> None:
    assert age_on(date_of_birth, on) == age


TIME_BOUND = {
    "REPEAT_TOO_SOON",
    "ISOTRETINOIN_LT6M",
    "ISOTRETINOIN_6_12M",
    "PRECARE_TOPICAL_RETINOID",
    "PRECARE_COLLAGEN_SKIN_TEST",
}


def test_time_bound_rules_are_exactly_the_documented_ones() -> None:
    assert {code for code, rule in RULES.items() if rule.time_bound} == TIME_BOUND


@pytest.mark.parametrize(
    ("code", "changes", "ctx", "clears_on"),
    [
        ("REPEAT_TOO_SOON", {}, last(14, minimum=14 + 14), days_before(-14)),
        ("REPEAT_TOO_SOON", {}, last(100, minimum=182), days_before(-82)),
        ("ISOTRETINOIN_LT6M", stopped(100), {}, days_before(-82)),
        ("ISOTRETINOIN_LT6M", {"isotretinoin": "current"}, {}, None),
        ("ISOTRETINOIN_6_12M", stopped(200), {}, days_before(-165)),
        ("PRECARE_TOPICAL_RETINOID", retinoid(5), window(14), days_before(-9)),
        ("PRECARE_TOPICAL_RETINOID", retinoid(1), window(2), days_before(-1)),
        ("PRECARE_COLLAGEN_SKIN_TEST", skin_test("negative", 14), {}, days_before(-14)),
        ("PRECARE_COLLAGEN_SKIN_TEST", {"collagen_skin_test": "not_done"}, {}, None),
    ],
)
def test_clear_date(
    code: str, changes: dict[str, Any], ctx: dict[str, Any], clears_on: dt.date | None
) -> None:
    rule = RULES[code]
    context = RuleContext(on=ON, **ctx)
    given = answers(**changes)
    assert rule.fires(given, context)
    assert rule.clear_date(given, context) == clears_on
    if clears_on is not None:
        # On the clear date the rule is quiet; the day before it still fires.
        assert not rule.fires(given, RuleContext(**{**ctx, "on": clears_on}))
        assert rule.fires(given, RuleContext(**{**ctx, "on": clears_on - dt.timedelta(days=1)}))


@pytest.mark.parametrize(
    ("code", "params", "expected"),
    [
        ("REPEAT_TOO_SOON", {"interval_min_days": None}, False),
        ("REPEAT_TOO_SOON", {"interval_min_days": 14}, True),
        ("COURSE_GAP_EXCEEDED", {"interval_max_days": None}, False),
        ("COURSE_GAP_EXCEEDED", {"interval_max_days": 21}, True),
        ("COURSE_LIMIT_REACHED", {"sessions_max": None}, False),
        ("COURSE_LIMIT_REACHED", {"sessions_max": 1}, True),
        ("PRECARE_TOPICAL_RETINOID", {"retinoid_window_days": None}, False),
        ("PRECARE_TOPICAL_RETINOID", {"retinoid_window_days": 7}, True),
        ("PREGNANCY", {}, True),
    ],
)
def test_can_fire(code: str, params: dict[str, int | None], expected: bool) -> None:
    base: dict[str, int | None] = {
        "interval_min_days": None,
        "interval_max_days": None,
        "sessions_max": None,
        "retinoid_window_days": None,
    }
    assert can_fire(code, **{**base, **params}) is expected
