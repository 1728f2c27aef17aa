"""Which disbursements a bank return may be matched to: the runs it covers, and nothing already settled.

A return line is matched only to disbursements of the runs the return covers: the runs named by
``--run`` or by its 批次号 values, else the runs that still have exported lines the bank has not
answered. A file reconciled before answers only the lines exported by then, the lines it answered
included, even when one of them has since been reissued. A line another return already answered
(paid, paid short, failed) is never a candidate, and neither is a line of a voided run: otherwise a
return for one run could write bank results on another run's lines of the same people (matched by
account) and change what that run reports as paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from skillcli.errors import UsageError
from skillcli.ledger.queries import bank_events, bank_runs, disbursements, file_history, reissue_links
from skillcli.reconcile.returns import BankReturn

if TYPE_CHECKING:
    from collections.abc import Sequence

    from skillcli.ledger.store import Ledger

# The bank's final answers: a line with one of them from another return is settled. A failed line is
# paid again only through a new bank line (补发), so a later return matches that one, not the old.
SETTLED_KINDS = ("bank-paid", "bank-mismatch", "bank-failed")


@dataclass(slots=True)
class Candidates:
    """The disbursements a return may match, their live bank events, and the runs it names (may be empty)."""

    named: list[str]
    disbursements: pl.DataFrame
    events: pl.DataFrame
    settled: int  # lines of the allowed runs left out because another return confirmed them


def check_reconcilable(run: dict[str, Any]) -> None:
    """A void record or a voided run has no lines the bank may still be paying (its own message)."""
    if run["kind"] == "void":
        raise UsageError(
            f"批次 {run['run_id']} 是作废记录，没有可对账的代发",
            f"run {run['run_id']} is a void record; it has no disbursements to reconcile",
        )
    if run["voided"]:
        raise UsageError(
            f"批次 {run['run_id']} 已作废，其回盘不能对账到任何批次；银行已付的款项见报表「已付待追回」",
            f"run {run['run_id']} was voided; its return is not reconciled against any run (what the bank"
            " paid shows in the reports as to recover)",
        )


def candidates(ledger: Ledger, bank_return: BankReturn, runs: Sequence[str]) -> Candidates:
    """The disbursements ``bank_return`` may be matched to (see the module docstring)."""
    every = {r["run_id"]: r for r in ledger.runs()}
    for run_id in runs:
        if run_id not in every:
            ledger.run(run_id)  # raises: no such run
    stated = set(bank_return.frame.get_column("batch").drop_nulls().to_list()) & set(every)
    named = sorted(set(runs) | stated)
    for run_id in named:
        check_reconcilable(every[run_id])
    # A reissue (补发) run's own file is answered like any other; a bank line that was reissued is
    # superseded by its reissue (with --same-account both carry the same account and amount).
    live = [r["run_id"] for r in bank_runs(list(every.values()))]
    first_read, answered = file_history(ledger, bank_return.sha256)
    # A file read before answers the export it was read for and nothing sent since: its failed line
    # stays its own (re-read, it matches that line again and adds nothing), and the reissue made
    # because of it is a later bank line it cannot answer. Otherwise its old 失败 would be recorded
    # on the reissue, which the bank has not answered yet, and the line reissued a second time.
    superseded = sorted(set(reissue_links(ledger)) - set(answered))
    keep = ~pl.col("disb_id").is_in(superseded)
    if first_read is not None:
        keep = keep & (pl.col("exported_at") <= first_read)
    exported = disbursements(ledger, live).filter(keep)
    events = bank_events(ledger, exported.get_column("disb_id").to_list())
    settled_ids = events.filter(
        pl.col("kind").is_in(SETTLED_KINDS) & (pl.col("batch") != bank_return.sha256)
    ).get_column("disb_id")
    open_lines = exported.filter(~pl.col("disb_id").is_in(settled_ids.implode()))
    allowed = named or sorted(set(open_lines.get_column("run_id").to_list()))
    in_runs = exported.filter(pl.col("run_id").is_in(allowed))
    chosen = open_lines.filter(pl.col("run_id").is_in(allowed))
    return Candidates(named, chosen, events, in_runs.height - chosen.height)
