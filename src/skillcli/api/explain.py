"""``explain`` as a library call: one person's rows, rule by rule, from the same decision as ``payout``.

The decision comes from ``skillcli.api.payout`` with the same ledger history a dry-run payout reads,
so that explain and payout agree on claims already paid and on limits across months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from skillcli.api.payout import PayoutResult, payout
from skillcli.errors import UsageError
from skillcli.pipeline import DEFAULT_MAX_FILE_MB

if TYPE_CHECKING:
    from skillcli.io.limits import Limits
    from skillcli.ledger.store import Ledger
    from skillcli.payout.explain import RowExplanation
    from skillcli.rules.model import Policy
    from skillcli.schema.columns import ColumnMap


@dataclass(frozen=True, slots=True)
class ExplainResult:
    """Every roster row of one person, explained, and the payout they were decided in."""

    rows: tuple[RowExplanation, ...]
    payout: PayoutResult


def explain(
    person_id: str,
    files: Sequence[Path],
    policy: str | Path | Policy,
    period: str,
    *,
    params: Mapping[str, str] | None = None,
    ledger: str | Ledger | None = None,
    today: dt.date | None = None,
    max_file_mb: int = DEFAULT_MAX_FILE_MB,
    limits: Limits | None = None,
    columns: ColumnMap | None = None,
) -> ExplainResult:
    """Decide the batch as a dry-run ``payout`` does (reading ``ledger``, writing nothing) and explain
    every roster row of ``person_id``: each rule's conditions with the row's values, the formula, the
    payee and the row's final status with its reasons."""
    from skillcli.payout.explain import explain_person

    decided = payout(
        files,
        policy,
        period,
        params=params,
        ledger=ledger,
        today=today,
        max_file_mb=max_file_mb,
        limits=limits,
        columns=columns,
    )
    rows = explain_person(decided.decision, decided.decision.policy, person_id)
    if not rows:
        raise UsageError("花名册中没有这个身份证号码", "this ID number is not on the roster")
    return ExplainResult(tuple(rows), decided)
