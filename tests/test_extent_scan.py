"""The sheet-extent scan (io/limits.py) finds exactly what the plain patterns find (issue 16), and
a sheet is read only once its own XML has passed the limits, though sheets are read in a second
thread beside the checks.

The scan that bounds a sheet before the reader sees it used three patterns starting with ``<c\\b``
or ``\\b``, which the regex engine cannot search for by a literal and which cost more than the
decompression. It now searches for ``r="`` and confirms each hint with the exact pattern; these
windows, built from the tags an .xlsx (or a hostile one) holds, must widen an extent exactly as the
plain patterns do.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest

from skillcli.io.limits import Extent, _column_number, _widen
from skillcli.io.workbook import Book, Grid
from tests.support.rosters import roster_sheet

ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
WIDE = re.compile(rb'<c\b[^>]*?\br="([A-Z]{2,3})\d')
DEEP = re.compile(rb'<c\b[^>]*?\br="[A-Z]{1,3}(\d{7,})"')

PIECES = [
    b'<row r="3">',
    b'<row spans="1:3" r="12">',
    b'<c r="B3" s="1"/>',
    b'<c s="1" r="AB7">',
    b'<c r="XFD1048576"/>',
    b'<c r="A1234567">',
    b'<c r="Q5"><v>1</v></c>',
    b'<c xr="ZZ9"/>',
    b'<cfRule r="AA1"/>',
    b'<c t="s" r="Z1"/>',
    b'<col r="Y3"/>',
    b' r="M4"',
    b"<c>",
    b'<c r="AAA12"/>',
    b'<c r="c5"/>',
    b'<c foo="x" r="D9999999">',
    b'<c r="AB12345678"/>',
    b'<mergeCell ref="A1:Z9"/>',
    b'_r="T1"',
    b'>r="U2"',
    b'<c r="KK1">',
    b"</row>",  # a widening hint reads single-letter cells up to the end of its row
]


def plain_widen(extent: Extent, window: bytes) -> None:
    """The scan as first written: every pattern run over the whole window."""
    for found in (ROW.findall(window), DEEP.findall(window)):
        if found:
            extent.rows = max(extent.rows, *map(int, found))
    wide = WIDE.findall(window)
    if wide:
        extent.columns = max(extent.columns, *map(_column_number, set(wide)))
    if extent.columns < 26:
        single = re.compile(rb'\br="([' + bytes([65 + extent.columns]) + rb"-Z])\d")
        beyond = single.findall(window)
        if beyond:
            extent.columns = max(extent.columns, *map(_column_number, set(beyond)))


def test_extent_scan__same_rows_and_columns_as_the_plain_patterns() -> None:
    rng = random.Random(20240601)
    widened = 0
    for _ in range(3000):
        window = b"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
        columns = rng.choice([0, 3, 16, 25, 26, 40])
        plain, fast = Extent(columns=columns), Extent(columns=columns)
        plain_widen(plain, window)
        _widen(fast, window)
        assert (fast.rows, fast.columns) == (plain.rows, plain.columns), window
        widened += fast.columns > columns
    assert widened > 500  # the windows did reach beyond the columns seen before


def test_sheet_past_the_limits__is_never_read_and_refuses_the_file(
    make_xlsx: Callable[..., Any], run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sheets are read in the reading thread, beside the checks of the sheets after them. The
    # attendance sheet spans 300 rows x 10 columns: within the default limits both sheets are read;
    # past --max-cells 1000 the reader never loads it (the roster sheet, which fits, may have been
    # read meanwhile) and the whole file is refused with the flag that raises the limit.
    attendance = [["身份证号码", *(f"列{i}" for i in range(9))], *([f"{r}", *"abcdefghi"] for r in range(299))]
    batch = make_xlsx({"花名册": roster_sheet(), "考勤": attendance})
    read: list[tuple[str, str]] = []
    excel_grid = Book._excel_grid

    def recorded(book: Book, name: str) -> Grid:
        read.append((name, threading.current_thread().name))
        return excel_grid(book, name)

    monkeypatch.setattr(Book, "_excel_grid", recorded)
    assert run_cli("check", batch, "--period", "2024-06").code in (0, 1)
    assert [name for name, _ in read] == ["花名册", "考勤"]
    assert all(thread.startswith("skillcli-read") for _, thread in read)

    read.clear()
    result = run_cli("check", batch, "--period", "2024-06", "--max-cells", "1000")
    assert result.code == 2
    assert "考勤" in result.stderr and "--max-cells" in result.stderr
    assert {name for name, _ in read} <= {"花名册"}
