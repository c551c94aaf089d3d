"""What every SMS gateway adapter offers, and the errors it raises.

An adapter sends one text to one E.164 number and returns the gateway's id of
the message; it asks the gateway how messages it sent fared (`statuses`), how
much money is left (`balance`), and reads the gateway's own delivery-report
callbacks (`read_callback`). Errors are of two kinds: `SmsTemporaryError`
(throttled, gateway down or unreachable, out of money: worth another try
later) and `SmsRejected` (this message to this number will never go: a bad
number, a number on the stop list), with the gateway's reason.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests

__all__ = [
    "DELIVERED",
    "FAILED",
    "PENDING",
    "Report",
    "SmsBackend",
    "SmsError",
    "SmsRejected",
    "SmsTemporaryError",
    "http_json",
]

DELIVERED = "delivered"
FAILED = "failed"
PENDING = "pending"


class SmsError(Exception):
    """The gateway did not take the message; `reason` says why, in the gateway's words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SmsTemporaryError(SmsError):
    """Throttled, down, unreachable or out of money: try again later."""


class SmsRejected(SmsError):
    """The gateway will never deliver this message to this number."""


@dataclass(frozen=True)
class Report:
    """What the gateway says became of one message: delivered, failed (why) or still pending."""

    gateway_id: str
    state: str
    reason: str = ""


class SmsBackend:
    """The adapter's interface; the local backends keep no delivery reports."""

    sender: str = ""

    def send(self, *, to: str, text: str, reference: str) -> str:
        """Hand `text` to the gateway for `to` (E.164); the gateway's id of the message."""
        raise NotImplementedError

    def statuses(self, messages: Sequence[tuple[str, str]]) -> list[Report]:
        """Reports for (gateway id, phone) pairs sent earlier; none from local backends."""
        return []

    def balance(self) -> Decimal | None:
        """The money left on the gateway's account (None: not a paid gateway)."""
        return None

    def read_callback(self, data: Mapping[str, Any]) -> tuple[list[Report], str]:
        """The reports in a delivery callback's POST data, and what to answer the gateway."""
        return [], "OK"


_kept = threading.local()


def _session() -> tuple[requests.Session, dict[str, dict[str, Any]]]:
    """This thread's HTTP session and the environment's settings read for each URL.

    Its connections to the gateway are kept open between texts: one TLS handshake
    per process and gateway, not one per text (as the outbox keeps one SMTP session
    for many e-mails); a kept connection the gateway closed while idle is noticed
    before it is used, and a new one opened. A process forked from this one (a
    worker's pool) opens its own.
    Proxies and a CA bundle from the environment apply; they are read once per URL,
    not for every text (requests reads the whole environment on each request, a
    third of a text's cost: docs/benchmarks.md).
    """
    kept = getattr(_kept, "session", None)
    if kept is None or kept[0] != os.getpid():
        session = requests.Session()
        session.trust_env = False  # read once per URL below, not on every request
        kept = (os.getpid(), session, {})
        _kept.session = kept
    return kept[1], kept[2]


def _post(url: str, params: Mapping[str, str], *, timeout: float) -> requests.Response:
    session, environments = _session()
    environment = environments.get(url)
    if environment is None:
        environment = requests.Session().merge_environment_settings(url, {}, None, None, None)
        environments[url] = environment
    return session.post(
        url, data=dict(params), timeout=timeout, allow_redirects=False, **environment
    )


def http_json(url: str, params: Mapping[str, str], *, timeout: float) -> Any:
    """POST form-encoded `params` to `url` and read a JSON answer.

    Network errors, 5xx and 429 (throttled) are temporary; so is an answer that
    is not JSON (a proxy's error page while the gateway is down).
    """
    try:
        response = _post(url, params, timeout=timeout)
    except requests.RequestException as error:
        raise SmsTemporaryError(f"gateway unreachable: {error}") from error
    if response.status_code >= 400:
        raise SmsTemporaryError(f"HTTP {response.status_code} from the gateway")
    try:
        return json.loads(response.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise SmsTemporaryError("the gateway's answer is not JSON") from error
