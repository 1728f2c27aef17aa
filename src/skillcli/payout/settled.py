"""Claims the ledger already settled: paid (always) or advanced (when advancing again).

A claim is paid once. The claim key (``skillcli.payout.lines.claim_key``) names it across batches;
a line whose key the ledger holds is left out of this run and named as an exception.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from skillcli.model import SheetKind
from skillcli.payout.history import History
from skillcli.payout.reasons import issues
from skillcli.pipeline import Batch
from skillcli.schema.checks import ledger_reference


def ledger_location(*, in_ledger: bool = False) -> pl.Expr:
    """Where the ledger holds a claim, for messages: 「2021-05 批次（R2021…）第 3 笔」 (in English "run
    2021-05 (R2021…), line 3"), the run's period, its id and the line's position within that run (first
    line of a group), worded in each language when the finding is rendered."""
    return ledger_reference(
        pl.col("period").first(), pl.col("run_id").first(), pl.col("seq").first(), in_ledger=in_ledger
    )


def ledger_line_text(period: pl.Expr, run_id: pl.Expr, seq: pl.Expr) -> pl.Expr:
    """A ledger line as a formula names it: 「2021-05 批次（R…）第 3 笔」. Plain text, not a marked
    reference: a formula is stored and written as text, and ``rules.compile.formula_in`` words it in
    English by this pattern."""
    return pl.format("{} 批次（{}）第 {} 笔", period, run_id, seq)


def ledger_issues(
    lines: pl.DataFrame, history: History, advance_share: Decimal | None
) -> tuple[pl.DataFrame, pl.Series]:
    """Claims the ledger already holds: paid (always), or advanced (when advancing again), as issues
    and as the claim keys to leave out (each held line alone: the row's other claims are its own)."""
    held = history.lines.filter(pl.col("kind") == "payment")
    if advance_share is not None:
        held = history.lines
    holders = held.group_by("claim_key", maintain_order=True).agg(
        ledger_location().alias("__held"),
        pl.col("kind").first().alias("__kind"),
    )
    hit = lines.join(holders, on="claim_key", how="inner").rename({"person_id": "id_number"})
    code = (
        pl.when(pl.col("__kind") == "advance")
        .then(pl.lit("ledger.already-advanced"))
        .otherwise(pl.lit("ledger.already-paid"))
    )
    return issues(hit, code, pl.lit(""), pl.col("rule"), pl.col("__held")), hit.get_column("claim_key")


def batch_people(batch: Batch) -> list[str]:
    """The ID numbers of a batch's roster: whose ledger history its decision needs."""
    roster = batch.frames.get(SheetKind.ROSTER)
    if roster is None or "id_number" not in roster.columns:
        return []
    return list(roster.get_column("id_number").drop_nulls().unique().to_list())
