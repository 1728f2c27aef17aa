"""Validate one sheet: Pandera for required columns and enums, Polars expressions for the rest.

``validate_table`` returns the typed frame (dates as ``pl.Date``, money as Int64 fen, levels as
codes, yes/no as booleans) and a findings frame (``skillcli.findings.FINDING_SCHEMA``): one row per
finding with the canonical column, the cell text and a code. Messages are rendered later, once.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import polars as pl

from skillcli import findings
from skillcli.model import SheetKind
from skillcli.schema import parse
from skillcli.schema.columns import SPECS, ColType, ColumnSpec

if TYPE_CHECKING:
    from skillcli.io.layout import SheetTable

MONEY_TYPED = {"fee_yuan": "fee_fen", "advance_yuan": "advance_fen"}
_DERIVED_FROM = {"start_date": "training_period", "end_date": "training_period"}
PHONE_RE = r"^1\d{10}$"
ACCOUNT_RE = r"^\d{6,32}$"


@dataclass(frozen=True, slots=True)
class Context:
    """What a batch is checked against: its period (a month) and today's date.

    ``period_given`` is false when the clerk named no batch month (``check`` without ``--period``):
    the period is then today's month, and the end dates are checked against today itself, which
    every output states (``period_shown``)."""

    period_start: dt.date
    period_end: dt.date
    today: dt.date
    period_given: bool = True

    @property
    def period_label(self) -> str:
        return f"{self.period_start:%Y-%m}"

    @property
    def period_shown(self) -> tuple[str, str]:
        """The batch month as outputs state it (Chinese, English): 2024-12, or that none was given
        and the check was made as of today."""
        if self.period_given:
            return self.period_label, self.period_label
        return (
            f"未给 --period，按今天 {self.today.isoformat()} 核查",
            f"no --period given: checked as of today, {self.today.isoformat()}",
        )


# -- Pandera: required columns, enums and patterns ---------------------------------------------
def pandera_polars() -> ModuleType:
    """``pandera.polars`` and its Polars checks, imported without Hypothesis.

    Pandera's check registry imports Hypothesis whenever it is installed, for generating test
    data, which skillcli never asks it to do: 0.1 s of CPU at every start-up of a development or
    test install (measured: 0.17 s → 0.07 s for pandera.polars with its backends). While Pandera
    is first imported, ``hypothesis`` is marked absent in ``sys.modules`` (only if nobody has
    imported it yet) and the mark is removed straight after, so a later ``import hypothesis``
    works as before.
    """
    blocked = "hypothesis" not in sys.modules
    if blocked:
        sys.modules["hypothesis"] = None  # type: ignore[assignment]
    try:
        module = importlib.import_module("pandera.polars")
        # The module that imports Hypothesis, which Pandera would otherwise import at the first
        # validate(), after the mark is gone.
        importlib.import_module("pandera.backends.polars.builtin_checks")
    finally:
        if blocked and sys.modules.get("hypothesis", "") is None:
            del sys.modules["hypothesis"]
    return module


# Each (kind, optional columns present) gets its schema built once: building a Pandera schema copies
# every column and check (about 10 ms a sheet kind), and a batch of many files repeats the kinds.
_SCHEMAS: dict[tuple[str, frozenset[str]], Any] = {}


def _pandera_schema(kind: SheetKind, present: set[str]) -> Any:
    """The Pandera schema of a sheet kind: every required column present, every column text.

    The value checks (listed values, phone and name patterns) are ``value_checks``, run as Polars
    expressions in the sheet's one ``collect_all``: as Pandera checks each was a query of its own,
    collected alone, with its failure cases turned into rows afterwards (issue 16).
    """
    specs = SPECS[kind]
    optional = frozenset(c.name for c in specs if not c.required and c.name in present)
    key = (kind.value, optional)
    schema = _SCHEMAS.get(key)
    if schema is None:
        pa = pandera_polars()
        columns = {
            c.name: pa.Column(str, nullable=True, required=c.required)
            for c in specs
            if c.required or c.name in optional
        }
        schema = _SCHEMAS[key] = pa.DataFrameSchema(columns, strict=False, coerce=False)
    return schema


def value_checks(kind_specs: Iterable[ColumnSpec], present: Collection[str]) -> list[tuple[str, pl.Expr, str]]:
    """(column, passes, finding code) for each present column whose *key* value (enum spellings with
    spaces removed) must be a listed value or match a pattern. A blank passes, as it did in Pandera
    (``ignore_na``): a missing value is reported by its own finding where the column is required."""
    found: list[tuple[str, pl.Expr, str]] = []
    for column in kind_specs:
        if column.name not in present:
            continue
        col = pl.col(column.name)
        if column.ctype in (ColType.ENUM, ColType.LEVEL, ColType.YESNO) and not column.open_values:
            code = {ColType.LEVEL: "level.unknown", ColType.YESNO: "value.yes-no"}.get(
                column.ctype, "value.not-in-list"
            )
            found.append((column.name, col.is_in(list(column.choice_map)), code))
        elif column.ctype is ColType.PHONE:
            found.append((column.name, col.str.contains(PHONE_RE), "phone.format"))
        elif column.ctype is ColType.NAME:
            found.append((column.name, col.str.contains(r"^[^0-9]*$"), "name.has-digits"))
    return found


def _missing_columns(keys: pl.DataFrame, table: SheetTable) -> list[str]:
    """The required columns the sheet lacks, as Pandera reports them (its schema check of the sheet)."""
    from pandera.errors import SchemaErrors

    schema = _pandera_schema(table.kind, set(keys.columns))
    try:
        schema.validate(keys, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    missing: list[str] = cases.filter(pl.col("check") == "column_in_dataframe").get_column("failure_case").to_list()
    return missing


def _value_check_queries(keys: pl.DataFrame, table: SheetTable) -> list[pl.LazyFrame]:
    """The findings of ``value_checks`` as queries for the sheet's ``collect_all``: the value shown
    is the key the check read, as Pandera's failure case was."""
    checks = value_checks(SPECS[table.kind], keys.columns)
    if not checks:
        return []
    lazy = keys.lazy().with_columns(pl.lit(table.file).alias("_file"), pl.lit(table.sheet).alias("_sheet"))
    queries = []
    for name, passes, code in checks:
        failed = pl.col(name).is_not_null() & ~passes
        marks = _MARK_MEANINGS.get(name)
        if marks is None:
            queries.append(findings.emit_query(lazy, pl.when(failed).then(pl.lit(code)), name, pl.col(name)))
            continue
        # A tick or a cross in a pass/fail column is still refused (a symbol is not a decision), but
        # the message says which word it probably stands for: 「√」 → 合格, 「×」 → 不合格.
        meaning = pl.col(name).replace_strict(marks, default=None, return_dtype=pl.String)
        is_mark = meaning.is_not_null()
        queries.append(
            findings.emit_query(
                lazy,
                pl.when(failed & is_mark).then(pl.lit("value.mark")).when(failed).then(pl.lit(code)),
                name,
                pl.col(name),
                pl.when(is_mark).then(meaning),
            )
        )
    return queries


# Marks a sender writes in a pass/fail column, by column: the mark → "other; likely" (the finding's
# detail read as ``{count}; {closest}``), the word it most likely stands for last. Yes/no columns
# accept ticks as 是/否 (``YESNO_CHOICES``); an assessment result is a decision and must be written.
_POSITIVE_MARKS = ("√", "✓", "✔", "☑", "○", "◯", "〇", "●", "对", "Y", "y", "YES", "yes", "Yes", "1", "有", "T", "TRUE", "true")
_NEGATIVE_MARKS = ("×", "✗", "✘", "☒", "X", "x", "错", "N", "n", "NO", "no", "No", "0", "无", "F", "FALSE", "false")
_MARK_MEANINGS: dict[str, dict[str, str]] = {
    "passed": {
        **dict.fromkeys(_POSITIVE_MARKS, "不合格; 合格"),
        **dict.fromkeys(_NEGATIVE_MARKS, "合格; 不合格"),
    }
}


# -- the sheet validator -----------------------------------------------------------------------
_Parsers = tuple[list[pl.Expr], list[pl.Expr], pl.Expr | None, pl.Expr | None]


def _column_parsers(
    name: str, column: ColumnSpec, numeric: dict[str, set[int]], ctx: Context, wan_columns: frozenset[str]
) -> _Parsers:
    """(intermediate exprs, typed outputs, finding code, detail) for one column."""
    if column.ctype in (ColType.ID, ColType.USCC, ColType.ACCOUNT, ColType.CODE):
        # Rows where the cell was a number: a long number there lost its last digits in Excel.
        rows_numeric = pl.col("_row").is_in(sorted(numeric.get(name, ())))
        return _identifier_parsers(name, column, rows_numeric, ctx)
    if column.ctype in (ColType.DATE, ColType.MONEY, ColType.INT, ColType.NUMBER):
        return _quantity_parsers(name, column, ctx, wan_columns)
    return _choice_parsers(name, column)


def _identifier_parsers(name: str, column: ColumnSpec, rows_numeric: pl.Expr, ctx: Context) -> _Parsers:
    """ID numbers, credit codes, bank accounts and other codes: checked, kept as text."""
    col = pl.col(name)
    stage1: list[pl.Expr] = []
    code: pl.Expr | None = None
    detail: pl.Expr | None = None
    if column.ctype is ColType.ID:
        stage1 = [e.alias(f"__id_{k}_{name}") for k, e in parse.id_parts(col).items()]
        code, detail = parse.id_problem(
            col, rows_numeric, ctx.today, {k: pl.col(f"__id_{k}_{name}") for k in ("check", "birth")}
        )
        if column.required:
            code = pl.when(col.is_null()).then(pl.lit("id.missing")).otherwise(code)
    elif column.ctype is ColType.USCC:
        stage1 = [parse.uscc_check_char(col.str.slice(0, 17)).alias(f"__uscc_{name}")]
        code, detail = parse.uscc_problem(col, pl.col(f"__uscc_{name}"))
    elif column.ctype is ColType.ACCOUNT:
        code = (
            pl.when(col.is_null())
            .then(None)
            .when(rows_numeric & (col.str.len_chars() > 15))
            .then(pl.lit("cell.precision-lost"))
            .when(~col.str.contains(ACCOUNT_RE))
            .then(pl.lit("account.format"))
            .otherwise(None)
        )
    else:
        code = pl.when(rows_numeric & (col.str.len_chars() > 15)).then(pl.lit("cell.precision-lost"))
        if column.required:
            code = pl.when(col.is_null()).then(pl.lit("value.missing")).otherwise(code)
    return stage1, [], code, detail


def _quantity_parsers(name: str, column: ColumnSpec, ctx: Context, wan_columns: frozenset[str]) -> _Parsers:
    """Dates, amounts and numbers: parsed into their typed column, with the finding when they do not parse."""
    col = pl.col(name)
    if column.ctype is ColType.DATE:
        parsed, code = parse.parse_date(col, open_ended=name == "contract_end")
        year = parsed.dt.year()
        implausible = ((year < 1950) | (year > ctx.today.year + 10)) & (year < 9999)
        code = pl.coalesce(code, pl.when(implausible).then(pl.lit("date.implausible")))
        if column.required:
            code = pl.when(col.is_null()).then(pl.lit("date.missing")).otherwise(code)
        return [], [parsed.alias(name)], code, None
    if column.ctype is ColType.MONEY:
        stage1 = [e.alias(f"__m_{k}_{name}") for k, e in parse.money_parts(col).items()]
        fen, code = parse.parse_money(
            col,
            wan=name in wan_columns,
            parts={k: pl.col(f"__m_{k}_{name}") for k in ("sign", "int", "frac", "unit", "bad")},
        )
        return stage1, [fen.alias(MONEY_TYPED.get(name, name))], code, None
    number, code = parse.parse_number(col, integer=column.ctype is ColType.INT)
    return [], [number.alias(name)], code, None


def _choice_parsers(name: str, column: ColumnSpec) -> _Parsers:
    """Levels, listed values, yes/no, names and free text: mapped to their canonical values."""
    col = pl.col(name)
    outs: list[pl.Expr] = []
    code: pl.Expr | None = None
    if column.ctype is ColType.LEVEL:
        outs.append(parse.map_choices(parse.level_key(col), column.choice_map).alias(name))
    elif column.ctype is ColType.ENUM:
        mapped = parse.map_choices(parse.enum_key(col), column.choice_map)
        # An open list keeps an unknown value as written (see ``check_open_values``).
        outs.append((pl.coalesce(mapped, parse.enum_key(col)) if column.open_values else mapped).alias(name))
        if column.required:
            code = pl.when(col.is_null()).then(pl.lit("value.missing"))
    elif column.ctype is ColType.YESNO:
        outs.append((parse.map_choices(parse.enum_key(col), column.choice_map) == "是").alias(name))
    elif column.ctype is ColType.NAME:
        if column.required:
            code = pl.when(col.is_null()).then(pl.lit("name.missing"))
    elif column.ctype is ColType.TEXT and column.required:
        code = pl.when(col.is_null()).then(pl.lit("value.missing"))
    return [], outs, code, None


DISTINCT_MIN_ROWS = 2000


def _by_distinct(frame: pl.DataFrame, name: str, by_value: bool) -> bool:
    """Whether a column's parsers are cheaper on its distinct values, joined back, than row by row."""
    return by_value and frame.height >= DISTINCT_MIN_ROWS and frame.get_column(name).n_unique() * 4 <= frame.height


def _join_parsed(frame: pl.DataFrame, name: str, stage1: list[pl.Expr], outs: list[pl.Expr]) -> pl.DataFrame:
    """``frame`` with the parsers' outputs computed on the column's distinct values and joined back
    (each output column, replaced or new, moves to the end)."""
    values = frame.select(pl.col(name)).unique().with_columns(pl.col(name).alias("__key"))
    if stage1:
        values = values.with_columns(stage1)
    names = [e.meta.output_name() for e in outs]
    computed = values.with_columns(outs).select("__key", *(pl.col(n).alias(f"__out_{n}") for n in names))
    joined = frame.join(computed, left_on=name, right_on="__key", how="left", nulls_equal=True, maintain_order="left")
    return joined.drop([n for n in names if n in frame.columns]).rename({f"__out_{n}": n for n in names})


def _dates_from_period(frame: pl.DataFrame, table: SheetTable) -> pl.DataFrame:
    """A training period in one cell fills the start and end dates when those columns are absent."""
    start_text, end_text = parse.split_period(pl.col("training_period"))
    # A cell that does not split into two dates is checked whole, so it reads as an invalid
    # date rather than a blank one.
    start_text = pl.coalesce(start_text, pl.col("training_period"))
    end_text = pl.coalesce(end_text, pl.col("training_period"))
    fills = []
    if "start_date" not in frame.columns:
        fills.append(start_text.alias("start_date"))
    if "end_date" not in frame.columns:
        fills.append(end_text.alias("end_date"))
    for name in ("start_date", "end_date"):
        if name not in table.headers:
            table.headers[name] = table.headers["training_period"]
    return frame.with_columns(fills)


def _parse_columns(
    frame: pl.DataFrame,
    kind_specs: dict[str, ColumnSpec],
    numeric: dict[str, set[int]],
    ctx: Context,
    wan_columns: frozenset[str],
) -> tuple[pl.DataFrame, list[tuple[str, str, str | None]]]:
    """Every column parsed into its typed value and finding code: the frame with them, and
    (code column, canonical, detail column) for each column that may hold findings."""
    # Each column's parsers, in two stages: costly intermediate values first (check characters,
    # the pieces of money cells), materialised once so the when-chains read them. Columns whose
    # parse depends only on the cell (dates, money, enums, credit codes …) are parsed on their
    # distinct values and joined back: a million rows hold a few thousand dates.
    code_cols: list[tuple[str, str, str | None]] = []  # (code column, canonical, detail column)
    # The columns parsed row by row are parsed together, in one pass that Polars spreads over the
    # cores (one query per column before; at 100 rows each query's overhead was most of its cost).
    # ``order`` keeps the columns where parsing column by column put them.
    rowwise_stage1: list[pl.Expr] = []
    rowwise_outs: list[pl.Expr] = []
    order = list(frame.columns)
    for name in [c for c in frame.columns if c in kind_specs]:
        column = kind_specs[name]
        stage1, outs, code, detail = _column_parsers(name, column, numeric, ctx, wan_columns)
        if code is not None:
            code_cols.append((f"__code_{name}", name, f"__detail_{name}" if detail is not None else None))
            outs.append(code.alias(f"__code_{name}"))
            if detail is not None:
                outs.append(detail.alias(f"__detail_{name}"))
        if not outs:
            continue
        if _by_distinct(frame, name, column.ctype not in (ColType.ID, ColType.ACCOUNT, ColType.CODE)):
            frame = _join_parsed(frame, name, stage1, outs)
            names = [e.meta.output_name() for e in outs]
            order = [c for c in order if c not in names] + names
        else:
            rowwise_stage1 += stage1
            rowwise_outs += outs
            order += [n for n in (e.meta.output_name() for e in (*stage1, *outs)) if n not in order]
    if rowwise_outs:
        frame = (frame.with_columns(rowwise_stage1) if rowwise_stage1 else frame).with_columns(rowwise_outs)
    frame = frame.select(order)
    return frame, code_cols


def validate_table(
    table: SheetTable, numeric: dict[str, set[int]], ctx: Context
) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """Typed frame, issues and the list of required columns that are missing."""
    frame = table.frame.with_columns(pl.lit(table.file).alias("_file"), pl.lit(table.sheet).alias("_sheet"))
    kind_specs = {c.name: c for c in SPECS[table.kind]}

    # Identifiers are compacted first so every later check and join sees one spelling.
    compact = [
        parse.compact_upper(pl.col(c)).alias(c)
        for c in frame.columns
        if c in kind_specs and kind_specs[c].ctype in (ColType.ID, ColType.USCC, ColType.ACCOUNT, ColType.CODE)
    ]
    if "phone" in frame.columns:
        compact.append(
            pl.col("phone")
            .str.replace(parse.TEXT_MARKER_RE, "")
            .str.replace_all(r"[\s\-]", "")
            .str.replace(r"^(\+?86)(1\d{10})$", "${2}")
        )
    # The identifiers a clerk marked as text with a leading apostrophe: read without it, with a hint.
    marked = [
        c
        for c in frame.columns
        if c in kind_specs and kind_specs[c].ctype in (ColType.ID, ColType.USCC, ColType.ACCOUNT, ColType.PHONE)
    ]
    # "张 三" is 张三; a name written in Latin letters keeps its spaces.
    names = [
        pl.when(pl.col(c).str.contains(r"[A-Za-z]"))
        .then(pl.col(c))
        .otherwise(pl.col(c).str.replace_all(r"\s", ""))
        .alias(c)
        for c in frame.columns
        if c in kind_specs and kind_specs[c].ctype is ColType.NAME
    ]
    frame = frame.with_columns(*compact, *names)

    if "training_period" in frame.columns:
        frame = _dates_from_period(frame, table)

    keys = frame.select(
        "_row",
        *[
            parse.level_key(pl.col(c)).alias(c)
            if kind_specs[c].ctype is ColType.LEVEL
            else parse.enum_key(pl.col(c)).alias(c)
            if kind_specs[c].ctype in (ColType.ENUM, ColType.YESNO)
            else pl.col(c)
            for c in frame.columns
            if c in kind_specs
        ],
    )
    missing = _missing_columns(keys, table)
    parts: list[pl.DataFrame] = []
    for name in marked:
        raw_cell = table.frame.get_column(name)
        parts.append(
            findings.emit(
                frame.with_columns(raw_cell.alias("__raw")),
                pl.when(pl.col("__raw").str.contains(parse.TEXT_MARKER_RE)).then(pl.lit("cell.text-marker")),
                name,
                pl.col("__raw"),
            )
        )

    frame, code_cols = _parse_columns(frame, kind_specs, numeric, ctx, table.wan_columns)
    # Sex against the ID's 17th digit (odd = 男), only where both are readable.
    if "sex" in frame.columns and "id_number" in frame.columns:
        id_ok = pl.col("__code_id_number").is_null() & pl.col("id_number").is_not_null()
        expected = (
            pl.when(pl.col("id_number").str.slice(16, 1).cast(pl.Int32, strict=False) % 2 == 1)
            .then(pl.lit("男"))
            .otherwise(pl.lit("女"))
        )
        frame = frame.with_columns(
            pl.when(id_ok & pl.col("sex").is_not_null() & (pl.col("sex") != expected))
            .then(pl.lit("sex.mismatch"))
            .alias("__code_sex_vs_id"),
            expected.alias("__detail_sex_vs_id"),
        )
        code_cols.append(("__code_sex_vs_id", "sex", "__detail_sex_vs_id"))

    raw = table.frame
    queries = _value_check_queries(keys, table)
    for code_col, canonical, detail_col in code_cols:
        # Dates filled from a 培训时间 cell show that cell's text.
        source = canonical if canonical in raw.columns else _DERIVED_FROM.get(canonical, canonical)
        value = raw.get_column(source) if source in raw.columns else frame.get_column(canonical)
        queries.append(
            findings.emit_query(
                frame.lazy().with_columns(value.alias("__value")),
                pl.col(code_col),
                canonical,
                pl.col("__value"),
                pl.col(detail_col) if detail_col else None,
            )
        )
    # One collect for every column's issues: Polars runs the queries side by side (issue 16).
    parts.extend(findings.emitted(found) for found in pl.collect_all(queries))
    helper = [c for c in frame.columns if c.startswith("__")]
    typed_frame = frame.drop(helper, *[c for c in MONEY_TYPED if c in frame.columns], "training_period", strict=False)
    return typed_frame, findings.concat(parts), missing
