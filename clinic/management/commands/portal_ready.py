"""`make run`'s last word: once web, worker and beat answer, print where to go again.

`make run` prints the demo logins before it starts the processes, and their start-up
lines scroll them away. This command (a Procfile process) waits until GET /health/ at
PORTAL_URL answers 200 (the web server answers, the worker pinged back, beat ticked),
prints the logins again and then stays, as every Procfile process must: honcho stops
them all when one ends.
"""

import signal
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

_NOTE_EVERY_SECONDS = 30


def answers_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own PORTAL_URL
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Command(BaseCommand):
    help = "Wait until web, worker and beat are up, print the demo logins again, then stay."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--exit", action="store_true", help="Exit after printing instead of staying."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = settings.PORTAL_URL.rstrip("/") + reverse("health")
        next_note = time.monotonic() + _NOTE_EVERY_SECONDS
        while not answers_ok(url):
            if time.monotonic() >= next_note:
                self.stdout.write(f"  Still waiting for {url} to answer 200 (web, worker, beat)")
                next_note += _NOTE_EVERY_SECONDS
            time.sleep(1)
        self.stdout.write("\n  Everything is up: the web server, the worker and beat.")
        call_command("prepare_portal", "--logins-only", stdout=self.stdout)
        if options["exit"]:
            return
        while True:  # until honcho stops us
            signal.pause()
