"""Hypothesis over the intake form: any posted answers are saved or shown back with errors.

Both the form (`IntakeForm`, the answers it hands `validate_answers`) and the page that
saves it (`/me/intake/`) get arbitrary posts: wrong types, unknown keys, huge numbers,
any unicode (NUL included), lists where one value belongs, dates at the calendar's ends,
missing answers. The page answers a redirect (saved) or the form again with errors on
named fields (200), never an exception; what is saved is valid.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from clinic.models import User
from patients.models import IntakeVersion
from patients.records.forms import NO, YES, IntakeForm
from patients.tests.factories import intake_form_data
from procedures.errors import AnswerError
from procedures.intake import ANSWER_KEYS, QUESTIONS, validate_answers

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

CHOICE_VALUES = sorted({value for q in QUESTIONS.values() for value in q.choice_values})
# What a browser (or anything posing as one) can put in a form field: text, never a surrogate.
FORM_TEXT = st.text(max_size=12)
FORM_VALUE = st.one_of(
    FORM_TEXT,
    st.sampled_from([YES, NO, "true", "0", "", " ", "\x00", "на", "null", "[]", "{}"]),
    st.sampled_from(CHOICE_VALUES),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),  # nan, inf, 1e+308
    st.dates().map(dt.date.isoformat),  # year 1 to year 9999
    st.sampled_from(["2026-02-30", "2026-3-1", "10.03.2026", "9999-12-31", "0001-01-01"]),
    st.text("x", min_size=199, max_size=400),  # around the text answers' limit
)


@st.composite
def posts(draw: st.DrawFn) -> dict[str, Any]:
    """The baseline form with answers changed, dropped, doubled or added."""
    data = intake_form_data(on=TODAY)
    for key in draw(st.sets(st.sampled_from(ANSWER_KEYS), max_size=3)):
        del data[key]
    keys = st.sampled_from(ANSWER_KEYS) | FORM_TEXT.filter(lambda key: key not in ("", "\x00"))
    values = FORM_VALUE | st.lists(FORM_VALUE, min_size=1, max_size=3)
    data.update(draw(st.dictionaries(keys, values, max_size=4)))
    return data


def as_posted(data: dict[str, Any]) -> QueryDict:
    """The data as the page receives it: every field a list of strings."""
    posted = QueryDict(mutable=True)
    for key, value in data.items():
        posted.setlist(key, value if isinstance(value, list) else [value])
    return posted


@pytest.fixture
def frozen_today() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@settings(FUZZ, max_examples=300)
@given(data=posts())
def test_any_post_gives_valid_answers_or_errors_on_named_fields(
    data: dict[str, Any], frozen_today: None
) -> None:
    form = IntakeForm(as_posted(data))
    if not form.is_valid():
        assert set(form.errors) <= set(QUESTIONS) | {"__all__"}, form.errors
        return
    try:
        answers = validate_answers(form.answers(), on=TODAY)
    except AnswerError as error:  # the page shows it on the field it names
        refused = error
    else:
        assert set(answers) == set(ANSWER_KEYS)
        return
    assert refused.field in QUESTIONS


@settings(FUZZ, max_examples=60)
@given(data=posts())
def test_the_intake_page_saves_or_shows_errors_never_an_exception(
    data: dict[str, Any], client: Client, patient: User, frozen_today: None
) -> None:
    client.force_login(patient)
    versions = IntakeVersion.objects.filter(patient=patient.patient_profile).count()
    response = client.post(reverse("patients:intake"), data)
    saved = IntakeVersion.objects.filter(patient=patient.patient_profile)
    event(f"answered {response.status_code}")
    if response.status_code == 302:
        assert saved.count() == versions + 1
        latest = saved.latest("pk")
        assert validate_answers(latest.parsed_answers, on=TODAY) == latest.parsed_answers
        return
    assert response.status_code == 200
    assert saved.count() == versions
    errors = response.context["form"].errors
    assert errors, "the form came back without saying why"
    assert set(errors) <= set(QUESTIONS) | {"__all__"}, errors
