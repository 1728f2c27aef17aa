"""Fault injection for the crash and concurrency tests, off unless the test sets an env variable.

``pause("ledger-commit")`` does nothing normally. When ``SKILLCLI_FAULT_PAUSE`` names that point,
it writes the file ``SKILLCLI_FAULT_MARKER`` (so the test knows the process got there) and waits
until ``SKILLCLI_FAULT_RELEASE`` exists (or 60 s), so a test can kill the process at exactly that
moment, or let a second process race it. Points: ``ledger-commit`` (inside the ledger
transaction, after the lines are inserted), ``outputs-commit`` (after the output files are
written under temporary names, before they are renamed into place), ``bank-record`` (export-bank and
reissue: the ledger read, before the transaction that records the bank file).
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def pause(point: str) -> None:
    if os.environ.get("SKILLCLI_FAULT_PAUSE") != point:
        return
    marker = os.environ.get("SKILLCLI_FAULT_MARKER")
    if marker:
        Path(marker).write_text(point, encoding="utf-8")
    release = os.environ.get("SKILLCLI_FAULT_RELEASE", "")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (release and Path(release).exists()):
        time.sleep(0.05)
