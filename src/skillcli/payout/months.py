"""A person's months of a per-month subsidy across rows and batches (``max_units_per: person``).

S2c 二(四)2 pays 以工代训 500 元/人/月, 不超过6个月: the cap is the person's, not the row's. The
months the ledger already paid for the person and rule, and those of earlier rows of this batch (by
end date, then input order), count against ``max_units``; the months of a row's period that an
earlier line's period already covers are not paid again. The ledger keeps each line's period and
amount, so a paid line's months are its entitlement ÷ the monthly rate (the loader allows the key only
on a single fixed rate). The formula says what was left out and where it was paid; a row with nothing
left is held with the lines that used its months up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from skillcli.money import format_yuan
from skillcli.payout.history import History
from skillcli.payout.reasons import concat_issues, issues
from skillcli.payout.settled import ledger_line_text
from skillcli.rules.compile import months_between
from skillcli.rules.model import Amount, Policy
from skillcli.schema.checks import ledger_reference, location


@dataclass(slots=True)
class _Earlier:
    """A line that already paid months of the person's subsidy: where (as the formula and the finding
    say it), its period and how many months it paid."""

    zh: str
    marked: str
    key: str
    months: int


def cap_person_months(lines: pl.DataFrame, policy: Policy, history: History) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The lines with each capped rule's months counted per person; the lines held (nothing left)."""
    capped = {r.id: r.amount for r in policy.rules if r.amount.max_units_per == "person"}
    mine = lines.filter(pl.col("rule").is_in(list(capped)))
    if mine.is_empty():
        return lines, concat_issues([])
    earlier = _ledger_lines(mine, history)
    overlaps = _overlaps(mine, earlier, capped)
    changed: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    ordered = mine.sort("person_id", "rule", "end_date", "_rid", nulls_last=True)
    for (person, rule), rows in ordered.group_by("person_id", "rule", maintain_order=True):
        spec = capped[str(rule)]
        rate = spec.rate.fen or 0
        cap = spec.max_units or 0
        if rate <= 0:
            # A rate of nothing pays nothing: there are no months to count.
            continue
        before = [
            _Earlier(
                r["__zh"],
                r["__loc"],
                r["claim_key"],
                int(r["entitlement_fen"]) // rate,
            )
            for r in earlier.filter((pl.col("person_id") == person) & (pl.col("rule") == rule)).iter_rows(named=True)
        ]
        for row in rows.iter_rows(named=True):
            months = int(row["entitlement_fen"]) // rate
            covering = [(e, overlaps.get((row["claim_key"], e.key), 0)) for e in before if e.months > 0]
            covered = [(e, m) for e, m in covering if m > 0]
            overlap = min(months, sum(m for _, m in covered))
            used = sum(e.months for e in before)
            pay = max(0, min(months - overlap, cap - used))
            if pay < months:
                entry = {**row, "__pay": pay, "__months": months, "__overlap": overlap, "__used": used, "__cap": cap}
                entry["__formula"] = _formula(row["formula"], entry, covered, before, cap, rate)
                by = covered if overlap == months else [(e, 0) for e in before if e.months]
                entry["__by"] = "、".join(e.marked for e, _ in by)
                (changed if pay else held).append(entry)
            here = location(pl.lit(row["_file"]), pl.lit(row["_sheet"]), pl.lit(row["_row"]))
            before.append(
                _Earlier(f"「{row['_sheet']}」第 {row['_row']} 行", str(pl.select(here).item()), row["claim_key"], pay)
            )
    return _apply(lines, changed, held, capped)


def _ledger_lines(mine: pl.DataFrame, history: History) -> pl.DataFrame:
    """The ledger's lines of the same people and rules on other claims (an advanced claim settled now
    is the same claim, not an earlier one), one per claim, oldest first."""
    people = mine.get_column("person_id").unique().implode()
    rules = mine.get_column("rule").unique().implode()
    claims = mine.get_column("claim_key").implode()
    return (
        history.lines.filter(
            pl.col("person_id").is_in(people) & pl.col("rule").is_in(rules) & ~pl.col("claim_key").is_in(claims)
        )
        .sort("period", "run_id", "seq")
        .group_by("claim_key", maintain_order=True)
        .agg(
            pl.col("person_id", "rule", "period", "run_id", "seq", "entitlement_fen").first(),
            pl.col("start_date").first().str.to_date(strict=False),
            pl.col("end_date").first().str.to_date(strict=False),
        )
        .with_columns(
            ledger_line_text(pl.col("period"), pl.col("run_id"), pl.col("seq")).alias("__zh"),
            ledger_reference(pl.col("period"), pl.col("run_id"), pl.col("seq"), in_ledger=True).alias("__loc"),
        )
    )


def _overlaps(mine: pl.DataFrame, earlier: pl.DataFrame, capped: dict[str, Amount]) -> dict[tuple[str, str], int]:
    """(a row's claim, an earlier line's claim) → the months of the row's period the earlier period covers."""
    periods = pl.concat(
        [
            earlier.select("person_id", "rule", "claim_key", "start_date", "end_date"),
            mine.select("person_id", "rule", "claim_key", "start_date", "end_date"),
        ]
    )
    pairs = mine.select("person_id", "rule", "claim_key", "start_date", "end_date").join(
        periods, on=["person_id", "rule"], suffix="_e"
    )
    pairs = pairs.filter(pl.col("claim_key") != pl.col("claim_key_e")).with_columns(
        pl.max_horizontal("start_date", "start_date_e").alias("__from"),
        pl.min_horizontal("end_date", "end_date_e").alias("__to"),
    )
    found: dict[tuple[str, str], int] = {}
    for rule, spec in capped.items():
        counted = pairs.filter((pl.col("rule") == rule) & (pl.col("__from") <= pl.col("__to"))).select(
            "claim_key", "claim_key_e", months_between(spec, pl.col("__from"), pl.col("__to")).alias("__m")
        )
        found |= {(a, b): int(m or 0) for a, b, m in counted.iter_rows()}
    return found


def _formula(
    formula: str, row: dict[str, Any], covered: list[tuple[_Earlier, int]], before: list[_Earlier], cap: int, rate: int
) -> str:
    """「2021-05-01～2021-06-30 计 2 个月，其中 1 个月已于 2021-05 批次（R…）第 4 笔 发放，本次 1 个月 × 500.00
    = 500.00」: the row's months as counted, what earlier lines paid of them or of the cap, and what is left."""
    counted = formula.rpartition("×")[0].rstrip() or formula
    parts = [counted]
    if row["__overlap"]:
        where = "、".join(e.zh for e, _ in covered)
        parts.append(f"，其中 {row['__overlap']} 个月已于 {where} 发放")
    if row["__months"] - row["__overlap"] > row["__pay"]:
        where = "、".join(f"{e.zh} {e.months} 个月" for e in before if e.months)
        parts.append(f"，此前已发放 {row['__used']} 个月（{where}），每人最多 {cap} 个月")
    pay = row["__pay"]
    parts.append(f"，本次 {pay} 个月 × {format_yuan(rate, grouping=True)} = {format_yuan(pay * rate, grouping=True)}")
    return "".join(parts)


def _apply(
    lines: pl.DataFrame, changed: list[dict[str, Any]], held: list[dict[str, Any]], capped: dict[str, Amount]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The lines with the changed ones' entitlement and formula replaced and the held ones left out,
    and the findings of the held ones."""
    if changed:
        update = pl.DataFrame(
            {
                "claim_key": [c["claim_key"] for c in changed],
                "__ent": [c["__pay"] * (capped[c["rule"]].rate.fen or 0) for c in changed],
                "__formula": [c["__formula"] for c in changed],
            },
            schema={"claim_key": pl.String, "__ent": pl.Int64, "__formula": pl.String},
        )
        lines = (
            lines.join(update, on="claim_key", how="left")
            .with_columns(
                pl.coalesce("__ent", "entitlement_fen").alias("entitlement_fen"),
                pl.coalesce("__formula", "formula").alias("formula"),
            )
            .drop("__ent", "__formula")
        )
    if not held:
        return lines, concat_issues([])
    frame = pl.DataFrame(held).with_columns(pl.col("person_id").alias("id_number"), pl.col("_rid").cast(pl.UInt32))
    lines = lines.filter(~pl.col("claim_key").is_in(frame.get_column("claim_key").implode()))
    paid = pl.col("__overlap") == pl.col("__months")
    code = pl.when(paid).then(pl.lit("limit.months-paid")).otherwise(pl.lit("limit.months-cap"))
    value = (
        pl.when(paid)
        .then(pl.format("{} {}～{}", pl.col("rule"), pl.col("start_date"), pl.col("end_date")))
        .otherwise(pl.format("{} ≤ {}", pl.col("rule"), pl.col("__cap")))
    )
    return lines, issues(frame, code, pl.lit(""), value, pl.col("__by"))
