"""The fast sheet writer (io/fastxlsx.py) against the xlsxwriter cell-by-cell path it replaces.

The same frame is written both ways through ``Workbook.table`` (a Polars frame takes the fast
path, its rows as Python lists the old one) and every cell is read back with openpyxl: value,
type, number format and highlight colour, and the sheet's print layout. The awkward values are
the ones input can carry: formula-like text, control characters, text longer than a cell holds,
4-byte characters, empty strings beside nulls, negative fen.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from skillcli.io import fastxlsx
from skillcli.io.writer import Column, Workbook

RICH_LOOKALIKE = "<r><t>x</t></r>"  # xlsxwriter's streaming mode passes this through as raw XML
TEXTS = [
    "=cmd|' /C calc'!A0",
    "+86 13800000000",
    "-1+1",
    "@SUM(A1:A2)",
    "a\x01b\x1fc\x0bd",
    "_x0041_ stays as typed",
    "𠮷野家 🙂",
    "",
    None,
    " leading and trailing ",
    "\ttab first",
    'a & b < c > d "q"',
    "line\nbreak",
    "320506199003072311",
    "0012",
    "末行",
    "",
]
# Too long for a cell: written last in the row, because xlsxwriter's write_row stops at a truncated
# cell and drops the rest of the row (the fast writer does not; see the test below).
LONG = ["x" * 40_000, "𠮷" * 20_000, "y" * 32_000 + "𠮷" * 500, *[None] * 14]
FEN = [0, -5, -100, 12345, 99_999_999_999, None, 1, -1, 10, 150_000, 7, -123_456, 40, 3, 2, 1_000_000_001, 99]
DATES = [
    dt.date(2024, 5, 6),
    dt.date(1900, 1, 15),
    dt.date(1900, 3, 1),
    None,
    *[dt.date(2021, 6, d) for d in range(1, 14)],
]
INTS = [1, -3, None, 0, 2**40, *range(5, 17)]
COLUMNS = (
    Column("序号", "int", 6),
    Column("文本"),
    Column("金额", "money", 12),
    Column("日期", "date"),
    Column("身份证号码", width=21),
    Column("备注"),
)


def _frame(texts: list[str | None]) -> pl.DataFrame:
    n = len(texts)
    return pl.DataFrame(
        {
            "no": INTS[:n],
            "text": texts,
            "fen": FEN[:n],
            "day": DATES[:n],
            "id": [f"32050619900307{i:04d}" if i % 3 else None for i in range(n)],
            "long": LONG[:n],
        },
        schema={"no": pl.Int64, "text": pl.String, "fen": pl.Int64, "day": pl.Date, "id": pl.String, "long": pl.String},
    )


def _write(path: Path, frame: pl.DataFrame, *, fast: bool, highlight: bool, title: str | None = None) -> None:
    book = Workbook(path, streaming=True)
    try:
        book.key_values("汇总", "summary", [("rows", frame.height, "int")])
        fmts = None
        if highlight:
            fmts = [book.fmt_error if i % 2 else book.fmt_warning for i in range(frame.height)]
        book.table("明细", COLUMNS, frame if fast else frame.rows(), row_format=fmts, title=title)
        book.table("不符合条件", COLUMNS[:2], frame.select("no", "text") if fast else frame.select("no", "text").rows())
    finally:
        book.close()


def _cells(sheet: Any) -> list[tuple[Any, ...]]:
    return [
        (c.coordinate, c.value, c.data_type, c.number_format, c.fill.fgColor.rgb, c.font.color and c.font.color.rgb)
        for row in sheet.iter_rows()
        for c in row
    ]


def _layout(sheet: Any) -> tuple[Any, ...]:
    setup = sheet.page_setup
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    return (
        sheet.freeze_panes,
        sheet.auto_filter.ref,
        sheet.print_title_rows,
        setup.orientation,
        setup.paperSize,
        setup.fitToWidth,
        setup.fitToHeight,
        sheet.sheet_properties.pageSetUpPr.fitToPage if sheet.sheet_properties.pageSetUpPr else None,
        widths,
        sheet.dimensions,
    )


@pytest.mark.parametrize(("highlight", "title"), [(False, None), (True, None), (True, "标题 title")])
def test_fast_writer__same_cells_and_layout_as_xlsxwriter(tmp_path: Path, highlight: bool, title: str | None) -> None:
    frame = _frame(TEXTS)
    _write(tmp_path / "old.xlsx", frame, fast=False, highlight=highlight, title=title)
    _write(tmp_path / "new.xlsx", frame, fast=True, highlight=highlight, title=title)
    old = openpyxl.load_workbook(tmp_path / "old.xlsx")
    new = openpyxl.load_workbook(tmp_path / "new.xlsx")
    assert new.sheetnames == old.sheetnames == ["汇总", "明细", "不符合条件"]
    for name in old.sheetnames:
        assert _cells(new[name]) == _cells(old[name]), name
        assert _layout(new[name]) == _layout(old[name]), name
    detail = new["明细"]
    top = 2 if title else 1
    # The values themselves, not only agreement: text stays text, money is yuan, IDs stay text.
    assert detail.max_row == top + frame.height
    first = detail[top + 1]
    assert (first[1].value, first[1].data_type) == ("=cmd|' /C calc'!A0", "s")
    assert first[3].value == dt.datetime(2024, 5, 6) and first[3].number_format == "yyyy-mm-dd"
    assert detail[top + 2][2].value == -0.05 and detail[top + 2][2].number_format == "#,##0.00"
    assert detail[top + 5][2].value == 999_999_999.99
    # Control characters are escaped as _xHHHH_ (Excel decodes them; openpyxl shows the escape), and
    # text that already looks like an escape has its underscore escaped so that it reads as typed.
    assert detail[top + 5][1].value == "a_x0001_b_x001F_c_x000B_d"
    assert detail[top + 6][1].value == "_x005F_x0041_ stays as typed"
    assert detail[top + 7][1].value == "𠮷野家 🙂"
    assert detail[top + 8][1].value is None and detail[top + 9][1].value is None  # "" and null alike
    assert detail[top + 10][1].value == " leading and trailing "
    assert detail[top + 14][4].value == "320506199003070013" and detail[top + 14][4].data_type == "s"
    # Excel's cell limit is 32 767 UTF-16 units; a 4-byte character counts two.
    assert len(detail[top + 1][5].value) == 32_767
    assert len(detail[top + 2][5].value) == 32_767 // 2
    assert detail[top + 3][5].value == "y" * 32_000 + "𠮷" * 383
    if highlight:
        assert detail[top + 1][1].fill.fgColor.rgb == "FFFFEB9C"  # warning row
        assert detail[top + 2][2].fill.fgColor.rgb == "FFFFC7CE"  # error row, money keeps its format
        assert detail[top + 2][2].number_format == "#,##0.00"


def test_fast_writer__escapes_text_that_looks_like_rich_text_xml(tmp_path: Path) -> None:
    frame = _frame([RICH_LOOKALIKE, "<b>bold?</b>"])
    _write(tmp_path / "new.xlsx", frame, fast=True, highlight=False)
    detail = openpyxl.load_workbook(tmp_path / "new.xlsx")["明细"]
    assert [detail.cell(r, 2).value for r in (2, 3)] == [RICH_LOOKALIKE, "<b>bold?</b>"]


def test_fast_writer__a_text_too_long_does_not_drop_the_rest_of_its_row(tmp_path: Path) -> None:
    frame = _frame(["x" * 40_000, "ok"])
    _write(tmp_path / "new.xlsx", frame, fast=True, highlight=False)
    detail = openpyxl.load_workbook(tmp_path / "new.xlsx")["明细"]
    assert len(detail.cell(2, 2).value) == 32_767
    assert (detail.cell(2, 3).value, detail.cell(2, 4).value) == (0, dt.datetime(2024, 5, 6))


def test_fast_writer__splits_a_table_longer_than_a_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastxlsx, "EXCEL_MAX_ROWS", 6)  # header + 5 data rows a sheet
    frame = _frame(TEXTS[:12])
    _write(tmp_path / "new.xlsx", frame, fast=True, highlight=True)
    book = openpyxl.load_workbook(tmp_path / "new.xlsx")
    assert book.sheetnames == ["汇总", "明细1", "明细2", "明细3", "不符合条件1", "不符合条件2", "不符合条件3"]
    numbers = []
    for name in ("明细1", "明细2", "明细3"):
        sheet = book[name]
        assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
        assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"
        numbers += [r[0].value for r in sheet.iter_rows(min_row=2)]
        assert sheet.auto_filter.ref == f"A1:F{sheet.max_row}"
    assert numbers == INTS[:12]


def _summary(path: Path, block: pl.DataFrame, *, fast: bool) -> list[int]:
    """A summary sheet as the payout's 汇总 is laid out: cells above, a block of rows, cells below.

    The block is written by ``write_rows`` (fast) or cell by cell with ``write_cell`` (the old way);
    returns the widths each way measured."""
    kinds: list[Any] = ["text", "text", "int", "money"]
    book = Workbook(path, streaming=True)
    try:
        sheet = book.add_sheet("汇总")
        sheet.write_string(0, 0, "按收款方 title", book.fmt_title)
        book.write_cell(sheet, 1, 2, "money", 150_000)
        if fast:
            widths = book.write_rows(sheet, 3, kinds, block)
        else:
            widths = [0] * len(kinds)
            for i, row in enumerate(block.iter_rows()):
                for j, (kind, value) in enumerate(zip(kinds, row, strict=True)):
                    widths[j] = max(widths[j], book.write_cell(sheet, 3 + i, j, kind, value))
        below = 3 + block.height + 1
        sheet.write_string(below, 0, "市级", book.fmt_bold)
        book.write_cell(sheet, below, 1, "money", -12_345)
        for j, width in enumerate(widths):
            sheet.set_column(j, j, min(width + 2, 60))
    finally:
        book.close()
    return widths


def test_write_rows__a_block_amid_a_sheet_is_the_same_as_cell_by_cell(tmp_path: Path) -> None:
    import zipfile

    n = len(TEXTS)
    block = pl.DataFrame(
        {
            "label": ["企业" if i % 2 else "个人" for i in range(n)],
            "text": TEXTS,
            "lines": INTS[:n],
            "fen": FEN[:n],
        },
        schema={"label": pl.String, "text": pl.String, "lines": pl.Int64, "fen": pl.Int64},
    )
    old_widths = _summary(tmp_path / "old.xlsx", block, fast=False)
    new_widths = _summary(tmp_path / "new.xlsx", block, fast=True)
    assert new_widths == old_widths
    with zipfile.ZipFile(tmp_path / "old.xlsx") as old_zip, zipfile.ZipFile(tmp_path / "new.xlsx") as new_zip:
        # The very sheet XML xlsxwriter writes (the rows in order, the extent, the widths), numbers
        # compared as the doubles they read back as: xlsxwriter writes 0.07 yuan as %.16G of the
        # float (0.07000000000000001), the fast writer the exact decimal; both are the same double.
        def xml(book: zipfile.ZipFile) -> str:
            text = book.read("xl/worksheets/sheet1.xml").decode()
            return re.sub("<v>([^<]*)</v>", lambda m: f"<v>{float(m.group(1))!r}</v>", text)

        assert xml(new_zip) == xml(old_zip)
    old = openpyxl.load_workbook(tmp_path / "old.xlsx")["汇总"]
    new = openpyxl.load_workbook(tmp_path / "new.xlsx")["汇总"]
    assert _cells(new) == _cells(old)
    assert _layout(new) == _layout(old)
    # The values themselves: the block from row 4, the row below it after a blank row.
    assert [new.cell(4, c).value for c in range(1, 5)] == ["个人", "=cmd|' /C calc'!A0", 1, 0]
    assert new.cell(4, 2).data_type == "s"
    assert (new.cell(5, 3).value, new.cell(5, 4).value, new.cell(5, 4).number_format) == (-3, -0.05, "#,##0.00")
    assert new.cell(4 + n, 1).value is None and new.cell(4 + n + 1, 1).value == "市级"
    assert new.cell(4 + n + 1, 2).value == -123.45
    assert new.max_row == 4 + n + 1
