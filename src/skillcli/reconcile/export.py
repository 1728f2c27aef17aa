"""The 代发 disbursement workbook of a committed run: one line per payee, one sheet per payee type.

A payee (payee type + payee id) with several lines in the run (an enterprise paid for many
trainees, a person paid two subsidies) gets one bank line for the sum. The sum of the bank lines
is the run's control total, to the fen, or nothing is written. Each bank line is recorded in the
ledger's ``disbursements`` table (once per run and payee), which the reconciliation matches the
bank's return file against.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from skillcli.errors import InconsistencyError, UsageError
from skillcli.io.writer import Column, Workbook
from skillcli.model import PayeeType
from skillcli.money import format_yuan
from skillcli.reconcile.tables import TableSpec, read_table
from skillcli.schema.parse import compact_upper

if TYPE_CHECKING:
    from skillcli.ledger.store import Ledger

ACCOUNTS = TableSpec(
    aliases={
        "payee_id": ("payee_id", "统一社会信用代码", "收款方代码", "身份证号码", "证件号码", "代码"),
        "account": ("account", "账号", "银行账号", "收款账号", "卡号"),
        "bank": ("bank", "开户行", "开户银行", "收款账号开户行"),
        "name": ("name", "户名", "账户名", "收款账号名称", "账户名称"),
    },
    required=(("payee_id",), ("account",)),
    label_zh="收款账户清单",
    label_en="accounts list",
)
ID_HEADER = {
    PayeeType.PERSON: "身份证号码",
    PayeeType.ENTERPRISE: "统一社会信用代码",
    PayeeType.INSTITUTION: "统一社会信用代码",
}
PAYEE_SCHEMA: dict[str, Any] = {
    "payee_type": pl.String,
    "payee_id": pl.String,
    "holder": pl.String,
    "account": pl.String,
    "bank": pl.String,
    "amount_fen": pl.Int64,
    "lines": pl.UInt32,
    "line_ids": pl.List(pl.Int64),
    "summary": pl.String,
}


@dataclass(slots=True)
class BankExport:
    """The bank lines of one run. ``payees`` has ``PAYEE_SCHEMA``; amounts are fen."""

    run: dict[str, Any]
    payees: pl.DataFrame
    zero_payees: int  # payees whose lines sum to 0 (fully advanced earlier): no bank line

    @property
    def total_fen(self) -> int:
        return int(self.payees.get_column("amount_fen").sum()) if self.payees.height else 0

    @property
    def missing_accounts(self) -> int:
        return self.payees.filter(pl.col("account").is_null()).height

    def by_type(self) -> list[tuple[PayeeType, pl.DataFrame]]:
        return [
            (t, self.payees.filter(pl.col("payee_type") == t.value))
            for t in PayeeType
            if self.payees.filter(pl.col("payee_type") == t.value).height
        ]


def load_accounts(path: Path | None) -> pl.DataFrame:
    """payee_id → account, bank and (optionally) the account holder's name, from a CSV or workbook."""
    schema = {"payee_id": pl.String, "csv_account": pl.String, "csv_bank": pl.String, "csv_name": pl.String}
    if path is None:
        return pl.DataFrame(schema=schema)
    table = read_table(path, ACCOUNTS)
    return (
        table.frame.select(
            compact_upper(pl.col("payee_id")).alias("payee_id"),
            pl.col("account").str.replace_all(r"[\s\-]", "").alias("csv_account"),
            pl.col("bank").alias("csv_bank"),
            pl.col("name").alias("csv_name"),
        )
        .filter(pl.col("payee_id").is_not_null())
        .unique("payee_id", keep="last", maintain_order=True)
    )


def check_exportable(run: dict[str, Any]) -> None:
    if run["kind"] == "void":
        raise UsageError(
            f"批次 {run['run_id']} 是作废记录，不能生成代发文件",
            f"run {run['run_id']} is a void record; it has nothing to pay",
        )
    if run["voided"]:
        raise UsageError(
            f"批次 {run['run_id']} 已作废，不能生成代发文件", f"run {run['run_id']} was voided; nothing to pay"
        )


def build_export(run: dict[str, Any], lines: pl.DataFrame, accounts: pl.DataFrame) -> BankExport:
    """Aggregate the run's payment and advance lines per payee and attach accounts and 摘要."""
    check_exportable(run)
    if lines.height == 0:
        raise UsageError(f"批次 {run['run_id']} 没有付款行", f"run {run['run_id']} has no payment lines")
    for optional in ("bank_account", "account_name"):
        if optional not in lines.columns:
            lines = lines.with_columns(pl.lit(None, pl.String).alias(optional))
    # A run none of whose lines has an account (a voucher run pays institutions only) reads those
    # columns back as all-null, untyped: type them, as every other text column.
    lines = lines.with_columns(pl.col("bank_account", "account_name", "payee_name", "name").cast(pl.String))
    live = lines.filter(pl.col("kind").is_in(["payment", "advance"])).sort("line_id")
    person = pl.col("payee_type") == PayeeType.PERSON.value
    grouped = (
        live.with_columns(
            pl.when(person)
            .then(pl.coalesce("account_name", "payee_name", "name"))
            .otherwise(pl.col("payee_name"))
            .alias("holder"),
            pl.when(person).then(pl.col("bank_account").str.replace_all(r"[\s\-]", "")).otherwise(None).alias("own"),
        )
        .group_by("payee_type", "payee_id", maintain_order=True)
        .agg(
            pl.col("holder").drop_nulls().first(),
            pl.col("own").drop_nulls().last(),
            pl.col("amount_fen").sum(),
            pl.len().alias("lines"),
            pl.col("line_id").cast(pl.Int64).alias("line_ids"),
            pl.col("subsidy").first().alias("first_subsidy"),
            pl.col("subsidy").n_unique().alias("subsidies"),
        )
    )
    advance = " 预拨" if run["kind"] == "advance" else ""
    payees = (
        grouped.join(accounts, on="payee_id", how="left")
        .select(
            "payee_type",
            "payee_id",
            pl.coalesce("csv_name", "holder").alias("holder"),
            pl.coalesce("own", "csv_account").alias("account"),
            pl.col("csv_bank").alias("bank"),
            "amount_fen",
            "lines",
            "line_ids",
            pl.concat_str(
                [
                    pl.lit(f"{run['period']} "),
                    pl.col("first_subsidy"),
                    pl.when(pl.col("subsidies") > 1).then(pl.lit("等")).otherwise(pl.lit("")),
                    pl.lit(f"{advance} "),
                    pl.col("lines").cast(pl.String),
                    pl.lit(" 笔"),
                ]
            ).alias("summary"),
        )
        .cast(PAYEE_SCHEMA)  # type: ignore[arg-type]
    )
    zero = payees.filter(pl.col("amount_fen") == 0).height
    export = BankExport(run, payees.filter(pl.col("amount_fen") != 0), zero)
    lines_total = int(live.get_column("amount_fen").sum())
    run_total = int(run["total_fen"])
    if export.total_fen != run_total or lines_total != run_total:
        raise InconsistencyError(
            f"代发合计 {format_yuan(export.total_fen)} 与批次合计 {format_yuan(run_total)} 不符",
            f"bank total {format_yuan(export.total_fen)} differs from the run total {format_yuan(run_total)}",
        )
    if export.payees.filter(pl.col("amount_fen") < 0).height:
        raise InconsistencyError("代发金额不能为负数", "a bank line cannot be negative")
    return export


def write_export(path: Path, export: BankExport) -> None:
    """The workbook: one sheet per payee type (户名, 账号, 开户行, 金额, 证件号, 摘要) and 汇总."""
    run = export.run
    book = Workbook(path)
    try:
        summary_rows: list[list[Any]] = []
        for payee_type, frame in export.by_type():
            book.table(
                payee_type.label_zh,
                (
                    Column("户名", width=24),
                    Column("账号", width=24),
                    Column("开户行", width=24),
                    Column("金额", "money", 14),
                    Column(ID_HEADER[payee_type], width=21),
                    Column("摘要", width=36),
                ),
                frame.select("holder", "account", "bank", "amount_fen", "payee_id", "summary").rows(),
            )
            summary_rows.append(
                [
                    payee_type.label_zh,
                    frame.height,
                    int(frame.get_column("lines").sum()),
                    int(frame.get_column("amount_fen").sum()),
                ]
            )
        summary_rows.append(
            [
                "合计（控制总额）",
                export.payees.height,
                int(export.payees.get_column("lines").sum()) if export.payees.height else 0,
                export.total_fen,
            ]
        )
        summary_rows.append(["批次合计（台账）", None, int(run["line_count"]), int(run["total_fen"])])
        summary_rows.append(["缺少账号", export.missing_accounts, None, None])
        if export.zero_payees:
            summary_rows.append(["金额为 0 未列入", export.zero_payees, None, None])
        book.table(
            "汇总",
            (
                Column("项目", width=20),
                Column("收款方数", "int", 10),
                Column("笔数", "int", 8),
                Column("金额", "money", 16),
            ),
            summary_rows,
            title=f"代发汇总 批次 {run['run_id']}（{run['period']}，{run['policy_id']}）",
        )
    finally:
        book.close()


def disbursement_rows(export: BankExport, exported_at: str) -> list[dict[str, Any]]:
    """The rows for the ledger's ``disbursements`` table, in the workbook's order."""
    ordered = pl.concat([frame for _, frame in export.by_type()]) if export.payees.height else export.payees
    return [
        {
            "run_id": export.run["run_id"],
            "payee_type": r["payee_type"],
            "payee_id": r["payee_id"],
            "payee_name": r["holder"],
            "account": r["account"],
            "amount_fen": r["amount_fen"],
            "summary": r["summary"],
            "line_ids": json.dumps(r["line_ids"]),
            "exported_at": exported_at,
        }
        for r in ordered.iter_rows(named=True)
    ]


@dataclass(slots=True)
class Recorded:
    """What an export did to the ledger: disbursement ids, how many were new, accounts that changed."""

    ids: list[int]
    new: int
    changed_accounts: int


def record_export(ledger: Ledger, export: BankExport) -> Recorded:
    """Record the bank lines once per run and payee; a re-export finds them and adds nothing.

    The ledger is insert-only, so a second export keeps the first export's account. When a
    re-export carries a different account (a missing one supplied later), the reconciliation still
    matches that payee by ID or by 户名 and amount; the count is reported so the clerk knows.
    """
    from skillcli.ledger.queries import disbursements
    from skillcli.ledger.store import now_text

    before = disbursements(ledger, [export.run["run_id"]])
    rows = disbursement_rows(export, now_text())
    ids = ledger.record_disbursements(rows)
    known = {(r["payee_type"], r["payee_id"]): r["account"] for r in before.iter_rows(named=True)}
    changed = sum(
        1
        for r in rows
        if (r["payee_type"], r["payee_id"]) in known and known[(r["payee_type"], r["payee_id"])] != r["account"]
    )
    new = sum(1 for r in rows if (r["payee_type"], r["payee_id"]) not in known)
    return Recorded(ids, new, changed)
