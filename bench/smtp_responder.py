"""A lean SMTP server for the reminder benchmark: it answers and counts, nothing more.

The benchmark's SMTP server runs on the same two cores as the worker it measures.
aiosmtpd (the tests' sink, `patients.tests.smtp_sink`) reads every line of every
message through asyncio streams and costs 0.7-0.9 ms of CPU a message, a third of
what the portal itself spends on one; a mail server elsewhere would not take that
from the worker. This one reads each message whole (up to the ending "." line)
and counts it by Message-ID, so the e-mail figure measures the portal. The
benchmark still reports the rate against aiosmtpd beside it.

Enough of SMTP for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
"""

from __future__ import annotations

import asyncio
import threading

from patients.tests.smtp_sink import CountingHandler, free_port

_END_OF_DATA = b"\r\n.\r\n"


class _Session(asyncio.Protocol):
    def __init__(self, responder: LeanSmtpResponder) -> None:
        self.responder = responder
        self.buffer = b""
        self.in_data = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.responder.open.add(transport)
        transport.write(b"220 bench ESMTP\r\n")

    def connection_lost(self, exc: Exception | None) -> None:
        self.responder.open.discard(self.transport)

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(_END_OF_DATA)
                if end < 0:
                    return
                self.responder.handler.count(self.buffer[: end + 2])
                self.buffer, self.in_data = self.buffer[end + len(_END_OF_DATA) :], False
                self.transport.write(b"250 OK\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            verb, self.buffer = self.buffer[:4].upper(), self.buffer[end + 2 :]
            if verb == b"EHLO":
                self.transport.write(b"250-bench\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                self.in_data = True
                self.buffer = b"\r\n" + self.buffer  # the ending "." may follow at once
                self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"221 Bye\r\n")
                self.transport.close()
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self.transport.write(b"250 OK\r\n")


class LeanSmtpResponder:
    """`start()` it, read `unique` (messages by Message-ID), `stop()` it; as `SmtpSink`."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = CountingHandler()  # the tests' sink's counting, by Message-ID
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self.open: set[asyncio.Transport | None] = set()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def unique(self) -> int:
        return len(self.handler.snapshot())

    def start(self) -> LeanSmtpResponder:
        self._thread.start()
        serving = self._loop.create_server(lambda: _Session(self), "127.0.0.1", self.port)
        self._server = asyncio.run_coroutine_threadsafe(serving, self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        """Stop listening and close the clients' connections (they notice on their next send)."""

        def close() -> None:
            if self._server is not None:
                self._server.close()
            for transport in list(self.open):
                if transport is not None:
                    transport.close()
            self._loop.call_soon(self._loop.stop)

        self._loop.call_soon_threadsafe(close)
        self._thread.join(timeout=10)
