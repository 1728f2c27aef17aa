"""Blanks, absent columns and unknown values, read one way everywhere (docs/rules-format.md).

Each test is one batch shape a district really sends, written to a real .xlsx and run through the
CLI. Amounts are worked out here from the documents (the clause is beside each), not copied from
the program: a blank never grants money and never withholds money that does not depend on it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from tests.support.ids import person_id, valid_uscc
from tests.support.workbooks import read_csv

ENTERPRISE = valid_uscc("91320214MA1XY8123")
COOPERATIVE = valid_uscc("93341502MA2N12345")  # 农民专业合作社: 93… credit code
INSTITUTION = valid_uscc("52140100MJ1234567")


def run_payout(run_cli: Any, batch: Path, policy: str, period: str, out: Path) -> Any:
    return run_cli("payout", batch, "--policy", policy, "--period", period, "--out", out, "--json", "--show-ids")


def lines_of(result: Any) -> list[tuple[int, str, str, str, str]]:
    """(row, rule, yuan, payee type, payee id) of every payment line."""
    return sorted(
        (
            line["row"],
            line["rule"],
            f"{Decimal(line['amount_fen']) / 100:.2f}",
            line["payee_type"],
            line["payee_id"],
        )
        for line in result.json["lines"]
    )


def notes_of(result: Any) -> list[tuple[str, str]]:
    return [(w["code"], w["column"]) for w in result.json["warnings"]]


def detail_rows(out: Path) -> list[dict[str, Any]]:
    """The 明细 sheet of payouts.xlsx, read back cell by cell."""
    sheet = openpyxl.load_workbook(out / "payouts.xlsx")["明细"]
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]


# -- (a) Wuxi: an apprenticeship roster without any online-hours column ------------------------------
WUXI_HEADER = [
    "姓名", "身份证号码", "单位名称", "统一社会信用代码", "培训类型", "职业(工种)", "培训等级",
    "开班日期", "结业日期", "劳动合同起始日期", "劳动合同终止日期", "考核结果",
]  # fmt: skip


def wuxi_row(n: int, occupation: str) -> list[Any]:
    return [
        f"学徒{'甲乙丙'[n - 1]}", person_id(n, area="320214"), "无锡精密机械有限公司", ENTERPRISE,
        "新型学徒制", occupation, "中级工", "2024-06-01", "2025-11-30", "2024-05-01", "2027-04-30", "合格",
    ]  # fmt: skip


def test_blanks__wuxi_roster_without_online_hours_pays_with_one_warning(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    attendance = [["身份证号码", "姓名", "应出勤天数", "实际出勤天数"]]
    attendance += [[wuxi_row(n, "")[1], wuxi_row(n, "")[0], 200, 196] for n in (1, 2, 3)]
    batch = make_xlsx(
        {"花名册": [WUXI_HEADER, *(wuxi_row(n, o) for n, o in ((1, "数控车工"), (2, "电工"), (3, "钳工")))],
         "考勤": attendance},
        name="wuxi.xlsx",
    )  # fmt: skip
    result = run_payout(run_cli, batch, "wuxi-2024", "2025-12", tmp_path / "out")
    assert result.code == 0, result.stderr
    # S3 二(九): 中级工 5000 per year × 18 whole months (2024-06-01 → 2025-12-01) ÷ 12 = 7500.00, to the enterprise.
    assert lines_of(result) == [(r, "A17", "7500.00", "enterprise", ENTERPRISE) for r in (2, 3, 4)]
    assert result.json["exceptions"] == []
    # One warning for the batch, not one per row: E14 could not be checked.
    # Wuxi readings R7: no 备案结束日期 column either, so E12.filed is also said once.
    assert notes_of(result) == [("payout.column-absent", "备案结束日期"), ("payout.column-absent", "线上学时占比")]
    note = result.json["warnings"][1]
    assert note["row"] is None and "E14 未核查" in note["message_zh"] and "E14" in note["message_en"]
    assert "提示：本批次没有「线上学时占比」列，E14 未核查" in result.stderr
    assert [r["本次发放"] for r in detail_rows(tmp_path / "out")] == [7500, 7500, 7500]
    about = openpyxl.load_workbook(tmp_path / "out" / "payouts.xlsx")["说明"]
    hints = [r[1] for r in about.iter_rows(values_only=True) if r[0] == "提示"]
    assert len(hints) == 2 and hints[1].startswith("本批次没有「线上学时占比」列，E14 未核查")


def test_blanks__a_trainee_without_hours_in_a_batch_that_has_them_stays_an_exception(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    # The column exists, so E14 is checked; the one apprentice without hours cannot be decided.
    attendance = [["身份证号码", "姓名", "线上学时", "总学时"], [wuxi_row(1, "")[1], "学徒甲", 100, 400]]
    batch = make_xlsx({"花名册": [WUXI_HEADER, wuxi_row(1, "数控车工"), wuxi_row(2, "电工")], "考勤": attendance})
    result = run_payout(run_cli, batch, "wuxi-2024", "2025-12", tmp_path / "out")
    assert result.code == 1
    assert lines_of(result) == [(2, "A17", "7500.00", "enterprise", ENTERPRISE)]
    assert [(e["row"], e["code"]) for e in result.json["exceptions"]] == [(3, "payout.no-attendance")]
    assert notes_of(result) == [("payout.column-absent", "备案结束日期")]  # Wuxi readings R7


# -- (b) Shanxi: a certificate roster with 人员类别 blank for ordinary trainees -----------------------
SHANXI_HEADER = [
    "姓名", "身份证号码", "人员类别", "单位名称", "统一社会信用代码", "培训类型", "职业(工种)", "培训等级",
    "开班日期", "结业日期", "培训机构", "机构统一社会信用代码", "出资方",
]  # fmt: skip
CERT_HEADER = ["身份证号码", "姓名", "证书编号", "证书类型", "职业(工种)", "等级", "发证日期"]


def shanxi_row(
    n: int, training: str, occupation: str, level: str, category: str = "", payer: str = "企业"
) -> list[Any]:
    return [
        f"学员{'甲乙丙丁戊'[n - 1]}", person_id(n, area="140105"), category, "太原重型机械有限公司",
        ENTERPRISE, training, occupation, level, "2020-03-02", "2020-04-30", "太原市职业技能培训学校", INSTITUTION,
        payer,
    ]  # fmt: skip


def cert(n: int, number: str, kind: str, occupation: str, level: str) -> list[Any]:
    return [person_id(n, area="140105"), f"学员{'甲乙丙丁戊'[n - 1]}", number, kind, occupation, level,
            "2020-05-20"]  # fmt: skip


def test_blanks__shanxi_blank_category_pays_the_certificate_subsidy(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    roster = [
        shanxi_row(1, "技能提升", "电工", "五级/初级工"),
        shanxi_row(2, "技能提升", "焊工", "三级/高级工"),
        shanxi_row(3, "专项能力培训", "中式面点", "专项能力"),  # A3 is about 专项能力培训 of 脱贫劳动力 only
    ]
    certs = [
        cert(1, "S000014000001205000001", "职业技能等级证书", "电工", "五级/初级工"),
        cert(2, "S000014000001203000002", "职业技能等级证书", "焊工", "三级/高级工"),
        cert(3, "ZX2020-0003", "专项职业能力证书", "中式面点", "专项能力"),
    ]
    batch = make_xlsx({"花名册": [SHANXI_HEADER, *roster], "证书": [CERT_HEADER, *certs]}, name="shanxi.xlsx")
    result = run_payout(run_cli, batch, "shanxi-2019", "2020-06", tmp_path / "out")
    assert result.code == 0, result.stderr
    # S2a 二(六): 初级工 300, 高级工 600, 专项能力 150, to the enterprise that organised it free (出资方 企业).
    assert lines_of(result) == [
        (2, "A4", "300.00", "enterprise", ENTERPRISE),
        (3, "A4", "600.00", "enterprise", ENTERPRISE),
        (4, "A4", "150.00", "enterprise", ENTERPRISE),
    ]
    assert result.json["exceptions"] == []
    # Blank 人员类别 = no special group: A3 is not about these rows, nothing is held; one hint line.
    assert notes_of(result) == [("payout.blank-read-as", "人员类别")]
    assert "「人员类别」有 3 行为空" in result.json["warnings"][0]["message_zh"]
    assert "无特殊人员类别" in result.json["warnings"][0]["message_zh"]


def test_blanks__one_rule_held_does_not_hold_the_rows_other_subsidy(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    # A 脱贫劳动力 trained free by an institution: A3 (living allowance per attended day) has no
    # attendance to count, A4 (certificate subsidy) needs none. A3's line is held, A4 is paid.
    roster = [shanxi_row(1, "专项能力培训", "中式面点", "专项能力", category="脱贫劳动力", payer="机构")]
    certs = [cert(1, "ZX2020-0001", "专项职业能力证书", "中式面点", "专项能力")]
    batch = make_xlsx({"花名册": [SHANXI_HEADER, *roster], "证书": [CERT_HEADER, *certs]})
    result = run_payout(run_cli, batch, "shanxi-2019", "2020-06", tmp_path / "out")
    assert result.code == 1  # something to look at
    assert lines_of(result) == [(2, "A4", "150.00", "institution", INSTITUTION)]
    assert result.json["counts"]["paid"] == 1 and result.json["counts"]["exception"] == 0
    held = [(e["row"], e["code"]) for e in result.json["exceptions"]]
    assert held == [(2, "payout.no-attendance")]
    assert result.json["exceptions"][0]["message_zh"].startswith("A3 ")
    # No attendance sheet in the batch: the message says to send one, not which column is missing.
    assert result.json["exceptions"][0]["message_zh"].endswith(
        "没有该学员可用的考勤记录，不按 0 计，本项暂不发放；本批次没有考勤表：请随花名册报送考勤表，填写此人的出勤天数或学时"
    )
    book = openpyxl.load_workbook(tmp_path / "out" / "payouts.xlsx")
    exc = book["异常"]
    header = [c.value for c in exc[1]]
    # The Chinese workbook holds the message, not the code; exceptions.csv keeps the code for support.
    assert [
        (r[header.index("行号")], r[header.index("说明")][:3]) for r in exc.iter_rows(min_row=2, values_only=True)
    ] == [(2, "A3 ")]
    assert [r["code"] for r in read_csv(tmp_path / "out" / "exceptions.csv")] == ["payout.no-attendance"]


def test_blanks__a_likely_alias_holds_only_the_rule_it_decides(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    roster = [
        shanxi_row(1, "专项能力培训", "中式面点", "专项能力", category="贫困户", payer="机构"),  # A3 would apply
        shanxi_row(2, "技能提升", "电工", "五级/初级工", category="贫困户"),  # no rule of 技能提升 tests 人员类别
        # A3 pays free training only: a trainee who paid (出资方 个人) is not covered whatever 贫困户 means.
        shanxi_row(3, "专项能力培训", "中式面点", "专项能力", category="贫困户", payer="个人"),
    ]
    certs = [
        cert(1, "ZX2020-0001", "专项职业能力证书", "中式面点", "专项能力"),
        cert(2, "S000014000001205000002", "职业技能等级证书", "电工", "五级/初级工"),
        cert(3, "ZX2020-0003", "专项职业能力证书", "中式面点", "专项能力"),
    ]
    attendance = [["身份证号码", "姓名", "应出勤天数", "实际出勤天数"], [roster[0][1], roster[0][0], 10, 10]]
    batch = make_xlsx({"花名册": [SHANXI_HEADER, *roster], "证书": [CERT_HEADER, *certs], "考勤": attendance})
    result = run_payout(run_cli, batch, "shanxi-2019", "2020-06", tmp_path / "out")
    assert result.code == 1
    assert lines_of(result) == [
        (2, "A4", "150.00", "institution", INSTITUTION),
        (3, "A4", "300.00", "enterprise", ENTERPRISE),
    ]
    # Row 4: A4 refuses 出资方 个人 (A4.payer) and A3 its paid training (A3.free): not eligible, not held.
    assert [(i["row"], i["reason_code"]) for i in result.json["ineligible"]] == [(4, "A3.free;A4.payer")]
    held = result.json["exceptions"]
    assert [(e["row"], e["code"], e["column"]) for e in held] == [(2, "payout.likely-alias", "人员类别")]
    assert "贫困户 ≈ 脱贫劳动力" in held[0]["message_zh"] and held[0]["message_zh"].startswith("A3 ")
    check = run_cli("check", batch, "--period", "2020-06", "--json")
    alias = [f for f in check.json["findings"] if f["code"] == "value.likely-alias"]
    assert [(f["row"], f["value"], f["severity"]) for f in alias] == [(2, "贫困户", "warning")]  # once, with its count
    assert "共 3 行填了此值（本行是第一行），疑似「脱贫劳动力」的别称" in alias[0]["message_zh"]


# -- (c) Jin'an: the cooperative that organised the class is in the 培训机构 columns --------------------
def test_blanks__jinan_cooperative_in_institution_columns_is_paid(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    header = [*SHANXI_HEADER, "考核结果"]
    rows = []
    for n in (1, 2):
        row = shanxi_row(n, "农业技术培训", "家禽养殖", "无等级", category="脱贫劳动力", payer="")
        row[3], row[4] = "", ""  # 单位 blank
        row[8], row[9] = "2021-05-10", "2021-05-19"
        row[10], row[11] = "金安区兴农养殖专业合作社", COOPERATIVE
        rows.append([*row, "合格"])
    attendance = [["身份证号码", "姓名", "应出勤天数", "实际出勤天数"]] + [[r[1], r[0], 10, 10] for r in rows]
    batch = make_xlsx({"花名册": [header, *rows], "考勤": attendance}, name="jinan.xlsx")
    result = run_payout(run_cli, batch, "jinan-2021", "2021-06", tmp_path / "out")
    assert result.code == 0, result.stderr
    # S0 §2: 600 per 脱贫户 trainee to the cooperative (A20); 60 × 10 days = 600 to the trainee (A21).
    assert lines_of(result) == [
        (2, "A20", "600.00", "institution", COOPERATIVE),
        (2, "A21", "600.00", "person", rows[0][1]),
        (3, "A20", "600.00", "institution", COOPERATIVE),
        (3, "A21", "600.00", "person", rows[1][1]),
    ]
    detail = [r for r in detail_rows(tmp_path / "out") if r["规则"] == "A20"]
    assert {(r["收款方代码"], r["收款方名称"], r["本次发放"]) for r in detail} == {
        (COOPERATIVE, "金安区兴农养殖专业合作社", 600)
    }


# -- (d) Lüliang: a voucher list whose 人员类别 is 农村劳动力 for everyone --------------------------------
def test_blanks__luliang_unknown_category_still_gets_the_general_voucher(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    births = ["1985-03-01", "1990-07-15", "1978-11-20", "1969-02-02", "1995-05-05", "1972-09-09"]
    people = [[f"村民{'甲乙丙丁戊己'[i]}", person_id(i + 1, area="141100", birth=b.replace("-", "")),
               "农村劳动力"] for i, b in enumerate(births)]  # fmt: skip
    roster = make_xlsx({"花名册": [["姓名", "身份证号码", "人员类别"], *people]}, name="luliang.xlsx")
    result = run_cli(
        "vouchers", "issue", roster, "--program", "luliang-2021", "--date", "2021-06-01", "--out", tmp_path / "out",
        "--ledger", ledger_url, "--json", "--show-ids",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    issued = {(v["name"], v["category"]) for v in result.json["issued"]}
    # S1: 普惠制培训 is for everyone in an age group (all six are 18–60); 等级评价 too; 企业培训 is for 企业职工.
    assert {name for name, category in issued if category == "普惠制培训"} == {p[0] for p in people}
    assert {name for name, category in issued if category == "等级评价"} == {p[0] for p in people}
    assert {(r["name"], r["code"]) for r in result.json["not_issued"]} == {
        (p[0], "voucher.not-for-category") for p in people
    }
    unknown = [f for f in result.json["findings"] if f["code"] == "value.unknown"]
    assert [(f["row"], f["value"], f["severity"]) for f in unknown] == [(2, "农村劳动力", "warning")]
    assert "共 6 行填了此值（本行是第一行）" in unknown[0]["message_zh"]
    assert "最接近的可选值是「农村转移劳动力」" in unknown[0]["message_zh"]
    assert not [f for f in result.json["findings"] if f["severity"] == "error"]


# -- blanks that stay exceptions ----------------------------------------------------------------------
SUZHOU_HEADER = [
    "姓名", "身份证号码", "人员类别", "单位名称", "统一社会信用代码", "培训类型", "职业(工种)", "培训等级",
    "开班日期", "结业日期", "培训费用", "出资方", "是否参保", "是否领取养老金", "考核结果",
]  # fmt: skip


def suzhou_row(n: int, training: str, occupation: str, level: str, *, fee: str = "", insured: str = "是") -> list[Any]:
    return [
        f"职工{'甲乙丙'[n - 1]}", person_id(n), "企业职工", "苏州精工机械有限公司", ENTERPRISE,
        training, occupation, level, "2021-04-01", "2021-04-20", fee, "个人", insured, "否", "合格",
    ]  # fmt: skip


def test_blanks__blank_insurance_and_blank_fee_stay_exceptions(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    roster = [
        suzhou_row(1, "技能提升", "电工", "四级/中级工", insured=""),  # A8 requires 参保: blank is not "no"
        suzhou_row(2, "特种作业培训", "焊工", "无等级"),  # A12 pays min(fee, 800): blank fee is not 0
        suzhou_row(3, "特种作业培训", "电工", "无等级", fee="650"),
    ]
    certs = [
        [roster[0][1], "职工甲", "S000032000001214000001", "职业技能等级证书", "电工", "四级/中级工", "2021-05-10",
         "是"],
        [roster[1][1], "职工乙", "T2021-0002", "特种作业操作证", "焊工", "无等级", "2021-04-25", "是"],
        [roster[2][1], "职工丙", "T2021-0003", "特种作业操作证", "电工", "无等级", "2021-04-25", "是"],
    ]  # fmt: skip
    batch = make_xlsx({"花名册": [SUZHOU_HEADER, *roster], "证书": [[*CERT_HEADER, "是否本市取证"], *certs]})
    result = run_payout(run_cli, batch, "suzhou-2019", "2021-06", tmp_path / "out")
    assert result.code == 1
    assert lines_of(result) == [(4, "A12", "650.00", "person", roster[2][1])]  # S2c 二(六): min(650, 800)
    assert [(e["row"], e["code"], e["column"]) for e in result.json["exceptions"]] == [
        (2, "payout.missing-input", "是否参保"),
        (3, "payout.no-fee", "培训费用"),
    ]


def test_blanks__a_held_line_is_paid_when_resubmitted_without_paying_the_other_twice(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    roster = [shanxi_row(1, "专项能力培训", "中式面点", "专项能力", category="脱贫劳动力", payer="机构")]
    certs = [cert(1, "ZX2020-0001", "专项职业能力证书", "中式面点", "专项能力")]
    first = make_xlsx({"花名册": [SHANXI_HEADER, *roster], "证书": [CERT_HEADER, *certs]}, name="may.xlsx")
    args = ("--policy", "shanxi-2019", "--period", "2020-06", "--ledger", ledger_url, "--commit", "--json")
    paid = run_cli("payout", first, "--out", tmp_path / "may", *args, "--show-ids")
    assert lines_of(paid) == [(2, "A4", "150.00", "institution", INSTITUTION)]  # A3 held: no attendance
    # The district adds the attendance and sends the row again: A3 is paid, A4 is not paid twice.
    attendance = [["身份证号码", "姓名", "应出勤天数", "实际出勤天数"], [roster[0][1], roster[0][0], 12, 10]]
    again = make_xlsx({"花名册": [SHANXI_HEADER, *roster], "证书": [CERT_HEADER, *certs], "考勤": attendance})
    result = run_cli("payout", again, "--out", tmp_path / "june", *args, "--show-ids")
    # S2a 二(五): 15 yuan a day × 10 attended days = 150.00, to the trainee.
    assert lines_of(result) == [(2, "A3", "150.00", "person", roster[0][1])]
    assert [(e["row"], e["code"]) for e in result.json["exceptions"]] == [(2, "ledger.already-paid")]
    assert result.json["counts"]["paid"] == 1


# -- (e) Suzhou: a blank 是否紧缺职业 is hinted only where a row's money depends on it --------------------
def test_blanks__shortage_hint_only_for_sheets_whose_rows_it_can_change(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    from tests.support.rosters import CERT_HEADER, PAYOUT_HEADER, certificate, payout_row

    header = [*PAYOUT_HEADER, "是否紧缺职业"]
    # An institution's sheet of 特种作业 and an enterprise's 以工代训: no subsidy of theirs has a
    # shortage-occupation rate, so their blank 是否紧缺职业 changes nothing.
    others = make_xlsx(
        {
            "花名册": [
                header,
                [*payout_row(1, "张伟", "特种作业培训", "电工", "无等级", "2021-04-01", "2021-04-20", fee="650"), None],
                [
                    *payout_row(
                        2, "李娜", "以工代训", "车工", "无等级", "2021-01-01", "2021-04-15", category="就业困难人员"
                    ),
                    None,
                ],
            ]
        },
        name="机构.xlsx",
    )
    # 技能提升 is paid +30 % for a shortage occupation (S2c 二(四)4): the blank on row 2 decides it.
    skill = make_xlsx(
        {
            "花名册": [
                header,
                [*payout_row(3, "王芳", "技能提升", "电工", "四级/中级工", "2021-03-01", "2021-05-31"), None],
                [*payout_row(4, "赵强", "技能提升", "车工", "四级/中级工", "2021-03-01", "2021-05-31"), "否"],
            ],
            "证书": [
                CERT_HEADER,
                certificate(3, "王芳", "S000032000001214000003", "电工", "四级/中级工", "2021-06-10"),
                certificate(4, "赵强", "S000032000001214000004", "车工", "四级/中级工", "2021-06-10"),
            ],
        },
        name="企业.xlsx",
    )
    result = run_cli(
        "payout", others, skill, "--policy", "suzhou-2019", "--period", "2021-06", "--out", tmp_path / "out", "--json"
    )
    assert result.code in (0, 1), result.stderr
    shortage = [w for w in result.json["warnings"] if w["column"] == "是否紧缺职业"]
    assert [(Path(w["file"]).name, w["code"]) for w in shortage] == [("企业.xlsx", "payout.blank-read-as")]
    said = result.stdout + result.stderr
    assert "提示：企业.xlsx「花名册」：「是否紧缺职业」有 1 行为空（第 2 行）" in said
    assert "机构.xlsx「花名册」：「是否紧缺职业」" not in said
