"""The intake questionnaire's vocabulary: answer kinds, conditions, questions, value sets.

The questions themselves are the table of `intake_data.py`; validation of an
answer set is `intake.py`, which is what the rest of the portal imports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Literal

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ANSWER_SCHEMA_VERSION: Final = 1

Answers = dict[str, Any]

# The seven scar types of the domain reference, in its order (mildest to odd ones out last
# would be a judgement; the reference's own order is kept so lists read the same everywhere).
SCAR_TYPES: Final = (
    "icepick",
    "rolling",
    "boxcar_shallow",
    "boxcar_deep",
    "hypertrophic",
    "keloid",
    "macular",
)
ALLERGENS: Final = ("hyaluronic_acid", "lidocaine", "bovine_collagen")

# Free-text companions ("which medicines?") are short notes for the practitioner.
WHICH_MAX_LENGTH: Final = 200
# Screening adds a course's intervals to the procedure date: a date outside these years
# is refused (it is nobody's appointment, and near year 9999 the sums would overflow).
FIRST_PROCEDURE_DATE: Final = dt.date(1900, 1, 1)
LAST_PROCEDURE_DATE: Final = dt.date(2999, 12, 31)


class Kind(StrEnum):
    """How an answer is typed; forms pick a widget from it."""

    BOOL = "bool"
    DATE = "date"
    OPTIONAL_DATE = "optional_date"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Condition:
    """The question applies when the (already validated) answer to `key` is one of `values`."""

    key: str
    values: frozenset[str]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        return answers.get(self.key) in self.values


@dataclass(frozen=True)
class Question:
    """One intake question: its key, wording, type and when it applies.

    `if_not_applicable` says what a question whose `applies_when` does not hold
    becomes: `"baseline"` (the pregnancy group: a missing answer takes the
    baseline's, a given one is kept) or `"none"` (follow-up dates: `None`).
    """

    key: str
    label: StrOrPromise
    help_text: StrOrPromise
    kind: Kind
    group: str
    baseline: Any
    choices: tuple[tuple[str, str | Promise], ...] = ()
    applies_when: Condition | None = None
    if_not_applicable: Literal["baseline", "none"] = "none"
    required: bool = True
    max_length: int | None = None
    _canonical: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Maps an allowed value (or an equal str subclass, e.g. a TextChoices
        # member) to the plain str stored in normalised answers.
        object.__setattr__(self, "_canonical", {value: value for value, _label in self.choices})

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.choices)

    @property
    def is_follow_up(self) -> bool:
        return self.applies_when is not None and self.if_not_applicable == "none"
