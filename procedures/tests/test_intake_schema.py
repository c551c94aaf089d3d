"""The intake answer schema: keys, types, the baseline, validation and JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import models
from django.utils.functional import Promise

from procedures.errors import AnswerError, DomainError
from procedures.intake import (
    ANSWER_KEYS,
    ANSWER_SCHEMA_VERSION,
    GROUPS,
    QUESTIONS,
    Kind,
    answers_from_json,
    answers_to_json,
    baseline_answers,
    validate_answers,
)

ON = dt.date(2025, 6, 15)
MISSING = object()

# intake.md, in its order; the two "which" companions follow their yes/no key.
DOCUMENTED_KEYS = (
    "date_of_birth",
    "sex",
    "pregnant",
    "breastfeeding",
    "menstruating",
    "isotretinoin",
    "isotretinoin_stopped_on",
    "topical_retinoid_last_used",
    "photosensitising_drugs",
    "photosensitising_drugs_which",
    "blood_thinners",
    "blood_thinners_which",
    "bleeding_disorder",
    "diabetes",
    "endocrine_other",
    "cardiovascular",
    "pacemaker",
    "cancer",
    "mental_illness",
    "epilepsy",
    "autoimmune",
    "liver_kidney_disease",
    "g6pd_deficiency",
    "active_inflammation",
    "herpes_active",
    "herpes_history",
    "rosacea",
    "skin_disease_active",
    "skin_wound",
    "burn_or_frostbite",
    "allergies",
    "collagen_skin_test",
    "collagen_skin_test_read_on",
    "keloid_tendency",
    "fitzpatrick",
    "pih_history",
    "recent_tan",
    "skin_type",
    "cold_intolerance",
    "metal_implants_face",
    "recent_facial_surgery",
    "scar_types",
    "home_patch_test",
)

CHOICES = {
    "sex": {"female", "male", "other"},
    "pregnant": {"no", "yes", "possibly"},
    "isotretinoin": {"never", "current", "stopped"},
    "autoimmune": {"none", "stable", "active"},
    "allergies": {"hyaluronic_acid", "lidocaine", "bovine_collagen"},
    "collagen_skin_test": {"not_done", "negative", "positive"},
    "fitzpatrick": {"I", "II", "III", "IV", "V", "VI"},
    "skin_type": {"dry", "normal", "oily", "combination"},
    "scar_types": {
        "icepick",
        "rolling",
        "boxcar_shallow",
        "boxcar_deep",
        "hypertrophic",
        "keloid",
        "macular",
    },
    "home_patch_test": {"passed", "reaction", "not_done"},
}

BOOL_KEYS = [key for key, q in QUESTIONS.items() if q.kind is Kind.BOOL]
DATE_KEYS = ("date_of_birth", "topical_retinoid_last_used")


def baseline(on: dt.date = ON, **changes: Any) -> dict[str, Any]:
    answers = {**baseline_answers(on=on), **changes}
    return {key: value for key, value in answers.items() if value is not MISSING}


def field_of(answers: Any, on: Any = ON) -> str:
    with pytest.raises(AnswerError) as excinfo:
        validate_answers(answers, on=on)
    error = excinfo.value
    assert error.code == "invalid_answer"
    assert isinstance(error, DomainError)
    if error.field not in {"on", "answers"}:
        assert error.field in str(error)  # the message names the answer key
    return error.field


def test_schema_version_and_keys() -> None:
    assert ANSWER_SCHEMA_VERSION == 1
    assert ANSWER_KEYS == DOCUMENTED_KEYS


@pytest.mark.parametrize("key", DOCUMENTED_KEYS)
def test_every_question_has_wording_help_and_a_group(key: str) -> None:
    q = QUESTIONS[key]
    assert isinstance(q.label, Promise)
    assert isinstance(q.help_text, Promise)
    assert str(q.label).strip()
    assert str(q.help_text).strip()
    assert q.group in GROUPS
    if q.kind in (Kind.CHOICE, Kind.MULTI_CHOICE):
        assert set(q.choice_values) == CHOICES[key]
        assert all(isinstance(label, Promise) for _value, label in q.choices)
    else:
        assert q.choices == ()


def test_groups_and_follow_ups() -> None:
    assert {k for k, q in QUESTIONS.items() if q.group == "pregnancy"} == {
        "pregnant",
        "breastfeeding",
        "menstruating",
    }
    follow_ups = {
        k: (q.applies_when.key, q.applies_when.values)
        for k, q in QUESTIONS.items()
        if q.is_follow_up and q.applies_when
    }
    assert follow_ups == {
        "isotretinoin_stopped_on": ("isotretinoin", frozenset({"stopped"})),
        "collagen_skin_test_read_on": ("collagen_skin_test", frozenset({"negative", "positive"})),
    }
    assert not QUESTIONS["photosensitising_drugs_which"].required
    assert not QUESTIONS["blood_thinners_which"].required


@pytest.mark.parametrize(
    "on", [ON, dt.date(2024, 2, 29), dt.date(2025, 1, 1), dt.date(2025, 12, 31)]
)
def test_baseline_is_the_documented_patient(on: dt.date) -> None:
    answers = baseline_answers(on=on)
    assert validate_answers(answers, on=on) == answers
    dob = answers["date_of_birth"]
    assert on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day)) == 30
    assert answers["sex"] == "female"
    assert answers["pregnant"] == "no"
    assert all(answers[key] is False for key in BOOL_KEYS)
    assert answers["isotretinoin"] == "never"
    assert answers["isotretinoin_stopped_on"] is None
    assert answers["topical_retinoid_last_used"] is None
    assert answers["autoimmune"] == "none"
    assert answers["allergies"] == frozenset()
    assert answers["collagen_skin_test"] == "not_done"
    assert answers["collagen_skin_test_read_on"] is None
    assert answers["fitzpatrick"] == "II"
    assert answers["skin_type"] == "normal"
    assert answers["scar_types"] == frozenset({"rolling"})


def test_validated_answers_are_normalised() -> None:
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"

    clean = validate_answers(
        baseline(
            sex=Sex.FEMALE,
            allergies=["lidocaine", "lidocaine"],
            scar_types=("rolling", "icepick"),
            blood_thinners=True,
            blood_thinners_which="  aspirin ",
        ),
        on=ON,
    )
    assert type(clean["sex"]) is str
    assert clean["allergies"] == frozenset({"lidocaine"})
    assert clean["scar_types"] == frozenset({"rolling", "icepick"})
    assert clean["blood_thinners_which"] == "aspirin"
    assert tuple(clean) == DOCUMENTED_KEYS


@pytest.mark.parametrize("sex", ["male", "other"])
def test_pregnancy_group_may_be_missing_when_not_female(sex: str) -> None:
    clean = validate_answers(
        baseline(sex=sex, pregnant=MISSING, breastfeeding=MISSING, menstruating=MISSING), on=ON
    )
    assert (clean["pregnant"], clean["breastfeeding"], clean["menstruating"]) == (
        "no",
        False,
        False,
    )


def test_a_given_pregnancy_answer_is_kept_whatever_the_sex() -> None:
    clean = validate_answers(baseline(sex="other", pregnant="yes"), on=ON)
    assert clean["pregnant"] == "yes"


def test_a_given_pregnancy_answer_is_still_type_checked_for_men() -> None:
    assert field_of(baseline(sex="male", breastfeeding="no")) == "breastfeeding"


@pytest.mark.parametrize("key", ["pregnant", "breastfeeding", "menstruating"])
def test_pregnancy_group_is_required_of_women(key: str) -> None:
    assert field_of(baseline(**{key: MISSING})) == key


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"isotretinoin_stopped_on": MISSING}, None),
        ({"isotretinoin_stopped_on": None}, None),
        ({"isotretinoin_stopped_on": dt.date(2024, 1, 1)}, None),  # stale: dropped
        ({"isotretinoin": "current", "isotretinoin_stopped_on": dt.date(2024, 1, 1)}, None),
        ({"isotretinoin": "stopped", "isotretinoin_stopped_on": ON}, ON),
    ],
)
def test_isotretinoin_follow_up(changes: dict[str, Any], expected: dt.date | None) -> None:
    assert validate_answers(baseline(**changes), on=ON)["isotretinoin_stopped_on"] == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"collagen_skin_test_read_on": MISSING}, None),
        ({"collagen_skin_test_read_on": dt.date(2025, 1, 1)}, None),
        ({"collagen_skin_test": "negative", "collagen_skin_test_read_on": ON}, ON),
        (
            {"collagen_skin_test": "positive", "collagen_skin_test_read_on": dt.date(2025, 1, 1)},
            dt.date(2025, 1, 1),
        ),
    ],
)
def test_collagen_follow_up(changes: dict[str, Any], expected: dt.date | None) -> None:
    assert validate_answers(baseline(**changes), on=ON)["collagen_skin_test_read_on"] == expected


def test_which_companions_may_be_missing() -> None:
    clean = validate_answers(
        baseline(photosensitising_drugs_which=MISSING, blood_thinners_which=MISSING), on=ON
    )
    assert clean["photosensitising_drugs_which"] == ""
    assert clean["blood_thinners_which"] == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        # unknown keys
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"Pregnant": "no"}, "Pregnant"),
        ({1: True}, "1"),
        # a bool must be a bool (and an int is not one)
        ({"diabetes": "yes"}, "diabetes"),
        ({"diabetes": "true"}, "diabetes"),
        ({"diabetes": 1}, "diabetes"),
        ({"rosacea": 0}, "rosacea"),
        ({"rosacea": None}, "rosacea"),
        ({"breastfeeding": "no"}, "breastfeeding"),
        # dates must be dates, not strings or datetimes, and not after `on`
        ({"date_of_birth": "1995-01-01"}, "date_of_birth"),
        ({"date_of_birth": dt.datetime(1995, 1, 1, tzinfo=dt.UTC)}, "date_of_birth"),
        ({"date_of_birth": None}, "date_of_birth"),
        ({"date_of_birth": ON + dt.timedelta(days=1)}, "date_of_birth"),
        ({"topical_retinoid_last_used": "2025-06-01"}, "topical_retinoid_last_used"),
        ({"topical_retinoid_last_used": ON + dt.timedelta(days=1)}, "topical_retinoid_last_used"),
        (
            {"isotretinoin": "stopped", "isotretinoin_stopped_on": ON + dt.timedelta(days=1)},
            "isotretinoin_stopped_on",
        ),
        (
            {"isotretinoin": "stopped", "isotretinoin_stopped_on": "2025-01-01"},
            "isotretinoin_stopped_on",
        ),
        # choices
        ({"sex": "f"}, "sex"),
        ({"sex": None}, "sex"),
        ({"pregnant": True}, "pregnant"),
        ({"pregnant": "YES"}, "pregnant"),
        ({"fitzpatrick": 2}, "fitzpatrick"),
        ({"fitzpatrick": "VII"}, "fitzpatrick"),
        ({"skin_type": "sensitive"}, "skin_type"),
        ({"home_patch_test": "failed"}, "home_patch_test"),
        ({"isotretinoin": ["never"]}, "isotretinoin"),
        # sets of choices
        ({"scar_types": "rolling"}, "scar_types"),
        ({"scar_types": ["rolling", "pitted"]}, "scar_types"),
        ({"scar_types": [1]}, "scar_types"),
        ({"scar_types": {"rolling": True}}, "scar_types"),
        ({"allergies": None}, "allergies"),
        ({"allergies": ["penicillin"]}, "allergies"),
        # follow-up dates required when they apply
        ({"isotretinoin": "stopped"}, "isotretinoin_stopped_on"),
        ({"isotretinoin": "stopped", "isotretinoin_stopped_on": None}, "isotretinoin_stopped_on"),
        ({"collagen_skin_test": "negative"}, "collagen_skin_test_read_on"),
        ({"collagen_skin_test": "positive"}, "collagen_skin_test_read_on"),
        # free text companions
        ({"blood_thinners_which": 42}, "blood_thinners_which"),
        ({"photosensitising_drugs_which": "x" * 201}, "photosensitising_drugs_which"),
        # a stale follow-up is still type-checked
        ({"isotretinoin_stopped_on": "yesterday"}, "isotretinoin_stopped_on"),
    ],
)
def test_bad_answers_name_their_key(changes: dict[Any, Any], field: str) -> None:
    assert field_of({**baseline(), **changes}) == field


@pytest.mark.parametrize(
    "key",
    [
        key
        for key in DOCUMENTED_KEYS
        if key
        not in {
            "isotretinoin_stopped_on",
            "collagen_skin_test_read_on",
            "photosensitising_drugs_which",
            "blood_thinners_which",
        }
    ],
)
def test_every_required_key_missing_is_named(key: str) -> None:
    assert field_of(baseline(**{key: MISSING})) == key


@pytest.mark.parametrize("answers", [None, [], "answers", 42, [("sex", "female")]])
def test_answers_must_be_a_mapping(answers: Any) -> None:
    assert field_of(answers) == "answers"


@pytest.mark.parametrize("on", [dt.datetime(2025, 6, 15, tzinfo=dt.UTC), "2025-06-15", None])
def test_on_must_be_a_date(on: Any) -> None:
    assert field_of(baseline(), on=on) == "on"
    with pytest.raises(AnswerError):
        baseline_answers(on=on)


def test_error_message_is_lazy_and_names_the_key() -> None:
    with pytest.raises(AnswerError) as excinfo:
        validate_answers(baseline(diabetes="yes"), on=ON)
    assert isinstance(excinfo.value.message, Promise)
    assert "diabetes" in str(excinfo.value.message)
    assert repr(excinfo.value) == "AnswerError(code='invalid_answer', field='diabetes')"


def test_domain_error_carries_code_message_and_field() -> None:
    error = DomainError("Nope", code="unknown_procedure", field="procedure")
    assert (error.code, error.field, str(error)) == ("unknown_procedure", "procedure", "Nope")
    assert DomainError("x").code == "domain_error"
    assert DomainError("x").field is None


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {
            "isotretinoin": "stopped",
            "isotretinoin_stopped_on": dt.date(2025, 1, 2),
            "topical_retinoid_last_used": dt.date(2025, 6, 1),
            "allergies": ["lidocaine", "bovine_collagen"],
            "collagen_skin_test": "negative",
            "collagen_skin_test_read_on": dt.date(2025, 4, 30),
            "scar_types": ["rolling", "icepick", "macular"],
            "blood_thinners": True,
            "blood_thinners_which": "warfarin",
        },
        {"sex": "male", "pregnant": MISSING, "breastfeeding": MISSING, "menstruating": MISSING},
    ],
)
def test_json_round_trip(changes: dict[str, Any]) -> None:
    clean = validate_answers(baseline(**changes), on=ON)
    stored = json.loads(json.dumps(answers_to_json(clean)))
    assert stored["date_of_birth"] == clean["date_of_birth"].isoformat()
    assert stored["scar_types"] == sorted(clean["scar_types"])
    assert answers_from_json(stored) == clean
    assert validate_answers(answers_from_json(stored), on=ON) == clean


def test_answers_from_json_leaves_other_values_for_validation() -> None:
    data = answers_to_json(baseline_answers(on=ON)) | {"unknown": 1, "diabetes": "yes"}
    loaded = answers_from_json(data)
    assert loaded["unknown"] == 1
    assert loaded["diabetes"] == "yes"
    assert field_of(loaded) == "unknown"


def test_answers_from_json_rejects_a_bad_date() -> None:
    with pytest.raises(AnswerError) as excinfo:
        answers_from_json({"date_of_birth": "31/12/1990"})
    assert excinfo.value.field == "date_of_birth"
