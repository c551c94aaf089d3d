"""Keep patients' contact details out of the logs.

Log lines and tracebacks can carry an e-mail address or a phone number (an
integrity error quoting a key, a message naming a recipient, a task's arguments
in a worker's error). The filter on the console handler replaces both with a
placeholder before anything is written; the rest of the line, and the
traceback's shape, stay for whoever debugs. An expected refusal (403) is one line,
without its traceback. The web, the Celery worker and beat
all log through it (clinic/celery.py hands Celery the same LOGGING).

Phone numbers are hidden as people type them: international (`+7 916 123-45-67`)
and Russian national, with the trunk prefix 8 and ten digits (`8 916 123-45-67`,
`8 (916) 123-45-67`, `89161234567`). Other numbers (ids, prices, dates, times,
durations) are left alone: a national number needs the leading 8 and exactly
eleven digits, not part of a longer word or number.
"""

from __future__ import annotations

import logging
import re

from django.core.exceptions import PermissionDenied

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
INTERNATIONAL_PHONE = re.compile(r"\+\d[\d ()-]{7,}\d")
NATIONAL_PHONE = re.compile(
    r"(?<![\w.,])8[ -]?\(?\d{3}\)?[ -]?\d{3}[ -]?\d{2}[ -]?\d{2}(?!\w)(?![.,]\d)"
)
HIDDEN = "[hidden]"


def redact(text: str) -> str:
    """The text with e-mail addresses and phone numbers hidden."""
    text = EMAIL.sub(HIDDEN, text)
    text = INTERNATIONAL_PHONE.sub(HIDDEN, text)
    return NATIONAL_PHONE.sub(HIDDEN, text)


class RedactPersonalData(logging.Filter):
    """Hides contact details in the message and in the traceback of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class RefusalsInOneLine(logging.Filter):
    """Drops the traceback of an expected refusal (a 403: PermissionDenied).

    Django logs "Forbidden (Permission denied): <path>" with the exception attached;
    the traceback says nothing the line does not, and a page of it per refused click
    buries the errors that matter.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
