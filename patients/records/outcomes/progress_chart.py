"""The progress chart's geometry: pure, a `Progress` in, coordinates for an inline SVG out.

The chart is drawn on the server (`patients/outcomes/_progress_chart.svg`): no script,
nothing from another origin, and it scales with its `viewBox` from a phone to a desk.
Up to three panels share one time axis: the overall grade (1-4), the quantitative
score (0 up to the next ten above the highest score, at least 10), and the patient's
own ratings (0-10: how much the scars bother them, how satisfied they are). A panel
with nothing to draw is left out. Completed visits are numbered marks on the time
axis, drawn as a dashed line through every panel. A span shorter than two weeks is
widened around its middle so one visit is not a point at the edge.
The numbers behind every point are in the table beside the chart (the include's
`<table>`): the chart is a picture of them, never their only place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from patients.models.self_assessment import RATING_MAX
from patients.records.outcomes.progress import Progress, SessionMark

__all__ = ["Chart", "progress_chart"]

WIDTH = 400
LEFT = 36  # room for the value labels
RIGHT = 14
PANEL_HEIGHT = 90
PANEL_TITLE = 26  # above each panel
AXIS = 46  # below the last panel: the session numbers and the dates
MIN_SPAN_DAYS = 14
DATE_TICKS = 4
GRADES = (1, 4)


MARKER = 4  # half the side of a square point, the radius of a round one


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    on: dt.date
    value: int

    @property
    def corner_x(self) -> float:
        """Where a square marker of this point starts."""
        return self.x - MARKER

    @property
    def corner_y(self) -> float:
        return self.y - MARKER


@dataclass(frozen=True)
class Series:
    key: str  # "grade", "score", "bother", "satisfaction": the look of its line and points
    label: Promise
    points: list[Point]

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)


@dataclass(frozen=True)
class Tick:
    y: float
    label: int


@dataclass(frozen=True)
class Panel:
    title: Promise
    top: float
    bottom: float
    ticks: list[Tick]
    series: list[Series]

    @property
    def title_y(self) -> float:
        return self.top - 10


@dataclass(frozen=True)
class DateTick:
    x: float
    on: dt.date


@dataclass(frozen=True)
class SessionTick:
    x: float
    mark: SessionMark


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    panels: list[Panel]
    date_ticks: list[DateTick]
    sessions: list[SessionTick]
    marks_top: float
    axis_y: float  # the time axis line, under the last panel

    @property
    def session_label_y(self) -> float:
        return self.axis_y + 15

    @property
    def date_label_y(self) -> float:
        return self.axis_y + 36


def _time_scale(days: Sequence[dt.date]) -> tuple[dt.date, dt.date, Callable[[dt.date], float]]:
    start, end = min(days), max(days)
    if (end - start).days < MIN_SPAN_DAYS:
        middle = start + (end - start) / 2
        start = middle - dt.timedelta(days=MIN_SPAN_DAYS // 2)
        end = start + dt.timedelta(days=MIN_SPAN_DAYS)
    span = (end - start).days
    plot = WIDTH - LEFT - RIGHT

    def x(day: dt.date) -> float:
        return LEFT + (day - start).days / span * plot

    return start, end, x


def _panel(
    title: Promise,
    top: float,
    scale: tuple[int, int, Sequence[int]],
    lines: Sequence[tuple[str, Promise, Sequence[tuple[dt.date, int]]]],
    x: Callable[[dt.date], float],
) -> Panel:
    """A panel from `top`: its value scale (lowest, highest, ticks) and its lines."""
    low, high, ticks = scale
    bottom = top + PANEL_HEIGHT

    def y(value: int) -> float:
        return bottom - (value - low) / (high - low) * PANEL_HEIGHT

    return Panel(
        title=title,
        top=top,
        bottom=bottom,
        ticks=[Tick(y(value), value) for value in ticks],
        series=[
            Series(key, label, [Point(x(on), y(value), on, value) for on, value in values])
            for key, label, values in lines
        ],
    )


def _score_ceiling(scores: Sequence[int]) -> int:
    """The next ten at or above the highest score, at least 10."""
    return max(10, -(-max(scores, default=0) // 10) * 10)


def progress_chart(progress: Progress) -> Chart | None:
    """The chart of `progress`, or None when there is no grade and no rating to draw."""
    if not (progress.gradings or progress.ratings):
        return None
    days = [g.graded_on for g in progress.gradings] + [r.on for r in progress.ratings]
    days += [mark.on for mark in progress.sessions]
    start, end, x = _time_scale(days)
    panels: list[Panel] = []

    def next_top() -> float:
        return PANEL_TITLE + len(panels) * (PANEL_HEIGHT + PANEL_TITLE + 8)

    if progress.gradings:
        grades = [(g.graded_on, g.overall_grade) for g in progress.gradings]
        scores = [(g.graded_on, g.score) for g in progress.gradings]
        low, high = GRADES
        panels.append(
            _panel(
                _("Overall grade (1-4, lower is better)"),
                next_top(),
                (low, high, range(low, high + 1)),
                [("grade", _("Grade"), grades)],
                x,
            )
        )
        ceiling = _score_ceiling([score for _on, score in scores])
        panels.append(
            _panel(
                _("Quantitative score (lower is better)"),
                next_top(),
                (0, ceiling, (0, ceiling // 2, ceiling)),
                [("score", _("Score"), scores)],
                x,
            )
        )
    if progress.ratings:
        bother = [(r.on, r.bother) for r in progress.ratings]
        satisfaction = [(r.on, r.satisfaction) for r in progress.ratings]
        panels.append(
            _panel(
                _("Self-assessment (0-10)"),
                next_top(),
                (0, RATING_MAX, (0, RATING_MAX // 2, RATING_MAX)),
                [
                    ("bother", _("How much the scars bother"), bother),
                    ("satisfaction", _("Satisfaction with the change"), satisfaction),
                ],
                x,
            )
        )
    axis_y = panels[-1].bottom
    step = (end - start) / (DATE_TICKS - 1)
    ticks = sorted({start + step * n for n in range(DATE_TICKS)})
    return Chart(
        width=WIDTH,
        height=int(axis_y + AXIS),
        left=LEFT,
        right=WIDTH - RIGHT,
        panels=panels,
        date_ticks=[DateTick(x(day), day) for day in ticks],
        sessions=[SessionTick(x(mark.on), mark) for mark in progress.sessions],
        marks_top=panels[0].top,
        axis_y=axis_y,
    )
