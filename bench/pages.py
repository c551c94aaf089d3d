"""Page benchmarks."""

from collections.abc import Iterable

from django.test import Client

from .core import Row, benchmark, median_ms


@benchmark
def home_page() -> Iterable[Row]:
    client = Client()
    yield (
        "home page, one request (test client)",
        f"{median_ms(lambda: client.get('/')):.2f}",
        "ms median",
        "",
    )
