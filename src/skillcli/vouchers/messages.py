"""Voucher reasons and exceptions as frames: findings (``skillcli.findings.emit``) with the voucher's
columns and their zh and en messages."""

from __future__ import annotations

from typing import Any

import polars as pl

from skillcli.findings import CATALOGUE, emit, template_expr

# file, sheet, row: where the clerk finds the row; the rest says what is wrong with it.
REASON_SCHEMA: dict[str, Any] = {
    "file": pl.String,
    "sheet": pl.String,
    "row": pl.Int64,
    "person_id": pl.String,
    "name": pl.String,
    "voucher_no": pl.String,
    "category": pl.String,
    "code": pl.String,
    "severity": pl.String,
    "value": pl.String,
    "message_zh": pl.String,
    "message_en": pl.String,
}


def reasons(
    frame: pl.DataFrame,
    code: str,
    *,
    value: pl.Expr | None = None,
    detail_zh: pl.Expr | None = None,
    detail_en: pl.Expr | None = None,
    column: pl.Expr | None = None,
    category: pl.Expr | None = None,
) -> pl.DataFrame:
    """One reason row per row of ``frame`` (which has _file, _sheet, _row, and person/voucher columns)."""
    entry = CATALOGUE[code]
    blank = pl.lit(None, pl.String)
    value = value if value is not None else blank
    detail_zh = detail_zh if detail_zh is not None else blank
    detail_en = detail_en if detail_en is not None else detail_zh
    column = column if column is not None else blank

    def have(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.String) if name in frame.columns else blank

    # The row key, person and severity as every finding has them (``emit``); the voucher's columns
    # and the two messages ride along.
    extra = {
        "__name": have("name"),
        "__voucher_no": have("voucher_no"),
        "__category": category if category is not None else have("category_name"),
        "__zh": template_expr(entry.zh, {"column": column, "value": value, "detail": detail_zh}),
        "__en": template_expr(entry.en, {"column": column, "value": value, "detail": detail_en}),
    }
    found = emit(
        frame.with_columns(expr.alias(name) for name, expr in extra.items()), code, column, value, keep=tuple(extra)
    )
    return found.select(
        pl.col("_file").alias("file"),
        pl.col("_sheet").alias("sheet"),
        pl.col("_row").alias("row"),
        "person_id",
        pl.col("__name").alias("name"),
        pl.col("__voucher_no").alias("voucher_no"),
        pl.col("__category").cast(pl.String).alias("category"),
        "code",
        "severity",
        "value",
        pl.col("__zh").alias("message_zh"),
        pl.col("__en").alias("message_en"),
    )


def combine(parts: list[pl.DataFrame]) -> pl.DataFrame:
    kept = [p for p in parts if p.height]
    return pl.concat(kept, how="vertical_relaxed") if kept else pl.DataFrame(schema=REASON_SCHEMA)


def location(file: pl.Expr, sheet: pl.Expr, row: pl.Expr) -> pl.Expr:
    """ "roster.xlsx:花名册!12", the way a clerk finds a row."""
    return pl.concat_str([file.str.replace(r"^.*[/\\]", ""), pl.lit(":"), sheet, pl.lit("!"), row.cast(pl.String)])
