"""The bare fastest read of a workbook: every sheet as text with fastexcel (calamine), nothing else.

    python benchmarks/bare_read.py roster.xlsx

This is the yardstick of issue 7's "check ≤ 1.5 × the bare read": the same work ``skillcli check``
must do at the very least (open the file, read every cell of every sheet as text into Polars).
"""

from __future__ import annotations

import sys

import fastexcel


def main(path: str) -> int:
    reader = fastexcel.read_excel(path)
    cells = 0
    for index in range(len(reader.sheet_names)):
        frame = reader.load_sheet(index, header_row=None, dtypes="string").to_polars()
        cells += frame.height * frame.width
    print(f"{len(reader.sheet_names)} sheets, {cells} cells")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
