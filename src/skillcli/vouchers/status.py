"""Where vouchers stand on a day: issued, redeemed, expired, open, and the redemption rate.

A voucher issued on or before the day is *redeemed* when a live redemption (its run not voided)
happened on or before the day, *expired* when it was not and its last valid day is before the day,
and *open* otherwise. The redemption rate is redeemed / issued as an exact percentage, half-up to
two decimals (``skillcli.money.percent``). ``vouchers status`` looks at every voucher as of
today (or ``--date``); ``report month/year`` at the vouchers issued in the month or year, as of its
last day, so a past month's report does not change as time passes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from skillcli.money import percent

STATES = ("redeemed", "expired", "open")


@dataclass(slots=True)
class VoucherSummary:
    as_of: dt.date
    totals: dict[str, Any]
    by_category: list[dict[str, Any]] = field(default_factory=list)
    by_age_group: list[dict[str, Any]] = field(default_factory=list)
    by_category_age_group: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.totals["issued"]


def state(as_of: dt.date) -> pl.Expr:
    redeemed = pl.col("redeemed_on").is_not_null() & (pl.col("redeemed_on") <= as_of)
    return (
        pl.when(redeemed)
        .then(pl.lit("redeemed"))
        .when(pl.col("expiry_date") < as_of)
        .then(pl.lit("expired"))
        .otherwise(pl.lit("open"))
    )


def _rows(frame: pl.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
    aggs = [
        pl.len().alias("issued"),
        *(pl.col("__state").eq(s).sum().alias(s) for s in STATES),
        pl.col("face_fen").sum().alias("face_fen"),
        pl.col("paid_fen").filter(pl.col("__state") == "redeemed").sum().alias("paid_fen"),
    ]
    grouped = frame.group_by(keys).agg(aggs) if keys else frame.select(aggs)
    order: list[Any] = []
    if "age_group" in keys:
        order.append(pl.col("age_group").str.extract(r"^(\d+)").cast(pl.Int64, strict=False))
    order += keys
    if keys:
        grouped = grouped.sort(order, nulls_last=True)
    rows = []
    for row in grouped.iter_rows(named=True):
        counts = {k: int(row[k] or 0) for k in ("issued", *STATES, "face_fen", "paid_fen")}
        rate = percent(counts["redeemed"], counts["issued"])
        rows.append({**{k: row[k] for k in keys}, **counts, "rate": None if rate is None else str(rate)})
    return rows


def summarise(
    vouchers: pl.DataFrame, as_of: dt.date, *, issued_from: dt.date | None = None, issued_to: dt.date | None = None
) -> VoucherSummary:
    """``vouchers``: ``skillcli.ledger.vouchers.VOUCHER_SCHEMA`` rows; only those issued by ``as_of`` count.

    With ``issued_from``/``issued_to`` (a report's month or year) the counts are of the vouchers issued
    in that period, and ``redeemed_in_period``/``paid_in_period_fen`` add every voucher redeemed in it,
    whenever it was issued (the money the period paid, as in the fund report's voucher lines).
    """
    last = min(issued_to, as_of) if issued_to else as_of
    chosen = vouchers.filter(pl.col("issue_date") <= last)
    if issued_from is not None:
        chosen = chosen.filter(pl.col("issue_date") >= issued_from)
    chosen = chosen.with_columns(state(as_of).alias("__state"))
    totals = (
        _rows(chosen, [])[0]
        if chosen.height
        else {
            "issued": 0,
            **dict.fromkeys(STATES, 0),
            "face_fen": 0,
            "paid_fen": 0,
            "rate": None,
        }
    )
    if issued_from is not None:
        paid = vouchers.filter(pl.col("redeemed_on").is_between(issued_from, last))
        totals = {
            **totals,
            "redeemed_in_period": paid.height,
            "paid_in_period_fen": int(paid.get_column("paid_fen").sum()) if paid.height else 0,
        }
    return VoucherSummary(
        as_of,
        totals,
        _rows(chosen, ["category_id", "category"]),
        _rows(chosen, ["age_group"]),
        _rows(chosen, ["category_id", "category", "age_group"]),
    )


def rate_text(rate: str | Decimal | None) -> str:
    return "—" if rate is None else f"{rate} %"
