"""The fixed pipeline: read → locate → validate → cross-check → (evaluate rules → pay) → report.

Only this module chains the stages. Each stage returns values plus issues and keeps going; a
file that cannot be read at all raises ``InputError`` (exit 2) because the batch would be
incomplete without it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from skillcli.errors import UsageError
from skillcli.findings import CATALOGUE, FINDING_SCHEMA, RENDERED_COLUMNS, Issue, concat, from_rows, template_expr
from skillcli.io.layout import HeaderWords, Ignored, SheetTable, kind_from_name, locate
from skillcli.io.limits import Limits
from skillcli.io.workbook import Book, Grid
from skillcli.io.xlsxmeta import col_letter
from skillcli.model import Severity, SheetInfo, SheetKind, SkipCounts
from skillcli.schema.checks import run_checks, words_locations
from skillcli.schema.columns import SPECS, ColType, ColumnMap, exact_columns, header_words, likely_missing, spec
from skillcli.schema.validate import MONEY_TYPED, Context, validate_table

DEFAULT_MAX_FILE_MB = 500
Progress = Callable[[str, int, int], None]


def parse_period(text: str | None, today: dt.date) -> Context:
    """``YYYY-MM`` to a check context; none: the current month, checked as of ``today`` (``period_given``)."""
    if text is None:
        year, month = today.year, today.month
    else:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise UsageError(f"批次月份应为 YYYY-MM，读到「{text}」", f"--period must be YYYY-MM, got '{text}'")
        year, month = int(match.group(1)), int(match.group(2))
    last = calendar.monthrange(year, month)[1]
    return Context(dt.date(year, month, 1), dt.date(year, month, last), today, period_given=text is not None)


@dataclass(slots=True)
class FileSummary:
    """One input file: its real format and the sheets found in it."""

    path: str
    format: str
    sheets: list[SheetInfo] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    encoding: str = ""
    sha256: str = ""  # of the bytes read, which are the bytes every check and decision saw
    size: int = 0


@dataclass(slots=True)
class Batch:
    """Everything ``skillcli check`` knows about a batch of input files."""

    ctx: Context
    files: list[FileSummary]
    frames: dict[SheetKind, pl.DataFrame]  # typed values
    raw: dict[SheetKind, pl.DataFrame]  # the same rows as read (cleaned text), for reports
    findings: pl.DataFrame  # rendered (findings.RENDERED_COLUMNS), sorted by file, sheet, row
    blocked_sheets: set[tuple[str, str]]  # sheets missing a required column: none of their rows is usable

    @property
    def rows(self) -> dict[SheetKind, int]:
        return {kind: frame.height for kind, frame in self.frames.items()}

    @property
    def skipped(self) -> SkipCounts:
        total = SkipCounts()
        for summary in self.files:
            for sheet in summary.sheets:
                total.add(sheet.skipped)
        return total

    @property
    def present_columns(self) -> set[tuple[SheetKind, str]]:
        """(sheet kind, canonical column) for every column some sheet of the batch carries."""
        return {
            (sheet.kind, canonical)
            for summary in self.files
            for sheet in summary.sheets
            if sheet.kind is not None
            for canonical in sheet.headers
        }

    def count(self, severity: Severity) -> int:
        return int((self.findings.get_column("severity") == severity.value).sum())

    @property
    def counts_by_code(self) -> dict[str, int]:
        counted = self.findings.group_by("code").len().sort(["len", "code"], descending=[True, False])
        return dict(counted.iter_rows())

    @property
    def headers(self) -> list[tuple[str, str, str, str]]:
        """(file, sheet, canonical column, header text as written) of every sheet read: what a
        finding's column is called in the message about it."""
        return sheet_headers(self.files)

    @property
    def file_order(self) -> list[str]:
        """The input files in the order given, the order findings are listed in."""
        return [f.path for f in self.files]


def load_batch(
    paths: list[Path],
    ctx: Context,
    *,
    max_file_mb: int = DEFAULT_MAX_FILE_MB,
    limits: Limits | None = None,
    progress: Progress | None = None,
    columns: ColumnMap | None = None,
) -> Batch:
    """Read, locate and validate every sheet of every file, then run the cross-sheet checks.

    ``columns`` is the clerk's own header mapping (``--map``, ``[columns]``), tried before the aliases.
    """
    read = _Read(ctx, columns)
    for index, path in enumerate(paths):
        display = str(path)
        if progress:
            progress(display, index, len(paths))
        if not path.exists():
            raise UsageError(f"找不到文件 {display}", f"no such file: {display}")
        size_mb = path.stat().st_size / 1e6
        if size_mb > max_file_mb:
            read.loose.append(
                Issue(display, "", None, "", display, "file.too-large", f"{size_mb:.0f} MB > {max_file_mb} MB")
            )
            read.files.append(FileSummary(display, "too-large"))
            continue
        read.file(path, Book(path, limits))
    frames = {
        kind: _full_schema(kind, pl.concat(parts, how="diagonal_relaxed"))
        for kind, parts in read.typed.items()
        if parts
    }
    raw_frames = {kind: pl.concat(parts, how="diagonal_relaxed") for kind, parts in read.raw.items() if parts}
    issues = concat([*read.issue_parts, run_checks(frames, ctx), from_rows(read.loose)])
    findings = render_findings(issues, sheet_headers(read.files), [str(p) for p in paths])
    return Batch(ctx, read.files, frames, raw_frames, findings, read.blocked)


@dataclass(slots=True)
class _Read:
    """What the files of a batch gave so far: per kind the typed and the raw frames, the findings."""

    ctx: Context
    columns: ColumnMap | None
    words: HeaderWords = field(default_factory=header_words)  # the header vocabulary, built once per batch
    files: list[FileSummary] = field(default_factory=list)
    typed: dict[SheetKind, list[pl.DataFrame]] = field(default_factory=lambda: {kind: [] for kind in SheetKind})
    raw: dict[SheetKind, list[pl.DataFrame]] = field(default_factory=lambda: {kind: [] for kind in SheetKind})
    issue_parts: list[pl.DataFrame] = field(default_factory=list)
    loose: list[Issue] = field(default_factory=list)
    blocked: set[tuple[str, str]] = field(default_factory=set)  # sheets missing a required column

    def file(self, path: Path, book: Book) -> None:
        """Every sheet of one workbook: located (or ignored, with the reason), validated, kept."""
        display = str(path)
        summary = FileSummary(display, book.format, sha256=book.sha256, size=len(book.data))
        default_kind = kind_from_name(path.stem) if book.sheet_count() == 1 else None
        first = len(self.loose)
        # Sheets are validated as they arrive: an .xlsx's next sheet is read meanwhile (``iter_grids``).
        for grid in book.iter_grids():
            located = locate(grid, display, book.meta(grid.sheet), self.words, default_kind, self.columns)
            if isinstance(located, Ignored):
                summary.ignored.append(located)
                continue
            summary.sheets.append(self.sheet(book, grid, display, located))
        summary.encoding = book.encoding  # known once a CSV is decoded, which its grid does
        if book.encoding != "utf-8":
            self.loose.insert(first, Issue(display, "", None, "", "", "file.encoding-fallback"))
        if not summary.sheets:
            reasons = "; ".join(f"{i.sheet}: {i.reason_zh}" for i in summary.ignored) or "无工作表"
            self.loose.append(Issue(display, "", None, "", "", "file.no-data-sheet", reasons))
        self.files.append(summary)

    def sheet(self, book: Book, grid: Grid, display: str, table: SheetTable) -> SheetInfo:
        """One located sheet validated: its typed rows and findings kept, and whether it is usable."""
        exact = exact_columns(table.columns)
        numeric_by_index = book.numeric_rows(grid, list(exact.values()))
        numeric = {name: numeric_by_index.get(col, set()) for name, col in exact.items()}
        book.release(grid.sheet)
        frame, issues, missing = validate_table(table, numeric, self.ctx)
        for name in missing:
            # Without a header every column is missing; sheet.header-not-found already says so.
            if table.header_row:
                self.loose.append(_missing_column(display, table, name))
            self.blocked.add((display, grid.sheet))
        self.loose.extend(table.issues)
        self.issue_parts.append(issues)
        self.typed[table.kind].append(frame)
        self.raw[table.kind].append(
            table.frame.with_columns(pl.lit(display).alias("_file"), pl.lit(grid.sheet).alias("_sheet"))
        )
        return SheetInfo(
            display, grid.sheet, table.kind, table.header_row, frame.height, table.skipped, dict(table.headers),
            sender=table.sender,
        )


_UNKNOWN_CODES = ("sheet.unknown-column", "sheet.unknown-column-like", "sheet.unknown-column-money")


def _missing_column(display: str, table: SheetTable, name: str) -> Issue:
    """The finding for a required column the sheet lacks. When a header that matched no column is
    most likely it (结班日期 for 结业日期), both findings name each other: the missing column says which
    cell to rename, and that header's own finding says it is the missing column."""
    present = set(table.headers)
    likely = likely_missing(table.kind, name, list(table.unknown), present)
    if likely is None:
        return Issue(display, table.sheet, table.header_row, name, "", "sheet.missing-column")
    row, column = table.unknown[likely]
    for i, issue in enumerate(table.issues):
        if issue.code in _UNKNOWN_CODES and issue.canonical == likely:
            table.issues[i] = issue._replace(code="sheet.unknown-column-missing", detail=spec(table.kind, name).header)
    where = f"{row}; {col_letter(column)}"
    return Issue(display, table.sheet, table.header_row, name, likely, "sheet.missing-column-likely", where)


def sheet_headers(files: list[FileSummary]) -> list[tuple[str, str, str, str]]:
    """(file, sheet, canonical column, header text as written) of every sheet of ``files``."""
    return [
        (f.path, s.sheet, canonical, text) for f in files for s in f.sheets for canonical, text in s.headers.items()
    ]


_TYPED_DTYPES: dict[ColType, Any] = {
    ColType.DATE: pl.Date,
    ColType.MONEY: pl.Int64,
    ColType.INT: pl.Int64,
    ColType.NUMBER: pl.Float64,
    ColType.YESNO: pl.Boolean,
}


def _full_schema(kind: SheetKind, frame: pl.DataFrame) -> pl.DataFrame:
    """The typed frame with every column of its kind, null where no sheet had it.

    A sheet may lack any optional column (人员类别, 银行账号 …) and, with a finding, a required one;
    later stages select columns by name, so the frame's schema must not depend on the sheet's.
    """
    absent = [
        pl.lit(None, _TYPED_DTYPES.get(column.ctype, pl.String)).alias(MONEY_TYPED.get(column.name, column.name))
        for column in SPECS[kind]
        if column.ctype is not ColType.PERIOD and MONEY_TYPED.get(column.name, column.name) not in frame.columns
    ]
    return frame.with_columns(absent) if absent else frame


def _spec_headers(labels: Mapping[str, str]) -> dict[str, str]:
    """Canonical name → the Chinese a clerk reads: the column's header, else the caller's label (a
    payout gives its rule fields': 线上学时占比 for online_share), so that no internal name reaches a
    message or the column field. The labels come from the caller because the rule engine sits above
    this module: ``check`` loads no part of it."""
    names: dict[str, str] = {}
    for specs in SPECS.values():
        for column in specs:
            names.setdefault(column.name, column.header)
    for name, label in labels.items():
        names.setdefault(name, label)
    return names


def _allowed_values() -> dict[str, str]:
    allowed: dict[str, str] = {}
    for specs in SPECS.values():
        for column in specs:
            if column.choices:
                allowed.setdefault(column.name, "、".join(column.allowed))
    return allowed


def _template_fields() -> dict[str, pl.Expr]:
    """The fields a template may use, over the staged columns column/value/detail/choices."""
    # A detail written as "count; closest" (value.unknown) is also offered as its two parts.
    parts = pl.col("detail").fill_null("").str.splitn("; ", 2)
    fields = {name: pl.col(name) for name in ("column", "value", "detail", "choices")}
    return fields | {"count": parts.struct.field("field_0"), "closest": parts.struct.field("field_1")}


def render_findings(
    issues: pl.DataFrame,
    headers: list[tuple[str, str, str, str]],
    file_order: list[str],
    keep: tuple[str, ...] = (),
    labels: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """The one render: findings (``FINDING_SCHEMA``, as emitted) → the rows every output reads
    (``RENDERED_COLUMNS`` + ``keep``): header text per sheet and both messages, sorted for reading.
    ``labels`` names canonical columns that are no sheet's (a payout's rule fields)."""
    assert set(FINDING_SCHEMA) <= set(issues.columns)
    staged = _staged(issues, headers, labels or {})
    zh, en = _messages(sorted(set(staged.get_column("code").to_list())))
    rendered = {
        "file": pl.col("_file"),
        "sheet": pl.col("_sheet").fill_null(""),
        "row": pl.col("_row"),
        "column": pl.col("column"),
        # An ID stored as a number reads back as 18 digits that look like a real ID but are not the
        # person's: the finding shows what Excel shows in the cell (1.40105E+17) instead.
        "value": pl.when(pl.col("code") == "id.precision-lost")
        .then(pl.col("detail"))
        .otherwise(pl.col("value"))
        .fill_null(""),
        "code": pl.col("code"),
        "severity": pl.col("severity"),
        "message_zh": words_locations(zh, pl.col("_file"), lang="zh"),
        "message_en": words_locations(en, pl.col("_file"), lang="en"),
        "person_id": pl.col("person_id").fill_null(""),
    }
    frame = staged.select(*(rendered[name].alias(name) for name in RENDERED_COLUMNS), *keep)
    return _reading_order(frame.unique(maintain_order=True), headers, file_order)


def _staged(issues: pl.DataFrame, headers: list[tuple[str, str, str, str]], labels: Mapping[str, str]) -> pl.DataFrame:
    """The findings with what their templates read: ``column`` (the header as written in the sheet,
    else the column's Chinese name), ``detail`` and the column's ``choices``."""
    header_frame = (
        pl.DataFrame(headers, schema=["_file", "_sheet", "canonical", "__header"], orient="row")
        if headers
        else pl.DataFrame(
            schema={"_file": pl.String, "_sheet": pl.String, "canonical": pl.String, "__header": pl.String}
        )
    )
    spec_headers = _spec_headers(labels)
    allowed = _allowed_values()
    column = pl.coalesce(
        pl.col("__header"),
        pl.col("canonical").replace_strict(
            list(spec_headers), list(spec_headers.values()), default=None, return_dtype=pl.String
        ),
        pl.col("canonical"),
    )
    choices = pl.col("canonical").replace_strict(
        list(allowed), list(allowed.values()), default="", return_dtype=pl.String
    )
    detail = (
        pl.when(pl.col("code") == "value.not-in-list")
        .then(choices)
        # A clerk is told how many digits a wrong phone number has rather than left to count them.
        .when(pl.col("code") == "phone.format")
        .then(pl.col("value").str.count_matches(r"\d").cast(pl.String))
        .otherwise(pl.col("detail"))
    )
    return issues.join(header_frame, on=["_file", "_sheet", "canonical"], how="left").with_columns(
        column.fill_null("").alias("column"), detail.alias("detail"), choices.alias("choices")
    )


def _messages(codes: list[str]) -> tuple[pl.Expr, pl.Expr]:
    """The Chinese and English message of each finding, from its code's templates."""
    fields = _template_fields()
    zh: Any = pl.lit(None, pl.String)
    en: Any = pl.lit(None, pl.String)
    for code in codes:
        entry = CATALOGUE[code]
        is_code = pl.col("code") == code
        zh = pl.when(is_code).then(template_expr(entry.zh, fields)).otherwise(zh)
        en = pl.when(is_code).then(template_expr(entry.en, fields)).otherwise(en)
    return zh, en


def _reading_order(
    frame: pl.DataFrame, headers: list[tuple[str, str, str, str]], file_order: list[str]
) -> pl.DataFrame:
    """Rendered findings in reading order: files as given, sheets in workbook order (the order their
    headers were read, file-level findings first), then row, code, column and value."""
    sheet_keys = list(dict.fromkeys(f"{file}\x00{sheet}" for file, sheet, _, _ in headers))
    return (
        frame.with_columns(
            pl.col("file")
            .replace_strict(file_order, list(range(len(file_order))), default=len(file_order), return_dtype=pl.Int64)
            .alias("__order"),
            pl.concat_str([pl.col("file"), pl.col("sheet")], separator="\x00")
            .replace_strict(sheet_keys, list(range(len(sheet_keys))), default=-1, return_dtype=pl.Int64)
            .alias("__sheet"),
        )
        .sort(["__order", "__sheet", "row", "code", "column", "value"], nulls_last=False, maintain_order=True)
        .drop("__order", "__sheet")
    )
