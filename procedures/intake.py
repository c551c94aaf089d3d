"""The intake questionnaire as data: answer keys, their types, and their validation.

Domain rules implemented here (from the domain reference, `intake.md`):

- Answer keys are stable identifiers shared by the screening rules, the
  database, the forms and the tests. A complete answer set has every key.
- Dates are `datetime.date` (never `datetime`); none may lie after the
  procedure date `on` the answers are checked against, the date of birth
  included.
- The "pregnancy" group (`pregnant`, `breastfeeding`, `menstruating`) is asked
  of female patients only. For anyone else the answers may be missing and then
  take the baseline's answer (`no` / `False`). An answer that *is* given is
  kept, whatever the sex: a declared pregnancy is never silently discarded.
- Follow-up dates apply only after a particular answer:
  `isotretinoin_stopped_on` when `isotretinoin` is `stopped`,
  `collagen_skin_test_read_on` when `collagen_skin_test` is `negative` or
  `positive`. When they apply they are required; when they do not they may be
  missing or `None` and are normalised to `None`.
- `photosensitising_drugs` and `blood_thinners` are "yes/no + which": the bool
  lives under the key itself, the optional free text under `<key>_which`.
- `topical_retinoid_last_used` is a date or `None` (never used), but the key
  itself must be present.

`validate_answers()` returns a normalised, complete dict (sets as `frozenset`,
choices as plain `str`) or raises `AnswerError` naming the first bad key. The
database stores answers as JSON through `answers_to_json()` /
`answers_from_json()`; `ANSWER_SCHEMA_VERSION` is stored beside them so a later
schema change can migrate old versions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .errors import AnswerError, lazy_interpolate
from .intake_data import ANSWER_KEYS, GROUPS, QUESTIONS
from .intake_schema import (
    ALLERGENS,
    ANSWER_SCHEMA_VERSION,
    FIRST_PROCEDURE_DATE,
    LAST_PROCEDURE_DATE,
    SCAR_TYPES,
    WHICH_MAX_LENGTH,
    Answers,
    Condition,
    Kind,
    Question,
)

__all__ = [
    "ALLERGENS",
    "ANSWER_KEYS",
    "ANSWER_SCHEMA_VERSION",
    "GROUPS",
    "QUESTIONS",
    "SCAR_TYPES",
    "Answers",
    "Condition",
    "Kind",
    "Question",
    "answers_from_json",
    "answers_to_json",
    "baseline_answers",
    "validate_answers",
]

_MISSING: Final = object()


def _years_before(on: dt.date, years: int) -> dt.date:
    # 29 Feb minus N years falls on 28 Feb when that year has none, so the
    # person is still exactly N years old on `on`.
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def _check_on(on: object) -> dt.date:
    if type(on) is not dt.date:
        raise AnswerError(_("The procedure date must be a date."), field="on")
    if not FIRST_PROCEDURE_DATE <= on <= LAST_PROCEDURE_DATE:
        raise AnswerError(
            lazy_interpolate(
                _("The procedure date must be between %(first)s and %(last)s."),
                {
                    "first": FIRST_PROCEDURE_DATE.isoformat(),
                    "last": LAST_PROCEDURE_DATE.isoformat(),
                },
            ),
            field="on",
        )
    return on


def baseline_answers(*, on: dt.date) -> Answers:
    """Return the baseline patient of `intake.md`: 30 years old on `on`, nothing declared."""
    on = _check_on(on)
    answers = {q.key: q.baseline for q in QUESTIONS.values()}
    answers["date_of_birth"] = _years_before(on, 30)
    return answers


def _error(message: Promise, key: str, **params: Any) -> AnswerError:
    return AnswerError(lazy_interpolate(message, {"key": key, **params}), field=key)


def _clean(q: Question, value: Any, on: dt.date) -> Any:
    """Return `value` normalised for question `q`, or raise AnswerError naming its key."""
    kind = q.kind
    if kind is Kind.BOOL:
        # `type(...) is bool`: 0, 1, "yes" and "true" are not answers to a yes/no question.
        if type(value) is not bool:
            raise _error(_("The answer “%(key)s” must be yes or no."), q.key)
        return value
    if kind is Kind.CHOICE:
        canonical = q._canonical.get(value) if isinstance(value, str) else None
        if canonical is None:
            raise _error(
                _("The answer “%(key)s” must be one of: %(choices)s."),
                q.key,
                choices=", ".join(q.choice_values),
            )
        return canonical
    if kind is Kind.DATE or kind is Kind.OPTIONAL_DATE:
        if value is None and kind is Kind.OPTIONAL_DATE:
            return None
        # `datetime` is a subclass of `date`; a timestamp is not a calendar answer.
        if type(value) is not dt.date:
            raise _error(_("The answer “%(key)s” must be a date."), q.key)
        if value > on:
            raise _error(_("The date given for “%(key)s” is after the procedure date."), q.key)
        return value
    if kind is Kind.MULTI_CHOICE:
        if not isinstance(value, set | frozenset | list | tuple):
            raise _error(
                _("The answer “%(key)s” must be a list of: %(choices)s."),
                q.key,
                choices=", ".join(q.choice_values),
            )
        items = []
        for item in value:
            canonical = q._canonical.get(item) if isinstance(item, str) else None
            if canonical is None:
                raise _error(
                    _("The answer “%(key)s” may only contain: %(choices)s."),
                    q.key,
                    choices=", ".join(q.choice_values),
                )
            items.append(canonical)
        return frozenset(items)
    # Kind.TEXT
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > (q.max_length or WHICH_MAX_LENGTH):
        raise _error(
            _("The answer “%(key)s” must be text of at most %(max)s characters."),
            q.key,
            max=q.max_length or WHICH_MAX_LENGTH,
        )
    return value.strip()


def validate_answers(answers: Mapping[str, Any], *, on: dt.date) -> Answers:
    """Return a complete, normalised copy of `answers` as of `on`, or raise AnswerError."""
    on = _check_on(on)
    if not isinstance(answers, Mapping):
        raise AnswerError(_("The answers must be a mapping of keys to values."), field="answers")
    for key in answers:
        if key not in QUESTIONS:
            raise _error(_("Unknown answer “%(key)s”."), str(key))

    out: Answers = {}
    # QUESTIONS is ordered so that a question's condition is decided before it.
    for q in QUESTIONS.values():
        value = answers.get(q.key, _MISSING)
        applies = q.applies_when is None or q.applies_when.holds(out)
        if not applies:
            if q.if_not_applicable == "baseline":
                out[q.key] = q.baseline if value is _MISSING else _clean(q, value, on)
            else:
                # A stale follow-up date (e.g. left from an earlier "stopped") is
                # still type-checked, then dropped: it no longer means anything.
                if value is not _MISSING and value is not None:
                    _clean(q, value, on)
                out[q.key] = None
            continue
        if value is _MISSING or (value is None and q.applies_when is not None):
            if not q.required:
                out[q.key] = q.baseline
                continue
            if q.applies_when is not None:
                raise _error(
                    _("The answer “%(key)s” is required when “%(parent)s” is “%(value)s”."),
                    q.key,
                    parent=q.applies_when.key,
                    value=out[q.applies_when.key],
                )
            raise _error(_("The answer “%(key)s” is missing."), q.key)
        out[q.key] = _clean(q, value, on)
    return out


def answers_to_json(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Return `answers` as JSON-ready data: dates as ISO strings, sets as sorted lists."""
    out: dict[str, Any] = {}
    for key, value in answers.items():
        if isinstance(value, dt.date):
            out[key] = value.isoformat()
        elif isinstance(value, set | frozenset):
            out[key] = sorted(value)
        else:
            out[key] = value
    return out


def answers_from_json(data: Mapping[str, Any]) -> Answers:
    """Turn stored JSON back into Python types; `validate_answers()` still checks the result.

    Only the representation is converted (ISO strings of date keys to dates,
    lists of set keys to frozensets); anything else, unknown keys included, is
    passed through unchanged so validation reports it against the right key.
    """
    out: Answers = {}
    for key, value in data.items():
        q = QUESTIONS.get(key)
        if q is not None and q.kind in (Kind.DATE, Kind.OPTIONAL_DATE) and isinstance(value, str):
            try:
                out[key] = dt.date.fromisoformat(value)
            except ValueError:
                raise _error(_("The answer “%(key)s” must be a date."), key) from None
        elif q is not None and q.kind is Kind.MULTI_CHOICE and isinstance(value, list):
            out[key] = (
                frozenset(v for v in value) if all(isinstance(v, str) for v in value) else value
            )
        else:
            out[key] = value
    return out
