"""Run every benchmark and print one table: `make bench`.

Benchmarks run against a fresh test database built the way the suite builds
it, so the figures never touch a real clinic's data.

`BENCH_ONLY=booking` (a comma-separated list of module names, e.g.
`BENCH_ONLY=booking,slots`) runs only the benchmarks of those modules.
"""

import importlib
import os
import platform
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.test")
django.setup()

from django.test.utils import (
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

from .core import BENCHMARKS, Row

MODULES = (
    "bench.list_queries",  # first: it needs the migrated catalogue alone, and leaves nothing
    "bench.pages",
    "bench.slots",
    "bench.screening",
    "bench.booking",
    "bench.throughput",  # after bench.booking, whose server helpers it imports
    "bench.workspace",
    "bench.reminders",
    "bench.treatment",
)


def main() -> int:
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        for module in MODULES:
            importlib.import_module(module)
        only = {f"bench.{name.strip()}" for name in os.environ.get("BENCH_ONLY", "").split(",")}
        only.discard("bench.")
        rows: list[Row] = []
        for func in BENCHMARKS:
            if only and func.__module__ not in only:
                continue
            rows.extend(func())
    finally:
        teardown_databases(databases, verbosity=0)
    width = max(len(r[0]) for r in rows)
    print(
        f"Benchmarks on {platform.node()} ({platform.machine()}, {os.cpu_count()} cores), "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    print(f"{'what':<{width}} | {'figure':>10} | unit         | note")
    print(f"{'-' * width}-|-{'-' * 10}-|--------------|------")
    for what, figure, unit, note in rows:
        print(f"{what:<{width}} | {figure:>10} | {unit:<12} | {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
