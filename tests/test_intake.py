"""What an independent reader could not act on (issue 15, the Shanxi acceptance read).

Each test writes a real .xlsx shaped like one of the reader's files, runs the CLI in-process and
checks the findings, the screen or the written files.
"""

from __future__ import annotations

from tests.conftest import (
    ROSTER_HEADER_ROW,
    by_code,
    findings,
    person,
    roster_row,
    roster_sheet,
)

ATTENDANCE_HEADER = ["身份证号码", "姓名", "应出勤天数", "实际出勤天数"]


# -- headers with a note in brackets -----------------------------------------------------------
def test_headers__a_note_in_brackets_or_a_star_does_not_stop_the_match(make_xlsx, check_json):
    header = ["姓名(必填)", "身份证号码（18位）", "*性别", "培训类型*", "职业(工种)", "【必填】培训等级", "开班日期", "结业日期"]
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
    assert summary["出勤"]["message_zh"].startswith("本表有 3 行（从本行起）无法与花名册核对：同一文件的花名册「人员名单」")
    assert summary["证书"]["message_zh"].startswith("本表有 2 行")
    assert "请先改正花名册的表头" in summary["出勤"]["message_zh"]
    # The roster itself still says which column is missing and what its header was (证件 → 身份证号码).
    assert (1, "身份证号码", "sheet.missing-column") in findings(result)
    assert (1, "证件", "sheet.unknown-column-like") in findings(result)


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
    from tests.conftest import valid_uscc

    header = [*ROSTER_HEADER_ROW, "手机号码", "统一社会信用代码"]
    code = valid_uscc()
    rows = [
        [*roster_row(1, id_number="'" + person(1)["id_number"]), "’13812345678", code],
        [*roster_row(2, id_number="‘" + person(2)["id_number"]), "13812345679", "'" + code],
    ]
    attendance = [ATTENDANCE_HEADER, [person(1)["id_number"], person(1)["name"], 10, 10]]
    path = make_xlsx({"花名册": roster_sheet(*rows, header=header), "考勤": attendance})
    result = check_json(path)
    # No id.format, phone.format or uscc.format; the attendance row finds the ID behind the mark.
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
    assert "撇号" in screen.stderr


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
    # The CSV starts with the UTF-8 byte-order mark and reads back as UTF-8.
    data = (out / "exceptions.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "花名册" in data.decode("utf-8-sig")
    assert str(lost) not in data.decode("utf-8-sig")
