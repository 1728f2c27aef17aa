"""Voucher reasons and exceptions as frames: catalogued codes with their zh and en messages."""

from __future__ import annotations

from typing import Any

import polars as pl

from skillcli.findings import CATALOGUE, emitted, template_expr

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

    found = frame.select(
        pl.col("_file").alias("file"),
        pl.col("_sheet").alias("sheet"),
        pl.col("_row").cast(pl.Int64).alias("row"),
        have("id_number").alias("person_id"),
        have("name").alias("name"),
        have("voucher_no").alias("voucher_no"),
        (category if category is not None else have("category_name")).alias("category"),
        pl.lit(code).alias("code"),
        pl.lit(entry.severity.value).alias("severity"),
        value.cast(pl.String).alias("value"),
        template_expr(entry.zh, {"column": column, "value": value, "detail": detail_zh}).alias("message_zh"),
        template_expr(entry.en, {"column": column, "value": value, "detail": detail_en}).alias("message_en"),
    )
    return emitted(found)


def combine(parts: list[pl.DataFrame]) -> pl.DataFrame:
    kept = [p for p in parts if p.height]
    return pl.concat(kept, how="vertical_relaxed") if kept else pl.DataFrame(schema=REASON_SCHEMA)


def location(file: pl.Expr, sheet: pl.Expr, row: pl.Expr) -> pl.Expr:
    """ "roster.xlsx:花名册!12", the way a clerk finds a row."""
    return pl.concat_str([file.str.replace(r"^.*[/\\]", ""), pl.lit(":"), sheet, pl.lit("!"), row.cast(pl.String)])
