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

from tests.conftest import valid_id, wrong_check, write_csv
from tests.test_payout_cli import CERT_HEADER, HEADER, row

POLICY = ("--policy", "suzhou-2019", "--period", "2021-06")
SHEETS = ["汇总", "新增", "删除", "修改", "补贴变化", "问题变化", "重复键"]


def roster() -> list[list[Any]]:
    return [
        row(1, "张伟", "技能提升", "电工", "四级/中级工", "2021-03-01", "2021-05-31", payer="个人"),  # A8 1500 × 1.3
        row(2, "李娜", "技能提升", "车工", "三级/高级工", "2021-03-01", "2021-05-31"),  # A8 2000 to the enterprise
        row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10"),  # A5 300
        row(9, "郑涛", "特种作业培训", "电工", "无等级", "2021-04-01", "2021-04-20", fee="650", payer="个人"),  # A12 650
    ]


def certificates() -> list[list[Any]]:
    return [
        CERT_HEADER,
        [valid_id(seq="011"), "张伟", "S000032000001214000001", "职业技能等级证书", "电工", "四级/中级工", "2021-06-10", "是"],
        [valid_id(seq="021"), "李娜", "S000032000001213000002", "职业技能等级证书", "车工", "三级/高级工", "2021-06-10", "是"],
        [valid_id(seq="091"), "郑涛", "T2021-0009", "特种作业操作证", "电工", "无等级", "2021-04-25", "是"],
    ]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


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
    new_roster.append(row(13, "何静", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10"))
    new_certs = certificates()
    new_certs[2][2:6] = ["S000032000001214000002", "职业技能等级证书", "车工", "四级/中级工"]
    old = make_xlsx({"花名册": [HEADER, *old_roster], "证书": certificates()}, name="第一次报送.xlsx")
    new = make_xlsx({"花名册": [HEADER, *new_roster], "证书": new_certs}, name="第二次报送.xlsx")
    return old, new


def test_diff__resubmission_rows_cells_and_payout(run_cli: Any, resubmission: tuple[Path, Path], tmp_path: Path) -> None:
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
    assert (payout["李娜"]["变化"], payout["李娜"]["旧金额(元)"], payout["李娜"]["新金额(元)"]) == ("金额变化", 2000, 1500)
    assert payout["李娜"]["差额(元)"] == -500
    assert (payout["郑涛"]["旧状态"], payout["郑涛"]["新状态"]) == ("异常", "发放")
    assert book["补贴变化"]["A1"].value.endswith("旧 4,250.00 元，新 4,400.00 元，差额 150.00 元")
    problems = sheet_rows(out / "diff.xlsx", "问题变化")
    assert [(p["状态"], p["代码"], p["旧工作表"], p["旧行号"]) for p in problems] == [
        ("已修正", "cert.not-on-roster", "证书", 4),
        ("已修正", "id.checksum", "花名册", 5),
    ]

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
