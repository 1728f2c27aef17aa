"""``skillcli payout`` end to end: a real workbook in, every output file read back and checked.

Expected amounts are computed here from the policy document's numbers (S2c), not copied from
the program's output: e.g. A8 中级工 1500 元 × 1.3 for a shortage occupation = 1950.00 元.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from skillcli.io import fastxlsx
from tests.support.amounts import yuan
from tests.support.ids import valid_id
from tests.support.rosters import (
    ATTENDANCE_HEADER,
    CERT_HEADER,
    ENTERPRISE,
    PAYOUT_HEADER,
    attendance,
    certificate,
    payout_row,
)
from tests.support.workbooks import read_csv

# Person numbers double as the ID sequence; the same number is the same person.
ROSTER = [
    payout_row(
        1, "张伟", "技能提升", "电工", "四级/中级工", "2021-03-01", "2021-05-31", payer="个人"
    ),  # A8 × 1.3, to person
    payout_row(
        2, "李娜", "技能提升", "车工", "三级/高级工", "2021-03-01", "2021-05-31", payer="企业"
    ),  # A8 to enterprise
    payout_row(3, "王芳", "技能提升", "车工", "三级/高级工", "2021-03-01", "2021-05-31", pensioner="是"),  # E8
    payout_row(
        4, "赵强", "以工代训", "车工", "无等级", "2021-01-01", "2021-04-15", category="就业困难人员"
    ),  # 3 months
    payout_row(5, "钱军", "以工代训", "车工", "无等级", "2020-09-01", "2021-05-31", category="零就业家庭成员"),  # 9 → 6
    payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10", advance="100"),  # 300 − 100
    payout_row(
        7,
        "周杰",
        "专项能力培训",
        "育婴员",
        "五级/初级工",
        "2021-05-01",
        "2021-05-20",
        category="低保家庭成员",
        payer="机构",
    ),  # A16 per day
    payout_row(
        8,
        "吴敏",
        "专项能力培训",
        "育婴员",
        "五级/初级工",
        "2021-05-01",
        "2021-05-20",
        category="低保家庭成员",
        payer="机构",
    ),  # no attendance
    payout_row(
        9, "郑涛", "特种作业培训", "电工", "无等级", "2021-04-01", "2021-04-20", fee="650", payer="个人"
    ),  # min(650, 800)
    payout_row(
        10, "冯刚", "特种作业培训", "焊工", "无等级", "2021-04-01", "2021-04-20", fee="1200", payer="个人"
    ),  # min(1200, 800)
    payout_row(
        11, "陈洋", "新型学徒制", "数控车工", "四级/中级工", "2020-01-01", "2021-06-15", filed="2021-12-31"
    ),  # 17 months
    payout_row(
        1, "张伟", "技能提升", "电工", "四级/中级工", "2021-04-01", "2021-06-20", payer="个人", class_id="C13"
    ),  # E2 repeat
    payout_row(12, "褚霞", "专项能力培训", "电子商务", "专项能力", "2021-04-01", "2021-04-20"),  # no rule
]
CERTS = [
    certificate(1, "张伟", "S000032000001214000001", "电工", "四级/中级工", "2021-06-10"),
    certificate(2, "李娜", "S000032000001213000002", "车工", "三级/高级工", "2021-06-10"),
    certificate(3, "王芳", "S000032000001213000003", "车工", "三级/高级工", "2021-06-10"),
    certificate(9, "郑涛", "T2021-0009", "电工", "无等级", "2021-04-25", kind="特种作业操作证"),
    certificate(10, "冯刚", "T2021-0010", "焊工", "无等级", "2021-04-25", kind="特种作业操作证"),
    certificate(1, "张伟", "S000032000001214000011", "电工", "四级/中级工", "2021-06-25"),
]
ATTENDANCE = [ATTENDANCE_HEADER, attendance(7, "周杰", 15, 12)]

# Hand-computed from S2c, row by row (Excel row = list index + 2).
EXPECTED_PAID = {
    2: ("A8", yuan(Decimal(1500) * Decimal("1.3")), "person", valid_id(seq="011")),
    3: ("A8", yuan(2000), "enterprise", ENTERPRISE),
    5: ("A6", yuan(500 * 3), "enterprise", ENTERPRISE),
    6: ("A6", yuan(500 * 6), "enterprise", ENTERPRISE),
    7: ("A5", yuan(300 - 100), "enterprise", ENTERPRISE),
    8: ("A16", yuan(Decimal(995) * 12 / 30), "person", valid_id(seq="071")),
    10: ("A12", yuan(650), "person", valid_id(seq="091")),
    11: ("A12", yuan(800), "person", valid_id(seq="101")),
    12: ("A11", yuan(Decimal(4000) * 17 / 12), "enterprise", ENTERPRISE),
}
EXPECTED_EXCEPTIONS = {9: "payout.no-attendance", 13: "limit.no-repeat"}
EXPECTED_INELIGIBLE = {4: "E8", 14: "policy.no-rule"}


@pytest.fixture
def suzhou_batch(make_xlsx: Any) -> Path:
    return make_xlsx(
        {"花名册": [PAYOUT_HEADER, *ROSTER], "证书": [CERT_HEADER, *CERTS], "考勤": ATTENDANCE}, name="suzhou.xlsx"
    )


# The shortage catalogue and the living standard by year are not in the document: the rules file ships them
# empty, and a district supplies them for its run, as this batch does (电工 a shortage occupation; 2020's
# standard 995 yuan a month, a value for the test).
SUPPLIED = ("--param", "shortage_occupations=电工", "--param", "living_standard_month=2020:995")


def run_payout(run_cli: Any, batch: Path, out: Path, *extra: object) -> Any:
    return run_cli("payout", batch, "--policy", "suzhou-2019", "--period", "2021-06", "--out", out, *SUPPLIED, *extra)


def test_payout__suzhou_lines_match_the_document(run_cli: Any, suzhou_batch: Path, tmp_path: Path) -> None:
    result = run_payout(run_cli, suzhou_batch, tmp_path / "out")
    assert result.code == 1, result.stderr  # paid with exceptions
    lines = read_csv(tmp_path / "out" / "payouts.csv")
    by_person_rule = {(line["person_id"], line["rule"]): line for line in lines}
    assert len(lines) == len(EXPECTED_PAID)
    for rule, amount, payee_type, payee_id in EXPECTED_PAID.values():
        matches = [
            line
            for line in lines
            if line["rule"] == rule and line["payee_id"] == payee_id and Decimal(line["amount_yuan"]) == amount
        ]
        assert matches, f"missing {rule} {amount} to {payee_type}"
        assert matches[0]["payee_type"] == payee_type
    assert by_person_rule[(valid_id(seq="011"), "A8")]["amount_yuan"] == "1950.00"
    assert by_person_rule[(valid_id(seq="111"), "A11")]["amount_yuan"] == "5666.67"  # 4000 × 17 / 12, half-up
    for line in lines:
        assert line["amount_yuan"].count(".") == 1 and len(line["amount_yuan"].split(".")[1]) == 2
        assert line["clause"].startswith("S2c")


def test_payout__every_row_ends_in_exactly_one_outcome(run_cli: Any, suzhou_batch: Path, tmp_path: Path) -> None:
    result = run_payout(run_cli, suzhou_batch, tmp_path / "out", "--json")
    payload = result.json
    counts = payload["counts"]
    assert counts["rows"] == len(ROSTER)
    assert counts["paid"] + counts["exception"] + counts["ineligible"] == len(ROSTER)
    assert counts["paid"] == len(EXPECTED_PAID)
    exceptions = read_csv(tmp_path / "out" / "exceptions.csv")
    assert {int(e["row"]): e["code"] for e in exceptions} == EXPECTED_EXCEPTIONS
    # Each held roster row names its trainee, as the 异常 sheet does.
    roster_names = {row[PAYOUT_HEADER.index("姓名")] for row in ROSTER}
    assert all(e["name"] in roster_names for e in exceptions), [e["name"] for e in exceptions]
    assert csv_header(tmp_path / "out" / "exceptions.csv") == [
        "文件",
        "工作表",
        "行号",
        "列",
        "值",
        "代码",
        "级别",
        "说明",
        "身份证号码",
        "姓名",
    ]
    ineligible = read_csv(tmp_path / "out" / "ineligible.csv")
    assert csv_header(tmp_path / "out" / "ineligible.csv") == ["身份证号码", "姓名", "培训类型", "原因代码", "原因"]
    assert sorted(i["reason_code"] for i in ineligible) == sorted(EXPECTED_INELIGIBLE.values())
    repeat = next(e for e in exceptions if e["code"] == "limit.no-repeat")
    assert "已在「花名册」第 2 行享受" in repeat["message_zh"]  # names the earlier training it repeats


def csv_header(path: Path) -> list[str]:
    """The header line of a CSV skillcli wrote, which must start with the BOM Excel needs."""
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), path.name
    return data[3:].decode("utf-8").splitlines()[0].split(",")


def test_payout__csvs_follow_lang_and_the_ledger_gives_the_same_bytes_back(
    run_cli: Any, suzhou_batch: Path, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger.sqlite"
    assert run_cli("ledger", "init", "--ledger", ledger).code == 0
    result = run_payout(run_cli, suzhou_batch, tmp_path / "en", "--lang", "en", "--ledger", ledger, "--commit")
    assert result.code == 1, result.stderr
    en = tmp_path / "en"
    # English: the names and values a script reads, as README's table lists them.
    assert csv_header(en / "payouts.csv") == [
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
    ]
    assert csv_header(en / "ineligible.csv") == ["person_id", "name", "training_type", "reason_code", "reason"]
    assert csv_header(en / "exceptions.csv")[-4:] == ["message_zh", "message_en", "person_id", "name"]
    with (en / "payouts.csv").open(encoding="utf-8-sig", newline="") as handle:
        english = list(csv.DictReader(handle))
    assert {line["payee_type"] for line in english} == {"person", "enterprise"}
    # Chinese (the default): Chinese headers and payee types, the same lines and amounts.
    run_payout(run_cli, suzhou_batch, tmp_path / "zh")
    with (tmp_path / "zh" / "payouts.csv").open(encoding="utf-8-sig", newline="") as handle:
        chinese = list(csv.DictReader(handle))
    assert list(chinese[0]) == [
        "身份证号码",
        "姓名",
        "补贴项目",
        "职业(工种)",
        "等级",
        "收款方类型",
        "收款方代码",
        "收款方名称",
        "金额(元)",
        "规则",
        "条款",
    ]
    assert {line["收款方类型"] for line in chinese} == {"个人", "企业"}
    assert [(c["规则"], c["金额(元)"]) for c in chinese] == [(e["rule"], e["amount_yuan"]) for e in english]
    with (tmp_path / "zh" / "exceptions.csv").open(encoding="utf-8-sig", newline="") as handle:
        held = list(csv.DictReader(handle))
    assert {h["级别"] for h in held} <= {"错误", "警告"} and held
    # The ledger gives the run's payouts.csv back byte for byte in the language it was written in.
    (run,) = run_cli("ledger", "runs", "--ledger", ledger, "--json").json["runs"]
    shown = run_cli("ledger", "show", run["run_id"], "--out", tmp_path / "again", "--ledger", ledger, "--lang", "en")
    assert shown.code == 0, shown.stderr
    assert (tmp_path / "again" / "payouts.csv").read_bytes() == (en / "payouts.csv").read_bytes()
    run_cli("ledger", "show", run["run_id"], "--out", tmp_path / "again_zh", "--ledger", ledger)
    assert (tmp_path / "again_zh" / "payouts.csv").read_bytes() == (tmp_path / "zh" / "payouts.csv").read_bytes()


def test_payout__workbook_for_the_finance_officer(run_cli: Any, suzhou_batch: Path, tmp_path: Path) -> None:
    run_payout(run_cli, suzhou_batch, tmp_path / "out")
    book = openpyxl.load_workbook(tmp_path / "out" / "payouts.xlsx")
    assert book.sheetnames == ["汇总", "明细", "异常", "不符合条件", "说明"]
    detail = book["明细"]
    assert detail.freeze_panes == "A2"
    assert detail.auto_filter.ref is not None
    header = [c.value for c in detail[1]]
    amount_col = header.index("本次发放") + 1
    amounts = [detail.cell(r, amount_col) for r in range(2, detail.max_row + 1)]
    assert all(c.number_format == "#,##0.00" for c in amounts)
    total = sum(Decimal(str(c.value)) for c in amounts)
    expected_total = sum(v[1] for v in EXPECTED_PAID.values())
    assert total.quantize(Decimal("0.01")) == expected_total
    summary = book["汇总"]
    labels = {summary.cell(r, 1).value: summary.cell(r, 3).value for r in range(1, summary.max_row + 1)}
    assert Decimal(str(labels["本次发放合计（控制总额）"])).quantize(Decimal("0.01")) == expected_total
    about = {book["说明"].cell(r, 1).value: book["说明"].cell(r, 2).value for r in range(1, book["说明"].max_row + 1)}
    rules_file = Path(__file__).resolve().parents[1] / "rules" / "suzhou-2019.yaml"
    assert about["规则文件校验码"] == hashlib.sha256(rules_file.read_bytes()).hexdigest()
    for sheet in book.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"


def test_payout__about_sheet_reads_as_a_page_for_a_person(
    run_cli: Any, suzhou_batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    for lang in ("zh", "en"):
        run_payout(run_cli, suzhou_batch, tmp_path / lang, "--lang", lang)
    zh = list(openpyxl.load_workbook(tmp_path / "zh" / "payouts.xlsx")["说明"].iter_rows(values_only=True))
    about = {label: value for label, value in zh if label}
    # The source document as a line of text, the time in Beijing time (the bureaus are in China).
    assert about["文件依据"] == (
        "S2c《苏州市职业技能提升行动实施方案（2019~2021年）（贯彻国办发〔2019〕24号、苏政办发〔2019〕71号）》"
        "（seeds/002_df9fe65180236068.txt）"
    )
    assert about["生成时间"] == "2023-11-15 06:13:20（北京时间）"
    # A note about a table says which table it is about.
    hints = [value for label, value in zh if label == "提示"]
    assert any("本表没有" in h for h in hints)
    assert all(h.startswith("suzhou.xlsx「花名册」：本表没有") for h in hints if "本表" in h)
    en_rows = list(openpyxl.load_workbook(tmp_path / "en" / "payouts.xlsx")["说明"].iter_rows(values_only=True))
    en = {label: value for label, value in en_rows if label}
    assert en["generated"] == "2023-11-15 06:13:20 (Beijing time, UTC+8)"
    assert en["source"].startswith("S2c 《苏州市") and en["source"].endswith("(file seeds/002_df9fe65180236068.txt)")
    en_hints = [value for label, value in en_rows if label == "hint"]
    assert len(en_hints) == len(hints)
    assert any("this sheet has no" in h for h in en_hints)
    assert all(h.startswith("suzhou.xlsx, sheet 花名册: this sheet has no") for h in en_hints if "this sheet" in h)
    # manifest.json keeps ISO UTC, for machines.
    manifest = json.loads((tmp_path / "zh" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generated_at"] == "2023-11-14T22:13:20+00:00"


def test_payout__manifest_hashes_the_inputs_and_outputs(run_cli: Any, suzhou_batch: Path, tmp_path: Path) -> None:
    run_payout(run_cli, suzhou_batch, tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"][0]["sha256"] == hashlib.sha256(suzhou_batch.read_bytes()).hexdigest()
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((tmp_path / "out" / name).read_bytes()).hexdigest() == digest
    assert manifest["totals_fen"]["total_fen"] == int(sum(v[1] for v in EXPECTED_PAID.values()) * 100)
    assert manifest["policy"]["id"] == "suzhou-2019"


def test_payout__param_override_changes_the_amount(run_cli: Any, suzhou_batch: Path, tmp_path: Path) -> None:
    # The living standard is a dated table: the 2021 trainings take the 2020 value, here overridden to 1200.
    run_payout(run_cli, suzhou_batch, tmp_path / "out", "--param", "living_standard_month=2020:1200")
    lines = read_csv(tmp_path / "out" / "payouts.csv")
    a16 = next(line for line in lines if line["rule"] == "A16")
    assert Decimal(a16["amount_yuan"]) == yuan(Decimal(1200) * 12 / 30)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["policy"]["overridden"]) == ["living_standard_month", "shortage_occupations"]


def test_payout__two_runs_give_identical_csv_and_json(
    run_cli: Any, suzhou_batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = run_payout(run_cli, suzhou_batch, tmp_path / "a", "--json")
    second = run_payout(run_cli, suzhou_batch, tmp_path / "b", "--json")
    assert first.stdout == second.stdout
    for name in ("payouts.csv", "exceptions.csv", "ineligible.csv"):
        assert (tmp_path / "a" / name).read_bytes().replace(b"/a/", b"/x/") == (
            tmp_path / "b" / name
        ).read_bytes().replace(b"/b/", b"/x/")
    manifest_a = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    manifest_b = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest_a["outputs"]["payouts.csv"] == manifest_b["outputs"]["payouts.csv"]
    assert manifest_a["generated_at"] == manifest_b["generated_at"]


def test_payout__ids_masked_on_screen_unless_asked(run_cli: Any, suzhou_batch: Path, tmp_path: Path) -> None:
    full = valid_id(seq="011")
    masked = run_payout(run_cli, suzhou_batch, tmp_path / "a", "--json")
    assert full not in masked.stdout and full not in masked.stderr
    assert full[:6] + "*" * 8 + full[-4:] in masked.stdout
    shown = run_payout(run_cli, suzhou_batch, tmp_path / "b", "--json", "--show-ids")
    assert full in shown.stdout
    assert full in (tmp_path / "a" / "payouts.csv").read_text(encoding="utf-8-sig")  # files carry IDs in full


def test_payout__unknown_policy_and_bad_param_exit_2(run_cli: Any, suzhou_batch: Path, tmp_path: Path) -> None:
    unknown = run_cli("payout", suzhou_batch, "--policy", "nowhere-2020", "--period", "2021-06", "--out", tmp_path)
    assert unknown.code == 2 and "nowhere-2020" in unknown.stderr and "Traceback" not in unknown.stderr
    bad = run_payout(run_cli, suzhou_batch, tmp_path / "o", "--param", "no_such_thing=1")
    assert bad.code == 2 and "no_such_thing" in bad.stderr


def test_payout__clean_batch_exits_0(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    batch = make_xlsx(
        {"花名册": [PAYOUT_HEADER, payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10")]}
    )
    result = run_payout(run_cli, batch, tmp_path / "out")
    assert result.code == 0, result.stderr
    assert read_csv(tmp_path / "out" / "payouts.csv")[0]["amount_yuan"] == "300.00"


def test_payout__formulas_read_as_the_table_with_grouped_amounts(
    run_cli: Any, suzhou_batch: Path, tmp_path: Path
) -> None:
    run_payout(run_cli, suzhou_batch, tmp_path / "out")
    detail = openpyxl.load_workbook(tmp_path / "out" / "payouts.xlsx")["明细"]
    rows = list(detail.iter_rows(values_only=True))
    header = rows[0]
    formulas = {(r[header.index("姓名")], r[header.index("规则")]): r[header.index("计算")] for r in rows[1:]}
    # The table row, grouped amounts, the multiplier, then the result.
    assert formulas[("张伟", "A8")] == "四级/中级工 1,500.00 × 1.3（A9 紧缺职业（工种）提高30%） = 1,950.00"
    # A single term from the table is its own result: no 「2000.00 = 2000.00」.
    assert formulas[("李娜", "A8")] == "三级/高级工 2,000.00"
    # The months as counted (part_month: whole months only by default), then the cap.
    assert (
        formulas[("赵强", "A6")]
        == "2021-01-01～2021-04-15 计 3 个月（另 15 天不足一月，按参数 part_month 不计）× 500.00 = 1,500.00"
    )
    assert formulas[("钱军", "A6")] == "2020-09-01～2021-05-31 计 9 个月，最多 6 个月 × 500.00 = 3,000.00"
    assert formulas[("郑涛", "A12")] == "min(实际费用 650.00, 上限 800.00) = 650.00"
    assert formulas[("冯刚", "A12")] == "min(实际费用 1,200.00, 上限 800.00) = 800.00"
    for formula in formulas.values():
        assert not re.search(r"\d{4}\.\d{2}", formula), formula  # every amount of 1,000 or more grouped


def test_explain__shows_conditions_values_and_formula(run_cli: Any, suzhou_batch: Path) -> None:
    result = run_cli(
        "explain", valid_id(seq="011"), suzhou_batch, "--policy", "suzhou-2019", "--period", "2021-06", *SUPPLIED
    )
    assert result.code == 0, result.stderr
    text = result.stdout
    assert "A8" in text and "S2c 二(四)4" in text
    # The amount as its formula from the table row, amounts as printed on the payout.
    assert re.search(r"四级/中级工 1,500\.00 × 1\.3.* = 1,950\.00", text)
    # The screen prints the formula payouts.xlsx prints, once: no table row twice, no 「= itself」.
    assert "四级/中级工 四级" not in text and not re.search(r"(\d[\d,]*\.\d{2}) = \1", text)
    assert "「是否参保」须为 是" in text and "✓" in text
    # The second training of the same level: held by E2, said in Chinese where the line is, and
    # the rule under it does not read as paid.
    assert "暂不发放" in text and "原因：同一职业同一等级不可重复享受，已在「花名册」第" in text
    assert "条件满足，但本行暂不发放（原因见上）" in text
    for word in ("paid", "exception", "scope", "require", "amount", "limit.no-repeat", "→"):
        assert word not in text, word
    english = run_cli(
        "explain", valid_id(seq="011"), suzhou_batch, "--policy", "suzhou-2019", "--period", "2021-06", "--lang", "en"
    ).stdout
    assert "limit.no-repeat" in english and "paid" in english
    assert valid_id(seq="011") not in text  # masked on screen


def test_explain__finds_an_id_typed_as_a_clerk_types_it(run_cli: Any, suzhou_batch: Path) -> None:
    # Spaces, a lowercase x or full-width digits in the typed ID find the row check accepted (an independent
    # reader's "320506 19920521 1057" was "not on the roster").
    plain = valid_id(seq="011")
    typed = f"{plain[:6]} {plain[6:14]} {plain[14:]}".lower()
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in plain)
    base = (suzhou_batch, "--policy", "suzhou-2019", "--period", "2021-06", *SUPPLIED)
    expected = run_cli("explain", plain, *base).stderr
    for variant in (typed, wide, f"'{plain}"):
        result = run_cli("explain", variant, *base)
        assert result.code == 0, result.stderr
        assert result.stderr == expected


def test_payout__period_outside_dates_makes_rows_not_in_force(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    late = payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2023-05-01", "2023-05-10")
    batch = make_xlsx({"花名册": [PAYOUT_HEADER, late]})
    result = run_cli("payout", batch, "--policy", "suzhou-2019", "--period", "2023-06", "--out", tmp_path / "o")
    assert result.code == 0
    [row] = read_csv(tmp_path / "o" / "ineligible.csv")
    assert row["reason_code"] == "policy.not-in-force"
    # The 依据 is where the plan states its years, not the bare document.
    assert row["reason"].endswith("（S2c 一「2019年至2021年」）"), row["reason"]


def test_payout__reasons_for_rows_the_policy_does_not_cover_come_from_the_catalogue(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    # Row 2 ends after the batch month (not closed, said by its rule A8); row 3's training type has no rule.
    open_class = payout_row(1, "张伟", "技能提升", "电工", "四级/中级工", "2021-06-01", "2021-07-10")
    batch = make_xlsx({"花名册": [PAYOUT_HEADER, open_class, ROSTER[-1]]})
    result = run_payout(run_cli, batch, tmp_path / "o")
    assert result.code == 0, result.stderr
    ineligible = {r["reason_code"]: r["reason"] for r in read_csv(tmp_path / "o" / "ineligible.csv")}
    assert ineligible == {
        # The clause is the rule's (S2c: when it pays), not a note.
        "policy.not-closed": "A8：培训尚未结业（结业日期晚于批次月份），结业后再申报（S2c 二(四)4）",
        "policy.no-rule": "本政策没有适用于培训类型「专项能力培训」（及其人员类别）的补贴规则",
    }


def test_payout__blocking_error_holds_only_its_row(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    good = payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10")
    bad = payout_row(7, "周杰", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10")
    bad[1] = bad[1][:-1] + ("1" if bad[1][-1] != "1" else "2")  # wrong check character
    batch = make_xlsx({"花名册": [PAYOUT_HEADER, good, bad]})
    result = run_payout(run_cli, batch, tmp_path / "out", "--json")
    assert result.code == 1
    assert result.json["counts"] == {"rows": 2, "paid": 1, "exception": 1, "ineligible": 0, "lines": 1}
    exceptions = read_csv(tmp_path / "out" / "exceptions.csv")
    assert [(e["row"], e["code"]) for e in exceptions] == [("3", "id.checksum")]


def test_cli__log_file_gets_the_masked_output_even_when_quiet(run_cli: Any, suzhou_batch: Path, tmp_path: Path) -> None:
    log = tmp_path / "cron.log"
    result = run_cli(
        "--log-file",
        log,
        "payout",
        suzhou_batch,
        "--policy",
        "suzhou-2019",
        "--period",
        "2021-06",
        "--out",
        tmp_path / "out",
        *SUPPLIED,
        "--quiet",
    )
    assert result.code == 1
    assert result.stderr == ""  # quiet on the terminal
    text = log.read_text(encoding="utf-8")
    assert "花名册 13 行：发放 9" in text and "同一职业同一等级不可重复享受" in text
    from tests.support.ids import full_ids

    assert not full_ids(text)


# -- the less common reasons a row is held --------------------------------------------------------
def test_payout__an_attendance_error_holds_the_persons_roster_row(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    trainee = payout_row(
        7, "周杰", "就业技能培训", "育婴员", "五级/初级工", "2021-05-01", "2021-05-20", category="脱贫劳动力"
    )
    batch = make_xlsx({"花名册": [PAYOUT_HEADER, trainee], "考勤": [ATTENDANCE_HEADER, attendance(7, "周杰", 10, 12)]})
    result = run_payout(run_cli, batch, tmp_path / "o", "--json")
    held = [e for e in result.json["exceptions"] if e["row"] == 2 and e["sheet"] == "花名册"]
    assert [e["code"] for e in held] == ["payout.blocked-by-related"]
    # The attendance finding itself is listed too, so the payout's files say what to fix.
    cause = [e for e in result.json["exceptions"] if e["sheet"] == "考勤"]
    assert [(e["row"], e["code"]) for e in cause] == [(2, "attendance.present-exceeds-required")]
    assert "该人员在「考勤」第 2 行有一处错误" in held[0]["message_zh"]
    assert "attendance.present-exceeds-required" in held[0]["message_en"]
    # A finding about no cell has an empty 值 in exceptions.csv, its code in the code column.
    with (tmp_path / "o" / "exceptions.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    at = {name: i for i, name in enumerate(rows[0])}
    assert [r[at["值"]] for r in rows[1:] if r[at["代码"]] == "payout.blocked-by-related"] == [""]


def test_payout__a_roster_sheet_without_a_required_column_pays_no_row(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    no_type = [h for h in PAYOUT_HEADER if h != "培训类型"]
    rows = [[v for h, v in zip(PAYOUT_HEADER, r, strict=True) if h != "培训类型"] for r in ROSTER[:3]]
    result = run_payout(run_cli, make_xlsx({"花名册": [no_type, *rows]}), tmp_path / "o", "--json")
    assert result.json["counts"]["exception"] == 3
    codes = {e["code"] for e in result.json["exceptions"]}
    assert codes == {"payout.sheet-unusable"}
    assert all("培训类型" in e["message_zh"] for e in result.json["exceptions"])


def test_payout__certificate_rules_without_certificate_data_are_exceptions(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    upgrade = payout_row(1, "张伟", "技能提升", "电工", "四级/中级工", "2021-03-01", "2021-05-31", payer="个人")
    result = run_payout(run_cli, make_xlsx({"花名册": [PAYOUT_HEADER, upgrade]}), tmp_path / "o", "--json")
    assert [e["code"] for e in result.json["exceptions"]] == ["payout.no-certificate-data"]


def test_payout__an_enterprise_payee_without_its_credit_code_is_held(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    prejob = payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10")
    prejob[4] = ""  # 统一社会信用代码 blank: A5 pays the enterprise
    result = run_payout(run_cli, make_xlsx({"花名册": [PAYOUT_HEADER, prejob]}), tmp_path / "o", "--json")
    assert [(e["code"], e["column"]) for e in result.json["exceptions"]] == [
        ("payout.payee-missing", "统一社会信用代码")
    ]


def test_payout__an_advance_equal_to_the_entitlement_leaves_nothing_to_pay(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    prejob = payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10", advance="150")
    # 150 of 300 is the 50 % the policy allows (E10); the whole 300 advanced is "fully advanced".
    full = payout_row(7, "周杰", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10", advance="300")
    result = run_payout(run_cli, make_xlsx({"花名册": [PAYOUT_HEADER, prejob, full]}), tmp_path / "o", "--json")
    assert [(line["row"], line["amount_fen"]) for line in result.json["lines"]] == [(2, 15000)]
    assert [(e["row"], e["code"], e["severity"]) for e in result.json["exceptions"]] == [
        (3, "payout.fully-advanced", "warning")
    ]


def test_payout__a_blank_pension_column_is_read_as_no_with_a_warning(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    prejob = payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10", pensioner="")
    result = run_payout(run_cli, make_xlsx({"花名册": [PAYOUT_HEADER, prejob]}), tmp_path / "o", "--json")
    assert result.code == 0 and result.json["counts"]["paid"] == 1
    # One hint per field with its count, not one per row (docs/rules-format.md, blanks). The sheet has
    # no 是否紧缺职业 column, but 岗前培训 has no shortage rate: nothing to say about it.
    notes = [(w["row"], w["code"], w["column"]) for w in result.json["warnings"]]
    assert notes == [(None, "payout.blank-read-as", "是否领取养老金")]
    pension = result.json["warnings"][0]["message_zh"]
    assert "有 1 行为空" in pension and "按「否」处理" in pension

    # With a 技能提升 row (paid +30 % for a shortage occupation), the missing column does matter, for
    # that row only: the rules file's list decides it.
    skill = payout_row(1, "张伟", "技能提升", "电工", "四级/中级工", "2021-03-01", "2021-05-31")
    cert = certificate(1, "张伟", "S000032000001214000001", "电工", "四级/中级工", "2021-06-10")
    both = make_xlsx({"花名册": [PAYOUT_HEADER, prejob, skill], "证书": [CERT_HEADER, cert]}, name="both.xlsx")
    result = run_payout(run_cli, both, tmp_path / "o2", "--json")
    assert result.code == 0 and result.json["counts"]["paid"] == 2
    notes = [(w["row"], w["code"], w["column"]) for w in result.json["warnings"]]
    assert notes == [
        (None, "payout.absent-read-as", "是否紧缺职业"),
        (None, "payout.blank-read-as", "是否领取养老金"),
    ]
    assert "其 1 行都按「规则文件的紧缺职业目录」处理" in result.json["warnings"][0]["message_zh"]


def test_payout__detail_sheet_continues_past_excels_row_limit(
    run_cli: Any, suzhou_batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastxlsx, "EXCEL_MAX_ROWS", 6)  # 5 lines a sheet: the 9 paid lines need two
    run_payout(run_cli, suzhou_batch, tmp_path / "out")
    book = openpyxl.load_workbook(tmp_path / "out" / "payouts.xlsx")
    assert book.sheetnames[:3] == ["汇总", "明细1", "明细2"]
    lines = [r for name in ("明细1", "明细2") for r in book[name].iter_rows(min_row=2, values_only=True)]
    assert [r[0] for r in lines] == list(range(1, 10))
    paid = read_csv(tmp_path / "out" / "payouts.csv")
    assert sorted(Decimal(str(r[12])).quantize(Decimal("0.01")) for r in lines) == sorted(
        Decimal(p["amount_yuan"]) for p in paid
    )


# An amount of 1,000 yuan or more written without its thousands separator, in text meant to be read.
UNGROUPED = re.compile(r"(?<![\d,.])\d{4,}\.\d{2}(?!\d)")


def test_payout__every_amount_in_a_message_is_grouped(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    """Advances of thousands of yuan: each reason, note and formula the clerk reads writes 1,950.00, never 1950.00."""

    def trained(n: int, name: str, advance: str, payer: str = "企业") -> list[Any]:
        return payout_row(
            n, name, "技能提升", "车工", "三级/高级工", "2021-03-01", "2021-05-31", payer=payer, advance=advance
        )

    rows = [
        trained(2, "李娜", "5000"),  # more than the 2,000.00 due
        trained(3, "王芳", "1200"),  # more than the 50 % E10 allows
        trained(4, "赵强", "2000"),  # all of it
        trained(5, "钱军", "1000"),  # half: 1,000.00 left to pay
        trained(6, "孙丽", "1500", payer="个人"),  # paid to the person, which E10 does not advance
    ]
    certs = [certificate(n, name, f"S00003200000121300000{n}", "车工", "三级/高级工", "2021-06-10") for n, name in
             ((2, "李娜"), (3, "王芳"), (4, "赵强"), (5, "钱军"), (6, "孙丽"))]  # fmt: skip
    out = tmp_path / "o"
    result = run_payout(run_cli, make_xlsx({"花名册": [PAYOUT_HEADER, *rows], "证书": [CERT_HEADER, *certs]}), out)
    assert result.code == 1, result.stderr
    texts = {"stdout": result.stdout, "stderr": result.stderr}
    for name in ("exceptions.csv", "ineligible.csv"):
        texts[name] = (out / name).read_text(encoding="utf-8-sig")
    book = openpyxl.load_workbook(out / "payouts.xlsx")
    for sheet in book.worksheets:
        texts[sheet.title] = "\n".join(
            str(c) for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)
        )
    codes = {e["code"] for e in read_csv(out / "exceptions.csv")}
    assert {"payout.advance-exceeds", "payout.advance-over-share", "payout.fully-advanced"} <= codes, codes
    assert "已预拨 5,000.00 元超过应发金额 2,000.00 元" in texts["exceptions.csv"]
    ungrouped = {name: UNGROUPED.findall(text) for name, text in texts.items() if UNGROUPED.search(text)}
    assert not ungrouped, ungrouped
