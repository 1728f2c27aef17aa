"""The big sheets of a workbook (明细, 异常, 不符合条件 …) written from Polars columns, not cell by cell.

xlsxwriter spends about 5 µs of Python per cell; a 100 000-line payout has two million cells.
Here every data row's SpreadsheetML is built by Polars string expressions, one per column, and
only the finished text passes through Python. The layout stays xlsxwriter's: ``Workbook.table``
still makes the sheet with its header row, widths, frozen panes, filter and print setup, and this
module only puts the data rows into that sheet's XML when the workbook is packed. The cells are
the ones xlsxwriter's constant-memory mode writes for the same values: inline strings (no
shared-string table, which would cost a hash per cell and memory for the whole sheet), numbers in
the shortest form that reads back as the same double, and the same style index per cell.

Inline string cells are never formulas, so text from input such as ``=cmd|…`` stays text.
Characters that XML cannot carry are escaped as ``_xHHHH_`` exactly as xlsxwriter does, and
``& < >`` as entities — including text that looks like rich-text XML, which xlsxwriter would pass
through raw.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import polars as pl

from skillcli.io.xlsxmeta import col_letter

# Excel's sheet size: 1 048 576 rows. A longer table continues on a second sheet (明细1, 明细2 …).
EXCEL_MAX_ROWS = 1_048_576
# Rows turned into XML at a time: bounds the memory of the text (about 300 bytes a row) on 1M rows.
CHUNK_ROWS = 65_536
# zlib level of the big sheets: measured on a 明细 sheet of 9 088 lines, level 1 compresses three
# times faster than xlsxwriter's default level 6 (0.19 s against 0.56 s for 89 MB of XML) for a
# part a fifth larger (9.5 MB against 7.9 MB).
COMPRESS_LEVEL = 1
# xlsxwriter's limit for one cell's text (Excel's: 32 767 UTF-16 code units).
MAX_TEXT_UNITS = 32_767

_CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20))]
_CONTROL_RE = "[\\x00-\\x08\\x0b-\\x1f\\x{fffe}\\x{ffff}]"
_NEEDS_ESCAPE_RE = "[&<>\\x00-\\x08\\x0b-\\x1f\\x{fffe}\\x{ffff}]|_x[0-9a-fA-F]{4}_"
_ESCAPE_FROM = [*_CONTROL, "\ufffe", "\uffff"]
_ESCAPE_TO = [f"_x{ord(c):04X}_" for c in _ESCAPE_FROM]


@dataclass(slots=True)
class FrameSheet:
    """Data rows waiting for their sheet: ``cells`` has one column per table column, in order."""

    sheet_index: int  # 1-based position among the worksheets: xl/worksheets/sheetN.xml
    cells: pl.DataFrame
    kinds: tuple[str, ...]
    first_row: int  # 1-based Excel row of the first data row
    column_style: tuple[int | None, ...]  # xf index of each column's format (money, date) or None
    row_styles: list[int | None] | None  # per data row: xf index of its highlight, or None
    merged_styles: dict[tuple[int, str], int]  # (row xf, kind) -> xf of the highlighted money/date format
    # Column index -> width of each wrapped column: a row is made tall enough for its longest text,
    # which neither Excel nor LibreOffice does for a row written by a program.
    wrap_widths: dict[int, int] | None = None




# The height of one printed line of Calibri 11, in points: Excel's default row height.
LINE_POINTS = 15


def _row_height(frame: FrameSheet, chunk: pl.DataFrame) -> pl.Expr | None:
    """The ``<row>`` attributes giving each row of ``chunk`` the height of its longest wrapped text
    (empty for a row of one line), or None when the sheet wraps nothing."""
    if not frame.wrap_widths:
        return None
    lines = []
    for j, width in frame.wrap_widths.items():
        per_line = max(width - 2, 1)
        column = chunk.get_column(chunk.columns[j]).cast(pl.String)
        longest = column.str.len_bytes().max()
        if not isinstance(longest, int) or (longest <= per_line and not column.str.contains("\n", literal=True).any()):
            continue  # every cell fits one line (a byte is at most one character width)
        text = pl.col(chunk.columns[j]).cast(pl.String).fill_null("")
        # A CJK character (three bytes of UTF-8) takes two character widths, an ASCII one (one byte)
        # one: counted from the two lengths alone, cheap on a million rows. A line break starts a line.
        chars = text.str.len_chars()
        shown = chars + (text.str.len_bytes() - chars) // 2
        lines.append((shown + per_line - 1) // per_line + text.str.count_matches("\n", literal=True))
    if not lines:
        return None
    most = pl.max_horizontal(lines)
    return (
        pl.when(most > 1)
        .then(pl.concat_str([pl.lit(' ht="'), (most * LINE_POINTS).cast(pl.String), pl.lit('" customHeight="1"')]))
        .otherwise(pl.lit(""))
    )


def _style_attr(style: int | None) -> str:
    return "" if style is None else f' s="{style}"'


def _as_text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A cell's text as ``str(value)`` gives it; null for null and for empty text (no cell)."""
    text: pl.Expr = expr.cast(pl.String)
    if dtype == pl.Boolean:
        # str(True) is "True": the text the cell-by-cell writer puts in.
        text = pl.when(expr).then(pl.lit("True")).when(expr.not_()).then(pl.lit("False")).otherwise(None)
    return pl.when(text == "").then(None).otherwise(text)


def _escape(series: pl.Series) -> pl.Series:
    """xlsxwriter's escaping of inline strings, on a whole column (the costly parts only when needed)."""
    if series.null_count() == series.len():
        return series
    longest = series.str.len_chars().max()
    if isinstance(longest, int) and longest > MAX_TEXT_UNITS // 2:
        series = series.map_elements(_truncate, return_dtype=pl.String)
    if not bool(series.str.contains(_NEEDS_ESCAPE_RE).any()):
        # One pass finds that a column needs no escaping at all, as almost every column does.
        return series
    if bool(series.str.contains("_x[0-9a-fA-F]{4}_").any()):
        # Text that already reads like an escape gets its underscore escaped, so it reads back as typed.
        series = series.str.replace_all("(_x[0-9a-fA-F]{4}_)", "_x005F$1")
    if bool(series.str.contains(_CONTROL_RE).any()):
        series = series.str.replace_many(_ESCAPE_FROM, _ESCAPE_TO)
    if bool(series.str.contains("[&<>]").any()):
        series = series.str.replace_many(["&", "<", ">"], ["&amp;", "&lt;", "&gt;"])
    return series


def _truncate(text: str) -> str:
    from xlsxwriter.utility import _utf16_len, _utf16_truncate

    if _utf16_len(text) > MAX_TEXT_UNITS:
        return str(_utf16_truncate(text, MAX_TEXT_UNITS))
    return text


def _yuan_text(fen: pl.Expr) -> pl.Expr:
    """Integer fen as the decimal yuan text Excel reads back as fen / 100 (``12340`` -> ``123.4``).

    xlsxwriter writes ``%.16G`` of the float, which for the amounts of a payout is this exact decimal
    with trailing zeros dropped; built from the integer, it reads back as exactly the double nearest
    fen / 100 (the 16-digit form can miss it by an ulp near 10¹³ yuan).
    """
    magnitude = fen.abs()
    cents = magnitude % 100
    fraction = (
        pl.when(cents == 0)
        .then(pl.lit(""))
        .when(cents % 10 == 0)
        .then(pl.lit(".") + (cents // 10).cast(pl.String))
        .otherwise(pl.lit(".") + cents.cast(pl.String).str.zfill(2))
    )
    sign = pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return sign + (magnitude // 100).cast(pl.String) + fraction


def _serial_text(day: pl.Expr) -> pl.Expr:
    """A date as Excel's serial day number (1900 system, with its 29 Feb 1900), as xlsxwriter counts."""
    days = (day - pl.lit(dt.date(1899, 12, 31))).dt.total_days()
    return pl.when(days >= 60).then(days + 1).otherwise(days).cast(pl.String)


def _number_text(series: pl.Series) -> pl.Series:
    if series.dtype.is_integer():
        return series.cast(pl.String)
    # Floats: Python's %.16G, as xlsxwriter writes them (a rare column; the cost is per cell).
    return series.cast(pl.Float64).map_elements(lambda v: f"{v:.16G}", return_dtype=pl.String)


def _cells(frame: FrameSheet, chunk: pl.DataFrame, styles: pl.Series | None, first: int) -> pl.DataFrame:
    """The ``<row>`` elements of one chunk of data rows, one a row, in a one-column frame."""
    n = chunk.height
    row_no = pl.Series("__r", range(first, first + n), dtype=pl.Int64).cast(pl.String)
    columns: dict[str, pl.Series] = {"__r": row_no}
    if styles is not None:
        columns["__s"] = styles
    height = _row_height(frame, chunk)
    if height is not None:
        columns["__h"] = chunk.select(height.alias("__h")).to_series()
    parts: list[pl.Expr] = [
        pl.lit('<row r="'),
        pl.col("__r"),
        pl.lit('"'),
        *(() if height is None else (pl.col("__h"),)),
        pl.lit(">"),
    ]
    for j, (name, kind) in enumerate(zip(chunk.columns, frame.kinds, strict=True)):
        series = chunk.get_column(name)
        key = f"__v{j}"
        if kind == "money" and series.dtype.is_integer():
            value = pl.select(_yuan_text(pl.lit(series))).to_series()
            numeric = True
        elif kind == "date" and series.dtype in (pl.Date, pl.Datetime):
            value = pl.select(_serial_text(pl.lit(series).cast(pl.Date))).to_series()
            numeric = True
        elif kind in ("int", "number", "money") and series.dtype.is_numeric():
            value = _number_text(series)
            numeric = True
        else:
            value = _escape(pl.select(_as_text(pl.lit(series), series.dtype)).to_series())
            numeric = False
        columns[key] = value.alias(key)
        v = pl.col(key)
        # Number cells and wrapped text carry their column's format; other text carries none.
        styled = numeric or kind == "wrap"
        plain = _style_attr(frame.column_style[j] if styled else None)
        head = f'<c r="{col_letter(j)}'
        if styles is None:
            attr: list[pl.Expr] = [pl.lit(f'"{plain}')]
        else:
            mapping = {
                xf: _style_attr(frame.merged_styles.get((xf, kind), xf) if styled else xf)
                for xf in styles.drop_nulls().unique().to_list()
            }
            attr = [pl.lit('"'), pl.col("__s").replace_strict(mapping, default=pl.lit(plain), return_dtype=pl.String)]
        # One concat_str a cell (no intermediate columns); a null value makes the whole cell null,
        # and a null cell is left out of the row.
        if numeric:
            cell = pl.concat_str([pl.lit(head), pl.col("__r"), *attr, pl.lit("><v>"), v, pl.lit("</v></c>")])
        else:
            preserve = pl.when(v.str.contains(r"^\s|\s$")).then(pl.lit(' xml:space="preserve"')).otherwise(pl.lit(""))
            cell = pl.concat_str(
                [
                    pl.lit(head),
                    pl.col("__r"),
                    *attr,
                    pl.lit(' t="inlineStr"><is><t'),
                    preserve,
                    pl.lit(">"),
                    v,
                    pl.lit("</t></is></c>"),
                ]
            )
        if styles is not None:
            # A blank cell of a highlighted row is written, carrying the row's format.
            blank = pl.concat_str(
                [pl.lit(head), pl.col("__r"), pl.lit('" s="'), pl.col("__s").cast(pl.String), pl.lit('"/>')]
            )
            cell = pl.coalesce(cell, blank)
        parts.append(cell)
    parts.append(pl.lit("</row>"))
    return pl.DataFrame(columns).select(pl.concat_str(parts, ignore_nulls=True))


def _write_rows(frame: FrameSheet, out: IO[bytes]) -> None:
    """Every data row into ``out``: Polars builds a chunk while a second thread compresses the last
    one (zlib and Polars both run without the GIL, so the two overlap on a second core)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as packer:
        pending: Future[int] | None = None
        for start in range(0, frame.cells.height, CHUNK_ROWS):
            chunk = frame.cells.slice(start, CHUNK_ROWS)
            styles = None
            if frame.row_styles is not None:
                styles = pl.Series("__s", frame.row_styles[start : start + CHUNK_ROWS], dtype=pl.Int64)
            # One column, no quoting, no separator between rows: the bytes are exactly the rows'
            # elements, as UTF-8, without a Python string per row.
            text = io.BytesIO()
            _cells(frame, chunk, styles, frame.first_row + start).write_csv(
                text, include_header=False, quote_style="never", line_terminator=""
            )
            if pending is not None:
                pending.result()
            pending = packer.submit(out.write, text.getbuffer())
        if pending is not None:
            pending.result()


_DIMENSION_RE = re.compile(rb'<dimension ref="([A-Z]+[0-9]+)(?::([A-Z]+)([0-9]+))?"/>')
_ROW_RE = re.compile(rb'<row r="([0-9]+)"')


def _col_number(letters: bytes) -> int:
    """0-based column of ``AB``-style letters (``col_letter``'s inverse)."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number - 1


def _splice(template: bytes, frame: FrameSheet, out: IO[bytes]) -> None:
    """Copy xlsxwriter's sheet XML (its layout and the rows it wrote) with the frame's rows put in
    before the first row below them (at the end of the sheet's data for a table)."""
    last_row = frame.first_row + frame.cells.height - 1
    if frame.cells.height:
        # The sheet's extent grows to take in the frame's cells, as xlsxwriter counts it.
        def extent(m: re.Match[bytes]) -> bytes:
            col = frame.cells.width - 1 if m.group(2) is None else max(_col_number(m.group(2)), frame.cells.width - 1)
            row = last_row if m.group(3) is None else max(int(m.group(3)), last_row)
            return b'<dimension ref="' + m.group(1) + b":" + f"{col_letter(col)}{row}".encode() + b'"/>'

        template = _DIMENSION_RE.sub(extent, template, count=1)
    cut = template.rindex(b"</sheetData>")
    for row in _ROW_RE.finditer(template):
        if int(row.group(1)) > last_row:
            cut = row.start()
            break
    out.write(template[:cut])
    _write_rows(frame, out)
    out.write(template[cut:])


def assemble(packed: bytes, target: Path, frames: Sequence[FrameSheet]) -> None:
    """Write ``target``: the workbook xlsxwriter packed in ``packed``, with each frame's rows in place."""
    by_member = {f"xl/worksheets/sheet{f.sheet_index}.xml": f for f in frames}
    with (
        zipfile.ZipFile(io.BytesIO(packed)) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dest,
    ):
        for info in source.infolist():
            data = source.read(info)
            frame = by_member.get(info.filename)
            member = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            member.external_attr = info.external_attr
            if frame is None:
                dest.writestr(member, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            member.compress_type = zipfile.ZIP_DEFLATED
            member._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]
            with dest.open(member, "w", force_zip64=True) as out:
                _splice(data, frame, out)
