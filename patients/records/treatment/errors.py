"""The treatment record's refusals: DomainErrors with a code and the HTTP status a view gives."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from procedures.errors import DomainError


class RecordError(DomainError):
    """A rule of the treatment record refused the input (a form error, or HTTP 400)."""

    http_status = 400


class Forbidden(RecordError):
    """The user may not do this; views answer 403 (or 404 for a patient's other data)."""

    http_status = 403

    def __init__(self, message: str | Promise | None = None) -> None:
        super().__init__(message or _("You may not do this."), code="forbidden")


class ChartSigned(RecordError):
    """A signed chart is read-only: a change is an addendum."""

    http_status = 409

    def __init__(self) -> None:
        super().__init__(
            _("This chart is signed and read-only; add an addendum instead."), code="chart_signed"
        )


class RecordLocked(RecordError):
    """An erasure request locked the patient's record for the retention period."""

    http_status = 409

    def __init__(self) -> None:
        super().__init__(
            _("This patient's record is locked after an erasure request; it cannot change."),
            code="record_locked",
        )
