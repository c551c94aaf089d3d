"""Requests per second of the catalogue page under gunicorn, beside a bare Django view.

One gunicorn serves both URLs, started the way bench.booking starts its server
(`GUNICORN_ARGS`, this run's database and cache) but with bench/settings.py: the
test settings plus `/bench/bare/`, a view that returns "ok" behind the same
middleware. The load generator keeps its connections alive: Debian's `wrk`, which
`make bench` installs when missing (bench/install-wrk.sh), else, with a warning,
bench/httpload.py in its own process (a Python client: its work takes a good share
of the two cores from the server).
Each URL gets a short warm-up, then `ROUNDS` turns of `SECONDS` of load from
`CONNECTIONS` connections, the two URLs taking turns; the best turn of each counts,
and the ratio is the share of Django's own rate the catalogue keeps.
Client and server share the machine's cores.

wrk is an anonymous visitor, so the catalogue comes from the public pages' cache
(procedures/page_cache.py, on in bench/settings.py as in production); issue 21 asks
for at least `TARGET_RATIO` of the bare view, on the same server in the same run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from .booking import GUNICORN_ARGS, _server_env
from .core import Row, benchmark
from .server import gunicorn

SECONDS = 3
ROUNDS = 3
CONNECTIONS = 8
CATALOGUE = "/procedures/"
BARE = "/bench/bare/"
TARGET_RATIO = 0.60


def load_tool() -> str | None:
    """The path of wrk, or None (with a warning on stderr) when the bench falls back."""
    wrk = shutil.which("wrk")
    if wrk is None:
        print(
            "WARNING: wrk is not installed (make bench installs it with apt-get when it can); "
            "measuring with bench/httpload.py, a Python client that takes CPU from the server, "
            "so the requests per second are lower than the server can serve.",
            file=sys.stderr,
        )
    return wrk


def _load(url: str, seconds: float, wrk: str | None) -> tuple[float, int]:
    """Requests per second and the count of answers that were not 2xx or 3xx."""
    if wrk is not None:
        # One thread drives thousands of requests a second and leaves the second core
        # to the server.
        output = subprocess.run(
            [wrk, "-t", "1", "-c", str(CONNECTIONS), "-d", f"{seconds:g}s", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
        if rate is None:
            raise RuntimeError(f"wrk printed no rate:\n{output}")
        return float(rate.group(1)), int(bad.group(1)) if bad else 0
    output = subprocess.run(
        [sys.executable, "-m", "bench.httpload", url, str(seconds), str(CONNECTIONS)],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    ).stdout
    done, failed = (int(part) for part in output.split())
    return done / seconds, failed


@benchmark
def catalogue_throughput() -> Iterable[Row]:
    env = {**_server_env(), "DJANGO_SETTINGS_MODULE": "bench.settings"}
    load = os.getloadavg()[0]
    log = Path(settings.TEST_RUN_DIR) / "gunicorn-throughput.log"
    rates: dict[str, tuple[float, int]] = {}
    wrk = load_tool()
    with gunicorn(env=env, args=GUNICORN_ARGS, log=log, cwd=settings.BASE_DIR) as server:
        urls = {path: f"http://127.0.0.1:{server.port}{path}" for path in (BARE, CATALOGUE)}
        for url in urls.values():
            _load(url, 1, wrk)  # warm-up: every worker has imported and connected
        # Taken in turns, the best of each: the machine is shared, and a burst of someone
        # else's work during one URL's only window would decide the ratio.
        for _round in range(ROUNDS):
            for path, url in urls.items():
                rates[path] = max(rates.get(path, (0.0, 0)), _load(url, SECONDS, wrk))
    (catalogue, catalogue_bad), (bare, bare_bad) = rates[CATALOGUE], rates[BARE]
    tool = "wrk -t 1" if wrk else "bench/httpload.py (Python; wrk missing, see the warning)"
    errors = f"; NOT 2xx/3xx: {catalogue_bad} and {bare_bad}" if catalogue_bad or bare_bad else ""
    yield (
        f"catalogue page {CATALOGUE} under gunicorn",
        f"{catalogue:.0f}",
        "req/s",
        f"{tool}, {CONNECTIONS} keep-alive connections, best of {ROUNDS} x {SECONDS} s "
        f"taken in turns with the bare view; gunicorn "
        f"{' '.join(GUNICORN_ARGS)}; load average {load:.1f} before{errors}",
    )
    yield (
        "  a bare Django view on the same server",
        f"{bare:.0f}",
        "req/s",
        'HttpResponse("ok") behind the same middleware (bench/urls.py, bench settings only)',
    )
    ratio = catalogue / bare
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    yield (
        "  catalogue page / bare view",
        f"{ratio:.2f}",
        "ratio",
        f"{verdict} the target of at least {TARGET_RATIO:.2f} (issue 21); anonymous pages "
        "from the cache (procedures/page_cache.py)",
    )
