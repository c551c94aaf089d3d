"""SMS.ru (https://sms.ru/api), from its published HTTP API.

- send: `POST /sms/send` with `api_id`, `to` (digits), `msg`, `from`, `json=1`;
  the answer has a request-wide `status_code` (100 is fine) and one entry per
  number under `sms` with its own `status_code` and `sms_id`.
- status: `POST /sms/status` with `sms_id` (comma-separated) and `json=1`: per
  id a `status_code` (103 delivered, 104-108 and 150 failed, 100-102 under way)
  and `status_text`.
- balance: `POST /my/balance` with `json=1`: `balance` in roubles.
- callback: SMS.ru POSTs `data[0]`, `data[1]`... each "sms_status\\n<id>\\n<code>\\n<time>"
  and wants "100" back.

Codes that mean this number will never get it (202 bad number, 207 no route to
it, 209 stop list, 203/205 an empty or too long text) reject the message; every
other error (220 service unavailable, 201 no money, 230-232 limits reached,
an unknown code) is temporary.
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

__all__ = ["SmsRuBackend"]

OK = 100
REJECTING = frozenset({202, 203, 205, 207, 209})
DELIVERED_CODES = frozenset({103, 110})
FAILED_CODES = frozenset({104, 105, 106, 107, 108, 150})


def _code(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class SmsRuBackend(SmsBackend):
    def __init__(self, *, base_url: str, api_id: str, sender: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_id = api_id
        self.sender = sender
        self.timeout = timeout

    def _call(self, path: str, **params: str) -> dict[str, Any]:
        answer = http_json(
            f"{self.base_url}{path}",
            {"api_id": self.api_id, "json": "1", **params},
            timeout=self.timeout,
        )
        if not isinstance(answer, dict):
            raise SmsTemporaryError("SMS.ru: an answer of the wrong shape")
        if _code(answer.get("status_code")) != OK:
            raise SmsTemporaryError(
                f"SMS.ru {answer.get('status_code')}: {answer.get('status_text', '')}".strip()
            )
        return answer

    def send(self, *, to: str, text: str, reference: str) -> str:
        number = to.lstrip("+")
        params = {"to": number, "msg": text}
        if self.sender:
            params["from"] = self.sender
        answer = self._call("/sms/send", **params)
        entry = (answer.get("sms") or {}).get(number) or {}
        code = _code(entry.get("status_code"))
        if code == OK and entry.get("sms_id"):
            return str(entry["sms_id"])
        reason = f"SMS.ru {code}: {entry.get('status_text', '')}".strip()
        if code in REJECTING:
            raise SmsRejected(reason)
        raise SmsTemporaryError(reason)

    def statuses(self, messages: Sequence[tuple[str, str]]) -> list[Report]:
        if not messages:
            return []
        ids = [gateway_id for gateway_id, _phone in messages]
        answer = self._call("/sms/status", sms_id=",".join(ids))
        found = answer.get("sms") or {}
        return [self._report(gateway_id, found.get(gateway_id) or {}) for gateway_id in ids]

    @staticmethod
    def _report(gateway_id: str, entry: Mapping[str, Any]) -> Report:
        code = _code(entry.get("status_code"))
        if code in DELIVERED_CODES:
            return Report(gateway_id, DELIVERED)
        if code in FAILED_CODES:
            return Report(gateway_id, FAILED, f"SMS.ru {code}: {entry.get('status_text', '')}")
        return Report(gateway_id, PENDING)

    def balance(self) -> Decimal | None:
        answer = self._call("/my/balance")
        try:
            return Decimal(str(answer.get("balance")))
        except InvalidOperation as error:
            raise SmsTemporaryError("SMS.ru: no balance in the answer") from error

    def read_callback(self, data: Mapping[str, Any]) -> tuple[list[Report], str]:
        reports = []
        for key in sorted(k for k in data if str(k).startswith("data[")):
            lines = str(data[key]).splitlines()
            if len(lines) >= 3 and lines[0] == "sms_status":
                reports.append(self._report(lines[1], {"status_code": lines[2], "status_text": ""}))
        return reports, "100"
