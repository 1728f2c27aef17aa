"""The 对账单 of one payee (an enterprise, an institution, or a person): lines, runs, bank results, balance.

Entitled is what live lines (runs not voided) owe the payee; paid is what the bank confirmed, in the
bank's own amounts (a short payment counts as what was paid), following reissues (补发) so a line
paid on its second attempt counts once; outstanding is entitled − paid. Trainees' ID numbers are
masked: the statement goes to the payee, outside the office.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from skillcli.io.writer import Column, Workbook
from skillcli.model import PayeeType
from skillcli.report.publish import level_text
from skillcli.text import mask_id

RESULT_ZH = {
    "bank-paid": "已支付",
    "bank-mismatch": "金额不符（按银行实付）",
    "bank-failed": "失败待补发",
    "bank-pending": "处理中",
}
PAID_KINDS = ("bank-paid", "bank-mismatch")


@dataclass(slots=True)
class Statement:
    """One payee's lines (``queries.LINE_SCHEMA``) and bank outcomes (``queries.OUTCOME_SCHEMA``)."""

    payee_id: str
    year: int | None
    runs: list[dict[str, Any]]
    lines: pl.DataFrame
    outcomes: pl.DataFrame

    @property
    def payee_name(self) -> str | None:
        names = self.lines.get_column("payee_name").drop_nulls()
        return str(names[0]) if names.len() else None

    @property
    def payee_type(self) -> str:
        return str(self.lines.get_column("payee_type")[0])

    def balance(self) -> dict[str, int]:
        """Fen: entitled, exported, paid (bank's amounts), failed, pending, awaiting a return, outstanding."""

        def fen(frame: pl.DataFrame, column: str = "amount_fen") -> int:
            return int(frame.get_column(column).sum()) if frame.height else 0

        kind = pl.col("kind")
        entitled = fen(self.lines)
        paid = fen(self.outcomes.filter(kind.is_in(PAID_KINDS)), "event_fen")
        return {
            "entitled_fen": entitled,
            "exported_fen": fen(self.outcomes),
            "not_exported_fen": entitled - fen(self.outcomes),
            "paid_fen": paid,
            "failed_fen": fen(self.outcomes.filter(kind == "bank-failed")),
            "pending_fen": fen(self.outcomes.filter(kind == "bank-pending")),
            "awaiting_fen": fen(self.outcomes.filter(kind.is_null())),
            "outstanding_fen": entitled - paid,
        }


def write_statement(path: Path, st: Statement, today: dt.date) -> None:
    """Sheets 对账单 (the balance), 批次 (per run), 明细 (lines) and 代发 (bank lines and results)."""
    b = st.balance()
    person = st.payee_type == PayeeType.PERSON.value
    book = Workbook(path)
    try:
        book.key_values(
            "对账单",
            f"职业技能培训补贴对账单 {st.payee_name or ''}（{st.year or '全部'} 年度）",
            [
                ("收款方", st.payee_name, "text"),
                (
                    "身份证号码" if person else "统一社会信用代码",
                    mask_id(st.payee_id) if person else st.payee_id,
                    "text",
                ),
                ("年度", str(st.year) if st.year else "全部", "text"),
                ("出具日期", today.isoformat(), "text"),
                ("应发合计", b["entitled_fen"], "money"),
                ("已导出代发", b["exported_fen"], "money"),
                ("未导出代发", b["not_exported_fen"], "money"),
                ("银行已付", b["paid_fen"], "money"),
                ("失败待补发", b["failed_fen"], "money"),
                ("银行处理中", b["pending_fen"], "money"),
                ("已导出、银行尚未回盘", b["awaiting_fen"], "money"),
                ("未付余额（应发 − 已付）", b["outstanding_fen"], "money"),
            ],
        )
        outcome = st.outcomes
        per_run = []
        for run in st.runs:
            lines = st.lines.filter(pl.col("run_id") == run["run_id"])
            if lines.height == 0:
                continue
            disb = outcome.filter(pl.col("run_id") == run["run_id"])
            results = sorted({RESULT_ZH.get(str(k), "已导出未回盘") for k in disb.get_column("kind").to_list()})
            paid = disb.filter(pl.col("kind").is_in(PAID_KINDS))
            per_run.append(
                [
                    run["run_id"],
                    run["period"],
                    "预拨" if run["kind"] == "advance" else "发放",
                    lines.height,
                    int(lines.get_column("amount_fen").sum()),
                    int(disb.get_column("amount_fen").sum()) if disb.height else None,
                    "、".join(results) if results else "未导出",
                    int(paid.get_column("event_fen").sum()) if paid.height else 0,
                ]
            )
        book.table(
            "批次",
            (
                Column("批次号", width=24),
                Column("月份", width=9),
                Column("类型", width=6),
                Column("笔数", "int", 6),
                Column("应发金额", "money", 14),
                Column("代发金额", "money", 14),
                Column("银行结果", width=24),
                Column("银行已付", "money", 14),
            ),
            per_run,
        )
        book.table(
            "明细",
            (
                Column("批次号", width=24),
                Column("月份", width=9),
                Column("姓名", width=10),
                Column("身份证号码", width=21),
                Column("补贴项目", width=30),
                Column("等级", width=13),
                Column("金额", "money", 12),
            ),
            [
                [
                    r["run_id"],
                    r["period"],
                    r["name"],
                    mask_id(r["person_id"]),
                    r["subsidy"],
                    level_text(r["level"]),
                    r["amount_fen"],
                ]
                for r in st.lines.iter_rows(named=True)
            ],
        )
        book.table(
            "代发",
            (
                Column("批次号", width=24),
                Column("导出时间", width=20),
                Column("账号", width=24),
                Column("代发金额", "money", 14),
                Column("发送次数", "int", 8),
                Column("最新结果", width=20),
                Column("银行金额", "money", 14),
            ),
            [
                [
                    r["run_id"],
                    str(r["exported_at"])[:19].replace("T", " "),
                    r["last_account"],
                    r["amount_fen"],
                    r["attempts"],
                    RESULT_ZH.get(str(r["kind"]), "已导出，银行尚未回盘"),
                    r["event_fen"],
                ]
                for r in outcome.iter_rows(named=True)
            ],
        )
    finally:
        book.close()
