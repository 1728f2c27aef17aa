"""The 公示 (public notice) of a run: the list an office posts before paying, grouped by subsidy.

Every ID number is masked as 320502********3518 (first 6, last 4) before it reaches the sheet; the
workbook never holds a full one, whatever ``--show-ids`` says. Laid out to print on A4 portrait,
one page wide, the header rows repeated on every page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from skillcli.errors import UsageError
from skillcli.io.writer import Workbook
from skillcli.model import LEVEL_LABELS, Level, PayeeType
from skillcli.text import mask_id

HEADERS = ("序号", "姓名", "身份证号码", "补贴项目", "职业(工种)", "等级", "金额(元)", "收款方")
WIDTHS = (6, 10, 21, 34, 14, 13, 12, 26)
AMOUNT_COLUMN = 6


@dataclass(frozen=True, slots=True)
class Notice:
    """The words around the list: title, 公示期 and contact (from options or ``[contact]``)."""

    title: str
    period_text: str
    contact: str


def default_title(period: str) -> str:
    """「关于 2021 年 6 月职业技能培训补贴拟发放名单的公示」 for period 2021-06."""
    year, month = period.split("-")
    return f"关于 {int(year)} 年 {int(month)} 月职业技能培训补贴拟发放名单的公示"


def notice(
    run: Mapping[str, Any],
    contact_table: Mapping[str, Any],
    title: str | None,
    period_text: str | None,
    contact: str | None,
) -> Notice:
    """Options first, then skillcli.toml ``[contact]``; a 公示 without its period or contact is refused."""

    def pick(*keys: str) -> str | None:
        for key in keys:
            value = contact_table.get(key)
            if value not in (None, ""):
                return str(value)
        return None

    period_text = period_text or pick("公示期", "period_text")
    if contact is None:
        parts = [p for p in (pick("单位", "office"), pick("联系人", "name"), pick("电话", "phone")) if p]
        contact = pick("联系方式", "contact") or (" ".join(parts) if parts else None)
    if not period_text:
        raise UsageError(
            "公示缺少公示期：请用 --period-text 提供，或在 skillcli.toml [contact] 中设置「公示期」",
            "the notice needs its period: give --period-text or 公示期 in skillcli.toml [contact]",
        )
    if not contact:
        raise UsageError(
            "公示缺少联系方式：请用 --contact 提供，或在 skillcli.toml [contact] 中设置联系人、电话",
            "the notice needs a contact: give --contact or 联系人/电话 in skillcli.toml [contact]",
        )
    return Notice(title or default_title(str(run["period"])), period_text, contact)


def publish_rows(lines: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    """(subsidy, its lines) in rule order (A5 before A11), each group's lines in ledger order."""
    live = lines.filter(pl.col("kind").is_in(["payment", "advance"])).sort("line_id")
    if live.height == 0:
        return []
    order = (
        live.group_by("subsidy", maintain_order=True)
        .agg(pl.col("rule").first())
        .with_columns(
            pl.col("rule").str.extract(r"^([A-Za-z]+)").alias("_letter"),
            pl.col("rule").str.extract(r"(\d+)").cast(pl.Int64, strict=False).alias("_number"),
        )
        .sort("_letter", "_number", nulls_last=True, maintain_order=True)
    )
    return [(s, live.filter(pl.col("subsidy") == s)) for s in order.get_column("subsidy").to_list()]


def level_text(code: Any) -> str | None:
    """A ledger level code (L4, NONE, …) as the office writes it (四级/中级工, 无等级)."""
    if code is None:
        return None
    try:
        return LEVEL_LABELS[Level(code)]
    except ValueError:
        return str(code)


def _payee(row: Mapping[str, Any]) -> str | None:
    if row["payee_type"] == PayeeType.PERSON.value:
        return "本人"
    name = row.get("payee_name")
    return str(name) if name else None


def write_publish(path: Path, run: Mapping[str, Any], groups: list[tuple[str, pl.DataFrame]], words: Notice) -> None:
    """One sheet 公示: title, 公示期, the grouped list with 小计 and 合计, the contact line."""
    book = Workbook(path)
    try:
        sheet = book.add_sheet("公示")
        last_col = len(HEADERS) - 1
        title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        group = book.add_format({"bold": True, "bg_color": "#F2F2F2"})
        cell = book.add_format({"border": 1})
        money = book.add_format({"border": 1, "num_format": "#,##0.00"})
        bold = book.add_format({"border": 1, "bold": True})
        bold_money = book.add_format({"border": 1, "bold": True, "num_format": "#,##0.00"})
        sheet.merge_range(0, 0, 0, last_col, words.title, title)
        sheet.set_row(0, 30)
        sheet.merge_range(1, 0, 1, last_col, f"公示期：{words.period_text}", wrap)
        header_row = 3
        for j, header in enumerate(HEADERS):
            sheet.write_string(header_row, j, header, book.fmt_header)
        r = header_row + 1
        total_fen = 0
        total_lines = 0
        for number, (subsidy, frame) in enumerate(groups, start=1):
            sheet.merge_range(r, 0, r, last_col, f"{_chinese_number(number)}、{subsidy}", group)
            r += 1
            for i, row in enumerate(frame.iter_rows(named=True), start=1):
                values: list[Any] = [
                    str(i),
                    row["name"],
                    mask_id(str(row["person_id"])),
                    subsidy,
                    row.get("occupation"),
                    level_text(row.get("level")),
                    None,
                    _payee(row),
                ]
                for j, value in enumerate(values):
                    if j == AMOUNT_COLUMN:
                        book.write_money(sheet, r, j, int(row["amount_fen"]), money)
                    else:
                        book.write_cell(sheet, r, j, "text", value, cell)
                r += 1
            subtotal = int(frame.get_column("amount_fen").sum())
            book.write_cell(sheet, r, 0, "text", "小计", bold)
            book.write_cell(sheet, r, 1, "text", f"{frame.height} 人次", bold)
            book.write_money(sheet, r, AMOUNT_COLUMN, subtotal, bold_money)
            r += 1
            total_fen += subtotal
            total_lines += frame.height
        book.write_cell(sheet, r, 0, "text", "合计", bold)
        book.write_cell(sheet, r, 1, "text", f"{total_lines} 人次", bold)
        book.write_money(sheet, r, AMOUNT_COLUMN, total_fen, bold_money)
        sheet.merge_range(r + 2, 0, r + 2, last_col, f"如有异议，请在公示期内向 {words.contact} 反映。", wrap)
        sheet.merge_range(r + 3, 0, r + 3, last_col, f"批次号：{run['run_id']}（{run['period']}）", None)
        _page_setup(sheet, header_row)
    finally:
        book.close()


def _page_setup(sheet: Any, header_row: int) -> None:
    """A4 portrait, one page wide, the header row on every page, page numbers in the footer."""
    for j, width in enumerate(WIDTHS):
        sheet.set_column(j, j, width)
    sheet.set_portrait()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer("&C第 &P 页 共 &N 页")


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return str(n)
