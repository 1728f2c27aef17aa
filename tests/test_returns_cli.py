"""``check --out DIR --split-by institution|enterprise``: one printable return per institution.

Each test writes a real roster with attendance, runs the CLI and reads every written return back
with openpyxl: which rows it holds, the message beside each, the highlighted cells, the cover.
"""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from tests.support.cli import PERIOD
from tests.support.ids import valid_id, wrong_check
from tests.support.rosters import ROSTER_HEADER_ROW, person, roster_row

HEADER = [*ROSTER_HEADER_ROW, "培训机构", "单位名称"]
SCHOOL_A, SCHOOL_B = "甲技工学校", "乙/培训中心"


def _batch(make_xlsx):
    rows = [
        [*roster_row(1, level="九级"), SCHOOL_A, "甲公司"],
        [*roster_row(2), SCHOOL_A, "乙公司"],
        [*roster_row(3, id_number=wrong_check(valid_id(seq="031"))), SCHOOL_B, "甲公司"],
        [*roster_row(4, start_date="=1+1"), SCHOOL_B, "乙公司"],
        [*roster_row(5), None, "甲公司"],
    ]
    rows[4][3] = "不存在的培训"  # 培训类型 not in the list
    attendance = [
        ["身份证号码", "姓名", "应出勤天数", "实际出勤天数"],
        [person(2)["id_number"], person(2)["name"], 10, 12],
    ]
    return make_xlsx({"花名册": [HEADER, *rows], "考勤": attendance})


def _cells(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_split__one_return_per_institution_with_only_its_rows(make_xlsx, run_cli, tmp_path, monkeypatch):
    config = tmp_path / "skillcli.toml"
    config.write_text('[contact]\n"联系人" = "王五"\n"电话" = "0512-66668888"\n', encoding="utf-8")
    monkeypatch.setenv("SKILLCLI_CONFIG", str(config))
    out = tmp_path / "out"
    result = run_cli("check", _batch(make_xlsx), "--period", PERIOD, "--out", out, "--split-by", "institution")
    assert result.code == 1, result.stderr
    names = sorted(p.name for p in out.glob("退回_*.xlsx"))
    # 乙/培训中心 cannot be a file name as written: the slash is replaced.
    assert names == ["退回_乙_培训中心.xlsx", "退回_未填培训机构.xlsx", "退回_甲技工学校.xlsx"]
    assert "已按培训机构写出 3 份退回清单" in result.stderr

    book = load_workbook(out / "退回_甲技工学校.xlsx")
    assert book.sheetnames == ["封面", "花名册问题", "考勤问题"]
    cover = {row[0]: row[1] for row in _cells(book["封面"]) if row[0]}
    assert cover["批次"] == PERIOD
    assert cover["培训机构"] == SCHOOL_A
    assert cover["问题数"] == "错误 2 条，警告 0 条，涉及 2 行"
    assert cover["退回日期"] == dt.date.today().isoformat()
    assert (cover["联系人"], cover["电话"]) == ("王五", "0512-66668888")

    roster = _cells(book["花名册问题"])
    header = roster[0]
    assert header[:3] == ["工作表", "行号", "问题说明（请按此改正）"]
    assert [r[1] for r in roster[1:]] == [2]  # only its own roster row with a problem
    level = header.index("培训等级")
    assert roster[1][level] == "九级"
    assert roster[1][2].startswith("1. 等级「九级」无法识别，请改为")
    # The problem cell is highlighted, the others are not; the ID is in full (its own trainee).
    sheet = book["花名册问题"]
    assert sheet.cell(2, level + 1).fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet.cell(2, header.index("姓名") + 1).fill.fgColor.rgb in ("00000000", None)
    assert roster[1][header.index("身份证号码")] == person(1)["id_number"]
    # An attendance row goes to the institution of the same person on the roster.
    attendance = _cells(book["考勤问题"])
    assert [r[1] for r in attendance[1:]] == [2]
    assert "实际出勤天数 12 大于应出勤天数 10" in attendance[1][2]
    # Printing: A4 landscape, one page wide, the header repeated on every page.
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    # Fit to one page wide (1 is the file format's default, left out) and as many pages tall as needed.
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.cell(2, 3).alignment.wrap_text

    other = load_workbook(out / "退回_乙_培训中心.xlsx")
    rows = _cells(other["花名册问题"])
    assert [r[1] for r in rows[1:]] == [4, 5]
    ids = {r[rows[0].index("身份证号码")] for r in rows[1:]}
    assert person(1)["id_number"] not in ids  # no other institution's trainee
    # A cell that looked like a formula is written back as text.
    start = rows[0].index("开班日期")
    assert rows[2][start] == "=1+1"
    assert other["花名册问题"].cell(3, start + 1).data_type == "s"

    blank = load_workbook(out / "退回_未填培训机构.xlsx")
    assert [r[1] for r in _cells(blank["花名册问题"])[1:]] == [6]


def test_split__by_enterprise_and_without_contact(make_xlsx, run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLCLI_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    run_cli("check", _batch(make_xlsx), "--period", PERIOD, "--out", out, "--split-by", "enterprise")
    assert sorted(p.name for p in out.glob("退回_*.xlsx")) == ["退回_乙公司.xlsx", "退回_甲公司.xlsx"]
    book = load_workbook(out / "退回_甲公司.xlsx")
    cover = {row[0]: row[1] for row in _cells(book["封面"]) if row[0]}
    assert cover["单位名称"] == "甲公司"
    assert "[contact]" in cover["联系人"]
    assert [r[1] for r in _cells(book["花名册问题"])[1:]] == [2, 4, 6]


def test_split__bad_usage_is_one_line(make_xlsx, run_cli, tmp_path):
    batch = _batch(make_xlsx)
    result = run_cli("check", batch, "--period", PERIOD, "--split-by", "institution")
    assert result.code == 2 and "--split-by 需要同时给出 --out 目录" in result.stderr
    result = run_cli("check", batch, "--period", PERIOD, "--out", tmp_path / "o", "--split-by", "county")
    assert result.code == 2 and "不是「county」" in result.stderr
    assert "Traceback" not in result.stderr
