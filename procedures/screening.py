"""Screening: may this patient have this procedure on this date?

Domain rules implemented here (the domain reference's "How a screening is
decided", with `rules.md` and `catalogue.md`):

1. Every rule the procedure lists (absolute and relative, generic groups
   already expanded) is evaluated on the validated intake answers, the
   patient's history with the procedure (`last_session_on`, `sessions_done`,
   from the portal's own records) and the procedure date `on`.
2. Any absolute rule fires -> `blocked`; the fired absolute codes are the
   reasons (`blocking`). Relative rules that fired are still reported (`flags`).
3. Else any relative rule fires -> `review`: a practitioner approves before
   the appointment is confirmed.
4. Else -> `ok`.

A code absolute for a procedure is never also relative for it. When a
screening is blocked only by time-bound rules, `earliest_date` is the first
date on which none of them fires any more: the latest of their clear dates,
then re-checked on that date, because a rule can start firing as another stops
(isotretinoin stopped 3 months ago clears `ISOTRETINOIN_LT6M` at 182 days but
fires `ISOTRETINOIN_6_12M` from then until 365 days). The re-check assumes the
answers and the history stay as they are. If any blocking rule is not
time-bound, or the outcome is not `blocked`, `earliest_date` is `None`.

The evaluation is pure: no database, no I/O. A procedure is given as a
`ProcedureRules`, as an object with a `screening_rules()` method (the
Procedure model), or as a slug resolved by the registered rules loader (by
default, the built-in catalogue data; the project registers a database-backed
one with `set_rules_loader()`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, Protocol, runtime_checkable

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .catalogue_data import CATALOGUE
from .errors import AnswerError, DomainError, lazy_interpolate
from .intake import SCAR_TYPES, validate_answers
from .rules import ALWAYS_RELATIVE, RULES, Rule, RuleCode, RuleContext

__all__ = [
    "Finding",
    "Outcome",
    "ProcedureRules",
    "RulesLoader",
    "ScreeningResult",
    "get_rules_loader",
    "rules_for",
    "screen",
    "set_rules_loader",
]


class Outcome(models.TextChoices):
    OK = "ok", _("OK")
    REVIEW = "review", _("Needs review")
    BLOCKED = "blocked", _("Blocked")


class CatalogueLike(Protocol):
    """The attributes `ProcedureRules.from_catalogue()` reads (catalogue entry or model)."""

    slug: str
    absolute_rules: Iterable[str]
    relative_rules: Iterable[str]
    retinoid_window_days: int | None
    interval_min_days: int | None
    interval_max_days: int | None
    sessions_max: int | None
    repeatable: bool
    indicated_scar_types: Iterable[str]


@runtime_checkable
class HasScreeningRules(Protocol):
    def screening_rules(self) -> ProcedureRules: ...


@dataclass(frozen=True)
class ProcedureRules:
    """What screening needs to know about one procedure.

    Codes may be given as any iterable; they are stored as frozensets, and a
    code listed as both absolute and relative is kept as absolute only.
    `sessions_max` is the session limit screening enforces: `None` for
    repeatable treatments, whatever their course length.
    """

    slug: str
    absolute: frozenset[str]
    relative: frozenset[str]
    retinoid_window_days: int | None = None
    interval_min_days: int | None = None
    interval_max_days: int | None = None
    sessions_max: int | None = None
    indicated_scar_types: frozenset[str] = frozenset(SCAR_TYPES)
    # (rule, is_absolute) in rules.md order, precomputed so screen() only loops.
    _checks: tuple[tuple[Rule, bool], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        absolute = frozenset(self.absolute)
        relative = frozenset(self.relative) - absolute
        unknown = (absolute | relative) - RULES.keys()
        if unknown:
            raise ValueError(f"{self.slug}: unknown rule codes {sorted(unknown)}")
        if absolute & ALWAYS_RELATIVE:
            raise ValueError(
                f"{self.slug}: {sorted(absolute & ALWAYS_RELATIVE)} is always relative"
            )
        if "PRECARE_TOPICAL_RETINOID" in absolute | relative and self.retinoid_window_days is None:
            raise ValueError(f"{self.slug}: PRECARE_TOPICAL_RETINOID needs a retinoid window")
        object.__setattr__(self, "absolute", absolute)
        object.__setattr__(self, "relative", relative)
        object.__setattr__(self, "indicated_scar_types", frozenset(self.indicated_scar_types))
        checks = tuple(
            (rule, code in absolute)
            for code, rule in RULES.items()
            if code in absolute or code in relative
        )
        object.__setattr__(self, "_checks", checks)

    @classmethod
    def from_catalogue(cls, entry: CatalogueLike) -> ProcedureRules:
        """Build from a catalogue entry, or any object with the same attribute names."""
        return cls(
            slug=entry.slug,
            absolute=frozenset(entry.absolute_rules),
            relative=frozenset(entry.relative_rules),
            retinoid_window_days=entry.retinoid_window_days,
            interval_min_days=entry.interval_min_days,
            interval_max_days=entry.interval_max_days,
            # A repeatable treatment's "single" course is not a lifetime limit.
            sessions_max=None if entry.repeatable else entry.sessions_max,
            indicated_scar_types=frozenset(entry.indicated_scar_types),
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that fired: its code, whether it blocks, what to tell whom, when it clears."""

    code: str
    absolute: bool
    patient_message: str | Promise
    clinical_message: str | Promise
    clears_on: dt.date | None

    @property
    def label(self) -> str:
        return str(RuleCode(self.code).label)

    @property
    def keys(self) -> tuple[str, ...]:
        """The intake keys this rule reads: what the review screen shows beside it."""
        return RULES[self.code].keys

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "absolute": self.absolute,
            "patient_message": str(self.patient_message),
            "clinical_message": str(self.clinical_message),
            "clears_on": self.clears_on.isoformat() if self.clears_on else None,
        }


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    procedure: str
    on: dt.date
    outcome: str
    blocking: tuple[str, ...]
    flags: tuple[str, ...]
    earliest_date: dt.date | None
    findings: tuple[Finding, ...]

    @property
    def messages(self) -> tuple[str | Promise, ...]:
        """Patient sentences, blocking reasons first, as lazy strings."""
        return tuple(finding.patient_message for finding in self.findings)

    @property
    def blocked(self) -> bool:
        return self.outcome == Outcome.BLOCKED

    @property
    def needs_review(self) -> bool:
        return self.outcome == Outcome.REVIEW

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data; messages are rendered in the active language."""
        return {
            "procedure": self.procedure,
            "on": self.on.isoformat(),
            "outcome": self.outcome,
            "blocking": list(self.blocking),
            "flags": list(self.flags),
            "earliest_date": self.earliest_date.isoformat() if self.earliest_date else None,
            "findings": [finding.to_dict() for finding in self.findings],
            "messages": [str(message) for message in self.messages],
        }


# --- resolving a procedure ------------------------------------------------------------------

RulesLoader = Callable[[str], ProcedureRules | None]

_CATALOGUE_RULES: Final[dict[str, ProcedureRules]] = {
    entry.slug: ProcedureRules.from_catalogue(entry) for entry in CATALOGUE
}


def _catalogue_loader(slug: str) -> ProcedureRules | None:
    return _CATALOGUE_RULES.get(slug)


_loader: RulesLoader = _catalogue_loader


def set_rules_loader(loader: RulesLoader | None) -> RulesLoader:
    """Make `loader` resolve slugs for screen(); None restores the built-in catalogue.

    The loader returns the procedure's rules, or None (or raises LookupError or
    ObjectDoesNotExist) for an unknown slug. Returns the previous loader, so a
    caller (or a test) can put it back.
    """
    global _loader  # one process-wide hook, set once at startup
    previous = _loader
    _loader = loader if loader is not None else _catalogue_loader
    return previous


def get_rules_loader() -> RulesLoader:
    return _loader


def rules_for(slug: str) -> ProcedureRules:
    """Return the rules of the procedure `slug` from the loader, or raise DomainError."""
    try:
        rules = _loader(slug)
    except (LookupError, ObjectDoesNotExist):
        rules = None
    if rules is None:
        raise DomainError(
            lazy_interpolate(_("Unknown procedure “%(slug)s”."), {"slug": slug}),
            code="unknown_procedure",
            field="procedure",
        )
    if not isinstance(rules, ProcedureRules):
        raise TypeError(f"rules loader returned {type(rules).__name__}, not ProcedureRules")
    return rules


def _resolve(procedure: ProcedureRules | HasScreeningRules | str) -> ProcedureRules:
    if isinstance(procedure, ProcedureRules):
        return procedure
    if isinstance(procedure, str):
        return rules_for(procedure)
    if isinstance(procedure, HasScreeningRules):
        rules = procedure.screening_rules()
        if not isinstance(rules, ProcedureRules):
            raise TypeError("screening_rules() must return a ProcedureRules")
        return rules
    raise TypeError(f"cannot screen for {type(procedure).__name__}")


# --- screening --------------------------------------------------------------------------------


def _check_history(
    on: dt.date, last_session_on: object, sessions_done: object
) -> tuple[dt.date | None, int]:
    if last_session_on is not None:
        if type(last_session_on) is not dt.date:
            raise AnswerError(_("The last session date must be a date."), field="last_session_on")
        if last_session_on > on:
            raise AnswerError(
                _("The last session cannot be after the procedure date."), field="last_session_on"
            )
    # bool is an int subclass; True sessions is a bug, not a count.
    if type(sessions_done) is not int or sessions_done < 0:
        raise AnswerError(
            _("The number of sessions done must be a whole number, zero or more."),
            field="sessions_done",
        )
    return last_session_on, sessions_done


def _earliest_date(
    rules: ProcedureRules, answers: Mapping[str, Any], ctx: RuleContext, blocking: list[Finding]
) -> dt.date | None:
    """Return the first date on which no absolute rule fires, if only time can clear them."""
    clear_dates = [finding.clears_on for finding in blocking]
    if not clear_dates or None in clear_dates:
        return None
    candidate: dt.date = max(d for d in clear_dates if d is not None)
    absolute_rules = [rule for rule, absolute in rules._checks if absolute]
    # Each pass moves the candidate strictly later or stops; the number of
    # rules bounds how many can take over from each other.
    for _pass in range(len(absolute_rules) + 1):
        later = replace(ctx, on=candidate)
        still = [rule for rule in absolute_rules if rule.predicate(answers, later)]
        if not still:
            return candidate
        dates = [rule.clear_date(answers, later) for rule in still]
        if None in dates:
            return None
        next_candidate = max(d for d in dates if d is not None)
        if next_candidate <= candidate:
            return None
        candidate = next_candidate
    return None


def screen(
    procedure: ProcedureRules | HasScreeningRules | str,
    answers: Mapping[str, Any],
    *,
    on: dt.date,
    last_session_on: dt.date | None = None,
    sessions_done: int = 0,
) -> ScreeningResult:
    """Screen `answers` for `procedure` on the date `on`; raise AnswerError on bad input."""
    rules = _resolve(procedure)
    clean = validate_answers(answers, on=on)  # also checks that `on` is a date
    last_session_on, sessions_done = _check_history(on, last_session_on, sessions_done)
    ctx = RuleContext(
        on=on,
        last_session_on=last_session_on,
        sessions_done=sessions_done,
        interval_min_days=rules.interval_min_days,
        interval_max_days=rules.interval_max_days,
        sessions_max=rules.sessions_max,
        retinoid_window_days=rules.retinoid_window_days,
        indicated_scar_types=rules.indicated_scar_types,
    )

    blocking: list[Finding] = []
    flags: list[Finding] = []
    for rule, absolute in rules._checks:
        if not rule.predicate(clean, ctx):
            continue
        finding = Finding(
            code=rule.code,
            absolute=absolute,
            patient_message=rule.patient_message if absolute else rule.patient_review_message,
            clinical_message=rule.clinical_message,
            clears_on=rule.clear_date(clean, ctx),
        )
        (blocking if absolute else flags).append(finding)

    if blocking:
        outcome = Outcome.BLOCKED.value
        earliest = _earliest_date(rules, clean, ctx, blocking)
    else:
        outcome = Outcome.REVIEW.value if flags else Outcome.OK.value
        earliest = None
    return ScreeningResult(
        procedure=rules.slug,
        on=on,
        outcome=outcome,
        blocking=tuple(f.code for f in blocking),
        flags=tuple(f.code for f in flags),
        earliest_date=earliest,
        findings=(*blocking, *flags),
    )
