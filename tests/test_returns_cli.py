"""``check --out DIR --split-by institution|enterprise``: one printable return per institution.

Each test writes a real roster with attendance, runs the CLI and reads every written return back
with openpyxl: which rows it holds, the message beside each, the highlighted cells, the cover.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from openpyxl import load_workbook

from tests.support.cli import PERIOD
from tests.support.corpus import CORPUS
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
        [*roster_row(5), None, None],
    ]
    rows[4][3] = "不存在的培训"  # 培训类型 not in the list
    # Every trainee with a valid ID has an attendance row, so that no row here is one missing from 考勤.
    attendance = [
        ["身份证号码", "姓名", "应出勤天数", "实际出勤天数"],
        [person(2)["id_number"], person(2)["name"], 10, 12],
        *([person(n)["id_number"], person(n)["name"], 10, 10] for n in (1, 4, 5)),
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
    assert "已按培训机构写出 3 份退回清单" in result.stdout

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
    # The rows nobody can be named for say which file they come from.
    assert [r[:3] for r in _cells(blank["花名册问题"])[1:]] == [["batch.xlsx", "花名册", 6]]
    # That return is the clerk's to route: its cover says the rows name no institution and what to do.
    blank_cover = {row[0]: row[1] for row in _cells(blank["封面"]) if row[0]}
    assert blank_cover["请先处理"].startswith("以下各行无法判断应退回给哪一家培训机构：该行")
    # Every cover tells the sender to correct its own table by the row numbers; nothing claims the
    # sender's table was coloured.
    assert cover["如何改正"] == (
        "请打开贵单位报送的原表，按本清单各工作表的「行号」找到对应行，按「问题说明」逐条改正；"
        "本清单中标色的单元格就是有问题的单元格。改好后请将整张表重新报送。"
    )
    assert "请先处理" not in cover


def test_split__by_enterprise_and_without_contact(make_xlsx, run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLCLI_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    run_cli("check", _batch(make_xlsx), "--period", PERIOD, "--out", out, "--split-by", "enterprise")
    # Row 6 names neither a 单位名称 nor a 培训机构 and its file has no 填报单位 line.
    assert sorted(p.name for p in out.glob("退回_*.xlsx")) == [
        "退回_乙公司.xlsx",
        "退回_未填单位名称.xlsx",
        "退回_甲公司.xlsx",
    ]
    book = load_workbook(out / "退回_甲公司.xlsx")
    cover = {row[0]: row[1] for row in _cells(book["封面"]) if row[0]}
    assert cover["单位名称"] == "甲公司"
    # The cover goes outside the bureau: without a [contact] table it names no one, and it never
    # shows the program's configuration; the clerk is told on screen instead.
    assert "联系人" not in cover
    assert not [text for text in map(str, cover.values()) if "skillcli" in text or "[contact]" in text]
    assert [r[1] for r in _cells(book["花名册问题"])[1:]] == [2, 4]
    screen = run_cli(
        "check", _batch(make_xlsx), "--period", PERIOD, "--out", tmp_path / "o2", "--split-by", "enterprise"
    )
    note = "退回清单封面没有联系人：如需写明，请在 skillcli.toml 的 [contact] 表中填写联系人和电话"
    # The operator's note comes once, on stderr beside the result (the files written) on stdout.
    assert screen.stderr.count(note) == 1 and note not in screen.stdout
    assert "已按单位写出 3 份退回清单" in screen.stdout


def _two_senders(make_xlsx):
    """An enterprise's own roster (单位名称, a 填报单位 line, no 培训机构 column by nature) and an
    institution's roster (培训机构, no 单位名称), as two senders hand them in."""
    enterprise = make_xlsx(
        {
            "花名册": [
                ["恒达公司职业培训补贴申报花名册（2024年6月）"],
                ["填报单位（盖章）：恒达公司    填报日期：2024年6月28日"],
                [*ROSTER_HEADER_ROW, "单位名称"],
                [*roster_row(1, level="九级"), "恒达公司"],
                [*roster_row(2, start_date="2024-13-01"), None],  # 单位名称 left blank: the 填报单位 line
                [*roster_row(5), "恒达公司"],
            ]
        },
        name="恒达_申报.xlsx",
    )
    school = make_xlsx(
        {
            "学员名单": [
                ["星辰学校补贴培训学员名单"],
                [*ROSTER_HEADER_ROW, "培训机构", "补贴资金承担方"],
                [*roster_row(3, level="九级"), "星辰学校", "个人"],
                [*roster_row(4, level="九级"), None, "个人"],  # no sender at all
            ]
        },
        name="星辰_名单.xlsx",
    )
    return enterprise, school


def test_split__every_row_goes_back_to_whoever_sent_it(make_xlsx, run_cli, tmp_path):
    enterprise, school = _two_senders(make_xlsx)
    for by, noun, blank_name in (
        ("institution", "培训机构", "退回_未填培训机构.xlsx"),
        ("enterprise", "单位", "退回_未填单位名称.xlsx"),
    ):
        out = tmp_path / by
        result = run_cli("check", enterprise, school, "--period", PERIOD, "--out", out, "--split-by", by)
        assert result.code == 1, result.stderr
        assert sorted(p.name for p in out.glob("退回_*.xlsx")) == sorted(
            ["退回_恒达公司.xlsx", "退回_星辰学校.xlsx", blank_name]
        ), by
        # The enterprise gets its own two rows back under either split: the one naming it and the
        # one whose 单位名称 is blank, by its file's 填报单位 line.
        own = load_workbook(out / "退回_恒达公司.xlsx")
        rows = _cells(own["花名册问题"])
        assert rows[0][:2] == ["工作表", "行号"]  # one file: no 文件 column
        assert [r[1] for r in rows[1:]] == [4, 5], by
        assert "表头问题" not in own.sheetnames
        cover = {row[0]: row[1] for row in _cells(own["封面"]) if row[0]}
        assert "请先处理" not in cover
        school_book = load_workbook(out / "退回_星辰学校.xlsx")
        assert [r[1] for r in _cells(school_book["花名册问题"])[1:]] == [3], by
        # The school's header problem goes to the school, not to the enterprise.
        assert [r[2] for r in _cells(school_book["表头问题"])[1:]] == ["补贴资金承担方"]
        # Only the row that names no one and whose file names no sender is left for the clerk, with
        # the file it comes from, and a cover that reads as a sentence under both splits.
        blank = load_workbook(out / blank_name)
        rows = _cells(blank["花名册问题"])
        assert rows[0][:3] == ["文件", "工作表", "行号"]
        assert [r[:3] for r in rows[1:]] == [["星辰_名单.xlsx", "学员名单", 4]]
        blank_cover = {row[0]: row[1] for row in _cells(blank["封面"]) if row[0]}
        assert blank_cover["请先处理"].startswith(f"以下各行无法判断应退回给哪一家{noun}：该行")
        # The school's header problem went to the school: the clerk's list holds rows only.
        assert "表头问题" not in blank.sheetnames
        assert "单位名称：" not in blank_cover["请先处理"]


def test_split__bad_usage_is_one_line(make_xlsx, run_cli, tmp_path):
    batch = _batch(make_xlsx)
    result = run_cli("check", batch, "--period", PERIOD, "--split-by", "institution")
    assert result.code == 2 and "--split-by 需要同时给出 --out 目录" in result.stderr
    result = run_cli("check", batch, "--period", PERIOD, "--out", tmp_path / "o", "--split-by", "county")
    assert result.code == 2 and "不是「county」" in result.stderr
    assert "Traceback" not in result.stderr


def test_out__the_lock_lives_while_a_run_writes_and_is_gone_after(make_xlsx, run_cli, tmp_path):
    import os
    import subprocess
    import sys
    import time

    batch = _batch(make_xlsx)
    other = make_xlsx({"花名册": [HEADER, [*roster_row(1), SCHOOL_A, "甲公司"]]}, name="other.xlsx")
    # A run paused after writing its files under temporary names holds the folder: a second run is
    # refused (exit 4); once the first finishes, the folder holds its outputs and no .skillcli.lock.
    out = tmp_path / "held"
    marker, release = tmp_path / "reached", tmp_path / "release"
    env = {
        **os.environ,
        "SKILLCLI_FAULT_PAUSE": "outputs-commit",
        "SKILLCLI_FAULT_MARKER": str(marker),
        "SKILLCLI_FAULT_RELEASE": str(release),
    }
    args = [sys.executable, "-m", "skillcli", "check", str(batch), "--period", PERIOD, "--out", str(out), "--quiet"]
    first = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.05)
    assert (out / ".skillcli.lock").exists()
    second = run_cli("check", batch, "--period", PERIOD, "--out", out)
    assert second.code == 4 and "正被另一个 skillcli 进程使用" in second.stderr
    release.write_text("go", encoding="utf-8")
    assert first.wait(timeout=120) == 1, first.communicate()
    assert sorted(p.name for p in out.iterdir()) == ["exceptions.csv", "exceptions.xlsx"]
    # Every kind of run that writes a folder leaves no lock behind: check, payout, diff, the returns.
    runs = {
        "check": ("check", batch, "--period", PERIOD, "--split-by", "institution"),
        "payout": ("payout", batch, "--policy", "suzhou-2019", "--period", "2021-06"),
        "diff": ("diff", batch, other, "--period", PERIOD),
    }
    for name, command in runs.items():
        folder = tmp_path / name
        result = run_cli(*command, "--out", folder)
        assert result.code in (0, 1), result.stderr
        written = sorted(p.name for p in folder.iterdir())
        assert written and ".skillcli.lock" not in written, (name, written)
        # The folder can be written again at once (nothing stale blocks the next run).
        assert run_cli(*command, "--out", folder).code == result.code


def test_split__a_header_problem_goes_to_every_sender_of_the_file_and_no_blank_return(make_xlsx, run_cli, tmp_path):
    # Every row names its institution; the header has a column the program does not know.
    header = [*HEADER, "补贴资金承担方"]
    rows = [
        [*roster_row(1, level="九级"), SCHOOL_A, "甲公司", "企业"],
        [*roster_row(2), SCHOOL_B, "乙公司", "个人"],
        [*roster_row(3), SCHOOL_B, "乙公司", "个人"],
    ]
    extra = ["备注栏"]  # a column nobody asked for: the clerk's own business, in no return
    batch = make_xlsx({"花名册": [[*header, *extra], *([*r, ""] for r in rows)]})
    out = tmp_path / "out"
    result = run_cli("check", batch, "--period", PERIOD, "--out", out, "--split-by", "institution")
    assert result.code == 1, result.stderr
    # No 退回_未填培训机构: a header problem is not a row without an institution.
    assert sorted(p.name for p in out.glob("退回_*.xlsx")) == ["退回_乙_培训中心.xlsx", "退回_甲技工学校.xlsx"]
    for name, row_problems in (("退回_甲技工学校.xlsx", 1), ("退回_乙_培训中心.xlsx", 0)):
        book = load_workbook(out / name)
        cover = {row[0]: row[1] for row in _cells(book["封面"]) if row[0]}
        assert cover["问题数"] == (
            f"错误 {row_problems} 条，警告 0 条，涉及 {row_problems} 行；另有表头问题 1 条（见工作表「表头问题」）"
        )
        lines = _cells(book["表头问题"])
        assert lines[0] == ["工作表", "行号", "列", "问题说明（请按此改正）"]
        # Worded for the sender, who edits the table: no program options, no configuration file.
        assert lines[1:] == [
            [
                "花名册",
                1,
                "补贴资金承担方",
                "表头「补贴资金承担方」不是模板中的写法，本次未读取此列（此列决定补贴是否发放或发多少）。如它就是「出资方」，请把表头改为「出资方」后重新报送",
            ]
        ]
    # exceptions.xlsx keeps both header findings for the clerk, with the --map the clerk can use.
    sheet = load_workbook(out / "exceptions.xlsx")["文件与表头问题"]
    messages = [r[6] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert any("--map 补贴资金承担方=出资方" in m for m in messages) and any("备注栏" in m for m in messages)


# What only the clerk can do or say: ask the sender, send a return, run the program with options.
CLERK_WORDING = re.compile(r"报送单位|退回|--map|--param|skillcli|同事|经办")


@pytest.mark.parametrize("slug", sorted(CORPUS))
def test_returns__every_message_is_worded_for_the_sender(slug, tmp_path, run_cli):
    # The input of the catalogue test that triggers ``slug``, checked with returns: every message in
    # every return speaks to the enterprise or institution that reads it.
    args = CORPUS[slug](tmp_path)
    out = tmp_path / "out"
    result = run_cli("check", *args, "--period", PERIOD, "--out", out, "--split-by", "institution")
    assert result.code in (0, 1), result.stderr
    messages = []
    for path in out.glob("退回_*.xlsx"):
        book = load_workbook(path)
        for sheet in book.worksheets[1:]:
            rows = _cells(sheet)
            column = rows[0].index("问题说明（请按此改正）")
            messages += [str(r[column]) for r in rows[1:]]
    for message in messages:
        assert not CLERK_WORDING.search(message), f"{slug}: clerk wording in a return: {message}"


def test_returns__an_id_that_lost_its_digits_asks_the_sender_for_the_id_in_this_cell(make_xlsx, run_cli, tmp_path):
    lost = int(person(2)["id_number"][:15] + "000")
    rows = [[*roster_row(1), SCHOOL_A, "甲公司"], [*roster_row(2, id_number=lost), SCHOOL_A, "甲公司"]]
    out = tmp_path / "out"
    result = run_cli(
        "check", make_xlsx({"花名册": [HEADER, *rows]}), "--period", PERIOD, "--out", out, "--split-by", "institution"
    )
    assert result.code == 1, result.stderr
    lines = _cells(load_workbook(out / "退回_甲技工学校.xlsx")["花名册问题"])
    head = lines[0]
    line = dict(zip(head, lines[1], strict=True))
    assert line["行号"] == 3
    assert line["身份证号码"] == f"{lost / 1e17:.5f}".rstrip("0") + "E+17"
    assert line["问题说明（请按此改正）"] == (
        f"1. 身份证号码被 Excel 存成了数字，后几位已丢失：Excel 中显示为 {line['身份证号码']}，表中已找不回原号码；"
        "请在此格填写此人正确的 18 位身份证号码（先把单元格设为文本）"
    )
    # The clerk's own file keeps the clerk's words: ask the sender.
    clerk = load_workbook(out / "exceptions.xlsx")["花名册问题"]
    assert any("请向报送单位要来此人正确的身份证号码" in str(c) for r in clerk.iter_rows(values_only=True) for c in r)
