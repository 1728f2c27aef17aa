"""``exceptions.xlsx`` and ``exceptions.csv``: every finding with the cell to fix.

The workbook has a summary sheet (counts by code), then one sheet per sheet kind in which each
finding sits beside the values of the row it is about, and a sheet for findings about whole
files or sheets. Error rows are red, warnings yellow; headers are frozen and filtered.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from skillcli.findings import CATALOGUE, RENDERED_COLUMNS
from skillcli.io.writer import Column, Workbook, write_csv, write_csv_frame
from skillcli.model import PayeeType, SheetKind
from skillcli.schema.columns import SPECS

if TYPE_CHECKING:
    from skillcli.pipeline import FileSummary

# The rendered findings' columns but the person's ID number, which the row's own cells show.
CSV_HEADER = tuple(c for c in RENDERED_COLUMNS if c != "person_id")
# The file (a path as given) and the cell's value wrap in narrow columns, so that 文件, 工作表 and
# 行号 can be printed again on every page of a sheet too wide for one.
FINDING_COLUMNS = (
    Column("文件", width=20, wrap=True),
    Column("工作表"),
    Column("行号", "int", 6),
    Column("列", width=14, wrap=True),
    Column("值", width=20, wrap=True),
    Column("代码"),
    Column("级别", width=8),
    Column("说明", width=50, wrap=True),
    Column("Message", width=50, wrap=True),
)
_SEVERITY_ZH = {"error": "错误", "warning": "警告"}
LOCATION_COLUMNS = 3  # 文件, 工作表, 行号: where a finding is, on every printed page


# The CSVs' headers in Chinese (``--lang zh``, the default), by the English names ``--lang en``
# writes; README lists both, so a script can rely on ``--lang en``.
CSV_HEADERS_ZH = {
    "file": "文件",
    "sheet": "工作表",
    "row": "行号",
    "column": "列",
    "value": "值",
    "code": "代码",
    "severity": "级别",
    "message_zh": "说明",
    "person_id": "身份证号码",
    "name": "姓名",
    "subsidy": "补贴项目",
    "occupation": "职业(工种)",
    "level": "等级",
    "training_type": "培训类型",
    "payee_type": "收款方类型",
    "payee_id": "收款方代码",
    "payee_name": "收款方名称",
    "amount_yuan": "金额(元)",
    "rule": "规则",
    "clause": "条款",
    "reason_code": "原因代码",
    "reason": "原因",
}
_PAYEE_TYPE_ZH = {p.value: p.label_zh for p in PayeeType}


def csv_in_lang(frame: pl.DataFrame, lang: str | None) -> pl.DataFrame:
    """A CSV's columns in ``lang``: ``zh`` gives Chinese headers, severities (错误/警告) and payee
    types (个人/企业/培训机构) and leaves the English message out; ``en`` (or none) keeps the English
    names and values scripts read. Codes stay codes in both: they are what support looks up."""
    if lang != "zh":
        return frame
    translated = frame.drop("message_en", strict=False).with_columns(
        pl.col(name).replace(names)
        for name, names in (("severity", _SEVERITY_ZH), ("payee_type", _PAYEE_TYPE_ZH))
        if name in frame.columns
    )
    return translated.rename({c: CSV_HEADERS_ZH[c] for c in translated.columns})


def write_lang_csv(target: Path, frame: pl.DataFrame, lang: str | None, *, safe_columns: Collection[str]) -> None:
    """``write_csv_frame`` in ``lang``: ``safe_columns`` are named in English, as in ``frame``."""
    written = csv_in_lang(frame, lang)
    safe = [CSV_HEADERS_ZH.get(c, c) if lang == "zh" else c for c in safe_columns]
    write_csv_frame(target, written, safe_columns=[name for name in safe if name in written.columns])


def with_names(findings: pl.DataFrame, raw: Mapping[SheetKind, pl.DataFrame]) -> pl.DataFrame:
    """``findings`` with a ``name`` column: the trainee's name from the row each is about, when that
    row was read (a header or file finding has none). The screen and exceptions.csv both name the
    person this way, so that a clerk can find the row without the masked ID."""
    parts = [
        frame.select(
            pl.col("_file").alias("file"), pl.col("_sheet").alias("sheet"), pl.col("_row").alias("row"), "name"
        )
        for frame in raw.values()
        if {"_file", "_sheet", "_row", "name"} <= set(frame.columns)
    ]
    if not parts:
        return findings.with_columns(pl.lit(None, pl.String).alias("name"))
    names = pl.concat(parts, how="vertical_relaxed").unique(["file", "sheet", "row"], keep="first")
    return findings.join(names, on=["file", "sheet", "row"], how="left", maintain_order="left")


def write_exceptions_csv(
    findings: pl.DataFrame,
    target: Path,
    *,
    raw: Mapping[SheetKind, pl.DataFrame],
    extra: tuple[str, ...] = (),
    lang: str | None = None,
) -> None:
    """One line per finding, columns ``CSV_HEADER`` (+ ``extra``) and last the trainee's name
    (``with_names``), in ``lang`` (``csv_in_lang``)."""
    frame = csv_in_lang(with_names(findings, raw).select(*CSV_HEADER, *extra, "name"), lang)
    # Every column but row and severity can carry text from input.
    unsafe = {"row", "severity", CSV_HEADERS_ZH["row"], CSV_HEADERS_ZH["severity"]}
    safe = {i for i, name in enumerate(frame.columns) if name not in unsafe}
    write_csv(target, frame.columns, frame.iter_rows(), safe_columns=safe)


# In Chinese the clerk's workbook holds no codes and no English (the CSV keeps them for machines).
ZH_DROPPED = frozenset({"代码", "Message"})
# The English headers of the clerk's workbooks (``--lang en``), by their Chinese header.
EN_HEADERS = {
    "文件": "File",
    "工作表": "Sheet",
    "行号": "Row",
    "列": "Column",
    "值": "Value",
    "代码": "Code",
    "级别": "Severity",
    "说明": "Message (Chinese)",
    "中文说明": "Description (Chinese)",
    "数量": "Count",
    "问题（举一例）": "Problem (one example)",
    "序号": "No.",
    "姓名": "Name",
    "身份证号码": "ID number",
    "补贴项目": "Subsidy",
    "职业(工种)": "Occupation",
    "等级": "Level",
    "培训类型": "Training type",
    "收款方类型": "Payee type",
    "收款方代码": "Payee ID",
    "收款方名称": "Payee name",
    "应发金额": "Entitlement",
    "已预拨": "Advanced",
    "本次发放": "Paid now",
    "规则": "Rule",
    "条款": "Clause",
    "计算": "Formula",
    "来源": "Source row",
    "原因": "Reason",
    "原因代码": "Reason code",
}
_SEVERITY_EN = {"error": "error", "warning": "warning"}


def in_lang(text: str, lang: str | None) -> str:
    """One half of a label written "中文 / English": the Chinese for ``zh``, the English for ``en``;
    both when no language is given (a label without an English half is kept whole)."""
    zh, sep, en = text.partition(" / ")
    if not sep or lang is None:
        return text
    return zh if lang == "zh" else en


def headers_in(columns: tuple[Column, ...], lang: str | None) -> tuple[Column, ...]:
    """``columns`` with English headers for ``lang="en"`` (Chinese otherwise)."""
    if lang != "en":
        return columns
    return tuple(replace(c, header=EN_HEADERS.get(c.header, c.header)) for c in columns)


def finding_columns(lang: str | None = None) -> tuple[Column, ...]:
    """``FINDING_COLUMNS`` for a language: ``zh`` without the code and English columns."""
    return headers_in(tuple(c for c in FINDING_COLUMNS if lang != "zh" or c.header not in ZH_DROPPED), lang)


def finding_rows(findings: pl.DataFrame, lang: str | None = None) -> list[list[Any]]:
    """One row per finding in ``finding_columns(lang)`` order."""
    return [list(row) for row in finding_frame(findings, lang).iter_rows()]


def with_shown_ids(frame: pl.DataFrame, findings: pl.DataFrame, column: str = "person_id") -> pl.DataFrame:
    """``frame`` (keyed by file, sheet, row) with ``column`` showing what Excel shows (1.40105E+17) on
    the rows whose ID was stored as a number: the digits read back look like a valid ID and are not
    the person's, so no output shows them beside the row."""
    lost = (
        findings.filter(pl.col("code") == "id.precision-lost")
        .select("file", "sheet", "row", pl.col("value").alias("__shown"))
        .unique(["file", "sheet", "row"])
    )
    if lost.height == 0:
        return frame
    return (
        frame.join(lost, on=["file", "sheet", "row"], how="left", maintain_order="left")
        .with_columns(pl.coalesce("__shown", column).alias(column))
        .drop("__shown")
    )


def finding_frame(findings: pl.DataFrame, lang: str | None = None) -> pl.DataFrame:
    """``finding_rows`` as a frame, for the fast sheet writer (the same cells, column for column);
    ``lang="zh"`` leaves out the code and the English message, as ``finding_columns`` does."""
    names = _SEVERITY_EN if lang == "en" else _SEVERITY_ZH
    severity = pl.col("severity").replace_strict(names, return_dtype=pl.String)
    kept = [c for c in CSV_HEADER if lang != "zh" or c not in ("code", "message_en")]
    return findings.select(severity if c == "severity" else pl.col(c) for c in kept)


def source_expr(frame: pl.DataFrame, lang: str | None = None) -> pl.Expr:
    """Where each row came from, for the sheets' 来源 column: ``一班.xlsx「花名册」第 14 行`` in
    Chinese, ``一班.xlsx, sheet 花名册, row 14`` in English, ``file:sheet!row`` for machines."""
    names = {f: Path(f).name for f in frame.get_column("_file").unique().to_list()}
    file = pl.col("_file").replace_strict(names, return_dtype=pl.String)
    row = pl.col("_row").cast(pl.String)
    if lang == "zh":
        return pl.concat_str(file, pl.lit("「"), pl.col("_sheet"), pl.lit("」第 "), row, pl.lit(" 行"))
    if lang == "en":
        return pl.concat_str(file, pl.lit(", sheet "), pl.col("_sheet"), pl.lit(", row "), row)
    return pl.concat_str(file, pl.lit(":"), pl.col("_sheet"), pl.lit("!"), row)


def written_headers(files: Sequence[FileSummary]) -> dict[tuple[str, str, str], str]:
    """(file, sheet, column name) → the header as that sheet wrote it (结班日期 for end_date)."""
    return {
        (f.path, s.sheet, canonical): text for f in files for s in f.sheets for canonical, text in s.headers.items()
    }


def _beside(
    header: str,
    canonical: str,
    sources: Sequence[tuple[str, str]],
    written: Mapping[tuple[str, str, str], str],
    lang: str | None,
) -> str:
    """The template's ``header``, with the headers its ``sources`` sheets wrote instead beside it."""
    other = [t for t in dict.fromkeys(written.get((f, s, canonical), header) for f, s in sources) if t != header]
    if not other:
        return header
    return f"{header}（原表：{'、'.join(other)}）" if lang == "zh" else f"{header} (as written: {', '.join(other)})"


def write_exceptions_xlsx(
    findings: pl.DataFrame,
    raw: dict[SheetKind, pl.DataFrame],
    target: Path,
    summary: list[tuple[str, Any, Any]],
    lang: str | None = None,
    written: Mapping[tuple[str, str, str], str] | None = None,
) -> None:
    """The workbook for the clerk. ``raw`` holds each kind's rows as read, keyed by file/sheet/row.
    ``lang="zh"``: Chinese only (no codes, no English); ``en``: English headers and labels, both
    messages and the codes; no language: both languages and the codes. A value column keeps the
    template's header, with the sender's own beside it where its sheets wrote it otherwise
    (「结业日期（原表：结班日期）」), ``written`` being ``written_headers(batch.files)``."""
    book = Workbook(target, streaming=True)
    try:
        counts = (
            findings.group_by("code", "severity")
            .len()
            .sort(["severity", "len", "code"], descending=[False, True, False])
        )
        summary = [(in_lang(label, lang), value, kind) for label, value, kind in summary]
        book.key_values("汇总", in_lang("检查结果汇总 / Check summary", lang), summary)
        if lang == "zh":
            examples = findings.group_by("code", maintain_order=True).agg(pl.col("message_zh").first())
            example = dict(examples.iter_rows())
            book.table(
                "按问题统计",
                (Column("级别", width=8), Column("数量", "int", 8), Column("问题（举一例）", width=80, wrap=True)),
                [[_SEVERITY_ZH[s], n, example[c]] for c, s, n in counts.iter_rows()],
            )
        else:
            severity = _SEVERITY_EN if lang == "en" else _SEVERITY_ZH
            book.table(
                "按代码统计",
                headers_in(
                    (
                        Column("代码"),
                        Column("级别", width=8),
                        Column("数量", "int", 8),
                        Column("中文说明", width=60),
                        Column("Description", width=60),
                    ),
                    lang,
                ),
                [[c, severity[s], n, CATALOGUE[c].zh, CATALOGUE[c].en] for c, s, n in counts.iter_rows()],
            )
        placed = pl.Series("placed", [False] * findings.height, dtype=pl.Boolean)
        indexed = findings.with_row_index("__i")
        for kind in SheetKind:
            frame = raw.get(kind)
            if frame is None or frame.height == 0:
                continue
            value_columns = [c for c in (s.name for s in SPECS[kind]) if c in frame.columns]
            rows_frame = frame.select(
                pl.col("_file").alias("file"),
                pl.col("_sheet").alias("sheet"),
                pl.col("_row").alias("row"),
                *value_columns,
            )
            if "id_number" in value_columns:
                # The context of a row whose ID was stored as a number shows what Excel shows.
                rows_frame = with_shown_ids(rows_frame, findings, "id_number")
            joined = indexed.join(rows_frame, on=["file", "sheet", "row"], how="inner").sort("__i")
            if joined.height == 0:
                continue
            placed = placed | indexed.get_column("__i").is_in(joined.get_column("__i").implode())
            headers = {s.name: s.header for s in SPECS[kind]}
            sources = list(joined.select("file", "sheet").unique(maintain_order=True).iter_rows())
            columns = (
                *finding_columns(lang),
                *(Column(_beside(headers[c], c, sources, written or {}, lang)) for c in value_columns),
            )
            # Dates beside a finding read as the clerk writes them (2024-03-04): the reader gives a date
            # cell as "2024-03-04 00:00:00", so a midnight time part is dropped.
            values = joined.select(
                pl.col(c).str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "${1}")
                if joined.schema[c] == pl.String
                else pl.col(c)
                for c in value_columns
            )
            rows = pl.concat([finding_frame(joined, lang), values], how="horizontal")
            fmts = [book.fmt_error if s == "error" else book.fmt_warning for s in joined.get_column("severity")]
            book.table(f"{kind.label_zh}问题", columns, rows, row_format=fmts, repeat_columns=LOCATION_COLUMNS)
        rest = findings.filter(~placed)
        fmts = [book.fmt_error if s == "error" else book.fmt_warning for s in rest.get_column("severity")]
        book.table("文件与表头问题", finding_columns(lang), finding_frame(rest, lang), row_format=fmts)
    finally:
        book.close()
