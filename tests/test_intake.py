"""What an independent reader could not act on (issue 15, the Shanxi acceptance read).

Each test writes a real .xlsx shaped like one of the reader's files, runs the CLI in-process and
checks the findings, the screen or the written files.
"""

from __future__ import annotations

from tests.support.cli import by_code, findings
from tests.support.ids import valid_uscc
from tests.support.rosters import ROSTER_HEADER_ROW, person, roster_row, roster_sheet

ATTENDANCE_HEADER = ["身份证号码", "姓名", "应出勤天数", "实际出勤天数"]


# -- headers with a note in brackets -----------------------------------------------------------
def test_headers__a_note_in_brackets_or_a_star_does_not_stop_the_match(make_xlsx, check_json):
    header = [
        "姓名(必填)",
        "身份证号码（18位）",
        "*性别",
        "培训类型*",
        "职业(工种)",
        "【必填】培训等级",
        "开班日期",
        "结业日期",
    ]
    header += ["培训费用（元）", "联系电话(手机)"]
    rows = [[*roster_row(n), "1000元", "13812345678"] for n in (1, 2)]
    result = check_json(make_xlsx({"人员名单": roster_sheet(*rows, header=header)}))
    columns = result.json["files"][0]["sheets"][0]["columns"]
    assert columns["id_number"] == "身份证号码(18位)"  # as the cleaned header reads
    assert columns["name"] == "姓名(必填)"
    assert columns["sex"] == "*性别"
    assert columns["training_type"] == "培训类型*"
    assert columns["level"] == "【必填】培训等级"
    assert columns["fee_yuan"] == "培训费用(元)"
    assert columns["phone"] == "联系电话(手机)"
    assert findings(result) == []
    assert result.code == 0


def test_headers__a_note_that_names_another_column_is_not_stripped(make_xlsx, check_json):
    # 备注（出资方） holds payers: filed under 备注 (unneeded) they would vanish; it is reported instead.
    header = [*ROSTER_HEADER_ROW, "备注（出资方）"]
    result = check_json(make_xlsx({"花名册": roster_sheet([*roster_row(1), "企业"], header=header)}))
    assert findings(result) == [(1, "备注(出资方)", "sheet.unknown-column-money")]
    assert "把表头「备注(出资方)」改为「出资方」" in result.json["findings"][0]["message_zh"]


def test_headers__a_roster_without_its_id_column_gives_one_finding_per_dependent_sheet(make_xlsx, check_json):
    p1, p2, p3 = person(1), person(2), person(3)
    header = [("证件" if h == "身份证号码" else h) for h in ROSTER_HEADER_ROW]
    attendance = [ATTENDANCE_HEADER, *[[p["id_number"], p["name"], 10, 10] for p in (p1, p2, p3)]]
    certs = [["身份证号码", "姓名", "证书编号", "职业(工种)", "等级", "发证日期"]]
    certs += [[p["id_number"], p["name"], f"ZS-{i}", "电工", "四级", "2024-05-20"] for i, p in enumerate((p1, p2))]
    path = make_xlsx(
        {
            "人员名单": roster_sheet(roster_row(1), roster_row(2), roster_row(3), header=header),
            "出勤": attendance,
            "证书": certs,
        }
    )
    result = check_json(path)
    # No row-by-row "not on the roster" for people who are on it: one finding per sheet, at its first row.
    assert by_code(result, "attendance.not-on-roster") == []
    assert by_code(result, "cert.not-on-roster") == []
    assert by_code(result, "sheet.roster-without-id") == [(2, "身份证号码", "sheet.roster-without-id")] * 2
    summary = {f["sheet"]: f for f in result.json["findings"] if f["code"] == "sheet.roster-without-id"}
    assert summary["出勤"]["message_zh"].startswith(
        "本表有 3 行（从本行起）无法与花名册核对：同一文件的花名册「人员名单」"
    )
    assert summary["证书"]["message_zh"].startswith("本表有 2 行")
    assert "请先改正花名册的表头" in summary["出勤"]["message_zh"]
    # The roster itself still says which column is missing and what its header was (证件 → 身份证号码),
    # the two findings naming each other.
    assert (1, "身份证号码", "sheet.missing-column-likely") in findings(result)
    assert (1, "证件", "sheet.unknown-column-missing") in findings(result)
    missing = next(f for f in result.json["findings"] if f["code"] == "sheet.missing-column-likely")
    assert missing["message_zh"].startswith("本表没有「身份证号码」列；「证件」（第 1 行 B 列）可能就是它")


def test_headers__an_attendance_file_without_a_roster_still_checks_row_by_row(make_xlsx, check_json):
    # Attendance for someone on no roster, in a file whose roster is fine: per row, as before.
    stranger = person(9)
    path = make_xlsx(
        {"花名册": roster_sheet(roster_row(1)), "考勤": [ATTENDANCE_HEADER, [stranger["id_number"], "某人", 10, 10]]}
    )
    assert by_code(check_json(path), "attendance.not-on-roster") == [(2, "身份证号码", "attendance.not-on-roster")]


# -- unknown columns: suggest only what fits -----------------------------------------------------
def test_unknown_columns__a_suggestion_must_fit_the_cells_and_not_repeat_a_read_column(make_xlsx, check_json):
    roster_header = ["职工姓名", "身份证号", "性别", "培训项目类别", "职业(工种)", "培训等级", "开始时间", "结束时间"]
    roster_header += ["入职日期", "是否建档立卡贫困户", "学员联系电话"]
    rows = [[*roster_row(n), "2021-03-01", "是" if n == 1 else "否", "13812345678"] for n in (1, 2)]
    p1 = person(1)
    attendance = [[*ATTENDANCE_HEADER, "考勤方式"], [p1["id_number"], p1["name"], 10, 10, "人脸识别"]]
    result = check_json(make_xlsx({"花名册": roster_sheet(*rows, header=roster_header), "考勤": attendance}))
    found = {f["column"]: f for f in result.json["findings"]}
    # 入职日期 is close to 开班日期 by name only, and 开始时间 is already read as 开班日期: no suggestion.
    assert found["入职日期"]["code"] == "sheet.unknown-column"
    assert found["入职日期"]["message_zh"].startswith("未识别的列「入职日期」，已忽略")
    # 考勤方式 holds 人脸识别, no date: 日期 is not suggested.
    assert found["考勤方式"]["code"] == "sheet.unknown-column"
    # A yes/no column naming a 人员类别: the clerk is told to write 脱贫劳动力 into 人员类别, and why.
    flag = found["是否建档立卡贫困户"]
    assert flag["code"] == "sheet.category-flag-column"
    assert "在「人员类别」列填写「脱贫劳动力」" in flag["message_zh"]
    assert "生活费补贴" in flag["message_zh"]
    # A close header whose cells fit: the rename in the workbook first, --map as the second way.
    phone = found["学员联系电话"]
    assert phone["code"] == "sheet.unknown-column-like"
    assert phone["message_zh"].startswith("未识别的列「学员联系电话」，已忽略。它看来就是「手机号码」列")
    assert "把表头「学员联系电话」改为「手机号码」" in phone["message_zh"]
    assert phone["message_zh"].index("改为「手机号码」") < phone["message_zh"].index("--map")


# -- a leading apostrophe is Excel's text marker -------------------------------------------------
def test_ids__a_leading_apostrophe_is_stripped_with_a_hint_not_an_error(make_xlsx, check_json, run_cli):

    header = [*ROSTER_HEADER_ROW, "手机号码", "统一社会信用代码"]
    code = valid_uscc()
    rows = [
        [*roster_row(1, id_number="'" + person(1)["id_number"]), "’13812345678", code],
        [*roster_row(2, id_number="‘" + person(2)["id_number"]), "13812345679", "'" + code],
    ]
    attendance = [ATTENDANCE_HEADER, *([person(n)["id_number"], person(n)["name"], 10, 10] for n in (1, 2))]
    path = make_xlsx({"花名册": roster_sheet(*rows, header=header), "考勤": attendance})
    result = check_json(path)
    # No id.format, phone.format or uscc.format; the attendance rows find the IDs behind the marks
    # (a mark left on an ID would also show as a trainee missing from 考勤).
    assert sorted(findings(result)) == [
        (2, "手机号码", "cell.text-marker"),
        (2, "身份证号码", "cell.text-marker"),
        (3, "统一社会信用代码", "cell.text-marker"),
        (3, "身份证号码", "cell.text-marker"),
    ]
    assert result.code == 0
    hint = next(f for f in result.json["findings"] if f["column"] == "身份证号码" and f["row"] == 2)
    assert hint["message_zh"].startswith("「身份证号码」中的号码前面有一个撇号（'）")
    screen = run_cli("check", path, "--period", "2024-06")
    assert "撇号" in screen.stdout


# -- written files: no false full ID, CSVs Excel on Chinese Windows opens -------------------------
def test_outputs__an_id_stored_as_a_number_shows_what_excel_shows_and_csvs_carry_a_bom(make_xlsx, run_cli, tmp_path):
    import openpyxl

    lost = int(person(2)["id_number"][:17] + "0")  # a number cell: Excel keeps 15 significant digits
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, id_number=lost))})
    out = tmp_path / "out"
    result = run_cli("check", path, "--period", "2024-06", "--out", out)
    assert result.code == 1
    book = openpyxl.load_workbook(out / "exceptions.xlsx", read_only=True)
    rows = [list(r) for r in book["花名册问题"].iter_rows(values_only=True)]
    header = rows[0]
    found = [r for r in rows[1:] if r[header.index("行号")] == 3]
    assert len(found) == 1
    shown = found[0][header.index("值")]
    assert shown == f"{str(lost)[0]}.{str(lost)[1:6]}E+17"
    assert found[0][header.index("身份证号码")] == shown
    text = "\n".join(str(v) for r in rows for v in r if v is not None)
    assert str(lost) not in text
    # The screen's 身份证号码 column shows the same, not a masked form of the read-back digits.
    said = result.stdout + result.stderr
    assert f"{str(lost)[:6]}********{str(lost)[-4:]}" not in said
    [line] = [line for line in said.splitlines() if "身份证号码被 Excel 存成了数字" in line and "  3  " in line]
    assert f"  {shown}  " in line
    # The CSV starts with the UTF-8 byte-order mark and reads back as UTF-8.
    data = (out / "exceptions.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "花名册" in data.decode("utf-8-sig")
    assert str(lost) not in data.decode("utf-8-sig")
    # Nor does the return sent back to the institution (it could copy the wrong digits into its table).
    split = tmp_path / "split"
    assert run_cli("check", path, "--period", "2024-06", "--out", split, "--split-by", "institution").code == 1
    returns = sorted(split.glob("退回_*.xlsx"))
    assert returns
    cells = [
        str(v)
        for f in returns
        for ws in openpyxl.load_workbook(f, read_only=True).worksheets
        for r in ws.iter_rows(values_only=True)
        for v in r
        if v is not None
    ]
    assert str(lost) not in "\n".join(cells)
    assert shown in cells


# -- a Shanxi batch from two senders ----------------------------------------------------------
SCHOOL = "52141102MJY100456"  # a credit-code body; the check character comes from stdnum
INSTITUTION_HEADER = [
    "姓名",
    "身份证号码",
    "就业前所属群体",
    "培训类型",
    "职业(工种)",
    "培训等级",
    "开班日期",
    "结业日期",
]
INSTITUTION_HEADER += ["培训机构", "机构统一社会信用代码", "培训费用", "出资方"]
ENTERPRISE_HEADER = ["姓名", "身份证号码", "人员类别", "单位名称", "统一社会信用代码", "培训类型", "职业(工种)"]
ENTERPRISE_HEADER += ["开班日期", "结业日期"]
CERT_HEADER = ["身份证号码", "姓名", "证书编号", "证书类型", "职业(工种)", "等级", "发证日期"]


def _shanxi_batch(make_xlsx):

    school = valid_uscc(SCHOOL)
    firm = valid_uscc("91140105MA0GRX8K2")
    p = {n: person(n) for n in range(1, 8)}

    def trainee(n, school_name="吕梁市离石区巾帼家政职业培训学校"):
        return [p[n]["name"], p[n]["id_number"], "城镇登记失业人员", "就业技能培训", "电工", "五级", "2021-05-06"]

    institution = [
        [*trainee(n), "2021-05-28", name, school, "1200", "机构"]
        for n, name in (
            (1, "吕梁市离石区巾帼家政职业培训学校"),
            (2, "吕梁市离石区巾帼家政职业培训学校"),
            (3, "离石巾帼家政培训学校"),
        )
    ]
    certs = [
        [p[1]["id_number"], p[1]["name"], "S1", "职业技能等级证书", "电工", "四级", "2021-05-30"],  # roster: 五级
        [p[3]["id_number"], p[3]["name"], "S3", "职业技能等级证书", "电工", "五级", "2021-05-30"],
    ]
    f1 = make_xlsx(
        {"学员花名册": [INSTITUTION_HEADER, *institution], "取证情况": [CERT_HEADER, *certs]}, name="巾帼家政.xlsx"
    )
    enterprise = [
        [p[4]["name"], p[4]["id_number"], "企业职工", "华晋煤机", firm, "岗前培训", "电工", "2021-06-01", "2021-06-10"],
        [p[5]["name"], p[5]["id_number"], None, "华晋煤机", firm, "岗前培训", "电工", "2021-06-01", "2021-06-10"],
        [p[6]["name"], p[6]["id_number"][:-1] + ("1" if p[6]["id_number"][-1] != "1" else "2"), "企业职工", "华晋煤机",
         firm, "岗前培训", "电工", "2021-06-01", "2021-06-10"],
        [p[7]["name"], int(p[7]["id_number"][:17] + "0"), "企业职工", "华晋煤机", firm, "岗前培训", "电工", "2021-06-01",
         "2021-06-10"],  # an ID stored as a number
    ]  # fmt: skip
    f2 = make_xlsx({"Sheet1": [ENTERPRISE_HEADER, *enterprise]}, name="华晋煤机.xlsx")
    return f1, f2


def test_payees__one_credit_code_with_two_names_is_a_warning_naming_both(make_xlsx, check_json):
    f1, f2 = _shanxi_batch(make_xlsx)
    result = check_json(f1, f2, "--period", "2021-06")
    two = [f for f in result.json["findings"] if f["code"] == "uscc.two-names"]
    assert [(f["file"], f["sheet"], f["row"], f["column"], f["value"]) for f in two] == [
        (str(f1), "学员花名册", 4, "培训机构", "离石巾帼家政培训学校")
    ]
    message = two[0]["message_zh"]
    assert (
        "本行写作「离石巾帼家政培训学校」，另一写法见「学员花名册」第 2 行「吕梁市离石区巾帼家政职业培训学校」"
        in message
    )
    assert "银行开户时登记的名称" in message and "户名不符" in message
    assert two[0]["severity"] == "warning"


def test_payout__the_certificate_hold_says_where_it_looked_and_what_it_found(make_xlsx, run_cli, tmp_path):
    f1, f2 = _shanxi_batch(make_xlsx)
    out = tmp_path / "out"
    result = run_cli("payout", f1, f2, "--policy", "shanxi-2019", "--period", "2021-06", "--out", out, "--json")
    held = {e["row"]: e["message_zh"] for e in result.json["exceptions"] if e["code"] == "payout.no-certificate-data"}
    assert sorted(held) == [2, 3]
    # 学员一 has a certificate, at another level than the roster's: both are named.
    assert (
        "证书表「取证情况」中此人的证书是 电工 四级/中级工（2021-05-30 发证），与本行的培训 电工 五级/初级工 不符"
        in held[2]
    )
    assert "「考核结果」也未填写" in held[2]
    # 学员二 has none; no false "no certificate sheet, or the column is missing".
    assert "证书表「取证情况」中没有此人的证书" in held[3]
    assert all("无证书表或缺少该列" not in m for m in held.values())
    # The one with a certificate of this training is paid A2 (min(1200, 1000)).
    assert [
        (line["row"], line["rule"], line["amount_fen"]) for line in result.json["lines"] if line["rule"] == "A2"
    ] == [(4, "A2", 100000)]


def test_payout__the_blank_hint_names_the_file_sheet_header_and_rows(make_xlsx, run_cli, tmp_path):
    f1, f2 = _shanxi_batch(make_xlsx)
    result = run_cli(
        "payout", f1, f2, "--policy", "shanxi-2019", "--period", "2021-06", "--out", tmp_path / "o", "--json"
    )
    blanks = [w for w in result.json["warnings"] if w["code"] == "payout.blank-read-as"]
    category = [w for w in blanks if w["column"] in ("人员类别", "就业前所属群体")]
    # The blank is in the enterprise's Sheet1, row 3, whose header is 人员类别 (not the school's header).
    assert [(w["file"], w["sheet"], w["column"]) for w in category] == [(str(f2), "Sheet1", "人员类别")]
    assert category[0]["message_zh"].startswith("「人员类别」有 1 行为空（第 3 行），按「无特殊人员类别」处理")
    assert category[0]["message_en"].startswith("'人员类别' is blank on 1 rows (rows 3) and was read as")


def test_payout__the_screen_names_the_file_of_each_exception_and_csvs_carry_a_bom(make_xlsx, run_cli, tmp_path):
    f1, f2 = _shanxi_batch(make_xlsx)
    out = tmp_path / "out"
    screen = run_cli("payout", f1, f2, "--policy", "shanxi-2019", "--period", "2021-06", "--out", out)
    text = screen.stdout
    table = text[text.index("条异常（共") :]
    assert "文件" in table.splitlines()[1] or "文件" in table[:400]
    assert "华晋煤机.xlsx" in table and "巾帼家政.xlsx" in table
    # The blank hint on screen says which file and sheet.
    assert "提示：华晋煤机.xlsx「Sheet1」：「人员类别」有 1 行为空（第 3 行）" in text.replace("\n", "")
    for name in ("payouts.csv", "exceptions.csv", "ineligible.csv"):
        assert (out / name).read_bytes().startswith(b"\xef\xbb\xbf"), name


def test_payout__the_certificate_hold_without_a_certificate_sheet_or_kind_says_so(make_xlsx, run_cli, tmp_path):

    p1, p2 = person(1), person(2)
    rows = [
        [p["name"], p["id_number"], "城镇登记失业人员", "就业技能培训", "电工", "五级", "2021-05-06", "2021-05-28",
         "巾帼家政", valid_uscc(SCHOOL), "1200", "机构"]
        for p in (p1, p2)
    ]  # fmt: skip
    alone = make_xlsx({"学员花名册": [INSTITUTION_HEADER, *rows]}, name="alone.xlsx")
    result = run_cli(
        "payout", alone, "--policy", "shanxi-2019", "--period", "2021-06", "--out", tmp_path / "a", "--json"
    )
    messages = [e["message_zh"] for e in result.json["exceptions"] if e["code"] == "payout.no-certificate-data"]
    assert len(messages) == 2
    assert all("本批次没有证书表" in m and "在花名册的「考核结果」列填写「合格」" in m for m in messages)
    # A certificate of this very training whose 证书类型 is blank: the kind is what is missing.
    certs = [
        ["身份证号码", "姓名", "证书编号", "职业(工种)", "等级", "发证日期"],
        [p1["id_number"], p1["name"], "S9", "电工", "五级", "2021-05-30"],
    ]
    kinded = make_xlsx({"学员花名册": [INSTITUTION_HEADER, *rows], "证书": certs}, name="kind.xlsx")
    result = run_cli(
        "payout", kinded, "--policy", "shanxi-2019", "--period", "2021-06", "--out", tmp_path / "k", "--json"
    )
    held = {e["row"]: e["message_zh"] for e in result.json["exceptions"] if e["code"] == "payout.no-certificate-data"}
    assert "证书表「证书」中此人本次培训的证书（编号 S9）没有填写「证书类型」" in held[2]
    assert "证书表「证书」中没有此人的证书" in held[3]


def test_payout__an_id_stored_as_a_number_is_never_shown_as_its_read_back_digits(make_xlsx, run_cli, tmp_path):
    import openpyxl

    f1, f2 = _shanxi_batch(make_xlsx)
    read_back = person(7)["id_number"][:17] + "0"
    out = tmp_path / "out"
    run_cli("payout", f1, f2, "--policy", "shanxi-2019", "--period", "2021-06", "--out", out)
    sheet = openpyxl.load_workbook(out / "payouts.xlsx", read_only=True)["异常"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    lost = [r for r in rows[1:] if r[header.index("行号")] == 5 and r[header.index("工作表")] == "Sheet1"]
    assert [r[header.index("身份证号码")] for r in lost] == [f"{read_back[0]}.{read_back[1:6]}E+17"]
    assert read_back not in "\n".join(str(v) for r in rows for v in r)
    assert read_back not in (out / "exceptions.csv").read_text(encoding="utf-8-sig")
