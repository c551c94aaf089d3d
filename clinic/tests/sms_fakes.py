"""Local HTTP servers that speak the SMS gateways' APIs, for the adapters' tests.

Each fake answers as its gateway's published API does (clinic/sms/smsru.py and
smsc.py say which parts), keeps what it was sent, and can be told to behave:
`mode` "ok", "throttle" (the gateway's limit answer), "bad_number" (the
gateway's bad-number answer) or "down" (HTTP 503). `fail_next` answers as
`failure` says ("down" or "throttle") that many times first, then recovers.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


class FakeGateway:
    """The state of one fake: what was sent, how messages fared, how to behave."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.fail_next = 0
        self.failure = "down"
        self.sent: list[dict[str, str]] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.statuses: dict[str, Any] = {}
        self.balance = "1234.50"
        self._ids = itertools.count(1)
        self.lock = threading.Lock()
        self.port = 0
        self.connections = 0  # TCP connections the clients opened
        self.open_sockets: set[socket.socket] = set()

    def close_connections(self) -> None:
        """Close every kept connection, as a gateway does with idle ones."""
        with self.lock:
            sockets, self.open_sockets = list(self.open_sockets), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def next_id(self) -> int:
        return next(self._ids)

    def handle(
        self, path: str, form: dict[str, str], mode: str
    ) -> tuple[int, Any]:  # pragma: no cover
        raise NotImplementedError


class FakeSmsRu(FakeGateway):
    """SMS.ru: /sms/send, /sms/status, /my/balance (json=1)."""

    API_ID = "TEST-API-ID"

    def handle(self, path: str, form: dict[str, str], mode: str) -> tuple[int, Any]:
        if form.get("api_id") != self.API_ID:
            return 200, {"status": "ERROR", "status_code": 200, "status_text": "Wrong api_id"}
        if path == "/sms/send":
            number = form["to"]
            if mode == "throttle":
                entry = {"status": "ERROR", "status_code": 231, "status_text": "Limit reached"}
            elif mode == "bad_number" or not number.isdigit():
                entry = {"status": "ERROR", "status_code": 202, "status_text": "Wrong number"}
            else:
                sms_id = f"000000-{self.next_id():08d}"
                self.sent.append({"to": number, "msg": form["msg"], "from": form.get("from", "")})
                self.statuses[sms_id] = 102
                entry = {"status": "OK", "status_code": 100, "sms_id": sms_id}
            return 200, {"status": "OK", "status_code": 100, "sms": {number: entry}, "balance": 10}
        if path == "/sms/status":
            found = {}
            for sms_id in form["sms_id"].split(","):
                code = self.statuses.get(sms_id, -1)
                text = {103: "Delivered", 104: "Expired", 102: "On its way"}.get(code, "")
                found[sms_id] = {"status": "OK", "status_code": code, "status_text": text}
            return 200, {"status": "OK", "status_code": 100, "sms": found}
        if path == "/my/balance":
            return 200, {"status": "OK", "status_code": 100, "balance": float(self.balance)}
        return 404, {"status": "ERROR", "status_code": 211}


class FakeSmsc(FakeGateway):
    """SMSC.ru: /sys/send.php, /sys/status.php, /sys/balance.php (fmt=3)."""

    LOGIN, PASSWORD = "clinic", "s3cret:pass"

    def handle(self, path: str, form: dict[str, str], mode: str) -> tuple[int, Any]:
        if (form.get("login"), form.get("psw")) != (self.LOGIN, self.PASSWORD):
            return 200, {"error": "authorise error", "error_code": 2}
        if form.get("fmt") != "3":
            return 200, "ERROR = 1 (parameters error)"
        if path == "/sys/send.php":
            if mode == "throttle":
                return 200, {"error": "too many requests", "error_code": 9}
            if mode == "bad_number" or not form["phones"].lstrip("+").isdigit():
                return 200, {"error": "invalid number", "error_code": 7}
            message_id = self.next_id()
            self.sent.append(
                {"to": form["phones"], "msg": form["mes"], "from": form.get("sender", "")}
            )
            self.statuses[str(message_id)] = (0, 0)
            return 200, {"id": message_id, "cnt": 1}
        if path == "/sys/status.php":
            status = self.statuses.get(form["id"])
            if status is None:
                return 200, {"error": "not found", "error_code": 5}
            return 200, {"status": status[0], "err": status[1], "last_timestamp": 1780000000}
        if path == "/sys/balance.php":
            return 200, {"balance": self.balance}
        return 404, "not found"


def _handler(fake: FakeGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Keep-alive, as the real gateways: the client keeps its connection between texts.
        protocol_version = "HTTP/1.1"
        # The answer's head and body are two writes: without this, a kept connection waits
        # for the client's delayed acknowledgement (40 ms) before the body goes.
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            with fake.lock:
                fake.connections += 1
                fake.open_sockets.add(self.connection)

        def finish(self) -> None:
            with fake.lock:
                fake.open_sockets.discard(self.connection)
            super().finish()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            form = {key: values[-1] for key, values in parse_qs(body).items()}
            with fake.lock:
                fake.requests.append((self.path, form))
                mode = fake.mode
                if fake.fail_next > 0:
                    fake.fail_next -= 1
                    mode = fake.failure
                if mode == "down":
                    status, answer = 503, "Service Unavailable"
                else:
                    status, answer = fake.handle(self.path.split("?")[0], form, mode)
            payload = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(fake: FakeGateway) -> Iterator[FakeGateway]:
    """Serve `fake` on a free local port for the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        # Kept connections too: a later fake on the same port must not get this one's requests.
        fake.close_connections()
        thread.join(5)


def smsru_url(fake: FakeSmsRu, sender: str = "Clinic") -> str:
    return f"smsru+http://{fake.API_ID}@127.0.0.1:{fake.port}/?from={sender}"


def smsc_url(fake: FakeSmsc, sender: str = "Clinic") -> str:
    return f"smsc+http://{fake.LOGIN}:s3cret%3Apass@127.0.0.1:{fake.port}/?sender={sender}"
