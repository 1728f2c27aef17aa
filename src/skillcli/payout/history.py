"""What the ledger already holds about a batch's people, as plain frames.

``skillcli.ledger.store`` fills a ``History``; the payout stage decides with it. It lives in the
payout package, below the ledger, so that a decision needs no database layer (a dry run without a
ledger never loads SQLAlchemy) and the ledger imports the payout, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl


@dataclass(slots=True)
class History:
    """What the ledger already holds about the people of a batch."""

    lines: pl.DataFrame  # live (not voided) payment/advance lines
    certificates: pl.DataFrame  # certificates recorded with earlier runs

    @classmethod
    def empty(cls) -> History:
        return cls(pl.DataFrame(schema=HISTORY_SCHEMA), pl.DataFrame(schema=CERT_SCHEMA))


HISTORY_SCHEMA: dict[str, Any] = {
    "run_id": pl.String,
    "line_id": pl.Int64,
    # The run's period and the line's position within its run (1 = the run's first line, as 序号 in
    # that run's payouts.xlsx): messages cite a ledger line as 「2021-05 批次（R…）第 3 笔」.
    "period": pl.String,
    "seq": pl.Int64,
    "claim_key": pl.String,
    "kind": pl.String,
    "person_id": pl.String,
    "rule": pl.String,
    "occupation": pl.String,
    "level": pl.String,
    # The line's training period: the months a per-month subsidy already paid (payout.months).
    "start_date": pl.String,
    "end_date": pl.String,
    "counts": pl.Boolean,
    "amount_fen": pl.Int64,
    "entitlement_fen": pl.Int64,
}
CERT_SCHEMA: dict[str, Any] = {
    "person_id": pl.String,
    "occupation": pl.String,
    "level": pl.String,
    "cert_kind": pl.String,
    "cert_number": pl.String,
    "issue_date": pl.String,
    "run_id": pl.String,
}
