"""Screening benchmarks: one procedure with its rules loaded, and one patient's whole catalogue."""

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from procedures.intake import baseline_answers
from procedures.screening import screen
from procedures.selectors import screen_catalogue

from .core import Row, benchmark, median_ms

ON = dt.date(2026, 3, 2)


@benchmark
def screening() -> Iterable[Row]:
    answers = {**baseline_answers(on=ON), "pregnant": "possibly", "scar_types": ["boxcar_deep"]}
    last = ON - dt.timedelta(days=30)

    screen("laser-resurfacing", answers, on=ON)  # loads the rules into the process cache
    with CaptureQueriesContext(connection) as once_loaded:
        one = median_ms(
            lambda: screen("laser-resurfacing", answers, on=ON, last_session_on=last),
            repeat=2000,
        )
    yield (
        "screen, one procedure (rules loaded)",
        f"{one:.4f}",
        "ms median",
        f"target < 0.2 ms; {len(once_loaded.captured_queries)} SQL queries over 2001 calls",
    )

    # A patient with a long history: a consultation and ten sessions of other procedures,
    # before and after the date (washouts both ways, the prerequisite).
    others = [("consultation", ON - dt.timedelta(days=30), True)] + [
        (slug, ON + dt.timedelta(days=days), days < 0)
        for slug, days in (
            ("glycolic-peel", -40),
            ("microneedling", -70),
            ("hyaluronic-filler", -200),
            ("tca-cross", 50),
            ("phototherapy", -10),
            ("dermabrasion", -300),
            ("salicylic-peel", 60),
            ("subcision", 90),
            ("vacuum-cleaning", -5),
            ("fat-transfer", 120),
        )
    ]
    with_sessions = median_ms(
        lambda: screen("laser-resurfacing", answers, on=ON, other_sessions=others), repeat=2000
    )
    yield (
        f"screen, one procedure with {len(others)} other sessions",
        f"{with_sessions:.4f}",
        "ms median",
        "target < 0.5 ms (washouts both ways, prerequisites)",
    )

    history = {"glycolic-peel": (last, 2), "hyaluronic-filler": (last, 1)}
    with CaptureQueriesContext(connection) as one_call:
        results = screen_catalogue(answers, on=ON, history=history)
    whole = median_ms(lambda: screen_catalogue(answers, on=ON, history=history), repeat=200)
    yield (
        f"screen_catalogue, {len(results)} procedures for one patient",
        f"{whole:.3f}",
        "ms median",
        f"target < 10 ms; {len(one_call.captured_queries)} SQL queries per call",
    )
