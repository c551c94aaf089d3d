"""One-time codes by text message: sent at once, not through the outbox's queue.

Domain rules:
- A verification code (the guest's booking code) goes to the gateway of
  `SMS_URL` (`clinic.sms`, as the outbox's SMS rows do) the moment it is asked
  for, in quiet hours too: the person is waiting for it on the page, and a code
  held until 09:00 has expired by then. Quiet hours (`channels.sms_due`) are for
  the messages the clinic starts; this exemption is the only one.
- It is not an outbox row: a row would keep the code in clear text in the
  database, and the person it goes to is not a patient yet.
- The text is `patients/sms/<template>.txt` in the person's language; like every
  text it names the clinic and nothing about health.
- A gateway that is down or throttles, or rejects the number, is a `DomainError`
  the page shows (try again, or have the code e-mailed): nothing is retried
  behind the person's back.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from clinic.sms import SmsRejected, SmsTemporaryError, get_backend
from patients.messaging.channels import sms_number
from procedures.errors import DomainError

__all__ = ["send_code_text"]


def send_code_text(*, phone: str, language: str, template: str, context: dict[str, Any]) -> None:
    """Text `patients/sms/<template>.txt` to `phone` now, whatever the hour."""
    number = sms_number(phone)
    if number is None:
        raise DomainError(
            _("This is not a mobile phone number a text can go to."), code="no_sms", field="phone"
        )
    with translation.override(language or settings.LANGUAGE_CODE):
        text = render_to_string(
            f"patients/sms/{template}.txt", {**context, "clinic_name": settings.CLINIC_NAME}
        )
    try:
        get_backend().send(
            to=number, text=" ".join(text.split()), reference=f"{template}-{secrets.token_hex(4)}"
        )
    except SmsRejected as error:
        raise DomainError(
            _("A text message cannot be sent to this number: have the code e-mailed instead."),
            code="sms_rejected",
            field="phone",
        ) from error
    except SmsTemporaryError as error:
        raise DomainError(
            _("Text messages cannot be sent just now: try again in a minute or choose e-mail."),
            code="sms_unavailable",
        ) from error
