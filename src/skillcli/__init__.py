"""skillcli: check vocational-training subsidy rosters and compute payouts.

The package is a library first and a command line second: ``skillcli.api`` has one function per
command (also importable from here: ``skillcli.export_bank``, ``skillcli.reconcile``, …), which
loads, decides, commits and writes and returns a frozen result; ``skillcli.cli`` only parses
arguments, calls it, renders and picks an exit code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skillcli.api import *  # noqa: F403

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The api's names, loaded on first use like ``skillcli.api`` itself: ``import skillcli`` stays light.
    import importlib

    api = importlib.import_module("skillcli.api")
    if name in api.NAMES:
        return getattr(api, name)
    raise AttributeError(f"module 'skillcli' has no attribute '{name}'")
