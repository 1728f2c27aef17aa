"""Match a bank return to the exported disbursements and classify every line, with control totals.

Matching is one-to-one and vectorised: a sequence of passes, each an equi-join on a key between
the return lines and the disbursements still unmatched, where duplicates of a key are paired in
order (``int_range().over(key)`` on both sides). The passes, strongest first:

1. account and amount, 2. account, 3. ID number and amount, 4. ID number, 5. 户名 and amount.
A return line that carries a full account number never matches a line sent to another account.

Among disbursements with the same key the oldest comes first. The candidates are chosen before
matching (``reconcile.scope``): lines already confirmed by another return and lines of voided runs
are never among them. Every return line ends in exactly one class, and so does every
disbursement of the runs the return covers:

* ``paid`` — 成功 and the amount equals the ledger's;
* ``failed`` — 失败 (returned, 退票), with the bank's reason: to be reissued;
* ``amount-mismatch`` — 成功 but another amount (or an unreadable one);
* ``pending`` — 处理中, or a status that is not recognised (never counted as paid);
* ``not-in-ledger`` — in the return, matching no disbursement;
* ``not-in-return`` — exported to the bank, absent from the return.

Control totals, to the fen: exported = paid + failed + mismatch + not-in-return + pending (ledger
amounts), and return total = matched + not-in-ledger (bank amounts).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from skillcli.errors import InconsistencyError
from skillcli.money import format_yuan
from skillcli.reconcile.returns import BankReturn
from skillcli.schema.parse import compact_upper

CLASSES = ("paid", "failed", "amount-mismatch", "pending", "not-in-ledger", "not-in-return")
CLASS_ZH = {
    "paid": "已支付",
    "failed": "失败待补发",
    "amount-mismatch": "金额不符",
    "pending": "处理中",
    "not-in-ledger": "回盘有台账无",
    "not-in-return": "台账有回盘无",
}
EVENT_KIND = {
    "paid": "bank-paid",
    "failed": "bank-failed",
    "amount-mismatch": "bank-mismatch",
    "pending": "bank-pending",
}
MATCH_PASSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("account+amount", ("k_account", "k_amount")),
    ("account", ("k_account",)),
    ("id+amount", ("k_id", "k_amount")),
    ("id", ("k_id",)),
    ("name+amount", ("k_name", "k_amount")),
)
# How a line was found, as reconciliation.xlsx says it (the CSV keeps the identifiers, for programs).
MATCH_ZH = {
    "account+amount": "账号+金额",
    "account": "账号",
    "id+amount": "证件号码+金额",
    "id": "证件号码",
    "name+amount": "户名+金额",
}
ITEM_SCHEMA: dict[str, Any] = {
    "class": pl.String,
    "run_id": pl.String,
    "disb_id": pl.Int64,
    "payee_type": pl.String,
    "payee_id": pl.String,
    "payee_name": pl.String,
    "account": pl.String,
    "ledger_fen": pl.Int64,
    "return_fen": pl.Int64,
    "difference_fen": pl.Int64,
    "bank_status": pl.String,
    "reason": pl.String,
    "match": pl.String,
    "return_row": pl.Int64,
    "return_name": pl.String,
    "return_account": pl.String,
    "return_id": pl.String,
    "note": pl.String,
}


@dataclass(slots=True)
class Reconciliation:
    """Every item of one return file against the ledger, and the control totals (fen)."""

    bank_return: BankReturn
    runs: list[str]  # the runs this return covers
    items: pl.DataFrame  # ITEM_SCHEMA, ordered by class then return row / payee
    totals: dict[str, int] = field(default_factory=dict)

    def of(self, cls: str) -> pl.DataFrame:
        return self.items.filter(pl.col("class") == cls)

    @property
    def all_paid(self) -> bool:
        return self.items.height > 0 and self.items.filter(pl.col("class") != "paid").height == 0


def _keys_return(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("r_idx"),
        pl.col("account").alias("k_account"),
        pl.col("id_number").alias("k_id"),
        pl.col("name").alias("k_name"),
        pl.col("return_fen").alias("k_amount"),
    )


def _keys_ledger(disb: pl.DataFrame) -> pl.DataFrame:
    return disb.with_columns(
        pl.col("account").str.replace_all(r"[\s\-]", "").alias("k_account"),
        compact_upper(pl.col("payee_id")).alias("k_id"),
        pl.col("payee_name").str.replace_all(r"\s", "").alias("k_name"),
        pl.col("amount_fen").alias("k_amount"),
    ).sort("disb_id")


def match_lines(ret: pl.DataFrame, ledger: pl.DataFrame) -> pl.DataFrame:
    """(r_idx, disb_id, match) pairs, one-to-one, by the passes in ``MATCH_PASSES``."""
    pairs: list[pl.DataFrame] = []
    used_r = pl.Series("r_idx", [], dtype=pl.Int64)
    used_d = pl.Series("disb_id", [], dtype=pl.Int64)
    for label, keys in MATCH_PASSES:
        left = ret.filter(~pl.col("r_idx").is_in(used_r.implode()), *(pl.col(k).is_not_null() for k in keys))
        right = ledger.filter(~pl.col("disb_id").is_in(used_d.implode()), *(pl.col(k).is_not_null() for k in keys))
        if left.height == 0 or right.height == 0:
            continue
        rank = pl.int_range(pl.len(), dtype=pl.Int64).over(list(keys)).alias("k_rank")
        extra = [] if "k_account" in keys else [pl.col("k_account")]
        joined = (
            left.sort("r_idx")
            .select("r_idx", *keys, rank, *extra)
            .join(right.select("disb_id", *keys, rank, *extra), on=[*keys, "k_rank"], how="inner")
        )
        if extra:
            # A line the bank paid or refused on one full account number is not the answer for a
            # line sent to another (the refused line and its 补发 to a corrected account share 户名
            # and amount). A masked or blank account in the return says nothing either way.
            other = pl.col("k_account").str.contains(r"^\d+$") & pl.col("k_account_right").is_not_null()
            joined = joined.filter(~(other & (pl.col("k_account") != pl.col("k_account_right"))).fill_null(False))
        found = joined.select("r_idx", "disb_id", pl.lit(label).alias("match"))
        pairs.append(found)
        used_r = pl.concat([used_r, found.get_column("r_idx")])
        used_d = pl.concat([used_d, found.get_column("disb_id")])
    if not pairs:
        return pl.DataFrame(schema={"r_idx": pl.Int64, "disb_id": pl.Int64, "match": pl.String})
    return pl.concat(pairs)


def reconcile(
    bank_return: BankReturn, disbursements: pl.DataFrame, scope: Sequence[str] | None = None
) -> Reconciliation:
    """Classify every return line and every disbursement of the covered runs.

    ``disbursements``: the candidates (``reconcile.scope.candidates``); ``scope``: the runs the
    return is for (default: the runs of the matched lines).
    """
    if scope:
        disbursements = disbursements.filter(pl.col("run_id").is_in(list(scope)))
    ret = _keys_return(bank_return.frame)
    led = _keys_ledger(disbursements)
    pairs = match_lines(ret, led)
    runs = sorted(set(scope) if scope else set(led.join(pairs, on="disb_id").get_column("run_id").to_list()))
    covered = led.filter(pl.col("run_id").is_in(runs))

    ledger_cols = [pl.col(c) for c in ("run_id", "disb_id", "payee_type", "payee_id", "payee_name", "account")]
    view = ret.select(
        "r_idx",
        pl.col("_row").alias("return_row"),
        pl.col("name").alias("return_name"),
        pl.col("account").alias("return_account"),
        pl.col("id_number").alias("return_id"),
        "return_fen",
        "amount_text",
        "status",
        pl.col("status_text").alias("bank_status"),
        "reason",
    )
    return_cols = ("return_row", "return_name", "return_account", "return_id")
    unreadable = pl.col("amount_text").is_not_null() & pl.col("return_fen").is_null()
    amount_note = (
        pl.when(pl.col("amount_text").is_null())
        .then(pl.lit("回盘金额为空；"))
        .when(unreadable)
        .then(pl.lit("回盘金额无法识别：") + pl.col("amount_text") + pl.lit("；"))
        .otherwise(pl.lit(""))
    )
    status_note = (
        pl.when(pl.col("status") == "unknown")
        .then(pl.lit("状态无法识别：") + pl.col("bank_status").fill_null("（空）") + pl.lit("；"))
        .otherwise(pl.lit(""))
    )
    note = pl.concat_str([amount_note, status_note]).str.strip_chars_end("；")
    cls = (
        pl.when(pl.col("status") == "failed")
        .then(pl.lit("failed"))
        .when(pl.col("status").is_in(["pending", "unknown"]))
        .then(pl.lit("pending"))
        .when(pl.col("return_fen") == pl.col("amount_fen"))
        .then(pl.lit("paid"))
        .otherwise(pl.lit("amount-mismatch"))
    )
    ledger_view = led.select("run_id", "disb_id", "payee_type", "payee_id", "payee_name", "account", "amount_fen")
    matched = pairs.join(view, on="r_idx").join(ledger_view, on="disb_id")
    matched_items = matched.select(
        cls.alias("class"),
        *ledger_cols,
        pl.col("amount_fen").alias("ledger_fen"),
        "return_fen",
        (pl.col("return_fen") - pl.col("amount_fen")).alias("difference_fen"),
        "bank_status",
        "reason",
        "match",
        *return_cols,
        pl.when(note == "").then(None).otherwise(note).alias("note"),
        "r_idx",
    )
    unmatched = view.filter(~pl.col("r_idx").is_in(pairs.get_column("r_idx").implode()))
    unmatched_items = unmatched.select(
        pl.lit("not-in-ledger").alias("class"),
        pl.lit(None, pl.String).alias("run_id"),
        pl.lit(None, pl.Int64).alias("disb_id"),
        pl.lit(None, pl.String).alias("payee_type"),
        pl.lit(None, pl.String).alias("payee_id"),
        pl.lit(None, pl.String).alias("payee_name"),
        pl.lit(None, pl.String).alias("account"),
        pl.lit(None, pl.Int64).alias("ledger_fen"),
        "return_fen",
        pl.lit(None, pl.Int64).alias("difference_fen"),
        "bank_status",
        "reason",
        pl.lit(None, pl.String).alias("match"),
        *return_cols,
        pl.when(note == "").then(None).otherwise(note).alias("note"),
        "r_idx",
    )
    missing = covered.filter(~pl.col("disb_id").is_in(pairs.get_column("disb_id").implode()))
    missing_items = missing.select(
        pl.lit("not-in-return").alias("class"),
        *ledger_cols,
        pl.col("amount_fen").alias("ledger_fen"),
        pl.lit(None, pl.Int64).alias("return_fen"),
        pl.lit(None, pl.Int64).alias("difference_fen"),
        pl.lit(None, pl.String).alias("bank_status"),
        pl.lit(None, pl.String).alias("reason"),
        pl.lit(None, pl.String).alias("match"),
        pl.lit(None, pl.Int64).alias("return_row"),
        pl.lit(None, pl.String).alias("return_name"),
        pl.lit(None, pl.String).alias("return_account"),
        pl.lit(None, pl.String).alias("return_id"),
        pl.lit(None, pl.String).alias("note"),
        pl.lit(None, pl.Int64).alias("r_idx"),
    )
    order = pl.col("class").replace_strict({c: i for i, c in enumerate(CLASSES)}, return_dtype=pl.Int64)
    items = (
        pl.concat([matched_items, unmatched_items, missing_items], how="vertical_relaxed")
        .sort(order, "r_idx", "disb_id", nulls_last=True)
        .drop("r_idx")
        .cast(ITEM_SCHEMA)  # type: ignore[arg-type]
    )
    result = Reconciliation(bank_return, runs, items)
    result.totals = control_totals(result, covered, ret)
    return result


def _sum(frame: pl.DataFrame, column: str) -> int:
    return int(frame.get_column(column).fill_null(0).sum()) if frame.height else 0


def control_totals(result: Reconciliation, covered: pl.DataFrame, ret: pl.DataFrame) -> dict[str, int]:
    """Counts and fen per class; both balances are recomputed from independent sources and checked."""
    totals: dict[str, int] = {
        "exported_count": covered.height,
        "exported_fen": _sum(covered, "amount_fen"),
        "return_count": ret.height,
        "return_fen": _sum(ret, "return_fen"),
    }
    for cls in CLASSES:
        part = result.of(cls)
        key = cls.replace("-", "_")
        totals[f"{key}_count"] = part.height
        totals[f"{key}_fen"] = _sum(part, "return_fen" if cls == "not-in-ledger" else "ledger_fen")
    matched = result.items.filter(pl.col("disb_id").is_not_null() & pl.col("return_row").is_not_null())
    totals["matched_count"] = matched.height
    totals["matched_return_fen"] = _sum(matched, "return_fen")
    for status in ("success", "failed", "pending"):
        part = ret.filter(pl.col("status") == status)
        totals[f"return_{status}_count"] = part.height
        totals[f"return_{status}_fen"] = _sum(part, "return_fen")
    totals["mismatch_difference_fen"] = _sum(result.of("amount-mismatch"), "difference_fen")
    ledger_side = sum(totals[f"{c}_fen"] for c in ("paid", "failed", "amount_mismatch", "not_in_return", "pending"))
    ledger_count = sum(totals[f"{c}_count"] for c in ("paid", "failed", "amount_mismatch", "not_in_return", "pending"))
    if ledger_side != totals["exported_fen"] or ledger_count != totals["exported_count"]:
        exported, classes = _yuan(totals["exported_fen"]), _yuan(ledger_side)
        raise InconsistencyError(
            f"对账不平：导出 {exported} ≠ 各类合计 {classes}",
            f"reconciliation does not balance: exported {exported} ≠ classes {classes}",
        )
    bank_side = totals["matched_return_fen"] + totals["not_in_ledger_fen"]
    if bank_side != totals["return_fen"] or totals["matched_count"] + totals["not_in_ledger_count"] != ret.height:
        returned, answered = _yuan(totals["return_fen"]), _yuan(bank_side)
        raise InconsistencyError(
            f"对账不平：回盘 {returned} ≠ 已匹配 + 未匹配 {answered}",
            f"reconciliation does not balance: return {returned} ≠ matched + unmatched {answered}",
        )
    return totals


def _yuan(fen: int) -> str:
    return format_yuan(fen, grouping=True)


def event_rows(result: Reconciliation, at: str) -> list[dict[str, Any]]:
    """One ``events`` row per matched disbursement (bank-paid / bank-failed / bank-mismatch / bank-pending)."""
    name = result.bank_return.path.name
    matched = result.items.filter(pl.col("class").is_in(list(EVENT_KIND)))
    return [
        {
            "at": at,
            "kind": EVENT_KIND[r["class"]],
            "disb_id": r["disb_id"],
            "amount_fen": r["return_fen"],
            "detail": json.dumps(
                {
                    "file": name,
                    "row": r["return_row"],
                    "status": r["bank_status"],
                    "reason": r["reason"],
                    "match": r["match"],
                    "note": r["note"],
                },
                ensure_ascii=False,
            ),
        }
        for r in matched.iter_rows(named=True)
    ]
