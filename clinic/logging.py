"""Keep patients' contact details out of the logs.

Log lines and tracebacks can carry an e-mail address or a phone number (an
integrity error quoting a key, a message naming a recipient). The filter on the
console handler replaces both with a placeholder before anything is written;
the rest of the line, and the traceback's shape, stay for whoever debugs.
"""

from __future__ import annotations

import logging
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+\d[\d ()-]{7,}\d")
HIDDEN = "[hidden]"


def redact(text: str) -> str:
    """The text with e-mail addresses and international phone numbers hidden."""
    return PHONE.sub(HIDDEN, EMAIL.sub(HIDDEN, text))


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
