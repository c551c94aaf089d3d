"""Checking chart values against a parameter schema: a table of cases (no database)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from patients.records.treatment.parameters import (
    Parameter,
    ParameterErrors,
    check_values,
    format_value,
    missing_required,
    parameters_of,
)

SCHEMA: list[dict[str, Any]] = [
    {
        "key": "energy_mj",
        "label_en": "Energy",
        "label_ru": "Энергия",
        "kind": "number",
        "scope": "zone",
        "unit": "mJ",
        "minimum": "5",
        "maximum": "70",
        "decimal_places": 1,
        "required": True,
    },
    {
        "key": "passes",
        "label_en": "Passes",
        "kind": "number",
        "scope": "zone",
        "unit": "passes",
        "minimum": "1",
        "maximum": "4",
        "decimal_places": 0,
        "required": False,
    },
    {
        "key": "device",
        "label_en": "Device",
        "label_ru": "Аппарат",
        "kind": "choice",
        "scope": "session",
        "choices": [
            {"value": "co2", "en": "CO2", "ru": "CO2"},
            {"value": "er_yag", "en": "Er:YAG", "ru": "Эрбиевый"},
        ],
        "required": True,
    },
    {"key": "neutralised", "label_en": "Neutralised", "kind": "boolean", "scope": "session"},
    {"key": "note", "label_en": "Note", "kind": "text", "scope": "session"},
]
PARAMS = parameters_of(SCHEMA)
BY_KEY = {p.key: p for p in PARAMS}


def check(values: dict[str, Any], reasons: dict[str, Any] | None = None, **kw: Any) -> Any:
    return check_values(PARAMS, values, reasons, **kw)


def test_parameters_of_filters_by_scope() -> None:
    assert [p.key for p in parameters_of(SCHEMA, "zone")] == ["energy_mj", "passes"]
    assert [p.key for p in parameters_of(SCHEMA, "session")] == ["device", "neutralised", "note"]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("40", "40"),
        (40, "40"),
        ("12.5", "12.5"),
        ("12,5", "12.5"),  # as Russians write it
        (" 7 ", "7"),
        (Decimal("5"), "5"),
        ("70", "70"),  # the bounds are inside the range
        ("5.0", "5.0"),
    ],
)
def test_numbers_are_read_exactly_and_stored_as_text(raw: Any, stored: str) -> None:
    assert check({"energy_mj": raw}).values == {"energy_mj": stored}


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("energy_mj", "forty", "Give a number."),
        ("energy_mj", True, "Give a number."),
        ("energy_mj", "NaN", "Give a number."),
        ("energy_mj", "Infinity", "Give a number."),
        ("energy_mj", "1e9", "Give a number."),
        ("energy_mj", [1], "Give a number."),
        ("energy_mj", "12.25", "Give at most 1 decimal places."),
        ("passes", "1.5", "Give a whole number."),
        ("device", "ruby", "Choose one of the options."),
        ("device", 3, "Choose one of the options."),
        ("neutralised", "maybe", "Answer yes or no."),
        ("note", 12, "Give a text."),
        ("note", "x" * 501, "Keep it under 500 characters."),
        ("bogus", "1", "This parameter is not part of the procedure's schema."),
    ],
)
def test_bad_values_are_refused_naming_the_parameter(key: str, raw: Any, message: str) -> None:
    with pytest.raises(ParameterErrors) as caught:
        check({key: raw})
    assert str(caught.value.errors[key]) == message
    assert caught.value.code == "invalid_parameters"
    assert caught.value.field == key


@pytest.mark.parametrize("raw", ["4.9", "70.1", "0", "-3"])
def test_out_of_range_needs_a_reason(raw: str) -> None:
    with pytest.raises(ParameterErrors) as caught:
        check({"energy_mj": raw})
    assert str(caught.value.errors["energy_mj"]) == (
        "Outside the usual range (5\u201370 mJ): give a reason."
    )
    checked = check({"energy_mj": raw}, {"energy_mj": "  deep boxcar scars, test spot tolerated "})
    assert checked.values == {"energy_mj": raw}
    assert checked.reasons == {"energy_mj": "deep boxcar scars, test spot tolerated"}
    assert checked.out_of_range == ("energy_mj",)


def test_a_blank_reason_is_no_reason_and_a_long_one_is_refused() -> None:
    with pytest.raises(ParameterErrors):
        check({"energy_mj": "90"}, {"energy_mj": "   "})
    with pytest.raises(ParameterErrors) as caught:
        check({"energy_mj": "90"}, {"energy_mj": "x" * 301})
    assert "300" in str(caught.value.errors["energy_mj"])


def test_a_reason_for_a_value_in_range_is_dropped() -> None:
    checked = check({"energy_mj": "40"}, {"energy_mj": "no need"})
    assert checked.reasons == {}
    assert checked.out_of_range == ()


@pytest.mark.parametrize(
    ("raw", "stored"),
    [(True, True), (False, False), ("yes", True), ("no", False), ("on", True), ("да", True)],
)
def test_booleans(raw: Any, stored: bool) -> None:
    assert check({"neutralised": raw}).values == {"neutralised": stored}


def test_missing_values_are_fine_while_filling_in_but_not_at_signing() -> None:
    assert check({}).values == {}
    assert check({"energy_mj": "", "device": None}).values == {}
    with pytest.raises(ParameterErrors) as caught:
        check({"passes": "2"}, complete=True)
    assert set(caught.value.errors) == {"energy_mj", "device"}
    assert str(caught.value.errors["device"]) == "This value is required."


def test_every_error_is_reported_at_once() -> None:
    with pytest.raises(ParameterErrors) as caught:
        check({"energy_mj": "900", "passes": "x", "device": "ruby", "zzz": 1})
    assert set(caught.value.errors) == {"energy_mj", "passes", "device", "zzz"}


def test_missing_required_lists_keys_without_a_value() -> None:
    assert missing_required(PARAMS, {"energy_mj": "40"}) == ["device"]
    assert missing_required(PARAMS, {"energy_mj": " ", "device": "co2"}) == ["energy_mj"]


@pytest.mark.parametrize(
    ("language", "key", "value", "shown"),
    [
        ("en", "energy_mj", "12.5", "12.5 mJ"),
        ("ru", "energy_mj", "12.5", "12,5 мДж"),
        ("en", "passes", "2", "2 passes"),
        ("en", "device", "er_yag", "Er:YAG"),
        ("ru", "device", "er_yag", "Эрбиевый"),
        ("en", "neutralised", True, "Yes"),
        ("ru", "neutralised", False, "Нет"),
        ("en", "note", "fine", "fine"),
        ("en", "energy_mj", "", ""),
    ],
)
def test_values_are_shown_with_their_units_in_the_active_language(
    language: str, key: str, value: Any, shown: str
) -> None:
    with translation.override(language):
        assert format_value(BY_KEY[key], value) == shown


def test_labels_and_ranges_follow_the_language() -> None:
    energy = BY_KEY["energy_mj"]
    with translation.override("ru"):
        assert energy.label == "Энергия"
        assert BY_KEY["passes"].label == "Passes"  # no Russian name: the English one
    assert energy.range_text == "5\u201370 mJ"
    assert Parameter.from_dict({**SCHEMA[0], "maximum": None}).range_text == "\u2265 5 mJ"
