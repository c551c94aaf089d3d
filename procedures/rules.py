"""Every screening code: the rules of `rules.md` and the codes about other sessions.

Domain rules implemented here (from the domain reference, `rules.md` and
`rules-v2.md`):

- A rule of `rules.md` fires on the validated intake answers, the patient's
  history with the procedure and the procedure date; the procedure lists it as
  absolute (blocks) or relative (a practitioner reviews). How each one decides
  is `rule_logic.py`; the table of rules with their sentences is `rules_data.py`.
- `PREGNANCY_POSSIBLE` is always relative.
- Four codes of the second edition are not listed per procedure: they come from
  the patient's *other* sessions and the admin-edited tables of washouts and
  prerequisites (`sessions.py`). `WASHOUT` and `PREREQUISITE_MISSING` block,
  `WASHOUT_REVIEW` and `PREREQUISITE_BOOKED` need a practitioner's review.
"""

from __future__ import annotations

from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _

from .rule_logic import (
    COLLAGEN_TEST_READ_DAYS,
    ISOTRETINOIN_LONG_DAYS,
    ISOTRETINOIN_SHORT_DAYS,
    Rule,
    RuleCode,
    RuleContext,
    age_on,
    days_since,
)
from .rules_data import RULES

__all__ = [
    "ALWAYS_RELATIVE",
    "COLLAGEN_TEST_READ_DAYS",
    "ISOTRETINOIN_LONG_DAYS",
    "ISOTRETINOIN_SHORT_DAYS",
    "RULES",
    "SESSION_CODES",
    "Rule",
    "RuleCode",
    "RuleContext",
    "SessionCode",
    "age_on",
    "can_fire",
    "code_label",
    "days_since",
]

ALWAYS_RELATIVE: Final = frozenset({"PREGNANCY_POSSIBLE"})


class SessionCode(models.TextChoices):
    """Codes fired by the patient's other sessions (rules-v2.md sections 2 and 3)."""

    WASHOUT = "WASHOUT", _("Too close to another treatment")
    WASHOUT_REVIEW = "WASHOUT_REVIEW", _("Close to another treatment")
    PREREQUISITE_MISSING = "PREREQUISITE_MISSING", _("A required visit is missing")
    PREREQUISITE_BOOKED = "PREREQUISITE_BOOKED", _("A required visit is still to come")


SESSION_CODES: Final = frozenset(SessionCode.values)
# Whether each session code blocks (absolute) or asks for review (relative).
SESSION_CODE_ABSOLUTE: Final = {
    SessionCode.WASHOUT.value: True,
    SessionCode.WASHOUT_REVIEW.value: False,
    SessionCode.PREREQUISITE_MISSING.value: True,
    SessionCode.PREREQUISITE_BOOKED.value: False,
}


def code_label(code: str) -> str:
    """Return the short name of any screening code in the active language (the code if unknown)."""
    if code in RULES:
        return str(RuleCode(code).label)
    if code in SESSION_CODES:
        return str(SessionCode(code).label)
    return code


def can_fire(
    code: str,
    *,
    interval_min_days: int | None,
    interval_max_days: int | None,
    sessions_max: int | None,
    retinoid_window_days: int | None,
) -> bool:
    """Return whether a procedure with these parameters gives rule `code` any way to fire.

    History and precare rules compare against the procedure's own numbers; a
    procedure without the number (no minimum interval, no session limit, ...)
    can list the code, but it never fires, so the catalogue leaves it out.
    `sessions_max` is the limit screening enforces (None for repeatable ones).
    """
    if code == "REPEAT_TOO_SOON":
        return interval_min_days is not None
    if code == "COURSE_GAP_EXCEEDED":
        return interval_max_days is not None
    if code == "COURSE_LIMIT_REACHED":
        return sessions_max is not None
    if code == "PRECARE_TOPICAL_RETINOID":
        return retinoid_window_days is not None
    return True
