"""The booking services' errors: one DomainError each, with its code and HTTP status.

`payload()` is the extra data an API answer carries beside `code` and `detail`
(the next free slots of a "just taken", the reasons of a blocked screening).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.formats import date_format
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from clinic.availability import Policy, Slot, clinic_zone
from procedures.errors import DomainError, lazy_interpolate
from procedures.screening import ScreeningResult

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# A date in the words of the language active when the message is shown, not when it
# is raised: like the message around it.
lazy_date = lazy(lambda day: date_format(day, "DATE_FORMAT"), str)


def booked_at_most_days_ahead(days: int) -> StrPromise:
    """The booking horizon in words, its plural agreeing with `days` (`%(days)s` left to fill)."""
    return ngettext_lazy(
        "Appointments can be booked at most %(days)s day ahead.",
        "Appointments can be booked at most %(days)s days ahead.",
        days,
    )


class BookingError(DomainError):
    """A booking rule refused; `payload()` is the extra data an API answer carries."""

    http_status = 400

    def payload(self) -> dict[str, Any]:
        return {}


class Forbidden(BookingError):
    http_status = 403

    def __init__(self, message: str | Promise | None = None) -> None:
        super().__init__(message or _("You may not do this."), code="forbidden")


class EmailNotVerified(BookingError):
    http_status = 403

    def __init__(self) -> None:
        super().__init__(
            _("Please confirm your e-mail address (use the link we sent you) before booking."),
            code="email_unverified",
        )


class IntakeRequired(BookingError):
    http_status = 422

    def __init__(self, *, expired: bool) -> None:
        message = (
            _("Your health questionnaire is more than a year old. Please review it before booking.")
            if expired
            else _("Please fill in the health questionnaire before booking.")
        )
        super().__init__(message, code="intake_required", field="intake")
        self.expired = expired

    def payload(self) -> dict[str, Any]:
        return {"expired": self.expired}


class ConsentRequired(BookingError):
    http_status = 422

    def __init__(self, category: str) -> None:
        super().__init__(
            _("Please read and sign the consent for this kind of procedure before booking."),
            code="consent_required",
            field="consent",
        )
        self.category = category

    def payload(self) -> dict[str, Any]:
        return {"category": self.category}


class ScreeningBlocked(BookingError):
    """Screening says `blocked`: nobody may book it for that date."""

    http_status = 422

    def __init__(self, result: ScreeningResult, *, session_number: int | None = None) -> None:
        reasons = " ".join(
            str(finding.patient_message) for finding in result.findings if finding.absolute
        )
        if result.earliest_date is not None:
            message = lazy_interpolate(
                _(
                    "This procedure cannot be booked for that date. %(reasons)s "
                    "Earliest date: %(date)s."
                ),
                {"reasons": reasons, "date": lazy_date(result.earliest_date)},
            )
        else:
            message = lazy_interpolate(
                _("This procedure cannot be booked for you. %(reasons)s"), {"reasons": reasons}
            )
        super().__init__(message, code="screening_blocked", field="procedure")
        self.result = result
        self.blocking: tuple[str, ...] = result.blocking
        self.earliest_date: dt.date | None = result.earliest_date
        self.session_number = session_number
        # The way out's free times (a consultation first), when the refusal names one.
        self.remedy_procedure: str | None = result.remedy_procedure
        self.remedy_slots: list[Slot] = []

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "blocking": list(self.blocking),
            "earliest_date": self.earliest_date.isoformat() if self.earliest_date else None,
            "messages": [str(finding.patient_message) for finding in self.result.findings],
        }
        if self.remedy_procedure:
            data["remedy_procedure"] = self.remedy_procedure
            data["remedy_slots"] = [slot_to_dict(slot) for slot in self.remedy_slots]
        if self.session_number is not None:
            data["session"] = self.session_number
        return data


class SlotUnavailable(BookingError):
    """Not a start anybody could book: off the grid, too soon, too far, outside hours."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message, code="slot_unavailable", field="start")

    @classmethod
    def because(cls, reason: str | None, policy: Policy) -> SlotUnavailable:
        """The refusal for a reason of `Policy.why_not_bookable` (None: outside the hours)."""
        if reason == "grid":
            return cls(
                lazy_interpolate(
                    ngettext_lazy(
                        "Appointments start every %(minutes)s minute (e.g. 10:00, 10:15).",
                        "Appointments start every %(minutes)s minutes (e.g. 10:00, 10:15).",
                        policy.grid_minutes,
                    ),
                    {"minutes": policy.grid_minutes},
                )
            )
        if reason == "lead":
            return cls(
                lazy_interpolate(
                    _("Book at least %(hours)s hours ahead."),
                    {"hours": f"{policy.min_lead_minutes / 60:g}"},
                )
            )
        if reason == "horizon":
            return cls(
                lazy_interpolate(
                    booked_at_most_days_ahead(policy.max_days_ahead),
                    {"days": policy.max_days_ahead},
                )
            )
        return cls(
            _("Nobody can perform this procedure at that time (outside the hours, or closed).")
        )


class SlotTaken(BookingError):
    """The slot was free a moment ago and is not any more (or it is held)."""

    http_status = 409

    def __init__(self, alternatives: Sequence[Slot] = ()) -> None:
        super().__init__(
            _("Sorry, this time has just been taken. Here are the next free times."),
            code="slot_taken",
            field="start",
        )
        self.alternatives: list[Slot] = list(alternatives)

    def payload(self) -> dict[str, Any]:
        return {"alternatives": [slot_to_dict(slot) for slot in self.alternatives]}


class PatientBusy(BookingError):
    http_status = 409

    def __init__(self) -> None:
        super().__init__(
            _("You already have an appointment at that time."),
            code="patient_busy",
            field="start",
        )


class ChangeTooLate(BookingError):
    http_status = 409

    def __init__(self) -> None:
        hours = settings.PATIENT_CHANGE_CUTOFF_HOURS
        super().__init__(
            lazy_interpolate(
                ngettext_lazy(
                    "Appointments can be changed online up to %(hours)s hour before. "
                    "Please call the clinic.",
                    "Appointments can be changed online up to %(hours)s hours before. "
                    "Please call the clinic.",
                    hours,
                ),
                {"hours": hours},
            ),
            code="change_too_late",
        )


class MoveNeedsReview(BookingError):
    http_status = 422

    def __init__(self, result: ScreeningResult) -> None:
        super().__init__(
            _(
                "On the new date a practitioner would have to review this booking again. "
                "Cancel it and request the new date instead."
            ),
            code="move_needs_review",
            field="start",
        )
        self.flags = result.flags

    def payload(self) -> dict[str, Any]:
        return {"flags": list(self.flags)}


class TooCloseToLaterSession(BookingError):
    """The date would leave less than the minimum interval before a session already booked."""

    http_status = 422

    def __init__(self, *, later_session_on: dt.date, latest_date: dt.date | None) -> None:
        # A latest date already gone is no choice at all: the only way is to move that session.
        if latest_date is None:
            message = lazy_interpolate(
                _(
                    "You already have a session of this procedure on %(later)s, and sessions "
                    "need more time between them: no date before it fits any more. Move that "
                    "session first."
                ),
                {"later": lazy_date(later_session_on)},
            )
        else:
            message = lazy_interpolate(
                _(
                    "You already have a session of this procedure on %(later)s, and sessions "
                    "need more time between them. Choose a date no later than %(latest)s, "
                    "or move that session first."
                ),
                {"later": lazy_date(later_session_on), "latest": lazy_date(latest_date)},
            )
        super().__init__(message, code="too_close_to_next_session", field="start")
        self.later_session_on = later_session_on
        self.latest_date = latest_date

    def payload(self) -> dict[str, Any]:
        return {
            "next_session_on": self.later_session_on.isoformat(),
            "latest_date": self.latest_date.isoformat() if self.latest_date else None,
        }


def slot_to_dict(slot: Slot) -> dict[str, Any]:
    """A slot as JSON-ready data: ISO 8601 times with the clinic zone's offset."""
    zone = clinic_zone()
    return {
        "start": slot.start.astimezone(zone).isoformat(),
        "end": slot.end.astimezone(zone).isoformat(),
        "practitioner": slot.practitioner_id,
        "room": slot.room_id,
    }
