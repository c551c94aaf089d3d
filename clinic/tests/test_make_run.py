"""`make run` as a person starts it: web, worker and beat under honcho, then stopped.

The test runs the real Makefile target in a folder of its own (`VAR_DIR`: SQLite,
the filesystem broker, mail) on a free port, reads each process's environment from
/proc, and evaluates the portal's settings with exactly that environment.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from bench.server import free_port

pytestmark = [pytest.mark.integration]

BASE_DIR = Path(settings.BASE_DIR)
# The settings and services of the test run stay out of `make run`'s environment.
LEFT_OUT = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "TEST_RUN_ID")
LEFT_OUT_PREFIXES = ("PORTAL_URL", "OUTBOX_", "CELERY_", "HEALTH_", "MAKE", "MFLAGS")


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        for child in children(queue.pop()):
            found.append(child)
            queue.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class MakeRun:
    make: subprocess.Popen[bytes]
    port: int
    var: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def processes(self) -> dict[str, int]:
        """The pid of the web server, the worker's main process and beat."""
        found: dict[str, int] = {}
        for pid in descendants(self.make.pid):
            line = cmdline(pid)
            if "keep-running" in line or not line:
                continue
            if "manage.py runserver" in line:
                found.setdefault("web", pid)
            elif "celery -A clinic worker" in line:
                found.setdefault("worker", pid)  # the main process comes before its pool
            elif "celery -A clinic beat" in line:
                found.setdefault("beat", pid)
        return found

    def wait_until(self, condition: object, what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.make.poll() is not None:
                pytest.fail(f"make run exited with {self.make.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not within {timeout:g} s\n{self.output()[-3000:]}")
            time.sleep(0.5)

    def answers(self, path: str = "/") -> int | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None


def run_env(port: int, var: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in LEFT_OUT and not key.startswith(LEFT_OUT_PREFIXES)
    }
    env.update({"PORT": str(port), "VAR_DIR": str(var), "PYTHONUNBUFFERED": "1"})
    return env


@pytest.fixture
def make_run(tmp_path: Path) -> Iterator[MakeRun]:
    """`make run` in its own session; stopped (and anything left killed) afterwards."""
    port, var, log = free_port(), tmp_path / "var", tmp_path / "make-run.log"
    with open(log, "wb") as output:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=BASE_DIR,
            env=run_env(port, var),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    run = MakeRun(make=make, port=port, var=var, log=log)
    seen: set[int] = set()
    try:
        run.wait_until(lambda: len(run.processes()) == 3, "web, worker and beat started")
        seen.update(descendants(make.pid))
        yield run
    finally:
        seen.update(descendants(make.pid))
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGTERM)  # as a terminal's Ctrl-C would reach honcho
            try:
                make.wait(timeout=30)
            except subprocess.TimeoutExpired:
                make.kill()
                make.wait()
        for pid in seen:  # only what this test started
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def settings_of(pid: int) -> dict[str, str]:
    """PORTAL_URL and PORT as the portal's settings read them in that process's environment."""
    probe = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'portal_url': s.PORTAL_URL, 'port': s.PORT}))"
    )
    # manage.py and clinic/celery.py choose the local settings inside the process.
    env = {"DJANGO_SETTINGS_MODULE": "clinic.settings.local", **environ(pid)}
    found = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0, found.stderr
    return json.loads(found.stdout.strip().splitlines()[-1])


def test_every_process_links_to_the_one_portal_url(make_run: MakeRun) -> None:
    processes = make_run.processes()

    seen = {name: settings_of(pid) for name, pid in processes.items()}

    # honcho gives each process its own PORT ...
    assert len({found["port"] for found in seen.values()}) == 3, seen
    # ... but every link in every message points at the web server.
    expected = f"http://127.0.0.1:{make_run.port}"
    assert {name: found["portal_url"] for name, found in seen.items()} == {
        "web": expected,
        "worker": expected,
        "beat": expected,
    }
    make_run.wait_until(lambda: make_run.answers("/") == 200, "the home page answers")


def test_a_process_that_dies_is_started_again(make_run: MakeRun) -> None:
    before = make_run.processes()

    os.kill(before["beat"], signal.SIGKILL)
    os.kill(before["worker"], signal.SIGKILL)

    def both_again() -> bool:
        now = make_run.processes()
        return all(now.get(name, before[name]) != before[name] for name in ("worker", "beat"))

    make_run.wait_until(both_again, "beat and the worker started again", timeout=30)
    assert make_run.processes()["web"] == before["web"]
    assert "exited with status 137; starting it again" in make_run.output()
    make_run.wait_until(lambda: make_run.answers("/") == 200, "the home page answers")


def make_stop(run: MakeRun) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "stop"],
        cwd=BASE_DIR,
        env=run_env(run.port, run.var),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_logins_come_again_once_all_is_up_and_make_stop_stops_everything(
    make_run: MakeRun,
) -> None:
    make_run.wait_until(
        lambda: "make stop" in make_run.output().partition("Everything is up")[2],
        "the all-up message, to its last line",
        timeout=120,
    )
    # Printed before the processes started, and again after their start-up lines.
    after = make_run.output().split("Everything is up", 1)[1]
    assert "Demo logins use the password" in after
    assert "manager@clinic.local" in after
    assert f"The portal is at http://127.0.0.1:{make_run.port}/" in after
    assert make_run.answers("/health/") == 200
    assert make_run.answers("/favicon.ico") == 200
    started = descendants(make_run.make.pid)
    pid_file = make_run.var / "make-run.pid"
    assert pid_file.exists()

    stop = make_stop(make_run)

    assert stop.returncode == 0, stop.stdout + stop.stderr
    assert "stopped the web server, the worker and beat" in stop.stdout
    assert make_run.make.wait(timeout=30) == 0, make_run.output()[-2000:]
    assert [pid for pid in started if alive(pid)] == []
    assert not pid_file.exists()
    assert "nothing to stop" in make_stop(make_run).stdout
