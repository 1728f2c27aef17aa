"""What an independent reader of a Wuxi 2024 batch could not act on, through the CLI on real
workbooks: the 异常 sheet's columns, printing, the 说明 sheet's statements and explain's wording.

Every test builds the batch of ``tests/support/wuxi.py`` and reads what skillcli wrote back with
openpyxl (or the explain text from the screen).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from skillcli.findings import CATALOGUE
from tests.support.wuxi import IDS, LOST_SHOWN, PERIOD, POLICY, wuxi_batch

# Printing (A4 landscape, Calibri 11): the text must not shrink below this on paper.
READABLE_PT = 8
PAPER_PT = 841.9 - 2 * 0.7 * 72


def _payout(run_cli: Any, make_xlsx: Any, out: Path) -> Any:
    result = run_cli("payout", *wuxi_batch(make_xlsx), "--policy", POLICY, "--period", PERIOD, "--out", out)
    assert result.code == 1, result.stderr  # exceptions exist
    return load_workbook(out / "payouts.xlsx")


def _records(sheet: Any) -> list[dict[str, Any]]:
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def _column_of(sheet: Any, header: str) -> str:
    return next(c.column_letter for c in sheet[1] if c.value == header)


def test_payout__exception_sheet_names_the_person_and_holds_cell_values_not_codes(run_cli, make_xlsx, tmp_path):
    sheet = _payout(run_cli, make_xlsx, tmp_path / "out")["异常"]
    # exceptions.csv says the same: a finding about no cell has an empty value, its code in the code column.
    with (tmp_path / "out" / "exceptions.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    at = {name: i for i, name in enumerate(rows[0])}
    assert not {r[at["值"]] for r in rows[1:]} & set(CATALOGUE)
    header = [c.value for c in sheet[1]]
    # 姓名 next to the ID; the code only in the last column.
    assert header.index("姓名") + 1 == header.index("身份证号码")
    assert header[-1] == "代码" and header.count("代码") == 1
    records = _records(sheet)
    assert {(r["工作表"], r["行号"], r["姓名"], r["代码"]) for r in records} == {
        ("人员名单", 3, "林涛", "roster.duplicate-person"),
        # His roster row's own error holds it: no second line says the attendance row's error does too.
        ("人员名单", 4, "何勇", "id.precision-lost"),
        # The attendance row's own finding is listed beside it.
        ("出勤", 3, "何勇", "id.precision-lost"),
    }
    # The value column holds what the cell holds, never a code; a lost ID shows as Excel shows it.
    assert not {r["值"] for r in records} & set(CATALOGUE)
    lost = [r for r in records if r["代码"] == "id.precision-lost"]
    assert [(r["值"], r["身份证号码"]) for r in lost] == [(LOST_SHOWN, LOST_SHOWN)] * 2
    duplicate = next(r for r in records if r["代码"] == "roster.duplicate-person")
    assert duplicate["值"] == IDS["林涛"] and duplicate["文件"] == "恒通_学徒花名册.xlsx"
    # The message wraps inside its cell, and its row is tall enough to show every line.
    column = _column_of(sheet, "说明")
    for r in range(2, sheet.max_row + 1):
        assert sheet[f"{column}{r}"].alignment.wrap_text
    long_row = 2 + records.index(lost[0])
    assert sheet.row_dimensions[long_row].height >= 2 * 15


def _printed_font(sheet: Any) -> float:
    """The size Calibri 11 prints at: the sheet's columns shrunk to the pages across it asks for."""
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and setup.paperSize == 9
    widths = [sheet.column_dimensions[c].width for c in sheet.column_dimensions if sheet.column_dimensions[c].width]
    total = sum((int(w * 7 + 0.5) + 5) * 0.75 for w in widths)
    fitted = sheet.sheet_properties.pageSetUpPr is not None and sheet.sheet_properties.pageSetUpPr.fitToPage
    across = int(setup.fitToWidth or 1) if fitted else 0
    if not across:
        return 11.0
    repeated = 0.0
    if sheet.print_title_cols:
        first, last = sheet.print_title_cols.replace("$", "").split(":")
        repeated = sum(
            (int(sheet.column_dimensions[c].width * 7 + 0.5) + 5) * 0.75
            for c in sheet.column_dimensions
            if first <= c <= last
        )
    room = PAPER_PT + (across - 1) * (PAPER_PT - repeated)
    return 11 * min(1.0, room / total)


def test_payout__every_big_sheet_prints_readably_with_its_header_and_wrapped_text(run_cli, make_xlsx, tmp_path):
    book = _payout(run_cli, make_xlsx, tmp_path / "out")
    for name in ("明细", "异常", "不符合条件"):
        sheet = book[name]
        assert _printed_font(sheet) >= READABLE_PT, name
        assert sheet.print_title_rows == "$1:$1", name
    # 17 columns do not fit one page at a readable size: two pages across, 序号 and 姓名 on both.
    detail = book["明细"]
    assert detail.page_setup.fitToWidth == 2 and detail.print_title_cols == "$A:$B"
    for header in ("补贴项目", "计算", "来源"):
        assert detail[f"{_column_of(detail, header)}2"].alignment.wrap_text, header
    # 不符合条件: the reason wraps, never clipped at the column's edge.
    ineligible = book["不符合条件"]
    column = _column_of(ineligible, "原因")
    reasons = {r["姓名"]: (i, r["原因"]) for i, r in enumerate(_records(ineligible), start=2)}
    row, reason = reasons["周杰"]
    assert ineligible[f"{column}{row}"].alignment.wrap_text
    width = ineligible.column_dimensions[column].width
    shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in reason)
    assert ineligible.row_dimensions[row].height >= 15 * -(-shown // int(width)), (reason, width)


def test_payout__about_sheet_wraps_long_notes_inside_the_printed_width(run_cli, make_xlsx, tmp_path):
    about = _payout(run_cli, make_xlsx, tmp_path / "out")["说明"]
    assert _printed_font(about) >= 11  # one page wide at full size: nothing shrunk, nothing cut
    width = about.column_dimensions["B"].width
    notes = [row for row in about.iter_rows(min_row=3) if row[0].value == "说明"]

    def shown(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    long = [(label, value) for label, value in notes if shown(value.value) > width]
    assert len(long) >= 3  # the Wuxi rules file's notes run past one line
    for label, value in long:
        # Wrapped inside the column, the row as tall as its lines, the label at the top beside it.
        assert value.alignment.wrap_text and value.alignment.vertical == "top", value.value
        assert about.row_dimensions[value.row].height >= 15 * -(-shown(value.value) // int(width)), value.value
        assert label.alignment.vertical == "top"


def test_check__exceptions_and_returns_print_readably(run_cli, make_xlsx, tmp_path):
    out = tmp_path / "out"
    result = run_cli("check", *wuxi_batch(make_xlsx), "--period", PERIOD, "--out", out, "--split-by", "enterprise")
    assert result.code == 1, result.stderr
    books = [out / "exceptions.xlsx", *sorted(out.glob("退回_*.xlsx"))]
    assert len(books) == 3
    for path in books:
        for sheet in load_workbook(path).worksheets:
            if sheet.max_row > 2 and sheet.title not in ("汇总", "封面"):
                assert _printed_font(sheet) >= READABLE_PT, (path.name, sheet.title)
                assert sheet.print_title_rows == "$1:$1", (path.name, sheet.title)


# -- the 说明 sheet says only what the program did --------------------------------------------------
def _claimed_sheet(sentence: str) -> str | None:
    """Where a 说明 sentence says such rows end up: 不符合条件, 异常, paid (明细), or None when
    it says nothing about that."""
    if "不符合条件" in sentence:
        return "不符合条件"
    if "列为异常" in sentence and "不列为异常" not in sentence:
        return "异常"
    if "发放" in sentence or "计发" in sentence:
        assert "不发放" not in sentence and "不会发放" not in sentence, sentence
        return "明细"
    return None


def test_payout__the_about_sheet_statements_on_exceptions_and_ineligible_rows_are_true(run_cli, make_xlsx, tmp_path):
    book = _payout(run_cli, make_xlsx, tmp_path / "out")
    notes = [value for label, value, *_ in book["说明"].iter_rows(values_only=True) if label == "说明"]
    names = {sheet: {r["姓名"] for r in _records(book[sheet])} for sheet in ("明细", "异常", "不符合条件")}
    # Each case of the batch, the words the 说明 sheet uses for it, and who has it.
    cases = (("无固定期限", "王强"), ("结业日期晚于批次月份", "黄敏"), ("特殊情况", "孙丽"), ("多于备案期限", "许婷"))
    for words, person in cases:
        sentences = [s for note in notes for s in note.replace("。", "；").split("；") if words in s]
        claims = [(s, sheet) for s in sentences if (sheet := _claimed_sheet(s))]
        assert claims, f"the 说明 sheet does not say what happens to {words}"
        for sentence, sheet in claims:
            assert person in names[sheet], (sentence, sheet)
            others = {"明细", "异常", "不符合条件"} - {sheet}
            assert not any(person in names[other] for other in others), (person, sentence)
    lines = {r["姓名"]: r["计算"] for r in _records(book["明细"])}
    # The formula as 明细 writes it (the table row, grouped yuan), then what the clerk must know.
    # (with the dates the months were counted from, as parameter part_month reads them).
    rate = "÷ 12 × 四级/中级工 5,000.00/年"
    assert lines["孙丽"] == (
        f"2022-07-01～2024-12-31 计 30 个月 {rate} = 12,500.00；培训期 30 个月超过 2 年，按特殊情况计；请核实特殊情况审批"
    )
    assert (
        lines["许婷"] == f"2023-03-01～2024-02-29 计 12 个月 {rate} = 5,000.00；实际培训 18 个月，按备案期限计 12 个月"
    )
    assert lines["王强"] == f"2023-04-01～2024-09-30 计 18 个月 {rate} = 7,500.00"
    assert lines["张伟"] == f"2023-06-01～2024-05-31 计 12 个月 {rate} = 5,000.00"
    ineligible = {r["姓名"]: r for r in _records(book["不符合条件"])}
    assert ineligible["黄敏"]["代码"] == "policy.not-closed"


# -- explain ----------------------------------------------------------------------------------------
def _explain(run_cli: Any, files: list[Path], name: str) -> str:
    result = run_cli("explain", IDS[name], *files, "--policy", POLICY, "--period", PERIOD)
    assert result.code == 0, result.stderr
    return result.stdout + result.stderr


def _rule_block(text: str, rule: str) -> list[str]:
    """The lines of one rule's block in explain's output (from its head to the next rule's)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {rule} "))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  A")), len(lines))
    return lines[start:end]


def test_explain__says_what_each_condition_asks_by_its_clause_and_why_months_were_counted(run_cli, make_xlsx, tmp_path):
    files = wuxi_batch(make_xlsx)
    text = _explain(run_cli, files, "许婷")
    assert "「备案结束日期」须已填写" in text and "1900-01-01" not in text
    # The 依据 column names clauses, never the notice's title or a note.
    assert "关于加强和改进" not in text and "结班后发放" not in text
    # The table's columns are two or more spaces apart; a clause has single spaces inside.
    cells = [re.split(r"\s{2,}", line.strip()) for line in _rule_block(text, "A17") if line.startswith("条件")]
    clause = {cell[2]: cell[1] for cell in cells}
    # The notice's effective date, cited where the notice states it, and the condition says why it is there.
    assert clause["在政策施行期内结业：「结业日期」须不早于 2024-04-02"] == "S3 落款「2024年4月2日」（未写有效期，自发文之日起）"
    assert clause["「已于批次月份或之前结业」须为 是"] == "S3 三(九)"
    # Every condition names a clause: never the bare document.
    assert all(re.fullmatch(r"S3 ([一二三四五六七八九十]+\(.+|落款「.+)", c) for c in clause.values()), clause
    amount = [line for line in _rule_block(text, "A17") if line.startswith("金额")]
    assert len(amount) == 1 and "5,000.00 元；实际培训 18 个月，按备案期限计 12 个月" in amount[0]
    # A18 is for 无等级 occupations: its block shows why not, and no amount.
    assert not [line for line in _rule_block(text, "A18") if line.startswith("金额")]

    special = _explain(run_cli, files, "孙丽")
    assert "12,500.00 元；培训期 30 个月超过 2 年，按特殊情况计；请核实特殊情况审批" in special

    open_ended = _explain(run_cli, files, "王强")
    contract = [line for line in _rule_block(open_ended, "A17") if "「劳动合同月数」" in line]
    assert len(contract) == 1 and "无固定期限" in contract[0] and "✓" in contract[0]
    assert "95818" not in open_ended


def test_explain__a_not_passed_trainee_is_told_only_about_the_rule_that_could_apply(run_cli, make_xlsx, tmp_path):
    files = wuxi_batch(make_xlsx)
    text = _explain(run_cli, files, "周杰")
    reasons = [line.strip() for line in text.splitlines() if line.strip().startswith("原因：")]
    assert reasons == ["原因：A17：完成学徒制培训任务并通过考核评价（考核合格或取得该职业该等级证书）（S3 三(九)）"]
    assert not [line for line in _rule_block(text, "A17") if line.startswith("金额")]
    # A 无等级 trainee without the certificate is told about the certificate, not about A17's levels.
    out = tmp_path / "out"
    run_cli("payout", *files, "--policy", POLICY, "--period", PERIOD, "--out", out)
    reasons = {r["姓名"]: r["原因"] for r in _records(load_workbook(out / "payouts.xlsx")["不符合条件"])}
    assert "A18" not in reasons["周杰"]


def test_payout__missing_online_hours_are_not_counted_as_zero(run_cli, make_xlsx, tmp_path):
    out = tmp_path / "out"
    files = wuxi_batch(make_xlsx, no_attendance=("张伟",))
    run_cli("payout", *files, "--policy", POLICY, "--period", PERIOD, "--out", out)
    records = [r for r in _records(load_workbook(out / "payouts.xlsx")["异常"]) if r["姓名"] == "张伟"]
    assert [r["代码"] for r in records] == ["payout.no-attendance"]
    # The message names the attendance sheet to add the trainee to and its columns, not a derived field.
    assert records[0]["说明"].endswith(
        "没有该学员可用的考勤记录，不按 0 计，本项暂不发放；请在考勤表「考勤汇总」为此人补上（或补全）一行，"
        "填写身份证号码、姓名、班级编号、线上学时、线下学时"
    )
    assert not records[0]["列"] and "线上学时占比" not in records[0]["说明"]
    assert "天" not in records[0]["说明"]
