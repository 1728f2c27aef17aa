"""The batch-level warnings of a payout: how blanks were read and which conditions were not checked."""

from __future__ import annotations

import polars as pl

from skillcli.findings import Issue, from_rows
from skillcli.model import SheetKind
from skillcli.pipeline import Batch
from skillcli.rules.evaluate import dropped_conditions
from skillcli.rules.fields import FIELDS
from skillcli.rules.model import Policy


def batch_notes(
    batch: Batch, derived: pl.DataFrame, policy: Policy, per_rule: pl.DataFrame, absent: frozenset[str]
) -> pl.DataFrame:
    """The batch-level warnings of a payout, one line each: how blanks of a field were read (with
    the count) and which conditions were not checked because no sheet carries their column."""
    roster = next(((f.path, s.sheet) for f in batch.files for s in f.sheets if s.kind is SheetKind.ROSTER), ("", ""))
    notes: list[tuple[str, str, str]] = []  # (canonical or label, value, detail)
    for name in sorted({c.field for c in policy.conditions()}):
        spec = FIELDS[name]
        column = spec.blank_column or name
        if spec.blank_reads_as and column in derived.columns:
            blanks = int(derived.get_column(column).is_null().sum())
            if blanks:
                notes.append((column, str(blanks), spec.blank_reads_as))
    in_scope = set(per_rule.get_column("rule").unique().to_list())
    unchecked: dict[str, list[str]] = {}
    for rule_ids, req, fields in dropped_conditions(policy, absent):
        if in_scope & set(rule_ids):
            for name in fields:
                unchecked.setdefault(FIELDS[name].label, []).append(req.id)
    notes += [(label, "", "、".join(dict.fromkeys(ids))) for label, ids in unchecked.items()]
    return from_rows(
        Issue(
            roster[0],
            roster[1],
            None,
            canonical,
            value,
            "payout.blank-read-as" if value else "payout.column-absent",
            detail,
        )
        for canonical, value, detail in notes
    )
