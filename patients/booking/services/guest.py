"""A consultation booked without an account (issue #20): a code, then the account and the booking.

Domain rules:
- Only a procedure that asks nothing of screening (`screening.asks_nothing`, the
  consultation) is booked as a guest; every other procedure needs an account.
- The guest gives name, phone, e-mail and date of birth with the chosen time, and
  chooses where a six-digit code goes: a text message to the phone (sent at once,
  quiet hours or not: `messaging.send_code_text`) or the e-mail address. The
  code is kept hashed (HMAC with the secret key) in the guest's session, lives
  `GUEST_CODE_TTL_MINUTES`, allows `GUEST_CODE_ATTEMPTS` tries and is used once.
  Sending codes is rate limited per address, per e-mail and per phone
  (`RATE_LIMITS["guest_code"]`).
- A phone or e-mail already known: the page goes on exactly as for a new guest (it
  says no more than a sign-in page would), but no code is sent; the account's
  owner is told to sign in instead (by text when the code was to go to their
  phone or they have no address, else by e-mail), and no code books the pending
  time.
- The right code creates the patient the desk's way (`create_patient_at_desk`:
  no password, the invitation to set one goes out through the outbox), marks the
  e-mail verified when the code went there (it reached it), and books the time
  (a code by text confirms this booking; later ones online need the address);
  the questionnaire is asked for afterwards, before the visit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import patients.messaging as messaging
from clinic.models import Practitioner, User
from patients.booking.screening import asks_nothing
from patients.booking.services.booking import book_appointment
from patients.models import Appointment, OutboxMessage
from patients.records.selectors import possible_duplicates
from patients.records.services.invitations import create_patient_at_desk
from procedures.errors import DomainError
from procedures.models import Procedure

__all__ = [
    "GuestCodeError",
    "GuestDetails",
    "book_as_guest",
    "check_guest_may_book",
    "send_guest_code",
]


class GuestCodeError(DomainError):
    """The code is wrong, expired, used or out of tries."""


@dataclass(frozen=True)
class GuestDetails:
    first_name: str
    last_name: str
    phone: str
    email: str
    date_of_birth: dt.date
    preferred_language: str
    code_channel: str = OutboxMessage.Channel.EMAIL

    @property
    def code_by_sms(self) -> bool:
        return self.code_channel == OutboxMessage.Channel.SMS


def _digest(code: str, nonce: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{nonce}:{code}".encode(), hashlib.sha256).hexdigest()


def check_guest_may_book(procedure: Procedure) -> None:
    """Only a procedure that asks nothing of screening is booked without an account."""
    if not asks_nothing(procedure):
        raise DomainError(
            _("Please sign in or register to book this procedure."),
            code="account_required",
        )


def _tell_known(details: GuestDetails) -> bool:
    """A known phone or e-mail: the account's owner is told to sign in; whether it was sent."""
    duplicates = possible_duplicates(phone=details.phone, email=details.email)
    for duplicate in duplicates:
        user = duplicate.patient.user
        by_text = duplicate.by_phone and (details.code_by_sms or not duplicate.patient.has_email)
        if by_text:
            messaging.send_code_text(
                phone=str(user.phone),
                language=user.preferred_language,
                template="guest_known",
                context={},
            )
        elif duplicate.patient.has_email:
            messaging.send_templated_email(user=user, template="guest_known", context={})
    return bool(duplicates)


def send_guest_code(
    *, pending: dict[str, Any], procedure: Procedure, details: GuestDetails
) -> None:
    """Send a new code (text or e-mail) and keep only its hash, expiry and tries in `pending`."""
    check_guest_may_book(procedure)
    code = f"{secrets.randbelow(1_000_000):06d}"
    nonce = secrets.token_hex(8)
    expires = timezone.now() + dt.timedelta(minutes=settings.GUEST_CODE_TTL_MINUTES)
    pending.update(
        nonce=nonce,
        digest=_digest(code, nonce),
        expires_at=expires.isoformat(),
        attempts=0,
        used=False,
    )
    if _tell_known(details):
        # The page goes on as if a code was sent (it shows no more than a sign-in page
        # would); no code matches this pending booking: the owner was told to sign in.
        pending["digest"] = "-"
        return
    if details.code_by_sms:
        messaging.send_code_text(
            phone=details.phone,
            language=details.preferred_language,
            template="guest_code",
            context={"code": code, "minutes": settings.GUEST_CODE_TTL_MINUTES},
        )
        return
    recipient = User(
        email=details.email,
        first_name=details.first_name,
        preferred_language=details.preferred_language,
    )
    messaging.send_templated_email(
        user=recipient,
        template="guest_code",
        context={"code": code, "minutes": settings.GUEST_CODE_TTL_MINUTES},
    )


def _check_code(pending: dict[str, Any], code: str) -> None:
    if not pending.get("digest") or pending.get("used"):
        raise GuestCodeError(_("This code was used already: ask for a new one."), code="code_used")
    if timezone.now() > dt.datetime.fromisoformat(pending["expires_at"]):
        raise GuestCodeError(_("This code has expired: ask for a new one."), code="code_expired")
    if pending["attempts"] >= settings.GUEST_CODE_ATTEMPTS:
        raise GuestCodeError(_("Too many wrong codes: ask for a new one."), code="code_attempts")
    pending["attempts"] += 1
    if not hmac.compare_digest(pending["digest"], _digest(code.strip(), pending["nonce"])):
        raise GuestCodeError(_("This code is not right."), code="code_wrong", field="code")


def book_as_guest(
    *,
    pending: dict[str, Any],
    code: str,
    procedure: Procedure,
    details: GuestDetails,
    start: dt.datetime,
    practitioner: Practitioner | None,
) -> Appointment:
    """Check the code, then create the patient (invited) and book the time, all or nothing."""
    check_guest_may_book(procedure)
    _check_code(pending, code)
    pending["used"] = True
    with transaction.atomic():
        patient = create_patient_at_desk(
            first_name=details.first_name,
            last_name=details.last_name,
            phone=details.phone,
            email=details.email,
            date_of_birth=details.date_of_birth,
            preferred_language=details.preferred_language,
        )
        if not details.code_by_sms:
            # The code reached this address: it is verified, as a confirmed link would make it.
            # (A code by text proves the phone only; setting the password verifies the address.)
            patient.email_verified_at = timezone.now()
            patient.save(update_fields=["email_verified_at"])
        return book_appointment(
            patient=patient,
            procedure=procedure,
            start=start,
            practitioner=practitioner,
            booked_by=patient.user,
            channel=Appointment.Channel.WEB,
            phone_confirmed=details.code_by_sms,
        )
