"""The benchmark registry and timing helpers shared by every benchmark module."""

import statistics
import time
from collections.abc import Callable, Iterable

Row = tuple[str, str, str, str]  # what, figure, unit, note
BENCHMARKS: list[Callable[[], Iterable[Row]]] = []


def benchmark(func: Callable[[], Iterable[Row]]) -> Callable[[], Iterable[Row]]:
    """Register a benchmark; it yields the table rows it measured."""
    BENCHMARKS.append(func)
    return func


def median_ms(func: Callable[[], object], *, repeat: int = 50) -> float:
    """Median wall time of one call, in milliseconds, after one warm-up call."""
    func()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)
