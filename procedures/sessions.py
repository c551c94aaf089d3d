"""Screening against the patient's other sessions: washouts and prerequisites (pure).

Domain rules implemented here (`rules-v2.md` sections 1 to 3):

- Besides its own history, a screening reads every other session of the
  patient as `(slug, date, done)`: done = completed, not done = booked and
  holding time. Sessions on any date count, before the procedure date `on` and
  after it. A session of the screened procedure itself is not "other": its own
  history is `last_session_on` / `sessions_done`.
- Washouts: for the procedure B on `on` and another session S of procedure A,
  S on or before `on` is the earlier one (gap `on - S`, rows A's group -> B's
  group or B itself), S on or after `on` the later one (gap `S - on`, rows B's
  group -> A's group or A itself); a session on the same day is checked both
  ways. A row fires when the gap is less than its days: `WASHOUT` for an
  absolute row, `WASHOUT_REVIEW` for a relative one, each finding naming the
  other session with the date it clears (earlier: `S + N`) or the latest date
  that fits (later: `S - N`). Same-procedure pairs are never washouts.
- For the earliest date, a finding from a later session is not time-bound
  (waiting makes it worse). A same-day session counts as an earlier one: its
  reverse finding clears when its forward rows clear (the latest `S + N` of the
  rows that fired); with no forward row there is no earliest date.
- Prerequisites: a procedure may need a *done* session of another one between
  `min_days` and `max_days` days before `on` (both included). None done in that
  window: a booked one there gives `PREREQUISITE_BOOKED` (review, one finding
  per booked session), none at all `PREREQUISITE_MISSING` (blocks). A session
  after `on` never satisfies it. Missing, it clears only when a session of the
  required procedure lies less than `min_days` before `on` (the same day
  included): on the first date that session enters the window.
  A prerequisite marked `offer_slots` (the consultation) names its procedure as
  the remedy, so the refusal offers that procedure's slots.

The names of procedures and groups in the sentences are chosen in the language
active when a sentence is shown, like every other screening sentence.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.utils.functional import Promise, lazy
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from .errors import AnswerError, lazy_date, lazy_interpolate
from .intake_schema import FIRST_PROCEDURE_DATE, LAST_PROCEDURE_DATE
from .rules import SessionCode
from .verdicts import Finding, OtherSession

__all__ = [
    "NO_SESSION_RULES",
    "Prerequisite",
    "SessionRules",
    "WashoutRow",
    "check_other_sessions",
    "prerequisite_findings",
    "washout_findings",
]

# A language code -> the text in it ("en" is the fallback).
Names = Mapping[str, str]
MAX_OTHER_SESSIONS: Final = 500


@dataclass(frozen=True, slots=True)
class WashoutRow:
    """Earlier group -> later group (or one later procedure) needs `days` whole days."""

    earlier_group: str
    later_group: str | None
    later_procedure: str | None
    days: int
    absolute: bool


@dataclass(frozen=True, slots=True)
class Prerequisite:
    """A done session of `requires` between `min_days` and `max_days` days before (inclusive)."""

    requires: str
    min_days: int
    max_days: int
    offer_slots: bool = False


def _pick(names: Names, fallback: str) -> str:
    language = (get_language() or "en").split("-")[0]
    return names.get(language) or names.get("en") or fallback


_lazy_pick = lazy(_pick, str)


@dataclass(frozen=True)
class SessionRules:
    """The tables that relate procedures to each other, with the names the sentences use.

    `groups` maps a procedure's slug to its washout group (procedures without a
    group are left out); `prerequisites` a procedure's slug to what it requires.
    """

    groups: Mapping[str, str] = field(default_factory=dict)
    washouts: tuple[WashoutRow, ...] = ()
    prerequisites: Mapping[str, tuple[Prerequisite, ...]] = field(default_factory=dict)
    procedure_names: Mapping[str, Names] = field(default_factory=dict)
    group_names: Mapping[str, Names] = field(default_factory=dict)
    _by_earlier: dict[str, tuple[WashoutRow, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_earlier: dict[str, list[WashoutRow]] = {}
        for row in self.washouts:
            by_earlier.setdefault(row.earlier_group, []).append(row)
        object.__setattr__(
            self, "_by_earlier", {group: tuple(rows) for group, rows in by_earlier.items()}
        )

    def group_of(self, slug: str) -> str | None:
        return self.groups.get(slug)

    def prerequisites_of(self, slug: str) -> tuple[Prerequisite, ...]:
        return tuple(self.prerequisites.get(slug, ()))

    def rows_between(self, earlier: str, later: str) -> tuple[WashoutRow, ...]:
        """The washout rows for a session of `earlier` followed by one of `later` (slugs)."""
        if earlier == later:
            return ()
        earlier_group = self.groups.get(earlier)
        if earlier_group is None:
            return ()
        later_group = self.groups.get(later)
        return tuple(
            row
            for row in self._by_earlier.get(earlier_group, ())
            if (row.later_group is not None and row.later_group == later_group)
            or row.later_procedure == later
        )

    def procedure_name(self, slug: str) -> str | Promise:
        return _lazy_pick(self.procedure_names.get(slug, {}), slug)

    def group_name(self, group: str | None) -> str | Promise:
        if group is None:
            return _("no group")
        return _lazy_pick(self.group_names.get(group, {}), group)


NO_SESSION_RULES: Final = SessionRules()


# --- input ---------------------------------------------------------------------------------


def _session_error(message: Promise, index: int, part: str | None = None) -> AnswerError:
    name = f"other_sessions.{index}" + (f".{part}" if part else "")
    return AnswerError(message, field=name)


def check_other_sessions(value: object) -> tuple[OtherSession, ...]:
    """Return `value` as OtherSession tuples, or raise AnswerError naming the bad entry."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise AnswerError(
            _("The other sessions must be a list of (procedure, date, done)."),
            field="other_sessions",
        )
    sessions: list[OtherSession] = []
    for index, item in enumerate(value):
        if index >= MAX_OTHER_SESSIONS:
            raise AnswerError(
                lazy_interpolate(
                    _("At most %(count)s other sessions can be screened."),
                    {"count": MAX_OTHER_SESSIONS},
                ),
                field="other_sessions",
            )
        if not isinstance(item, tuple | list) or len(item) != 3:
            raise _session_error(_("Each other session is (procedure, date, done)."), index)
        slug, day, done = item
        if type(slug) is not str or not slug:
            raise _session_error(_("Give the procedure's slug."), index, "slug")
        # `datetime` is a subclass of `date`; a session is on a calendar day.
        if type(day) is not dt.date:
            raise _session_error(_("The session date must be a date."), index, "date")
        if not FIRST_PROCEDURE_DATE <= day <= LAST_PROCEDURE_DATE:
            raise _session_error(
                lazy_interpolate(
                    _("The session date must be between %(first)s and %(last)s."),
                    {
                        "first": FIRST_PROCEDURE_DATE.isoformat(),
                        "last": LAST_PROCEDURE_DATE.isoformat(),
                    },
                ),
                index,
                "date",
            )
        if type(done) is not bool:
            raise _session_error(
                _("Say whether the session is done: true or false."), index, "done"
            )
        sessions.append(OtherSession(slug, day, done))
    return tuple(sessions)


# --- washouts ------------------------------------------------------------------------------

_EARLIER_BLOCKS = _(
    "Your session of “%(procedure)s” on %(date)s needs time to heal before this procedure: "
    "it can follow from %(clears)s."
)
_EARLIER_REVIEW = _(
    "Your session of “%(procedure)s” on %(date)s is recent for this procedure: the "
    "practitioner will decide whether your skin is ready (the usual wait ends on %(clears)s)."
)
_LATER_BLOCKS = _(
    "You have a session of “%(procedure)s” on %(date)s: this procedure would leave too little "
    "time to heal before it. The latest date that fits is %(latest)s."
)
_LATER_GONE = _(
    "You have a session of “%(procedure)s” on %(date)s: this procedure would leave too little "
    "time to heal before it, and no date before it fits any more."
)
_LATER_REVIEW = _(
    "You have a session of “%(procedure)s” on %(date)s: the practitioner will decide whether "
    "this procedure can come so close before it (the usual latest date is %(latest)s)."
)


# Cached per number of days: building a lazy plural costs a class each time (~1 ms), and a
# slot list screens 30 days with several sessions. The proxy translates when rendered.
@functools.cache
def _earlier_clinical(days: int) -> Promise:
    return ngettext_lazy(
        "Washout: %(procedure)s (%(group)s) on %(date)s, then this procedure (%(this_group)s) "
        "needs %(days)s day between them; clears on %(clears)s.",
        "Washout: %(procedure)s (%(group)s) on %(date)s, then this procedure (%(this_group)s) "
        "needs %(days)s days between them; clears on %(clears)s.",
        days,
    )


@functools.cache
def _later_clinical(days: int) -> Promise:
    return ngettext_lazy(
        "Washout: this procedure (%(this_group)s) before %(procedure)s (%(group)s) on "
        "%(date)s needs %(days)s day between them; the latest date that fits is %(latest)s.",
        "Washout: this procedure (%(this_group)s) before %(procedure)s (%(group)s) on "
        "%(date)s needs %(days)s days between them; the latest date that fits is %(latest)s.",
        days,
    )


def _washout_finding(
    table: SessionRules,
    slug: str,
    session: OtherSession,
    row: WashoutRow,
    *,
    earlier: bool,
    clears_on: dt.date | None,
) -> Finding:
    latest = None if earlier else session.date - dt.timedelta(days=row.days)
    params: dict[str, Any] = {
        "procedure": table.procedure_name(session.slug),
        "group": table.group_name(table.group_of(session.slug)),
        "this_group": table.group_name(table.group_of(slug)),
        "date": lazy_date(session.date),
        "days": row.days,
    }
    if earlier:
        params["clears"] = lazy_date(clears_on)
        patient = _EARLIER_BLOCKS if row.absolute else _EARLIER_REVIEW
        clinical = _earlier_clinical(row.days)
    else:
        params["latest"] = lazy_date(latest)
        patient = _LATER_BLOCKS if row.absolute else _LATER_REVIEW
        clinical = _later_clinical(row.days)
    gone = None if earlier or not row.absolute else lazy_interpolate(_LATER_GONE, params)
    return Finding(
        code=SessionCode.WASHOUT.value if row.absolute else SessionCode.WASHOUT_REVIEW.value,
        absolute=row.absolute,
        patient_message=lazy_interpolate(patient, params),
        clinical_message=lazy_interpolate(clinical, params),
        clears_on=clears_on,
        session=session,
        latest_date=latest,
        past_latest_message=gone,
    )


def washout_findings(
    slug: str, table: SessionRules, sessions: Sequence[OtherSession], on: dt.date
) -> list[Finding]:
    """Every washout row the other sessions fire for `slug` on `on`, sessions in date order."""
    found: list[Finding] = []
    for session in sorted(sessions, key=lambda s: (s.date, s.slug, s.done)):
        if session.slug == slug:
            continue
        forward_clears: list[dt.date] = []
        if session.date <= on:
            gap = (on - session.date).days
            for row in table.rows_between(session.slug, slug):
                if gap < row.days:
                    clears = session.date + dt.timedelta(days=row.days)
                    forward_clears.append(clears)
                    found.append(
                        _washout_finding(table, slug, session, row, earlier=True, clears_on=clears)
                    )
        if session.date >= on:
            gap = (session.date - on).days
            # A later session's finding is not time-bound; a same-day one clears with
            # its forward rows (it then counts as the earlier session).
            clears_with = max(forward_clears) if forward_clears else None
            for row in table.rows_between(slug, session.slug):
                if gap < row.days:
                    found.append(
                        _washout_finding(
                            table, slug, session, row, earlier=False, clears_on=clears_with
                        )
                    )
    return found


# --- prerequisites -------------------------------------------------------------------------

_MISSING_BOOK_FIRST = _(
    "This procedure needs a “%(required)s” first, done between %(from)s and %(until)s: "
    "please book one before it."
)
_MISSING = _(
    "This procedure follows a session of “%(required)s” done between %(from)s and "
    "%(until)s; there is none in that time."
)
_BOOKED = _(
    "Your “%(required)s” on %(date)s is still to come: the practitioner will confirm this "
    "procedure after it."
)
_BOOKED_CLINICAL = _("Prerequisite %(required)s booked for %(date)s, not yet done.")


@functools.cache
def _missing_clinical(max_days: int) -> Promise:
    return ngettext_lazy(
        "Prerequisite missing: no %(required)s done or booked %(min)s to %(max)s day before "
        "the procedure.",
        "Prerequisite missing: no %(required)s done or booked %(min)s to %(max)s days before "
        "the procedure.",
        max_days,
    )


def prerequisite_findings(
    prerequisites: Iterable[Prerequisite],
    table: SessionRules,
    sessions: Sequence[OtherSession],
    on: dt.date,
) -> list[Finding]:
    """The prerequisite codes the other sessions leave firing for a procedure on `on`."""
    found: list[Finding] = []
    for prerequisite in prerequisites:
        required = [s for s in sessions if s.slug == prerequisite.requires]
        in_window = [
            s
            for s in required
            if prerequisite.min_days <= (on - s.date).days <= prerequisite.max_days
        ]
        if any(s.done for s in in_window):
            continue
        name = table.procedure_name(prerequisite.requires)
        booked = sorted((s for s in in_window if not s.done), key=lambda s: s.date)
        for session in booked:
            params: dict[str, Any] = {"required": name, "date": lazy_date(session.date)}
            found.append(
                Finding(
                    code=SessionCode.PREREQUISITE_BOOKED.value,
                    absolute=False,
                    patient_message=lazy_interpolate(_BOOKED, params),
                    clinical_message=lazy_interpolate(_BOOKED_CLINICAL, params),
                    clears_on=None,
                    session=session,
                )
            )
        if booked:
            continue
        # Waiting helps only when a session lies less than min_days before `on`.
        entering = [
            s.date + dt.timedelta(days=prerequisite.min_days)
            for s in required
            if 0 <= (on - s.date).days < prerequisite.min_days
        ]
        params = {
            "required": name,
            "from": lazy_date(on - dt.timedelta(days=prerequisite.max_days)),
            "until": lazy_date(on - dt.timedelta(days=prerequisite.min_days)),
            "min": prerequisite.min_days,
            "max": prerequisite.max_days,
        }
        found.append(
            Finding(
                code=SessionCode.PREREQUISITE_MISSING.value,
                absolute=True,
                patient_message=lazy_interpolate(
                    _MISSING_BOOK_FIRST if prerequisite.offer_slots else _MISSING, params
                ),
                clinical_message=lazy_interpolate(_missing_clinical(prerequisite.max_days), params),
                clears_on=min(entering) if entering else None,
                remedy_procedure=prerequisite.requires if prerequisite.offer_slots else None,
            )
        )
    return found
