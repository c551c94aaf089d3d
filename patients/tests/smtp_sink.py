"""A real SMTP server for tests and benchmarks: aiosmtpd on a free 127.0.0.1 port.

It accepts every message and counts them by Message-ID, so a test can tell a
lost message (missing) from a duplicate (counted twice) without reading them.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
from collections import Counter
from typing import Any

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO: thousands of lines per test.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*?)[ \t]*$", re.IGNORECASE | re.MULTILINE)


def message_id_of(content: bytes) -> str:
    """The Message-ID header of a raw message ("" without one), read from its header block only.

    Cheaper than a header parser: the benchmark's sink shares the cores with the worker.
    """
    head = re.split(rb"\r?\n\r?\n", content, maxsplit=1)[0]
    unfolded = re.sub(rb"\r?\n[ \t]+", b" ", head)
    found = _MESSAGE_ID.search(unfolded.replace(b"\r\n", b"\n"))
    return found.group(1).decode("ascii", "replace") if found else ""


class CountingHandler:
    """Counts accepted messages by their Message-ID header."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, content: bytes) -> None:
        """Count one accepted message (its raw content) under its Message-ID."""
        message_id = message_id_of(content)
        with self._lock:
            self.counts[message_id] += 1

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.counts)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class SmtpSink:
    """Start with `start()`, read `counts`, `total`, `unique`; `stop()` at the end."""

    def __init__(self, port: int | None = None) -> None:
        self.handler = CountingHandler()
        self.port = port or free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def counts(self) -> Counter[str]:
        return self.handler.snapshot()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def unique(self) -> int:
        return len(self.counts)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
