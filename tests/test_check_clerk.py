"""What `check` finds and says, as the fifth independent reader needed it: each test writes a real
.xlsx, runs the CLI in-process and checks the finding's cell (file, sheet, Excel row, column, value)
and its message text.
"""

from __future__ import annotations

import pytest

from tests.support.cli import by_code
from tests.support.rosters import ROSTER_HEADER_ROW, person, roster_row, roster_sheet


def only(result, code):
    return [f for f in result.json["findings"] if f["code"] == code]


# -- √ / × in a pass/fail column ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("mark", "means", "other"),
    [
        ("√", "合格", "不合格"),
        ("✓", "合格", "不合格"),
        ("✔", "合格", "不合格"),
        ("○", "合格", "不合格"),
        ("对", "合格", "不合格"),
        ("Y", "合格", "不合格"),
        ("×", "不合格", "合格"),
        ("✗", "不合格", "合格"),
        ("✘", "不合格", "合格"),
        ("错", "不合格", "合格"),
        ("N", "不合格", "合格"),
    ],
)
def test_mark__a_tick_or_cross_in_the_result_says_which_word_to_write(make_xlsx, check_json, mark, means, other):
    header = [*ROSTER_HEADER_ROW, "考核结果"]
    path = make_xlsx(
        {"花名册": roster_sheet([*roster_row(1), "合格"], [*roster_row(2), mark], header=header)}, name="华锐.xlsx"
    )
    result = check_json(path)
    assert result.code == 1
    [finding] = only(result, "value.mark")
    assert (finding["file"].endswith("华锐.xlsx"), finding["sheet"], finding["row"]) == (True, "花名册", 3)
    assert (finding["column"], finding["value"], finding["severity"]) == ("考核结果", mark, "error")
    assert finding["message_zh"] == (
        f"「考核结果」填的是符号「{mark}」，符号不能作为结论，请写明文字：如「{mark}」表示{means}，请改为「{means}」；"
        f"如表示{other}，请改为「{other}」"
    )
    assert f"If '{mark}' means {means}, write '{means}'" in finding["message_en"]
    # A mark is not a value outside the list: it gets only the finding that says what to write.
    assert by_code(result, "value.not-in-list") == []


def test_mark__words_are_read_and_other_text_is_still_out_of_the_list(make_xlsx, check_json):
    header = [*ROSTER_HEADER_ROW, "是否合格"]
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                [*roster_row(1), "合格"], [*roster_row(2), "是"], [*roster_row(3), "待定"], header=header
            )
        }
    )
    result = check_json(path)
    assert by_code(result, "value.mark") == []
    assert by_code(result, "value.not-in-list") == [(4, "是否合格", "value.not-in-list")]


# -- 依据 of every condition --------------------------------------------------------------------
def _policies():
    from skillcli.rules.load import load_policy, policy_paths

    return [load_policy(path) for _, path in sorted(policy_paths().items())]


def test_clause__every_packaged_rule_line_cites_a_clause_not_the_bare_document():
    from skillcli.rules.compile import built_in_requirements

    policies = _policies()
    assert {p.id for p in policies} >= {"wuxi-2024", "suzhou-2019", "shanxi-2019", "cixi-2023"}
    bare = []
    for policy in policies:
        ref = policy.document["ref"]
        for rule in policy.rules:
            lines = [("rule", rule.clause)] + [
                (req.id, req.clause) for req in (*built_in_requirements(policy, rule), *policy.eligibility, *rule.require)
            ]
            # A clause is the document's reference followed by where in it: 「S3 三(九)」, 「S3 落款…」.
            bare += [(policy.id, rule.id, what, c) for what, c in lines if not c.startswith(f"{ref} ") or c == ref]
    assert bare == []


def test_clause__explain_cites_where_the_notice_states_its_dates(make_xlsx, run_cli):
    from tests.support.wuxi import IDS, PERIOD, POLICY, wuxi_batch

    files = wuxi_batch(make_xlsx)
    result = run_cli("explain", IDS["王强"], *files, "--policy", POLICY, "--period", PERIOD)
    assert result.code == 0, result.stderr
    # explain prints its result on stdout or stderr (out15 moves the results to stdout).
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "在政策施行期内结业" in line]
    assert len(lines) == 2  # A17 and A18 each have the condition
    assert all("S3 落款「2024年4月2日」（未写有效期，自发文之日起）" in line for line in lines)


# -- a second table below the footer -------------------------------------------------------------
SENDER = "无锡华锐精密机械有限公司"


def _roster_with_second_table(total="合计 3人", heading="补报人员（第二批）"):
    rows = [
        ["2024年学徒花名册"],
        [f"填报单位（盖章）：{SENDER}"],
        ROSTER_HEADER_ROW,
        roster_row(1),
        roster_row(2),
        roster_row(3),
        [total],
        [],
        ["经办人：", None, None, "审核人："],
        [],
    ]
    if heading:
        rows += [[heading], ROSTER_HEADER_ROW]
    return [*rows, roster_row(4), roster_row(5)]


def test_second_table__rows_below_the_signature_are_read_and_named_with_the_heading(make_xlsx, check_json, run_cli, tmp_path):
    import openpyxl

    path = make_xlsx({"花名册": _roster_with_second_table()}, name="华锐.xlsx")
    result = check_json(path)
    # Never lose data: the two rows below are read as trainees.
    assert result.json["counts"]["rows"] == {"roster": 5}
    assert by_code(result, "sheet.footer-count") == []
    [finding] = only(result, "sheet.rows-below-footer")
    assert (finding["sheet"], finding["row"], finding["value"], finding["severity"]) == (
        "花名册",
        11,
        "补报人员（第二批）",
        "warning",
    )
    four, five = person(4)["name"], person(5)["name"]
    assert finding["message_zh"] == (
        "第 7 行表尾「合计 3人」与其上方的 3 行人员相符；但第 9 行签字行下方还有一张表「补报人员（第二批）」"
        f"（第 11 行），其中第 13 行 {four}、第 14 行 {five} 共 2 人已作为本表人员一并读取（本表共读到 5 行）。"
        "如这些人属本批次申报，请把这些行移到合计行以上并更新表尾人数；如不属本批次，请删去这些行"
    )
    assert finding["message_en"].startswith("The footer '合计 3人' on row 7 matches the 3 rows above it, but below the")
    assert f"row 13 ({four}), row 14 ({five}), 2 people (5 rows in all)" in finding["message_en"]

    # The sender's return carries it.
    out = tmp_path / "out"
    returned = run_cli("check", path, "--period", "2024-06", "--out", out, "--split-by", "enterprise")
    assert returned.code == 0, returned.stderr
    book = openpyxl.load_workbook(out / f"退回_{SENDER}.xlsx")
    texts = [v for ws in book for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert any(t.startswith("第 7 行表尾「合计 3人」与其上方的 3 行人员相符") for t in texts), texts


def test_second_table__a_count_that_matches_neither_is_still_reported_and_rows_without_heading_named(
    make_xlsx, check_json
):
    path = make_xlsx({"花名册": _roster_with_second_table(total="共4人", heading=None)})
    result = check_json(path)
    assert result.json["counts"]["rows"] == {"roster": 5}
    assert by_code(result, "sheet.footer-count") == [(7, "", "sheet.footer-count")]
    [finding] = only(result, "sheet.rows-below-footer")
    assert (finding["row"], finding["value"]) == (11, "")
    assert finding["message_zh"].startswith(
        f"第 9 行签字行下方还有第 11 行 {person(4)['name']}、第 12 行 {person(5)['name']} 共 2 人"
    )


def test_second_table__page_subtotals_with_the_header_repeated_are_one_table(make_xlsx, check_json):
    rows = [
        ROSTER_HEADER_ROW,
        roster_row(1),
        roster_row(2),
        ["本页合计", "2人"],
        ROSTER_HEADER_ROW,
        roster_row(3),
        ["合计", "3人"],
        ["经办人："],
    ]
    result = check_json(make_xlsx({"花名册": rows}))
    assert result.json["counts"]["rows"] == {"roster": 3}
    assert by_code(result, "sheet.rows-below-footer") == []
    assert by_code(result, "sheet.footer-count") == []


# -- trainees missing from 考勤 ------------------------------------------------------------------
ATTENDANCE_HEADER = ["身份证号码", "姓名", "网络学时", "线下学时"]


def _attendance(*numbers):
    return [ATTENDANCE_HEADER, *([person(n)["id_number"], person(n)["name"], 120, 360] for n in numbers)]


def test_attendance__a_trainee_without_an_attendance_row_is_named_with_the_sheet_and_its_columns(
    make_xlsx, check_json, run_cli, tmp_path
):
    import openpyxl

    roster = [[f"填报单位（盖章）：{SENDER}"], ROSTER_HEADER_ROW, roster_row(1), roster_row(2), roster_row(3)]
    path = make_xlsx({"花名册": roster, "考勤汇总": _attendance(1, 3)}, name="华锐.xlsx")
    result = check_json(path)
    assert result.code == 0  # a warning: the rest of the row is fine
    [finding] = only(result, "attendance.trainee-missing")
    name = person(2)["name"]
    assert (finding["sheet"], finding["row"], finding["column"], finding["value"]) == ("花名册", 4, "姓名", name)
    assert finding["severity"] == "warning"
    # The columns are those the attendance sheet fills, named as skillcli's column list names them.
    assert finding["message_zh"] == (
        f"此人（{name}）在考勤表「考勤汇总」中没有考勤记录，按考勤计算的补贴将暂不发放（不按 0 计）："
        "请在「考勤汇总」为此人补上一行，填写身份证号码、姓名、线上学时、线下学时"
    )
    assert "the attendance sheet '考勤汇总'" in finding["message_en"]

    out = tmp_path / "out"
    returned = run_cli("check", path, "--period", "2024-06", "--out", out, "--split-by", "enterprise")
    assert returned.code == 0, returned.stderr
    sheet = openpyxl.load_workbook(out / f"退回_{SENDER}.xlsx")["花名册问题"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r[1] == 4]
    assert len(rows) == 1 and f"此人（{name}）在考勤表「考勤汇总」中没有考勤记录" in rows[0][2]


def test_attendance__an_attendance_file_of_its_own_is_named_and_no_sheet_means_no_warning(make_xlsx, check_json):
    roster = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2))}, name="花名册.xlsx")
    attendance = make_xlsx({"考勤": _attendance(2)}, name="考勤.xlsx")
    result = check_json(roster, attendance)
    [finding] = only(result, "attendance.trainee-missing")
    assert (finding["file"], finding["row"]) == (str(roster), 2)
    assert "在考勤表考勤.xlsx「考勤」中没有考勤记录" in finding["message_zh"]
    # A batch that sends no attendance is not asked for it by check (the policy decides whether it needs it).
    assert only(check_json(roster), "attendance.trainee-missing") == []


# -- check without --period ----------------------------------------------------------------------
def test_no_period__end_dates_are_checked_as_of_today_and_every_output_says_so(make_xlsx, run_cli, tmp_path):
    import datetime as dt

    import openpyxl

    today = dt.date.today().isoformat()
    # A class ending in more than a year: after today, whatever month the test runs in.
    later = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    roster = [
        [f"填报单位（盖章）：{SENDER}"],
        ROSTER_HEADER_ROW,
        roster_row(1, start_date=today, end_date=later),
        roster_row(2, start_date="2020-01-01", end_date="2020-02-01"),
    ]
    path = make_xlsx({"花名册": roster}, name="华锐.xlsx")
    out = tmp_path / "out"
    result = run_cli("check", path, "--out", out, "--split-by", "enterprise")
    assert result.code == 0, result.stderr
    assert f"未给 --period，按今天 {today} 核查结业日期；核查某一批次月份请加 --period YYYY-MM" in result.stdout
    findings = run_cli("check", path, "--json").json
    assert findings["period_given"] is False
    [finding] = findings["findings"]
    assert (finding["row"], finding["column"], finding["value"], finding["code"]) == (
        3,
        "结业日期",
        later,
        "date.after-today",
    )
    assert finding["message_zh"].startswith(f"「结业日期」{later} 晚于今天 {today}（未指定批次月份，按今天核查）")
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(out / "exceptions.xlsx").worksheets[0].iter_rows(values_only=True)}
    assert summary["批次月份"] == f"未给 --period，按今天 {today} 核查"
    cover = {r[0]: r[1] for r in openpyxl.load_workbook(out / f"退回_{SENDER}.xlsx")["封面"].iter_rows(values_only=True)}
    assert cover["批次"] == f"未指定批次月份，按 {today} 核查"


def test_no_period__a_given_period_is_the_batch_month(make_xlsx, check_json):
    path = make_xlsx({"花名册": roster_sheet(roster_row(1, end_date="2024-07-01"))})
    result = check_json(path)  # --period 2024-06
    assert result.json["period_given"] is True and result.json["period"] == "2024-06"
    assert by_code(result, "date.after-period") == [(2, "结业日期", "date.after-period")]
    assert by_code(result, "date.after-today") == []


def test_after_period__names_the_end_date_by_the_senders_header(make_xlsx, check_json):
    # The reader's roster wrote 结班日期: the message says that, not 结业日期.
    header = [h if h != "结业日期" else "结班日期" for h in ROSTER_HEADER_ROW]
    path = make_xlsx({"花名册": roster_sheet(roster_row(1, end_date="2024-07-01"), header=header)})
    [finding] = only(check_json(path, "--map", "结班日期=结业日期"), "date.after-period")
    assert finding["column"] == "结班日期"
    assert finding["message_zh"].startswith("「结班日期」2024-07-01 晚于本批次所属月份 2024-06")


def test_no_period__diff_says_the_check_was_made_as_of_today(make_xlsx, run_cli, tmp_path):
    import datetime as dt

    import openpyxl

    old = make_xlsx({"花名册": roster_sheet(roster_row(1))}, name="old.xlsx")
    new = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2))}, name="new.xlsx")
    out = tmp_path / "out"
    result = run_cli("diff", old, new, "--out", out)
    assert result.code in (0, 1), result.stderr
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(out / "diff.xlsx").worksheets[0].iter_rows(values_only=True)}
    assert summary["批次月份"] == f"未给 --period，按今天 {dt.date.today().isoformat()} 核查"


def test_attendance__a_namesake_under_another_id_points_at_that_row(make_xlsx, check_json):
    good = person(2)["id_number"]
    mistyped = good[:-1] + ("0" if good[-1] != "0" else "1")
    roster = roster_sheet(roster_row(1), roster_row(2, id_number=mistyped))
    attendance = [["身份证号码", "姓名", "线上学时"], [person(1)["id_number"], person(1)["name"], 1]]
    attendance.append([good, person(2)["name"], 2])
    result = check_json(make_xlsx({"花名册": roster, "考勤": attendance}))
    assert only(result, "attendance.trainee-missing") == []
    [finding] = only(result, "attendance.id-differs")
    assert (finding["sheet"], finding["row"], finding["column"], finding["value"]) == (
        "花名册",
        3,
        "身份证号码",
        person(2)["name"],
    )
    assert finding["message_zh"] == (
        f"考勤表中此人（{person(2)['name']}）的一行在「考勤」第 3 行，但那里的身份证号码与本行不同，所以对不上："
        "请按身份证核对两处号码，改正写错的一处"
    )


def test_attendance__a_row_whose_id_is_wrong_is_asked_for_its_number_not_for_attendance(make_xlsx, check_json):
    good = person(2)["id_number"]
    mistyped = good[:-1] + ("0" if good[-1] != "0" else "1")
    roster = roster_sheet(roster_row(1), roster_row(2, id_number=mistyped))
    attendance = [["身份证号码", "姓名", "线上学时"], [person(1)["id_number"], person(1)["name"], 1]]
    result = check_json(make_xlsx({"花名册": roster, "考勤": attendance}))
    assert by_code(result, "id.checksum") == [(3, "身份证号码", "id.checksum")]
    assert only(result, "attendance.trainee-missing") == []


def test_second_table__a_total_line_followed_by_a_heading_ends_the_table(make_xlsx, check_json):
    rows = [
        ROSTER_HEADER_ROW,
        roster_row(1),
        roster_row(2),
        ["合计", "2人"],
        [],
        ["补报人员（第二批）"],
        ROSTER_HEADER_ROW,
        roster_row(3),
    ]
    result = check_json(make_xlsx({"花名册": rows}))
    assert result.json["counts"]["rows"] == {"roster": 3}
    assert by_code(result, "sheet.footer-count") == []
    [finding] = only(result, "sheet.rows-below-footer")
    assert finding["row"] == 6
    assert finding["message_zh"].startswith(
        f"第 4 行表尾「2人」与其上方的 2 行人员相符；但该行下方还有一张表「补报人员（第二批）」（第 6 行），"
        f"其中第 8 行 {person(3)['name']} 共 1 人已作为本表人员一并读取（本表共读到 3 行）"
    )
    assert f"row 8 ({person(3)['name']}), 1 person (3 rows in all)" in finding["message_en"]
