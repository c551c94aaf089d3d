"""Reads for the staff workspace: the schedule grid, the review queue, the day sheet, the dashboard.

Domain rules:
- The schedule shows one local day for every practitioner (or room), or one
  week for one of them, on the booking grid (`SLOT_GRID_MINUTES`) of the
  clinic's wall clock. A practitioner's cell is bookable inside their working
  hours (valid on that date) and the clinic's opening hours; a room's inside
  the opening hours; a closure (clinic, practitioner or room) shades its cells, and an
  appointment still booked inside one is drawn in a warning colour, saying so.
  Cancelled and declined appointments hold no time and are not drawn.
- Reviews waiting longer than `REVIEW_HIGHLIGHT_HOURS` are highlighted.
- The intake answers a practitioner sees on a review are exactly the keys read
  by the rules that fired (`procedures.rules.RULES[code].keys`).
- The dashboard's period is the last four weeks; utilisation is booked minutes
  over working minutes (practitioners: their hours within opening hours;
  rooms: opening hours; closures are not subtracted), counting every
  appointment that held time (active, completed, no-show). Every read is a
  fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext

from clinic.availability import Policy, clinic_zone, local_date, local_day_bounds
from clinic.models import Closure, OpeningHours, Practitioner, Room, WorkingHours
from patients.booking.screening import screen_appointment
from patients.booking.services.rescreen import approved_codes, new_codes
from patients.models import Appointment, Photo, ReviewDecision, TreatmentCourse
from patients.models.lifecycle import HOLDING_STATUSES, AppointmentStatus
from procedures.intake import QUESTIONS
from procedures.rules import RULES
from procedures.screening import ScreeningResult

S = AppointmentStatus
HIDDEN = (S.CANCELLED, S.DECLINED)
# What held time once the day is over: what holds it now, and what took place or was missed.
HELD_TIME = HOLDING_STATUSES | {S.COMPLETED, S.NO_SHOW}
BY_PRACTITIONER = "practitioner"
BY_ROOM = "room"
DASHBOARD_WEEKS = 8
PERIOD_DAYS = 28


def _minutes(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute


def _appointments() -> QuerySet[Appointment]:
    return Appointment.objects.select_related(
        "patient__user", "procedure", "practitioner__user", "room"
    )


# --- the schedule -------------------------------------------------------------------------


@dataclass
class Cell:
    kind: str  # "appointment", "free", "off", "closed"
    appointment: Appointment | None = None
    rowspan: int = 1
    reason: str = ""
    book_query: str = ""
    closure: Closure | None = None  # an appointment inside a closure: to move or cancel


@dataclass
class Column:
    day: dt.date
    resource: Practitioner | Room
    label: str


@dataclass
class Row:
    time: dt.time
    cells: list[Cell | None] = field(default_factory=list)  # None: covered by a rowspan


@dataclass
class Grid:
    by: str
    days: list[dt.date]
    columns: list[Column]
    rows: list[Row]
    resources: Sequence[Practitioner | Room]


def _opening(rows: Iterable[OpeningHours]) -> dict[int, tuple[int, int]]:
    return {row.weekday: (_minutes(row.opens), _minutes(row.closes)) for row in rows}


def _working_windows(
    hours: Sequence[WorkingHours], practitioner_id: int, day: dt.date
) -> list[tuple[int, int]]:
    return [
        (_minutes(h.start), _minutes(h.end))
        for h in hours
        if h.practitioner_id == practitioner_id
        and h.weekday == day.weekday()
        and (h.valid_from is None or h.valid_from <= day)
        and (h.valid_until is None or h.valid_until >= day)
    ]


def _closure_covers(closure: Closure, day: dt.date, start: int, end: int) -> bool:
    if not closure.starts_on <= day <= closure.ends_on:
        return False
    lower = _minutes(closure.start_time) if closure.start_time and day == closure.starts_on else 0
    upper = _minutes(closure.end_time) if closure.end_time and day == closure.ends_on else 24 * 60
    return start < upper and lower < end


def _closure_hitting(
    closures: Sequence[Closure], appointment: Appointment, zone: dt.tzinfo
) -> Closure | None:
    """The closure (the clinic's, its practitioner's or its room's) an appointment lies in."""
    start, end = appointment.start.astimezone(zone), appointment.end.astimezone(zone)
    day = start.date()
    last = _minutes(end.time()) if end.date() == day else 24 * 60
    for closure in closures:
        applies = (
            (closure.practitioner_id is None and closure.room_id is None)
            or closure.practitioner_id == appointment.practitioner_id
            or closure.room_id == appointment.room_id
        )
        if applies and _closure_covers(closure, day, _minutes(start.time()), last):
            return closure
    return None


def _closure_applies(closure: Closure, by: str, resource_id: int) -> bool:
    if closure.practitioner_id is None and closure.room_id is None:
        return True
    if by == BY_PRACTITIONER:
        return closure.practitioner_id == resource_id
    return closure.room_id == resource_id


def schedule_resources(by: str) -> list[Practitioner | Room]:
    """The active practitioners or rooms, in the calendar's column order."""
    if by == BY_ROOM:
        return list(Room.objects.filter(is_active=True).order_by("name", "pk"))
    return list(
        Practitioner.objects.filter(is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def _day_label(day: dt.date) -> str:
    """A week column's heading in the language's words: "Mon November 30", "Пн 30 ноября"."""
    return f"{date_format(day, 'D')} {date_format(day, 'MONTH_DAY_FORMAT')}"


def calendar_grid(*, day: dt.date, days: int, by: str, resource_id: int | None = None) -> Grid:
    """The schedule: `days` local days from `day`, one column per resource and day.

    One day shows every practitioner (or room); a week shows the one chosen
    (`resource_id`, else the first).
    """
    zone = clinic_zone()
    grid_minutes = Policy.from_settings().grid_minutes
    resources = schedule_resources(by)
    shown = resources
    if days > 1:
        chosen = [r for r in resources if r.pk == resource_id] or resources[:1]
        shown = chosen
    day_list = [day + dt.timedelta(days=offset) for offset in range(days)]
    columns = [
        Column(
            day=d,
            resource=r,
            label=str(r) if days == 1 else _day_label(d),
        )
        for d in day_list
        for r in shown
    ]
    opening = _opening(OpeningHours.objects.all())
    working = list(WorkingHours.objects.all()) if by == BY_PRACTITIONER else []
    closures = list(Closure.objects.filter(starts_on__lte=day_list[-1], ends_on__gte=day))
    first_start, _unused = local_day_bounds(day, zone=zone)
    _unused, last_end = local_day_bounds(day_list[-1], zone=zone)
    appointments = _appointments().filter(start__gte=first_start, start__lt=last_end)
    appointments = appointments.exclude(status__in=HIDDEN).order_by("start", "pk")
    key = "practitioner_id" if by == BY_PRACTITIONER else "room_id"
    appointments = appointments.filter(**{f"{key}__in": [r.pk for r in shown]})
    placed: dict[tuple[dt.date, int, int], Appointment] = {}
    for appointment in appointments:
        local = appointment.start.astimezone(zone)
        minute = (_minutes(local.time()) // grid_minutes) * grid_minutes
        placed.setdefault((local.date(), getattr(appointment, key), minute), appointment)

    day_open = [opening[d.weekday()] for d in day_list if d.weekday() in opening]
    lower = min((o for o, _c in day_open), default=9 * 60)
    upper = max((c for _o, c in day_open), default=18 * 60)
    for appointment in placed.values():  # an appointment outside the hours is still drawn
        local = appointment.start.astimezone(zone)
        lower = min(lower, _minutes(local.time()) // grid_minutes * grid_minutes)
        end_local = appointment.end.astimezone(zone)
        if end_local.date() == local.date():
            upper = max(upper, _minutes(end_local.time()))
    times = list(range(lower, upper, grid_minutes))
    rows = [Row(time=dt.time(m // 60, m % 60)) for m in times]
    for column in columns:
        covered_until = -1
        resource_id_ = column.resource.pk
        open_window = opening.get(column.day.weekday())
        windows: list[tuple[int, int]] = []
        if open_window is not None:
            if by == BY_PRACTITIONER:
                for start, end in _working_windows(working, resource_id_, column.day):
                    start, end = max(start, open_window[0]), min(end, open_window[1])
                    if start < end:
                        windows.append((start, end))
            else:
                windows = [open_window]
        relevant = [c for c in closures if _closure_applies(c, by, resource_id_)]
        for index, minute in enumerate(times):
            row = rows[index]
            if minute < covered_until:
                row.cells.append(None)
                continue
            booked = placed.get((column.day, resource_id_, minute))
            if booked is not None:
                length = max(1, math.ceil((booked.end - booked.start).total_seconds() / 60))
                span = max(1, math.ceil(length / grid_minutes))
                span = min(span, len(times) - index)
                covered_until = minute + span * grid_minutes
                row.cells.append(
                    Cell(
                        kind="appointment",
                        appointment=booked,
                        rowspan=span,
                        closure=_closure_hitting(closures, booked, zone),
                    )
                )
                continue
            end = minute + grid_minutes
            closure = next(
                (c for c in relevant if _closure_covers(c, column.day, minute, end)), None
            )
            if closure is not None:
                row.cells.append(Cell(kind="closed", reason=closure.reason))
                continue
            if not any(start <= minute and end <= stop for start, stop in windows):
                row.cells.append(Cell(kind="off"))
                continue
            query: dict[str, Any] = {
                "date": column.day.isoformat(),
                "time": f"{minute // 60:02d}:{minute % 60:02d}",
                by: resource_id_,
            }
            row.cells.append(Cell(kind="free", book_query=urlencode(query)))
    return Grid(by=by, days=day_list, columns=columns, rows=rows, resources=resources)


# --- reviews ------------------------------------------------------------------------------


@dataclass
class Finding:
    code: str
    label: str
    clinical: str
    keys: tuple[str, ...]
    new: bool = False  # found by a re-screening, no practitioner approved it
    absolute: bool = False  # blocks: no approval while it fires


def findings(
    codes: Iterable[str], *, new: Iterable[str] = (), absolute: Iterable[str] = ()
) -> list[Finding]:
    """The fired codes with their clinical sentence and the answer keys they read.

    `new` and `absolute` mark the codes a re-screening found and those that block.
    """
    new, absolute = set(new), set(absolute)
    result = []
    for code in dict.fromkeys(codes):  # once each, in order
        rule = RULES.get(code)
        marks = {"new": code in new, "absolute": code in absolute}
        if rule is None:
            result.append(Finding(code=code, label=code, clinical="", keys=(), **marks))
            continue
        result.append(
            Finding(
                code=code,
                label=rule.label,
                clinical=str(rule.clinical_message),
                keys=rule.keys,
                **marks,
            )
        )
    return result


def recorded_findings(appointment: Appointment) -> list[Finding]:
    """What the latest screening recorded on the appointment (no screening run: lists stay flat)."""
    blocking = list(appointment.screening_blocking or ())
    return findings(
        [*blocking, *(appointment.screening_flags or ())],
        new=appointment.screening_new_flags or (),
        absolute=blocking,
    )


def current_findings(appointment: Appointment) -> tuple[list[Finding], ScreeningResult | None]:
    """The appointment screened now (the inputs of this moment), new codes marked.

    Without a current intake there is nothing to screen with: what was recorded.
    """
    result = screen_appointment(appointment)
    if result is None:
        return recorded_findings(appointment), None
    new = new_codes(result, approved_codes(appointment))
    return findings(result.codes, new=new, absolute=result.blocking), result


def _answer_text(key: str, value: Any) -> str:
    question = QUESTIONS.get(key)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if question is not None and question.choices:
        labels = {v: str(label) for v, label in question.choices}
        if isinstance(value, list | tuple):
            return ", ".join(labels.get(v, str(v)) for v in value)
        return labels.get(value, str(value))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def answers_read(answers: dict[str, Any], keys: Iterable[str]) -> list[tuple[str, str, str]]:
    """(key, question, answer) for exactly the keys given, in the order given, once each."""
    seen: list[str] = []
    for key in keys:
        if key not in seen:
            seen.append(key)
    return [
        (
            key,
            str(QUESTIONS[key].label) if key in QUESTIONS else key,
            _answer_text(key, answers.get(key)),
        )
        for key in seen
    ]


def review_queue() -> list[Appointment]:
    """Every pending review, the longest waiting first, with its decisions so far."""
    return list(
        _appointments()
        .filter(status=S.PENDING_REVIEW)
        .prefetch_related(
            Prefetch("review_decisions", queryset=ReviewDecision.objects.select_related("by"))
        )
        .order_by("created_at", "pk")
    )


def is_overdue_for_review(appointment: Appointment, *, now: dt.datetime) -> bool:
    return now - appointment.created_at > dt.timedelta(hours=settings.REVIEW_HIGHLIGHT_HOURS)


def latest_photos(appointment: Appointment, *, limit: int = 6) -> list[Photo]:
    return list(Photo.objects.filter(patient=appointment.patient).order_by("-uploaded_at")[:limit])


def course_history_of(appointment: Appointment) -> dict[str, Any]:
    """The patient's courses and their past appointments of every procedure."""
    courses = list(
        TreatmentCourse.objects.filter(patient=appointment.patient)
        .select_related("procedure")
        .order_by("-started_on", "-pk")
    )
    past = list(
        Appointment.objects.filter(patient=appointment.patient, start__lt=appointment.start)
        .exclude(pk=appointment.pk)
        .select_related("practitioner__user")
        .order_by("-start")[:20]
    )
    return {"courses": courses, "past": past}


# --- the day sheet ------------------------------------------------------------------------


def day_sheet(*, practitioner: Practitioner, day: dt.date) -> list[Appointment]:
    """The practitioner's appointments of one local day, in order, with their decisions."""
    start, end = local_day_bounds(day, zone=clinic_zone())
    return list(
        _appointments()
        .filter(practitioner=practitioner, start__gte=start, start__lt=end)
        .exclude(status__in=HIDDEN)
        .prefetch_related(
            Prefetch("review_decisions", queryset=ReviewDecision.objects.select_related("by"))
        )
        .order_by("start", "pk")
    )


# --- the dashboard ------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    value: float
    display: str
    width: float = 0.0


def _bars(items: Sequence[tuple[str, float, str]], *, scale: float | None = None) -> list[Bar]:
    top = scale if scale is not None else max((value for _l, value, _d in items), default=0)
    return [
        Bar(label=label, value=value, display=display, width=(value / top * 100) if top else 0)
        for label, value, display in items
    ]


def _working_minutes(
    hours: Sequence[WorkingHours], opening: dict[int, tuple[int, int]], pk: int, days: list[dt.date]
) -> int:
    total = 0
    for day in days:
        window = opening.get(day.weekday())
        if window is None:
            continue
        for start, end in _working_windows(hours, pk, day):
            total += max(0, min(end, window[1]) - max(start, window[0]))
    return total


def dashboard(*, today: dt.date, now: dt.datetime) -> dict[str, Any]:
    """The manager's figures; a fixed number of queries."""
    zone = clinic_zone()
    monday = today - dt.timedelta(days=today.weekday())
    first_week = monday - dt.timedelta(weeks=DASHBOARD_WEEKS - 1)
    week_start, _unused = local_day_bounds(first_week, zone=zone)
    _unused, week_end = local_day_bounds(monday + dt.timedelta(days=6), zone=zone)
    period_days = [today - dt.timedelta(days=n) for n in range(PERIOD_DAYS - 1, -1, -1)]
    period_start, _unused = local_day_bounds(period_days[0], zone=zone)
    _unused, period_end = local_day_bounds(today, zone=zone)

    rows = list(
        Appointment.objects.filter(start__gte=min(week_start, period_start), start__lt=week_end)
        .exclude(status=S.DECLINED)
        .values(
            "start",
            "end",
            "room_free_at",
            "status",
            "practitioner_id",
            "room_id",
            "procedure_name_en",
            "procedure_name_ru",
        )
    )
    weeks: Counter[dt.date] = Counter()
    for row in rows:
        if row["start"] >= week_start and row["status"] != S.CANCELLED:
            day = local_date(row["start"])
            weeks[day - dt.timedelta(days=day.weekday())] += 1
    week_items = []
    for n in range(DASHBOARD_WEEKS):
        start_of_week = first_week + dt.timedelta(weeks=n)
        count = weeks[start_of_week]
        # The week's Monday in the reader's words: "November 23", "23 ноября".
        label = date_format(start_of_week, "MONTH_DAY_FORMAT")
        week_items.append((label, float(count), str(count)))

    in_period = [
        r for r in rows if period_start <= r["start"] < period_end and r["status"] in HELD_TIME
    ]
    practitioners = list(Practitioner.objects.select_related("user").order_by("user__last_name"))
    rooms = list(Room.objects.order_by("name"))
    hours = list(WorkingHours.objects.all())
    opening = _opening(OpeningHours.objects.all())
    booked_by_practitioner: dict[int, float] = defaultdict(float)
    booked_by_room: dict[int, float] = defaultdict(float)
    for row in in_period:
        booked_by_practitioner[row["practitioner_id"]] += (
            row["end"] - row["start"]
        ).total_seconds() / 60
        booked_by_room[row["room_id"]] += (row["room_free_at"] - row["start"]).total_seconds() / 60
    opening_minutes = sum(
        opening[d.weekday()][1] - opening[d.weekday()][0]
        for d in period_days
        if d.weekday() in opening
    )
    practitioner_items = []
    for p in practitioners:
        available = _working_minutes(hours, opening, p.pk, period_days)
        share = booked_by_practitioner[p.pk] / available * 100 if available else 0.0
        practitioner_items.append(
            (str(p), share, f"{share:.0f}% ({booked_by_practitioner[p.pk]:.0f}/{available} min)")
        )
    room_items = []
    for r in rooms:
        share = booked_by_room[r.pk] / opening_minutes * 100 if opening_minutes else 0.0
        room_items.append(
            (str(r), share, f"{share:.0f}% ({booked_by_room[r.pk]:.0f}/{opening_minutes} min)")
        )

    finished = [r for r in in_period if r["status"] in (S.COMPLETED, S.NO_SHOW)]
    no_shows = sum(1 for r in finished if r["status"] == S.NO_SHOW)
    no_show_rate = no_shows / len(finished) * 100 if finished else 0.0

    pending = list(
        Appointment.objects.filter(status=S.PENDING_REVIEW).values_list("created_at", flat=True)
    )
    ages = sorted(((now - created).total_seconds() / 3600 for created in pending), reverse=True)
    buckets = [
        (gettext("under 24 hours"), sum(1 for a in ages if a < 24)),
        (gettext("24 to 48 hours"), sum(1 for a in ages if 24 <= a < 48)),
        (gettext("48 hours and more"), sum(1 for a in ages if a >= 48)),
    ]

    procedures = Counter(
        (r["procedure_name_en"], r["procedure_name_ru"])
        for r in rows
        if period_start <= r["start"] < period_end and r["status"] != S.CANCELLED
    )
    russian = (get_language() or "en").startswith("ru")
    top = [
        ((ru if russian and ru else en), float(count), str(count))
        for (en, ru), count in procedures.most_common(10)
    ]
    return {
        "bookings_per_week": _bars(week_items),
        "practitioner_utilisation": _bars(practitioner_items, scale=100),
        "room_utilisation": _bars(room_items, scale=100),
        "no_show_rate": no_show_rate,
        "no_shows": no_shows,
        "finished": len(finished),
        "reviews_waiting": len(ages),
        "oldest_review_hours": ages[0] if ages else None,
        "review_ages": _bars([(label, float(n), str(n)) for label, n in buckets]),
        "top_procedures": _bars(top),
        "period_start": period_days[0],
        "period_end": today,
    }
