"""The SMS backends that send nothing: a file per message, the console, memory (tests)."""

from __future__ import annotations

import re
import sys
import uuid
from pathlib import Path

from django.utils import timezone

from clinic.sms.base import SmsBackend

__all__ = ["ConsoleBackend", "FileBackend", "LocmemBackend", "sent_texts"]


def _render(*, sender: str, to: str, text: str) -> str:
    return f"From: {sender}\nTo: {to}\n\n{text}\n"


class FileBackend(SmsBackend):
    """One `.txt` per message under a folder (`var/sms/`), for `make run` to show."""

    def __init__(self, *, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def send(self, *, to: str, text: str, reference: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_-]", "", reference)[:40]
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{safe or uuid.uuid4().hex[:8]}"
        (self.folder / f"{name}.txt").write_text(
            _render(sender=self.sender, to=to, text=text), encoding="utf-8"
        )
        return name


class ConsoleBackend(SmsBackend):
    """Print every message to standard output."""

    def __init__(self, *, sender: str) -> None:
        self.sender = sender

    def send(self, *, to: str, text: str, reference: str) -> str:
        sys.stdout.write(_render(sender=self.sender, to=to, text=text) + "-" * 40 + "\n")
        sys.stdout.flush()
        return f"console-{uuid.uuid4().hex[:12]}"


# What LocmemBackend sent, in order (tests read and clear it).
sent_texts: list[dict[str, str]] = []


class LocmemBackend(SmsBackend):
    """Keep every message in `sent_texts` (the test suite's backend)."""

    def __init__(self, *, sender: str) -> None:
        self.sender = sender

    def send(self, *, to: str, text: str, reference: str) -> str:
        gateway_id = f"locmem-{len(sent_texts) + 1}"
        sent_texts.append({"to": to, "text": text, "reference": reference, "id": gateway_id})
        return gateway_id
