"""Writing outputs: atomically, formula-safe, and laid out for a finance officer opening Excel.

* Atomic: every file is written to a temporary name in the same directory and renamed over the
  target, so a crash leaves the old file or none, never half a workbook.
* Formula-safe: text from input is always written as a string cell (``write_string``), never
  through xlsxwriter's type guessing, so "=cmd|' /C calc'!A0" stays text. CSV cells that start
  with = + - @ tab or CR are prefixed with an apostrophe (OWASP CSV-injection guidance).
* Layout: Chinese headers, frozen header row, filters, widths from the content, money as
  ``#,##0.00``, dates as ``yyyy-mm-dd``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from skillcli.money import fen_to_decimal, format_yuan

if TYPE_CHECKING:
    import polars as pl
    from filelock import BaseFileLock

    from skillcli.io.fastxlsx import FrameSheet

CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60
# The value column of a key_values sheet (说明, 汇总): with its labels it prints on A4 landscape at full size.
KEY_VALUE_WIDTH = 90
# Printing: A4 landscape less xlsxwriter's default margins (0.7 inch a side) leaves this many points
# across. A sheet is shrunk to fit that width only while its text (Calibri 11) stays at least 8 pt,
# the smallest a clerk reads on paper; a wider sheet prints on the fewest pages across that keep it.
PRINT_WIDTH_PT = 841.9 - 2 * 0.7 * 72
BASE_FONT_PT = 11
MIN_PRINT_FONT_PT = 8
MAX_PAGES_WIDE = 4
WIDTH_SAMPLE_ROWS = 2000  # column widths come from the first rows; measuring 100 000 cells costs seconds


# Every temporary file skillcli writes is named ``.skillcli~NAME.XXXXXXXX.tmp``: the prefix says
# whose it is and the random tail is mkstemp's. Only names of exactly this form are ever deleted
# as leftovers, so a ``.backup.tmp`` of the clerk's own in the output folder is never touched.
TEMP_PREFIX = ".skillcli~"
TEMP_SUFFIX = ".tmp"
_OURS_RE = re.compile(r"\.skillcli~.+\.[a-z0-9_]{8}\.tmp")


def temp_beside(target: Path) -> Path:
    """An empty temporary file ``.skillcli~NAME.xxxxxxxx.tmp`` in the target's directory (same file
    system, so the final rename is atomic), readable like any output (mkstemp makes 0600; the umask
    applies)."""
    fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_name, 0o666 & ~umask)
    return Path(tmp_name)


def is_our_temp(path: Path) -> bool:
    """A leftover of a killed skillcli run: our name pattern, a regular file, and not a link."""
    return bool(_OURS_RE.fullmatch(path.name)) and path.is_file() and not path.is_symlink()


def check_target(target: Path, inputs: Sequence[Path] = ()) -> None:
    """Refuse to replace anything but a regular file, and never an input of this run.

    ``os.replace`` onto /dev/null or a FIFO would swap the node for our file; onto an input
    (``payouts.csv`` read from the output folder) it would destroy what the run was checking.
    """
    from skillcli.errors import OutputError

    if not os.path.lexists(target):
        return
    if target.is_symlink() or not target.is_file():
        raise OutputError(
            f"输出 {target} 已存在且不是普通文件，不会覆盖", f"output {target} exists and is not a regular file"
        )
    for source in inputs:
        if os.path.exists(source) and os.path.samefile(source, target):
            raise OutputError(
                f"输出 {target} 是本次的输入文件，不会覆盖", f"output {target} is an input of this run; not replaced"
            )


def output_directory(directory: Path) -> Path:
    """``--out`` for a set of files: an existing directory or a path that does not exist yet."""
    from skillcli.errors import UsageError

    if os.path.lexists(directory) and not directory.is_dir():
        raise UsageError(
            f"--out {directory} 应为目录或新路径，它已是一个文件",
            f"--out {directory} must be a directory or a new path",
        )
    return directory


def flush_to_disk(path: Path) -> None:
    """Force a written file to disk before it is renamed into place. The handle is opened for
    writing: on Windows os.fsync is FlushFileBuffers, which refuses a read-only handle."""
    with open(path, "r+b") as handle:
        os.fsync(handle.fileno())


def replace_into_place(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` over ``target``. Windows refuses while the target is open in another program
    (a clerk looking at last run's payouts.xlsx in WPS or Excel): say so in one line."""
    try:
        os.replace(tmp, target)
    except PermissionError:
        from skillcli.errors import LockedError

        raise LockedError(
            f"无法替换 {target}：文件正被其他程序打开（如 WPS/Excel），请关闭后重试",
            f"cannot replace {target}: it is open in another program (WPS/Excel?); close it and run again",
        ) from None


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``; renamed over it only if the block completes."""
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(target)
    try:
        yield tmp
        flush_to_disk(tmp)
        replace_into_place(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text_atomic(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def csv_safe(value: object) -> str:
    """A CSV cell that no spreadsheet will evaluate as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.startswith(CSV_DANGEROUS):
        return "'" + text
    return text


def write_csv_atomic(
    target: Path, header: Sequence[str], rows: Iterable[Sequence[object]], *, safe_columns: set[int] | None = None
) -> None:
    """``write_csv`` written atomically. ``safe_columns``: indexes that carry input text."""
    with atomic_path(target) as tmp:
        write_csv(tmp, header, rows, safe_columns=safe_columns)


CellKind = Literal["text", "int", "money", "date", "number"]


@dataclass(frozen=True, slots=True)
class Column:
    """One output column: Chinese header, how its cells are written, optional fixed width."""

    header: str
    kind: CellKind = "text"
    width: int | None = None
    # Long text (a reason, a formula): wrapped within the column, never spilling into the next one.
    wrap: bool = False


class Workbook:
    """A thin layer over xlsxwriter that only ever writes typed cells (strings as strings)."""

    def __init__(self, path: Path, *, streaming: bool = False) -> None:
        """``streaming``: xlsxwriter's constant-memory mode — rows go to disk as they are written
        (flat memory, no shared-string table); every sheet must then be written top to bottom."""
        import xlsxwriter

        self._path = path
        self._frames: list[FrameSheet] = []
        self._book = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "constant_memory": streaming,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        self._book.set_properties({"title": "skillcli", "author": "skillcli", "created": dt.datetime(2000, 1, 1)})
        b = self._book
        self.fmt_header = b.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.fmt_money = b.add_format({"num_format": "#,##0.00"})
        self.fmt_date = b.add_format({"num_format": "yyyy-mm-dd"})
        self.fmt_text = b.add_format({"num_format": "@"})
        self.fmt_error = b.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.fmt_warning = b.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.fmt_bold = b.add_format({"bold": True})
        self.fmt_money_bold = b.add_format({"bold": True, "num_format": "#,##0.00"})
        self.fmt_title = b.add_format({"bold": True, "font_size": 14})
        self.fmt_wrap = b.add_format({"text_wrap": True})

    def table(
        self,
        name: str,
        columns: Sequence[Column],
        rows: Iterable[Sequence[Any]] | pl.DataFrame,
        *,
        row_format: Sequence[Any] | None = None,
        title: str | None = None,
        repeat_columns: int = 0,
    ) -> int:
        """A sheet with a header row, filters and frozen panes. Returns the number of data rows.

        ``row_format`` gives an optional xlsxwriter format per data row (for highlighting).
        ``repeat_columns``: the leading columns that say who a row is about (序号, 姓名), printed on
        every page when the sheet prints more than one page across.
        ``rows`` as a Polars frame (one column per table column, in order) takes the fast path
        for big sheets (io/fastxlsx.py): the same cells, and a table longer than an Excel sheet
        continues on NAME1, NAME2 ….
        """
        import polars as pl

        from skillcli.io.fastxlsx import LINE_POINTS

        if isinstance(rows, pl.DataFrame):
            return self._frame_table(name, columns, rows, row_format, title, repeat_columns)
        sheet = self._book.add_worksheet(name)
        rows = rows if isinstance(rows, list) else list(rows)
        widths = [0] * len(columns)
        for row in rows[:WIDTH_SAMPLE_ROWS]:
            for j, (column, value) in enumerate(zip(columns, row, strict=True)):
                widths[j] = max(widths[j], _cell_width(column.kind, value))
        top, shown = self._table_head(sheet, columns, widths, title)
        typed = any(c.kind in ("money", "date") or c.wrap for c in columns)
        converters = [_CONVERT[c.kind] for c in columns]
        wrapped = [(j, shown[j]) for j, c in enumerate(columns) if c.wrap]
        for i, row in enumerate(rows):
            r = top + 1 + i
            fmt = row_format[i] if row_format is not None else None
            # Neither Excel nor LibreOffice grows a row for wrapped text a program wrote: set its height.
            lines = max((wrapped_lines(str(row[j] or ""), width) for j, width in wrapped), default=1)
            if lines > 1:
                sheet.set_row(r, LINE_POINTS * lines)
            if fmt is not None and typed:
                # A highlighted row would replace the money, date and wrap formats: cell by cell.
                for j, (column, value) in enumerate(zip(columns, row, strict=True)):
                    cell_fmt = self._merge(fmt, self.fmt_wrap) if column.wrap else fmt
                    self._write(sheet, r, j, column.kind, value, cell_fmt, measure=False)
            else:
                # write_row types each value (text stays text: strings_to_* are off) and leaves
                # number and date cells to the column formats set above.
                sheet.write_row(r, 0, [convert(v) for convert, v in zip(converters, row, strict=True)], fmt)
        self._table_tail(sheet, columns, top, len(rows), shown, repeat_columns)
        return len(rows)

    def _table_head(
        self, sheet: Any, columns: Sequence[Column], widths: Sequence[int], title: str | None
    ) -> tuple[int, list[int]]:
        """Title, column widths and formats, header row; returns the header's 0-based row and the
        width set for each column.

        ``widths``: the widest cell of each column in a sample of rows. Formats per column are set
        before any row is written (a streaming sheet flushes rows as it goes)."""
        top = 0
        if title:
            sheet.write_string(0, 0, title, self.fmt_title)
            top = 1
        shown = []
        for j, column in enumerate(columns):
            fmt = {"money": self.fmt_money, "date": self.fmt_date}.get(column.kind)
            if column.wrap:
                fmt = self.fmt_wrap
            width = max(widths[j], _display_width(column.header), 6)
            shown.append(column.width or min(width + 2, MAX_WIDTH))
            sheet.set_column(j, j, shown[-1], fmt)
        for j, column in enumerate(columns):
            sheet.write_string(top, j, column.header, self.fmt_header)
        return top, shown

    def _table_tail(
        self, sheet: Any, columns: Sequence[Column], top: int, count: int, widths: Sequence[int], repeat: int = 0
    ) -> None:
        sheet.freeze_panes(top + 1, 0)
        if columns:
            sheet.autofilter(top, 0, top + max(count, 1), len(columns) - 1)
        self.print_setup(sheet, repeat_row=top, widths=widths, repeat_columns=repeat)

    def _frame_table(
        self,
        name: str,
        columns: Sequence[Column],
        frame: pl.DataFrame,
        row_format: Sequence[Any] | None,
        title: str | None,
        repeat: int,
    ) -> int:
        """``table`` for a Polars frame: xlsxwriter lays the sheet out, fastxlsx writes its rows."""
        from skillcli.io import fastxlsx

        # A wrapped text column is written as text with the wrap format ("wrap" to the fast writer).
        kinds = tuple("wrap" if c.wrap else c.kind for c in columns)
        # Only the formats the table uses are registered: an unused one would change styles.xml.
        column_fmt = {
            k: f for k, f in (("money", self.fmt_money), ("date", self.fmt_date), ("wrap", self.fmt_wrap)) if k in kinds
        }
        column_style = tuple(column_fmt[k]._get_xf_index() if k in column_fmt else None for k in kinds)
        xf_of: dict[int, int | None] = {id(None): None}
        merged: dict[tuple[int, str], int] = {}
        for fmt in {id(f): f for f in row_format or () if f is not None}.values():
            xf_of[id(fmt)] = fmt._get_xf_index()
            for kind, cell_fmt in column_fmt.items():
                merged[(fmt._get_xf_index(), kind)] = self._merge(fmt, cell_fmt)._get_xf_index()
        styles = None if row_format is None else [xf_of[id(f)] for f in row_format]
        per_sheet = fastxlsx.EXCEL_MAX_ROWS - (2 if title else 1)
        parts = max(1, -(-frame.height // per_sheet))
        for k in range(parts):
            part = frame.slice(k * per_sheet, per_sheet)
            sheet = self._book.add_worksheet(name if parts == 1 else f"{name}{k + 1}")
            widths = _frame_widths(kinds, part.head(WIDTH_SAMPLE_ROWS))
            top, shown = self._table_head(sheet, columns, widths, title)
            self._table_tail(sheet, columns, top, part.height, shown, repeat)
            part_styles = None if styles is None else styles[k * per_sheet : (k + 1) * per_sheet]
            # xl/worksheets/sheetN.xml numbers the worksheets alone, chart sheets apart.
            index = sum(1 for w in self._book.worksheets() if not w.is_chartsheet)
            wrapped = {j: shown[j] for j, c in enumerate(columns) if c.wrap}
            self._frames.append(
                fastxlsx.FrameSheet(index, part, kinds, top + 2, column_style, part_styles, merged, wrapped)
            )
        return frame.height

    @staticmethod
    def print_setup(
        sheet: Any,
        repeat_row: int | None = None,
        *,
        fit_width: bool = True,
        widths: Sequence[float] | None = None,
        repeat_columns: int = 0,
    ) -> None:
        """Printed as finance officers file it: A4 landscape, headers on every page. Given the
        column ``widths``, the sheet is shrunk to as many pages across as keep its text readable
        (``pages_wide``), the first ``repeat_columns`` (who the row is about) printed again on each
        page; without them, one page wide when ``fit_width``."""
        sheet.set_landscape()
        sheet.set_paper(9)
        if widths is not None:
            across = pages_wide(widths, repeat_columns)
            if across:
                sheet.fit_to_pages(across, 0)
            if across != 1 and repeat_columns:
                sheet.repeat_columns(0, repeat_columns - 1)
        elif fit_width:
            sheet.fit_to_pages(1, 0)
        if repeat_row is not None:
            sheet.repeat_rows(repeat_row)

    def key_values(self, name: str, title: str, rows: Sequence[tuple[str, Any, CellKind]]) -> Any:
        """A two-column sheet of labels and values (summaries, run information).

        A text longer than the value column (a rules file's note, a hint) wraps inside it, its row as
        tall as its lines and its label at the top beside it: unwrapped, it ran past the printed page."""
        from skillcli.io.fastxlsx import LINE_POINTS

        sheet = self._book.add_worksheet(name)
        sheet.write_string(0, 0, title, self.fmt_title)
        width = 10
        wrap = label_top = None
        for i, (label, value, kind) in enumerate(rows, start=2):
            # Counted a tenth narrower than the column: a printer's CJK glyphs run wider than two
            # characters of the width Excel measures, and a line short of its height is cut.
            lines = wrapped_lines(value, KEY_VALUE_WIDTH * 9 // 10) if kind == "text" and isinstance(value, str) else 1
            if lines > 1:
                if wrap is None:
                    wrap = self._book.add_format({"text_wrap": True, "valign": "top"})
                    label_top = self._book.add_format({"bold": True, "valign": "top"})
                # A line of Chinese text is drawn taller than one of Latin: two points more a line.
                sheet.set_row(i, (LINE_POINTS + 2) * lines)
            sheet.write_string(i, 0, label, label_top if lines > 1 else self.fmt_bold)
            width = max(width, self._write(sheet, i, 1, kind, value, wrap if lines > 1 else None))
        sheet.set_column(0, 0, max(_display_width(r[0]) for r in rows) + 2 if rows else 12)
        sheet.set_column(1, 1, min(width + 2, KEY_VALUE_WIDTH))
        self.print_setup(sheet)
        return sheet

    def add_sheet(self, name: str) -> Any:
        return self._book.add_worksheet(name)

    def add_format(self, properties: dict[str, Any]) -> Any:
        """An extra cell format (xlsxwriter properties), for sheets laid out by hand."""
        return self._book.add_format(properties)

    def write_cell(self, sheet: Any, row: int, col: int, kind: CellKind, value: Any, fmt: Any = None) -> int:
        return self._write(sheet, row, col, kind, value, fmt)

    def write_rows(self, sheet: Any, row: int, kinds: Sequence[CellKind], frame: pl.DataFrame) -> list[int]:
        """``write_cell`` for every cell of ``frame`` (one column per kind, from column A), its rows
        from ``row`` (0-based) down, without a format; returns the widest cell of each column.

        The cells are those ``write_cell`` writes, built by Polars (io/fastxlsx.py) and put into the
        sheet when the workbook is packed: a payout's 按收款方 block has a row per payee, tens of
        thousands for a province-year, and xlsxwriter spent about 45 µs of Python a cell on them
        (issue 16). The sheet's rows below the block are written as usual, after it.
        """
        from skillcli.io import fastxlsx

        fmt = {"money": self.fmt_money, "date": self.fmt_date}
        style = tuple(fmt[k]._get_xf_index() if k in fmt else None for k in kinds)
        index = [w for w in self._book.worksheets() if not w.is_chartsheet].index(sheet) + 1
        self._frames.append(fastxlsx.FrameSheet(index, frame, tuple(kinds), row + 1, style, None, {}))
        return _frame_widths(kinds, frame)

    def write_money(self, sheet: Any, row: int, col: int, fen: int, fmt: Any) -> None:
        """A yuan number cell in ``fmt``, a format of the caller's that carries its own num_format
        (``write_cell`` would merge it as a highlight colour)."""
        sheet.write_number(row, col, float(fen_to_decimal(int(fen))), fmt)

    def _write(self, sheet: Any, r: int, c: int, kind: CellKind, value: Any, fmt: Any, *, measure: bool = True) -> int:
        """Write one typed cell; return its display width when ``measure`` (else 0)."""
        if value is None or value == "":
            if fmt is not None:
                sheet.write_blank(r, c, None, fmt)
            return 0
        if kind == "money":
            # The cell holds the yuan value (Excel has no other number type); fen are exact up to it.
            sheet.write_number(r, c, float(fen_to_decimal(int(value))), self._merge(fmt, self.fmt_money))
            return len(format_yuan(int(value), grouping=True)) if measure else 0
        if kind in ("int", "number"):
            sheet.write_number(r, c, value, fmt)
            return len(str(value)) if measure else 0
        if kind == "date" and isinstance(value, dt.date):
            sheet.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), self._merge(fmt, self.fmt_date))
            return 10
        text = str(value)
        sheet.write_string(r, c, text, fmt)
        return _display_width(text) if measure else 0

    def _merge(self, row_fmt: Any, cell_fmt: Any) -> Any:
        if row_fmt is None:
            return cell_fmt
        # Highlighted money or date cells: one combined format per pair, cached.
        key = (id(row_fmt), id(cell_fmt))
        cache: dict[tuple[int, int], Any] = self.__dict__.setdefault("_combo", {})
        if key not in cache:
            props: dict[str, Any] = {"num_format": cell_fmt.num_format}
            if cell_fmt is self.fmt_wrap:
                props["text_wrap"] = True
            props["bg_color"] = "#FFC7CE" if row_fmt is self.fmt_error else "#FFEB9C"
            cache[key] = self._book.add_format(props)
        return cache[key]

    def close(self) -> None:
        if not self._frames:
            self._book.close()
            return
        # Tables given as frames: xlsxwriter packs the layout in memory, fastxlsx adds their rows.
        from skillcli.io import fastxlsx

        packed = io.BytesIO()
        self._book.filename = packed
        self._book.close()
        fastxlsx.assemble(packed.getvalue(), self._path, self._frames)


@contextlib.contextmanager
def workbook_atomic(target: Path) -> Iterator[Workbook]:
    """Open a workbook that appears at ``target`` only once it is completely written."""
    with atomic_path(target) as tmp:
        book = Workbook(tmp)
        try:
            yield book
        finally:
            book.close()


def _blank_or(value: Any) -> Any:
    return None if value is None or value == "" else value


def _as_text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _as_yuan(value: Any) -> float | None:
    # A number cell holds yuan as a binary float, Excel's only number type: fen / 100 is the
    # correctly rounded quotient, the same double as the exact decimal (no arithmetic on money).
    return None if value is None or value == "" else int(value) / 100


def _as_datetime(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return _as_text(value)


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "text": _as_text,
    "int": _blank_or,
    "number": _blank_or,
    "money": _as_yuan,
    "date": _as_datetime,
}


def _cell_width(kind: str, value: Any) -> int:
    if value is None or value == "":
        return 0
    if kind == "money":
        return len(format_yuan(int(value), grouping=True))
    if kind == "date":
        return 10
    return _display_width(str(value))


def _frame_widths(kinds: Sequence[str], sample: pl.DataFrame) -> list[int]:
    """``_cell_width`` of the widest cell of each column of ``sample``, computed by Polars."""
    import polars as pl

    widths = []
    for kind, series in zip(kinds, sample.iter_columns(), strict=True):
        present = series.drop_nulls()
        if series.dtype == pl.String:
            present = present.filter(present != "")
        if present.len() == 0:
            widths.append(0)
        elif kind == "money" and series.dtype.is_integer():
            # The text grows with the amount's size (and a minus sign): the extremes are the widest.
            widths.append(max(_cell_width(kind, v) for v in (present.min(), present.max())))
        elif kind == "date" and series.dtype.is_temporal():
            widths.append(10)
        elif series.dtype.is_float() or series.dtype == pl.Boolean:
            widths.append(max(_cell_width(kind, v) for v in present.to_list()))
        else:
            head = present.cast(pl.String).str.slice(0, 200)
            wide = head.str.count_matches("[\u2e81-\U0010ffff]")
            widths.append(int((head.str.len_chars() + wide).max()))  # type: ignore[arg-type]
    return widths


def wrapped_lines(text: str, width: int) -> int:
    """How many printed lines a wrapped cell of ``width`` needs for ``text``."""
    return sum(max(-(-_display_width(part) // max(width - 1, 1)), 1) for part in text.split("\n")) or 1


def column_points(width: float) -> float:
    """The printed width in points of a column ``width`` characters wide: Excel draws a character of
    Calibri 11 in 7 pixels and pads the column with 5, at 96 pixels an inch."""
    return (int(width * 7 + 0.5) + 5) * 0.75


def pages_wide(widths: Sequence[float], repeat_columns: int = 0) -> int:
    """How many A4 landscape pages across a sheet of columns ``widths`` prints on: 1 when shrinking
    it to one page keeps the text at least ``MIN_PRINT_FONT_PT``, else the fewest pages that do, the
    first ``repeat_columns`` printed again on each; 0 (print at full size) when even
    ``MAX_PAGES_WIDE`` pages would not.

    A page breaks between columns, not inside one, so a page after the first is counted a tenth
    narrower than the paper: shrinking to that many pages then never goes below the size aimed at."""
    total = sum(column_points(w) for w in widths)
    repeated = sum(column_points(w) for w in widths[:repeat_columns])
    readable = BASE_FONT_PT / MIN_PRINT_FONT_PT  # how far a sheet may be shrunk
    for across in range(1, MAX_PAGES_WIDE + 1):
        capacity = PRINT_WIDTH_PT + (across - 1) * (0.9 * PRINT_WIDTH_PT - repeated)
        if total <= capacity * readable:
            return across
    return 0


def _display_width(text: str) -> int:
    """Approximate column width: CJK characters (above U+2E80) take two cells.

    Counted in C (``str.isascii``, ``map``) rather than by a generator: a payout's summary sheet
    measures a cell per payee, tens of thousands of them for a province-year (issue 16).
    """
    head = text[:200]
    if head.isascii():
        return len(head)
    return len(head) + sum(map("\u2e80".__lt__, head))


class OutputSet:
    """A set of files that appear in ``directory`` together, or not at all.

    Each file is first written under a temporary name in the same directory; ``commit`` renames
    them into place (the manifest last), so a crash leaves the previous outputs or none. An
    exclusive lock on ``directory/.skillcli.lock`` keeps two runs from interleaving; the lock file
    exists only while a run writes (a killed run may leave it: harmless, reused). ``inputs``
    are the run's input files, which no output may replace. A file-system failure inside the
    block (read-only folder, disk full) ends the run with one line and exit 2.
    """

    LOCK_NAME = ".skillcli.lock"

    def __init__(self, directory: Path, inputs: Sequence[Path] = ()) -> None:
        self.directory = output_directory(directory)
        self.inputs = list(inputs)
        self._staged: list[tuple[Path, Path]] = []
        self._lock: BaseFileLock | None = None

    def __enter__(self) -> OutputSet:
        # filelock, not fcntl: fcntl does not exist on Windows, where district offices run skillcli.
        from filelock import FileLock, Timeout

        from skillcli.errors import LockedError, UsageError

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _output_error(self.directory, exc) from None
        lock_path = self.directory / self.LOCK_NAME
        refused = UsageError(
            f"输出目录 {self.directory} 中的 {self.LOCK_NAME} 是符号链接，拒绝使用（请删除它）",
            f"{self.LOCK_NAME} in output directory {self.directory} is a symbolic link; refused (delete it)",
        )
        # A lock file that is a link could make the lock create or hold a file elsewhere: never follow
        # one. filelock itself opens with O_NOFOLLOW (POSIX) or without following reparse points
        # (Windows), so a link planted after this check fails the open below instead.
        if lock_path.is_symlink():
            raise refused
        lock = FileLock(lock_path, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise LockedError(
                f"输出目录 {self.directory} 正被另一个 skillcli 进程使用",
                f"output directory {self.directory} is in use by another skillcli run",
            ) from None
        except OSError as exc:
            if lock_path.is_symlink():
                raise refused from None
            raise _output_error(self.directory, exc) from None
        self._lock = lock
        # Temporary files left by a run that was killed before its renames: we hold the lock, so
        # no other run is writing them. Only our own names are removed.
        for stale in self.directory.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            if is_our_temp(stale):
                stale.unlink(missing_ok=True)
        return self

    def path(self, name: str) -> Path:
        """A temporary path that becomes ``directory/name`` on commit."""
        check_target(self.directory / name, self.inputs)
        tmp = temp_beside(self.directory / name)
        self._staged.append((tmp, self.directory / name))
        return tmp

    def commit(self) -> list[Path]:
        from skillcli.faults import pause

        for tmp, target in self._staged:
            check_target(target, self.inputs)
            flush_to_disk(tmp)
        pause("outputs-commit")
        ordered = sorted(self._staged, key=lambda pair: pair[1].name == "manifest.json")
        for tmp, target in ordered:
            replace_into_place(tmp, target)
        done = [target for _, target in ordered]
        self._staged = []
        return done

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        if self._lock is not None:
            # No empty lock file is left in the clerk's folder. On POSIX it is unlinked while still
            # held: filelock then refuses a lock taken on the unlinked file (its link count is 0), so
            # a run that opened the old name meanwhile cannot share the folder with a new one. On
            # Windows an open file cannot be deleted; filelock removes it itself on release.
            if os.name != "nt":
                with contextlib.suppress(OSError):
                    (self.directory / self.LOCK_NAME).unlink()
            self._lock.release()
        if isinstance(exc, OSError):
            raise _output_error(self.directory, exc) from None
        if exc is not None and type(exc).__name__ == "FileCreateError":  # xlsxwriter's wrapper of an OSError
            cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))
            raise _output_error(self.directory, cause) from None


def _output_error(directory: Path, exc: OSError) -> Exception:
    """An environment failure while writing outputs: exit 2 with one line naming the folder."""
    from skillcli.errors import OutputError

    reason = exc.strerror or type(exc).__name__
    return OutputError(
        f"无法在 {directory} 写出结果（{reason}）", f"cannot write the outputs in {directory} ({reason})"
    )


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], *, safe_columns: set[int] | None = None
) -> None:
    """UTF-8 CSV with a byte-order mark and LF line ends; cells of ``safe_columns`` (input text) are
    formula-safe. The mark is what makes Excel on Chinese Windows read the file as UTF-8 when it is
    double-clicked (without it Excel assumes GBK and shows garbage)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                csv_safe(v) if safe_columns is None or i in safe_columns else ("" if v is None else v)
                for i, v in enumerate(row)
            ]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


def write_csv_frame(path: Path, frame: pl.DataFrame, *, safe_columns: Collection[str]) -> None:
    """``write_csv`` for a Polars frame, written by Polars: the same text, without a Python loop per
    cell. Its column names are the header; ``safe_columns`` name the columns that carry input text.
    One difference, on the safe side: a field holding a bare CR is quoted too. The byte-order mark
    is written as ``write_csv`` writes it."""
    import polars as pl

    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.String or name in safe_columns:
            text = column.cast(pl.String)
            if name in safe_columns:
                danger = "^[" + re.escape("".join(CSV_DANGEROUS)) + "]"
                text = pl.when(text.str.contains(danger)).then(pl.lit("'") + text).otherwise(text)
            # None and "" are both an empty field, as csv.writer writes them (Polars would quote "").
            column = pl.when(text == "").then(None).otherwise(text)
        columns.append(column.alias(name))
    frame.select(columns).write_csv(
        path, line_terminator="\n", null_value="", quote_style="necessary", include_bom=True
    )
