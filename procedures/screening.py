"""Screening: may this patient have this procedure on this date?

Domain rules implemented here (the domain reference's "How a screening is
decided", with `rules.md`, `catalogue.md` and the second edition `rules-v2.md`):

1. Every rule the procedure lists (absolute and relative, generic groups
   already expanded) is evaluated on the validated intake answers, the
   patient's history with the procedure (`last_session_on`, `sessions_done`,
   from the portal's own records) and the procedure date `on`.
2. The patient's other sessions (`other_sessions`, `(slug, date, done)` each,
   any date) are checked against the washout table and the procedure's
   prerequisites (`sessions.py`): `WASHOUT` and `PREREQUISITE_MISSING` block,
   `WASHOUT_REVIEW` and `PREREQUISITE_BOOKED` need review. With no other
   sessions, a procedure that needs a consultation fires `PREREQUISITE_MISSING`.
3. Any absolute code fires -> `blocked`; the fired absolute codes are the
   reasons (`blocking`, each code once, rules of `rules.md` in its order, then
   washouts, then prerequisites). Relative codes that fired are still reported
   (`flags`). Every finding is listed, one per other session that fired it.
4. Else any relative code fires -> `review`: a practitioner approves before
   the appointment is confirmed.
5. Else -> `ok`.

A code absolute for a procedure is never also relative for it. When a
screening is blocked only by time-bound findings, `earliest_date` is the first
date on which no absolute code fires any more: the latest of their clear dates,
then re-checked on that date, because one reason can start as another stops
(isotretinoin stopped 3 months ago clears `ISOTRETINOIN_LT6M` at 182 days but
fires `ISOTRETINOIN_6_12M` from then until 365 days; a booked session that was
after `on` may be before the new date). The re-check assumes the answers, the
history and the other sessions stay as they are. If any blocking finding is not
time-bound, or the outcome is not `blocked`, `earliest_date` is `None`. When a
blocking finding names a procedure to book first (a missing consultation), the
result's `remedy_procedure` says which.

The evaluation is pure: no database, no I/O. A procedure is given as a
`ProcedureRules`, as an object with a `screening_rules()` method (the
Procedure model), or as a slug resolved by the registered rules loader (by
default, the built-in catalogue data; the project registers a database-backed
one with `set_rules_loader()`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Protocol, runtime_checkable

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _

from .catalogue_data import CATALOGUE
from .errors import AnswerError, DomainError, lazy_interpolate
from .intake import SCAR_TYPES, validate_answers
from .rules import ALWAYS_RELATIVE, RULES, Rule, RuleContext
from .sessions import (
    NO_SESSION_RULES,
    Prerequisite,
    SessionRules,
    WashoutRow,
    check_other_sessions,
    prerequisite_findings,
    washout_findings,
)
from .verdicts import Finding, OtherSession, Outcome, ScreeningResult
from .washouts_data import PREREQUISITES, WASHOUT_GROUP_OF, WASHOUT_GROUPS, WASHOUTS

__all__ = [
    "Finding",
    "OtherSession",
    "Outcome",
    "ProcedureRules",
    "RulesLoader",
    "ScreeningResult",
    "get_rules_loader",
    "resolve_procedure",
    "rules_for",
    "screen",
    "screen_days",
    "set_rules_loader",
]


class CatalogueLike(Protocol):
    """The attributes `ProcedureRules.from_catalogue()` reads (catalogue entry or model)."""

    # Read-only: a frozen catalogue entry and a model row both qualify.
    @property
    def slug(self) -> str: ...
    @property
    def absolute_rules(self) -> Iterable[str]: ...
    @property
    def relative_rules(self) -> Iterable[str]: ...
    @property
    def retinoid_window_days(self) -> int | None: ...
    @property
    def interval_min_days(self) -> int | None: ...
    @property
    def interval_max_days(self) -> int | None: ...
    @property
    def sessions_max(self) -> int | None: ...
    @property
    def repeatable(self) -> bool: ...
    @property
    def indicated_scar_types(self) -> Iterable[str]: ...


@runtime_checkable
class HasScreeningRules(Protocol):
    def screening_rules(self) -> ProcedureRules: ...


@dataclass(frozen=True)
class ProcedureRules:
    """What screening needs to know about one procedure.

    Codes may be given as any iterable; they are stored as frozensets, and a
    code listed as both absolute and relative is kept as absolute only.
    `sessions_max` is the session limit screening enforces: `None` for
    repeatable treatments, whatever their course length. `prerequisites` are
    this procedure's; `sessions` the tables relating procedures to each other
    (washout groups and rows, names), shared by every procedure's rules.
    """

    slug: str
    absolute: frozenset[str]
    relative: frozenset[str]
    retinoid_window_days: int | None = None
    interval_min_days: int | None = None
    interval_max_days: int | None = None
    sessions_max: int | None = None
    indicated_scar_types: frozenset[str] = frozenset(SCAR_TYPES)
    prerequisites: tuple[Prerequisite, ...] = ()
    sessions: SessionRules = field(default=NO_SESSION_RULES, repr=False, compare=False)
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
        object.__setattr__(self, "prerequisites", tuple(self.prerequisites))
        checks = tuple(
            (rule, code in absolute)
            for code, rule in RULES.items()
            if code in absolute or code in relative
        )
        object.__setattr__(self, "_checks", checks)

    @property
    def washout_group(self) -> str | None:
        return self.sessions.group_of(self.slug)

    @classmethod
    def from_catalogue(
        cls, entry: CatalogueLike, *, sessions: SessionRules = NO_SESSION_RULES
    ) -> ProcedureRules:
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
            prerequisites=sessions.prerequisites_of(entry.slug),
            sessions=sessions,
        )


# --- resolving a procedure ------------------------------------------------------------------

RulesLoader = Callable[[str], ProcedureRules | None]


def _catalogue_session_rules() -> SessionRules:
    """The washout and prerequisite tables of the domain reference, as the data holds them."""
    prerequisites: dict[str, list[Prerequisite]] = {}
    for entry in PREREQUISITES:
        prerequisites.setdefault(entry.procedure, []).append(
            Prerequisite(entry.requires, entry.min_days, entry.max_days, entry.offer_slots)
        )
    return SessionRules(
        groups=dict(WASHOUT_GROUP_OF),
        washouts=tuple(
            WashoutRow(w.earlier_group, w.later_group, w.later_procedure, w.days, w.absolute)
            for w in WASHOUTS
        ),
        prerequisites={slug: tuple(rows) for slug, rows in prerequisites.items()},
        procedure_names={e.slug: {"en": e.name_en, "ru": e.name_ru} for e in CATALOGUE},
        group_names={g.code: {"en": g.name_en, "ru": g.name_ru} for g in WASHOUT_GROUPS},
    )


CATALOGUE_SESSION_RULES: Final = _catalogue_session_rules()
_CATALOGUE_RULES: Final[dict[str, ProcedureRules]] = {
    entry.slug: ProcedureRules.from_catalogue(entry, sessions=CATALOGUE_SESSION_RULES)
    for entry in CATALOGUE
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


def resolve_procedure(procedure: ProcedureRules | HasScreeningRules | str) -> ProcedureRules:
    """Return the rules of a procedure given as rules, as a model, or as a slug."""
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


@dataclass(frozen=True)
class _Screening:
    """One procedure's inputs, validated once, evaluated on any date (for the re-checks)."""

    rules: ProcedureRules
    answers: Mapping[str, Any]
    context: RuleContext
    others: Sequence[OtherSession]

    def findings_on(self, day: dt.date) -> tuple[list[Finding], list[Finding]]:
        """Return (blocking, flags) on `day`: rules.md's, then washouts, then prerequisites."""
        ctx = self.context if day == self.context.on else replace(self.context, on=day)
        blocking: list[Finding] = []
        flags: list[Finding] = []
        for rule, absolute in self.rules._checks:
            if not rule.predicate(self.answers, ctx):
                continue
            finding = Finding(
                code=rule.code,
                absolute=absolute,
                patient_message=rule.patient_message if absolute else rule.patient_review_message,
                clinical_message=rule.clinical_message,
                clears_on=rule.clear_date(self.answers, ctx),
            )
            (blocking if absolute else flags).append(finding)
        if self.others or self.rules.prerequisites:
            table = self.rules.sessions
            for finding in (
                *washout_findings(self.rules.slug, table, self.others, day),
                *prerequisite_findings(self.rules.prerequisites, table, self.others, day),
            ):
                (blocking if finding.absolute else flags).append(finding)
        return blocking, flags

    def earliest_date(self, blocking: list[Finding]) -> dt.date | None:
        """Return the first date on which nothing blocks, if only time can clear what does."""
        day = self.context.on
        # Each pass moves the date strictly later or stops; the reasons that can take
        # over from one another are few (the isotretinoin pair, sessions passed by).
        for _pass in range(len(self.rules._checks) + 2 * len(self.others) + 2):
            dates = [finding.clears_on for finding in blocking]
            if None in dates:
                return None
            candidate = max(d for d in dates if d is not None)
            if candidate <= day:
                return None
            day = candidate
            blocking, _flags = self.findings_on(day)
            if not blocking:
                return day
        return None


def _once(findings: Iterable[Finding]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(finding.code for finding in findings))


def screen(
    procedure: ProcedureRules | HasScreeningRules | str,
    answers: Mapping[str, Any],
    *,
    on: dt.date,
    last_session_on: dt.date | None = None,
    sessions_done: int = 0,
    other_sessions: Iterable[tuple[str, dt.date, bool]] = (),
) -> ScreeningResult:
    """Screen `answers` for `procedure` on the date `on`; raise AnswerError on bad input.

    `other_sessions` are the patient's sessions of other procedures, each
    `(slug, date, done)`; an entry of `procedure` itself is ignored.
    """
    rules = resolve_procedure(procedure)
    clean = validate_answers(answers, on=on)  # also checks that `on` is a date
    last_session_on, sessions_done = _check_history(on, last_session_on, sessions_done)
    others = tuple(s for s in check_other_sessions(other_sessions) if s.slug != rules.slug)
    return _verdict(
        _Screening(
            rules=rules,
            answers=clean,
            context=_context(rules, on, last_session_on, sessions_done),
            others=others,
        )
    )


def _context(
    rules: ProcedureRules, on: dt.date, last_session_on: dt.date | None, sessions_done: int
) -> RuleContext:
    return RuleContext(
        on=on,
        last_session_on=last_session_on,
        sessions_done=sessions_done,
        interval_min_days=rules.interval_min_days,
        interval_max_days=rules.interval_max_days,
        sessions_max=rules.sessions_max,
        retinoid_window_days=rules.retinoid_window_days,
        indicated_scar_types=rules.indicated_scar_types,
    )


def _verdict(screening: _Screening) -> ScreeningResult:
    on = screening.context.on
    blocking, flags = screening.findings_on(on)
    if blocking:
        outcome = Outcome.BLOCKED.value
        earliest = screening.earliest_date(blocking)
    else:
        outcome = Outcome.REVIEW.value if flags else Outcome.OK.value
        earliest = None
    remedy = next((f.remedy_procedure for f in blocking if f.remedy_procedure), None)
    return ScreeningResult(
        procedure=screening.rules.slug,
        on=on,
        outcome=outcome,
        blocking=_once(blocking),
        flags=_once(flags),
        earliest_date=earliest,
        findings=(*blocking, *flags),
        remedy_procedure=remedy,
    )


HistoryOn = Callable[[dt.date], tuple[dt.date | None, int]]


def screen_days(
    procedure: ProcedureRules | HasScreeningRules | str,
    answers: Mapping[str, Any],
    *,
    days: Iterable[dt.date],
    history_on: HistoryOn | None = None,
    other_sessions: Iterable[tuple[str, dt.date, bool]] = (),
) -> dict[dt.date, ScreeningResult]:
    """Screen one patient for `procedure` on each of `days`: what `screen` says for each.

    The answers and the other sessions are checked once (against the first day);
    `history_on(day)` gives the patient's (last session date, sessions done) for a
    session that day, as `screen` takes them (none when not given). For a list of
    slots: the same verdicts as one `screen` per day, at a fraction of the cost.
    """
    rules = resolve_procedure(procedure)
    wanted = sorted(set(days))
    if not wanted:
        return {}
    clean = validate_answers(answers, on=wanted[0])
    others = tuple(s for s in check_other_sessions(other_sessions) if s.slug != rules.slug)
    results: dict[dt.date, ScreeningResult] = {}
    for day in wanted:
        last_session_on, sessions_done = history_on(day) if history_on else (None, 0)
        last_session_on, sessions_done = _check_history(day, last_session_on, sessions_done)
        results[day] = _verdict(
            _Screening(
                rules=rules,
                answers=clean,
                context=_context(rules, day, last_session_on, sessions_done),
                others=others,
            )
        )
    return results
