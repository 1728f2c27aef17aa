"""reconciliation.xlsx (汇总 with the control totals, then one sheet per class) and reconciliation.csv."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from skillcli.io.writer import Column, OutputSet, Workbook, write_csv
from skillcli.model import PayeeType
from skillcli.money import format_yuan
from skillcli.reconcile.match import CLASS_ZH, CLASSES, MATCH_ZH, Reconciliation

CSV_HEADER = (
    "class",
    "run_id",
    "disb_id",
    "payee_type",
    "payee_id",
    "payee_name",
    "account",
    "ledger_yuan",
    "return_yuan",
    "difference_yuan",
    "bank_status",
    "reason",
    "match",
    "return_row",
    "return_name",
    "return_account",
    "return_id",
    "note",
)
_TEXT_COLUMNS = {1, 4, 5, 6, 10, 11, 14, 15, 16, 17}
_PAYEE_ZH = {p.value: p.label_zh for p in PayeeType}
ITEM_COLUMNS = (
    Column("批次", width=22),
    Column("收款方类型", width=10),
    Column("证件号/信用代码", width=21),
    Column("户名", width=20),
    Column("账号", width=22),
    Column("台账金额", "money", 14),
    Column("回盘金额", "money", 14),
    Column("差额", "money", 12),
    Column("银行状态", width=10),
    Column("失败原因", width=20),
    Column("匹配方式", width=14),
    Column("回盘行号", "int", 8),
    Column("回盘户名", width=16),
    Column("回盘账号", width=22),
    Column("说明", width=30),
)


def _yuan(fen: int | None) -> str:
    return "" if fen is None else format_yuan(fen)


def control_rows(totals: dict[str, int]) -> list[tuple[str, int, int]]:
    """(label, count, fen) of the 汇总 sheet and the terminal, in the order the balances read."""
    return [
        ("导出代发合计（台账）", totals["exported_count"], totals["exported_fen"]),
        ("  已支付", totals["paid_count"], totals["paid_fen"]),
        ("  失败（待补发）", totals["failed_count"], totals["failed_fen"]),
        ("  金额不符（台账金额）", totals["amount_mismatch_count"], totals["amount_mismatch_fen"]),
        ("  台账有回盘无", totals["not_in_return_count"], totals["not_in_return_fen"]),
        ("  处理中", totals["pending_count"], totals["pending_fen"]),
        ("回盘合计", totals["return_count"], totals["return_fen"]),
        ("  已匹配", totals["matched_count"], totals["matched_return_fen"]),
        ("  回盘有台账无", totals["not_in_ledger_count"], totals["not_in_ledger_fen"]),
        ("回盘成功", totals["return_success_count"], totals["return_success_fen"]),
        ("回盘失败", totals["return_failed_count"], totals["return_failed_fen"]),
        ("回盘处理中", totals["return_pending_count"], totals["return_pending_fen"]),
        ("金额不符差额（回盘 − 台账）", totals["amount_mismatch_count"], totals["mismatch_difference_fen"]),
    ]


def write_reconciliation(out: OutputSet, result: Reconciliation) -> None:
    _workbook(out.path("reconciliation.xlsx"), result)
    rows: list[list[Any]] = [
        [
            r["class"],
            r["run_id"],
            r["disb_id"],
            r["payee_type"],
            r["payee_id"],
            r["payee_name"],
            r["account"],
            _yuan(r["ledger_fen"]),
            _yuan(r["return_fen"]),
            _yuan(r["difference_fen"]),
            r["bank_status"],
            r["reason"],
            r["match"],
            r["return_row"],
            r["return_name"],
            r["return_account"],
            r["return_id"],
            r["note"],
        ]
        for r in result.items.iter_rows(named=True)
    ]
    write_csv(out.path("reconciliation.csv"), CSV_HEADER, rows, safe_columns=_TEXT_COLUMNS)


def _workbook(path: Path, result: Reconciliation) -> None:
    ret = result.bank_return
    book = Workbook(path)
    try:
        book.table(
            "汇总",
            (Column("项目", width=30), Column("笔数", "int", 8), Column("金额", "money", 16)),
            [[label, n, fen] for label, n, fen in control_rows(result.totals)],
            title=f"回盘对账 {ret.path.name}（SHA-256 {ret.sha256}）批次 {'、'.join(result.runs) or '—'}",
        )
        for cls in CLASSES:
            part = result.of(cls)
            book.table(CLASS_ZH[cls], ITEM_COLUMNS, _item_rows(part))
    finally:
        book.close()


def _item_rows(frame: pl.DataFrame) -> list[list[Any]]:
    return [
        [
            r["run_id"],
            _PAYEE_ZH.get(r["payee_type"] or "", r["payee_type"]),
            r["payee_id"] or r["return_id"],
            r["payee_name"],
            r["account"],
            r["ledger_fen"],
            r["return_fen"],
            r["difference_fen"],
            r["bank_status"],
            r["reason"],
            MATCH_ZH.get(r["match"], r["match"]) if r["match"] else None,
            r["return_row"],
            r["return_name"],
            r["return_account"],
            r["note"],
        ]
        for r in frame.iter_rows(named=True)
    ]
