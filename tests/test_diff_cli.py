"""``skillcli diff`` end to end: two real submissions of a batch in, the diff read back and checked.

Expected amounts come from the policy document (S2c), not from the program: A8 技能提升 高级工
2000 元, 中级工 1500 元 (× 1.3 for a shortage occupation such as 电工); A12 特种作业 the fee up to
800 元; A5 岗前培训 300 元.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.support.ids import valid_id, wrong_check
from tests.support.rosters import ATTENDANCE_HEADER, CERT_HEADER, PAYOUT_HEADER, attendance, certificate, payout_row
from tests.support.workbooks import read_csv, write_csv

# Suzhou's shortage catalogue ships empty (issue 11): the batch is run with 电工 on it, as a district would.
POLICY = ("--policy", "suzhou-2019", "--period", "2021-06", "--param", "shortage_occupations=电工")
SHEETS = ["汇总", "新增", "删除", "修改", "补贴变化", "问题变化", "重复键"]


def roster() -> list[list[Any]]:
    return [
        payout_row(
            1, "张伟", "技能提升", "电工", "四级/中级工", "2021-03-01", "2021-05-31", payer="个人"
        ),  # A8 1500 × 1.3
        payout_row(
            2, "李娜", "技能提升", "车工", "三级/高级工", "2021-03-01", "2021-05-31"
        ),  # A8 2000 to the enterprise
        payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10"),  # A5 300
        payout_row(
            9, "郑涛", "特种作业培训", "电工", "无等级", "2021-04-01", "2021-04-20", fee="650", payer="个人"
        ),  # A12 650
    ]


def certificates() -> list[list[Any]]:
    """张伟's, 李娜's and 郑涛's certificates (new lists on each call, so a test may edit them)."""
    return [
        CERT_HEADER,
        certificate(1, "张伟", "S000032000001214000001", "电工", "四级/中级工", "2021-06-10"),
        certificate(2, "李娜", "S000032000001213000002", "车工", "三级/高级工", "2021-06-10"),
        certificate(9, "郑涛", "T2021-0009", "电工", "无等级", "2021-04-25", kind="特种作业操作证"),
    ]


def sheet_rows(path: Path, name: str, *, header_row: int = 1) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(path)[name]
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.fixture
def resubmission(make_xlsx: Any) -> tuple[Path, Path]:
    """The first submission and its corrected resubmission.

    Corrected: 郑涛's ID (a wrong check character in the first file), 李娜's level 三级 → 四级 with
    her certificate; removed: 孙丽; added: 何静.
    """
    old_roster = roster()
    old_roster[3][1] = wrong_check(valid_id(seq="091"))
    new_roster = roster()
    new_roster[1][7] = "四级/中级工"
    del new_roster[2]
    new_roster.append(payout_row(13, "何静", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10"))
    new_certs = certificates()
    new_certs[2][2:6] = ["S000032000001214000002", "职业技能等级证书", "车工", "四级/中级工"]
    old = make_xlsx({"花名册": [PAYOUT_HEADER, *old_roster], "证书": certificates()}, name="第一次报送.xlsx")
    new = make_xlsx({"花名册": [PAYOUT_HEADER, *new_roster], "证书": new_certs}, name="第二次报送.xlsx")
    return old, new


def test_diff__resubmission_rows_cells_and_payout(
    run_cli: Any, resubmission: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = resubmission
    result = run_cli("diff", old, new, *POLICY, "--json")
    assert result.code == 1, result.stderr
    payload = result.json
    assert payload["same"] is False
    assert payload["counts"] == {
        "roster": {"added": 1, "removed": 1, "changed": 2, "same": 1},
        "certificates": {"added": 0, "removed": 0, "changed": 1, "same": 2},
    }
    changed = {(r["kind"], r["name"]): r for r in payload["rows"] if r["change"] == "changed"}
    # The corrected ID pairs the two rows (same name and training): one row changed, not a loss and a gain.
    assert [(c["column"], c["old"], c["new"]) for c in changed[("roster", "郑涛")]["cells"]] == [
        ("id_number", "320506********0912", "320506********0911")
    ]
    assert (changed[("roster", "郑涛")]["old"]["row"], changed[("roster", "郑涛")]["new"]["row"]) == (5, 4)
    assert [(c["header"], c["old"], c["new"]) for c in changed[("roster", "李娜")]["cells"]] == [
        ("培训等级", "三级/高级工", "四级/中级工")
    ]
    assert {c["column"] for c in changed[("certificates", "李娜")]["cells"]} == {"cert_number", "level"}
    assert {(r["change"], r["name"]) for r in payload["rows"] if r["change"] != "changed"} == {
        ("added", "何静"),
        ("removed", "孙丽"),
    }

    effect = payload["payout"]
    by_name = {p["name"]: p for p in effect["changes"]}
    assert {n: (p["change"], p["old_fen"], p["new_fen"]) for n, p in by_name.items()} == {
        "郑涛": ("newly-paid", 0, 650_00),  # A12: the fee 650 is under the 800 cap
        "李娜": ("amount-changed", 2000_00, 1500_00),  # A8 高级工 → 中级工, 车工 is not a shortage occupation
        "孙丽": ("no-longer-paid", 300_00, 0),
        "何静": ("newly-paid", 0, 300_00),  # A5 岗前培训
    }
    assert by_name["郑涛"]["old_status"] == "exception" and "校验" in by_name["郑涛"]["reason_zh"]
    assert "培训等级: 三级/高级工 → 四级/中级工" in by_name["李娜"]["reason_zh"]
    assert effect["old_total_fen"] == 1950_00 + 2000_00 + 300_00
    assert effect["new_total_fen"] == 1950_00 + 1500_00 + 650_00 + 300_00
    assert effect["delta_fen"] == effect["new_total_fen"] - effect["old_total_fen"]

    fixed = [f for f in payload["findings"]["items"] if f["state"] == "fixed"]
    # The corrected ID also puts 郑涛's certificate back on the roster.
    assert [(f["code"], f["column"], f["row_change"], f["old"]["sheet"], f["old"]["row"], f["new"]) for f in fixed] == [
        ("cert.not-on-roster", "身份证号码", "same", "证书", 4, None),
        ("id.checksum", "身份证号码", "changed", "花名册", 5, None),
    ]
    assert payload["findings"]["counts"] == {"fixed": 2, "new": 0, "remaining": 0}


def test_diff__workbook_and_csvs(run_cli: Any, resubmission: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = resubmission
    out = tmp_path / "out"
    result = run_cli("diff", old, new, *POLICY, "--out", out)
    assert result.code == 1, result.stderr
    book = openpyxl.load_workbook(out / "diff.xlsx")
    assert book.sheetnames == SHEETS

    changed = book["修改"]
    header = [c.value for c in changed[1]]
    rows = {r[header.index("姓名")].value: r for r in changed.iter_rows(min_row=2)}
    level_cell = rows["李娜"][header.index("培训等级")]
    assert level_cell.value == "四级/中级工"
    assert level_cell.fill.fgColor.rgb.endswith("FFEB9C")
    assert level_cell.comment is not None and "三级/高级工" in level_cell.comment.text
    occupation_cell = rows["李娜"][header.index("职业(工种)")]
    assert occupation_cell.value == "车工" and occupation_cell.comment is None
    assert occupation_cell.fill.fgColor.rgb in (None, "00000000")
    id_cell = rows["郑涛"][header.index("身份证号码")]
    assert id_cell.value == valid_id(seq="091")  # files carry IDs in full
    assert id_cell.comment is not None and wrong_check(valid_id(seq="091")) in id_cell.comment.text
    assert rows["郑涛"][header.index("修改内容")].value.startswith("身份证号码: ")

    assert [(r["类型"], r["姓名"], r["行号"]) for r in sheet_rows(out / "diff.xlsx", "新增")] == [("花名册", "何静", 5)]
    assert [(r["类型"], r["姓名"], r["行号"]) for r in sheet_rows(out / "diff.xlsx", "删除")] == [("花名册", "孙丽", 4)]
    payout = {r["姓名"]: r for r in sheet_rows(out / "diff.xlsx", "补贴变化", header_row=2)}
    assert (payout["李娜"]["变化"], payout["李娜"]["旧金额(元)"], payout["李娜"]["新金额(元)"]) == (
        "金额变化",
        2000,
        1500,
    )
    assert payout["李娜"]["差额(元)"] == -500
    assert (payout["郑涛"]["旧状态"], payout["郑涛"]["新状态"]) == ("异常", "发放")
    assert book["补贴变化"]["A1"].value.endswith("旧 4,250.00 元，新 4,400.00 元，差额 150.00 元")
    problems = sheet_rows(out / "diff.xlsx", "问题变化")
    assert [(p["状态"], p["代码"], p["旧工作表"], p["旧行号"]) for p in problems] == [
        ("已修正", "cert.not-on-roster", "证书", 4),
        ("已修正", "id.checksum", "花名册", 5),
    ]

    # Chinese only: no English label or column, the code last (for support).
    assert list(problems[0])[-2:] == ["说明", "代码"]
    assert "Message" not in problems[0] and "Reason" not in payout["李娜"]
    summary = dict(book["汇总"].iter_rows(min_row=3, values_only=True))
    assert summary["结论"] == "有差异" and all(" / " not in str(label) for label in summary)
    assert "原值：三级/高级工" in level_cell.comment.text

    csv_payout = {r["name"]: r for r in read_csv(out / "diff-payout.csv")}
    assert (csv_payout["李娜"]["old_yuan"], csv_payout["李娜"]["new_yuan"], csv_payout["李娜"]["delta_yuan"]) == (
        "2000.00",
        "1500.00",
        "-500.00",
    )
    cells = read_csv(out / "diff-cells.csv")
    assert {(c["kind"], c["name"], c["column"], c["old_value"], c["new_value"]) for c in cells} >= {
        ("roster", "李娜", "level", "三级/高级工", "四级/中级工"),
        ("roster", "郑涛", "id_number", wrong_check(valid_id(seq="091")), valid_id(seq="091")),
    }
    assert sorted((r["change"], r["kind"], r["name"]) for r in read_csv(out / "diff-rows.csv")) == [
        ("added", "roster", "何静"),
        ("changed", "certificates", "李娜"),
        ("changed", "roster", "李娜"),
        ("changed", "roster", "郑涛"),
        ("removed", "roster", "孙丽"),
    ]
    assert [(f["state"], f["code"]) for f in read_csv(out / "diff-findings.csv")] == [
        ("fixed", "cert.not-on-roster"),
        ("fixed", "id.checksum"),
    ]
    # The CSVs follow --lang as payouts.csv does: Chinese headers and labels by default, no English column.
    assert csv_lines(out / "diff-rows.csv")[0][:6] == ["变化", "类型", "身份证号码", "姓名", "对比键", "键重复"]
    assert ["新增", "花名册", "何静"] in [line[:2] + line[3:4] for line in csv_lines(out / "diff-rows.csv")]
    findings = csv_lines(out / "diff-findings.csv")
    assert findings[0][:3] == ["状态", "代码", "级别"] and findings[0][-1] == "说明"
    assert findings[1][:3] == ["已修正", "cert.not-on-roster", "警告"]
    payout_lines = csv_lines(out / "diff-payout.csv")
    assert "reason_en" not in payout_lines[0] and "原因" in payout_lines[0]
    li_na = dict(zip(payout_lines[0], next(p for p in payout_lines if "李娜" in p), strict=True))
    assert (li_na["变化"], li_na["旧状态"], li_na["差额(元)"]) == ("金额变化", "发放", "-500.00")


def test_diff__workbook_in_english(run_cli: Any, resubmission: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = resubmission
    out = tmp_path / "out"
    assert run_cli("diff", old, new, *POLICY, "--out", out, "--lang", "en").code == 1
    book = openpyxl.load_workbook(out / "diff.xlsx")
    summary = dict(book["汇总"].iter_rows(min_row=3, values_only=True))
    assert summary["result"] == "they differ" and all(" / " not in str(label) for label in summary)
    problems = sheet_rows(out / "diff.xlsx", "问题变化")
    assert list(problems[0])[:3] == ["State", "Severity", "Column"] and list(problems[0])[-2:] == ["Message", "Code"]
    assert [(p["State"], p["Code"], p["Old row"]) for p in problems] == [
        ("fixed", "cert.not-on-roster", 4),
        ("fixed", "id.checksum", 5),
    ]
    payout = {r["Name"]: r for r in sheet_rows(out / "diff.xlsx", "补贴变化", header_row=2)}
    assert (payout["李娜"]["Change"], payout["李娜"]["Difference (yuan)"]) == ("amount-changed", -500)
    assert (payout["郑涛"]["Old status"], payout["郑涛"]["New status"]) == ("exception", "paid")
    assert book["补贴变化"]["A1"].value.endswith("old 4,250.00 yuan, new 4,400.00 yuan, difference 150.00 yuan")
    # The input's own columns keep the template's names, as in exceptions.xlsx.
    assert [(r["Kind"], r["姓名"], r["Row"]) for r in sheet_rows(out / "diff.xlsx", "新增")] == [("roster", "何静", 5)]
    changed = book["修改"]
    assert [c.value for c in changed[1]][:6] == ["Kind", "Old sheet", "Old row", "New sheet", "New row", "Changes"]
    # The CSVs in English keep the names and values scripts read.
    assert csv_lines(out / "diff-rows.csv")[0][:6] == ["change", "kind", "person_id", "name", "key", "duplicate"]
    findings = csv_lines(out / "diff-findings.csv")
    assert findings[0][-2:] == ["message_zh", "message_en"] and findings[1][:3] == [
        "fixed",
        "cert.not-on-roster",
        "warning",
    ]
    payout_lines = csv_lines(out / "diff-payout.csv")
    li_na = dict(zip(payout_lines[0], next(p for p in payout_lines if "李娜" in p), strict=True))
    assert (li_na["change"], li_na["old_status"], li_na["delta_yuan"]) == ("amount-changed", "paid", "-500.00")


def csv_lines(path: Path) -> list[list[str]]:
    """A CSV skillcli wrote, as its lines of cells (header first)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_diff__layout_and_format_are_not_changes(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    """xlsx old; csv and xlsx new with a title row, columns reordered, aliases and 2021.3.1 dates: the same."""
    old = make_xlsx({"花名册": [PAYOUT_HEADER, *roster()]}, name="old.xlsx")
    order = list(reversed(range(len(PAYOUT_HEADER))))
    aliases = {"身份证号码": "公民身份号码", "职业(工种)": "培训工种", "开班日期": "培训开始日期"}
    title = ["苏州精工机械有限公司 2021 年职工技能提升培训花名册"]
    header = [aliases.get(PAYOUT_HEADER[i], PAYOUT_HEADER[i]) for i in order]
    body = []
    for original in roster():
        values = [*original[:8], original[8].replace("-0", ".").replace("-", "."), *original[9:]]  # → 2021.3.1
        body.append([values[i] for i in order])
    assert body[0][order.index(8)] == "2021.3.1"
    new_csv = write_csv(tmp_path / "花名册.csv", [title, header, *body])
    from_csv = run_cli("diff", old, new_csv, "--json")
    assert from_csv.code == 0, from_csv.stderr
    assert from_csv.json["new"][0]["format"] == "csv"
    assert from_csv.json["counts"] == {"roster": {"added": 0, "removed": 0, "changed": 0, "same": 4}}

    new_xlsx = make_xlsx({"花名册": [title, header, *reversed(body)]}, name="new.xlsx")  # rows reordered too
    result = run_cli("diff", old, new_xlsx, "--json", "--out", tmp_path / "out")
    assert result.code == 0, result.stderr
    assert result.json["same"] is True and result.json["rows"] == []
    book = tmp_path / "out" / "diff.xlsx"
    for name in ("新增", "删除", "修改", "问题变化", "重复键"):
        assert sheet_rows(book, name) == []
    assert sheet_rows(book, "补贴变化", header_row=2) == []
    summary = dict(openpyxl.load_workbook(book)["汇总"].iter_rows(min_row=3, values_only=True))
    assert summary["结论"] == "两次报送相同"
    assert summary["花名册未变行"] == 4


def test_diff__a_column_or_sheet_only_one_file_has_is_a_difference(run_cli: Any, make_xlsx: Any) -> None:
    old = make_xlsx({"花名册": [PAYOUT_HEADER, *roster()], "证书": certificates()}, name="old.xlsx")
    new = make_xlsx({"花名册": [PAYOUT_HEADER[:-1], *(r[:-1] for r in roster())]}, name="new.xlsx")  # no 备案结束日期
    result = run_cli("diff", old, new, "--json")
    assert result.code == 1
    assert result.json["columns"]["roster"] == {"only_old": ["filed_end_date"], "only_new": []}
    assert result.json["counts"]["roster"]["same"] == 4
    assert result.json["counts"]["certificates"] == {"added": 0, "removed": 3, "changed": 0, "same": 0}


def test_diff__identical_batches_exit_0(run_cli: Any, resubmission: tuple[Path, Path]) -> None:
    old, _ = resubmission
    result = run_cli("diff", old, old, *POLICY, "--json")
    assert result.code == 0, result.stderr
    assert result.json["payout"]["changes"] == [] and result.json["payout"]["delta_fen"] == 0
    assert result.json["findings"]["counts"] == {"fixed": 0, "new": 0, "remaining": 2}
    assert "两次报送相同" in result.stderr


def test_diff__repeated_keys_are_reported_not_matched(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    """Two rows with one key: an unchanged twin is still the same row, a changed one cannot be paired."""
    twin = payout_row(2, "李娜", "技能提升", "车工", "三级/高级工", "2021-03-01", "2021-05-31")
    old_rows = [*roster(), twin, list(twin)]
    new_rows = [*roster(), twin, [*twin[:9], "2021-06-10", *twin[10:]]]
    old = make_xlsx({"花名册": [PAYOUT_HEADER, *old_rows]}, name="old.xlsx")
    new = make_xlsx({"花名册": [PAYOUT_HEADER, *new_rows]}, name="new.xlsx")
    result = run_cli("diff", old, new, "--json", "--out", tmp_path / "out")
    assert result.code == 1, result.stderr
    payload = result.json
    # Excel rows 3, 6 and 7 of each file share 李娜's key: one pair is identical, the other two differ.
    assert sorted((d["file"].endswith("new.xlsx"), d["row"]) for d in payload["duplicates"]) == [
        (False, 3),
        (False, 6),
        (False, 7),
        (True, 3),
        (True, 6),
        (True, 7),
    ]
    assert payload["duplicates"][0]["message_en"].startswith("several rows share the comparison key")
    assert "6、" in payload["duplicates"][0]["message_zh"] or "!6" in payload["duplicates"][0]["message_zh"]
    assert payload["counts"]["roster"] == {"added": 1, "removed": 1, "changed": 0, "same": 5}
    assert {(r["change"], r["duplicate"]) for r in payload["rows"]} == {("added", True), ("removed", True)}
    repeated = sheet_rows(tmp_path / "out" / "diff.xlsx", "重复键")
    assert len(repeated) == 6 and {r["代码"] for r in repeated} == {"diff.duplicate-key"}
    added = sheet_rows(tmp_path / "out" / "diff.xlsx", "新增")
    assert [(a["行号"], a["结业日期"], a["说明"]) for a in added] == [
        (7, "2021-06-10", "对比键在文件中重复，未能逐行对应")
    ]


def test_diff__attendance_and_certificates_have_their_own_keys(run_cli: Any, make_xlsx: Any) -> None:
    days = [ATTENDANCE_HEADER, attendance(1, "张伟", 15, 12), attendance(1, "张伟", 10, 10, class_id="C13")]
    corrected = [list(r) for r in days]
    corrected[2][4] = 9  # class C13: 10 → 9 days present
    certs = certificates()
    renumbered = [list(r) for r in certs]
    renumbered[3][2] = "T2021-0099"  # 郑涛's certificate number corrected
    old = make_xlsx({"考勤": days, "证书": certs}, name="old.xlsx")
    new = make_xlsx({"证书": renumbered, "考勤": corrected}, name="new.xlsx")
    payload = run_cli("diff", old, new, "--json").json
    assert payload["counts"] == {
        "attendance": {"added": 0, "removed": 0, "changed": 1, "same": 1},
        "certificates": {"added": 0, "removed": 0, "changed": 1, "same": 2},
    }
    cells = {r["kind"]: [(c["header"], c["old"], c["new"]) for c in r["cells"]] for r in payload["rows"]}
    assert cells == {
        "attendance": [("实际出勤天数", "10", "9")],
        "certificates": [("证书编号", "T20210009", "T20210099")],  # compared and shown as normalised
    }


def test_diff__bad_input_and_usage_exit_2(run_cli: Any, resubmission: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = resubmission
    missing = run_cli("diff", old, tmp_path / "nope.xlsx")
    assert missing.code == 2 and "nope.xlsx" in missing.stderr and "Traceback" not in missing.stderr
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    broken = run_cli("diff", old, garbage)
    assert broken.code == 2 and len(broken.stderr.strip().splitlines()) == 1
    assert run_cli("diff", old, new, "--policy", "suzhou-2019").code == 2  # no --period
    assert run_cli("diff", old, new, "--policy", "no-such-policy", "--period", "2021-06").code == 2
    assert run_cli("diff", old, new, "--param", "shortage_multiplier=1.5").code == 2  # --param needs --policy


def test_diff__ids_masked_on_screen_unless_asked(run_cli: Any, resubmission: tuple[Path, Path]) -> None:
    old, new = resubmission
    masked = run_cli("diff", old, new, *POLICY, "--json")  # run_cli fails on any full ID on screen
    assert "320506********0911" in masked.stderr and "320506********0911" in masked.stdout
    shown = run_cli("diff", old, new, *POLICY, "--show-ids")
    assert valid_id(seq="091") in shown.stdout


def test_diff__input_text_is_never_a_formula(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    old_rows = roster()
    new_rows = roster()
    new_rows[0][3] = '=HYPERLINK("http://x","点我")'  # 单位名称
    old = make_xlsx({"花名册": [PAYOUT_HEADER, *old_rows]}, name="old.xlsx")
    new = make_xlsx({"花名册": [PAYOUT_HEADER, *new_rows]}, name="new.xlsx")
    out = tmp_path / "out"
    assert run_cli("diff", old, new, "--out", out).code == 1
    sheet = openpyxl.load_workbook(out / "diff.xlsx")["修改"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("单位名称") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert cell.comment is not None and "苏州精工机械有限公司" in cell.comment.text
    cells = read_csv(out / "diff-cells.csv")
    assert [c["new_value"] for c in cells] == ['\'=HYPERLINK("http://x","点我")']


def test_diff__reads_the_ledger_it_is_given_and_writes_nothing(
    run_cli: Any, resubmission: tuple[Path, Path], tmp_path: Path
) -> None:
    """After the first submission was paid, the diff shows what the resubmission would pay on top."""
    old, new = resubmission
    ledger = tmp_path / "ledger.sqlite"
    assert run_cli("ledger", "init", "--ledger", ledger).code == 0  # only ledger init creates a ledger
    assert run_cli("payout", old, *POLICY, "--out", tmp_path / "paid", "--commit", "--ledger", ledger).code == 1
    runs_before = run_cli("ledger", "runs", "--ledger", ledger, "--json").json["runs"]
    result = run_cli("diff", old, new, *POLICY, "--ledger", ledger, "--json")
    assert result.code == 1, result.stderr
    by_name = {p["name"]: (p["change"], p["old_fen"], p["new_fen"]) for p in result.json["payout"]["changes"]}
    # The first file's claims are now "already paid" (nothing to pay again, 孙丽 removed changes
    # nothing); 李娜's corrected level is a new claim (A8 中级工 1500), 郑涛's corrected ID (A12 650)
    # and the added 何静 (A5 300) are not in the ledger.
    assert by_name == {
        "李娜": ("newly-paid", 0, 1500_00),
        "郑涛": ("newly-paid", 0, 650_00),
        "何静": ("newly-paid", 0, 300_00),
    }
    assert result.json["payout"]["old_total_fen"] == 0
    remaining = {f["code"] for f in result.json["findings"]["items"] if f["state"] == "remaining"}
    assert "ledger.already-paid" in remaining
    assert run_cli("ledger", "runs", "--ledger", ledger, "--json").json["runs"] == runs_before


def test_diff__two_key_fields_changed_is_a_removal_and_an_addition(run_cli: Any, make_xlsx: Any) -> None:
    """Pairing tolerates one corrected key field; a row with two changed is another training."""
    new_rows = roster()
    new_rows[1][6:8] = ["钳工", "四级/中级工"]  # 李娜: occupation and level both changed
    old = make_xlsx({"花名册": [PAYOUT_HEADER, *roster()]}, name="old.xlsx")
    new = make_xlsx({"花名册": [PAYOUT_HEADER, *new_rows]}, name="new.xlsx")
    payload = run_cli("diff", old, new, "--json").json
    assert payload["counts"]["roster"] == {"added": 1, "removed": 1, "changed": 0, "same": 3}
    assert {(r["change"], r["name"], r["key"]) for r in payload["rows"]} == {
        ("added", "李娜", "技能提升 | 钳工 | 四级/中级工 | 2021-03-01"),
        ("removed", "李娜", "技能提升 | 车工 | 三级/高级工 | 2021-03-01"),
    }
