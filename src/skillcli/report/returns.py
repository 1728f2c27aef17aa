"""Return workbooks (退回清单): one per 培训机构 or 单位, holding only its own rows with problems.

``check --out DIR --split-by institution`` writes ``退回_<name>.xlsx`` for each institution (or each
employer with ``enterprise``), so the clerk can send each one its own list. ``payout … --split-by``
writes the same returns holding what the payout found too (``payout_findings``): the rows held
(暂不发放) and the persons not eligible (不符合条件), and on the cover how many of the sender's
persons are paid and how much, without naming them. A roster row belongs to
the institution written on it; an attendance or certificate row to the institution of the same
person on the roster. Each workbook has a cover (批次, 问题数, 退回日期, 联系人 from the ``[contact]``
table of skillcli.toml) and one sheet per sheet kind: the row's Excel number, what is wrong and what
to do in Chinese beside it, then the row's values with the problem cells highlighted. It prints on
A4 landscape, text wrapped, header repeated: one page wide while the text stays readable, else on
more pages across with the row number and its message repeated on each.
Trainee IDs appear in full: every row in the workbook is the recipient's own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from skillcli.errors import UsageError
from skillcli.findings import RENDERED_COLUMNS, sender_message
from skillcli.io.writer import OutputSet, Workbook, _display_width, wrapped_lines
from skillcli.model import SheetKind
from skillcli.money import format_yuan
from skillcli.pipeline import Batch
from skillcli.report.exceptions import with_shown_ids, written_headers
from skillcli.schema.columns import SPECS

if TYPE_CHECKING:
    from skillcli.payout.decision import Decision

# --split-by value → (column naming the recipient, its Chinese header, the recipient as a noun).
SPLIT_BY: dict[str, tuple[str, str, str]] = {
    "institution": ("institution", "培训机构", "培训机构"),
    "enterprise": ("employer_name", "单位名称", "单位"),
}
# A row that does not name a recipient of the split goes back to whoever sent it: the other
# column's value (an enterprise's own roster has no 培训机构 by nature), then the file's 填报单位.
_OTHER = {"institution": "employer_name", "enterprise": "institution"}
_UNSAFE_NAME_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
MESSAGE_WIDTH = 60
LINE_HEIGHT = 15
IDENTITY_COLUMNS = ("name", "id_number", "occupation", "class_id")
VALUE_MAX_WIDTH = 24

# Header findings that only the clerk can settle (a column nobody needs, mapped with --map) stay
# out of the returns; the others are worded for the sender, who edits the table, not the program.
CLERK_ONLY = frozenset({"sheet.unknown-column"})
_LIKELY_RE = re.compile(r"它(?:可能是|看来就是)「([^」]*)」")
# The header findings that also tell whoever runs skillcli which option to add: the sender gets the
# same words without that clause, since the sender edits the table, not the program.
_HEADER_ADVICE_CODES = frozenset(
    {"sheet.missing-column-likely", "sheet.unknown-column-missing", "sheet.merged-header-unknown"}
)
_CLERK_OPTION_RE = re.compile(r"(?:，或|（也可以)请操作 skillcli 的同事加参数 --map \S+?(?:）|(?=；)|$)")
# A payout reason that waits for a list or table only the bureau holds (the 困难企业名单, the year's
# catalogue) tells the clerk how to give it; the sender is told the bureau will, and to change nothing.
_SUPPLY_RE = re.compile(
    r"请取得(.+?)，(?:(?:或)?(?:由|请)操作 skillcli 的同事用 --param \S+?(?:（[^）]*）)? ?提供|补充)后重新计算"
)


def check_split_by(split_by: str | None, out: Path | None) -> None:
    """A usage error for a ``--split-by`` that is neither institution nor enterprise, or without ``--out``."""
    if split_by is None:
        return
    if split_by not in SPLIT_BY:
        raise UsageError(
            f"--split-by 只能是 institution（培训机构）或 enterprise（单位），不是「{split_by}」",
            f"--split-by takes institution or enterprise, not '{split_by}'",
        )
    if out is None:
        raise UsageError("--split-by 需要同时给出 --out 目录", "--split-by needs --out DIR")


@dataclass(frozen=True, slots=True)
class Recipient:
    """One return: who it goes to, its file name and its findings (rows of ``batch.findings``)."""

    name: str
    file_name: str
    findings: pl.DataFrame


def owners(batch: Batch, by: str, findings: pl.DataFrame | None = None) -> pl.DataFrame:
    """Each finding with ``__owner``: the institution (or employer) it goes back to.

    A finding about a data row goes to the recipient written on that row, else to that of the same
    person on the roster (an attendance or certificate row). A row that names no recipient of the
    split goes back to its sender: the row's (or the person's) 单位名称 under ``institution``, its
    培训机构 under ``enterprise``, else the unit on its file's 填报单位 line; only a row with none
    of these goes to 未填<header>. A finding about a file's header (an unknown or missing column)
    goes to every recipient with rows in that file: each must correct its own table. An unknown
    column with no likely match (``CLERK_ONLY``) goes to no one: it stays in exceptions.xlsx."""
    row_owner = _row_owners(batch, by)
    findings = (batch.findings if findings is None else findings).with_columns(pl.col("row").cast(pl.Int64))
    keys = row_owner.select("file", "sheet", "row")
    owned = findings.join(row_owner, on=["file", "sheet", "row"], how="inner", maintain_order="left").with_columns(
        pl.lit(False).alias("__headed")
    )
    headed = (
        findings.join(keys, on=["file", "sheet", "row"], how="anti", maintain_order="left")
        .filter(~pl.col("code").is_in(list(CLERK_ONLY)))
        .with_columns(pl.lit(True).alias("__headed"))
    )
    if headed.height == 0:
        return owned
    # Who has rows in each file; a file without data rows goes to the unit on its 填报单位 line. The
    # 未填… return gets a file's header problems only when no one in that file can be named.
    unknown = f"未填{SPLIT_BY[by][1]}"
    named = row_owner.filter(pl.col("__owner") != unknown).select("file").unique()
    by_file = pl.concat(
        [
            row_owner.select("file", "__owner"),
            pl.DataFrame(
                [(path, sender) for path, sender in _file_senders(batch).items() if sender],
                schema={"file": pl.String, "__owner": pl.String},
                orient="row",
            ).join(row_owner.select("file"), on="file", how="anti"),
        ]
    ).unique(maintain_order=True)
    by_file = by_file.filter((pl.col("__owner") != unknown) | ~pl.col("file").is_in(named.get_column("file").implode()))
    return pl.concat([owned, headed.join(by_file, on="file", how="inner", maintain_order="left")], how="diagonal")


def _file_senders(batch: Batch) -> dict[str, str]:
    """Each file's sender as its 填报单位 line names it (the first sheet that has one), else ""."""
    return {f.path: next((s.sender for s in f.sheets if s.sender), "") for f in batch.files}


def _row_owners(batch: Batch, by: str) -> pl.DataFrame:
    """(file, sheet, row, __owner) of every data row read: who its problems go back to."""
    column, other = SPLIT_BY[by][0], _OTHER[by]
    roster = batch.raw.get(SheetKind.ROSTER)

    def person(name: str) -> pl.DataFrame:
        # A person's recipient, for their attendance and certificate rows: the first one on the roster.
        if roster is None or name not in roster.columns or "id_number" not in roster.columns:
            return pl.DataFrame(schema={"__id": pl.String, f"__person_{name}": pl.String})
        return (
            roster.filter(pl.col("id_number").is_not_null() & pl.col(name).is_not_null())
            .group_by("id_number", maintain_order=True)
            .agg(pl.col(name).first().alias(f"__person_{name}"))
            .rename({"id_number": "__id"})
        )

    def cell(frame: pl.DataFrame, name: str) -> pl.Expr:
        return (pl.col(name) if name in frame.columns else pl.lit(None, pl.String)).cast(pl.String)

    rows = pl.concat(
        [
            frame.select(
                pl.col("_file").alias("file"),
                pl.col("_sheet").alias("sheet"),
                pl.col("_row").cast(pl.Int64).alias("row"),
                cell(frame, "id_number").alias("__id"),
                cell(frame, column).alias(f"__row_{column}"),
                cell(frame, other).alias(f"__row_{other}"),
            )
            for frame in batch.raw.values()
            if frame.height
        ]
        or [
            pl.DataFrame(
                schema={
                    "file": pl.String,
                    "sheet": pl.String,
                    "row": pl.Int64,
                    "__id": pl.String,
                    f"__row_{column}": pl.String,
                    f"__row_{other}": pl.String,
                }
            )
        ],
        how="vertical_relaxed",
    )
    senders = pl.DataFrame(
        list(_file_senders(batch).items()), schema={"file": pl.String, "__sender": pl.String}, orient="row"
    )
    unknown = f"未填{SPLIT_BY[by][1]}"
    return (
        rows.join(person(column), on="__id", how="left", maintain_order="left")
        .join(person(other), on="__id", how="left", maintain_order="left")
        .join(senders, on="file", how="left", maintain_order="left")
        .select(
            "file",
            "sheet",
            "row",
            pl.coalesce(
                f"__row_{column}",
                f"__person_{column}",
                f"__row_{other}",
                f"__person_{other}",
                pl.col("__sender").replace("", None),
                pl.lit(unknown),
            ).alias("__owner"),
        )
    )


def recipients(batch: Batch, by: str, findings: pl.DataFrame | None = None) -> list[Recipient]:
    """One recipient per institution (or employer) with at least one finding (of ``findings``, by
    default the batch's), in order of first finding."""
    owned = owners(batch, by, findings)
    found: list[Recipient] = []
    used: set[str] = set()
    for name in owned.get_column("__owner").unique(maintain_order=True).to_list():
        safe = _UNSAFE_NAME_RE.sub("_", str(name)).strip(" .") or "未命名"
        file_name, n = f"退回_{safe}.xlsx", 2
        while file_name in used:
            file_name, n = f"退回_{safe}_{n}.xlsx", n + 1
        used.add(file_name)
        found.append(Recipient(str(name), file_name, owned.filter(pl.col("__owner") == name)))
    return found


def write_returns(
    batch: Batch,
    by: str,
    outputs: OutputSet,
    contact: Mapping[str, Any],
    today: dt.date,
    decision: Decision | None = None,
) -> list[Recipient]:
    """Stage one return workbook per recipient in ``outputs``; returns the recipients written. With a
    payout's ``decision`` the returns hold what it held and found not eligible (``payout_findings``)
    and each cover what it pays the recipient's persons (``paid_by_owner``)."""
    findings = payout_findings(batch, decision) if decision is not None else None
    paid = paid_by_owner(batch, decision, by) if decision is not None else None
    written = recipients(batch, by, findings)
    for recipient in written:
        book = Workbook(outputs.path(recipient.file_name))
        try:
            _cover(book, batch, by, recipient, contact, today, paid)
            # The rows nobody can be named for may come from any file: the clerk needs to see which.
            with_file = recipient.name == f"未填{SPLIT_BY[by][1]}"
            for kind in SheetKind:
                _kind_sheet(book, batch, kind, recipient.findings, with_file=with_file)
            _header_sheet(book, recipient.findings.filter(pl.col("__headed")), with_file=with_file)
        finally:
            book.close()
    return written


# The severity of a payout's 不符合条件 row in a return: neither an error to fix nor a warning.
INELIGIBLE = "ineligible"


# What the ledger already paid is the bureau's record, not the sender's to fix: a payout run again
# after its commit must not send those rows back as problems (reader 7); the cover says that paid
# persons are not listed.
_BUREAU_ONLY = ("ledger.already-paid", "ledger.already-advanced", "limit.months-paid")


def payout_findings(batch: Batch, decision: Decision) -> pl.DataFrame:
    """What a payout's returns hold, as findings rows in Excel order: ``check``'s findings, each row
    the payout held for another reason (「暂不发放：…」, with what to supply), and each person it found
    not eligible (「不符合条件，本次不发放：…」, the reason with its clause), so that the sender learns
    of them from its own return rather than from the clerk's payouts.xlsx."""
    key = ["file", "sheet", "row", "code", "column"]
    found = batch.findings.with_columns(pl.col("row").cast(pl.Int64))
    held = (
        decision.exceptions.filter(~pl.col("code").is_in(_BUREAU_ONLY))
        .select(RENDERED_COLUMNS)
        .with_columns(pl.col("row").cast(pl.Int64))
        .join(found.select(key), on=key, how="anti", nulls_equal=True, maintain_order="left")
        .with_columns(
            pl.when(pl.col("severity") == "error")
            .then(pl.concat_str([pl.lit("暂不发放："), pl.col("message_zh")]))
            .otherwise(pl.col("message_zh"))
            .alias("message_zh")
        )
    )
    ineligible = decision.ineligible.select(
        pl.col("_file").alias("file"),
        pl.col("_sheet").alias("sheet"),
        pl.col("_row").cast(pl.Int64).alias("row"),
        pl.lit(None, pl.String).alias("column"),
        pl.lit(None, pl.String).alias("value"),
        pl.col("reason_code").alias("code"),
        pl.lit(INELIGIBLE).alias("severity"),
        pl.concat_str([pl.lit("不符合条件，本次不发放："), pl.col("reason")]).alias("message_zh"),
        pl.col("reason_en").alias("message_en"),
        "person_id",
    )
    combined = pl.concat([found, held, ineligible], how="diagonal_relaxed")
    return combined.sort(["file", "sheet", "row"], nulls_last=False, maintain_order=True)


def paid_by_owner(batch: Batch, decision: Decision, by: str) -> dict[str, tuple[int, int]]:
    """Each recipient's paid persons and their total in fen: the cover says how many and how much,
    never who (a return may travel outside the bureau)."""
    if decision.lines.height == 0:
        return {}
    paid = (
        decision.lines.group_by("_rid")
        .agg(pl.col("amount_fen").sum())
        .join(decision.status.select("_rid", "_file", "_sheet", "_row", "person_id"), on="_rid")
        .select(
            pl.col("_file").alias("file"),
            pl.col("_sheet").alias("sheet"),
            pl.col("_row").cast(pl.Int64).alias("row"),
            "person_id",
            "amount_fen",
        )
        .join(_row_owners(batch, by), on=["file", "sheet", "row"], how="left")
        .group_by("__owner")
        .agg(pl.col("person_id").n_unique().alias("persons"), pl.col("amount_fen").sum().alias("fen"))
    )
    return {str(r["__owner"]): (int(r["persons"]), int(r["fen"])) for r in paid.iter_rows(named=True)}


def _cover(
    book: Workbook,
    batch: Batch,
    by: str,
    recipient: Recipient,
    contact: Mapping[str, Any],
    today: dt.date,
    paid: Mapping[str, tuple[int, int]] | None = None,
) -> None:
    _, header, noun = SPLIT_BY[by]
    on_rows = recipient.findings.filter(~pl.col("__headed"))
    severity = on_rows.get_column("severity")
    errors = int((severity == "error").sum())
    ineligible = int((severity == INELIGIBLE).sum())
    warnings = on_rows.height - errors - ineligible
    rows_with_problems = on_rows.select("file", "sheet", "row").unique().height
    count = f"错误 {errors} 条，警告 {warnings} 条"
    if paid is not None:
        count += f"，不符合条件 {ineligible} 条"
    count += f"，涉及 {rows_with_problems} 行"
    headed = recipient.findings.height - on_rows.height
    if headed:
        count += f"；另有表头问题 {headed} 条（见工作表「表头问题」）"
    lines: list[tuple[str, Any, Any]] = [
        # With no batch month given the check was made as of the day it ran: the sender is told so.
        (
            "批次",
            batch.ctx.period_label if batch.ctx.period_given else f"未指定批次月份，按 {batch.ctx.today} 核查",
            "text",
        ),
        (header, recipient.name, "text"),
        ("问题数", count, "text"),
    ]
    if paid is not None:
        persons, fen = paid.get(recipient.name, (0, 0))
        lines.append(
            ("本次发放", f"{persons} 人，合计 {format_yuan(fen, grouping=True)} 元（已发放人员不在本清单中）", "text")
        )
    lines.append(("退回日期", today.isoformat(), "text"))
    # The cover goes outside the bureau: without a [contact] table it names no one rather than
    # printing the program's configuration on it (the clerk is told on screen).
    lines += [(str(key), str(value), "text") for key, value in contact.items()]
    if recipient.name == f"未填{header}":
        lines.append(
            (
                "请先处理",
                f"以下各行无法判断应退回给哪一家{noun}：该行（或考勤、证书表中此人在花名册的行）既没有填写"
                "「培训机构」，也没有填写「单位名称」，所在文件也没有「填报单位」一行，或此人不在花名册中。"
                f"请先查明每行所属的{noun}，在原表中补填后重新检查，或把这些行转给所属{noun}改正。",
                "text",
            )
        )
    lines += [
        (
            "如何改正",
            "请打开贵单位报送的原表，按本清单各工作表的「行号」找到对应行，按「问题说明」逐条改正；"
            "本清单中标色的单元格就是有问题的单元格。改好后请将整张表重新报送。",
            "text",
        ),
        (
            "颜色",
            "红色：错误，改正前不能发放补贴；黄色：警告，请核对，确认无误可不改"
            + (
                "；「不符合条件」的行也为黄色：按政策本次不发放，原因及依据条款见「问题说明」，原表如有填错请改正后重新报送。"
                if paid is not None
                else "。"
            ),
            "text",
        ),
        ("行号", "「行号」是原表中的 Excel 行号（打开原表时最左侧显示的数字）。", "text"),
    ]
    book.key_values("封面", f"培训补贴申报退回清单（{recipient.name}）", lines)


def for_sender(code: str, column: str, value: str, message: str) -> str:
    """A finding as the sending institution acts on it: no program options, no config file, and never
    "ask the sender" (``findings.sender_message``)."""
    likely = _LIKELY_RE.search(message)
    if code in ("sheet.unknown-column-like", "sheet.unknown-column-money") and likely:
        money = "（此列决定补贴是否发放或发多少）" if code == "sheet.unknown-column-money" else ""
        return (
            f"表头「{column}」不是模板中的写法，本次未读取此列{money}。如它就是「{likely.group(1)}」，"
            f"请把表头改为「{likely.group(1)}」后重新报送"
        )
    if code in _HEADER_ADVICE_CODES:
        message = _CLERK_OPTION_RE.sub("", message).replace("重新检查", "重新报送")
    message = _SUPPLY_RE.sub(lambda m: f"此项由人社部门取得{m.group(1)}后重新核定", message)
    return sender_message(code, column=column, value=value, message=message)


def _cell_formats(book: Workbook) -> tuple[Any, Any, Any]:
    """Wrapped text cells: plain, error (red) and warning (yellow)."""
    base = {"text_wrap": True, "valign": "top", "border": 1, "num_format": "@"}
    return (
        book.add_format(base),
        book.add_format({**base, "bg_color": "#FFC7CE"}),
        book.add_format({**base, "bg_color": "#FFEB9C"}),
    )


def _header_sheet(book: Workbook, findings: pl.DataFrame, *, with_file: bool) -> None:
    """The problems of the table's header (an unknown or missing column): one line each."""
    if findings.height == 0:
        return
    several_files = with_file or findings.get_column("file").n_unique() > 1
    sheet = book.add_sheet("表头问题")
    wrap, error, warning = _cell_formats(book)
    head = [*(["文件"] if several_files else []), "工作表", "行号", "列", "问题说明（请按此改正）"]
    widths = [*([16] if several_files else []), 10, 6, 16, MESSAGE_WIDTH + 20]
    for j, (text, width) in enumerate(zip(head, widths, strict=True)):
        sheet.set_column(j, j, width)
        sheet.write_string(0, j, text, book.fmt_header)
    for i, r in enumerate(findings.iter_rows(named=True), start=1):
        lead = [*([Path(r["file"]).name] if several_files else []), r["sheet"]]
        for j, value in enumerate(lead):
            book.write_cell(sheet, i, j, "text", value, wrap)
        book.write_cell(sheet, i, len(lead), "int", r["row"], wrap)
        book.write_cell(sheet, i, len(lead) + 1, "text", r["column"] or "", wrap)
        fmt = error if r["severity"] == "error" else warning
        message = for_sender(r["code"], r["column"] or "", r["value"] or "", r["message_zh"])
        book.write_cell(sheet, i, len(lead) + 2, "text", message, fmt)
        sheet.set_row(i, LINE_HEIGHT * wrapped_lines(message, widths[-1]) + 3)
    book.print_setup(sheet, repeat_row=0, widths=widths, repeat_columns=len(lead) + 1)


def _kind_sheet(book: Workbook, batch: Batch, kind: SheetKind, findings: pl.DataFrame, *, with_file: bool) -> None:
    """One sheet: a line per row with problems — row number, messages, then the row's values."""
    frame = batch.raw.get(kind)
    if frame is None or frame.height == 0:
        return
    value_columns = [s.name for s in SPECS[kind] if s.name in frame.columns]
    values = frame.select(
        pl.col("_file").alias("file"), pl.col("_sheet").alias("sheet"), pl.col("_row").alias("row"), *value_columns
    )
    if "id_number" in value_columns:
        # An ID stored as a number shows what Excel shows (1.40105E+17), never the digits read back:
        # they look like a valid ID and are not the person's, and the sender could copy them back.
        values = with_shown_ids(values, findings, "id_number")
    mine = findings.join(values.select("file", "sheet", "row"), on=["file", "sheet", "row"], how="semi")
    if mine.height == 0:
        return
    # Each message as the sender acts on it (a return holds a few hundred lines at most).
    mine = mine.with_columns(
        pl.Series(
            "message_zh",
            [
                for_sender(r["code"], r["column"] or "", r["value"] or "", r["message_zh"])
                for r in mine.iter_rows(named=True)
            ],
            dtype=pl.String,
        )
    )
    headers = written_headers(batch.files)
    # The messages name a column as the template does (结业日期); the sender's sheet may call it
    # otherwise (结班日期): in its return, each message names the column as that sheet wrote it.
    renamed = {
        (file, sheet): _renamed(headers, kind, file, sheet)
        for file, sheet in mine.select("file", "sheet").unique().iter_rows()
    }
    mine = mine.with_columns(
        pl.Series(
            "message_zh",
            [
                _in_sender_words(message, renamed[(file, sheet)])
                for file, sheet, message in mine.select("file", "sheet", "message_zh").iter_rows()
            ],
            dtype=pl.String,
        )
    )
    rows = (
        mine.group_by("file", "sheet", "row", maintain_order=True)
        .agg(pl.col("message_zh"), pl.col("severity"), pl.col("column"))
        .join(values, on=["file", "sheet", "row"], how="left", maintain_order="left")
    )
    # Who the row is about, then every column with a problem in some row: a whole roster (30-odd
    # columns) fitted to one A4 width would print too small to read.
    problem_headers = {str(c) for columns in rows.get_column("column").to_list() for c in columns}
    value_columns = [
        c
        for c in value_columns
        if c in IDENTITY_COLUMNS
        or problem_headers & ({SPECS_HEADER[kind][c]} | {text for (_, _, name), text in headers.items() if name == c})
    ]
    several_files = with_file or rows.get_column("file").n_unique() > 1
    sheet = book.add_sheet(f"{kind.label_zh}问题")
    wrap, error, warning = _cell_formats(book)
    head = [*(["文件"] if several_files else []), "工作表", "行号", "问题说明（请按此改正）"]
    sources = list(rows.select("file", "sheet").unique(maintain_order=True).iter_rows())
    head += [_sender_header(headers, kind, c, sources) for c in value_columns]
    records = [
        (
            [*([Path(r["file"]).name] if several_files else []), r["sheet"], r["row"]],
            "\n".join(f"{n}. {m}" for n, m in enumerate(r["message_zh"], start=1)),
            [_cell_text(r[c]) for c in value_columns],
            r,
        )
        for r in rows.iter_rows(named=True)
    ]
    n_lead = len(head) - len(value_columns) - 1
    widths = [*([16] if several_files else []), 8, 6, MESSAGE_WIDTH]
    for j in range(len(value_columns)):
        longest = max((_display_width(texts[j]) for _, _, texts, _ in records), default=0)
        widths.append(min(max(_display_width(head[n_lead + 1 + j]), longest, 6) + 1, VALUE_MAX_WIDTH))
    for j, (text, width) in enumerate(zip(head, widths, strict=True)):
        sheet.set_column(j, j, width)
        sheet.write_string(0, j, text, book.fmt_header)
    for i, (lead, message, texts, r) in enumerate(records, start=1):
        problem_columns = {str(c) for c in r["column"]}
        row_fmt = error if "error" in r["severity"] else warning
        for j, value in enumerate(lead):
            book.write_cell(sheet, i, j, "int" if j == len(lead) - 1 else "text", value, wrap)
        book.write_cell(sheet, i, n_lead, "text", message, row_fmt)
        for j, (canonical, value) in enumerate(zip(value_columns, texts, strict=True), start=n_lead + 1):
            shown = {SPECS_HEADER[kind][canonical], headers.get((r["file"], r["sheet"], canonical), "")}
            fmt = row_fmt if problem_columns & shown else wrap
            if value:
                book.write_cell(sheet, i, j, "text", value, fmt)
            else:
                sheet.write_blank(i, j, None, fmt)
        # Excel does not grow a row for wrapped text written by a program: the height is set from
        # the longest cell, so every message prints in full beside its row.
        cells: list[tuple[str, int]] = [(message, MESSAGE_WIDTH), *zip(texts, widths[n_lead + 1 :], strict=True)]
        sheet.set_row(i, LINE_HEIGHT * max(wrapped_lines(text, width) for text, width in cells) + 3)
    # The row number and its message stay in view while the clerk scrolls through the values.
    sheet.freeze_panes(1, len(head) - len(value_columns))
    # Wide rows print on more pages across, the row number repeated on each, rather than shrunk.
    book.print_setup(sheet, repeat_row=0, widths=widths, repeat_columns=n_lead)


SPECS_HEADER: dict[SheetKind, dict[str, str]] = {
    kind: {spec.name: spec.header for spec in specs} for kind, specs in SPECS.items()
}


def _cell_text(value: Any) -> str:
    """A cell as read, for the return: a date cell without the midnight time the reader adds."""
    text = "" if value is None else str(value)
    return text[:-9] if re.fullmatch(r"\d{4}-\d{2}-\d{2} 00:00:00", text) else text


def _renamed(headers: Mapping[tuple[str, str, str], str], kind: SheetKind, file: str, sheet: str) -> dict[str, str]:
    """The template's header → the header one sheet wrote instead, for the columns it names otherwise."""
    return {
        SPECS_HEADER[kind][canonical]: text
        for (f, s, canonical), text in headers.items()
        if f == file and s == sheet and canonical in SPECS_HEADER[kind] and text != SPECS_HEADER[kind][canonical]
    }


def _in_sender_words(message: str, renamed: Mapping[str, str]) -> str:
    """``message`` with each template header of ``renamed`` replaced by the sender's, in one pass
    (the longest first, so that 备案结束日期 is not read as a 结束日期)."""
    if not renamed:
        return message
    pattern = "|".join(re.escape(h) for h in sorted(renamed, key=len, reverse=True))

    def sender(m: re.Match[str]) -> str:
        template, written = m.group(0), renamed[m.group(0)]
        # A sender's header that contains the template's (实际培训费用(元) around 培训费用) may already
        # stand in the message, whole or in part (「实际培训费用(元)」, 按实际培训费用封顶): replacing the
        # template's words inside it would double them (「实际实际培训费用(元)(元)」, reader 7).
        if template in written:
            before, after = written.split(template, 1)
            start, end = m.start(), m.end()
            if (before and message[max(0, start - len(before)) : start] == before) or (
                after and message.startswith(after, end)
            ):
                return template
        return written

    return re.sub(pattern, sender, message)


def _sender_header(
    headers: Mapping[tuple[str, str, str], str], kind: SheetKind, canonical: str, sources: list[tuple[str, str]]
) -> str:
    """A return column's header as the sender's sheets wrote it (结班日期, not the template's 结业日期);
    both, 「结班日期／结业日期」, when its sheets disagree."""
    written = [headers.get((file, sheet, canonical), SPECS_HEADER[kind][canonical]) for file, sheet in sources]
    return "／".join(dict.fromkeys(written)) or SPECS_HEADER[kind][canonical]
