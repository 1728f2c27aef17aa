"""Reasons a payout holds a row or a line: findings (``FINDING_SCHEMA``) that carry the row id.

Every stage of the payout says why it holds something through these two calls; the row id ``_rid``
lets rows and lines be left out by it, and ``decide`` renders them once into the findings the clerk reads.
"""

from __future__ import annotations

import polars as pl

from skillcli.findings import concat, emit

# Payout findings carry the roster row they hold, so that rows and lines can be left out by it.
ROW_ID = ("_rid",)
ROW_ID_SCHEMA = {"_rid": pl.UInt32}


def issues(frame: pl.DataFrame, code: pl.Expr, canonical: pl.Expr, value: pl.Expr, detail: pl.Expr) -> pl.DataFrame:
    """The findings of ``frame``'s rows (which carry the row key, ``id_number`` and ``_rid``)."""
    return emit(frame, code, canonical, value, detail, keep=ROW_ID)


def concat_issues(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The findings of several stages as one frame, with the row id even when there are none."""
    return concat(parts, ROW_ID_SCHEMA)
