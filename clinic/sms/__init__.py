"""Text messages: the gateway `SMS_URL` names, as `EMAIL_URL` names the mail server.

    (unset) or file:///path   one .txt per message under var/sms/ (or the path)
    console:                  print them
    locmem:                   keep them in `clinic.sms.local.sent_texts` (tests)
    smsru://API_ID@sms.ru?from=Clinic            SMS.ru over HTTPS
    smsc://LOGIN:PASSWORD@smsc.ru?sender=Clinic  SMSC.ru over HTTPS

`smsru+http://` and `smsc+http://` speak plain HTTP (a local test server).
The sender name is `from` or `sender` in the query; credentials are the
URL's user part (percent-encoded where needed).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from clinic.sms.base import (
    DELIVERED,
    FAILED,
    PENDING,
    Report,
    SmsBackend,
    SmsError,
    SmsRejected,
    SmsTemporaryError,
)
from clinic.sms.local import ConsoleBackend, FileBackend, LocmemBackend
from clinic.sms.smsc import SmscBackend
from clinic.sms.smsru import SmsRuBackend

__all__ = [
    "DELIVERED",
    "FAILED",
    "PENDING",
    "Report",
    "SmsBackend",
    "SmsError",
    "SmsRejected",
    "SmsTemporaryError",
    "backend_from_url",
    "get_backend",
]


def backend_from_url(url: str) -> SmsBackend:
    """The adapter an `SMS_URL` names."""
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    sender = query.get("from") or query.get("sender") or settings.SMS_SENDER
    scheme, _plus, transport = parts.scheme.partition("+")
    if transport not in ("", "http"):
        raise ImproperlyConfigured(f"SMS_URL: unknown transport {transport!r}")
    base_url = f"{transport or 'https'}://{parts.hostname}" + (
        f":{parts.port}" if parts.port else ""
    )
    timeout = settings.SMS_TIMEOUT_SECONDS
    if scheme in ("", "file"):
        folder = Path(unquote(parts.path)) if parts.path else Path(settings.SMS_FILE_PATH)
        return FileBackend(folder=folder, sender=sender)
    if scheme == "console":
        return ConsoleBackend(sender=sender)
    if scheme == "locmem":
        return LocmemBackend(sender=sender)
    if scheme == "smsru":
        if not parts.username:
            raise ImproperlyConfigured("SMS_URL: SMS.ru needs its api_id as the user part")
        return SmsRuBackend(
            base_url=base_url, api_id=unquote(parts.username), sender=sender, timeout=timeout
        )
    if scheme == "smsc":
        if not parts.username or parts.password is None:
            raise ImproperlyConfigured("SMS_URL: SMSC.ru needs login:password as the user part")
        return SmscBackend(
            base_url=base_url,
            login=unquote(parts.username),
            password=unquote(parts.password),
            sender=sender,
            timeout=timeout,
        )
    raise ImproperlyConfigured(f"SMS_URL: unknown gateway {parts.scheme!r}")


def get_backend() -> SmsBackend:
    """The gateway of `settings.SMS_URL` (read at call time: tests change it)."""
    return backend_from_url(settings.SMS_URL)
