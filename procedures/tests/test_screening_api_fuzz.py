"""Hypothesis over the screening API: any body gives a verdict or a 400 naming the field.

`test_screening.py` fuzzes `screen()` itself; these tests send arbitrary JSON through
`POST /api/v1/screening/` (wrong types, unknown keys, huge numbers, any unicode, nested
junk, missing fields, dates at the calendar's ends) and hold the endpoint to its promise:
a 200 with a verdict, or a 400 with a `code`, a `detail` and the `field` at fault, never
an exception.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from procedures.catalogue_data import CATALOGUE
from procedures.intake import ANSWER_KEYS, QUESTIONS, answers_to_json, baseline_answers

pytestmark = pytest.mark.django_db

SCREENING = "/api/v1/screening/"
ON = dt.date(2026, 3, 2)
INPUTS = frozenset({"procedure", "answers", "on", "last_session_on", "sessions_done"})
OUTCOMES = frozenset({"ok", "review", "blocked"})
SLUGS = [entry.slug for entry in CATALOGUE]
CHOICE_VALUES = sorted({value for q in QUESTIONS.values() for value in q.choice_values})
FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

ISO_DATES = st.dates().map(dt.date.isoformat)  # year 1 to year 9999
# Any unicode, NUL included, and the lone surrogates JSON can carry (as \ud800).
TEXT = st.lists(st.characters() | st.characters(categories=["Cs"]), max_size=8).map("".join)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.integers(min_value=-(10**40), max_value=10**40),  # far beyond any machine integer
    st.floats(allow_nan=False, allow_infinity=False),  # JSON has neither
    TEXT,
    st.sampled_from(CHOICE_VALUES),
    st.sampled_from(SLUGS),
    ISO_DATES,
    st.sampled_from(["2026-02-30", "yesterday", "", "9999-12-31", "0001-01-01"]),
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner),
    max_leaves=8,
)


@st.composite
def answer_sets(draw: st.DrawFn) -> Any:
    """Alice's real answers with a few changed, dropped or added; or anything at all."""
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return draw(JUNK)
    answers = answers_to_json(baseline_answers(on=ON))
    for key in draw(st.sets(st.sampled_from(ANSWER_KEYS), max_size=2)):
        del answers[key]
    keys = st.sampled_from(ANSWER_KEYS) | TEXT
    answers.update(draw(st.dictionaries(keys, JUNK, max_size=3)))
    return answers


@st.composite
def bodies(draw: st.DrawFn) -> Any:
    """A screening request with any of its inputs wrong, missing or extra; or anything at all."""
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return draw(JUNK)
    body: dict[str, Any] = {
        "procedure": draw(st.sampled_from(SLUGS) | JUNK),
        "answers": draw(answer_sets()),
        "on": draw(st.just(ON.isoformat()) | ISO_DATES | JUNK),
        "last_session_on": draw(st.none() | ISO_DATES | JUNK),
        "sessions_done": draw(st.integers(min_value=0, max_value=12) | JUNK),
    }
    for name in draw(st.sets(st.sampled_from(sorted(INPUTS)), max_size=2)):
        del body[name]
    body.update(draw(st.dictionaries(TEXT, JUNK, max_size=2)))
    return body


def assert_verdict_or_clear_400(response: Any, sent: Any) -> None:
    assert response.status_code in (200, 400), response.content
    data = response.json()
    if response.status_code == 200:
        assert data["outcome"] in OUTCOMES
        return
    assert data["code"]
    assert data["detail"]
    if data["code"] == "parse_error":  # unreadable JSON (a lone surrogate): no field to name
        return
    if isinstance(sent, dict):  # a request object: the error names one of its inputs
        field = data["field"]
        assert field in INPUTS or field.startswith("answers."), data
        assert data[field], data


@FUZZ
@given(body=bodies())
def test_any_screening_request_gives_a_verdict_or_a_400_naming_the_field(body: Any) -> None:
    response = APIClient().post(SCREENING, json.dumps(body), content_type="application/json")
    assert_verdict_or_clear_400(response, body)


@FUZZ
@given(raw=st.binary(max_size=40) | st.text(max_size=40).map(str.encode))
def test_any_bytes_give_a_400_never_an_exception(raw: bytes) -> None:
    response = APIClient().post(SCREENING, raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"]


@FUZZ
@given(on=st.dates(), slug=st.sampled_from(SLUGS), history=st.data())
def test_every_calendar_date_gives_a_verdict_or_a_400_on_the_date(
    on: dt.date, slug: str, history: st.DataObject
) -> None:
    last = history.draw(st.none() | st.dates(max_value=on))
    answers = answers_to_json(baseline_answers(on=ON)) | {"date_of_birth": "1900-01-01"}
    body = {
        "procedure": slug,
        "answers": answers,
        "on": on.isoformat(),
        "last_session_on": last and last.isoformat(),
        "sessions_done": history.draw(st.integers(min_value=0, max_value=50)),
    }
    response = APIClient().post(SCREENING, json.dumps(body), content_type="application/json")
    assert_verdict_or_clear_400(response, body)


# --- what the fuzzing found ----------------------------------------------------------------------


@pytest.mark.parametrize("on", ["9999-12-31", "3000-01-01", "1899-12-31", "0001-01-01"])
def test_a_procedure_date_outside_the_supported_years_is_a_400_not_an_overflow(on: str) -> None:
    body = {
        "procedure": "tca-peel",
        "answers": answers_to_json(baseline_answers(on=ON)) | {"date_of_birth": "0001-01-01"},
        "on": on,
        "last_session_on": on,
        "sessions_done": 1,
    }
    response = APIClient().post(SCREENING, json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "on"
    assert "between 1900-01-01 and 2999-12-31" in response.json()["detail"]


def test_the_last_supported_date_still_gives_a_verdict() -> None:
    body = {
        "procedure": "tca-peel",
        "answers": answers_to_json(baseline_answers(on=dt.date(2999, 12, 31))),
        "on": "2999-12-31",
        "last_session_on": "2999-12-30",
        "sessions_done": 1,
    }
    response = APIClient().post(SCREENING, json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "blocked"


@pytest.mark.parametrize("where", ["answer key", "answer value", "extra input"])
def test_a_lone_surrogate_in_the_json_is_a_400_not_a_500(where: str) -> None:
    answers = answers_to_json(baseline_answers(on=ON))
    body: dict[str, Any] = {"procedure": "tca-peel", "answers": answers, "on": ON.isoformat()}
    if where == "answer key":
        answers["\ud800"] = True
    elif where == "answer value":
        answers["blood_thinners_which"] = "\udfff"
    else:
        body["\ud800"] = 1
    response = APIClient().post(SCREENING, json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "parse_error"
    assert "lone surrogate" in response.json()["detail"]
