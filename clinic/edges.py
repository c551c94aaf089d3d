"""The edges of time the portal accepts from a visitor, checked where input is parsed.

Python's dates end at 0001-01-01 and 9999-12-31, and PostgreSQL refuses a UTC
offset beyond +-15:59: a date near either end overflows as soon as a service adds
a week or converts to UTC, and an offset of +16:00 makes the database raise. So
every date and every date-and-time that comes in (forms, the API) is checked here
first and refused as an error naming the field: a day from 1900-01-01 to
2999-12-31, an offset within +-15:59. A clinic's real dates lie far inside.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2999, 12, 31)
# PostgreSQL's timestamptz accepts offsets up to 15:59 either way.
MAX_OFFSET = dt.timedelta(hours=15, minutes=59)


def _out_of_range() -> ValidationError:
    return ValidationError(
        _("Give a date from %(first)s to %(last)s."),
        code="out_of_range",
        params={"first": EARLIEST_DAY.isoformat(), "last": LATEST_DAY.isoformat()},
    )


def validate_day(day: dt.date) -> None:
    """Refuse a date outside EARLIEST_DAY..LATEST_DAY (a validator for form and API fields)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise _out_of_range()


def validate_moment(moment: dt.datetime) -> None:
    """Refuse an aware time whose offset PostgreSQL refuses, or whose UTC date is out of range."""
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise ValidationError(
            _("Give a UTC offset from -15:59 to +15:59."), code="offset_out_of_range"
        )
    try:
        day = moment.astimezone(dt.UTC).date() if offset is not None else moment.date()
    except OverflowError:
        raise _out_of_range() from None
    validate_day(day)
