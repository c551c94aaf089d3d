"""What a screening answers: the outcome, each rule that fired, and when it clears.

A result names the fired codes once each (`blocking`, `flags`), while its
`findings` list every reason separately: one per rule of `rules.md`, and one per
other session of the patient that fires a washout or a prerequisite code, with
that session and its dates (rules-v2.md: "a code is reported once in blocking /
flags however many sessions fire it; the findings are listed each").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .rules import RULES, code_label

__all__ = ["Finding", "OtherSession", "Outcome", "ScreeningResult"]


class Outcome(models.TextChoices):
    OK = "ok", _("OK")
    REVIEW = "review", _("Needs review")
    BLOCKED = "blocked", _("Blocked")


class OtherSession(NamedTuple):
    """Another session of the patient: done = completed, else booked and holding time."""

    slug: str
    date: dt.date
    done: bool

    def to_dict(self) -> dict[str, Any]:
        return {"procedure": self.slug, "date": self.date.isoformat(), "done": self.done}


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason that fired: its code, whether it blocks, what to tell whom, when it clears.

    `session` is the other session a washout or prerequisite finding is about;
    `latest_date` the last date that fits before a later session (washouts);
    `remedy_procedure` the procedure to book first when that is the way out (the
    consultation of a missing prerequisite). `past_latest_message` is what to tell
    the patient instead once `latest_date` is in the past (a refusal never offers a
    date gone by): `patient_message_on(today)` picks.
    """

    code: str
    absolute: bool
    patient_message: str | Promise
    clinical_message: str | Promise
    clears_on: dt.date | None
    session: OtherSession | None = None
    latest_date: dt.date | None = None
    remedy_procedure: str | None = None
    past_latest_message: str | Promise | None = None

    @property
    def label(self) -> str:
        return code_label(self.code)

    def patient_message_on(self, today: dt.date) -> str | Promise:
        """The patient's sentence as of `today`: never a latest date already gone by."""
        if (
            self.past_latest_message is not None
            and self.latest_date is not None
            and self.latest_date < today
        ):
            return self.past_latest_message
        return self.patient_message

    @property
    def keys(self) -> tuple[str, ...]:
        """The intake keys this rule reads: what the review screen shows beside it."""
        rule = RULES.get(self.code)
        return rule.keys if rule is not None else ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "absolute": self.absolute,
            "patient_message": str(self.patient_message),
            "clinical_message": str(self.clinical_message),
            "clears_on": self.clears_on.isoformat() if self.clears_on else None,
            "session": self.session.to_dict() if self.session else None,
            "latest_date": self.latest_date.isoformat() if self.latest_date else None,
            "remedy_procedure": self.remedy_procedure,
        }


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """The verdict for one procedure on one date.

    `remedy_procedure` is set when a blocking finding names a procedure to book
    first (a missing consultation): every booking path offers its slots.
    """

    procedure: str
    on: dt.date
    outcome: str
    blocking: tuple[str, ...]
    flags: tuple[str, ...]
    earliest_date: dt.date | None
    findings: tuple[Finding, ...]
    remedy_procedure: str | None = None

    @property
    def messages(self) -> tuple[str | Promise, ...]:
        """Patient sentences, blocking reasons first, as lazy strings."""
        return tuple(finding.patient_message for finding in self.findings)

    def messages_on(self, today: dt.date) -> tuple[str | Promise, ...]:
        """Patient sentences as of `today` (no latest date already in the past)."""
        return tuple(finding.patient_message_on(today) for finding in self.findings)

    @property
    def blocked(self) -> bool:
        return self.outcome == Outcome.BLOCKED

    @property
    def needs_review(self) -> bool:
        return self.outcome == Outcome.REVIEW

    @property
    def codes(self) -> tuple[str, ...]:
        """Every fired code, blocking first."""
        return self.blocking + self.flags

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data; messages are rendered in the active language."""
        return {
            "procedure": self.procedure,
            "on": self.on.isoformat(),
            "outcome": self.outcome,
            "blocking": list(self.blocking),
            "flags": list(self.flags),
            "earliest_date": self.earliest_date.isoformat() if self.earliest_date else None,
            "remedy_procedure": self.remedy_procedure,
            "findings": [finding.to_dict() for finding in self.findings],
            "messages": [str(message) for message in self.messages],
        }
