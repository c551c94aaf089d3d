"""SMSC.ru (https://smsc.ru/api/http/), from its published HTTP API (answers as JSON, `fmt=3`).

- send: `POST /sys/send.php` with `login`, `psw`, `phones`, `mes`, `sender`,
  `charset=utf-8`: `{"id": ..., "cnt": ...}`, or `{"error": ..., "error_code": N}`.
- status: `POST /sys/status.php` with `phone` and `id`: `{"status": S, "err": E}`;
  S 1 delivered and 2 read; 3 expired, 20 undeliverable, 22 bad number, 23
  prohibited, 24 no money, 25 unreachable number are final failures; -3, -1 and
  0 are under way.
- balance: `POST /sys/balance.php`: `{"balance": "123.45"}`.
- callback: SMSC.ru POSTs `id`, `phone`, `status` and `err` of a message.

Send errors 6 (message prohibited), 7 (bad number format) and 8 (cannot be
delivered to this number) reject the message; 9 (too many requests, the
throttle), 3 (no money), 4 (address blocked for a while) and any other code
are temporary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from clinic.sms.base import (
    DELIVERED,
    FAILED,
    PENDING,
    Report,
    SmsBackend,
    SmsRejected,
    SmsTemporaryError,
    http_json,
)

__all__ = ["SmscBackend"]

REJECTING = frozenset({6, 7, 8})
DELIVERED_STATUSES = frozenset({1, 2})
FAILED_STATUSES = {
    3: "expired",
    20: "cannot be delivered",
    22: "wrong number",
    23: "prohibited",
    24: "not enough money",
    25: "number unavailable",
}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SmscBackend(SmsBackend):
    def __init__(
        self, *, base_url: str, login: str, password: str, sender: str, timeout: float
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.login = login
        self.password = password
        self.sender = sender
        self.timeout = timeout

    def _call(self, path: str, **params: str) -> dict[str, Any]:
        answer = http_json(
            f"{self.base_url}{path}",
            {"login": self.login, "psw": self.password, "fmt": "3", "charset": "utf-8", **params},
            timeout=self.timeout,
        )
        if not isinstance(answer, dict):
            raise SmsTemporaryError("SMSC.ru: an answer of the wrong shape")
        return answer

    def send(self, *, to: str, text: str, reference: str) -> str:
        params = {"phones": to, "mes": text}
        if self.sender:
            params["sender"] = self.sender
        answer = self._call("/sys/send.php", **params)
        if "error" in answer or "error_code" in answer:
            code = _int(answer.get("error_code"))
            reason = f"SMSC.ru {code}: {answer.get('error', '')}".strip()
            if code in REJECTING:
                raise SmsRejected(reason)
            raise SmsTemporaryError(reason)
        if answer.get("id") is None:
            raise SmsTemporaryError("SMSC.ru: no message id in the answer")
        return str(answer["id"])

    def statuses(self, messages: Sequence[tuple[str, str]]) -> list[Report]:
        reports = []
        for gateway_id, phone in messages:
            answer = self._call("/sys/status.php", phone=phone, id=gateway_id)
            if "error" in answer:
                reports.append(Report(gateway_id, PENDING))
                continue
            reports.append(self._report(gateway_id, answer.get("status"), answer.get("err")))
        return reports

    @staticmethod
    def _report(gateway_id: str, status: Any, err: Any) -> Report:
        code = _int(status)
        if code in DELIVERED_STATUSES:
            return Report(gateway_id, DELIVERED)
        if code in FAILED_STATUSES:
            reason = f"SMSC.ru status {code}: {FAILED_STATUSES[code]}"
            if _int(err):
                reason += f" (error {err})"
            return Report(gateway_id, FAILED, reason)
        return Report(gateway_id, PENDING)

    def balance(self) -> Decimal | None:
        answer = self._call("/sys/balance.php")
        try:
            return Decimal(str(answer.get("balance")))
        except InvalidOperation as error:
            raise SmsTemporaryError("SMSC.ru: no balance in the answer") from error

    def read_callback(self, data: Mapping[str, Any]) -> tuple[list[Report], str]:
        if not data.get("id"):
            return [], "OK"
        return [self._report(str(data["id"]), data.get("status"), data.get("err"))], "OK"
