"""The project's domain exception family.

Every business rule that refuses an input raises a `DomainError`: it carries a
stable machine `code` (for APIs, logs and tests), a translatable `message` (a
lazy string, so it is rendered in the language active when it is shown, not
when it was raised) and optionally the `field` it is about, so a view can turn
it into a form error on that field or an HTTP 4xx, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.utils.formats import date_format
from django.utils.functional import Promise, lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

__all__ = ["AnswerError", "DomainError", "lazy_date", "lazy_interpolate"]


def _interpolate(message: str | Promise, params: dict[str, Any]) -> str:
    return str(message) % {key: str(value) for key, value in params.items()}


# `gettext_lazy("...%(key)s") % {...}` would translate at raise time; this keeps
# the message lazy until it is rendered, in whatever language is then active.
# (django-stubs types what `lazy` returns as the function's own result, `str`; it is a
# lazy proxy of one, which is what the casts here say.)
lazy_interpolate = cast(
    "Callable[[str | Promise, dict[str, Any]], StrPromise]", lazy(_interpolate, str)
)


def _date_words(day: Any) -> str:
    return date_format(day, "DATE_FORMAT")


# A date in the words of the language active when the message is shown ("June 3, 2026"
# in English), like the message around it.
lazy_date = cast("Callable[[Any], StrPromise]", lazy(_date_words, str))


class DomainError(Exception):
    """A business rule refused the input; `code` says which, `message` says it in words."""

    code: str = "domain_error"
    # The HTTP status a page or the API answers with; subclasses (or a raise) narrow it.
    http_status: int = 400

    def __init__(
        self, message: str | Promise, *, code: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message: str | Promise = message
        if code is not None:
            self.code = code
        self.field: str | None = field

    def __str__(self) -> str:
        return str(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r})"


class AnswerError(DomainError):
    """An intake answer (or a screening input) is invalid; `field` names the key."""

    code = "invalid_answer"

    def __init__(self, message: str | Promise, *, field: str) -> None:
        super().__init__(message, field=field)
        self.field: str = field
