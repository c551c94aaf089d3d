"""Which channels a message takes, and when an SMS may go out.

Domain rules:
- Kinds fall in three groups the patient chooses channels for (their profile,
  or the desk): appointment messages (booked, moved, cancelled, decided, the
  reminder, a freed time) reach at least one channel, always; care
  instructions (pre-care, after-care, "how is your skin?", "how do you rate
  your result?") and recalls (course
  windows, repeat treatments) may be turned off. Recalls go by e-mail unless
  the patient opted out, and also by SMS if they asked for it.
- The desk's invitation (set a password, fill in the questionnaire) goes by
  every channel the patient has.
- Other kinds (the intake renewal, a product lot recall) go by e-mail only:
  they need more words than a text holds.
- Nothing is e-mailed to a patient created at the desk without an address, nor
  to an address marked not working by a hard bounce
  (`patients.messaging.email_events`); appointment messages then take SMS,
  whatever the patient chose for them, so they still reach a channel.
- An SMS needs a phone number (sent in E.164, `sms_number`); without one the
  SMS row is not written, and one removed since cancels the row.
- Quiet hours (`SMS_QUIET_HOURS`, clinic zone, 21:00-09:00 by default): an SMS
  due then waits for the morning's end of quiet hours, unless that would be at
  or after its `send_by` (the appointment would have started): then it goes at
  once. Wall-clock times in the clinic's zone, so a day that gains or loses an
  hour still wakes at 09:00 local. One-time codes are exempt: they go at once,
  the person waits for them on the page (`patients.messaging.codes`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from phonenumber_field.phonenumber import PhoneNumber

from clinic.availability import clinic_zone
from clinic.search import as_e164
from patients.models import OutboxMessage, PatientProfile

__all__ = [
    "APPOINTMENT_KINDS",
    "CARE_KINDS",
    "RECALL_KINDS",
    "channels_for",
    "in_quiet_hours",
    "sms_due",
    "sms_number",
    "wants",
]

Kind = OutboxMessage.Kind
Channel = OutboxMessage.Channel

APPOINTMENT_KINDS = frozenset(
    {
        Kind.BOOKING_CONFIRMATION,
        Kind.REVIEW_DECISION,
        Kind.APPOINTMENT_CANCELLED,
        Kind.APPOINTMENT_MOVED,
        Kind.APPOINTMENT_REMINDER,
        Kind.INTAKE_UPDATE_REQUESTED,
        Kind.WAITLIST_OFFER,
        Kind.SCREENING_REVIEW,
    }
)
CARE_KINDS = frozenset({Kind.PRECARE_NOTICE, Kind.AFTERCARE, Kind.SKIN_CHECK, Kind.SELF_ASSESSMENT})
RECALL_KINDS = frozenset(
    {Kind.RECALL, Kind.COURSE_WINDOW_OPEN, Kind.COURSE_WINDOW_CLOSING, Kind.COURSE_OVERDUE}
)


def sms_number(phone: object) -> str | None:
    """The phone in E.164 (`+79001234567`), or None when it is not a valid number.

    Takes the stored phone (a PhoneNumber, parsed already: not formatted and parsed
    again for every text) or a typed one; what a typed phone number is, is
    `clinic.search.as_e164`'s to say.
    """
    if isinstance(phone, PhoneNumber):
        return phone.as_e164 if phone.is_valid() else None
    return as_e164(str(phone or ""))


def wants(patient: PatientProfile, kind: str, channel: str) -> bool:
    """Whether `patient` wants messages of `kind` by `channel` (now)."""
    sms = channel == Channel.SMS
    if sms and sms_number(patient.user.phone) is None:
        return False
    if not sms and not patient.email_works:
        return False  # created at the desk without an address, or the address bounced
    if kind == Kind.INVITATION:
        return True
    if kind in APPOINTMENT_KINDS:
        if sms:
            return patient.appointments_by_sms or patient.email_bounced_at is not None
        return patient.appointments_by_email
    if kind in CARE_KINDS:
        return patient.care_by_sms if sms else patient.care_by_email
    if kind in RECALL_KINDS:
        return not patient.recalls_opt_out and (patient.recalls_by_sms if sms else True)
    return not sms


def channels_for(patient: PatientProfile, kind: str) -> list[str]:
    """The channels a message of `kind` to `patient` is written for, e-mail first."""
    return [channel for channel in (Channel.EMAIL, Channel.SMS) if wants(patient, kind, channel)]


def _quiet_bounds() -> tuple[dt.time, dt.time]:
    start, end = settings.SMS_QUIET_HOURS
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


def in_quiet_hours(moment: dt.datetime) -> bool:
    """Whether `moment` falls in the SMS quiet hours of the clinic's zone."""
    start, end = _quiet_bounds()
    local = moment.astimezone(clinic_zone()).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def _end_of_quiet(moment: dt.datetime) -> dt.datetime:
    """The first moment after the quiet hours that hold `moment` (09:00 local that morning)."""
    zone = clinic_zone()
    _start, end = _quiet_bounds()
    local = moment.astimezone(zone)
    day = local.date() if local.time() < end else local.date() + dt.timedelta(days=1)
    # Built from the wall clock, not by adding hours: across a DST change 09:00 stays 09:00.
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)


def sms_due(due_at: dt.datetime, send_by: dt.datetime | None) -> dt.datetime:
    """When an SMS due at `due_at` goes out: outside quiet hours, unless that is too late."""
    if not in_quiet_hours(due_at):
        return due_at
    morning = _end_of_quiet(due_at)
    if send_by is not None and morning >= send_by:
        return due_at
    return morning
