"""The one-tap answers a reminder carries: "confirm" and "I can't come", no login needed.

Domain rules:
- A link names the appointment, its version (a move makes older links dead),
  the channel it was sent by (recorded with the confirmation) and the answer.
  It is signed (`django.core.signing.Signer`, its own salt), so nobody can
  make one for another appointment; a tampered or unknown link is a 404.
- A link works until the appointment starts, once: a confirmation already
  recorded, or an appointment no longer active, make it a 404 (the booking
  side checks that, `patients.booking.services.replies`).
- The token is short (an SMS carries two) and holds nothing about health.
- The pre-care acknowledgement ("I have read the instructions") has its own
  link: the appointment and its version, signed with another salt; the booking
  side (`patients.booking.services.care`) decides whether it is still good.
- The self-assessment ("how do you rate your result?", issue #18) has its own link
  too: the session and the occasion (after the session, or at the course's end),
  signed with a third salt; the outcomes side
  (`patients.records.outcomes.self_assessment`) takes it once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

import patients.messaging.reminders as reminders
from clinic.availability import clinic_zone, local_date
from patients.models import Appointment, OutboxMessage, SelfAssessment

__all__ = [
    "CANCEL",
    "CONFIRM",
    "Reply",
    "care_token",
    "care_url",
    "read_care_token",
    "read_reply_token",
    "read_self_assessment_token",
    "reply_token",
    "reply_urls",
    "self_assessment_ends_at",
    "self_assessment_token",
    "self_assessment_url",
]

CONFIRM = "confirm"
CANCEL = "cancel"
_ACTIONS = {"c": CONFIRM, "x": CANCEL}
_CODES = {action: code for code, action in _ACTIONS.items()}
_CHANNELS = {"e": OutboxMessage.Channel.EMAIL, "s": OutboxMessage.Channel.SMS}
_CHANNEL_CODES: dict[str, str] = {channel: code for code, channel in _CHANNELS.items()}
_SALT = "patients.messaging.links.reply"
_CARE_SALT = "patients.messaging.links.care"
_ASSESSMENT_SALT = "patients.messaging.links.self-assessment"
# Occasions of a self-assessment (`SelfAssessment.Occasion`), one letter each in the token.
_OCCASIONS: dict[str, str] = {
    "s": SelfAssessment.Occasion.SESSION,
    "e": SelfAssessment.Occasion.COURSE_END,
}
_OCCASION_CODES = {occasion: code for code, occasion in _OCCASIONS.items()}


@dataclass(frozen=True)
class Reply:
    """What a valid link says: which appointment at which version, by which channel, what."""

    appointment_id: int
    version: int
    channel: str
    action: str


def reply_token(appointment: Appointment, *, channel: str, action: str) -> str:
    """The signed token of one answer to one appointment, for the message of `channel`."""
    value = f"{appointment.pk}.{appointment.version}.{_CHANNEL_CODES[channel]}{_CODES[action]}"
    return signing.Signer(salt=_SALT).sign(value)


def read_reply_token(token: str) -> Reply | None:
    """The reply a token holds, or None when it is not one of ours."""
    try:
        value = signing.Signer(salt=_SALT).unsign(token)
        appointment_id, version, codes = value.split(".")
        return Reply(int(appointment_id), int(version), _CHANNELS[codes[0]], _ACTIONS[codes[1]])
    except (signing.BadSignature, ValueError, KeyError, IndexError):
        return None


def reply_urls(appointment: Appointment, *, channel: str) -> dict[str, str]:
    """The absolute "confirm" and "I can't come" links for a reminder sent by `channel`."""
    base = settings.PORTAL_URL.rstrip("/")
    return {
        f"{action}_url": base
        + reverse("patients:reply", args=[reply_token(appointment, channel=channel, action=action)])
        for action in (CONFIRM, CANCEL)
    }


def care_token(appointment: Appointment) -> str:
    """The signed token of "I have read the pre-care instructions" for this appointment."""
    return signing.Signer(salt=_CARE_SALT).sign(f"{appointment.pk}.{appointment.version}")


def read_care_token(token: str) -> tuple[int, int] | None:
    """(appointment id, version) of a care token, or None when it is not one of ours."""
    try:
        appointment_id, version = signing.Signer(salt=_CARE_SALT).unsign(token).split(".")
        return int(appointment_id), int(version)
    except (signing.BadSignature, ValueError):
        return None


def care_url(appointment: Appointment) -> str:
    """The absolute acknowledgement link a pre-care message carries."""
    base = settings.PORTAL_URL.rstrip("/")
    return base + reverse("patients:acknowledge-care", args=[care_token(appointment)])


def self_assessment_token(appointment: Appointment, *, occasion: str) -> str:
    """The signed token of the self-assessment of `appointment` for `occasion`."""
    value = f"{appointment.pk}.{_OCCASION_CODES[occasion]}"
    return signing.Signer(salt=_ASSESSMENT_SALT).sign(value)


def read_self_assessment_token(token: str) -> tuple[int, str] | None:
    """(appointment id, occasion) of a self-assessment token, or None when it is not ours."""
    try:
        appointment_id, code = signing.Signer(salt=_ASSESSMENT_SALT).unsign(token).split(".")
        return int(appointment_id), _OCCASIONS[code]
    except (signing.BadSignature, ValueError, KeyError):
        return None


def self_assessment_ends_at(appointment: Appointment) -> dt.datetime:
    """When the session's self-assessment link stops working: at the end of the
    `SELF_ASSESSMENT_LINK_DAYS`-th clinic day after the session's end (the link itself
    carries no date, so links already sent follow the setting too). A message not sent
    by then is never sent: it would carry a dead link."""
    last_day = local_date(appointment.end) + dt.timedelta(days=settings.SELF_ASSESSMENT_LINK_DAYS)
    return reminders.at_wall_clock(
        last_day + dt.timedelta(days=1), zone=clinic_zone(), time=dt.time(0)
    )


def self_assessment_url(appointment: Appointment, *, occasion: str) -> str:
    """The absolute link of the self-assessment page a message carries."""
    token = self_assessment_token(appointment, occasion=occasion)
    return settings.PORTAL_URL.rstrip("/") + reverse("patients:self-assessment", args=[token])
