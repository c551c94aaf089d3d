"""`make bench` measures pages with Debian's wrk, installed by the bench's own setup.

Without wrk (no apt-get, not root) it still runs: the setup and the benchmark warn
and fall back to bench/httpload.py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from bench.throughput import CONNECTIONS, _load, load_tool

BASE_DIR = Path(settings.BASE_DIR)


def test_make_bench_installs_wrk_first() -> None:
    planned = subprocess.run(
        ["make", "-n", "bench"], cwd=BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    lines = planned.splitlines()
    install = next(i for i, line in enumerate(lines) if "bench/install-wrk.sh" in line)
    run = next(i for i, line in enumerate(lines) if "-m bench" in line)
    assert install < run


def test_without_wrk_or_apt_get_the_setup_warns_and_lets_the_bench_run(tmp_path: Path) -> None:
    result = subprocess.run(
        ["/bin/bash", str(BASE_DIR / "bench/install-wrk.sh")],
        env={"PATH": str(tmp_path)},  # nothing to find: no wrk, no apt-get
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "WARNING: wrk could not be installed" in result.stderr


def fake_wrk(folder: Path) -> Path:
    """A wrk that records its arguments and prints what wrk prints."""
    script = folder / "wrk"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > {folder}/args\n'
        "echo 'Running 1s test @ http://127.0.0.1'\n"
        "echo '  8123 requests in 5.00s, 1.2MB read'\n"
        "echo '  Non-2xx or 3xx responses: 3'\n"
        "echo 'Requests/sec:   1624.60'\n"
    )
    script.chmod(0o755)
    return script


def test_the_benchmark_uses_wrk_when_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_wrk(tmp_path)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")

    wrk = load_tool()

    assert wrk == str(tmp_path / "wrk")
    assert capsys.readouterr().err == ""
    assert _load("http://127.0.0.1:1/procedures/", 5, wrk) == (1624.6, 3)
    args = (tmp_path / "args").read_text().split()
    assert args == ["-t", "1", "-c", str(CONNECTIONS), "-d", "5s", "http://127.0.0.1:1/procedures/"]


def test_the_benchmark_warns_when_it_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    assert load_tool() is None
    assert "WARNING: wrk is not installed" in capsys.readouterr().err
