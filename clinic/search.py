"""Finding people by what staff type: a name in any alphabet, a phone in any spelling.

- A name matches whatever its case: `петрова` finds `Петрова`. PostgreSQL's LOWER()
  folds every alphabet; SQLite's LOWER() and LIKE fold ASCII only, so every SQLite
  connection gets Python's `str.lower` as the SQL function `unicode_lower`
  (`register_sqlite_functions`, connected in `ClinicConfig.ready()`), and
  `FoldedCase` uses it there.
- A query that reads as one phone number of the clinic's region
  (PHONENUMBER_DEFAULT_REGION: `9165551234`, `8 916 555 12 34`, `+7 916 555-12-34`)
  is that number in E.164, the form phones are stored in. A query of phone
  characters that is not a whole number (`555-12`) finds the numbers that hold its
  digits. Anything else is text.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Func, Q
from django.db.models.lookups import Contains

SQLITE_LOWER = "unicode_lower"
# What a person types for a phone: digits, spaces, "+", "-", ".", "(" and ")".
_PHONE_CHARACTERS = re.compile(r"[+\d\s().-]*\d[+\d\s().-]*")


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def register_sqlite_functions(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Give a new SQLite connection the Unicode-aware `unicode_lower` (connection_created)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_LOWER, 1, _lower, deterministic=True)


class FoldedCase(Func):
    """The text in lower case, in every alphabet, on every database."""

    function = "LOWER"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function=SQLITE_LOWER, **extra)


def contains_text(field: str, text: str) -> Q:
    """`field` contains `text`, whatever the case of either."""
    return Q(Contains(FoldedCase(field), text.lower()))


def as_e164(text: str) -> str | None:
    """The text as an E.164 number, when it is one valid phone number (of the region
    PHONENUMBER_DEFAULT_REGION unless it names its country); else None."""
    try:
        number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_matches(field: str, query: str) -> Q | None:
    """`field` holds the number the query spells, or its digits; None if it spells no phone."""
    query = query.strip()
    if not _PHONE_CHARACTERS.fullmatch(query):
        return None
    number = as_e164(query)
    if number is not None:
        return Q(**{field: number})
    return Q(**{f"{field}__contains": "".join(ch for ch in query if ch.isdigit())})
