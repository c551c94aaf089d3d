"""Start and stop local server processes for the benchmarks and `make load`.

Plain helpers with no Django import, so the load runner can use them before it
sets Django up: a free port, a gunicorn serving clinic.wsgi, and the same stop
for every child (terminate, then kill after a grace period).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int, path: str = "/") -> bool:
    """True when something answers HTTP on the port (any status: redirects are not followed)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        connection.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        connection.close()


def process_cpu(stat: Path) -> tuple[str, float]:
    """(name, CPU seconds used so far, user + system) from one `/proc/<pid>/stat`.

    OSError when the process has ended meanwhile, ValueError or IndexError for a file
    that is not such a line.
    """
    name, rest = stat.read_text().split(" (", 1)[1].rsplit(")", 1)
    fields = rest.split()
    # Fields 14 and 15 of /proc/<pid>/stat, counted after the ")" that ends the name.
    return name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by the live children of `pid`; None off Linux."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return sum(process_cpu(Path(f"/proc/{child}/stat"))[1] for child in children)
    except (OSError, IndexError, ValueError):
        return None


def stop(process: subprocess.Popen[bytes], *, grace: float = 20) -> None:
    """Terminate a child (gunicorn and celery stop their workers on SIGTERM), kill if stuck."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass(frozen=True)
class Server:
    port: int
    pid: int  # gunicorn's master: its children are the workers


@contextlib.contextmanager
def gunicorn(
    *, env: Mapping[str, str], args: Sequence[str], log: Path, cwd: Path, wsgi: str = "clinic.wsgi"
) -> Iterator[Server]:
    """A gunicorn serving `wsgi` on a free local port until the block ends."""
    port = free_port()
    executable = str(Path(sys.executable).with_name("gunicorn"))
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [executable, wsgi, "--bind", f"127.0.0.1:{port}", *args],
            env=dict(env),
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while not answers(port):
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log}")
                time.sleep(0.2)
            yield Server(port=port, pid=process.pid)
        finally:
            stop(process)
