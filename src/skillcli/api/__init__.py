"""skillcli as a library: one function per command, each loading, deciding, committing and writing,
returning a frozen result whose frames have declared schemas. The CLI is a thin layer over these.

The names load their module on first use (PEP 562), so that ``import skillcli`` and a ``check``
run stay as light as before: the ledger, the rule engine and the writers are imported by the
functions that need them. One name a line, alphabetically, in both lists.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skillcli.api.cases import run_cases as run_cases
    from skillcli.api.checks import check as check
    from skillcli.api.cycle import export_bank as export_bank
    from skillcli.api.cycle import publish as publish
    from skillcli.api.cycle import reconcile as reconcile
    from skillcli.api.cycle import reconcile_undo as reconcile_undo
    from skillcli.api.cycle import reissue as reissue
    from skillcli.api.cycle import statement as statement
    from skillcli.api.ledger import ledger_init as ledger_init
    from skillcli.api.ledger import ledger_migrate as ledger_migrate
    from skillcli.api.ledger import ledger_replay as ledger_replay
    from skillcli.api.ledger import ledger_runs as ledger_runs
    from skillcli.api.ledger import ledger_show as ledger_show
    from skillcli.api.ledger import ledger_status as ledger_status
    from skillcli.api.ledger import ledger_void as ledger_void
    from skillcli.api.payouts import explain as explain
    from skillcli.api.payouts import payout as payout
    from skillcli.api.reports import report as report
    from skillcli.api.reports import template as template
    from skillcli.api.vouchers import vouchers_issue as vouchers_issue
    from skillcli.api.vouchers import vouchers_programs as vouchers_programs
    from skillcli.api.vouchers import vouchers_redeem as vouchers_redeem
    from skillcli.api.vouchers import vouchers_status as vouchers_status
    from skillcli.api.whatif import diff as diff
    from skillcli.api.whatif import simulate as simulate

# name → the module that defines it
NAMES = {
    "check": "skillcli.api.checks",
    "diff": "skillcli.api.whatif",
    "explain": "skillcli.api.payouts",
    "export_bank": "skillcli.api.cycle",
    "ledger_init": "skillcli.api.ledger",
    "ledger_migrate": "skillcli.api.ledger",
    "ledger_replay": "skillcli.api.ledger",
    "ledger_runs": "skillcli.api.ledger",
    "ledger_show": "skillcli.api.ledger",
    "ledger_status": "skillcli.api.ledger",
    "ledger_void": "skillcli.api.ledger",
    "payout": "skillcli.api.payouts",
    "publish": "skillcli.api.cycle",
    "reconcile": "skillcli.api.cycle",
    "reconcile_undo": "skillcli.api.cycle",
    "reissue": "skillcli.api.cycle",
    "report": "skillcli.api.reports",
    "run_cases": "skillcli.api.cases",
    "simulate": "skillcli.api.whatif",
    "statement": "skillcli.api.cycle",
    "template": "skillcli.api.reports",
    "vouchers_issue": "skillcli.api.vouchers",
    "vouchers_programs": "skillcli.api.vouchers",
    "vouchers_redeem": "skillcli.api.vouchers",
    "vouchers_status": "skillcli.api.vouchers",
}


def __getattr__(name: str) -> Any:
    module = NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'skillcli.api' has no attribute '{name}'")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *NAMES])
