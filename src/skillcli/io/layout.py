"""Find the table inside a sheet: its kind, its header row(s), its data rows and what to set aside.

Real district sheets put a title and a 填报单位 line above the header, sometimes a two-row merged
header, a numbering row (甲)(1)(2) under it, 合计 rows and signature lines below, and blank rows
anywhere. ``locate`` turns a text grid into a ``SheetTable`` whose frame holds only data rows,
with canonical column names and each row's Excel row number in ``_row``; every row set aside is
counted by reason, so rows in = rows kept + rows skipped.

This is skillcli's one header locator. Rosters (``locate``) come in three kinds of sheet with
two-row headers and the clerk's own spellings; the small tables of the other commands (a bank
return, an accounts list, a voucher completion list: ``read_table``) have one header row and a
``TableSpec`` of ranked aliases. Both look for the header among the same first rows, compare
cells after ``normalise_header`` and set aside the same total and signature rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from skillcli.errors import InputError
from skillcli.findings import Issue, bilingual
from skillcli.io.xlsxmeta import CellMeta, col_letter
from skillcli.model import SheetKind, SkipCounts
from skillcli.text import NEEDS_CLEANING_RE, clean_cell, clean_cells_expr, normalise_header

if TYPE_CHECKING:
    import polars as pl

    from skillcli.io.workbook import Grid

HEADER_SEARCH_ROWS = 20
MIN_HEADER_SCORE = 2

_KIND_BY_NAME: tuple[tuple[SheetKind, tuple[str, ...]], ...] = (
    (SheetKind.ATTENDANCE, ("考勤", "出勤", "签到")),
    (SheetKind.CERTIFICATES, ("证书", "取证", "获证", "发证")),
    (SheetKind.ROSTER, ("花名册", "人员名单", "学员名单", "名单", "名册", "学员信息", "人员信息")),
)
_IGNORED_SHEET_WORDS = ("说明", "填表说明", "代码表", "字典", "参数", "填报须知", "目录")

_WS = r"[\s\u3000\u00a0]*"
# 共6人 and a cell holding only 6人 are head counts under the table, never a trainee.
TOTAL_RE = (
    rf"^{_WS}(合{_WS}计|小{_WS}计|总{_WS}计|共{_WS}计|本页合计|总合计|共{_WS}\d+{_WS}[人名]|\d+{_WS}[人名]{_WS}$)"
)
# The head count a total line states: 共6人, 合计：6人, 6人 (in the cell, or the cell beside 合计).
HEAD_COUNT_RE = rf"^{_WS}(?:合{_WS}计|总{_WS}计|共{_WS}计|共)?{_WS}[:：]?{_WS}(\d+){_WS}[人名]{_WS}$"
FOOTER_RE = (
    rf"^{_WS}(经办人|审核人|负责人|填表人|填报人|制表人|单位负责人|审批人|复核人|联系人|注{_WS}[:：]|"
    rf"说明{_WS}[:：]|填表时间|填报时间|填表日期|\(?盖章\)?|单位{_WS}[(（]盖章)"
)
NUMBERING_RE = r"^[(（][甲乙丙丁戊己庚辛壬癸\d]{1,3}[)）]$"
TITLE_WORDS_RE = r"(花名册|名单|批次|第.{1,4}批|培训班|考勤表|统计表|汇总表|一览表|情况表|登记表|申请表|\d{4}年)"
ID_CONTENT_RE = r"^(\d{17}[\dXx]|\d{15})$"
# 「填报单位（盖章）：苏州恒达精密机械有限公司    填报日期：…」: the unit's name ends at a run of
# spaces or the next label; a line that leaves the name to the next cell is read from that cell.
SENDER_RE = re.compile(r"^填报单位(?:[(（]盖章[)）])?[:：]?\s*(.*?)(?:\s{2,}|\s*(?:填报|填表)日期|$)")
ID_LIKE_RE = r"^(\d{14,17}[\dXx]|\d(\.\d+)?[Ee]\+?\d+)$"  # an ID, mistyped or in scientific notation


# Normalised header → canonical column, per sheet kind (the clerk's --map and [columns]).
HeaderMap = Mapping[SheetKind, Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class HeaderWords:
    """What the locator knows of the columns it looks for, given by ``skillcli.schema.columns``.

    The locator only finds a table; which spellings name which column is the schema's knowledge,
    passed in so that reading a file never depends on what the columns mean.
    """

    aliases: HeaderMap  # normalise_header(spelling) → canonical, per kind
    key: Callable[[str], str]  # a header's comparable form once a unit in brackets is removed
    not_needed: Callable[[str], bool]  # a header known and deliberately unread (备注, 签名)
    # (code, detail) for a header that matched no column: the known column it most likely is, when its
    # name is close and its sampled cells fit that column (schema.columns.suggest_column).
    suggest: Callable[[SheetKind, str, list[str], set[str]], tuple[str, str]]


@dataclass(slots=True)
class SheetTable:
    """The data rows of one recognised sheet, with canonical column names and Excel row numbers."""

    file: str
    sheet: str
    kind: SheetKind
    header_row: int
    frame: pl.DataFrame
    headers: dict[str, str]  # canonical -> header text as written
    columns: dict[str, int]  # canonical -> absolute 0-based column index
    skipped: SkipCounts
    issues: list[Issue] = field(default_factory=list)
    numeric: dict[str, set[int]] = field(default_factory=dict)  # canonical -> rows typed as numbers
    wan_columns: frozenset[str] = frozenset()  # money columns whose header says (万元)
    sender: str = ""  # the 填报单位 line above the header, if any: who sent the sheet
    # Headers that matched no column, as written → (Excel row, absolute 0-based column) of the cell
    # holding the text: a required column found missing may be one of them (pipeline links the two).
    unknown: dict[str, tuple[int, int]] = field(default_factory=dict)

    def issue(
        self,
        code: str,
        canonical: str = "",
        row: int | None = None,
        *,
        value: str = "",
        detail: str = "",
        person_id: str = "",
    ) -> Issue:
        return Issue(self.file, self.sheet, row, canonical, value, code, detail, person_id)

    def letter(self, canonical: str) -> str:
        return col_letter(self.columns[canonical]) if canonical in self.columns else ""


@dataclass(slots=True)
class Ignored:
    """A sheet that holds no table skillcli reads (说明, code lists, empty sheets)."""

    file: str
    sheet: str
    reason_zh: str
    reason_en: str


def kind_from_name(name: str) -> SheetKind | None:
    """The kind a sheet or file name announces, if any."""
    for kind, words in _KIND_BY_NAME:
        if any(word in name for word in words):
            return kind
    return None


@dataclass(slots=True)
class _HeaderChoice:
    kind: SheetKind
    row: int  # 0-based grid row of the (last) header row
    two_rows: bool
    mapping: dict[int, tuple[str, str]]  # grid column -> (canonical, header text)
    duplicates: list[tuple[int, str]]  # grid column, header text
    score: int
    unknown: list[tuple[int, str]] = field(default_factory=list)  # grid column, header text
    # A two-row header's parents merged across several columns: (first, last grid column, parent text).
    spans: list[tuple[int, int, str]] = field(default_factory=list)


# Words ending a group header that only say "the dates of": 「劳动合同期限」 over 起始日期/终止日期
# names 劳动合同起始日期 and 劳动合同终止日期 once 期限 is dropped.
_PARENT_SUFFIX_RE = re.compile(r"(起止日期|起止时间|起止|期限|期间|时间|日期|情况)$")
# A child header that is half a word under its parent: 「培训期限」 over 起/止.
_CHILD_WORDS = {"起": "起始", "止": "终止", "自": "起始", "至": "终止", "始": "起始", "终": "终止"}


def _combined(parent: str, child: str) -> list[str]:
    """The names a child header may stand for under its parent, most literal first: parent + child
    (出勤天数 over 应/实际 → 应出勤天数 as child + parent), and the same with the parent's generic
    ending dropped and a bare 起/止 written out (培训期限 over 起 → 培训起始日期)."""
    parent, child = normalise_header(parent), normalise_header(child)
    stems = dict.fromkeys([parent, _PARENT_SUFFIX_RE.sub("", parent)])
    word = _CHILD_WORDS.get(child, child)
    children = dict.fromkeys([child, word, word + "日期"])
    return [text for stem in stems if stem for c in children for text in (stem + c, c + stem)]


def _map_headers(
    cells: list[str], parents: list[str] | None, kind: SheetKind, words: HeaderWords, extra: HeaderMap | None = None
) -> _HeaderChoice:
    aliases = {**words.aliases[kind], **(extra or {}).get(kind, {})}
    mapping: dict[int, tuple[str, str]] = {}
    duplicates: list[tuple[int, str]] = []
    unknown: list[tuple[int, str]] = []
    used: set[str] = set()
    for j, child in enumerate(cells):
        parent = parents[j] if parents else ""
        candidates: list[str] = []
        if parent and child:
            # The combined names come before the child alone: 「开始时间」 under 「劳动合同期限」 is the
            # contract's start, not the training's.
            candidates = [f"{parent}/{child}", *_combined(parent, child), child]
        elif child or parent:
            candidates = [child or parent]
        for text in candidates:
            canonical = aliases.get(normalise_header(text)) or aliases.get(words.key(text))
            if canonical is None:
                continue
            shown = candidates[0]
            if canonical in used:
                duplicates.append((j, shown))
            else:
                used.add(canonical)
                mapping[j] = (canonical, shown)
            break
        else:
            if candidates and not any(words.not_needed(text) for text in candidates):
                unknown.append((j, candidates[0]))
    return _HeaderChoice(kind, 0, parents is not None, mapping, duplicates, len(used), unknown)


def _parents(top: list[str], below: list[str], merged_parent: dict[int, str]) -> list[str]:
    """The group header above each column of a two-row header (merged cells fill rightwards)."""
    parents: list[str] = []
    for j, text in enumerate(top):
        if text:
            parents.append(text)
        elif j in merged_parent:
            parents.append(merged_parent[j])
        elif j > 0 and below[j] and below[j - 1] and parents[j - 1]:
            parents.append(parents[j - 1])
        else:
            parents.append("")
    return parents


def _spans(
    top: list[str], below: list[str], merged: list[tuple[int, int, int, int]], excel_row: int, col_offset: int
) -> list[tuple[int, int, str]]:
    """The cells of ``top`` merged across several columns with a word under every one of them."""
    spans: list[tuple[int, int, str]] = []
    for r1, c1, r2, c2 in merged:
        first, last = c1 - col_offset, c2 - col_offset
        if r1 != excel_row or r2 != excel_row or last <= first or first < 0 or last >= len(below):
            continue
        if top[first] and all(below[j] for j in range(first, last + 1)):
            spans.append((first, last, top[first]))
    return spans


def find_header(
    head: list[list[str]],
    kinds: list[SheetKind],
    merged: list[tuple[int, int, int, int]],
    first_row: int,
    col_offset: int,
    words: HeaderWords,
    extra: HeaderMap | None = None,
) -> _HeaderChoice | None:
    """The best header among the first rows, trying a single row and a two-row merged header."""
    best: _HeaderChoice | None = None
    limit = min(len(head), HEADER_SEARCH_ROWS)
    for r in range(limit):
        for kind in kinds:
            choice = _map_headers(head[r], None, kind, words, extra)
            choice.row = r
            if r + 1 < len(head) and any(head[r + 1]):
                excel_row = first_row + r
                merged_parent = {
                    c - col_offset: head[r][c1 - col_offset]
                    for (r1, c1, r2, c2) in merged
                    if r1 == excel_row and r2 == excel_row and 0 <= c1 - col_offset < len(head[r])
                    for c in range(c1, c2 + 1)
                }
                two = _map_headers(head[r + 1], _parents(head[r], head[r + 1], merged_parent), kind, words, extra)
                two.row = r + 1
                two.spans = _spans(head[r], head[r + 1], merged, excel_row, col_offset)
                # A two-row header must beat both of its rows alone; otherwise the row above is a
                # title or 填报单位 line and the lower row is the whole header. A header row with a
                # cell merged over several columns and a word under each of them is the top of a
                # two-row header even when those words name no known column: the lower row is
                # never a trainee, and its words are reported as one header finding.
                below = _map_headers(head[r + 1], None, kind, words, extra)
                grouped = bool(two.spans) and choice.score >= MIN_HEADER_SCORE
                if two.score > max(choice.score, below.score) or (
                    grouped and two.score >= max(choice.score, below.score)
                ):
                    choice = two
            if best is None or choice.score > best.score:
                best = choice
    if best is None or best.score < MIN_HEADER_SCORE:
        return None
    return best


def locate(
    grid: Grid,
    file: str,
    meta: CellMeta,
    words: HeaderWords,
    default_kind: SheetKind | None = None,
    extra: HeaderMap | None = None,
) -> SheetTable | Ignored:
    """Find the table in a grid and return its data rows, or say why the sheet was ignored."""
    import polars as pl

    frame = grid.frame
    if frame.width == 0 or frame.height == 0:
        return Ignored(file, grid.sheet, "空工作表", "empty sheet")
    named_kind = kind_from_name(grid.sheet) or default_kind
    if named_kind is None and any(word in grid.sheet for word in _IGNORED_SHEET_WORDS):
        return Ignored(file, grid.sheet, "说明或代码表", "notes or code list")

    kinds = [named_kind] if named_kind else list(SheetKind)
    choice, header_cells, data_start, header_excel_row = _choose_header(grid, meta, kinds, words, extra)
    if choice is None:
        if named_kind is not None and kind_from_name(grid.sheet):
            issue = Issue(file, grid.sheet, None, "", "", "sheet.header-not-found", named_kind.label_zh)
            return SheetTable(
                file, grid.sheet, named_kind, 0, pl.DataFrame(schema={"_row": pl.Int64}), {}, {}, SkipCounts(), [issue]
            )
        return Ignored(file, grid.sheet, "找不到表头", "no header row found")

    mapping = dict(choice.mapping)
    # A repeated column the sender hid is not on their screen: the finding says so and names its letter.
    table_issues = [
        Issue(
            file, grid.sheet, header_excel_row, text, col_letter(grid.col_offset + j), "sheet.duplicate-column-hidden"
        )
        if grid.col_offset + j in meta.hidden_cols
        else Issue(file, grid.sheet, header_excel_row, text, "", "sheet.duplicate-column")
        for j, text in choice.duplicates
    ]

    data = frame.slice(data_start)
    table_issues += _unknown_header_issues(choice, data, file, grid.sheet, header_excel_row, words, grid.col_offset)
    # An ID column whose header cell was left blank is recognised by its content.
    if "id_number" not in {c for c, _ in mapping.values()}:
        found = _id_by_content(data, header_cells, mapping)
        if found is not None:
            letter = col_letter(grid.col_offset + found)
            mapping[found] = ("id_number", f"({letter}列)")
            table_issues.append(
                Issue(file, grid.sheet, header_excel_row, "id_number", "", "sheet.column-by-content", letter)
            )

    headers = dict(mapping.values())
    columns = {canonical: grid.col_offset + j for j, (canonical, _) in mapping.items()}
    row_numbers = pl.int_range(0, data.height, dtype=pl.Int64, eager=True) + (grid.first_row + data_start)

    # Clean each mapped column once (only columns holding full-width or odd characters pay for
    # the full pass), then classify. Rows whose ID cell holds an ID are data without further
    # tests; the row-shape regexes run only on the few other rows.
    cleaned = data.select(
        pl.Series("_row", row_numbers),
        *[
            clean_cells_expr(pl.col(f"c{j}"), full=needs).alias(canonical)
            for (j, (canonical, _)), needs in zip(mapping.items(), _needs_full_clean(data, list(mapping)), strict=True)
        ],
    )
    kept, skipped, head_counts, aside = _data_rows(cleaned, data, headers)
    table = SheetTable(file, grid.sheet, choice.kind, header_excel_row, kept, headers, columns, skipped, table_issues)
    table.issues += _end_of_table_issues(table, head_counts, aside)
    table.wan_columns = frozenset(c for c, text in headers.items() if "万元" in text)
    if grid.header is None:
        table.sender = sender_line(_head(grid.frame, choice.row))
    # In a two-row header a text with nothing under it is the upper cell's (merged down over both rows).
    table.unknown = {
        text: (header_excel_row - int(choice.two_rows and not header_cells[j]), grid.col_offset + j)
        for j, text in choice.unknown
    }
    if not grid.visible:
        table.issues.append(table.issue("sheet.hidden"))
    _cell_findings(table, meta)
    return table


def _choose_header(
    grid: Grid, meta: CellMeta, kinds: list[SheetKind], words: HeaderWords, extra: HeaderMap | None
) -> tuple[_HeaderChoice | None, list[str], int, int]:
    """(the header, its cells, the grid row the data starts on, the header's Excel row).

    A reader that already split off the header row (``grid.header``) leaves only that row to map;
    otherwise the header is looked for among the first rows of the grid.
    """
    if grid.header is not None:
        head = [[clean_cell(h) for h in grid.header]]
        choice = find_header(head, kinds, [], grid.first_row - 1, grid.col_offset, words, extra)
        return choice, head[0], 0, grid.first_row - 1
    head = _head(grid.frame, HEADER_SEARCH_ROWS + 1)
    choice = find_header(head, kinds, meta.merged, grid.first_row, grid.col_offset, words, extra)
    if choice is None:
        return None, [], 0, 0
    return choice, head[choice.row], choice.row + 1, grid.first_row + choice.row


def sender_line(rows: list[list[str]]) -> str:
    """The unit named on a 填报单位 line among the rows above a header, or "" when there is none."""
    for cells in rows:
        filled = [c.strip() for c in cells if c and c.strip()]
        for k, cell in enumerate(filled):
            match = SENDER_RE.match(cell)
            if match is None:
                continue
            name = match.group(1).strip() or (filled[k + 1] if k + 1 < len(filled) else "")
            return "" if "日期" in name else name
    return ""


def _id_by_content(data: pl.DataFrame, header_cells: list[str], mapping: dict[int, tuple[str, str]]) -> int | None:
    """The first unmapped column with a blank header whose cells are mostly IDs, if any."""
    for j in range(data.width):
        if j in mapping or (j < len(header_cells) and header_cells[j]):
            continue
        sample = data.get_column(f"c{j}").drop_nulls().head(200).str.strip_chars()
        if len(sample) and sample.str.contains(ID_CONTENT_RE).mean() >= 0.8:  # type: ignore[operator]
            return j
    return None


def _data_rows(
    cleaned: pl.DataFrame, data: pl.DataFrame, headers: dict[str, str]
) -> tuple[pl.DataFrame, SkipCounts, list[tuple[int, str, int]], list[tuple[int, str, str]]]:
    """The data rows of ``cleaned`` (mapped columns, cleaned), the count of rows set aside by reason,
    the head counts written on total lines (Excel row, the cell as written, the number) and the rows
    set aside (Excel row, reason, their cells' text joined); ``data`` holds the same rows' raw cells,
    every column."""
    import polars as pl

    id_like = (
        pl.col("id_number").str.replace_all(r"\s", "").str.contains(ID_LIKE_RE).fill_null(False)
        if "id_number" in cleaned.columns
        else pl.lit(False)
    )
    with_raw = pl.concat([cleaned, data], how="horizontal").with_columns(id_like.alias("__id_like"))
    suspects = with_raw.filter(~pl.col("__id_like"))
    all_cols = [pl.col(c) for c in data.columns]
    mapped = [pl.col(canonical) for canonical in cleaned.columns if canonical != "_row"]
    non_null = pl.sum_horizontal([c.is_not_null() & (c.str.strip_chars().str.len_bytes() > 0) for c in all_cols])
    paren = pl.sum_horizontal([c.str.strip_chars().str.contains(NUMBERING_RE).fill_null(False) for c in all_cols])
    total = _any_cell(all_cols, TOTAL_RE)
    footer = _any_cell(all_cols, FOOTER_RE)
    repeated = pl.sum_horizontal(
        [
            (pl.col(canonical) == pl.lit(normalise_header(headers[canonical]))).fill_null(False)
            | (pl.col(canonical) == pl.lit(headers[canonical])).fill_null(False)
            for canonical in headers
            if canonical in cleaned.columns
        ]
    )
    # A batch title pasted into column A often lands under 姓名; the title words never occur in a
    # person's name, so only a filled ID cell rules a one-cell row out as a title.
    identity_blank = pl.col("id_number").is_null() if "id_number" in cleaned.columns else pl.lit(True)
    title = (non_null == 1) & identity_blank & _any_cell(all_cols, TITLE_WORDS_RE)
    mapped_blank = pl.all_horizontal([e.is_null() for e in mapped]) if mapped else pl.lit(True)
    # A trainee row is never a total or a signature line, even when its 备注 cell starts with
    # "注：" or "联系人：": a row whose ID cell holds an ID-shaped number is data (never a suspect).
    reason = _skip_reason(
        [
            ("total", total),
            ("footer", footer),
            ("numbering", (paren >= 2) & (paren == non_null)),
            ("repeated_header", repeated >= 2),
            ("title", title),
            ("blank", mapped_blank),
        ]
    )
    reasons = suspects.select("_row", reason.alias("_skip"))
    classified = cleaned.join(reasons, on="_row", how="left", maintain_order="left")
    skipped = SkipCounts()
    for name, count in classified.get_column("_skip").value_counts().iter_rows():
        if name is not None:
            setattr(skipped, name, count)
    stated = suspects.join(reasons.filter(pl.col("_skip") == "total"), on="_row").select(
        "_row",
        pl.coalesce(
            [pl.when(c.str.contains(HEAD_COUNT_RE).fill_null(False)).then(c.str.strip_chars()) for c in all_cols]
        ).alias("text"),
    )
    head_counts = [
        (row, text, int(re.search(r"(\d+)", text).group(1)))  # type: ignore[union-attr]
        for row, text in stated.drop_nulls("text").iter_rows()
    ]
    # Only the rows set aside are joined into text (a few per sheet): what a footer or a heading says.
    joined = pl.concat_str([c.str.strip_chars() for c in all_cols], separator=" ", ignore_nulls=True)
    aside = suspects.join(reasons.filter(pl.col("_skip").is_not_null()), on="_row").select(
        "_row", "_skip", joined.fill_null("")
    )
    return classified.filter(pl.col("_skip").is_null()).drop("_skip"), skipped, head_counts, list(aside.iter_rows())


# Rows listed by name in a finding about rows below the footer; more are counted, not named.
_NAMED_BELOW = 10


def _end_of_table_issues(
    table: SheetTable, head_counts: list[tuple[int, str, int]], aside: list[tuple[int, str, str]]
) -> list[Issue]:
    """Data rows below the table's end (a signature line, or a total line followed by a heading) are a
    second table (「补报人员（第二批）」 under 经办人/审核人): they are read all the same, never lost, and
    one warning names the end line, the heading and each row read below it by row and name. The head
    count is then compared with the rows above the end, and the warning says when they agree."""
    import polars as pl

    end = _table_end(table.frame.get_column("_row"), aside)
    if end is None:
        return _head_count_issues(table, head_counts)
    end_row, signature = end
    below = table.frame.filter(pl.col("_row") > end_row)
    start = int(below.get_column("_row").min())  # type: ignore[arg-type]
    headings = [
        (x, text)
        for x, why, text in sorted(aside)
        if end_row < x < start and text and why not in ("footer", "total", "numbering", "repeated_header")
    ]
    heading_row, heading = headings[-1] if headings else (start, "")
    names = below.select("_row", pl.col("name") if "name" in below.columns else pl.lit(None, pl.String)).rows()
    above = table.frame.height - len(names)
    # The count on the end line itself (合计 2人 followed by a heading) counts the rows above it too.
    counts_above = [(r, text, n) for r, text, n in head_counts if r <= end_row]
    matched = counts_above[-1] if counts_above and counts_above[-1][2] == above else None
    issues = [] if matched else _head_count_issues(table, head_counts)
    zh, en = _below_words(end_row, signature, matched, above, heading_row, heading, names)
    en += f" ({table.frame.height} rows in all)"
    zh += f"（本表共读到 {table.frame.height} 行）"
    issues.append(table.issue("sheet.rows-below-footer", row=heading_row, value=heading, detail=bilingual(zh, en)))
    return issues


def _table_end(rows: pl.Series, aside: list[tuple[int, str, str]]) -> tuple[int, bool] | None:
    """(Excel row, whether a signature line) of the line that ends the table when data rows follow it:
    the first signature line between data rows, else a total line with a heading after it."""
    if rows.len() == 0:
        return None
    first, last = int(rows.min()), int(rows.max())  # type: ignore[arg-type]
    for r, why, _ in sorted(aside):
        if why == "footer" and first < r < last:
            return r, True
    # A total line is the end only when a heading follows it: page subtotals (本页合计) with the header
    # repeated on the next page are one table.
    for r, why, _ in sorted(aside):
        if why != "total" or not first < r < last:
            continue
        following = int(rows.filter(rows > r).min())  # type: ignore[arg-type]
        if any(w == "title" and r < x < following for x, w, _ in aside):
            return r, False
    return None


def _below_words(
    end_row: int,
    signature: bool,
    matched: tuple[int, str, int] | None,
    above: int,
    heading_row: int,
    heading: str,
    names: list[tuple[int, str | None]],
) -> tuple[str, str]:
    """The finding's detail in Chinese and English, up to the rows' total."""
    shown = names[:_NAMED_BELOW]
    listed_zh = "、".join(f"第 {r} 行 {name or '（姓名空白）'}" for r, name in shown)
    listed_en = ", ".join(f"row {r} ({name or 'no name'})" for r, name in shown)
    if len(names) > len(shown):
        listed_zh += " 等"
        listed_en += " and more"
    kind_zh, kind_en = ("签字行", "signature line") if signature else ("合计行", "total line")
    zh = en = ""
    if matched:
        zh = f"第 {matched[0]} 行表尾「{matched[1]}」与其上方的 {above} 行人员相符；但"
        en = f"the footer '{matched[1]}' on row {matched[0]} matches the {above} rows above it, but "
    # The end line is named by its row only: its words (经办人：…) are the sender's form, not news.
    if matched and matched[0] == end_row:
        zh += "该行下方"
        en += "below that line "
    else:
        zh += f"第 {end_row} 行{kind_zh}下方"
        en += f"below the {kind_en} on row {end_row} "
    if heading:
        zh += f"还有一张表「{heading}」（第 {heading_row} 行），其中"
        en += f"another table, '{heading}' (row {heading_row}), was read as part of this sheet: "
    else:
        zh += "还有"
        en += "more rows were read as part of this sheet: "
    zh += f"{listed_zh} 共 {len(names)} 人已作为本表人员一并读取"
    en += f"{listed_en}, {len(names)} {'person' if len(names) == 1 else 'people'}"
    return zh, en[0].upper() + en[1:]


def _head_count_issues(table: SheetTable, head_counts: list[tuple[int, str, int]]) -> list[Issue]:
    """A warning when the head count under the table (共6人) differs from the data rows read: a row
    left out, filled twice, or a count not updated. Page subtotals (本页 3人 twice) agree when they add
    up to the rows, or when the largest is the grand total; otherwise the last count is named."""
    if not head_counts:
        return []
    read = table.frame.height
    numbers = [n for _, _, n in head_counts]
    if read in (max(numbers), sum(numbers)):
        return []
    row, text, _ = head_counts[-1]
    return [table.issue("sheet.footer-count", row=row, value=text, detail=str(read))]


def _head(frame: pl.DataFrame, rows: int) -> list[list[str]]:
    """The first rows of a grid as cleaned text, blank cells as "", to look for the header in."""
    return [[clean_cell(v) if v is not None else "" for v in row] for row in frame.head(rows).rows()]


def _any_cell(cells: list[pl.Expr], pattern: str) -> pl.Expr:
    """Whether any cell of the row matches ``pattern`` (a blank cell matches nothing)."""
    import polars as pl

    return pl.any_horizontal([c.str.contains(pattern).fill_null(False) for c in cells])


def _skip_reason(tests: list[tuple[str, pl.Expr]]) -> pl.Expr:
    """The first reason whose test holds on the row, in the order given; null for a data row."""
    import polars as pl

    return pl.coalesce([pl.when(test).then(pl.lit(reason)) for reason, test in tests])


def _unknown_header_issues(
    choice: _HeaderChoice,
    data: pl.DataFrame,
    file: str,
    sheet: str,
    header_row: int,
    words: HeaderWords,
    col_offset: int = 0,
) -> list[Issue]:
    """A warning for each header that matched no column, naming the known column it most likely is
    when its name is close and its cells fit (``words.suggest``), so that no column of the clerk's
    file is dropped without a word."""
    issues: list[Issue] = []
    present = {canonical for canonical, _ in choice.mapping.values()}
    unknown = dict(choice.unknown)
    for first, last, parent in choice.spans:
        children = [j for j in range(first, last + 1) if j in unknown]
        if not children:
            continue
        # One finding for the merged parent and the words under it: the clerk renames the group, not
        # each "parent/child" pair the locator tried.
        letters = [col_letter(col_offset + j) for j in (first, last)]
        where = f"{letters[0]}{header_row - 1}:{letters[1]}{header_row - 1} / " + ", ".join(
            f"{col_letter(col_offset + j)}{header_row}" for j in children
        )
        names = " / ".join(unknown.pop(j).split("/", 1)[-1] for j in children)
        issues.append(Issue(file, sheet, header_row, parent, names, "sheet.merged-header-unknown", where))
    for j, text in unknown.items():
        name = f"c{j}"
        sample = data.get_column(name).drop_nulls().head(200).to_list() if name in data.columns else []
        code, detail = words.suggest(choice.kind, text, [clean_cell(str(v)) for v in sample], present)
        issues.append(Issue(file, sheet, header_row, text, "", code, detail))
    return issues


def _needs_full_clean(data: pl.DataFrame, columns: list[int]) -> list[bool]:
    """Per grid column: does any cell hold a full-width, odd-space or control character?"""
    import polars as pl

    if not columns:
        return []
    found = data.select([pl.col(f"c{j}").str.contains(NEEDS_CLEANING_RE).any().alias(f"c{j}") for j in columns])
    return [bool(v) for v in found.row(0)]


def _cell_findings(table: SheetTable, meta: CellMeta) -> None:
    """Formulas, error values, hidden rows and merged ranges that touch the kept data cells."""
    import polars as pl

    if not (meta.formulas or meta.errors or meta.hidden_rows or meta.merged):
        return
    rows = set(table.frame.get_column("_row").to_list())
    by_col = {index: canonical for canonical, index in table.columns.items()}
    id_by_row: dict[int, str] = {}
    if "id_number" in table.frame.columns:
        # Only the rows a finding names: a dict of every row's ID took 0.04 s at 100 000 rows.
        named = {row for row, _ in meta.formulas} | {row for row, _ in meta.errors} | meta.hidden_rows
        named |= {r1 for r1, _, _, _ in meta.merged}
        ids = table.frame.filter(pl.col("_row").is_in(sorted(named))).select("_row", "id_number").drop_nulls()
        id_by_row = dict(ids.iter_rows())
    for (row, col), formula in sorted(meta.formulas.items()):
        if row in rows and col in by_col:
            code = "cell.formula-no-result" if (row, col) in meta.uncached else "cell.formula"
            table.issues.append(table.issue(code, by_col[col], row, value=formula, person_id=id_by_row.get(row, "")))
    for (row, col), value in sorted(meta.errors.items()):
        if row in rows and col in by_col:
            table.issues.append(
                table.issue("cell.error", by_col[col], row, value=value, person_id=id_by_row.get(row, ""))
            )
    for row in sorted(meta.hidden_rows & rows):
        table.issues.append(table.issue("row.hidden", "", row, person_id=id_by_row.get(row, "")))
    for r1, c1, r2, c2 in meta.merged:
        touched = [c for c in range(c1, c2 + 1) if c in by_col]
        if touched and any(r in rows for r in range(r1, r2 + 1)):
            ref = f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}"
            table.issues.append(
                table.issue("cell.merged", by_col[touched[0]], r1, value=ref, person_id=id_by_row.get(r1, ""))
            )


# -- small tables: bank returns, accounts lists, voucher completion lists -----------------------
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
    import polars as pl

    frame = grid.frame
    if frame.width == 0 or frame.height == 0:
        return None
    head = _head(frame, HEADER_SEARCH_ROWS)
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
    total = _any_cell(everything, TOTAL_RE)
    footer = _any_cell(everything, FOOTER_RE) | _any_cell(everything, BANK_FOOTER_RE)
    batch_line = _any_cell(everything, BATCH_LINE_RE)
    blank = pl.all_horizontal([e.is_null() for e in exprs.values()])
    reason = _skip_reason([("blank", blank), ("total", total), ("footer", footer), ("batch_line", batch_line)])
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
    from skillcli.io.workbook import Book

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
