"""The portal's e-mail backends.

- `EmlFileBackend` writes each message as its own `.eml` file. Django's file
  backend appends every message of a connection to one `.log` file; a person
  trying the portal wants to double-click one e-mail and see it as the patient
  would, attachments included.
- `SmtpBackend` is Django's SMTP backend (`EMAIL_URL=smtp://...` chooses it)
  with the message written by `clinic.mail_speed` where it can be (the common
  shapes: text, HTML, files), and by Django otherwise.
"""

import smtplib
import uuid
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends import smtp
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from clinic import mail_speed


class EmlFileBackend(BaseEmailBackend):
    """Write every message to `EMAIL_FILE_PATH/<time>-<id>.eml`."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes())
            sent += 1
        return sent


class SmtpBackend(smtp.EmailBackend):
    """Django's SMTP backend, the message written by `clinic.mail_speed` when it can."""

    def _send(self, email_message: EmailMessage) -> bool:
        content = mail_speed.smtp_bytes(email_message)
        if content is None or not email_message.recipients():
            return bool(super()._send(email_message))  # type: ignore[misc]  # not in the stubs
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        sender = mail_speed.envelope_address(email_message.from_email, encoding)
        recipients = [mail_speed.envelope_address(a, encoding) for a in email_message.recipients()]
        connection = self.connection
        if connection is None:  # send_messages opens it first; another thread closed it
            raise smtplib.SMTPServerDisconnected("the SMTP connection was closed")
        try:
            connection.sendmail(sender, recipients, content)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
