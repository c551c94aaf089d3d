"""bin/keep-running: `make run` starts a process that died again; a stop stops it for good."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

KEEP_RUNNING = str(Path(settings.BASE_DIR) / "bin" / "keep-running")


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[[str], subprocess.Popen[str]]]:
    """Start keep-running around a shell command, in its own process group as honcho does."""
    started: list[subprocess.Popen[str]] = []

    def run(command: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [KEEP_RUNNING, "sh", "-c", command],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield run
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(condition: Callable[[], bool], timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_a_command_that_dies_is_started_again(
    start: Callable[[str], subprocess.Popen[str]], tmp_path: Path
) -> None:
    process = start("echo $$ >> pids; exit 3")

    assert wait_for(lambda: len(lines(tmp_path / "pids")) >= 2)
    assert process.poll() is None
    os.killpg(process.pid, signal.SIGTERM)
    output = process.communicate(timeout=10)[0]
    assert "'sh' exited with status 3; starting it again in 2 s" in output
    assert len(set(lines(tmp_path / "pids"))) == len(lines(tmp_path / "pids"))


@pytest.mark.parametrize("whom", ["the process group (honcho, Ctrl-C)", "keep-running alone"])
def test_a_stop_ends_the_command_and_the_loop(
    start: Callable[[str], subprocess.Popen[str]], tmp_path: Path, whom: str
) -> None:
    process = start("echo $$ >> pids; exec sleep 300")
    assert wait_for(lambda: len(lines(tmp_path / "pids")) == 1)
    command = int(lines(tmp_path / "pids")[0])

    if whom.startswith("the process group"):
        os.killpg(process.pid, signal.SIGTERM)
    else:
        os.kill(process.pid, signal.SIGTERM)

    assert process.wait(timeout=10) == 0
    assert wait_for(lambda: not Path(f"/proc/{command}").exists(), timeout=5)
    time.sleep(2.5)  # past the pause before a restart: nothing started again
    assert lines(tmp_path / "pids") == [str(command)]


def test_a_command_that_ignores_the_stop_is_killed_with_its_children(
    start: Callable[[str], subprocess.Popen[str]], tmp_path: Path
) -> None:
    # A worker stuck in its warm shutdown, with a pool process of its own.
    process = start("trap '' TERM; sleep 300 & echo $$ $! >> pids; wait")
    assert wait_for(lambda: len(lines(tmp_path / "pids")) == 2)
    command, pool = (int(pid) for pid in lines(tmp_path / "pids"))

    os.kill(process.pid, signal.SIGTERM)  # honcho was killed before it could kill them

    assert process.wait(timeout=15) == 0
    assert "did not stop within 8 s; killing it" in process.stdout.read()
    assert not Path(f"/proc/{command}").exists()
    assert wait_for(lambda: not Path(f"/proc/{pool}").exists(), timeout=5)
