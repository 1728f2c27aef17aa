"""Reasons a payout holds a row or a line, as issue rows (``ISSUE_SCHEMA`` plus the row id).

Every stage of the payout says why it holds something in the same shape; ``decide`` renders them
once, with the batch's headers, into the findings the clerk reads.
"""

from __future__ import annotations

import polars as pl

from skillcli.schema.validate import ISSUE_SCHEMA


def issues(frame: pl.DataFrame, code: pl.Expr, canonical: pl.Expr, value: pl.Expr, detail: pl.Expr) -> pl.DataFrame:
    return frame.select(
        pl.col("_file"),
        pl.col("_sheet"),
        pl.col("_row"),
        canonical.cast(pl.String).alias("canonical"),
        value.cast(pl.String).alias("value"),
        code.alias("code"),
        detail.cast(pl.String).alias("detail"),
        pl.col("id_number").cast(pl.String).alias("person_id"),
        pl.col("_rid"),
    )


def concat_issues(parts: list[pl.DataFrame]) -> pl.DataFrame:
    found = [p for p in parts if p.height]
    return (
        pl.concat(found, how="vertical_relaxed") if found else pl.DataFrame(schema={**ISSUE_SCHEMA, "_rid": pl.UInt32})
    )
