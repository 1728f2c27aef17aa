"""skillcli as a library: one function per command, each returning a frozen result.

A month can be driven from a notebook or a scheduler without the command line; the CLI parses
options, calls one of these and renders the result. Every module here keeps its heavy imports
inside the functions, so that importing ``skillcli.api`` loads neither the rule engine nor the ledger.
"""

from skillcli.api.checks import CheckResult as CheckResult
from skillcli.api.checks import check as check
from skillcli.api.payouts import ExplainResult as ExplainResult
from skillcli.api.payouts import PayoutResult as PayoutResult
from skillcli.api.payouts import explain as explain
from skillcli.api.payouts import payout as payout
