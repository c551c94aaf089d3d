"""Simulated patients for `make load` (run by load/run.py; locust from requirements-load.txt).

Each user is one load patient with its own API token. It browses the catalogue
pages, screens answers, asks for free slots, books one of them, and moves or
cancels its own appointments. A TLS proxy sits in front of gunicorn in
production, so every request carries `X-Forwarded-Proto: https`.

Refusals the portal gives by design are not errors: a slot someone else just
took or the patient's own overlapping booking (409), a screening or review
answer (422). They count as successes for locust and are tallied apart, by
status and `code`, in the file `LOAD_REFUSALS` names. Anything else that is not
2xx (5xx, any other 4xx) is a failure.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
from collections import Counter
from typing import Any

from locust import HttpUser, between, events, task

DATA = json.loads(open(os.environ["LOAD_DATA"]).read())  # noqa: SIM115 - read once at import
EXPECTED = {409, 422}
REFUSALS: Counter[str] = Counter()
DONE: Counter[str] = Counter()
_numbers = itertools.count()


@events.quitting.add_listener
def _write_refusals(**_kwargs: Any) -> None:
    with open(os.environ["LOAD_REFUSALS"], "w") as out:
        done = {key: DONE[key] for key in ("booked", "moved", "cancelled")}
        json.dump({"refusals": REFUSALS, **done}, out)


class Patient(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        token = DATA["tokens"][next(_numbers) % len(DATA["tokens"])]
        self.client.headers.update(
            {"Authorization": f"Token {token}", "X-Forwarded-Proto": "https"}
        )
        self.mine: list[dict[str, Any]] = []  # my appointments that hold time
        self.slots: list[dict[str, Any]] = []
        self.slots_for = ""

    def _call(self, method: str, url: str, *, name: str, **kwargs: Any) -> Any:
        """Send one request; a designed refusal is a success, counted apart. The JSON or None."""
        with self.client.request(method, url, name=name, catch_response=True, **kwargs) as response:
            if 200 <= response.status_code < 300:
                response.success()
                return response.json() if "json" in response.headers.get("Content-Type", "") else {}
            if response.status_code in EXPECTED:
                code = response.json().get("code", "?")
                REFUSALS[f"{response.status_code} {code}"] += 1
                response.success()
                return None
            response.failure(f"{response.status_code}: {response.text[:200]}")
            return None

    def _day(self) -> str:
        """A random local date of the booking range."""
        first = dt.date.fromisoformat(DATA["first_day"])
        return (first + dt.timedelta(days=random.randrange(DATA["days"]))).isoformat()

    def _free_slots(self, slug: str) -> list[dict[str, Any]]:
        body = self._call(
            "GET",
            f"/api/v1/availability/?procedure={slug}&start={self._day()}&days=7",
            name="/api/v1/availability/",
        )
        return body["slots"] if body else []

    @task(4)
    def browse_catalogue(self) -> None:
        self._call("GET", "/procedures/", name="/procedures/")
        slug = random.choice(DATA["bookable"])
        self._call("GET", f"/procedures/{slug}/", name="/procedures/[slug]/")

    @task(1)
    def catalogue_api(self) -> None:
        self._call("GET", "/api/v1/procedures/", name="/api/v1/procedures/")

    @task(2)
    def screen(self) -> None:
        body = {
            "procedure": random.choice(DATA["bookable"]),
            "answers": DATA["answers"],
            "on": self._day(),
        }
        self._call("POST", "/api/v1/screening/", name="/api/v1/screening/", json=body)

    @task(3)
    def ask_for_slots(self) -> None:
        self.slots_for = random.choice(DATA["bookable"])
        self.slots = self._free_slots(self.slots_for)

    @task(2)
    def book(self) -> None:
        if not self.slots:
            self.ask_for_slots()
        if not self.slots:
            return
        slot = self.slots.pop(random.randrange(len(self.slots)))
        body = {
            "procedure": self.slots_for,
            "start": slot["start"],
            "practitioner": slot["practitioner"],
        }
        booked = self._call(
            "POST", "/api/v1/appointments/", name="/api/v1/appointments/ book", json=body
        )
        if booked:
            DONE["booked"] += 1
            self.mine.append(booked)

    @task(1)
    def move(self) -> None:
        if not self.mine:
            return
        appointment = random.choice(self.mine)
        slots = self._free_slots(appointment["procedure"])
        if not slots:
            return
        slot = random.choice(slots)
        moved = self._call(
            "POST",
            f"/api/v1/appointments/{appointment['id']}/move/",
            name="/api/v1/appointments/[id]/move/",
            json={"start": slot["start"], "practitioner": slot["practitioner"]},
        )
        if moved:
            DONE["moved"] += 1
            appointment.update(moved)

    @task(1)
    def cancel(self) -> None:
        if not self.mine:
            return
        appointment = self.mine.pop(random.randrange(len(self.mine)))
        cancelled = self._call(
            "POST",
            f"/api/v1/appointments/{appointment['id']}/cancel/",
            name="/api/v1/appointments/[id]/cancel/",
            json={"reason": "load run"},
        )
        if cancelled:
            DONE["cancelled"] += 1

    @task(1)
    def my_appointments(self) -> None:
        self._call("GET", "/api/v1/appointments/", name="/api/v1/appointments/")
