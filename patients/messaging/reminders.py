"""When each reminder is due: pure functions, dates and zones in, aware UTC instants out.

Domain rules:
- The appointment reminder is `APPOINTMENT_REMINDER_HOURS` (24) real hours
  before the start: on the night a clock changes it is still exactly that
  many hours, so it may fall at 09:00 or 11:00 on the wall clock.
- Everything else is sent at 10:00 on the clinic's wall clock
  (`CLINIC_TIME_ZONE`), whatever the offset on that day:
  - the pre-care notice `window` days before the appointment's local date,
    for procedures whose retinoid and acid stop window is at least
    `PRECARE_NOTICE_MIN_DAYS` (7) days (microdermabrasion and the lasers:
    14 days; a 2-day stop needs no separate notice, the reminder has it);
  - the after-care note the day after the appointment; "how is your skin?"
    `SKIN_CHECK_AFTER_DAYS` and "how do you rate your result?"
    `SELF_ASSESSMENT_AFTER_DAYS` days after it;
  - a procedure's care instructions on their day (`patients.messaging.care`;
    an after-care one of the day itself at the appointment's end);
  - a course window opens on the last session + the minimum interval; a
    "window closing" note `CLOSING_NOTICE_DAYS` (3) before the last day
    (last session + the maximum interval); "overdue" the day after that day;
  - a recall on the last session + the procedure's `recall_after_days`
    (hyaluronic filler 182, fat transfer 547);
  - the intake renewal `INTAKE_RENEWAL_NOTICE_DAYS` (14) before the intake
    expires.
- Instants are stored in UTC; zoneinfo turns the wall-clock time into the
  right offset for that very day.
"""

from __future__ import annotations

import datetime as dt

SEND_AT = dt.time(10, 0)
PRECARE_NOTICE_MIN_DAYS = 7


def at_wall_clock(day: dt.date, *, zone: dt.tzinfo, time: dt.time = SEND_AT) -> dt.datetime:
    """`time` on the local `day` in `zone`, as an aware UTC instant."""
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)


def local_day(moment: dt.datetime, *, zone: dt.tzinfo) -> dt.date:
    return moment.astimezone(zone).date()


def reminder_due(start: dt.datetime, *, hours: int) -> dt.datetime:
    """`hours` real hours before the start (not wall-clock hours)."""
    # In UTC: arithmetic on a zoned datetime is wall-clock arithmetic, an hour off on DST days.
    return start.astimezone(dt.UTC) - dt.timedelta(hours=hours)


def precare_due(
    start: dt.datetime, *, window_days: int | None, zone: dt.tzinfo
) -> dt.datetime | None:
    """10:00 local `window_days` before the appointment's day; None for short or no windows."""
    if window_days is None or window_days < PRECARE_NOTICE_MIN_DAYS:
        return None
    return at_wall_clock(local_day(start, zone=zone) - dt.timedelta(days=window_days), zone=zone)


def days_after_due(start: dt.datetime, *, days: int, zone: dt.tzinfo) -> dt.datetime:
    """`days` local days after the session, at the usual hour ("how is your skin?",
    "how do you rate your result?")."""
    return at_wall_clock(local_day(start, zone=zone) + dt.timedelta(days=days), zone=zone)


def aftercare_due(start: dt.datetime, *, zone: dt.tzinfo) -> dt.datetime:
    """10:00 local on the day after the appointment."""
    return at_wall_clock(local_day(start, zone=zone) + dt.timedelta(days=1), zone=zone)


def window_open_due(
    last_session_on: dt.date, *, interval_min_days: int | None, zone: dt.tzinfo
) -> dt.datetime:
    return at_wall_clock(last_session_on + dt.timedelta(days=interval_min_days or 0), zone=zone)


def window_closing_due(
    last_session_on: dt.date, *, interval_max_days: int, notice_days: int, zone: dt.tzinfo
) -> dt.datetime:
    closes_on = last_session_on + dt.timedelta(days=interval_max_days)
    return at_wall_clock(closes_on - dt.timedelta(days=notice_days), zone=zone)


def overdue_due(
    last_session_on: dt.date, *, interval_max_days: int, zone: dt.tzinfo
) -> dt.datetime:
    """The day after the window's last day."""
    return at_wall_clock(last_session_on + dt.timedelta(days=interval_max_days + 1), zone=zone)


def recall_due(last_session_on: dt.date, *, recall_after_days: int, zone: dt.tzinfo) -> dt.datetime:
    return at_wall_clock(last_session_on + dt.timedelta(days=recall_after_days), zone=zone)


def intake_renewal_due(expires_on: dt.date, *, notice_days: int, zone: dt.tzinfo) -> dt.datetime:
    return at_wall_clock(expires_on - dt.timedelta(days=notice_days), zone=zone)
