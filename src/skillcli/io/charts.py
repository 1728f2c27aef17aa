"""Charts in output workbooks: a ``Workbook`` that can also draw a column chart over a written table.

Kept in ``io`` with the writer because only ``io`` talks to xlsxwriter. The chart reads the
table's cells, so it shows exactly the numbers written (money cells in yuan).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from skillcli.io.writer import Workbook


class ChartWorkbook(Workbook):
    """A ``Workbook`` with ``column_chart`` and a percentage format (``115.83 %`` from the number 115.83)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.fmt_percent = self._book.add_format({"num_format": '0.00" %"'})

    def column_chart(
        self,
        sheet_name: str,
        *,
        title: str,
        rows: int,
        category_col: int,
        series: Sequence[tuple[str, int]],
        anchor: str,
        header_row: int = 0,
        y_title: str = "元",
    ) -> None:
        """A column chart of ``rows`` data rows below ``header_row``: one series per (name, column)."""
        if rows <= 0:
            return
        book = self._book
        chart = book.add_chart({"type": "column"})
        first, last = header_row + 1, header_row + rows
        for name, col in series:
            chart.add_series(
                {
                    "name": name,
                    "categories": [sheet_name, first, category_col, last, category_col],
                    "values": [sheet_name, first, col, last, col],
                }
            )
        chart.set_title({"name": title})
        chart.set_y_axis({"name": y_title, "num_format": "#,##0"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 760, "height": 360})
        sheet = book.get_worksheet_by_name(sheet_name)
        if sheet is None:
            raise KeyError(sheet_name)
        sheet.insert_chart(anchor, chart)
