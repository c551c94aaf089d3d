"""The booking path calls into the race guard in exactly two places (issue #16): the quick
refusal before the transaction (`guarded_transaction`, the API's early one included) and
the next free slots after a refusal (`alternatives`)."""

from __future__ import annotations

import ast
from pathlib import Path

import patients

PATIENTS = Path(patients.__file__).parent
GUARD = "patients.booking.race_guard"


def calls_into_the_race_guard(path: Path) -> list[str]:
    """Each use of the race guard in a module: `race_guard.<name>` after importing the
    module, or a name imported from it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    uses = []
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == GUARD:
            uses.extend(f"{path.name}: import {alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "patients.booking":
            aliases.update(a.asname or a.name for a in node.names if a.name == "race_guard")
        elif isinstance(node, ast.Import):
            aliases.update(a.asname or a.name for a in node.names if a.name == GUARD)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
            continue
        if node.value.id in aliases:
            uses.append(f"{path.name}: {node.value.id}.{node.attr}")
    return uses


def test_the_booking_path_calls_the_race_guard_in_two_places() -> None:
    uses = [
        use
        for path in sorted(PATIENTS.rglob("*.py"))
        if "tests" not in path.parts and path.name != "race_guard.py"
        for use in calls_into_the_race_guard(path)
    ]

    assert sorted(uses) == [
        "booking.py: race_guard.alternatives",
        "booking.py: race_guard.guarded_transaction",
    ]
