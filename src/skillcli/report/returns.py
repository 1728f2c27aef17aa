"""Return workbooks (退回清单): one per 培训机构 or 单位, holding only its own rows with problems.

``check --out DIR --split-by institution`` writes ``退回_<name>.xlsx`` for each institution (or each
employer with ``enterprise``), so the clerk can send each one its own list. A roster row belongs to
the institution written on it; an attendance or certificate row to the institution of the same
person on the roster. Each workbook has a cover (批次, 问题数, 退回日期, 联系人 from the ``[contact]``
table of skillcli.toml) and one sheet per sheet kind: the row's Excel number, what is wrong and what
to do in Chinese beside it, then the row's values with the problem cells highlighted. It prints on
A4 landscape, one page wide, text wrapped, header repeated, so a row and its message share a page.
Trainee IDs appear in full: every row in the workbook is the recipient's own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from skillcli.io.writer import OutputSet, Workbook, _display_width
from skillcli.model import SheetKind
from skillcli.pipeline import Batch
from skillcli.schema.columns import SPECS

# --split-by value → (roster column naming the recipient, its Chinese header).
SPLIT_BY: dict[str, tuple[str, str]] = {
    "institution": ("institution", "培训机构"),
    "enterprise": ("employer_name", "单位名称"),
}
_UNSAFE_NAME_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
MESSAGE_WIDTH = 60
LINE_HEIGHT = 15
IDENTITY_COLUMNS = ("name", "id_number", "occupation", "class_id")
VALUE_MAX_WIDTH = 24


@dataclass(frozen=True, slots=True)
class Recipient:
    """One return: who it goes to, its file name and its findings (rows of ``batch.findings``)."""

    name: str
    file_name: str
    findings: pl.DataFrame


def owners(batch: Batch, by: str) -> pl.DataFrame:
    """Each finding about a row, with ``__owner``: the institution (or employer) the row belongs to,
    or 未填<header> when the roster leaves it blank. Findings about whole files or sheets have no row
    and go to no one (they are the clerk's own to settle)."""
    column, header = SPLIT_BY[by]
    unknown = f"未填{header}"
    roster = batch.raw.get(SheetKind.ROSTER)
    rowed = batch.findings.filter(pl.col("row").is_not_null())
    if roster is None or column not in roster.columns:
        return rowed.with_columns(pl.lit(unknown).alias("__owner"))
    roster_owner = roster.select(
        pl.col("_file").alias("file"),
        pl.col("_sheet").alias("sheet"),
        pl.col("_row").alias("row"),
        pl.col(column).alias("__by_row"),
    )
    # A person's institution, for their attendance and certificate rows: the first one on the roster.
    person_owner = (
        roster.filter(pl.col("id_number").is_not_null() & pl.col(column).is_not_null())
        .group_by("id_number", maintain_order=True)
        .agg(pl.col(column).first().alias("__by_person"))
        .rename({"id_number": "person_id"})
        if "id_number" in roster.columns
        else pl.DataFrame(schema={"person_id": pl.String, "__by_person": pl.String})
    )
    return (
        rowed.join(roster_owner, on=["file", "sheet", "row"], how="left", maintain_order="left")
        .join(person_owner, on="person_id", how="left", maintain_order="left")
        .with_columns(pl.coalesce("__by_row", "__by_person", pl.lit(unknown)).alias("__owner"))
        .drop("__by_row", "__by_person")
    )


def recipients(batch: Batch, by: str) -> list[Recipient]:
    """One recipient per institution (or employer) with at least one finding, in order of first finding."""
    owned = owners(batch, by)
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
    batch: Batch, by: str, outputs: OutputSet, contact: Mapping[str, Any], today: dt.date
) -> list[Recipient]:
    """Stage one return workbook per recipient in ``outputs``; returns the recipients written."""
    written = recipients(batch, by)
    for recipient in written:
        book = Workbook(outputs.path(recipient.file_name))
        try:
            _cover(book, batch, by, recipient, contact, today)
            for kind in SheetKind:
                _kind_sheet(book, batch, kind, recipient.findings)
        finally:
            book.close()
    return written


def _cover(
    book: Workbook, batch: Batch, by: str, recipient: Recipient, contact: Mapping[str, Any], today: dt.date
) -> None:
    errors = int((recipient.findings.get_column("severity") == "error").sum())
    warnings = recipient.findings.height - errors
    rows_with_problems = recipient.findings.select("file", "sheet", "row").unique().height
    lines: list[tuple[str, Any, Any]] = [
        ("批次", batch.ctx.period_label, "text"),
        (SPLIT_BY[by][1], recipient.name, "text"),
        ("问题数", f"错误 {errors} 条，警告 {warnings} 条，涉及 {rows_with_problems} 行", "text"),
        ("退回日期", today.isoformat(), "text"),
    ]
    if contact:
        lines += [(str(key), str(value), "text") for key, value in contact.items()]
    else:
        lines.append(("联系人", "（未设置：请在 skillcli.toml 的 [contact] 表中填写联系人和电话）", "text"))
    lines += [
        ("如何改正", "请按各工作表「问题说明」列逐行改正原表中标色的单元格，改好后整表重新报送。", "text"),
        ("颜色", "红色：错误，改正前不能发放补贴；黄色：警告，请核对，确认无误可不改。", "text"),
        ("行号", "「行号」是原表中的 Excel 行号，打开原表即可找到该行。", "text"),
    ]
    book.key_values("封面", f"培训补贴申报退回清单（{recipient.name}）", lines)


def _kind_sheet(book: Workbook, batch: Batch, kind: SheetKind, findings: pl.DataFrame) -> None:
    """One sheet: a line per row with problems — row number, messages, then the row's values."""
    frame = batch.raw.get(kind)
    if frame is None or frame.height == 0:
        return
    value_columns = [s.name for s in SPECS[kind] if s.name in frame.columns]
    values = frame.select(
        pl.col("_file").alias("file"), pl.col("_sheet").alias("sheet"), pl.col("_row").alias("row"), *value_columns
    )
    mine = findings.join(values.select("file", "sheet", "row"), on=["file", "sheet", "row"], how="semi")
    if mine.height == 0:
        return
    rows = (
        mine.group_by("file", "sheet", "row", maintain_order=True)
        .agg(pl.col("message_zh"), pl.col("severity"), pl.col("column"))
        .join(values, on=["file", "sheet", "row"], how="left", maintain_order="left")
    )
    headers = _written_headers(batch, kind)
    # Who the row is about, then every column with a problem in some row: a whole roster (30-odd
    # columns) fitted to one A4 width would print too small to read.
    problem_headers = {str(c) for columns in rows.get_column("column").to_list() for c in columns}
    value_columns = [
        c
        for c in value_columns
        if c in IDENTITY_COLUMNS
        or problem_headers & ({SPECS_HEADER[kind][c]} | {text for (_, _, name), text in headers.items() if name == c})
    ]
    several_files = rows.get_column("file").n_unique() > 1
    sheet = book.add_sheet(f"{kind.label_zh}问题")
    wrap = book.add_format({"text_wrap": True, "valign": "top", "border": 1, "num_format": "@"})
    error = book.add_format({"text_wrap": True, "valign": "top", "border": 1, "bg_color": "#FFC7CE", "num_format": "@"})
    warning = book.add_format(
        {"text_wrap": True, "valign": "top", "border": 1, "bg_color": "#FFEB9C", "num_format": "@"}
    )
    head = [*(["文件"] if several_files else []), "工作表", "行号", "问题说明（请按此改正）"]
    head += [SPECS_HEADER[kind][c] for c in value_columns]
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
        sheet.set_row(i, LINE_HEIGHT * max(_lines(text, width) for text, width in cells) + 3)
    # The row number and its message stay in view while the clerk scrolls through the values.
    sheet.freeze_panes(1, len(head) - len(value_columns))
    book.print_setup(sheet, repeat_row=0, fit_width=True)


SPECS_HEADER: dict[SheetKind, dict[str, str]] = {
    kind: {spec.name: spec.header for spec in specs} for kind, specs in SPECS.items()
}


def _lines(text: str, width: int) -> int:
    """How many printed lines a wrapped cell of ``width`` needs for ``text``."""
    return sum(max(-(-_display_width(part) // max(width - 1, 1)), 1) for part in text.split("\n")) or 1


def _cell_text(value: Any) -> str:
    """A cell as read, for the return: a date cell without the midnight time the reader adds."""
    text = "" if value is None else str(value)
    return text[:-9] if re.fullmatch(r"\d{4}-\d{2}-\d{2} 00:00:00", text) else text


def _written_headers(batch: Batch, kind: SheetKind) -> dict[tuple[str, str, str], str]:
    """(file, sheet, canonical) → the header as the sheet wrote it, to find the problem cell."""
    return {
        (f.path, s.sheet, canonical): text
        for f in batch.files
        for s in f.sheets
        if s.kind is kind
        for canonical, text in s.headers.items()
    }
