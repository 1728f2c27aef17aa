"""Find a small table (a bank return, an accounts list) in any readable file, as the roster reader does.

Bank files are not rosters, so they have their own aliases, but they are read the same way: every
cell as text (``skillcli.io.workbook.Book``), the header on any of the first rows below a title,
headers compared after ``normalise_header``, 合计 and signature rows set aside and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from skillcli.errors import InputError
from skillcli.io.layout import FOOTER_RE, HEADER_SEARCH_ROWS, TOTAL_RE
from skillcli.io.workbook import Book, Grid
from skillcli.text import clean_cell, clean_cells_expr, normalise_header

_UNIT_RE = re.compile(r"\((元|人民币元|人民币)\)$")
# A return file's batch lines (批次号: …, 总笔数 5, 总金额 …) sit above or below the detail rows.
BATCH_LINE_RE = (
    r"^[\s\u3000]*(批次号|总笔数|总金额|成功笔数|成功金额|失败笔数|失败金额|处理中笔数|处理中金额)"
    r"[\s\u3000]*[:：]?"
)
# Bank files end with sign-off lines the roster footers do not cover: 经办：张三 复核：李四 授权：王五,
# 制表：…, 打印日期：…. A word followed by a colon within a few characters, never a plausible 户名.
BANK_FOOTER_RE = r"^[\s\u3000]*(经办|复核|授权|制表|打印|审核|主管|记账|出纳)[^:：]{0,4}[:：]"


@dataclass(frozen=True, slots=True)
class TableSpec:
    """Canonical columns with their header aliases, best first, and the columns a table needs."""

    aliases: dict[str, tuple[str, ...]]
    required: tuple[tuple[str, ...], ...]  # each tuple: at least one of these columns
    label_zh: str
    label_en: str

    def canonical(self, header: str) -> tuple[str, int] | None:
        """(canonical, rank of the alias) for a header cell, or None."""
        text = _UNIT_RE.sub("", normalise_header(header)).lower()
        for canonical, names in self.aliases.items():
            for rank, name in enumerate(names):
                if text == name.lower():
                    return canonical, rank
        return None


@dataclass(slots=True)
class FoundTable:
    """The data rows of a table: canonical text columns (cleaned, blank = null) and ``_row`` (Excel row)."""

    path: Path
    sheet: str
    header_row: int
    headers: dict[str, str]  # canonical -> header as written
    frame: pl.DataFrame
    skipped: dict[str, int] = field(default_factory=dict)
    # The rows that are not data: the title rows above the header and the total, footer and batch
    # lines below it, as (Excel row, why, every cell's text joined, the amount column's text).
    aside: list[tuple[int, str, str, str | None]] = field(default_factory=list)
    sha256: str = ""  # of the file's bytes as they were read (``Book.sha256``)


def _map(cells: list[str], spec: TableSpec) -> dict[str, tuple[int, int, str]]:
    """canonical -> (column, alias rank, header text): the best-ranked alias wins, then the leftmost."""
    chosen: dict[str, tuple[int, int, str]] = {}
    for j, cell in enumerate(cells):
        if not cell:
            continue
        found = spec.canonical(cell)
        if found is None:
            continue
        canonical, rank = found
        if canonical not in chosen or rank < chosen[canonical][1]:
            chosen[canonical] = (j, rank, cell)
    return chosen


def _complete(mapping: dict[str, tuple[int, int, str]], spec: TableSpec) -> bool:
    return all(any(c in mapping for c in group) for group in spec.required)


def locate_table(grid: Grid, spec: TableSpec, path: Path) -> FoundTable | None:
    """The table in one sheet, or None when no row of the first 20 holds its required headers."""
    frame = grid.frame
    if frame.width == 0 or frame.height == 0:
        return None
    head = [[clean_cell(v) if v is not None else "" for v in row] for row in frame.head(HEADER_SEARCH_ROWS).rows()]
    best: tuple[int, dict[str, tuple[int, int, str]]] | None = None
    for r, cells in enumerate(head):
        mapping = _map(cells, spec)
        if _complete(mapping, spec) and (best is None or len(mapping) > len(best[1])):
            best = (r, mapping)
    if best is None:
        return None
    header_index, mapping = best
    data = frame.slice(header_index + 1)
    rows = pl.int_range(0, data.height, dtype=pl.Int64, eager=True) + (grid.first_row + header_index + 1)
    exprs = {canonical: clean_cells_expr(pl.col(f"c{j}")) for canonical, (j, _, _) in mapping.items()}
    everything = [pl.col(c) for c in data.columns]
    total = pl.any_horizontal([c.str.contains(TOTAL_RE).fill_null(False) for c in everything])
    footer = pl.any_horizontal(
        [(c.str.contains(FOOTER_RE) | c.str.contains(BANK_FOOTER_RE)).fill_null(False) for c in everything]
    )
    batch_line = pl.any_horizontal([c.str.contains(BATCH_LINE_RE).fill_null(False) for c in everything])
    blank = pl.all_horizontal([e.is_null() for e in exprs.values()])
    reason = (
        pl.when(blank)
        .then(pl.lit("blank"))
        .when(total)
        .then(pl.lit("total"))
        .when(footer)
        .then(pl.lit("footer"))
        .when(batch_line)
        .then(pl.lit("batch_line"))
        .otherwise(None)
    )
    joined = pl.concat_str([clean_cells_expr(c) for c in everything], separator=" ", ignore_nulls=True)
    classified = data.select(
        pl.Series("_row", rows), *(e.alias(c) for c, e in exprs.items()), reason.alias("_skip"), joined.alias("_text")
    )
    skipped = {str(k): int(n) for k, n in classified.get_column("_skip").value_counts().iter_rows() if k is not None}
    amount = "amount" if "amount" in exprs else None
    title = [
        (grid.first_row + r, "title", " ".join(c for c in cells if c), None)
        for r, cells in enumerate(head[:header_index])
    ]
    below = classified.filter(pl.col("_skip").is_in(["total", "footer", "batch_line"]))
    aside = title + [
        (int(r["_row"]), str(r["_skip"]), r["_text"] or "", r[amount] if amount else None)
        for r in below.iter_rows(named=True)
    ]
    kept = classified.filter(pl.col("_skip").is_null()).drop("_skip", "_text")
    for canonical in spec.aliases:
        if canonical not in kept.columns:
            kept = kept.with_columns(pl.lit(None, pl.String).alias(canonical))
    headers = {canonical: text for canonical, (_, _, text) in mapping.items()}
    return FoundTable(path, grid.sheet, grid.first_row + header_index, headers, kept, skipped, aside)


def read_table(path: Path, spec: TableSpec) -> FoundTable:
    """The first sheet of ``path`` that holds the table (most data rows wins among several)."""
    if not path.exists():
        raise InputError(str(path), "文件不存在", "no such file")
    book = Book(path)
    found = [t for t in (locate_table(g, spec, path) for g in book.grids()) if t is not None]
    if not found:
        need = "；".join("/".join(spec.aliases[c][0] for c in group) for group in spec.required)
        raise InputError(
            str(path),
            f"前 {HEADER_SEARCH_ROWS} 行中找不到{spec.label_zh}的表头（需要：{need}）",
            f"no {spec.label_en} header in the first {HEADER_SEARCH_ROWS} rows (needs: {need})",
        )
    best = max(found, key=lambda t: t.frame.height)
    best.sha256 = book.sha256
    return best
