"""Every screening rule code as data: when it fires, what it reads, what it tells people.

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
- `PREGNANCY_POSSIBLE` is always relative.

Each rule has a short label (`RuleCode`, for model choices), the intake keys
it reads (the practitioner's review screen shows exactly those), two patient
sentences (one for when it blocks, one for when it asks for review: the same
code is absolute for one procedure and relative for another) and a clinical
sentence for the practitioner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .intake import SCAR_TYPES

__all__ = [
    "ALWAYS_RELATIVE",
    "COLLAGEN_TEST_READ_DAYS",
    "ISOTRETINOIN_LONG_DAYS",
    "ISOTRETINOIN_SHORT_DAYS",
    "RULES",
    "Rule",
    "RuleCode",
    "RuleContext",
    "age_on",
    "can_fire",
    "days_since",
]

ISOTRETINOIN_SHORT_DAYS: Final = 182  # "6 months"
ISOTRETINOIN_LONG_DAYS: Final = 365  # "12 months"
COLLAGEN_TEST_READ_DAYS: Final = 28
ADULT_AGE: Final = 18

ALWAYS_RELATIVE: Final = frozenset({"PREGNANCY_POSSIBLE"})


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


def _flag(key: str) -> Predicate:
    def predicate(answers: Answers, ctx: RuleContext) -> bool:
        return answers[key] is True

    predicate.__name__ = f"fires_if_{key}"
    return predicate


def _equals(key: str, *values: str) -> Predicate:
    wanted = frozenset(values)

    def predicate(answers: Answers, ctx: RuleContext) -> bool:
        return answers[key] in wanted

    predicate.__name__ = f"fires_if_{key}_in_{'_'.join(values)}"
    return predicate


def _allergy(allergen: str) -> Predicate:
    def predicate(answers: Answers, ctx: RuleContext) -> bool:
        return allergen in answers["allergies"]

    predicate.__name__ = f"fires_if_allergic_to_{allergen}"
    return predicate


def _herpes_history(answers: Answers, ctx: RuleContext) -> bool:
    return answers["herpes_history"] is True and answers["herpes_active"] is not True


def _under_18(answers: Answers, ctx: RuleContext) -> bool:
    return age_on(answers["date_of_birth"], ctx.on) < ADULT_AGE


def _isotretinoin_lt6m(answers: Answers, ctx: RuleContext) -> bool:
    status = answers["isotretinoin"]
    if status == "current":
        return True
    if status != "stopped":
        return False
    stopped_on = answers["isotretinoin_stopped_on"]
    # An unknown stop date is treated as recent: the safe reading.
    return stopped_on is None or days_since(stopped_on, ctx.on) < ISOTRETINOIN_SHORT_DAYS


def _isotretinoin_lt6m_clears(answers: Answers, ctx: RuleContext) -> dt.date | None:
    if answers["isotretinoin"] != "stopped":
        return None
    return _plus(answers["isotretinoin_stopped_on"], ISOTRETINOIN_SHORT_DAYS)


def _isotretinoin_6_12m(answers: Answers, ctx: RuleContext) -> bool:
    stopped_on = answers["isotretinoin_stopped_on"]
    if answers["isotretinoin"] != "stopped" or stopped_on is None:
        return False
    return ISOTRETINOIN_SHORT_DAYS <= days_since(stopped_on, ctx.on) < ISOTRETINOIN_LONG_DAYS


def _isotretinoin_6_12m_clears(answers: Answers, ctx: RuleContext) -> dt.date | None:
    return _plus(answers["isotretinoin_stopped_on"], ISOTRETINOIN_LONG_DAYS)


def _topical_retinoid(answers: Answers, ctx: RuleContext) -> bool:
    last_used = answers["topical_retinoid_last_used"]
    window = ctx.retinoid_window_days
    return last_used is not None and window is not None and days_since(last_used, ctx.on) < window


def _topical_retinoid_clears(answers: Answers, ctx: RuleContext) -> dt.date | None:
    return _plus(answers["topical_retinoid_last_used"], ctx.retinoid_window_days)


def _bovine_collagen(answers: Answers, ctx: RuleContext) -> bool:
    return "bovine_collagen" in answers["allergies"] or answers["collagen_skin_test"] == "positive"


def _collagen_skin_test(answers: Answers, ctx: RuleContext) -> bool:
    status = answers["collagen_skin_test"]
    if status == "not_done":
        return True
    if status != "negative":
        return False
    read_on = answers["collagen_skin_test_read_on"]
    return read_on is None or days_since(read_on, ctx.on) < COLLAGEN_TEST_READ_DAYS


def _collagen_skin_test_clears(answers: Answers, ctx: RuleContext) -> dt.date | None:
    if answers["collagen_skin_test"] != "negative":
        return None
    return _plus(answers["collagen_skin_test_read_on"], COLLAGEN_TEST_READ_DAYS)


def _scar_type_not_indicated(answers: Answers, ctx: RuleContext) -> bool:
    # An empty answer fires too: nothing recorded is nothing indicated.
    return ctx.indicated_scar_types.isdisjoint(answers["scar_types"])


def _repeat_too_soon(answers: Answers, ctx: RuleContext) -> bool:
    last = ctx.last_session_on
    minimum = ctx.interval_min_days
    return last is not None and minimum is not None and days_since(last, ctx.on) < minimum


def _repeat_too_soon_clears(answers: Answers, ctx: RuleContext) -> dt.date | None:
    return _plus(ctx.last_session_on, ctx.interval_min_days)


def _course_gap_exceeded(answers: Answers, ctx: RuleContext) -> bool:
    last = ctx.last_session_on
    maximum = ctx.interval_max_days
    if last is None or maximum is None or ctx.sessions_done < 1:
        return False
    # A course without a session limit can still be interrupted for too long.
    if ctx.sessions_max is not None and ctx.sessions_done >= ctx.sessions_max:
        return False
    return days_since(last, ctx.on) > maximum


def _course_limit_reached(answers: Answers, ctx: RuleContext) -> bool:
    return ctx.sessions_max is not None and ctx.sessions_done >= ctx.sessions_max


# --- the rules, in the order of rules.md ---------------------------------------------------


def _simple(
    code: str,
    key: str,
    patient: Promise,
    review: Promise,
    clinical: Promise,
) -> Rule:
    return Rule(code, (key,), _flag(key), patient, review, clinical)


_RULES: tuple[Rule, ...] = (
    _simple(
        "INFLAMMATION_ACTIVE",
        "active_inflammation",
        _(
            "You told us you have inflamed spots on your face now: scar treatment has to "
            "wait until the inflammation has calmed down."
        ),
        _(
            "You told us you have inflamed spots on your face now: the practitioner will "
            "check your skin before confirming this procedure."
        ),
        _("Active inflammatory acne (papules, pustules) in the treatment area; treat it first."),
    ),
    _simple(
        "HERPES_ACTIVE",
        "herpes_active",
        _(
            "You told us you have a cold sore or herpes rash now: this procedure has to "
            "wait until it has fully healed."
        ),
        _(
            "You told us you have a cold sore or herpes rash now: the practitioner will "
            "decide whether this procedure can go ahead."
        ),
        _("Active herpes simplex lesion; risk of spreading the infection over the treated area."),
    ),
    Rule(
        "HERPES_HISTORY",
        ("herpes_history", "herpes_active"),
        _herpes_history,
        _(
            "You told us you get cold sores: this procedure can set off an outbreak, so it "
            "is not done for you."
        ),
        _(
            "You told us you get cold sores: the practitioner will check whether you need "
            "antiviral tablets before this procedure."
        ),
        _("Recurrent herpes labialis; consider antiviral prophylaxis before the procedure."),
    ),
    _simple(
        "SKIN_DISEASE_ACTIVE",
        "skin_disease_active",
        _(
            "You told us you have an active skin disease where we would treat: it must be "
            "under control before this procedure."
        ),
        _(
            "You told us you have an active skin disease where we would treat: the "
            "practitioner will check your skin before confirming this procedure."
        ),
        _(
            "Active dermatosis (eczema, psoriasis, dermatitis or infection) in the treatment "
            "area; risk of a flare (Koebner phenomenon) and poor healing."
        ),
    ),
    _simple(
        "WOUND",
        "skin_wound",
        _(
            "You told us the skin of your face is cut or damaged: it must heal before this "
            "procedure."
        ),
        _(
            "You told us the skin of your face is cut or damaged: the practitioner will "
            "check it before confirming this procedure."
        ),
        _("Broken skin (cuts, abrasions) in the treatment area."),
    ),
    _simple(
        "BURN_FROSTBITE",
        "burn_or_frostbite",
        _(
            "You told us you have a burn or frostbite on your face: it must heal before "
            "this procedure."
        ),
        _(
            "You told us you have a burn or frostbite on your face: the practitioner will "
            "check your skin before confirming this procedure."
        ),
        _("Burn (sunburn included) or frostbite on the face."),
    ),
    _simple(
        "ROSACEA",
        "rosacea",
        _(
            "You told us you have rosacea: this procedure can make it worse, so it is not "
            "done for you."
        ),
        _(
            "You told us you have rosacea: the practitioner will decide whether this "
            "procedure is safe for your skin."
        ),
        _("Rosacea; the procedure can aggravate erythema and telangiectasia."),
    ),
    _simple(
        "DIABETES",
        "diabetes",
        _("You told us you have diabetes: this procedure is not done for people with diabetes."),
        _(
            "You told us you have diabetes: the practitioner will check that your skin will "
            "heal well before confirming this procedure."
        ),
        _("Diabetes mellitus; impaired wound healing and a higher risk of infection."),
    ),
    _simple(
        "ENDOCRINE_OTHER",
        "endocrine_other",
        _(
            "You told us you have a hormone (endocrine) disease: this procedure is not done "
            "in that case."
        ),
        _(
            "You told us you have a hormone (endocrine) disease: the practitioner will "
            "decide whether this procedure is safe for you."
        ),
        _("Endocrine disease other than diabetes (e.g. thyroid disease)."),
    ),
    _simple(
        "CARDIOVASCULAR",
        "cardiovascular",
        _(
            "You told us you have a heart or blood-vessel disease: this procedure is not "
            "done in that case."
        ),
        _(
            "You told us you have a heart or blood-vessel disease: the practitioner will "
            "decide whether this procedure is safe for you."
        ),
        _("Cardiovascular disease or arrhythmia."),
    ),
    _simple(
        "PACEMAKER",
        "pacemaker",
        _(
            "You told us you have a pacemaker or another implanted device: this procedure "
            "could interfere with it, so it is not done for you."
        ),
        _(
            "You told us you have a pacemaker or another implanted device: the practitioner "
            "will check that this procedure cannot interfere with it."
        ),
        _("Pacemaker or other implanted electronic device; electrical or ultrasound energy."),
    ),
    _simple(
        "ONCOLOGY",
        "cancer",
        _("You told us you have or recently had cancer: this procedure is not done in that case."),
        _(
            "You told us you have or recently had cancer: a doctor will decide whether this "
            "procedure is safe for you."
        ),
        _("Malignancy, current or treated within the last 12 months."),
    ),
    _simple(
        "MENTAL_ILLNESS",
        "mental_illness",
        _("You told us about a diagnosed mental illness: this procedure is not done in that case."),
        _(
            "You told us about a diagnosed mental illness: the practitioner will talk the "
            "procedure through with you before confirming it."
        ),
        _("Diagnosed mental illness, depression included; assess suitability and expectations."),
    ),
    _simple(
        "EPILEPSY",
        "epilepsy",
        _(
            "You told us you have epilepsy or seizures: this procedure can set off a "
            "seizure, so it is not done for you."
        ),
        _(
            "You told us you have epilepsy or seizures: the practitioner will decide whether "
            "this procedure is safe for you."
        ),
        _("Epilepsy or seizure disorder."),
    ),
    _simple(
        "HEPATIC_RENAL",
        "liver_kidney_disease",
        _(
            "You told us you have a liver or kidney disease: this procedure uses a substance "
            "these organs must clear, so it is not done for you."
        ),
        _(
            "You told us you have a liver or kidney disease: a doctor will decide whether "
            "this procedure is safe for you."
        ),
        _("Hepatic or renal disease; impaired clearance of systemically absorbed agents."),
    ),
    _simple(
        "G6PD_DEFICIENCY",
        "g6pd_deficiency",
        _(
            "You told us you have G6PD deficiency: this procedure can harm your red blood "
            "cells, so it is not done for you."
        ),
        _(
            "You told us you have G6PD deficiency: a doctor will decide whether this "
            "procedure is safe for you."
        ),
        _("G6PD deficiency; risk of oxidative haemolysis."),
    ),
    Rule(
        "PREGNANCY",
        ("pregnant",),
        _equals("pregnant", "yes"),
        _("You told us you are pregnant: this procedure cannot be done during pregnancy."),
        _(
            "You told us you are pregnant: a doctor will decide whether this procedure can "
            "be done during your pregnancy."
        ),
        _("Pregnancy."),
    ),
    Rule(
        "PREGNANCY_POSSIBLE",
        ("pregnant",),
        _equals("pregnant", "possibly"),
        _(
            "You told us you may be pregnant: this procedure cannot be done until pregnancy "
            "is ruled out."
        ),
        _(
            "You told us you may be pregnant: the practitioner will talk to you about it "
            "before confirming this procedure."
        ),
        _("Possible pregnancy; confirm the status before proceeding."),
    ),
    _simple(
        "LACTATION",
        "breastfeeding",
        _("You told us you are breastfeeding: this procedure is not done while breastfeeding."),
        _(
            "You told us you are breastfeeding: the practitioner will decide whether this "
            "procedure is safe while you breastfeed."
        ),
        _("Lactation."),
    ),
    _simple(
        "MENSTRUATION",
        "menstruating",
        _(
            "You told us you expect your period on the procedure day: this procedure is not "
            "done during a period, so please choose another day."
        ),
        _(
            "You told us you expect your period on the procedure day: the practitioner will "
            "decide whether the procedure can go ahead that day."
        ),
        _("Menstruation expected on the procedure day."),
    ),
    Rule(
        "AGE_UNDER_18",
        ("date_of_birth",),
        _under_18,
        _("You will be under 18 on the procedure day: this procedure is only done for adults."),
        _(
            "You will be under 18 on the procedure day: a doctor must approve this procedure "
            "and a parent or guardian must consent."
        ),
        _("Patient under 18 on the procedure date."),
    ),
    Rule(
        "ISOTRETINOIN_LT6M",
        ("isotretinoin", "isotretinoin_stopped_on"),
        _isotretinoin_lt6m,
        _(
            "You take isotretinoin or stopped it less than 6 months ago: the skin heals "
            "poorly during that time, so this procedure has to wait."
        ),
        _(
            "You take isotretinoin or stopped it less than 6 months ago: the practitioner "
            "will decide whether this procedure is safe for your skin now."
        ),
        _(
            "Oral isotretinoin, current or stopped less than 6 months ago; risk of delayed "
            "healing and atypical scarring."
        ),
        clears_on=_isotretinoin_lt6m_clears,
    ),
    Rule(
        "ISOTRETINOIN_6_12M",
        ("isotretinoin", "isotretinoin_stopped_on"),
        _isotretinoin_6_12m,
        _(
            "You stopped isotretinoin less than a year ago: for this procedure the skin "
            "needs a full year to recover."
        ),
        _(
            "You stopped isotretinoin less than a year ago: the practitioner will decide "
            "whether your skin has recovered enough for this procedure."
        ),
        _("Oral isotretinoin stopped 6 to 12 months ago."),
        clears_on=_isotretinoin_6_12m_clears,
    ),
    Rule(
        "PRECARE_TOPICAL_RETINOID",
        ("topical_retinoid_last_used",),
        _topical_retinoid,
        _(
            "You used retinoid or acid skin products too recently: they must be stopped for "
            "a while before this procedure."
        ),
        _(
            "You used retinoid or acid skin products recently: the practitioner will check "
            "your skin before confirming this procedure."
        ),
        _("Topical retinoid or acid product used within the procedure's stop window."),
        clears_on=_topical_retinoid_clears,
    ),
    Rule(
        "PHOTOSENSITISING_DRUGS",
        ("photosensitising_drugs", "photosensitising_drugs_which"),
        _flag("photosensitising_drugs"),
        _(
            "You take medicines that make skin sensitive to light: with them this procedure "
            "can burn or stain the skin, so it is not done for you."
        ),
        _(
            "You take medicines that make skin sensitive to light: the practitioner will "
            "check them before confirming this procedure."
        ),
        _("Photosensitising medication (e.g. doxycycline, tetracyclines, St John's wort)."),
    ),
    Rule(
        "ANTICOAGULANTS",
        ("blood_thinners", "blood_thinners_which"),
        _flag("blood_thinners"),
        _(
            "You take blood thinners: with them this procedure can cause heavy bleeding or "
            "bruising. Never stop them on your own."
        ),
        _(
            "You take blood thinners: the practitioner will check them with you. Never stop "
            "them on your own."
        ),
        _("Anticoagulant or antiplatelet medicine or supplement; bleeding and bruising risk."),
    ),
    _simple(
        "BLEEDING_DISORDER",
        "bleeding_disorder",
        _(
            "You told us you have a bleeding or clotting disorder: the risk of bleeding with "
            "this procedure is too high for you."
        ),
        _(
            "You told us you have a bleeding or clotting disorder: a doctor will decide "
            "whether this procedure is safe for you."
        ),
        _("Bleeding or clotting disorder."),
    ),
    Rule(
        "AUTOIMMUNE_ACTIVE",
        ("autoimmune",),
        _equals("autoimmune", "active"),
        _(
            "You told us you have an active autoimmune or connective-tissue disease: this "
            "procedure has to wait until it is under control."
        ),
        _(
            "You told us you have an active autoimmune or connective-tissue disease: a "
            "doctor will decide whether this procedure is safe for you now."
        ),
        _("Active autoimmune or connective-tissue disease."),
    ),
    Rule(
        "AUTOIMMUNE_STABLE",
        ("autoimmune",),
        _equals("autoimmune", "stable"),
        _(
            "You told us you have an autoimmune or connective-tissue disease: this "
            "procedure is not done in that case, even when the disease is stable."
        ),
        _(
            "You told us you have a stable autoimmune or connective-tissue disease: a doctor "
            "will decide whether this procedure is safe for you."
        ),
        _("Autoimmune or connective-tissue disease, currently stable."),
    ),
    Rule(
        "ALLERGY_HYALURONIC",
        ("allergies",),
        _allergy("hyaluronic_acid"),
        _(
            "You told us you are allergic to hyaluronic acid: this procedure uses it, so it "
            "is not done for you."
        ),
        _(
            "You told us you are allergic to hyaluronic acid: the practitioner will check "
            "the products before confirming this procedure."
        ),
        _("Allergy to hyaluronic acid."),
    ),
    Rule(
        "ALLERGY_LIDOCAINE",
        ("allergies",),
        _allergy("lidocaine"),
        _(
            "You told us you are allergic to local anaesthetics: this procedure needs them, "
            "so it is not done for you."
        ),
        _(
            "You told us you are allergic to local anaesthetics: the practitioner will plan "
            "pain relief with you before confirming this procedure."
        ),
        _("Allergy to lidocaine or other local anaesthetics."),
    ),
    Rule(
        "ALLERGY_BOVINE_COLLAGEN",
        ("allergies", "collagen_skin_test"),
        _bovine_collagen,
        _(
            "You are allergic to bovine collagen or reacted to the collagen skin test: "
            "collagen cannot be injected for you."
        ),
        _(
            "You are allergic to bovine collagen or reacted to the collagen skin test: the "
            "practitioner will decide whether this procedure is safe for you."
        ),
        _("Allergy to bovine collagen, or a positive collagen skin test."),
    ),
    Rule(
        "PRECARE_COLLAGEN_SKIN_TEST",
        ("collagen_skin_test", "collagen_skin_test_read_on"),
        _collagen_skin_test,
        _(
            "A collagen skin test on the forearm must be done and read at least 28 days "
            "before this procedure."
        ),
        _(
            "A collagen skin test is normally read at least 28 days before this procedure: "
            "the practitioner will decide how to go ahead."
        ),
        _("Collagen skin test not done, or read fewer than 28 days before the procedure."),
        clears_on=_collagen_skin_test_clears,
    ),
    _simple(
        "KELOID_TENDENCY",
        "keloid_tendency",
        _(
            "You told us you form keloid or raised scars: this procedure could cause new "
            "ones, so it is not done for you."
        ),
        _(
            "You told us you form keloid or raised scars: the practitioner will decide "
            "whether this procedure is safe for you."
        ),
        _("History of keloid or hypertrophic scarring."),
    ),
    Rule(
        "FITZ_IV_VI",
        ("fitzpatrick",),
        _equals("fitzpatrick", "IV", "V", "VI"),
        _(
            "Your skin tans easily: this procedure can leave dark or light patches on it, "
            "so it is not done for you."
        ),
        _(
            "Your skin tans easily and can change colour after this procedure: the "
            "practitioner will check it and may adjust the treatment."
        ),
        _("Fitzpatrick phototype IV to VI; risk of post-inflammatory dyspigmentation."),
    ),
    Rule(
        "FITZ_V_VI",
        ("fitzpatrick",),
        _equals("fitzpatrick", "V", "VI"),
        _(
            "Your skin is dark: this procedure can leave dark or light patches on it, so it "
            "is not done for you."
        ),
        _(
            "Your skin is dark and can change colour after this procedure: the practitioner "
            "will check it and may adjust the treatment."
        ),
        _("Fitzpatrick phototype V or VI; high risk of dyspigmentation."),
    ),
    _simple(
        "PIH_HISTORY",
        "pih_history",
        _(
            "You told us your skin darkens after spots or procedures: this procedure could "
            "leave dark marks, so it is not done for you."
        ),
        _(
            "You told us your skin darkens after spots or procedures: the practitioner will "
            "check your skin and may prepare it first."
        ),
        _("History of post-inflammatory hyperpigmentation."),
    ),
    _simple(
        "RECENT_TAN",
        "recent_tan",
        _(
            "You told us you tanned in the last 4 weeks: tanned skin can burn or stain, so "
            "this procedure has to wait."
        ),
        _(
            "You told us you tanned in the last 4 weeks: the practitioner will check your "
            "skin before confirming this procedure."
        ),
        _("Sun or solarium tan within the last 4 weeks."),
    ),
    Rule(
        "DRY_SKIN",
        ("skin_type",),
        _equals("skin_type", "dry"),
        _(
            "You told us your skin is dry: this procedure can dry and irritate it further, "
            "so it is not done for you."
        ),
        _(
            "You told us your skin is dry: the practitioner will check it before confirming "
            "this procedure."
        ),
        _("Dry skin type."),
    ),
    Rule(
        "COMBINATION_SKIN",
        ("skin_type",),
        _equals("skin_type", "combination"),
        _("You told us your skin is combination: this procedure is not done for that skin type."),
        _(
            "You told us your skin is combination: a specialist will decide whether this "
            "procedure suits your skin."
        ),
        _("Combination skin type; a specialist decides."),
    ),
    _simple(
        "COLD_INTOLERANCE",
        "cold_intolerance",
        _(
            "You told us you react to cold: this procedure uses intense cold, so it is not "
            "done for you."
        ),
        _(
            "You told us you react to cold: the practitioner will decide whether this "
            "procedure is safe for you."
        ),
        _("Cold urticaria, Raynaud's phenomenon or cryoglobulinaemia."),
    ),
    _simple(
        "METAL_IMPLANTS_FACE",
        "metal_implants_face",
        _(
            "You told us you have metal implants in your face: this procedure could affect "
            "them, so it is not done for you."
        ),
        _(
            "You told us you have metal implants in your face: the practitioner will check "
            "where they are before confirming this procedure."
        ),
        _("Metal implants in the face."),
    ),
    _simple(
        "RECENT_FACIAL_SURGERY",
        "recent_facial_surgery",
        _(
            "You told us you had facial surgery in the last 3 months: the skin needs more "
            "time to heal before this procedure."
        ),
        _(
            "You told us you had facial surgery in the last 3 months: the practitioner will "
            "check the healing before confirming this procedure."
        ),
        _("Facial surgery within the last 3 months."),
    ),
    Rule(
        "SCAR_TYPE_NOT_INDICATED",
        ("scar_types",),
        _scar_type_not_indicated,
        _("This procedure does not treat the types of scar you told us about."),
        _(
            "This procedure is not usually chosen for the types of scar you told us about: "
            "the practitioner will confirm that it suits you."
        ),
        _("None of the recorded scar types is an indication for this procedure."),
    ),
    Rule(
        "REPEAT_TOO_SOON",
        (),
        _repeat_too_soon,
        _(
            "Your last session of this procedure was too recent: the skin needs the full "
            "interval between sessions to recover."
        ),
        _(
            "Your last session of this procedure was recent: the practitioner will decide "
            "whether your skin has recovered enough."
        ),
        _("Less than the procedure's minimum interval since the last session."),
        clears_on=_repeat_too_soon_clears,
        uses_history=True,
    ),
    Rule(
        "COURSE_GAP_EXCEEDED",
        (),
        _course_gap_exceeded,
        _(
            "More time than planned has passed since your last session: the course must be "
            "reassessed before it continues."
        ),
        _(
            "More time than planned has passed since your last session: the practitioner "
            "will decide whether to continue the course or start again."
        ),
        _("The gap since the last session exceeds the course's maximum interval."),
        uses_history=True,
    ),
    Rule(
        "COURSE_LIMIT_REACHED",
        (),
        _course_limit_reached,
        _("You have completed the full course of this procedure: another session is not planned."),
        _(
            "You have completed the full course of this procedure: the practitioner will "
            "decide whether another session is right for you."
        ),
        _("The current course has reached its maximum number of sessions."),
        uses_history=True,
    ),
)

RULES: Final[dict[str, Rule]] = {rule.code: rule for rule in _RULES}


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
