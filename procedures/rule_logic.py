"""How the screening rules of `rules.md` decide: the context they read and their predicates.

Domain rules implemented here (from the domain reference, `rules.md`):

- A rule fires on the validated intake answers, the patient's history with
  the procedure (`last_session_on`, `sessions_done`) and the procedure date
  `on`. Whether a fired rule blocks or asks for review is not the rule's
  business: the procedure lists it as absolute or relative.
- "Days since X" is `(on - X).days`, whole days. Windows are strict: "less
  than 14 days" fires at 13 days and not at 14. Isotretinoin: stopped less
  than 182 days ago (or still taken) is `ISOTRETINOIN_LT6M`, 182 to 364 days
  is `ISOTRETINOIN_6_12M`. A negative collagen skin test must have been read
  at least 28 days before.
- Age is in whole years on `on`, by calendar: someone born on 29 February
  turns a year older on 1 March in years without one.
- Time-bound rules also say the first date on which they stop firing, so the
  portal can offer a date instead of a bare refusal: `REPEAT_TOO_SOON` (last
  session + minimum interval), `ISOTRETINOIN_LT6M` when stopped (+182 days),
  `ISOTRETINOIN_6_12M` (+365), `PRECARE_TOPICAL_RETINOID` (last use + the
  procedure's window), `PRECARE_COLLAGEN_SKIN_TEST` when negative (read + 28).
  Still taking isotretinoin or no skin test at all is not time-bound: no date.
  `AGE_UNDER_18` is not treated as time-bound either (the domain lists only the
  rules above); the portal does not offer a minor a date on their birthday.

The rules themselves (which predicate, which sentences) are the table of
`rules_data.py`; `rules.py` is what the rest of the portal imports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .intake_schema import SCAR_TYPES

ISOTRETINOIN_SHORT_DAYS: Final = 182  # "6 months"
ISOTRETINOIN_LONG_DAYS: Final = 365  # "12 months"
COLLAGEN_TEST_READ_DAYS: Final = 28
ADULT_AGE: Final = 18


class RuleCode(models.TextChoices):
    INFLAMMATION_ACTIVE = "INFLAMMATION_ACTIVE", _("Active inflammation")
    HERPES_ACTIVE = "HERPES_ACTIVE", _("Active herpes")
    HERPES_HISTORY = "HERPES_HISTORY", _("Recurrent cold sores")
    SKIN_DISEASE_ACTIVE = "SKIN_DISEASE_ACTIVE", _("Active skin disease")
    WOUND = "WOUND", _("Damaged skin")
    BURN_FROSTBITE = "BURN_FROSTBITE", _("Burn or frostbite")
    ROSACEA = "ROSACEA", _("Rosacea")
    DIABETES = "DIABETES", _("Diabetes")
    ENDOCRINE_OTHER = "ENDOCRINE_OTHER", _("Other endocrine disease")
    CARDIOVASCULAR = "CARDIOVASCULAR", _("Heart or blood-vessel disease")
    PACEMAKER = "PACEMAKER", _("Implanted electronic device")
    ONCOLOGY = "ONCOLOGY", _("Cancer")
    MENTAL_ILLNESS = "MENTAL_ILLNESS", _("Mental illness")
    EPILEPSY = "EPILEPSY", _("Epilepsy")
    HEPATIC_RENAL = "HEPATIC_RENAL", _("Liver or kidney disease")
    G6PD_DEFICIENCY = "G6PD_DEFICIENCY", _("G6PD deficiency")
    PREGNANCY = "PREGNANCY", _("Pregnancy")
    PREGNANCY_POSSIBLE = "PREGNANCY_POSSIBLE", _("Possible pregnancy")
    LACTATION = "LACTATION", _("Breastfeeding")
    MENSTRUATION = "MENSTRUATION", _("Menstruation")
    AGE_UNDER_18 = "AGE_UNDER_18", _("Under 18")
    ISOTRETINOIN_LT6M = "ISOTRETINOIN_LT6M", _("Isotretinoin in the last 6 months")
    ISOTRETINOIN_6_12M = "ISOTRETINOIN_6_12M", _("Isotretinoin 6 to 12 months ago")
    PRECARE_TOPICAL_RETINOID = "PRECARE_TOPICAL_RETINOID", _("Recent retinoid or acid products")
    PHOTOSENSITISING_DRUGS = "PHOTOSENSITISING_DRUGS", _("Light-sensitising medicines")
    ANTICOAGULANTS = "ANTICOAGULANTS", _("Blood thinners")
    BLEEDING_DISORDER = "BLEEDING_DISORDER", _("Bleeding disorder")
    AUTOIMMUNE_ACTIVE = "AUTOIMMUNE_ACTIVE", _("Active autoimmune disease")
    AUTOIMMUNE_STABLE = "AUTOIMMUNE_STABLE", _("Stable autoimmune disease")
    ALLERGY_HYALURONIC = "ALLERGY_HYALURONIC", _("Hyaluronic acid allergy")
    ALLERGY_LIDOCAINE = "ALLERGY_LIDOCAINE", _("Local anaesthetic allergy")
    ALLERGY_BOVINE_COLLAGEN = "ALLERGY_BOVINE_COLLAGEN", _("Bovine collagen allergy")
    PRECARE_COLLAGEN_SKIN_TEST = "PRECARE_COLLAGEN_SKIN_TEST", _("Collagen skin test pending")
    KELOID_TENDENCY = "KELOID_TENDENCY", _("Keloid tendency")
    FITZ_IV_VI = "FITZ_IV_VI", _("Phototype IV to VI")
    FITZ_V_VI = "FITZ_V_VI", _("Phototype V to VI")
    PIH_HISTORY = "PIH_HISTORY", _("Post-inflammatory pigmentation")
    RECENT_TAN = "RECENT_TAN", _("Recent tan")
    DRY_SKIN = "DRY_SKIN", _("Dry skin")
    COMBINATION_SKIN = "COMBINATION_SKIN", _("Combination skin")
    COLD_INTOLERANCE = "COLD_INTOLERANCE", _("Cold intolerance")
    METAL_IMPLANTS_FACE = "METAL_IMPLANTS_FACE", _("Metal implants in the face")
    RECENT_FACIAL_SURGERY = "RECENT_FACIAL_SURGERY", _("Recent facial surgery")
    SCAR_TYPE_NOT_INDICATED = "SCAR_TYPE_NOT_INDICATED", _("Scar type not indicated")
    REPEAT_TOO_SOON = "REPEAT_TOO_SOON", _("Too soon after the last session")
    COURSE_GAP_EXCEEDED = "COURSE_GAP_EXCEEDED", _("Course interrupted too long")
    COURSE_LIMIT_REACHED = "COURSE_LIMIT_REACHED", _("Course complete")


@dataclass(frozen=True, slots=True)
class RuleContext:
    """Everything a rule may read besides the answers: the date, the history, the procedure."""

    on: dt.date
    last_session_on: dt.date | None = None
    sessions_done: int = 0
    interval_min_days: int | None = None
    interval_max_days: int | None = None
    sessions_max: int | None = None
    retinoid_window_days: int | None = None
    indicated_scar_types: frozenset[str] = frozenset(SCAR_TYPES)


Answers = Mapping[str, Any]
Predicate = Callable[[Answers, RuleContext], bool]
ClearsOn = Callable[[Answers, RuleContext], dt.date | None]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule code: when it fires, which answers it reads, what it tells people."""

    code: str
    keys: tuple[str, ...]
    predicate: Predicate
    patient_message: str | Promise
    patient_review_message: str | Promise
    clinical_message: str | Promise
    # First date on which the rule no longer fires, for time-bound rules; the
    # function may still return None for a non-time-bound case (isotretinoin
    # "current", skin test "not_done").
    clears_on: ClearsOn | None = None
    uses_history: bool = False

    @property
    def label(self) -> str:
        return str(RuleCode(self.code).label)

    @property
    def time_bound(self) -> bool:
        return self.clears_on is not None

    def fires(self, answers: Answers, ctx: RuleContext) -> bool:
        return self.predicate(answers, ctx)

    def clear_date(self, answers: Answers, ctx: RuleContext) -> dt.date | None:
        """Return the first date on which this (fired) rule stops firing, or None if none."""
        return self.clears_on(answers, ctx) if self.clears_on is not None else None

    def patient_message_for(self, *, absolute: bool) -> str | Promise:
        return self.patient_message if absolute else self.patient_review_message


def days_since(earlier: dt.date, on: dt.date) -> int:
    """Return whole days from `earlier` to `on`."""
    return (on - earlier).days


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Return age in whole years on `on`, by calendar (29 Feb birthdays count from 1 Mar)."""
    had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if had_birthday else 1)


def _plus(day: dt.date | None, days: int | None) -> dt.date | None:
    if day is None or days is None:
        return None
    return day + dt.timedelta(days=days)


# --- predicates -------------------------------------------------------------------------


def flag(key: str) -> Predicate:
    def predicate(answers: Answers, ctx: RuleContext) -> bool:
        return answers[key] is True

    predicate.__name__ = f"fires_if_{key}"
    return predicate


def equals(key: str, *values: str) -> Predicate:
    wanted = frozenset(values)

    def predicate(answers: Answers, ctx: RuleContext) -> bool:
        return answers[key] in wanted

    predicate.__name__ = f"fires_if_{key}_in_{'_'.join(values)}"
    return predicate


def allergy(allergen: str) -> Predicate:
    def predicate(answers: Answers, ctx: RuleContext) -> bool:
        return allergen in answers["allergies"]

    predicate.__name__ = f"fires_if_allergic_to_{allergen}"
    return predicate


def herpes_history(answers: Answers, ctx: RuleContext) -> bool:
    return answers["herpes_history"] is True and answers["herpes_active"] is not True


def under_18(answers: Answers, ctx: RuleContext) -> bool:
    return age_on(answers["date_of_birth"], ctx.on) < ADULT_AGE


@dataclass(frozen=True)
class _DatedState:
    """An answer that fires in one state at once, and in another (`dated`) until `days`
    after the date it names."""

    question: str
    fires: str
    dated: str
    date_question: str
    days: int

    def fires_on(self, answers: Answers, on: dt.date) -> bool:
        status = answers[self.question]
        if status == self.fires:
            return True
        if status != self.dated:
            return False
        day = answers[self.date_question]
        # An unknown date is treated as recent: the safe reading.
        return day is None or days_since(day, on) < self.days

    def clears(self, answers: Answers) -> dt.date | None:
        if answers[self.question] != self.dated:
            return None
        return _plus(answers[self.date_question], self.days)


_ISOTRETINOIN_RECENT = _DatedState(
    "isotretinoin", "current", "stopped", "isotretinoin_stopped_on", ISOTRETINOIN_SHORT_DAYS
)
_COLLAGEN_TEST_PENDING = _DatedState(
    "collagen_skin_test",
    "not_done",
    "negative",
    "collagen_skin_test_read_on",
    COLLAGEN_TEST_READ_DAYS,
)


def isotretinoin_lt6m(answers: Answers, ctx: RuleContext) -> bool:
    return _ISOTRETINOIN_RECENT.fires_on(answers, ctx.on)


def isotretinoin_lt6m_clears(answers: Answers, ctx: RuleContext) -> dt.date | None:
    return _ISOTRETINOIN_RECENT.clears(answers)


def isotretinoin_6_12m(answers: Answers, ctx: RuleContext) -> bool:
    stopped_on = answers["isotretinoin_stopped_on"]
    if answers["isotretinoin"] != "stopped" or stopped_on is None:
        return False
    return ISOTRETINOIN_SHORT_DAYS <= days_since(stopped_on, ctx.on) < ISOTRETINOIN_LONG_DAYS


def isotretinoin_6_12m_clears(answers: Answers, ctx: RuleContext) -> dt.date | None:
    return _plus(answers["isotretinoin_stopped_on"], ISOTRETINOIN_LONG_DAYS)


def topical_retinoid(answers: Answers, ctx: RuleContext) -> bool:
    last_used = answers["topical_retinoid_last_used"]
    window = ctx.retinoid_window_days
    return last_used is not None and window is not None and days_since(last_used, ctx.on) < window


def topical_retinoid_clears(answers: Answers, ctx: RuleContext) -> dt.date | None:
    return _plus(answers["topical_retinoid_last_used"], ctx.retinoid_window_days)


def bovine_collagen(answers: Answers, ctx: RuleContext) -> bool:
    return "bovine_collagen" in answers["allergies"] or answers["collagen_skin_test"] == "positive"


def collagen_skin_test(answers: Answers, ctx: RuleContext) -> bool:
    return _COLLAGEN_TEST_PENDING.fires_on(answers, ctx.on)


def collagen_skin_test_clears(answers: Answers, ctx: RuleContext) -> dt.date | None:
    return _COLLAGEN_TEST_PENDING.clears(answers)


def scar_type_not_indicated(answers: Answers, ctx: RuleContext) -> bool:
    # An empty answer fires too: nothing recorded is nothing indicated.
    return ctx.indicated_scar_types.isdisjoint(answers["scar_types"])


def repeat_too_soon(answers: Answers, ctx: RuleContext) -> bool:
    last = ctx.last_session_on
    minimum = ctx.interval_min_days
    return last is not None and minimum is not None and days_since(last, ctx.on) < minimum


def repeat_too_soon_clears(answers: Answers, ctx: RuleContext) -> dt.date | None:
    return _plus(ctx.last_session_on, ctx.interval_min_days)


def course_gap_exceeded(answers: Answers, ctx: RuleContext) -> bool:
    last = ctx.last_session_on
    maximum = ctx.interval_max_days
    if last is None or maximum is None or ctx.sessions_done < 1:
        return False
    # A course without a session limit can still be interrupted for too long.
    if ctx.sessions_max is not None and ctx.sessions_done >= ctx.sessions_max:
        return False
    return days_since(last, ctx.on) > maximum


def course_limit_reached(answers: Answers, ctx: RuleContext) -> bool:
    return ctx.sessions_max is not None and ctx.sessions_done >= ctx.sessions_max
