"""``diff.xlsx`` and the diff CSVs: what a resubmission changed, and what that does to the payout.

Sheets: 汇总 (counts and totals), 新增 and 删除 (whole rows), 修改 (one line per changed row with
its new values; each changed cell highlighted and its old value in the cell's comment, all changes
also spelt out in 修改内容), 补贴变化 (per person and training, in yuan), 问题变化 (findings fixed,
new and remaining) and 重复键 (rows whose comparison key repeats in their own file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from skillcli.diff import (
    HEADERS,
    STATE_ZH,
    STATUS_EN,
    STATUS_ZH,
    DiffReport,
    KindColumns,
    PayoutChange,
    RowAt,
    RowChange,
    cells_text,
    describe_key,
)
from skillcli.io.writer import MAX_WIDTH, Column, Workbook, _display_width, write_csv
from skillcli.model import SheetKind
from skillcli.money import format_yuan
from skillcli.report.exceptions import finding_columns, finding_rows, headers_in, in_lang
from skillcli.version import __version__

CHANGE_ZH = {"added": "新增", "removed": "删除", "changed": "修改", "same": "未变"}
PAYOUT_ZH = {"newly-paid": "新增发放", "no-longer-paid": "不再发放", "amount-changed": "金额变化"}
_SEVERITY_ZH = {"error": "错误", "warning": "警告"}
STATE_EN = {"fixed": "fixed", "new": "new", "remaining": "remaining"}
# diff.xlsx's own headers in English (``--lang en``); the input's column names stay as the
# template writes them, as in exceptions.xlsx.
DIFF_EN_HEADERS = {
    "类型": "Kind",
    "说明": "Note",
    "状态": "State",
    "行变化": "Row change",
    "旧工作表": "Old sheet",
    "旧行号": "Old row",
    "旧值": "Old value",
    "新工作表": "New sheet",
    "新行号": "New row",
    "新值": "New value",
    "修改内容": "Changes",
    "变化": "Change",
    "培训": "Training",
    "旧状态": "Old status",
    "新状态": "New status",
    "旧金额(元)": "Old amount (yuan)",
    "新金额(元)": "New amount (yuan)",
    "差额(元)": "Difference (yuan)",
    "旧计算": "Old formula",
    "新计算": "New formula",
}


def _header(text: str, lang: str | None) -> str:
    """One of diff.xlsx's headers in ``lang``."""
    if lang != "en":
        return text
    return DIFF_EN_HEADERS.get(text) or headers_in((Column(text),), lang)[0].header


def _columns(columns: tuple[Column, ...], lang: str | None) -> tuple[Column, ...]:
    return tuple(Column(_header(c.header, lang), c.kind, c.width) for c in columns)


def _at_values(columns: KindColumns, at: RowAt | None) -> dict[str, str | None]:
    return dict(zip(columns.compared, at.values, strict=True)) if at is not None else {}


def _value_columns(report: DiffReport, changes: list[RowChange]) -> list[str]:
    """The union of the compared columns of the kinds present, in the vocabulary's order."""
    kinds = {c.kind for c in changes}
    wanted: list[str] = []
    for kind in SheetKind:
        if kind in kinds:
            wanted += [c for c in report.rows.columns[kind].compared if c not in wanted]
    return wanted


def identity(report: DiffReport, change: RowChange) -> tuple[str, str, str]:
    """(person_id, name, key text) of a row, from the new file when it has the row."""
    columns = report.rows.columns[change.kind]
    at = change.new or change.old
    assert at is not None
    values = _at_values(columns, at)
    return values.get("id_number") or "", values.get("name") or "", describe_key(change.kind, columns, at)


def _where(at: RowAt | None) -> list[Any]:
    return [at.sheet, at.row] if at is not None else [None, None]


PAYOUT_FIELDS = (
    "change",
    "person_id",
    "name",
    "key",
    "old_status",
    "new_status",
    "old_fen",
    "new_fen",
    "delta_fen",
    "old_rules",
    "new_rules",
    "reason_zh",
    "reason_en",
    "old_row",
    "new_row",
)


def payout_record(report: DiffReport, p: PayoutChange) -> dict[str, Any]:
    """One payout change as plain data (``PAYOUT_FIELDS``), for the sheet, the CSV and the JSON."""
    person, name, key = identity(report, p.row)
    values: tuple[Any, ...] = (p.change, person, name, key, p.old_status, p.new_status, p.old_fen, p.new_fen)
    values += (p.delta_fen, p.old_rules, p.new_rules, p.reason_zh, p.reason_en)
    values += (p.row.old.row if p.row.old else None, p.row.new.row if p.row.new else None)
    return dict(zip(PAYOUT_FIELDS, values, strict=True))


def write_diff(report: DiffReport, target: Path, lang: str | None = "zh") -> None:
    """The workbook for the clerk: labels in ``lang`` only (``zh`` by default), codes in a last column."""
    zh = lang != "en"
    book = Workbook(target)
    try:
        summary = [(in_lang(label, lang), value, kind) for label, value, kind in summary_rows(report, lang)]
        book.key_values("汇总", in_lang("两次报送对比 / Resubmission diff", lang), summary)
        for name, change in (("新增", "added"), ("删除", "removed")):
            changes = report.rows.of(change)
            value_columns = _value_columns(report, changes)
            side = "new" if change == "added" else "old"
            columns = (
                *_columns((Column("类型", width=8), Column("工作表"), Column("行号", "int", 6), Column("说明")), lang),
                *(Column(HEADERS[c]) for c in value_columns),
            )
            note = in_lang(
                "对比键在文件中重复，未能逐行对应 / the comparison key repeats in the file: rows not matched one to one",
                lang,
            )
            rows = []
            for c in changes:
                at = c.new if side == "new" else c.old
                values = _at_values(report.rows.columns[c.kind], at)
                kind = c.kind.label_zh if zh else c.kind.value
                rows.append([kind, *_where(at), note if c.duplicate else "", *(values.get(v) for v in value_columns)])
            book.table(name, columns, rows)
        _changed_sheet(book, report, lang)
        _payout_sheet(book, report, lang)
        states = report.findings.get_column("state").to_list()
        fixed = book.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        book.table(
            "问题变化",
            _columns(
                (
                    Column("状态", width=8),
                    Column("级别", width=8),
                    Column("列"),
                    Column("身份证号码"),
                    Column("行变化", width=8),
                    Column("旧工作表"),
                    Column("旧行号", "int", 8),
                    Column("旧值"),
                    Column("新工作表"),
                    Column("新行号", "int", 8),
                    Column("新值"),
                    Column("说明" if zh else "Message", width=60),
                    # The code is for support: the last column, as in payouts.xlsx.
                    Column("代码"),
                ),
                lang,
            ),
            [
                [
                    (STATE_ZH if zh else STATE_EN)[r["state"]],
                    _SEVERITY_ZH.get(r["severity"], r["severity"]) if zh else r["severity"],
                    r["column"],
                    r["person_id"],
                    (CHANGE_ZH.get(r["row_change"] or "", "") if zh else r["row_change"] or ""),
                    r["old_sheet"],
                    r["old_row"],
                    r["old_value"],
                    r["new_sheet"],
                    r["new_row"],
                    r["new_value"],
                    r["message_zh"] if zh else r["message_en"],
                    r["code"],
                ]
                for r in report.findings.iter_rows(named=True)
            ],
            row_format=[fixed if s == "fixed" else book.fmt_error if s == "new" else None for s in states],
        )
        # In Chinese the code is kept for support, in a last 代码 column (English has its Code column).
        codes = report.duplicates.get_column("code").to_list() if zh else []
        book.table(
            "重复键",
            (*finding_columns(lang or "zh"), *([Column("代码")] if zh else [])),
            [[*row, *codes[i : i + 1]] for i, row in enumerate(finding_rows(report.duplicates, lang or "zh"))],
            row_format=[book.fmt_warning] * report.duplicates.height,
        )
    finally:
        book.close()


def _changed_sheet(book: Workbook, report: DiffReport, lang: str | None) -> None:
    """修改: each changed row with its new values; changed cells highlighted, the old value in a comment."""
    zh = lang != "en"
    changes = report.rows.of("changed")
    value_columns = _value_columns(report, changes)
    lead = [_header(h, lang) for h in ("类型", "旧工作表", "旧行号", "新工作表", "新行号", "修改内容")]
    sheet = book.add_sheet("修改")
    marked = book.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700", "bold": True, "border": 1})
    widths = [8, 10, 8, 10, 8, 12] + [max(_display_width(HEADERS[c]), 8) for c in value_columns]
    for j, header in enumerate([*lead, *(HEADERS[c] for c in value_columns)]):
        sheet.write_string(0, j, header, book.fmt_header)
    for i, change in enumerate(changes, start=1):
        old, new = (
            _at_values(report.rows.columns[change.kind], change.old),
            _at_values(report.rows.columns[change.kind], change.new),
        )
        said = cells_text(change, english=not zh)
        lead_values: list[tuple[str, Any]] = [
            ("text", change.kind.label_zh if zh else change.kind.value),
            ("text", change.old.sheet if change.old else None),
            ("int", change.old.row if change.old else None),
            ("text", change.new.sheet if change.new else None),
            ("int", change.new.row if change.new else None),
            ("text", said),
        ]
        widths[5] = max(widths[5], _display_width(said))
        for j, (kind, value) in enumerate(lead_values):
            book.write_cell(sheet, i, j, kind, value)  # type: ignore[arg-type]
        changed = {name for name, _, _ in change.cells}
        for j, name in enumerate(value_columns, start=len(lead)):
            if name in changed:
                book.write_cell(sheet, i, j, "text", new.get(name), marked)
                was = old.get(name) or ("(空)" if zh else "(blank)")
                sheet.write_comment(i, j, f"原值：{was}" if zh else f"old: {was}", {"x_scale": 1.5})
            else:
                book.write_cell(sheet, i, j, "text", new.get(name))
            widths[j] = max(widths[j], _display_width(new.get(name) or ""))
    for j, width in enumerate(widths):
        sheet.set_column(j, j, min(width + 2, MAX_WIDTH))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(changes), 1), len(widths) - 1)
    # Printed too wide for one page, each page repeats where the row is (not the long 修改内容).
    book.print_setup(sheet, repeat_row=0, widths=[min(w + 2, MAX_WIDTH) for w in widths], repeat_columns=len(lead) - 1)


def _payout_sheet(book: Workbook, report: DiffReport, lang: str | None) -> None:
    zh = lang != "en"
    effect = report.payout
    columns = _columns(
        (
            Column("变化", width=10),
            Column("姓名"),
            Column("身份证号码"),
            Column("培训"),
            Column("旧状态", width=10),
            Column("新状态", width=10),
            Column("旧金额(元)", "money"),
            Column("新金额(元)", "money"),
            Column("差额(元)", "money"),
            Column("原因", width=60),
            Column("旧计算", width=40),
            Column("新计算", width=40),
            Column("旧行号", "int", 8),
            Column("新行号", "int", 8),
        ),
        lang,
    )
    if effect is None:
        title = in_lang("未指定政策（--policy），未计算补贴变化 / no --policy: payout not compared", lang)
        book.table("补贴变化", columns, [], title=title)
        return
    old, new, delta = (
        format_yuan(f, grouping=True) for f in (effect.old_total_fen, effect.new_total_fen, effect.delta_fen)
    )
    title = (
        f"政策 {effect.policy}：旧 {old} 元，新 {new} 元，差额 {delta} 元"
        if zh
        else f"policy {effect.policy}: old {old} yuan, new {new} yuan, difference {delta} yuan"
    )
    status = STATUS_ZH if zh else STATUS_EN
    records = [payout_record(report, p) for p in effect.changes]
    rows = [
        [
            PAYOUT_ZH[r["change"]] if zh else r["change"],
            r["name"],
            r["person_id"],
            r["key"],
            status[r["old_status"]],
            status[r["new_status"]],
            *(r[k] for k in ("old_fen", "new_fen", "delta_fen")),
            r["reason_zh"] if zh else r["reason_en"],
            r["old_rules"],
            r["new_rules"],
            r["old_row"],
            r["new_row"],
        ]
        for r in records
    ]
    book.table("补贴变化", columns, rows, title=title)


def summary_rows(report: DiffReport, lang: str | None = None) -> list[tuple[str, Any, Any]]:
    """Label/value pairs for 汇总, the labels written "中文 / English" (the result in ``lang``)."""
    rows: list[tuple[str, Any, Any]] = [
        (
            "结论 / result",
            in_lang("两次报送相同 / the same" if report.same else "有差异 / they differ", lang),
            "text",
        ),
        ("旧文件 / old", ", ".join(f.path for f in report.old.files), "text"),
        ("新文件 / new", ", ".join(f.path for f in report.new.files), "text"),
        ("批次月份 / period", in_lang(" / ".join(dict.fromkeys(report.new.ctx.period_shown)), lang), "text"),
    ]
    for kind, counts in report.rows.counts().items():
        label = SheetKind(kind).label_zh
        for change in ("added", "removed", "changed", "same"):
            rows.append((f"{label}{CHANGE_ZH[change]}行 / {kind} {change}", counts[change], "int"))
    for kind, columns in report.rows.columns.items():
        if columns.only_old:
            rows.append(
                (
                    f"{kind.label_zh}仅旧文件有的列 / only in old",
                    "、".join(HEADERS[c] for c in columns.only_old),
                    "text",
                )
            )
        if columns.only_new:
            rows.append(
                (
                    f"{kind.label_zh}仅新文件有的列 / only in new",
                    "、".join(HEADERS[c] for c in columns.only_new),
                    "text",
                )
            )
    rows.append(("对比键重复的行 / rows with a repeated key", report.duplicates.height, "int"))
    for state, count in report.finding_counts().items():
        rows.append((f"问题{STATE_ZH[state]} / findings {state}", count, "int"))
    if report.payout is not None:
        effect = report.payout
        rows += [
            ("政策 / policy", effect.policy, "text"),
            ("旧应发合计 / old total", effect.old_total_fen, "money"),
            ("新应发合计 / new total", effect.new_total_fen, "money"),
            ("差额 / difference", effect.delta_fen, "money"),
        ]
        for change, label in PAYOUT_ZH.items():
            rows.append((f"{label} / {change}", sum(p.change == change for p in effect.changes), "int"))
    rows.append(("skillcli 版本 / version", __version__, "text"))
    return rows


# The diff CSVs' headers in Chinese (``--lang zh``, the default), by the English names ``--lang en``
# writes (docs/diff.md lists both); the English-only columns (message_en, reason_en) are left out in
# Chinese, as in exceptions.csv. Codes (code, the column's field name) stay codes in both.
DIFF_CSV_ZH = {
    "change": "变化",
    "kind": "类型",
    "person_id": "身份证号码",
    "name": "姓名",
    "key": "对比键",
    "duplicate": "键重复",
    "old_file": "旧文件",
    "old_sheet": "旧工作表",
    "old_row": "旧行号",
    "new_file": "新文件",
    "new_sheet": "新工作表",
    "new_row": "新行号",
    "column": "字段代码",
    "header": "表头",
    "old_value": "旧值",
    "new_value": "新值",
    "state": "状态",
    "code": "代码",
    "severity": "级别",
    "row_change": "行变化",
    "message_zh": "说明",
    "old_status": "旧状态",
    "new_status": "新状态",
    "old_yuan": "旧金额(元)",
    "new_yuan": "新金额(元)",
    "delta_yuan": "差额(元)",
    "old_rules": "旧规则",
    "new_rules": "新规则",
    "reason_zh": "原因",
}
_DIFF_VALUES_ZH: dict[str, dict[str, str]] = {
    "change": {**CHANGE_ZH, **PAYOUT_ZH},
    "row_change": CHANGE_ZH,
    "kind": {k.value: k.label_zh for k in SheetKind},
    "state": STATE_ZH,
    "severity": _SEVERITY_ZH,
    "duplicate": {"yes": "是"},
    "old_status": STATUS_ZH,
    "new_status": STATUS_ZH,
}


def _write_lang_csv(
    target: Path, header: list[str], rows: Iterable[Sequence[Any]], numeric: set[str], lang: str | None
) -> None:
    """One diff CSV in ``lang``: ``zh`` gives Chinese headers and labels (``DIFF_CSV_ZH``) without
    the English-only columns; ``en`` keeps the names and values scripts read."""
    if lang != "zh":
        write_csv(target, header, rows, safe_columns=_text_columns(header, numeric))
        return
    kept = [i for i, name in enumerate(header) if name not in ("message_en", "reason_en")]
    names = [header[i] for i in kept]
    labels = [_DIFF_VALUES_ZH.get(name, {}) for name in names]
    translated = (
        [
            label.get(row[i], row[i]) if isinstance(row[i], str) else row[i]
            for i, label in zip(kept, labels, strict=True)
        ]
        for row in rows
    )
    write_csv(target, [DIFF_CSV_ZH[n] for n in names], translated, safe_columns=_text_columns(names, numeric))


def write_diff_csvs(report: DiffReport, directory: Callable[[str], Path], lang: str | None = "zh") -> list[str]:
    """diff-rows.csv, diff-cells.csv, diff-findings.csv and (with a policy) diff-payout.csv, in ``lang``."""
    written = []
    header = ["change", "kind", "person_id", "name", "key", "duplicate"]
    header += ["old_file", "old_sheet", "old_row", "new_file", "new_sheet", "new_row"]
    rows = []
    cells = []
    for c in report.rows.rows:
        if c.change == "same":
            continue
        person, name, key = identity(report, c)
        where = [
            *(([c.old.file, c.old.sheet, c.old.row]) if c.old else [None, None, None]),
            *(([c.new.file, c.new.sheet, c.new.row]) if c.new else [None, None, None]),
        ]
        rows.append([c.change, c.kind.value, person, name, key, "yes" if c.duplicate else "", *where])
        for column, old, new in c.cells:
            cells.append([c.kind.value, person, name, key, *where, column, HEADERS[column], old, new])
    numbers = {"old_row", "new_row"}
    _write_lang_csv(directory("diff-rows.csv"), header, rows, numbers, lang)
    cell_header = ["kind", "person_id", "name", "key", *header[6:], "column", "header", "old_value", "new_value"]
    _write_lang_csv(directory("diff-cells.csv"), cell_header, cells, numbers, lang)
    written += ["diff-rows.csv", "diff-cells.csv"]
    finding_header = [
        "state",
        "code",
        "severity",
        "column",
        "person_id",
        "row_change",
        "old_file",
        "old_sheet",
        "old_row",
        "old_value",
        "new_file",
        "new_sheet",
        "new_row",
        "new_value",
        "message_zh",
        "message_en",
    ]
    _write_lang_csv(
        directory("diff-findings.csv"),
        finding_header,
        report.findings.select(finding_header).iter_rows(),
        numbers,
        lang,
    )
    written.append("diff-findings.csv")
    if report.payout is not None:
        payout_header = [*PAYOUT_FIELDS[:6], "old_yuan", "new_yuan", "delta_yuan", *PAYOUT_FIELDS[9:]]
        payout_rows = [
            [format_yuan(v) if k.endswith("_fen") else v for k, v in payout_record(report, p).items()]
            for p in report.payout.changes
        ]
        numeric = numbers | {"old_yuan", "new_yuan", "delta_yuan", "old_status", "new_status", "change"}
        _write_lang_csv(directory("diff-payout.csv"), payout_header, payout_rows, numeric, lang)
        written.append("diff-payout.csv")
    return written


def _text_columns(header: list[str], numeric: set[str]) -> set[int]:
    """Columns that can carry text from input and so are written formula-safe."""
    return {i for i, name in enumerate(header) if name not in numeric}
