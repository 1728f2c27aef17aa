"""A payout's decision: every roster row with one status, every payment line with its rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from skillcli.errors import InconsistencyError
from skillcli.findings import RENDERED_COLUMNS, empty
from skillcli.rules.model import Policy

# ``Decision.status``: every roster row once, with its one outcome (paid | exception | ineligible).
STATUS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "_rid": pl.UInt32,
    "_file": pl.String,
    "_sheet": pl.String,
    "_row": pl.Int64,
    "person_id": pl.String,
    "status": pl.String,
}
# ``Decision.exceptions``: the findings (as ``check`` lists them) that hold a row or a line, with the
# row id they hold.
EXCEPTION_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    **{name: pl.Int64 if name == "row" else pl.String for name in RENDERED_COLUMNS},
    "_rid": pl.UInt32,
}


@dataclass(slots=True)
class Decision:
    """Everything ``skillcli payout`` writes. Frames are sorted deterministically."""

    policy: Policy
    lines: pl.DataFrame
    exceptions: pl.DataFrame  # rendered findings + person_id, one or more per excepted row
    ineligible: pl.DataFrame  # person_id, name, training_type, reason_code, reason (+ location)
    status: pl.DataFrame  # _rid, _file, _sheet, _row, person_id, status
    per_rule: pl.DataFrame
    derived: pl.DataFrame
    # Rendered batch-level notes: blanks read as the ordinary value (one per field, with the count)
    # and conditions not checked because no sheet has their column (one per column).
    warnings: pl.DataFrame = field(default_factory=empty)
    advance_share: Decimal | None = None
    absent: frozenset[str] = frozenset()  # fields no sheet of the batch carries (conditions decided without)

    @property
    def counts(self) -> dict[str, int]:
        counted = dict(self.status.group_by("status").len().iter_rows())
        return {s: int(counted.get(s, 0)) for s in ("paid", "exception", "ineligible")}

    @property
    def has_exceptions(self) -> bool:
        """Something to look at: an excepted row, or a held line on a row paid otherwise."""
        return self.counts["exception"] > 0 or bool((self.exceptions.get_column("severity") == "error").any())

    @property
    def total_fen(self) -> int:
        return int(self.lines.get_column("amount_fen").sum()) if self.lines.height else 0

    def control(self) -> None:
        counts = self.counts
        rows = self.derived.height
        if sum(counts.values()) != rows or self.status.get_column("_rid").n_unique() != rows:
            raise InconsistencyError(
                f"控制数不平：{rows} 行 ≠ 已发 {counts['paid']} + 异常 {counts['exception']} + 不符合 {counts['ineligible']}",
                f"control failed: {rows} rows != paid {counts['paid']} + exceptions {counts['exception']}"
                f" + ineligible {counts['ineligible']}",
            )
        paid_rows = set(self.status.filter(pl.col("status") == "paid").get_column("_rid").to_list())
        line_rows = set(self.lines.get_column("_rid").to_list())
        if paid_rows != line_rows:
            raise InconsistencyError("控制数不平：已发行与付款明细不一致", "control failed: paid rows and lines differ")
        if self.lines.height and int(self.lines.get_column("amount_fen").min()) <= 0:  # type: ignore[arg-type]
            raise InconsistencyError(
                "控制数不平：存在非正金额的付款行", "control failed: a payment line is not positive"
            )
