"""The bank's return file (回盘): each paid or refused line with its status and reason, read exactly.

Banks name their columns differently (户名/姓名/收款人, 账号/卡号/收款账号, 交易结果/处理状态 …);
the aliases below are the usual ones. Amounts are parsed from the cell text to integer fen with
``skillcli.schema.parse.parse_money`` (no float on the way). Statuses are reduced to success,
failed and pending; anything else is kept as unknown and never counted as paid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from skillcli.errors import InputError
from skillcli.io.layout import FoundTable, TableSpec, read_table
from skillcli.money import MoneyError, format_yuan, parse_yuan
from skillcli.schema.parse import compact_upper, parse_money

# A header may join two names of one column with a slash, as banks print them and as the return's
# description in input-schema.md lists them (姓名/户名, 卡号/账号, 交易结果/处理状态): either order.
NAME_ALIASES = ("户名", "姓名", "收款人", "账户名", "收款账号名称", "收款人姓名", "收款人名称", "账户名称")
ACCOUNT_ALIASES = ("账号", "卡号", "收款账号", "银行账号", "收款人账号", "银行卡号", "社保卡号", "账户")
STATUS_ALIASES = ("状态", "交易结果", "处理状态", "处理结果", "交易状态")


def _joined(first: str, second: str) -> tuple[str, str]:
    return f"{first}/{second}", f"{second}/{first}"


RETURN = TableSpec(
    aliases={
        "name": (*NAME_ALIASES, *_joined("姓名", "户名")),
        "account": (*ACCOUNT_ALIASES, *_joined("卡号", "账号")),
        "amount": ("金额", "交易金额", "实付金额", "实发金额", "发放金额", "代发金额"),
        "status": (*STATUS_ALIASES, *_joined("交易结果", "处理状态")),
        "reason": ("失败原因", "错误信息", "失败说明", "原因", "返回信息", "备注"),
        "id_number": ("身份证号码", "证件号码", "身份证号", "证件号", "统一社会信用代码"),
        "batch": ("批次号", "批次"),
    },
    required=(("name", "account"), ("amount",), ("status",)),
    label_zh="银行回盘文件",
    label_en="bank return file",
)

# skillcli's own bank files write 备注 「批次 <run id> #<disbursement id>」: a bank that echoes it in its
# return (as 备注, read as the reason column) names the batch, and that is not a reason.
NOTE_BATCH_RE = r"^批次\s*(R\d{8}-\d{6}-[0-9a-f]{4})\s*#\d+$"
TITLE_BATCH_RE = re.compile(r"批次号?[\s\u3000]*[:：]?[\s\u3000]*(R\d{8}-\d{6}-[0-9a-f]{4})")
FAILED_RE = r"(?i)(失败|退票|退回|不成功|未成功|拒绝|fail)"
SUCCESS_RE = r"(?i)(成功|已入账|success)"
PENDING_RE = r"(?i)(处理中|待处理|已受理|受理中|处理|pending)"
# The bank's own control figures, in a title line (总笔数：7  总金额：11,848.00) or a 合计 row.
STATED_COUNT_RE = re.compile(r"(?:总笔数|合计笔数|笔数合计)[\s\u3000]*[:：]?[\s\u3000]*(\d+)")
STATED_AMOUNT_RE = re.compile(r"(?:总金额|合计金额|金额合计)[\s\u3000]*[:：]?[\s\u3000]*[¥￥]?([\d,，]+(?:\.\d+)?)")


@dataclass(slots=True)
class BankReturn:
    """A return file's detail lines. ``frame``: _row, name, account, id_number, batch, amount_text,
    return_fen (null when unreadable), status_text, status (success|failed|pending|unknown), reason."""

    path: Path
    sha256: str
    table: FoundTable
    frame: pl.DataFrame


def status_expr(text: pl.Expr) -> pl.Expr:
    compact = text.str.replace_all(r"\s", "")
    return (
        pl.when(compact.str.contains(FAILED_RE))
        .then(pl.lit("failed"))
        .when(compact.str.contains(SUCCESS_RE))
        .then(pl.lit("success"))
        .when(compact.str.contains(PENDING_RE))
        .then(pl.lit("pending"))
        .otherwise(pl.lit("unknown"))
    )


def stated_batch(table: FoundTable) -> str | None:
    """The skillcli batch a title or batch line names (批次号：R20210628-101500-ab12), or None.

    skillcli's bank file carries its batch in the payer block; a bank that copies it into its
    return's heading says which export the whole return answers.
    """
    for _, _, text, _ in table.aside:
        found = TITLE_BATCH_RE.search(text)
        if found:
            return found.group(1)
    return None


def read_return(path: Path) -> BankReturn:
    table = read_table(path, RETURN)
    fen, problem = parse_money(pl.col("amount"), wan=False)
    frame = table.frame.select(
        "_row",
        pl.col("name").str.replace_all(r"\s", "").alias("name"),
        pl.col("account").str.replace_all(r"[\s\-]", "").alias("account"),
        compact_upper(pl.col("id_number")).alias("id_number"),
        pl.coalesce(
            pl.col("batch"), pl.col("reason").str.extract(NOTE_BATCH_RE, 1), pl.lit(stated_batch(table), pl.String)
        ).alias("batch"),
        pl.col("amount").alias("amount_text"),
        pl.when(problem.is_null() | (problem == "money.sub-fen")).then(fen).otherwise(None).alias("return_fen"),
        pl.col("status").alias("status_text"),
        status_expr(pl.col("status").fill_null("")).alias("status"),
        pl.when(pl.col("reason").str.contains(NOTE_BATCH_RE)).then(None).otherwise(pl.col("reason")).alias("reason"),
    )
    bank_return = BankReturn(path, table.sha256, table, frame)
    check_stated(bank_return)
    return bank_return


def matching_notes(bank_return: BankReturn) -> list[tuple[str, str]]:
    """(zh, en) notes on how the lines can be matched: once, when the return has no account column.

    Without an account every line is found by 户名 and amount (and ID number, when given), which
    pairs two payees of one name and amount in order; the clerk should know, and see which
    headers were read, in case the account column is there under a name not recognised.
    """
    table = bank_return.table
    if "account" in table.headers:
        return []
    how_zh = "证件号码或户名+金额" if "id_number" in table.headers else "户名+金额"
    how_en = "ID number or name and amount" if "id_number" in table.headers else "name and amount"
    read = "、".join(f"「{h}」" for h in table.headers.values())
    return [
        (
            f"注意：{table.path.name}「{table.sheet}」第 {table.header_row} 行表头中没有账号列（已识别：{read}），"
            f"各行按{how_zh}匹配；同名同额的收款方按顺序对应",
            f"note: {table.path.name} [{table.sheet}] row {table.header_row} has no account column (read: "
            f"{', '.join(table.headers.values())}); lines are matched by {how_en}, payees of the same name and"
            " amount in order",
        )
    ]


def stated_totals(table: FoundTable) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """((Excel row, count), (Excel row, fen)) the bank states for its lines, each None when not stated."""
    count: tuple[int, int] | None = None
    amount: tuple[int, int] | None = None
    for row, why, text, amount_cell in table.aside:
        found = STATED_COUNT_RE.search(text)
        if found and count is None:
            count = (row, int(found.group(1)))
        money = STATED_AMOUNT_RE.search(text)
        written = money.group(1) if money else (amount_cell if why == "total" else None)
        if written and amount is None:
            try:
                amount = (row, parse_yuan(written.replace("，", ",")))
            except MoneyError:
                continue
    return count, amount


def check_stated(bank_return: BankReturn) -> None:
    """The return's stated 总笔数 and 总金额 must equal its detail lines, or nothing is reconciled.

    A difference means lines were lost or misread (a page cut off, a footer taken for a line), and
    recording the rest as the bank's answer would be wrong for the lines not seen.
    """
    table, frame = bank_return.table, bank_return.frame
    count, amount = stated_totals(table)
    where = f"{table.path.name}「{table.sheet}」"
    if count is not None and count[1] != frame.height:
        raise InputError(
            str(table.path),
            f"{where}第 {count[0]} 行写明总笔数 {count[1]}，明细为 {frame.height} 笔",
            f"{table.path.name} [{table.sheet}] row {count[0]} states {count[1]} lines; the detail has {frame.height}",
        )
    lines_fen = int(frame.get_column("return_fen").fill_null(0).sum()) if frame.height else 0
    if amount is not None and amount[1] != lines_fen:
        raise InputError(
            str(table.path),
            f"{where}第 {amount[0]} 行写明总金额 {format_yuan(amount[1], grouping=True)}，"
            f"明细合计 {format_yuan(lines_fen, grouping=True)}",
            f"{table.path.name} [{table.sheet}] row {amount[0]} states {format_yuan(amount[1], grouping=True)};"
            f" the detail sums to {format_yuan(lines_fen, grouping=True)}",
        )
