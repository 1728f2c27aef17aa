"""The payout outputs: payouts.xlsx for the finance officer, the CSVs and manifest.json.

Money is written from integer fen: numeric cells with format ``#,##0.00`` in the workbook and
text with exactly two decimals in the CSV. Every figure in 汇总 is recomputed from the lines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

from skillcli.io.writer import CellKind, Column, OutputSet, Workbook
from skillcli.model import PayeeType
from skillcli.money import yuan_text_expr
from skillcli.payout.decision import Decision
from skillcli.pipeline import Batch
from skillcli.report.exceptions import (
    CSV_HEADER,
    finding_columns,
    finding_frame,
    headers_in,
    in_lang,
    source_expr,
    with_shown_ids,
    write_lang_csv,
)
from skillcli.rules.compile import formula_in, multiplier_labels
from skillcli.text import document_text
from skillcli.version import __version__

PAYOUT_CSV = (
    "person_id",
    "name",
    "subsidy",
    "occupation",
    "level",
    "payee_type",
    "payee_id",
    "payee_name",
    "amount_yuan",
    "rule",
    "clause",
)
INELIGIBLE_CSV = ("person_id", "name", "training_type", "reason_code", "reason")
_PAYEE_ZH = {p.value: p.label_zh for p in PayeeType}


def run_time() -> dt.datetime:
    """Now, or $SOURCE_DATE_EPOCH when set, so that two runs can be byte-identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# The bureaus are in China: a person reads times in Beijing time (UTC+8, no daylight saving).
# manifest.json and the ledger keep ISO UTC, for machines.
BEIJING = dt.timezone(dt.timedelta(hours=8))


def beijing_time(moment: dt.datetime | str, lang: str | None = "zh") -> str:
    """A moment as a person reads it: 2026-11-30 17:18:19（北京时间）, or with ``en``
    2026-11-30 17:18:19 (Beijing time, UTC+8). An ISO text (as the ledger stores it) is accepted."""
    when = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    text = when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    return f"{text} (Beijing time, UTC+8)" if lang == "en" else f"{text}（北京时间）"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def totals(decision: Decision) -> dict[str, Any]:
    """Totals in fen by subsidy, payee type and payee, and the control total."""
    lines = decision.lines
    by_subsidy = (
        lines.group_by("rule", "subsidy").agg(pl.len().alias("n"), pl.col("amount_fen").sum().alias("fen")).sort("rule")
    )
    by_type = (
        lines.group_by("payee_type")
        .agg(pl.len().alias("n"), pl.col("amount_fen").sum().alias("fen"))
        .sort("payee_type")
    )
    by_payee = (
        lines.group_by("payee_type", "payee_id", "payee_name")
        .agg(pl.len().alias("n"), pl.col("amount_fen").sum().alias("fen"))
        .sort("payee_type", "payee_id")
    )
    return {
        "total_fen": decision.total_fen,
        "lines": lines.height,
        "entitlement_fen": int(lines.get_column("entitlement_fen").sum()) if lines.height else 0,
        "advance_fen": int((lines.get_column("entitlement_fen") - lines.get_column("amount_fen")).sum())
        if lines.height
        else 0,
        "by_subsidy": [{"rule": r, "subsidy": s, "lines": n, "fen": f} for r, s, n, f in by_subsidy.iter_rows()],
        "by_payee_type": [{"payee_type": t, "lines": n, "fen": f} for t, n, f in by_type.iter_rows()],
        "by_payee": [
            {"payee_type": t, "payee_id": i, "payee_name": name, "lines": n, "fen": f}
            for t, i, name, n, f in by_payee.iter_rows()
        ],
    }


def write_payout(
    out: OutputSet,
    batch: Batch,
    decision: Decision,
    *,
    run_id: str | None = None,
    ledger: str | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """Stage every payout output in ``out`` and return the manifest (also written). ``lang``: the
    language of payouts.xlsx's headers and labels (``zh``: Chinese only; ``en``: English).

    Inputs are listed with the hash of the bytes that were read (``Batch.files``), not hashed
    again here: a file replaced during the run must not be recorded as the one decided on.
    """
    sums = totals(decision)
    input_rows = [{"path": f.path, "sha256": f.sha256, "bytes": f.size} for f in batch.files]
    _workbook(out.path("payouts.xlsx"), batch, decision, sums, input_rows, run_id, lang)
    payouts_csv = out.path("payouts.csv")
    write_lang_csv(payouts_csv, payout_csv_frame(decision.lines), lang, safe_columns=PAYOUT_CSV_SAFE)
    exceptions_csv = out.path("exceptions.csv")
    columns = [*CSV_HEADER, "person_id", "name"]
    write_lang_csv(
        exceptions_csv,
        # 值 as the 异常 sheet gives it (``cell_value``), and the name of the trainee held, as it gives it.
        _with_held_names(with_shown_ids(decision.exceptions, decision.exceptions), decision)
        .with_columns(cell_value())
        .select(columns),
        lang,
        safe_columns=[c for c in columns if c not in ("row", "severity")],
    )
    ineligible_csv = out.path("ineligible.csv")
    write_lang_csv(
        ineligible_csv,
        decision.ineligible.select(INELIGIBLE_CSV),
        lang,
        safe_columns=("person_id", "name", "training_type", "reason"),
    )
    manifest = build_manifest(
        batch,
        decision,
        sums,
        input_rows,
        {
            "payouts.csv": sha256_file(payouts_csv),
            "exceptions.csv": sha256_file(exceptions_csv),
            "ineligible.csv": sha256_file(ineligible_csv),
        },
    )
    manifest["ledger"] = {
        "ledger": ledger,
        "run_id": run_id,
        "committed": run_id is not None,
        "kind": "advance" if decision.advance_share is not None else "payment",
    }
    out.path("manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


PAYOUT_CSV_SAFE = ("person_id", "name", "occupation", "payee_id", "payee_name")  # columns carrying input text
# The long texts wrap in narrower columns, so that the sheet prints two A4 pages across at a
# readable size (``Workbook.print_setup``), 序号 and 姓名 repeated on the second.
DETAIL_COLUMNS = (
    Column("序号", "int", 6),
    Column("姓名", width=9, wrap=True),
    Column("身份证号码", width=21),
    Column("补贴项目", width=18, wrap=True),
    Column("职业(工种)", width=12, wrap=True),
    Column("等级", width=12, wrap=True),
    Column("培训类型", width=12, wrap=True),
    Column("收款方类型", width=10),
    Column("收款方代码", width=21),
    Column("收款方名称", width=20, wrap=True),
    Column("应发金额", "money", 12),
    Column("已预拨", "money", 10),
    Column("本次发放", "money", 12),
    Column("规则", width=8),
    Column("条款", width=12, wrap=True),
    Column("计算", width=30, wrap=True),
    Column("来源", width=24, wrap=True),
)
DETAIL_REPEATED = 2  # 序号, 姓名
# An advance run's 明细 money columns (E10): the advance is paid now, the rest after the training.
# 已预拨 / 本次发放 there read as "advance already deducted" to a finance officer (reader6).
ADVANCE_MONEY = (
    "应发全额 / Full entitlement",
    "本次预拨{} / Advanced now{}",
    "结业后清算余额 / Balance after the training",
)


def detail_table(
    lines: pl.DataFrame, source: pl.Expr, lang: str, advance: str | None
) -> tuple[tuple[Column, ...], pl.DataFrame]:
    """The 明细 sheet's columns in ``lang`` and its rows. An advance run (``advance``: its share, "50%",
    or "" when not known) shows this advance before the balance left for the settlement, under headers
    that say so: 已预拨 / 本次发放 there read as "advance already deducted" to a finance officer (reader6)."""
    columns = headers_in(DETAIL_COLUMNS, lang)
    frame = detail_frame(lines, source)
    if advance is None:
        return columns, frame
    first = [c.header for c in DETAIL_COLUMNS].index("应发金额")
    zh, en = (f"（{advance}）", f" ({advance})") if advance else ("", "")
    named = [in_lang(text.format(zh, en), lang) for text in ADVANCE_MONEY]
    money = tuple(replace(c, header=h) for c, h in zip(columns[first : first + 3], named, strict=True))
    order = [*range(first + 1), first + 2, first + 1, *range(first + 3, frame.width)]
    return (*columns[:first], *money, *columns[first + 3 :]), frame[:, order]


# The 异常 sheet: where the problem is and whose row it is, the cell's value, what to do, and the
# code last (for support; a value cell never holds one).
EXCEPTION_REPEATED = 5  # 文件, 工作表, 行号, 姓名, 身份证号码


def exception_columns(lang: str) -> tuple[Column, ...]:
    """The 异常 sheet's columns in ``lang`` (``exception_frame`` holds their cells)."""
    columns = {c.header: c for c in finding_columns(None)}
    english = () if lang == "zh" else (Column("Message", width=50, wrap=True),)
    return headers_in(
        (
            Column("文件", width=16, wrap=True),
            columns["工作表"],
            columns["行号"],
            Column("姓名", width=9, wrap=True),
            Column("身份证号码", width=21),
            Column("列", width=12, wrap=True),
            Column("值", width=20, wrap=True),
            columns["级别"],
            Column("说明", width=50, wrap=True),
            *english,
            Column("代码", width=16, wrap=True),
        ),
        lang,
    )


def cell_value() -> pl.Expr:
    """An exception's 值: the value of the cell the finding names. A finding about no cell (a row held
    for another row's error, a yearly limit) quotes a code or a count, which is not what a cell holds,
    so its 值 is empty and the code stays in the code column."""
    return pl.when(pl.col("column").fill_null("") != "").then(pl.col("value")).alias("value")


def _with_held_names(exceptions: pl.DataFrame, decision: Decision) -> pl.DataFrame:
    """``exceptions`` with ``name``: the trainee's name from the roster row each holds (none for a
    finding that holds no row)."""
    names = decision.derived.select("_rid", "name")
    return exceptions.join(names, on="_rid", how="left", maintain_order="left")


def exception_frame(decision: Decision, lang: str) -> pl.DataFrame:
    """One row per exception in ``exception_columns(lang)`` order: the trainee's name from the roster
    row held, the ID as Excel shows it when it was stored as a number."""
    exc = _with_held_names(with_shown_ids(decision.exceptions, decision.exceptions), decision)
    severity = finding_frame(exc, lang).get_column("severity")
    # The file by its name, as the 来源 column of the other sheets gives it.
    files = {f: Path(f).name for f in exc.get_column("file").unique().to_list()}
    return exc.select(
        pl.col("file").replace_strict(files, return_dtype=pl.String),
        "sheet",
        "row",
        "name",
        "person_id",
        "column",
        cell_value(),
        pl.lit(severity).alias("severity"),
        "message_zh",
        *(() if lang == "zh" else ("message_en",)),
        "code",
    )


def payout_csv_frame(lines: pl.DataFrame) -> pl.DataFrame:
    """payouts.csv (``PAYOUT_CSV``) from payment lines: a decision's, or a run's in the ledger."""
    return lines.select(*PAYOUT_CSV[:8], yuan_text_expr(pl.col("amount_fen")).alias("amount_yuan"), *PAYOUT_CSV[9:])


def detail_frame(lines: pl.DataFrame, source: pl.Expr) -> pl.DataFrame:
    """The 明细 sheet (``DETAIL_COLUMNS``) from payment lines, each with its ``formula``."""
    return lines.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
        "name",
        "person_id",
        "subsidy",
        "occupation",
        "level",
        "training_type",
        pl.col("payee_type").replace(_PAYEE_ZH),
        "payee_id",
        "payee_name",
        "entitlement_fen",
        (pl.col("entitlement_fen") - pl.col("amount_fen")).alias("advance_fen"),
        "amount_fen",
        "rule",
        "clause",
        "formula",
        source.alias("source"),
    )


def build_manifest(
    batch: Batch, decision: Decision, sums: dict[str, Any], inputs: list[dict[str, Any]], outputs: dict[str, str]
) -> dict[str, Any]:
    policy = decision.policy
    return {
        "tool": "skillcli",
        "version": __version__,
        "generated_at": run_time().isoformat(),
        "period": batch.ctx.period_label,
        "policy": {
            "id": policy.id,
            "title": policy.title,
            "file": Path(policy.path).name,
            "sha256": policy.sha256,
            "parameters": {name: _plain(p.value) for name, p in sorted(policy.parameters.items())},
            "overridden": sorted(name for name, p in policy.parameters.items() if p.overridden),
        },
        "inputs": inputs,
        "counts": {"rows": decision.derived.height, **decision.counts, "lines": decision.lines.height},
        "totals_fen": {k: v for k, v in sums.items() if k != "by_payee"},
        "outputs": outputs,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):  # table parameters (catalogues, values by year) stay tables, keys as text
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    return str(value)


def _shown(value: Any, empty: str) -> str:
    """A parameter's value as a person reads it: 电工、焊工 or 2018: 995, never a Python list or dict."""
    plain = _plain(value)
    if isinstance(plain, list):
        return "、".join(str(v) for v in plain) or empty
    if isinstance(plain, dict):
        return "；".join(f"{k}: {v}" for k, v in plain.items()) or empty
    return str(plain)


def where_text(finding: dict[str, Any], lang: str | None = "zh") -> str:
    """The file and sheet a note is about, before its text: 「一班.xlsx「花名册」：」 (nothing when
    the note is about the whole batch), so 「本表」 in the note says which table."""
    file = Path(finding["file"]).name if finding.get("file") else ""
    sheet = finding.get("sheet") or ""
    if not file and not sheet:
        return ""
    if lang == "en":
        return ", ".join(p for p in (file, f"sheet {sheet}" if sheet else "") if p) + ": "
    return f"{file}「{sheet}」：" if sheet else f"{file}："


def _workbook(
    path: Path,
    batch: Batch,
    decision: Decision,
    sums: dict[str, Any],
    inputs: list[dict[str, Any]],
    run_id: str | None,
    lang: str,
) -> None:
    book = Workbook(path, streaming=True)
    try:
        _summary_sheet(book, batch, decision, sums, lang)
        lines = decision.lines
        lines = lines.with_columns(formula_in(pl.col("formula"), lang, multiplier_labels(decision.policy)))
        advance = None if decision.advance_share is None else f"{decision.advance_share:%}"
        columns, detail = detail_table(lines, source_expr(lines, lang), lang, advance)
        book.table(
            "明细",
            columns,
            detail,
            repeat_columns=DETAIL_REPEATED,
        )
        exc = exception_frame(decision, lang)
        book.table(
            "异常",
            exception_columns(lang),
            exc,
            row_format=[book.fmt_error if s == "error" else book.fmt_warning for s in decision.exceptions["severity"]],
            repeat_columns=EXCEPTION_REPEATED,
        )
        # The reason code is for support: in Chinese it is the last column, titled 代码.
        ineligible = decision.ineligible
        book.table(
            "不符合条件",
            headers_in(
                (
                    Column("身份证号码", width=21),
                    Column("姓名"),
                    Column("培训类型"),
                    Column("原因", width=60, wrap=True),
                    Column("来源", width=24, wrap=True),
                    Column("代码" if lang == "zh" else "原因代码"),
                ),
                lang,
            ),
            ineligible.select(
                "person_id",
                "name",
                "training_type",
                pl.col("reason" if lang == "zh" else "reason_en").alias("reason"),
                source_expr(ineligible, lang).alias("source"),
                "reason_code",
            ),
        )
        _about_sheet(book, batch, decision, inputs, run_id, lang)
    finally:
        book.close()


def _money_labels(decision: Decision) -> tuple[str, str, str]:
    """The 汇总 rows of entitlement, the difference from it, and the control total. In an advance run
    the difference is the balance settled after the training, not an advance deducted (E10)."""
    if decision.advance_share is None:
        return (
            "应发合计 / Entitlement total",
            "已预拨抵扣 / Advances deducted",
            "本次发放合计（控制总额） / Total paid now (control total)",
        )
    share = f"{decision.advance_share:%}"
    return (
        "应发全额合计 / Full entitlement total",
        "结业后清算余额 / Balance after the training",
        f"本次预拨合计（{share}，控制总额） / Advanced now ({share}, control total)",
    )


def _summary_sheet(book: Workbook, batch: Batch, decision: Decision, sums: dict[str, Any], lang: str) -> None:
    sheet = book.add_sheet("汇总")
    policy = decision.policy
    title = in_lang("职业培训补贴发放汇总 / Training subsidy payout summary", lang)
    sheet.write_string(0, 0, f"{title} {batch.ctx.period_label}", book.fmt_title)
    sheet.write_string(1, 0, f"{policy.id}  {policy.title}")
    counts = decision.counts
    row = 3
    # A block's rows are (value, kind) cells, or a frame whose columns have the kinds given: the
    # 按收款方 block has a row per payee and is written in bulk (Workbook.write_rows, issue 16).
    payees = pl.DataFrame(
        sums["by_payee"],
        schema={"payee_type": pl.String, "payee_id": pl.String, "payee_name": pl.String}
        | {"lines": pl.Int64, "fen": pl.Int64},
    )
    payee_label = {t: in_lang(_PAYEE_ZH.get(t, t), lang) for t in payees.get_column("payee_type").drop_nulls().unique()}
    money = _money_labels(decision)
    blocks: list[tuple[str, list[str], list[list[tuple[Any, str]]] | tuple[list[CellKind], pl.DataFrame]]] = [
        (
            "控制数 / Control",
            ["项目 / Item", "数量 / Count", "金额(元) / Amount (yuan)"],
            [
                [("花名册行数 / Roster rows", "text"), (decision.derived.height, "int"), (None, "text")],
                [("发放 / Paid", "text"), (counts["paid"], "int"), (sums["total_fen"], "money")],
                [("异常（暂不发放） / Exceptions (held)", "text"), (counts["exception"], "int"), (None, "text")],
                [("不符合条件 / Not eligible", "text"), (counts["ineligible"], "int"), (None, "text")],
                [("付款明细行数 / Payment lines", "text"), (sums["lines"], "int"), (sums["total_fen"], "money")],
                [(money[0], "text"), (None, "text"), (sums["entitlement_fen"], "money")],
                [(money[1], "text"), (None, "text"), (sums["advance_fen"], "money")],
                [(money[2], "text"), (None, "text"), (sums["total_fen"], "money")],
            ],
        ),
        (
            "按补贴项目 / By subsidy",
            ["规则 / Rule", "补贴项目 / Subsidy", "笔数 / Lines", "金额(元) / Amount (yuan)"],
            [
                [(s["rule"], "text"), (s["subsidy"], "text"), (s["lines"], "int"), (s["fen"], "money")]
                for s in sums["by_subsidy"]
            ],
        ),
        (
            "按收款方类型 / By payee type",
            ["收款方类型 / Payee type", "笔数 / Lines", "金额(元) / Amount (yuan)"],
            [
                [(_PAYEE_ZH.get(s["payee_type"], s["payee_type"]), "text"), (s["lines"], "int"), (s["fen"], "money")]
                for s in sums["by_payee_type"]
            ],
        ),
        (
            "按收款方 / By payee",
            [
                "收款方类型 / Payee type",
                "收款方代码 / Payee ID",
                "收款方名称 / Payee name",
                "笔数 / Lines",
                "金额(元) / Amount (yuan)",
            ],
            (
                ["text", "text", "text", "int", "money"],
                payees.with_columns(pl.col("payee_type").replace(payee_label)),
            ),
        ),
    ]
    share = policy.parameters.get("city_share")
    if share is not None and sums["total_fen"]:
        from decimal import Decimal

        from skillcli.money import mul_ratio

        city = mul_ratio(sums["total_fen"], Decimal(str(share.value)))
        blocks.append(
            (
                "市区两级分担（比例为假设值，非文件规定） / City and district shares (the ratio is an assumption: parameter city_share)",
                ["承担方 / Payer", "比例 / Share", "金额(元) / Amount (yuan)"],
                [
                    [("市级 / City", "text"), (str(share.value), "text"), (city, "money")],
                    [
                        ("区级 / District", "text"),
                        (str(1 - Decimal(str(share.value))), "text"),
                        (sums["total_fen"] - city, "money"),
                    ],
                ],
            )
        )
    widths = [12] * 5
    # Labels are written "中文 / English"; the workbook shows the half of its language.
    for title, headers, rows in blocks:
        sheet.write_string(row, 0, in_lang(title, lang), book.fmt_bold)
        row += 1
        for j, header in enumerate(headers):
            sheet.write_string(row, j, in_lang(header, lang), book.fmt_header)
            widths[j] = max(widths[j], len(in_lang(header, lang).encode("gbk", "replace")))
        row += 1
        if isinstance(rows, tuple):
            kinds, frame = rows
            if frame.height:
                for j, written in enumerate(book.write_rows(sheet, row, kinds, frame)):
                    widths[j] = max(widths[j], written)
            row += frame.height + 1
            continue
        for cells in rows:
            for j, (value, kind) in enumerate(cells):
                shown = in_lang(value, lang) if j == 0 and kind == "text" and isinstance(value, str) else value
                written = book.write_cell(sheet, row, j, kind, shown)  # type: ignore[arg-type]
                widths[j] = max(widths[j], written)
            row += 1
        row += 1
    for j, width in enumerate(widths):
        sheet.set_column(j, j, min(width + 2, 60))
    book.print_setup(sheet)


def _about_sheet(
    book: Workbook, batch: Batch, decision: Decision, inputs: list[dict[str, Any]], run_id: str | None, lang: str
) -> None:
    policy = decision.policy

    def t(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    share = decision.advance_share
    rows: list[tuple[str, Any, Any]] = [
        (t("台账批次", "ledger run"), run_id or t("试算，未写入台账", "dry run, not committed"), "text"),
        (
            t("类型", "kind"),
            t(f"预拨 {share:%}", f"advance {share:%}") if share is not None else t("发放", "payment"),
            "text",
        ),
        (t("政策", "policy"), f"{policy.id}  {policy.title}", "text"),
        (t("地区", "region"), policy.region, "text"),
        (t("规则文件", "rules file"), Path(policy.path).name, "text"),
        (t("规则文件校验码", "rules file SHA-256"), policy.sha256, "text"),
        (t("文件依据", "source"), document_text(policy.document, lang), "text"),
        (t("批次月份", "period"), batch.ctx.period_label, "text"),
        (t("skillcli 版本", "skillcli version"), __version__, "text"),
        (t("生成时间", "generated"), beijing_time(run_time(), lang), "text"),
    ]
    for name, param in sorted(policy.parameters.items()):
        flags = t("（假设）", " (assumption)") if param.assumption else ""
        flags += t("（本次覆盖）", " (overridden)") if param.overridden else ""
        # The parameter's name is what the clerk types after --param: it stays, in the value, after
        # its Chinese meaning when the rules file gives one.
        named = f"{param.label}（{name}）" if param.label and lang != "en" else name
        # A yes/no setting reads 是/否 in Chinese (which --param also accepts), not Python's True.
        if isinstance(param.value, bool):
            value = t("是", "true") if param.value else t("否", "false")
        else:
            value = _shown(param.value, t("（空）", "(empty)"))
        rows.append((t("参数", "parameter") + flags, f"{named} = {value}", "text"))
    for item in inputs:
        size = t(f"{item['bytes']} 字节", f"{item['bytes']} bytes")
        rows.append((t("输入文件", "input"), f"{item['path']}（SHA-256 {item['sha256']}，{size}）", "text"))
    # How blanks were read and which conditions no sheet could be checked against: the clerk reads
    # these beside the totals, not only on the screen.
    for hint in decision.warnings.iter_rows(named=True):
        # A note about a table names it (「本表」 alone does not say which); one about the whole
        # batch (a column no sheet has) is about no one file.
        where = "" if hint["code"] == "payout.column-absent" else where_text(hint, lang)
        rows.append((t("提示", "hint"), where + t(hint["message_zh"], hint["message_en"]), "text"))
    for note in policy.notes_en if lang == "en" and policy.notes_en else policy.notes:
        rows.append((t("说明", "note"), note, "text"))
    book.key_values("说明", t("运行说明", "About this run"), rows)
