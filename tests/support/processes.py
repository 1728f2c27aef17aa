"""skillcli in separate processes, for races and crashes: start one, and pause it at a fault point.

The fault points are skillcli's own (``SKILLCLI_FAULT_PAUSE``): the process writes the marker file when
it reaches the point and waits there until the release file appears, so a test can kill it or start a
rival at an exact moment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def spawn(args: list[object], env: dict[str, str]) -> subprocess.Popen[str]:
    """``python -m skillcli ARGS`` in a new process with ``env`` added to this one's environment."""
    full = {**os.environ, **env, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [sys.executable, "-m", "skillcli", *map(str, args)],
        env=full,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for(path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def fault(tmp_path: Path, point: str) -> dict[str, str]:
    """The environment that pauses a process at ``point``; the marker and release files live in ``tmp_path``."""
    return {
        "SKILLCLI_FAULT_PAUSE": point,
        "SKILLCLI_FAULT_MARKER": str(tmp_path / f"{point}.reached"),
        "SKILLCLI_FAULT_RELEASE": str(tmp_path / f"{point}.release"),
    }
