"""Real input files built from Python lists: .xlsx (typed cells), .xls, CSV, and readers for what skillcli writes.

``write_xlsx`` writes a genuine .xlsx with xlsxwriter, typing each cell from its Python value (str → text
cell, int/float → number cell, date → date cell, ``Formula`` → formula with a cached value, ``Error`` →
error value), so a test can say exactly what Excel would hold. The readers use csv and openpyxl, never
skillcli's own readers, so a written file is checked by an independent parser.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


# -- cell values that are not plain constants --------------------------------------------------
@dataclass(frozen=True)
class Formula:
    """A formula cell, written with the value Excel would have cached for it."""

    formula: str
    cached: Any


@dataclass(frozen=True)
class Error:
    """An error value such as #N/A (written as a formula whose cached result is the error)."""

    value: str = "#N/A"


# -- writing input files -----------------------------------------------------------------------
def _cell_ref(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = "".join(ch for ch in ref if ch.isdigit())
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


def _write_cell(sheet: Any, r: int, c: int, value: Any, date_fmt: Any) -> None:
    if value is None:
        return
    if isinstance(value, Formula):
        sheet.write_formula(r, c, value.formula, None, value.cached)
    elif isinstance(value, Error):
        sheet.write_formula(r, c, "=NA()" if value.value == "#N/A" else "=1/0", None, value.value)
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(r, c, value, date_fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_fmt)
    elif isinstance(value, str):
        sheet.write_string(r, c, value)
    else:
        raise TypeError(f"cannot write {value!r}")


def write_xlsx(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    *,
    merged: dict[str, list[str]] | None = None,
    hidden_rows: dict[str, list[int]] | None = None,
    hidden_sheets: Iterable[str] = (),
    hidden_cols: dict[str, list[str]] | None = None,
) -> Path:
    """Write a real .xlsx. ``merged`` ranges ("A1:H1"), ``hidden_rows`` (Excel row numbers) and
    ``hidden_cols`` (column letters) per sheet."""
    import xlsxwriter

    hidden = set(hidden_sheets)
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    handles = {}
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        handles[name] = sheet
        ranges = [tuple(_cell_ref(part) for part in ref.split(":")) for ref in (merged or {}).get(name, [])]
        # As in Excel, only the top-left cell of a merged range keeps a value.
        covered = {
            (r, c)
            for (r1, c1), (r2, c2) in ranges
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
            if (r, c) != (r1, c1)
        }
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (r, c) not in covered:
                    _write_cell(sheet, r, c, value, date_fmt)
        for (r1, c1), (r2, c2) in ranges:
            top_left = rows[r1][c1] if r1 < len(rows) and c1 < len(rows[r1]) else None
            sheet.merge_range(r1, c1, r2, c2, "")
            _write_cell(sheet, r1, c1, top_left, date_fmt)
        for excel_row in (hidden_rows or {}).get(name, []):
            sheet.set_row(excel_row - 1, None, None, {"hidden": True})
        for letter in (hidden_cols or {}).get(name, []):
            sheet.set_column(f"{letter}:{letter}", None, None, {"hidden": True})
    visible = [n for n in sheets if n not in hidden]
    assert visible, "a workbook needs one visible sheet"
    handles[visible[0]].activate()
    for name in hidden:
        handles[name].hide()
    book.close()
    return path


def write_xls(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """Write a real old-format .xls (BIFF8) with xlwt: numbers as number cells, dates as date cells."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, date_style)
                elif value is not None:
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    text_rows = [["" if v is None else str(v) for v in row] for row in rows]
    csv.writer(buffer, lineterminator="\r\n").writerows(text_rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


# -- reading back what skillcli wrote ----------------------------------------------------------
# The CSVs' Chinese headers and values (``--lang zh``, the default) as README documents them, by
# the English names and values ``--lang en`` writes: tests read either language by the English names.
CSV_HEADERS_ZH = {
    "文件": "file",
    "工作表": "sheet",
    "行号": "row",
    "列": "column",
    "值": "value",
    "代码": "code",
    "级别": "severity",
    "说明": "message_zh",
    "身份证号码": "person_id",
    "姓名": "name",
    "补贴项目": "subsidy",
    "职业(工种)": "occupation",
    "等级": "level",
    "培训类型": "training_type",
    "收款方类型": "payee_type",
    "收款方代码": "payee_id",
    "收款方名称": "payee_name",
    "金额(元)": "amount_yuan",
    "规则": "rule",
    "条款": "clause",
    "原因代码": "reason_code",
    "原因": "reason",
    # The diff CSVs (docs/diff.md); their 原因 and 说明 read as reason and message_zh above.
    "变化": "change",
    "类型": "kind",
    "对比键": "key",
    "键重复": "duplicate",
    "旧文件": "old_file",
    "旧工作表": "old_sheet",
    "旧行号": "old_row",
    "新文件": "new_file",
    "新工作表": "new_sheet",
    "新行号": "new_row",
    "字段代码": "column",
    "表头": "header",
    "旧值": "old_value",
    "新值": "new_value",
    "状态": "state",
    "行变化": "row_change",
    "旧状态": "old_status",
    "新状态": "new_status",
    "旧金额(元)": "old_yuan",
    "新金额(元)": "new_yuan",
    "差额(元)": "delta_yuan",
    "旧规则": "old_rules",
    "新规则": "new_rules",
    # The voucher reasons CSVs.
    "培训券编号": "voucher_no",
    "券类别": "category",
}
_CHANGES_ZH = {"新增": "added", "删除": "removed", "修改": "changed"}
_STATUS_ZH = {"发放": "paid", "异常": "exception", "不符合条件": "ineligible", "无此行": "absent"}
CSV_VALUES_ZH = {
    # Voucher reasons call a warning 提示, as their workbooks do.
    "severity": {"错误": "error", "警告": "warning", "提示": "warning"},
    "payee_type": {"个人": "person", "企业": "enterprise", "培训机构": "institution"},
    "change": {**_CHANGES_ZH, "新增发放": "newly-paid", "不再发放": "no-longer-paid", "金额变化": "amount-changed"},
    "row_change": _CHANGES_ZH,
    "kind": {"花名册": "roster", "考勤": "attendance", "证书": "certificates"},
    "state": {"已修正": "fixed", "新出现": "new", "仍存在": "remaining"},
    "duplicate": {"是": "yes"},
    "old_status": _STATUS_ZH,
    "new_status": _STATUS_ZH,
}


def read_csv(path: Path) -> list[dict[str, str]]:
    """A UTF-8 CSV written by skillcli (with the BOM Excel needs), one dict per line keyed by its
    header; a Chinese CSV is keyed by the English names, with English severities and payee types."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    named = [{CSV_HEADERS_ZH.get(k, k): v for k, v in row.items()} for row in rows]
    return [{k: CSV_VALUES_ZH.get(k, {}).get(v, v) for k, v in row.items()} for row in named]
