"""Bank-ready 代发 files: a committed run's payees (``export-bank``) or its failed lines again (``reissue``).

A payee (payee type + payee id) with several lines in the run (an enterprise paid for many
trainees, a person paid two subsidies) gets one bank line for the sum. Each bank line carries the
payee's latest account on record (``ledger.queries.latest_accounts``); a payee without one is moved
to the 缺账号待补 sheet and left out of the amount sent. A run is sent once: a payee the run already
exported is never written again (a failed one is paid again by ``reissue``), so the file plus the
earlier files plus the payees still without an account make up the run's total, to the fen.

The file is written and renamed into place inside the ledger transaction that records its bank
lines (``disbursements``) and the accounts given, so either both happen or neither.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from skillcli.errors import InconsistencyError, UsageError
from skillcli.io.layout import TableSpec, read_table
from skillcli.io.writer import CellKind, Column, Workbook
from skillcli.model import PayeeType
from skillcli.money import format_yuan
from skillcli.reconcile.layout import BankLayout
from skillcli.schema.parse import compact_upper
from skillcli.text import mask_id

if TYPE_CHECKING:
    from skillcli.ledger.store import Ledger

ACCOUNTS = TableSpec(
    aliases={
        "payee_id": ("payee_id", "统一社会信用代码", "收款方代码", "身份证号码", "证件号码", "代码"),
        "account": ("account", "账号", "银行账号", "收款账号", "卡号"),
        "bank": ("bank", "开户行", "开户银行", "收款账号开户行"),
        "name": ("name", "户名", "姓名", "账户名", "收款账号名称", "账户名称"),
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
GIVEN_SCHEMA: dict[str, Any] = {
    "payee_id": pl.String,
    "account": pl.String,
    "bank": pl.String,
    "name": pl.String,
    "source": pl.String,
}
STATUS_ZH = {
    "bank-paid": "已支付",
    "bank-failed": "失败（用 reissue 补发）",
    "bank-mismatch": "金额不符",
    "bank-pending": "处理中",
}
_TYPE_ORDER = {t.value: i for i, t in enumerate(PayeeType)}


@dataclass(slots=True)
class BankFile:
    """What one bank file sends. ``sent``/``missing`` have ``PAYEE_SCHEMA``; amounts are fen.

    ``batch_id`` is the run whose 批次号 the file carries: the run itself, or the new reissue run.
    ``earlier``: payees this run exported before (never sent again), with their latest bank result.
    """

    run: dict[str, Any]
    batch_id: str
    sent: pl.DataFrame
    missing: pl.DataFrame
    earlier: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PAYEE_SCHEMA | {"status": pl.String}))
    zero_payees: int = 0  # payees whose lines sum to 0 (fully advanced earlier): no bank line
    reissue: bool = False
    failed_ids: list[int] = field(default_factory=list)  # reissue: the failed disbursement of each sent row
    new_accounts: list[dict[str, Any]] = field(default_factory=list)
    changed_accounts: list[str] = field(default_factory=list)  # payee ids whose account was corrected

    @property
    def sent_fen(self) -> int:
        return _sum(self.sent)

    @property
    def missing_fen(self) -> int:
        return _sum(self.missing)

    @property
    def earlier_fen(self) -> int:
        return _sum(self.earlier)

    def by_type(self) -> list[tuple[PayeeType, pl.DataFrame]]:
        return [
            (t, self.sent.filter(pl.col("payee_type") == t.value))
            for t in PayeeType
            if self.sent.filter(pl.col("payee_type") == t.value).height
        ]


def _sum(frame: pl.DataFrame) -> int:
    return int(frame.get_column("amount_fen").sum()) if frame.height else 0


ACCOUNT_RE = r"^[0-9]{8,32}$"  # a bank account or card number: digits only (spaces and dashes removed)
TEXT_LIMIT = 200  # 开户行 and 户名, as the ledger's columns hold them


@dataclass(slots=True)
class GivenAccounts:
    """Accounts given with ``--accounts`` (``GIVEN_SCHEMA``) and the rows left out, each described."""

    frame: pl.DataFrame
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (zh, en) per rejected row


def load_accounts(path: Path | None) -> GivenAccounts:
    """payee_id → account, bank and (optionally) the holder's name, from a CSV or workbook.

    Persons are given by their ID number, enterprises and institutions by their credit code. A row
    without an account is left out (a blank never replaces an account on record); a row whose
    account is not 8–32 digits, or whose 开户行 or 户名 is longer than the ledger holds, is left out
    and named (file, sheet, Excel row, column; the account masked): one bad row never stops the file.
    """
    if path is None:
        return GivenAccounts(pl.DataFrame(schema=GIVEN_SCHEMA))
    table = read_table(path, ACCOUNTS)
    frame = table.frame.select(
        "_row",
        compact_upper(pl.col("payee_id")).alias("payee_id"),
        pl.col("account").str.replace_all(r"[\s\-]", "").alias("account"),
        pl.col("bank"),
        pl.col("name"),
        pl.concat_str([pl.lit(f"{path.name}:{table.sheet}!"), pl.col("_row").cast(pl.String)]).alias("source"),
    ).filter(pl.col("payee_id").is_not_null() & (pl.col("account").str.len_chars() > 0))
    too_long = (pl.col("bank").str.len_chars() > TEXT_LIMIT) | (pl.col("name").str.len_chars() > TEXT_LIMIT)
    bad = (
        ~pl.col("account").str.contains(ACCOUNT_RE)
        | (pl.col("payee_id").str.len_chars() > 30)
        | too_long.fill_null(False)
    )
    rejected = []
    for r in frame.filter(bad).iter_rows(named=True):
        where = f"{path.name} {table.sheet} 第 {r['_row']} 行"
        if not re.fullmatch(ACCOUNT_RE, r["account"]):
            column, value = table.headers["account"], mask_id(r["account"])
            why_zh, why_en = "账号应为 8–32 位数字", "an account must be 8-32 digits"
        elif len(r["payee_id"]) > 30:
            column, value = table.headers["payee_id"], mask_id(r["payee_id"])
            why_zh, why_en = "代码过长", "the code is too long"
        else:
            column = table.headers["bank"] if len(r["bank"] or "") > TEXT_LIMIT else table.headers["name"]
            value, why_zh, why_en = "…", f"超过 {TEXT_LIMIT} 字", f"longer than {TEXT_LIMIT} characters"
        rejected.append(
            (
                f"收款账户清单 {where}「{column}」值「{value}」：{why_zh}，此行未采用",
                f"accounts list {path.name} sheet {table.sheet} row {r['_row']}, column {column}, value "
                f"'{value}': {why_en}; row not used",
            )
        )
    good = (
        frame.filter(~bad).drop("_row").unique("payee_id", keep="last", maintain_order=True).cast(GIVEN_SCHEMA)  # type: ignore[arg-type]
    )
    return GivenAccounts(good, rejected)


def check_exportable(run: dict[str, Any], *, reissue_ok: bool = False) -> None:
    """A run that can have bank lines: not a void record, not voided; a reissue run only if ``reissue_ok``."""
    if run["kind"] == "void":
        raise UsageError(
            f"批次 {run['run_id']} 是作废记录，不能生成代发文件",
            f"run {run['run_id']} is a void record; it has nothing to pay",
        )
    if run["kind"] == "reissue" and not reissue_ok:
        raise UsageError(
            f"批次 {run['run_id']} 是补发记录，请对原批次运行 export-bank 或 reissue",
            f"run {run['run_id']} is a reissue record; use its original run",
        )
    if run["voided"]:
        raise UsageError(
            f"批次 {run['run_id']} 已作废，不能生成代发文件", f"run {run['run_id']} was voided; nothing to pay"
        )


def resolve_accounts(
    ledger: Ledger, payee_ids: Sequence[str], given: pl.DataFrame, at: str
) -> tuple[pl.DataFrame, list[dict[str, Any]], list[str]]:
    """(latest account per payee, account rows to record, payee ids whose account was corrected).

    The accounts given now are recorded (insert-only, dated ``at``) when they differ from the latest
    on record, and so become the latest; an identical repeat records nothing.
    """
    from skillcli.ledger.queries import latest_accounts

    on_record = latest_accounts(ledger, list(set(payee_ids) | set(given.get_column("payee_id").to_list())))
    known = {r["payee_id"]: r for r in on_record.iter_rows(named=True)}
    new_rows: list[dict[str, Any]] = []
    changed: list[str] = []
    for row in given.iter_rows(named=True):
        before = known.get(row["payee_id"])
        if before is not None and (before["account"], before["bank"], before["name"]) == (
            row["account"],
            row["bank"],
            row["name"],
        ):
            continue
        if before is not None and before["account"] != row["account"]:
            changed.append(row["payee_id"])
        new_rows.append({k: row[k] for k in ("payee_id", "account", "bank", "name", "source")} | {"recorded_at": at})
        known[row["payee_id"]] = {**row, "at": at}
    latest = pl.DataFrame(
        [{k: r[k] for k in ("payee_id", "account", "bank", "name")} for r in known.values()],
        schema={"payee_id": pl.String, "account": pl.String, "bank": pl.String, "name": pl.String},
        orient="row",
    )
    return latest, new_rows, changed


def _payees(run: dict[str, Any], lines: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """The run's payment and advance lines summed per payee, with 摘要 (accounts not yet attached)."""
    for optional in ("bank_account", "account_name"):
        if optional not in lines.columns:
            lines = lines.with_columns(pl.lit(None, pl.String).alias(optional))
    # A run none of whose lines has an account (a voucher run pays institutions only) reads those
    # columns back as all-null, untyped: type them, as every other text column.
    lines = lines.with_columns(pl.col("bank_account", "account_name", "payee_name", "name").cast(pl.String))
    live = lines.filter(pl.col("kind").is_in(["payment", "advance"])).sort("line_id")
    person = pl.col("payee_type") == PayeeType.PERSON.value
    advance = " 预拨" if run["kind"] == "advance" else ""
    grouped = (
        live.with_columns(
            pl.when(person)
            .then(pl.coalesce("account_name", "payee_name", "name"))
            .otherwise(pl.col("payee_name"))
            .alias("holder")
        )
        .group_by("payee_type", "payee_id", maintain_order=True)
        .agg(
            pl.col("holder").drop_nulls().first(),
            pl.col("amount_fen").sum(),
            pl.len().alias("lines"),
            pl.col("line_id").cast(pl.Int64).alias("line_ids"),
            pl.col("subsidy").first().alias("first_subsidy"),
            pl.col("subsidy").n_unique().alias("subsidies"),
        )
        .select(
            "payee_type",
            "payee_id",
            "holder",
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
    )
    if int(live.get_column("amount_fen").sum()) != int(run["total_fen"]):
        raise InconsistencyError(
            f"批次 {run['run_id']} 的付款行合计与批次合计不符",
            f"run {run['run_id']}: lines do not sum to the run total",
        )
    if grouped.filter(pl.col("amount_fen") < 0).height:
        raise InconsistencyError("代发金额不能为负数", "a bank line cannot be negative")
    return grouped, grouped.filter(pl.col("amount_fen") == 0).height


def _attach(payees: pl.DataFrame, latest: pl.DataFrame) -> pl.DataFrame:
    """Payees with their latest account, its 开户行, and the account's 户名 when one was given."""
    return (
        payees.join(latest.rename({"name": "account_holder"}), on="payee_id", how="left")
        .with_columns(pl.coalesce("account_holder", "holder").alias("holder"))
        .with_columns(pl.col("payee_type").replace_strict(_TYPE_ORDER, return_dtype=pl.Int64).alias("_type"))
        .with_row_index("_order")
        .sort("_type", "_order")
        .select(list(PAYEE_SCHEMA))
        .cast(PAYEE_SCHEMA)  # type: ignore[arg-type]
    )


def build_export(ledger: Ledger, run: dict[str, Any], lines: pl.DataFrame, given: pl.DataFrame, at: str) -> BankFile:
    """The bank file of a run: payees not exported before, split by whether they have an account."""
    from skillcli.ledger.queries import bank_outcomes

    check_exportable(run)
    if lines.height == 0:
        raise UsageError(f"批次 {run['run_id']} 没有付款行", f"run {run['run_id']} has no payment lines")
    payees, zero = _payees(run, lines)
    payees = payees.filter(pl.col("amount_fen") != 0)
    done = bank_outcomes(ledger, [run["run_id"]])
    status = {(r["payee_type"], r["payee_id"]): r["kind"] for r in done.iter_rows(named=True)}
    key = pl.concat_str(["payee_type", "payee_id"], separator="|")
    done_keys = [f"{t}|{p}" for t, p in status]
    earlier_part = payees.filter(key.is_in(done_keys))
    todo = payees.filter(~key.is_in(done_keys))
    latest, new_accounts, changed = resolve_accounts(ledger, todo.get_column("payee_id").to_list(), given, at)
    todo = _attach(todo, latest)
    earlier = _attach(earlier_part, latest).with_columns(
        pl.struct("payee_type", "payee_id")
        .map_elements(
            lambda r: STATUS_ZH.get(str(status.get((r["payee_type"], r["payee_id"]))), "已导出，银行尚未回盘"),
            return_dtype=pl.String,
        )
        .alias("status")
    )
    export = BankFile(
        run,
        run["run_id"],
        sent=todo.filter(pl.col("account").is_not_null()),
        missing=todo.filter(pl.col("account").is_null()),
        earlier=earlier,
        zero_payees=zero,
        new_accounts=new_accounts,
        changed_accounts=changed,
    )
    recorded_fen = _sum(done)
    if earlier.height != done.height or export.earlier_fen != recorded_fen:
        raise InconsistencyError(
            f"批次 {run['run_id']} 已导出的代发行与付款行不符", f"run {run['run_id']}: recorded bank lines differ"
        )
    if export.sent_fen + export.missing_fen + export.earlier_fen != int(run["total_fen"]):
        raise InconsistencyError(
            f"代发 {format_yuan(export.sent_fen, grouping=True)} + 缺账号 {format_yuan(export.missing_fen, grouping=True)} + 此前已导出 "
            f"{format_yuan(export.earlier_fen, grouping=True)} 与批次合计 {format_yuan(int(run['total_fen']), grouping=True)} 不符",
            f"bank total does not add up to the run total {format_yuan(int(run['total_fen']), grouping=True)}",
        )
    return export


def build_reissue(
    ledger: Ledger, run: dict[str, Any], given: pl.DataFrame, at: str, batch_id: str, *, same_account: bool = False
) -> BankFile:
    """The run's bank lines whose latest result is failed and that no reissue covers, with the latest accounts.

    The account the bank refused is not a usable one: such a line waits in 缺账号待补 until a
    corrected account is given, unless ``same_account`` (a refusal that will not recur, such as a
    frozen account since released) sends it to the same account again.
    """
    from skillcli.ledger.queries import bank_outcomes

    check_exportable(run)
    failed = bank_outcomes(ledger, [run["run_id"]]).filter(pl.col("kind") == "bank-failed")
    latest, new_accounts, changed = resolve_accounts(ledger, failed.get_column("payee_id").to_list(), given, at)
    payees = failed.select(
        "payee_type",
        "payee_id",
        pl.col("payee_name").alias("holder"),
        "amount_fen",
        pl.col("line_ids").str.json_decode(pl.List(pl.Int64)),
        pl.concat_str([pl.lit("补发 "), pl.col("summary")]).alias("summary"),
        pl.col("last_disb_id"),
    ).with_columns(pl.col("line_ids").list.len().cast(pl.UInt32).alias("lines"))
    order = failed.select("payee_type", "payee_id", "last_disb_id", pl.col("last_account").alias("refused"))
    attached = _attach(payees.drop("last_disb_id"), latest).join(order, on=["payee_type", "payee_id"], how="left")
    failed_of = {(r["payee_type"], r["payee_id"]): int(r["last_disb_id"]) for r in order.iter_rows(named=True)}
    usable = pl.col("account").is_not_null()
    if not same_account:
        usable = usable & (pl.col("account") != pl.col("refused")).fill_null(True)
    sent = attached.filter(usable).select(list(PAYEE_SCHEMA))
    return BankFile(
        run,
        batch_id,
        sent=sent,
        missing=attached.filter(~usable).select(list(PAYEE_SCHEMA)),
        reissue=True,
        failed_ids=[failed_of[(r["payee_type"], r["payee_id"])] for r in sent.iter_rows(named=True)],
        new_accounts=new_accounts,
        changed_accounts=changed,
    )


def reissue_run(run: dict[str, Any], batch_id: str, at: str) -> dict[str, Any]:
    """The ``runs`` row of a reissue: no lines of its own (its money is the original run's), its period."""
    from skillcli.version import __version__

    return {
        "run_id": batch_id,
        "kind": "reissue",
        "created_at": at,
        "period": run["period"],
        "policy_id": run["policy_id"],
        "policy_sha256": run["policy_sha256"],
        "parameters": json.dumps({"reissues_run_id": run["run_id"]}),
        "inputs": "[]",
        "line_count": 0,
        "total_fen": 0,
        "voids_run_id": None,
        "reason": f"补发 {run['run_id']}",
        "tool_version": __version__,
    }


def disbursement_rows(export: BankFile, exported_at: str) -> list[dict[str, Any]]:
    """The rows for the ledger's ``disbursements`` table, in the file's order."""
    return [
        {
            "run_id": export.batch_id,
            "payee_type": r["payee_type"],
            "payee_id": r["payee_id"],
            "payee_name": r["holder"],
            "account": r["account"],
            "amount_fen": r["amount_fen"],
            "summary": r["summary"],
            "line_ids": json.dumps(r["line_ids"]),
            "exported_at": exported_at,
        }
        for r in export.sent.iter_rows(named=True)
    ]


# -- the workbook ----------------------------------------------------------------------------------
def write_bank_file(
    path: Path,
    export: BankFile,
    ids: Sequence[int],
    layout: BankLayout,
    payer: Sequence[tuple[str, str | None]],
    today: dt.date,
) -> None:
    """One upload sheet per payee type (payer block, layout columns, 合计), 缺账号待补, and 汇总."""
    book = Workbook(path)
    try:
        note = {
            (r["payee_type"], r["payee_id"]): f"批次 {export.batch_id} #{i}"
            for r, i in zip(export.sent.iter_rows(named=True), ids, strict=True)
        }
        purpose = dict(payer).get("用途")
        centred = book.add_format({"align": "center"})
        for payee_type, frame in export.by_type():
            _upload_sheet(
                book, payee_type.label_zh, frame, note, layout, payer, today, export.batch_id, purpose, centred
            )
        if export.missing.height:
            _missing_sheet(book, export.missing, reissue=export.reissue)
        _summary_sheet(book, export, blank_bank(export, layout))
    finally:
        book.close()


def _upload_sheet(
    book: Workbook,
    name: str,
    frame: pl.DataFrame,
    note: dict[tuple[str, str], str],
    layout: BankLayout,
    payer: Sequence[tuple[str, str | None]],
    today: dt.date,
    batch_id: str,
    purpose: str | None,
    centred: Any,
) -> None:
    sheet = book.add_sheet(name)
    total = _sum(frame)
    top = 0
    # Widths from the header, the rows and the payer block (label and value pairs in columns 0-5).
    widths = [max(8, len(h) * 2 + 2) for h, _ in layout.columns] + [8] * 6
    if layout.payer_block:
        block: list[list[tuple[str, str | None]]] = [
            list(payer[:3]),
            [("用途", purpose or "职业技能培训补贴"), ("日期", today.isoformat()), ("批次号", batch_id)],
            [("总笔数", str(frame.height)), ("总金额", format_yuan(total))],
        ]
        for r, pairs in enumerate(block):
            for k, (label, value) in enumerate(pairs):
                book.write_cell(sheet, r, 2 * k, "text", f"{label}：", book.fmt_bold)
                widths[2 * k + 1] = max(widths[2 * k + 1], book.write_cell(sheet, r, 2 * k + 1, "text", value) + 2)
        top = len(block) + 1
    amount_kind: CellKind = "money" if layout.amount_format == "number" else "text"
    for j, (header, _) in enumerate(layout.columns):
        sheet.write_string(top, j, header, book.fmt_header)
    for i, row in enumerate(frame.iter_rows(named=True), start=1):
        values = {
            "seq": i,
            "account": row["account"],
            "holder": row["holder"],
            "bank": row["bank"],
            "amount": row["amount_fen"] if amount_kind == "money" else format_yuan(row["amount_fen"]),
            "summary": row["summary"],
            "note": note[(row["payee_type"], row["payee_id"])],
            "payee_id": row["payee_id"],
        }
        for j, (_, fld) in enumerate(layout.columns):
            kind: CellKind = "int" if fld == "seq" else amount_kind if fld == "amount" else "text"
            fmt = centred if fld == "seq" else None
            widths[j] = max(widths[j], book.write_cell(sheet, top + i, j, kind, values[fld], fmt) + 2)
    last = top + frame.height + 1
    fields = [f for _, f in layout.columns]
    book.write_cell(sheet, last, 0, "text", "合计", book.fmt_bold)
    # The count goes under 户名 (or 账号 when 户名 is the first column, which holds 「合计」).
    count_at = fields.index("holder") or fields.index("account")
    if count_at:
        book.write_cell(sheet, last, count_at, "text", f"{frame.height} 笔", book.fmt_bold)
    amount_at = fields.index("amount")
    if amount_kind == "money":
        book.write_money(sheet, last, amount_at, total, book.fmt_money_bold)
    else:
        book.write_cell(sheet, last, amount_at, "text", format_yuan(total), book.fmt_bold)
    for j, width in enumerate(widths[: max(len(layout.columns), 6 if layout.payer_block else 0)]):
        sheet.set_column(j, j, min(width, 40))
    sheet.freeze_panes(top + 1, 0)
    book.print_setup(sheet, repeat_row=top)


def _missing_sheet(book: Workbook, frame: pl.DataFrame, *, reissue: bool) -> None:
    # Finance reads this file, not the program's options: say what to collect from the payee; the
    # screen says how to give it to the program.
    note = (
        "无可用账号（缺少，或为银行退回的账号）：请向收款方收集更正后的账号及开户行，收到后补发"
        if reissue
        else "缺少收款账号：请向收款方收集账号及开户行，收到后另行代发（不在本次代发金额内）"
    )
    rows = [
        [
            i,
            PayeeType(r["payee_type"]).label_zh,
            r["holder"],
            r["payee_id"],
            r["amount_fen"],
            r["summary"],
            note,
        ]
        for i, r in enumerate(frame.iter_rows(named=True), start=1)
    ]
    rows.append(["合计", None, f"{frame.height} 个收款方", None, _sum(frame), None, None])
    book.table(
        "缺账号待补",
        (
            Column("序号", "text"),
            Column("收款方类型", width=10),
            Column("收款方", width=24),
            Column("证件号码/统一社会信用代码", width=22),
            Column("金额", "money", 14),
            Column("摘要", width=36),
            Column("说明", width=50),
        ),
        [[str(r[0]), *r[1:]] for r in rows],
    )


def blank_bank(export: BankFile, layout: BankLayout) -> tuple[str, pl.DataFrame] | None:
    """(the layout's 开户行 header, the payees sent without one), or None when the layout has no
    such column or every payee has one. A roster carries no 开户行; only an accounts list gives it."""
    header = next((h for h, f in layout.columns if f == "bank"), None)
    if header is None:
        return None
    blank = export.sent.filter(pl.col("bank").is_null())
    return (header, blank) if blank.height else None


def _summary_sheet(book: Workbook, export: BankFile, bank_blank: tuple[str, pl.DataFrame] | None = None) -> None:
    run = export.run
    sent_lines = int(export.sent.get_column("lines").sum()) if export.sent.height else 0
    rows: list[list[Any]] = [
        [f"{p.label_zh}（本次代发）", f.height, int(f.get_column("lines").sum()), _sum(f)] for p, f in export.by_type()
    ]
    rows.append(["本次代发合计（控制总额）", export.sent.height, sent_lines, export.sent_fen])
    rows.append(
        [
            "缺账号待补（未列入代发）",
            export.missing.height,
            int(export.missing.get_column("lines").sum()) if export.missing.height else 0,
            export.missing_fen,
        ]
    )
    if export.reissue:
        rows.append(
            [
                "补发合计（失败待补发）",
                export.sent.height + export.missing.height,
                None,
                export.sent_fen + export.missing_fen,
            ]
        )
        title = f"补发汇总 批次 {export.batch_id}（补发原批次 {run['run_id']}，{run['period']}）"
    else:
        rows.append(
            [
                "此前已导出（不再列入）",
                export.earlier.height,
                int(export.earlier.get_column("lines").sum()) if export.earlier.height else 0,
                export.earlier_fen,
            ]
        )
        if export.zero_payees:
            rows.append(["金额为 0 未列入", export.zero_payees, None, 0])
        rows.append(["批次合计（台账）", None, int(run["line_count"]), int(run["total_fen"])])
        title = f"代发汇总 批次 {run['run_id']}（{run['period']}，{run['policy_id']}）"
    if bank_blank is not None:
        # Left blank, not guessed: the reader of the file sees how many and why, and whom to ask.
        header, blank = bank_blank
        rows.append(
            [
                f"其中「{header}」为空（花名册不含开户行，收款账户清单未提供；如银行要求填写，请向收款方收集）",
                blank.height,
                int(blank.get_column("lines").sum()),
                _sum(blank),
            ]
        )
    book.table(
        "汇总",
        (
            Column("项目", width=26),
            Column("收款方数", "int", 10),
            Column("笔数", "int", 8),
            Column("金额", "money", 16),
        ),
        rows,
        title=title,
    )
