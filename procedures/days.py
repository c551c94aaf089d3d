"""Which days a patient may book a procedure on, and why the others are left out (pure).

Domain rules implemented here (issue #15, "what is offered is what is allowed"):

- A day is offered only when a booking on it would go through: its screening is
  not `blocked` (answers, history, course window, washouts, prerequisites), and
  it leaves the procedure's minimum interval before the patient's own next
  session of it already holding time (else the booking would be refused as
  `too_close_to_next_session`). A `review` day is offered: it books as pending
  review.
- The history of a session on day D is the patient's latest course of the
  procedure, plus their sessions of it holding time on days before D that come
  after the course's last completed session (a booked session counts as if done:
  the next windows follow it) -- as the booking reads it.
- The days left out are explained once, above the list, rather than day by day:
  the course window ("your next session can be booked between ..."), the latest
  date before a later session, and each other reason that blocks (its sentence as
  screening says it, for the first day it blocks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .courses import latest_day_before, next_session_window
from .errors import lazy_date, lazy_interpolate
from .screening import HasScreeningRules, ProcedureRules, resolve_procedure, screen_days
from .verdicts import ScreeningResult

__all__ = ["DayCheck", "OwnHistory", "check_days", "explain_left_out"]

# Reasons the window sentence already says.
_WINDOW_CODES = frozenset({"REPEAT_TOO_SOON"})


@dataclass(frozen=True)
class OwnHistory:
    """A patient's history with one procedure, for a session on any day.

    `course_last_on` / `course_done`: the latest course (not lapsed); `booked`: the
    local dates of the patient's sessions of the procedure holding time (the one
    being moved left out).
    """

    course_last_on: dt.date | None = None
    course_done: int = 0
    booked: tuple[dt.date, ...] = ()

    def on(self, day: dt.date) -> tuple[dt.date | None, int]:
        """(last session date, sessions done) for a session on `day`."""
        last, done = self.course_last_on, self.course_done
        for booked in self.booked:
            if booked >= day:
                continue
            if self.course_last_on is not None and booked <= self.course_last_on:
                continue  # on or before the course's last completed session: counted already
            done += 1
            last = booked if last is None or booked > last else last
        return last, done

    def next_from(self, day: dt.date) -> dt.date | None:
        """The patient's next session of the procedure on or after `day`, if one holds time.

        A session the same day counts: a slot before it would come too close to it
        (and one after it, too soon after it).
        """
        later = [booked for booked in self.booked if booked >= day]
        return min(later) if later else None


@dataclass(frozen=True)
class DayCheck:
    """One day: its screening, and the patient's next own session that limits it."""

    day: dt.date
    result: ScreeningResult
    later_session_on: dt.date | None = None
    latest_fitting: dt.date | None = None

    @property
    def too_close_to_later_session(self) -> bool:
        return self.latest_fitting is not None and self.day > self.latest_fitting

    @property
    def allowed(self) -> bool:
        return not self.result.blocked and not self.too_close_to_later_session


def check_days(
    procedure: ProcedureRules | HasScreeningRules | str,
    answers: Mapping[str, Any],
    *,
    days: Iterable[dt.date],
    own: OwnHistory = OwnHistory(),
    other_sessions: Iterable[tuple[str, dt.date, bool]] = (),
) -> list[DayCheck]:
    """Check each of `days` for one patient and procedure, in date order."""
    rules = resolve_procedure(procedure)
    results = screen_days(
        rules, answers, days=days, history_on=own.on, other_sessions=other_sessions
    )
    checks = []
    for day, result in results.items():
        later = own.next_from(day)
        latest = latest_day_before(rules, later_session_on=later) if later else None
        checks.append(DayCheck(day, result, later, latest))
    return checks


def _window_sentence(rules: ProcedureRules, own: OwnHistory, first: dt.date) -> Promise | None:
    last, done = own.on(first)
    window = next_session_window(rules, last_session_on=last, sessions_done=done)
    if window.opens_on is None or window.complete:
        return None
    if window.closes_on is None:
        return lazy_interpolate(
            _("Your next session can be booked from %(opens)s."),
            {"opens": lazy_date(window.opens_on)},
        )
    return lazy_interpolate(
        _("Your next session can be booked between %(opens)s and %(closes)s."),
        {"opens": lazy_date(window.opens_on), "closes": lazy_date(window.closes_on)},
    )


def _later_session_sentence(check: DayCheck, rules: ProcedureRules) -> Promise:
    days = rules.interval_min_days or 0
    return lazy_interpolate(
        ngettext_lazy(
            "Your session on %(later)s needs at least %(days)s day before it: dates up to "
            "%(latest)s fit.",
            "Your session on %(later)s needs at least %(days)s days before it: dates up to "
            "%(latest)s fit.",
            days,
        ),
        {
            "later": lazy_date(check.later_session_on),
            "days": days,
            "latest": lazy_date(check.latest_fitting),
        },
    )


def explain_left_out(
    procedure: ProcedureRules | HasScreeningRules | str,
    checks: Sequence[DayCheck],
    *,
    own: OwnHistory = OwnHistory(),
) -> list[str | Promise]:
    """Sentences saying once why the days left out are left out (none when none is)."""
    rules = resolve_procedure(procedure)
    left_out = [check for check in checks if not check.allowed]
    if not left_out:
        return []
    sentences: list[str | Promise] = []
    window = None
    too_soon = next((c for c in left_out if _WINDOW_CODES & set(c.result.blocking)), None)
    if too_soon is not None:
        window = _window_sentence(rules, own, too_soon.day)
        if window is not None:
            sentences.append(window)
    close = next((check for check in left_out if check.too_close_to_later_session), None)
    if close is not None:
        sentences.append(_later_session_sentence(close, rules))
    seen: set[tuple[str, Any]] = set()
    for check in left_out:
        for finding in check.result.findings:
            key = (finding.code, finding.session)
            if not finding.absolute or key in seen:
                continue
            seen.add(key)
            if finding.code in _WINDOW_CODES and window is not None:
                continue  # the window sentence says it
            sentences.append(finding.patient_message)
    return sentences
