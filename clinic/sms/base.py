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
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import urllib3

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


def _pool(url: str) -> urllib3.PoolManager:
    """This thread's connections to the origin of `url`, kept open between texts.

    One TLS handshake per process and gateway, not one per text (as the outbox keeps one
    SMTP session for many e-mails); a kept connection the gateway closed while idle is
    noticed before it is used, and a new one opened. A proxy from the environment
    (`https_proxy`, `http_proxy`, `no_proxy`) applies, read once per origin. Never
    retried by itself: a text sent twice is a text paid and read twice. A process forked
    from this one (a worker's pool) opens its own.
    urllib3 rather than requests on top of it: requests prepares each request again and
    reads the whole environment each time, 0.6 ms of CPU a text against 0.2 ms
    (docs/benchmarks.md).
    """
    kept: tuple[int, dict[str, urllib3.PoolManager]] | None = getattr(_kept, "pools", None)
    if kept is None or kept[0] != os.getpid():
        kept = (os.getpid(), {})
        _kept.pools = kept
    pools = kept[1]
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if origin not in pools:
        proxy = None if proxy_bypass(parts.hostname or "") else getproxies().get(parts.scheme)
        pools[origin] = urllib3.ProxyManager(proxy) if proxy else urllib3.PoolManager()
    return pools[origin]


def http_json(url: str, params: Mapping[str, str], *, timeout: float) -> Any:
    """POST form-encoded `params` to `url` and read a JSON answer.

    Network errors, 5xx and 429 (throttled) are temporary; so is an answer that
    is not JSON (a proxy's error page while the gateway is down).
    """
    try:
        response = _pool(url).request(
            "POST",
            url,
            fields=dict(params),
            encode_multipart=False,  # application/x-www-form-urlencoded, as the gateways want
            timeout=timeout,
            retries=False,
            redirect=False,
        )
    except urllib3.exceptions.HTTPError as error:
        raise SmsTemporaryError(f"gateway unreachable: {error}") from error
    if response.status >= 400:
        raise SmsTemporaryError(f"HTTP {response.status} from the gateway")
    try:
        return json.loads(response.data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise SmsTemporaryError("the gateway's answer is not JSON") from error
