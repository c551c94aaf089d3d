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
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .errors import AnswerError, lazy_interpolate

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
    label: str | Promise
    help_text: str | Promise
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


GROUPS: Final[dict[str, str | Promise]] = {
    "about_you": _("About you"),
    "pregnancy": _("Pregnancy"),
    "medicines": _("Medicines and skin products"),
    "health": _("Your health"),
    "skin_now": _("Your skin today"),
    "allergies": _("Allergies and tests"),
    "skin_type": _("Your skin type"),
    "scars": _("Your scars"),
}

_YES_NO_POSSIBLY = (("no", _("No")), ("yes", _("Yes")), ("possibly", _("Possibly")))
_FEMALE = Condition("sex", frozenset({"female"}))


def _bool(key: str, group: str, label: Promise, help_text: Promise) -> Question:
    return Question(key, label, help_text, Kind.BOOL, group, baseline=False)


def _which(key: str, label: Promise, help_text: Promise) -> Question:
    return Question(
        key,
        label,
        help_text,
        Kind.TEXT,
        "medicines",
        baseline="",
        required=False,
        max_length=WHICH_MAX_LENGTH,
    )


_QUESTIONS: tuple[Question, ...] = (
    Question(
        "date_of_birth",
        _("Date of birth"),
        _("Some treatments are only for adults, so we need your age on the procedure day."),
        Kind.DATE,
        "about_you",
        baseline=None,  # computed from the procedure date by baseline_answers()
    ),
    Question(
        "sex",
        _("Sex"),
        _("We ask about pregnancy and periods only if you are female."),
        Kind.CHOICE,
        "about_you",
        baseline="female",
        choices=(("female", _("Female")), ("male", _("Male")), ("other", _("Other"))),
    ),
    Question(
        "pregnant",
        _("Are you pregnant?"),
        _("Many treatments are not done during pregnancy; answer “possibly” if you are not sure."),
        Kind.CHOICE,
        "pregnancy",
        baseline="no",
        choices=_YES_NO_POSSIBLY,
        applies_when=_FEMALE,
        if_not_applicable="baseline",
    ),
    Question(
        "breastfeeding",
        _("Are you breastfeeding?"),
        _("Some substances we inject or apply can pass into breast milk."),
        Kind.BOOL,
        "pregnancy",
        baseline=False,
        applies_when=_FEMALE,
        if_not_applicable="baseline",
    ),
    Question(
        "menstruating",
        _("Do you expect to be menstruating on the procedure day?"),
        _("Ozone therapy is not done during a period; we can choose another day."),
        Kind.BOOL,
        "pregnancy",
        baseline=False,
        applies_when=_FEMALE,
        if_not_applicable="baseline",
    ),
    Question(
        "isotretinoin",
        _("Oral isotretinoin (Roaccutane, Accutane, Sotret)"),
        _("These acne tablets make the skin heal slowly for months after the last dose."),
        Kind.CHOICE,
        "medicines",
        baseline="never",
        choices=(
            ("never", _("Never taken")),
            ("current", _("Taking it now")),
            ("stopped", _("Taken in the past")),
        ),
    ),
    Question(
        "isotretinoin_stopped_on",
        _("When did you take the last dose?"),
        _("An approximate date is fine; it tells us how long ago the course ended."),
        Kind.DATE,
        "medicines",
        baseline=None,
        applies_when=Condition("isotretinoin", frozenset({"stopped"})),
    ),
    Question(
        "topical_retinoid_last_used",
        _(
            "Last use of retinoid or acid skin products (tretinoin, adapalene, glycolic "
            "or salicylic acid)"
        ),
        _("Leave it empty if you have never used them; they thin the skin for a while."),
        Kind.OPTIONAL_DATE,
        "medicines",
        baseline=None,
    ),
    _bool(
        "photosensitising_drugs",
        "medicines",
        _(
            "Medicines that make skin sensitive to light (doxycycline, tetracyclines, "
            "St John's wort)"
        ),
        _("With these, light, laser and peels can burn or stain the skin."),
    ),
    _which(
        "photosensitising_drugs_which",
        _("Which medicines that make skin sensitive to light?"),
        _("Write the names as on the packet, if you know them."),
    ),
    _bool(
        "blood_thinners",
        "medicines",
        _("Blood thinners (warfarin, apixaban, aspirin, regular ibuprofen, fish oil, ginkgo)"),
        _("They make bruising and bleeding more likely; never stop them on your own."),
    ),
    _which(
        "blood_thinners_which",
        _("Which blood thinners?"),
        _("Write the names as on the packet, if you know them."),
    ),
    _bool(
        "bleeding_disorder",
        "health",
        _("A bleeding or clotting disorder"),
        _("For example haemophilia, or bleeding that is hard to stop."),
    ),
    _bool(
        "diabetes",
        "health",
        _("Diabetes"),
        _("Diabetes slows healing and raises the risk of infection."),
    ),
    _bool(
        "endocrine_other",
        "health",
        _("Another endocrine disease (e.g. thyroid)"),
        _("Hormone disorders change how the skin reacts to some treatments."),
    ),
    _bool(
        "cardiovascular",
        "health",
        _("Heart or blood-vessel disease, arrhythmia"),
        _("Some treatments strain the heart or affect the blood vessels."),
    ),
    _bool(
        "pacemaker",
        "health",
        _("A pacemaker or other implanted electronic device"),
        _("Electrical and ultrasound devices can interfere with implanted electronics."),
    ),
    _bool(
        "cancer",
        "health",
        _("Cancer, now or treated in the last 12 months"),
        _("Treatments that stimulate the skin need a doctor's decision after cancer."),
    ),
    _bool(
        "mental_illness",
        "health",
        _("A diagnosed mental illness, depression included"),
        _("This helps us plan the treatment with you; your answer stays confidential."),
    ),
    _bool(
        "epilepsy",
        "health",
        _("Epilepsy or seizures"),
        _("Electrical stimulation and flashing light can trigger seizures."),
    ),
    Question(
        "autoimmune",
        _("Autoimmune or connective-tissue disease"),
        _("For example lupus or scleroderma; “stable” means no flare-up for months."),
        Kind.CHOICE,
        "health",
        baseline="none",
        choices=(
            ("none", _("None")),
            ("stable", _("Yes, stable")),
            ("active", _("Yes, active now")),
        ),
    ),
    _bool(
        "liver_kidney_disease",
        "health",
        _("Liver or kidney disease"),
        _("The liver and kidneys clear some of the substances used in deep peels."),
    ),
    _bool(
        "g6pd_deficiency",
        "health",
        _("G6PD deficiency (favism)"),
        _("An inherited condition in which ozone can damage red blood cells."),
    ),
    _bool(
        "active_inflammation",
        "skin_now",
        _("Inflamed spots, pustules or other active inflammation on the face now"),
        _("Scar treatment usually waits until the acne itself has calmed down."),
    ),
    _bool(
        "herpes_active",
        "skin_now",
        _("A cold sore or herpes rash now"),
        _("Treating the face during a cold sore can spread the virus."),
    ),
    _bool(
        "herpes_history",
        "skin_now",
        _("Recurring cold sores in the past"),
        _("Some treatments can wake the virus up; tablets beforehand can prevent it."),
    ),
    _bool(
        "rosacea",
        "skin_now",
        _("Rosacea"),
        _("Redness and visible small vessels on the cheeks and nose that come and go."),
    ),
    _bool(
        "skin_disease_active",
        "skin_now",
        _(
            "Another active skin disease where we would treat (eczema, psoriasis, "
            "dermatitis, infection)"
        ),
        _("Treating inflamed or infected skin can make the disease worse."),
    ),
    _bool(
        "skin_wound",
        "skin_now",
        _("Cuts, abrasions or other damage to the facial skin"),
        _("Damaged skin has to heal before any treatment on it."),
    ),
    _bool(
        "burn_or_frostbite",
        "skin_now",
        _("A burn (sunburn included) or frostbite on the face"),
        _("Burnt or frostbitten skin has to heal before any treatment on it."),
    ),
    Question(
        "allergies",
        _("Allergies"),
        _("Tick every substance you have reacted to; leave all empty if none."),
        Kind.MULTI_CHOICE,
        "allergies",
        baseline=frozenset(),
        choices=(
            ("hyaluronic_acid", _("Hyaluronic acid")),
            ("lidocaine", _("Lidocaine or other local anaesthetics")),
            ("bovine_collagen", _("Bovine collagen")),
        ),
    ),
    Question(
        "collagen_skin_test",
        _("Collagen skin test"),
        _("A small test injection in the forearm, checked about four weeks later."),
        Kind.CHOICE,
        "allergies",
        baseline="not_done",
        choices=(
            ("not_done", _("Not done")),
            ("negative", _("Done, no reaction")),
            ("positive", _("Done, there was a reaction")),
        ),
    ),
    Question(
        "collagen_skin_test_read_on",
        _("When was it read?"),
        _("The day the clinic checked the test site on your forearm."),
        Kind.DATE,
        "allergies",
        baseline=None,
        applies_when=Condition("collagen_skin_test", frozenset({"negative", "positive"})),
    ),
    _bool(
        "keloid_tendency",
        "skin_type",
        _("Have you ever formed keloid or raised scars?"),
        _("Thick scars that grow above the skin after a cut, piercing or spot."),
    ),
    Question(
        "fitzpatrick",
        _("Skin phototype (a short guided question; the practitioner confirms)"),
        _("How your skin reacts to the sun; darker skin marks more easily after treatment."),
        Kind.CHOICE,
        "skin_type",
        baseline="II",
        choices=(
            ("I", _("I: very fair, always burns, never tans")),
            ("II", _("II: fair, burns easily, tans with difficulty")),
            ("III", _("III: medium, sometimes burns, tans gradually")),
            ("IV", _("IV: olive, rarely burns, tans easily")),
            ("V", _("V: brown, very rarely burns, tans darkly")),
            ("VI", _("VI: dark brown or black, never burns")),
        ),
    ),
    _bool(
        "pih_history",
        "skin_type",
        _("Dark marks left after spots or procedures"),
        _("Skin that darkens after irritation may darken after treatment too."),
    ),
    _bool(
        "recent_tan",
        "skin_type",
        _("Tanning or solarium in the last 4 weeks"),
        _("Tanned skin burns and stains more easily under light, laser and peels."),
    ),
    Question(
        "skin_type",
        _("Skin type"),
        _("How your face feels a few hours after washing, without any cream."),
        Kind.CHOICE,
        "skin_type",
        baseline="normal",
        choices=(
            ("dry", _("Dry")),
            ("normal", _("Normal")),
            ("oily", _("Oily")),
            ("combination", _("Combination")),
        ),
    ),
    _bool(
        "cold_intolerance",
        "health",
        _("Cold urticaria, Raynaud's, cryoglobulinaemia"),
        _("Conditions in which cold causes hives, white fingers or other reactions."),
    ),
    _bool(
        "metal_implants_face",
        "health",
        _("Metal implants in the face"),
        _("For example plates or screws after an injury; dental fillings do not count."),
    ),
    _bool(
        "recent_facial_surgery",
        "health",
        _("Facial surgery in the last 3 months"),
        _("Freshly operated skin needs time to heal before another treatment."),
    ),
    Question(
        "scar_types",
        _("Which scars do you have? (pictures help; the practitioner confirms)"),
        _("Pick every type you recognise; each treatment suits some types only."),
        Kind.MULTI_CHOICE,
        "scars",
        baseline=frozenset({"rolling"}),
        choices=(
            ("icepick", _("Icepick: narrow, deep pits")),
            ("rolling", _("Rolling: wide, wave-like dips with smooth edges")),
            ("boxcar_shallow", _("Boxcar, shallow: pits with straight edges")),
            ("boxcar_deep", _("Boxcar, deep: deep pits with straight edges")),
            ("hypertrophic", _("Hypertrophic: raised, firm scars")),
            ("keloid", _("Keloid: raised scars growing beyond the spot")),
            ("macular", _("Marks: flat red, white or brown spots")),
        ),
    ),
    Question(
        "home_patch_test",
        _("Did the home sensitivity test (ear area, 30 min) pass?"),
        _(
            "Put a little of a home product behind the ear for 30 minutes, rinse, and "
            "watch for an hour; burning means wash it off at once."
        ),
        Kind.CHOICE,
        "allergies",
        baseline="not_done",
        choices=(
            ("passed", _("Passed, no reaction")),
            ("reaction", _("There was a reaction")),
            ("not_done", _("Not done")),
        ),
    ),
)

QUESTIONS: Final[dict[str, Question]] = {q.key: q for q in _QUESTIONS}
ANSWER_KEYS: Final[tuple[str, ...]] = tuple(QUESTIONS)

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
    answers = {q.key: q.baseline for q in _QUESTIONS}
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
    for q in _QUESTIONS:
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
