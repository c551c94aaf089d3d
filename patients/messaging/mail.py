"""E-mails to patients, always in the language they chose in their profile.

Every message has a plain-text and an HTML part, both rendered from templates
under `patients/email/` with the recipient's language active, whatever the
language of the request that caused it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from clinic.models import User


def language_of(user: User) -> str:
    """The language a person reads the portal's messages in (their profile's, else the default)."""
    return user.preferred_language or settings.LANGUAGE_CODE


def send_templated_email(
    *,
    user: User,
    template: str,
    context: dict[str, Any],
    attachments: Sequence[tuple[str, bytes, str]] = (),
    to: str | None = None,
) -> None:
    """Send `patients/email/<template>{_subject.txt,.txt,.html}` to `user` in their language.

    `attachments` are (filename, content, mimetype) triples, e.g. an .ics file.
    `to` overrides the address (the erasure notice goes to the address just erased).
    """
    build_templated_email(
        user=user, template=template, context=context, attachments=attachments, to=to
    ).send()


def build_templated_email(
    *,
    user: User,
    template: str,
    context: dict[str, Any],
    attachments: Sequence[tuple[str, bytes, str]] = (),
    to: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """The message `send_templated_email` sends, not sent yet (the outbox adds its Message-ID)."""
    language = language_of(user)
    with translation.override(language):
        full_context = {
            "user": user,
            "clinic_name": settings.CLINIC_NAME,
            "LANGUAGE_CODE": language,
            **context,
        }
        subject = render_to_string(f"patients/email/{template}_subject.txt", full_context)
        text = render_to_string(f"patients/email/{template}.txt", full_context)
        html = render_to_string(f"patients/email/{template}.html", full_context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line: headers cannot hold newlines
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to or user.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message
