"""skillcli: check vocational-training subsidy rosters and compute payouts.

The package is a library first and a command line second: ``skillcli.api`` has one function per
command, which loads, decides, commits and writes and returns a frozen result; ``skillcli.cli``
only parses arguments, calls it, renders and picks an exit code. The api's names are importable
from here too (``skillcli.export_bank``), except those that are also the name of a module of
this package (``payout``, ``reconcile``, ``report``, ``diff``): ``skillcli.reconcile`` is the module, and
``skillcli.api.reconcile`` the function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skillcli.api import check as check
    from skillcli.api import explain as explain
    from skillcli.api import export_bank as export_bank
    from skillcli.api import ledger_init as ledger_init
    from skillcli.api import ledger_migrate as ledger_migrate
    from skillcli.api import ledger_replay as ledger_replay
    from skillcli.api import ledger_runs as ledger_runs
    from skillcli.api import ledger_show as ledger_show
    from skillcli.api import ledger_status as ledger_status
    from skillcli.api import ledger_void as ledger_void
    from skillcli.api import publish as publish
    from skillcli.api import reconcile_undo as reconcile_undo
    from skillcli.api import reissue as reissue
    from skillcli.api import run_cases as run_cases
    from skillcli.api import simulate as simulate
    from skillcli.api import statement as statement
    from skillcli.api import template as template
    from skillcli.api import vouchers_issue as vouchers_issue
    from skillcli.api import vouchers_programs as vouchers_programs
    from skillcli.api import vouchers_redeem as vouchers_redeem
    from skillcli.api import vouchers_status as vouchers_status

from skillcli.version import __version__ as __version__


def __getattr__(name: str) -> Any:
    # The api's names, loaded on first use like ``skillcli.api`` itself: ``import skillcli`` stays
    # light. A name that is also a module of the package is left to the module, whether or not it
    # is imported yet, so that what ``skillcli.NAME`` is never depends on the order of imports.
    import importlib
    import importlib.util

    api = importlib.import_module("skillcli.api")
    if name in api.NAMES and importlib.util.find_spec(f"skillcli.{name}") is None:
        return getattr(api, name)
    raise AttributeError(f"module 'skillcli' has no attribute '{name}'")
