"""Course windows: when the next session of a course may be booked.

A course is a run of sessions of one procedure. After a session on day L,
session k+1 may be booked from L + the minimum interval (earlier fires
`REPEAT_TOO_SOON`, which blocks) and, where the procedure has a maximum
interval, until L + that maximum (later fires `COURSE_GAP_EXCEEDED`, which
needs a practitioner's review: the course may have to restart). A course is
complete when the maximum session count is reached (`COURSE_LIMIT_REACHED`
from then on). Repeatable treatments (hyaluronic filler, collagen, fat
transfer) have no session limit, only the minimum gap.

A whole course booked at once aims each session at the middle of its window
(`aim_on`), not at its opening: a session can then move a few days either way
and stay inside its window, and the windows after it with it. A window with no
upper bound is aimed at its opening.

Pure: data in, dates out. The same window is used by booking (slots offered
inside it), by course booking (one session proposed per window) and by the
reminders (window opens, window closing, overdue).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .screening import ProcedureRules


@dataclass(frozen=True)
class CourseWindow:
    """When the next session may be booked; `closes_on` is the last day inside the window."""

    session_number: int
    opens_on: dt.date | None
    closes_on: dt.date | None
    complete: bool

    @property
    def aim_on(self) -> dt.date | None:
        """The day a whole-course proposal aims at: the window's middle, or its opening."""
        if self.opens_on is None or self.closes_on is None:
            return self.opens_on
        return self.opens_on + dt.timedelta(days=(self.closes_on - self.opens_on).days // 2)

    def contains(self, day: dt.date) -> bool:
        """True when a session on `day` is inside the window (neither too soon nor too late)."""
        if self.complete:
            return False
        if self.opens_on is not None and day < self.opens_on:
            return False
        return not (self.closes_on is not None and day > self.closes_on)


def next_session_window(
    rules: ProcedureRules, *, last_session_on: dt.date | None, sessions_done: int
) -> CourseWindow:
    """The window of the next session after `sessions_done` sessions, the last on `last_session_on`.

    The first session (or any session with no history) has an open window.
    """
    number = sessions_done + 1
    complete = rules.sessions_max is not None and sessions_done >= rules.sessions_max
    if last_session_on is None or sessions_done == 0:
        return CourseWindow(number, None, None, complete)
    opens_on = last_session_on + dt.timedelta(days=rules.interval_min_days or 0)
    closes_on = None
    if rules.interval_max_days is not None:
        closes_on = last_session_on + dt.timedelta(days=rules.interval_max_days)
    return CourseWindow(number, opens_on, closes_on, complete)


def latest_day_before(rules: ProcedureRules, *, later_session_on: dt.date) -> dt.date | None:
    """The last day a session may take place before a session already set for `later_session_on`.

    The minimum interval holds both ways: a session slipped in before a booked one
    would make that one too soon. None when the procedure has no minimum interval.
    """
    if not rules.interval_min_days:
        return None
    return later_session_on - dt.timedelta(days=rules.interval_min_days)


def propose_course(
    rules: ProcedureRules,
    *,
    first_on: dt.date,
    sessions: int,
    last_session_on: dt.date | None = None,
    sessions_done: int = 0,
) -> list[dt.date]:
    """Dates for `sessions` more sessions, each in the middle of its window (`aim_on`).

    The first proposed date is `first_on`, or the opening of the current window
    if that is later. A course limit stops the list early.
    """
    dates: list[dt.date] = []
    last, done = last_session_on, sessions_done
    for _ in range(sessions):
        window = next_session_window(rules, last_session_on=last, sessions_done=done)
        if window.complete:
            break
        day = first_on if not dates else window.aim_on or first_on
        if window.opens_on is not None and day < window.opens_on:
            day = window.opens_on
        dates.append(day)
        last, done = day, done + 1
    return dates
