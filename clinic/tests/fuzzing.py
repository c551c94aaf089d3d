"""Fuzzing with random seeds as well as the fixed ones (a pytest plugin for the whole suite).

Every Hypothesis test runs twice: first derandomized (the same examples on every run, so
a failure there is stable), then again from this run's random seed, so each CI run tries
examples no run tried before. The seed is printed in the report header and with any
failure of the seeded pass; `FUZZ_SEED=<n> pytest ...` replays it exactly.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import seed

FUZZ_SEED = int(os.environ.get("FUZZ_SEED") or secrets.randbelow(2**32))


def replay_hint() -> str:
    return f"fuzz seed {FUZZ_SEED} (replay: FUZZ_SEED={FUZZ_SEED})"


def pytest_report_header(config: pytest.Config) -> str:
    return f"fuzzing: fixed seeds, then the random {replay_hint()}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Printed at the end as well (the header is hidden under -q)."""
    terminalreporter.write_line(f"fuzzing: {replay_hint()}")


def _is_hypothesis_test(item: pytest.Item) -> bool:
    return bool(getattr(getattr(item, "obj", None), "is_hypothesis_test", False))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[Any]:
    """After the fixed pass of a Hypothesis test succeeds, run it again from FUZZ_SEED."""
    outcome = yield
    if not _is_hypothesis_test(item) or outcome.excinfo is not None:
        return
    test = item.obj
    seed(FUZZ_SEED)(test)
    try:
        item.runtest()
    except Exception as error:  # the seeded pass failed: say how to replay it
        failure = AssertionError(f"failed with the random {replay_hint()}:\n{error}")
        failure.__cause__ = error
        outcome.force_exception(failure)
    finally:
        seed(None)(test)
