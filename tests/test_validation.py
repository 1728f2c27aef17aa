"""Cell and row checks, through ``skillcli check`` on workbooks built in each test.

Expected check characters, birth dates and Excel serials are computed here, independently of
skillcli (python-stdnum, ``datetime``), never copied from the tool's output.
"""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric
from stdnum.cn import uscc as uscc_oracle

from tests.support.cli import by_code, codes, findings
from tests.support.ids import id_with_check_x, sex_of, upgraded_id, valid_id, valid_uscc, wrong_check
from tests.support.rosters import ROSTER_HEADER_ROW, person, roster_row, roster_sheet

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


upgraded_15 = upgraded_id("320506900307011")


def only(result, code):
    return [f for f in result.json["findings"] if f["code"] == code]


# -- ID numbers --------------------------------------------------------------------------------
def test_id__text_ids_stay_exact_and_valid(make_xlsx, check_json):
    ids = [valid_id(seq="011"), valid_id(area="110101", birth="20000229", seq="022"), id_with_check_x()]
    rows = [roster_row(i + 1, id_number=v, sex=sex_of(v)) for i, v in enumerate(ids)]
    path = make_xlsx({"花名册": roster_sheet(*rows)})
    result = check_json(path)
    assert findings(result) == []
    assert result.code == 0


def test_id__bad_checksum_names_the_expected_character(make_xlsx, check_json):
    good = valid_id(seq="021")
    bad = wrong_check(good)
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, id_number=bad))})
    result = check_json(path, "--show-ids")
    assert findings(result) == [(3, "身份证号码", "id.checksum")]
    finding = only(result, "id.checksum")[0]
    assert finding["value"] == bad  # the text as typed, all 18 characters
    assert f"应为 {good[-1]}" in finding["message_zh"]
    assert f"the first 17 digits give {good[-1]}" in finding["message_en"]
    assert result.code == 1


def test_id__number_cell_is_precision_lost(make_xlsx, check_json):
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, id_number=110101199003072316))})
    result = check_json(path)
    assert findings(result) == [(3, "身份证号码", "id.precision-lost")]


def test_id__number_cell_that_happens_to_pass_the_checksum_is_still_precision_lost(make_xlsx, check_json):
    # Excel keeps 15 significant digits; find a 15-digit prefix whose zero tail passes GB 11643.
    stored = next(v for s in range(1000) if ric.calc_check_digit(v := f"320506199003{s:03d}000") == "0")
    assert ric.calc_check_digit(stored) == stored[-1]
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, id_number=int(stored)))})
    result = check_json(path)
    assert findings(result) == [(3, "身份证号码", "id.precision-lost")]


@pytest.mark.parametrize("text", ["1.10101E+17", "1.10101199003072E+17", "3.2e+17"])
def test_id__scientific_notation_text_is_precision_lost(make_xlsx, check_json, text):
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, id_number=text))})
    result = check_json(path)
    assert findings(result) == [(3, "身份证号码", "id.precision-lost")]


def test_id__lowercase_x_is_accepted(make_xlsx, check_json):
    upper = id_with_check_x()
    path = make_xlsx(
        {
            "花名册": roster_sheet(roster_row(1, id_number=upper[:-1] + "x", sex=sex_of(upper))),
            # The attendance sheet writes the same person with an upper-case X: one person, on the roster.
            "考勤": [["身份证号码", "应出勤天数", "实际出勤天数"], [upper, 10, 10]],
        }
    )
    result = check_json(path)
    assert findings(result) == []


def test_id__full_width_digits_are_accepted(make_xlsx, check_json):
    half = valid_id(seq="011")
    path = make_xlsx(
        {
            "花名册": roster_sheet(roster_row(1, id_number=half.translate(FULL_WIDTH)), roster_row(2)),
            "考勤": [["身份证号码", "应出勤天数", "实际出勤天数"], [half, 10, 10], [person(2)["id_number"], 10, 10]],
        }
    )
    result = check_json(path)
    # Row 3 is trainee 2 with a different ID (and an attendance row of its own), so the only problems
    # would be a duplicate and an attendance row for nobody had the full-width ID not been normalised
    # to the same person as the attendance row.
    assert findings(result) == []


def test_id__spaces_inside_are_ignored(make_xlsx, check_json):
    v = valid_id(seq="011")
    path = make_xlsx({"花名册": roster_sheet(roster_row(1, id_number=f" {v[:6]} {v[6:14]} {v[14:]}\u3000"))})
    assert findings(check_json(path)) == []


def test_id__old_15_digit_is_reported_with_its_18_digit_form(make_xlsx, check_json):
    id15 = "320506900307011"
    expected18 = upgraded_15
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, id_number=id15))})
    result = check_json(path, "--show-ids")
    assert findings(result) == [(3, "身份证号码", "id.old-15-digit")]
    assert expected18 in only(result, "id.old-15-digit")[0]["message_zh"]


def test_id__old_15_digit_typed_as_number_is_exact_not_precision_lost(make_xlsx, check_json):
    # 15 digits fit in Excel's 15 significant digits: nothing was lost, the ID is just old.
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, id_number=320506900307011))})
    result = check_json(path, "--show-ids")
    assert findings(result) == [(3, "身份证号码", "id.old-15-digit")]
    assert upgraded_15 in only(result, "id.old-15-digit")[0]["message_zh"]


def test_id__impossible_birth_date(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                roster_row(1),
                roster_row(2, id_number=valid_id(birth="19900230", seq="021")),
                roster_row(3, id_number=valid_id(birth="20990101", seq="031")),
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [(3, "身份证号码", "id.birth-date"), (4, "身份证号码", "id.birth-date")]


def test_id__wrong_length_and_blank(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                roster_row(1, id_number=valid_id(seq="011")[:17]),
                roster_row(2, id_number=None),
                roster_row(3, id_number="32050619900307031A"),
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [
        (2, "身份证号码", "id.format"),
        (3, "身份证号码", "id.missing"),
        (4, "身份证号码", "id.format"),
    ]


# -- sex, credit code, phone, names ------------------------------------------------------------
def test_sex__disagrees_with_id(make_xlsx, check_json):
    male_id = valid_id(seq="011")
    female_id = valid_id(seq="022")
    assert int(male_id[16]) % 2 == 1 and int(female_id[16]) % 2 == 0
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                roster_row(1, id_number=male_id, sex="男"),
                roster_row(2, id_number=female_id, sex="女"),
                roster_row(3, id_number=valid_id(seq="031"), sex="女"),
                roster_row(4, id_number=valid_id(seq="042"), sex="男"),
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [(4, "性别", "sex.mismatch"), (5, "性别", "sex.mismatch")]
    assert result.code == 0  # a warning


def test_uscc__checksum_and_format(make_xlsx, check_json):
    good = valid_uscc()
    assert uscc_oracle.is_valid(good)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    header = [*ROSTER_HEADER_ROW, "统一社会信用代码"]
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                [*roster_row(1), good],
                [*roster_row(2), bad],
                [*roster_row(3), "91320506MA1MCGQ3"],  # 16 characters
                [*roster_row(4), good.lower()],
                header=header,
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [(3, "统一社会信用代码", "uscc.checksum"), (4, "统一社会信用代码", "uscc.format")]
    assert f"应为 {good[-1]}" in only(result, "uscc.checksum")[0]["message_zh"]


def test_phone__eleven_digits_starting_with_1(make_xlsx, check_json):
    header = [*ROSTER_HEADER_ROW, "手机号码"]
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                [*roster_row(1), "13800138000"],
                [*roster_row(2), "138 0013 8000"],
                [*roster_row(3), "+8613800138000"],
                [*roster_row(4), "1380013800"],
                [*roster_row(5), "23800138000"],
                [*roster_row(6), 13800138000],
                header=header,
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [(5, "手机号码", "phone.format"), (6, "手机号码", "phone.format")]


def test_name__blank_and_digits(make_xlsx, check_json):
    path = make_xlsx(
        {"花名册": roster_sheet(roster_row(1, name=None), roster_row(2, name="张3"), roster_row(3, name="张 三"))}
    )
    result = check_json(path)
    assert findings(result) == [(2, "姓名", "name.missing"), (3, "姓名", "name.has-digits")]


def test_account__digits_only(make_xlsx, check_json):
    header = [*ROSTER_HEADER_ROW, "银行账号"]
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                [*roster_row(1), "6222021001001234567"],
                [*roster_row(2), "6222-0210-0100-1234"],
                [*roster_row(3), "6222O21001001234567"],
                [*roster_row(4), 6222021001001234567],
                header=header,
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [(4, "银行账号", "account.format"), (5, "银行账号", "cell.precision-lost")]


# -- dates -------------------------------------------------------------------------------------
MAY_6 = dt.date(2024, 5, 6)
SERIAL_MAY_6 = (MAY_6 - dt.date(1899, 12, 30)).days

DATE_FORMS = [
    MAY_6,  # an Excel date cell
    dt.datetime(2024, 5, 6, 8, 30),  # a date-time cell
    SERIAL_MAY_6,  # a number cell holding the serial
    str(SERIAL_MAY_6),  # the serial typed as text
    "2024-05-06",
    "2024/5/6",
    "2024.5.6",
    "2024.05.06",
    "2024年5月6日",
    "20240506",
    "2024-05-06T08:30:00",
    "2024-05-06 08:30",
    "2024-5-6",
    " 2024-05-06 ",
    "２０２４－０５－０６",
]


@pytest.mark.parametrize("form", DATE_FORMS, ids=repr)
def test_date__every_accepted_form_parses_to_the_exact_day(make_xlsx, check_json, form):
    # Row 2 ends the same day (no finding); row 3 ends the day before, so start > end is reported
    # and its value shows the parsed start date: only an exact parse passes both.
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                roster_row(1, start_date=form, end_date="2024-05-06"),
                roster_row(2, start_date=form, end_date="2024-05-05"),
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [(3, "开班日期", "date.order")]
    assert only(result, "date.order")[0]["value"] == "2024-05-06"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2024-02-30", "date.invalid"),
        ("2023-02-29", "date.invalid"),
        ("2024-13-01", "date.invalid"),
        ("2024年3月", "date.month-only"),
        ("2024-03", "date.month-only"),
        ("5月6日", "date.invalid"),
        ("06/05/2024", "date.invalid"),
        ("下周一", "date.invalid"),
        ("1900-01-01", "date.implausible"),
    ],
)
def test_date__impossible_or_partial_dates_are_findings(make_xlsx, check_json, text, code):
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, start_date=text))})
    result = check_json(path)
    assert findings(result) == [(3, "开班日期", code)]
    assert only(result, code)[0]["value"] == text


PERIOD_HEADER = ["姓名", "身份证号码", "培训类型", "职业(工种)", "培训时间"]


def test_date__training_period_in_one_cell_is_split(make_xlsx, check_json):
    rows = [
        [p["name"], p["id_number"], "技能提升", "电工", period]
        for p, period in (
            (person(1), "2024.05.06-2024.05.15"),
            (person(2), "2024年5月16日至2024年5月15日"),
            (person(3), "2024.05.06-2024.07.15"),
            (person(4), "五月上旬"),
            (person(5), None),
        )
    ]
    result = check_json(make_xlsx({"花名册": [PERIOD_HEADER, *rows]}))
    assert findings(result) == [
        (3, "培训时间", "date.order"),
        (4, "培训时间", "date.after-period"),
        (5, "培训时间", "date.invalid"),
        (6, "培训时间", "date.missing"),
    ]
    values = {f["row"]: f["value"] for f in result.json["findings"]}
    assert values[3] == "2024-05-16"
    assert values[4] == "2024-07-15"
    assert values[5] == "五月上旬"  # the cell as written, not a blank


def test_date__blank_required_date(make_xlsx, check_json):
    path = make_xlsx({"花名册": roster_sheet(roster_row(1, end_date=None))})
    assert findings(check_json(path)) == [(2, "结业日期", "date.missing")]


def test_date__start_after_end(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                roster_row(1, start_date="2024-05-15", end_date="2024-05-06"),
                roster_row(2, start_date="2024-05-06", end_date="2024-05-06"),
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [(2, "开班日期", "date.order")]
    assert "2024-05-15 > 2024-05-06" in only(result, "date.order")[0]["message_zh"]


def test_date__end_after_the_batch_period(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                roster_row(1, end_date="2024-06-30"),
                roster_row(2, end_date="2024-07-01"),
            )
        }
    )
    result = check_json(path)  # --period 2024-06
    assert findings(result) == [(3, "结业日期", "date.after-period")]


def test_date__period_option_moves_the_limit(make_xlsx, run_cli):
    path = make_xlsx({"花名册": roster_sheet(roster_row(1, end_date="2024-07-01"))})
    assert run_cli("check", path, "--json", "--period", "2024-07").code == 0
    later = run_cli("check", path, "--json", "--period", "2024-06")
    # A warning: the class has not closed yet; the payout holds all but monthly allowances.
    assert later.code == 0 and findings(later) == [(2, "结业日期", "date.after-period")]
    assert later.json["findings"][0]["severity"] == "warning"


def test_date__filed_end_before_start(make_xlsx, check_json):
    header = [*ROSTER_HEADER_ROW, "备案结束日期"]
    path = make_xlsx(
        {"花名册": roster_sheet([*roster_row(1), "2024-05-05"], [*roster_row(2), "2024-05-06"], header=header)}
    )
    assert findings(check_json(path)) == [(2, "备案结束日期", "date.filed-before-start")]


# -- enums and levels --------------------------------------------------------------------------
def test_enum__unknown_training_type_and_blank_required(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                roster_row(1, training_type="岗前培训"),
                roster_row(2, training_type="企业新型学徒制"),
                roster_row(3, training_type="兴趣培训"),
                roster_row(4, training_type=None),
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [(4, "培训类型", "value.not-in-list"), (5, "培训类型", "value.missing")]
    assert "岗前培训" in only(result, "value.not-in-list")[0]["message_zh"]


def test_enum__yes_no_and_category(make_xlsx, check_json):
    header = [*ROSTER_HEADER_ROW, "是否参保", "人员类别"]
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                [*roster_row(1), "是", "企业职工"],
                [*roster_row(2), "√", "贫困劳动力"],
                [*roster_row(3), "也许", "外星人"],
                header=header,
            )
        }
    )
    result = check_json(path)
    # 人员类别 is an open list: an unknown value is a warning, once per value, not an error.
    assert findings(result) == [(4, "人员类别", "value.unknown"), (4, "是否参保", "value.yes-no")]
    assert only(result, "value.unknown")[0]["severity"] == "warning"


@pytest.mark.parametrize(
    "spelling", ["五级", "初级工", "5级", "五级/初级工", "五级（初级工）", "初级", "职业技能等级五级"]
)
def test_level__spellings_of_one_level_are_one_level(make_xlsx, check_json, spelling):
    # One person twice in one class is a duplicate; the class includes the level, so the second
    # row is a duplicate exactly when its spelling means the same level as 五级.
    path = make_xlsx({"花名册": roster_sheet(roster_row(1, level="五级"), roster_row(1, level=spelling))})
    result = check_json(path)
    assert findings(result) == [(3, "身份证号码", "roster.duplicate-person")]


@pytest.mark.parametrize("spelling", ["四级", "四级(中级工)", "四级（中级工）", "中级工", "4级", "四级/中级工"])
def test_level__four_spellings_differ_from_level_five(make_xlsx, check_json, spelling):
    path = make_xlsx({"花名册": roster_sheet(roster_row(1, level="五级"), roster_row(1, level=spelling))})
    result = check_json(path)
    assert findings(result) == []


@pytest.mark.parametrize("spelling", ["六级", "特级", "初中级", "level 5"])
def test_level__unknown_spelling(make_xlsx, check_json, spelling):
    path = make_xlsx({"花名册": roster_sheet(roster_row(1, level=spelling))})
    assert findings(check_json(path)) == [(2, "培训等级", "level.unknown")]


# -- money -------------------------------------------------------------------------------------
def test_money__invalid_negative_and_sub_fen(make_xlsx, check_json):
    header = [*ROSTER_HEADER_ROW, "培训费用"]
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                [*roster_row(1), "1,500.00"],
                [*roster_row(2), "500 元/人"],
                [*roster_row(3), "五百元"],
                [*roster_row(4), "-10"],
                [*roster_row(5), "12.345"],
                [*roster_row(6), 274.65999999999997],
                header=header,
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [
        (4, "培训费用", "money.invalid"),
        (5, "培训费用", "money.negative"),
        (6, "培训费用", "money.sub-fen"),
    ]


# -- rows against rows and sheets against sheets -----------------------------------------------
def test_roster__same_person_twice_in_one_class(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                roster_row(1),
                roster_row(2),
                roster_row(1),  # the same person, same class
                roster_row(1, occupation="焊工"),  # the same person in another class: allowed
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [(4, "身份证号码", "roster.duplicate-person")]
    # The first row is named the way a clerk finds it: sheet and Excel row (the file is the finding's own).
    message = only(result, "roster.duplicate-person")[0]["message_zh"]
    assert "首次出现在「花名册」第 2 行" in message
    assert "batch.xlsx" not in message


def test_roster__duplicate_by_class_id(make_xlsx, check_json):
    header = [*ROSTER_HEADER_ROW, "班级编号"]
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                [*roster_row(1), "B01"],
                [*roster_row(1, occupation="焊工"), "B01"],
                [*roster_row(1), "B02"],
                header=header,
            )
        }
    )
    assert findings(check_json(path)) == [(3, "身份证号码", "roster.duplicate-person")]


def test_cross__attendance_and_certificate_ids_not_on_roster(make_xlsx, check_json):
    stranger = valid_id(seq="771")
    path = make_xlsx(
        {
            "花名册": roster_sheet(roster_row(1), roster_row(2)),
            "考勤": [
                ["身份证号码", "姓名", "应出勤天数", "实际出勤天数"],
                [person(1)["id_number"], "学员甲", 10, 10],
                [stranger, "路人", 10, 10],
            ],
            "证书": [
                ["身份证号码", "姓名", "证书编号", "职业(工种)", "发证日期"],
                [stranger, "路人", "ZS-9", "电工", "2024-05-20"],
                [person(2)["id_number"], "学员乙", "ZS-2", "电工", "2024-05-20"],
            ],
        }
    )
    result = check_json(path)
    assert [(f["sheet"], f["row"], f["column"], f["code"]) for f in result.json["findings"]] == [
        # Trainee 2 has no attendance row: the roster row is named, the attendance sheet to add it to.
        ("花名册", 3, "姓名", "attendance.trainee-missing"),
        ("考勤", 3, "身份证号码", "attendance.not-on-roster"),
        ("证书", 2, "身份证号码", "cert.not-on-roster"),
    ]


def test_cross__same_id_with_different_names_across_sheets(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(roster_row(1), roster_row(2)),
            "考勤": [
                ["身份证号码", "姓名", "应出勤天数", "实际出勤天数"],
                [person(1)["id_number"], "学员甲", 10, 10],
                [person(2)["id_number"], "王小二", 10, 10],
            ],
            "证书": [
                ["身份证号码", "姓名", "证书编号", "职业(工种)", "发证日期"],
                [person(1)["id_number"], "李四", "ZS-1", "电工", "2024-05-20"],
            ],
        }
    )
    result = check_json(path)
    assert [(f["sheet"], f["row"], f["column"], f["code"]) for f in result.json["findings"]] == [
        ("考勤", 3, "姓名", "name.mismatch"),
        ("证书", 2, "姓名", "name.mismatch"),
    ]
    assert "学员乙" in only(result, "name.mismatch")[0]["message_zh"]


def test_cross__roster_in_one_file_attendance_in_another(tmp_path, check_json):
    from tests.support.workbooks import write_xlsx

    roster = write_xlsx(tmp_path / "花名册.xlsx", {"Sheet1": roster_sheet(roster_row(1))})
    attendance = write_xlsx(
        tmp_path / "考勤.xlsx",
        {
            "Sheet1": [
                ["身份证号码", "应出勤天数", "实际出勤天数"],
                [person(1)["id_number"], 10, 10],
                [valid_id(seq="881"), 5, 5],
            ]
        },
    )
    result = check_json(roster, attendance)
    assert [(f["file"].rsplit("/", 1)[-1], f["row"], f["code"]) for f in result.json["findings"]] == [
        ("考勤.xlsx", 3, "attendance.not-on-roster")
    ]


ATTENDANCE_HEADER = ["身份证号码", "应出勤天数", "实际出勤天数", "线上学时", "线下学时", "总学时"]


def test_attendance__negative_impossible_and_non_numbers(make_xlsx, check_json):
    ids = [person(n)["id_number"] for n in range(1, 7)]
    path = make_xlsx(
        {
            "花名册": roster_sheet(*(roster_row(n) for n in range(1, 7))),
            "考勤": [
                ATTENDANCE_HEADER,
                [ids[0], 10, 10, 8, 32, 40],
                [ids[1], 10, -1, 0, 40, 40],
                [ids[2], 10, 12, 0, 40, 40],
                [ids[3], 10, 10, 50, 0, 40],
                [ids[4], 10, "九", 0, 40, 40],
                [ids[5], 10, 9.5, 0, 40, 40],
            ],
        }
    )
    result = check_json(path)
    assert findings(result) == [
        (3, "实际出勤天数", "number.negative"),
        (4, "实际出勤天数", "attendance.present-exceeds-required"),
        (5, "总学时", "attendance.hours-sum"),
        (5, "线上学时", "attendance.online-exceeds-total"),
        (6, "实际出勤天数", "number.invalid"),
        (7, "实际出勤天数", "number.not-integer"),
    ]


def test_attendance__hours_sum_differs_from_total(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(roster_row(1)),
            "考勤": [ATTENDANCE_HEADER, [person(1)["id_number"], 10, 10, 10, 20, 40]],
        }
    )
    result = check_json(path)
    assert findings(result) == [(2, "总学时", "attendance.hours-sum")]
    assert result.code == 0  # a warning


def test_cert__duplicate_number_and_level_and_year_mismatch(make_xlsx, check_json):
    # New 22-character 职业技能等级证书 number: position 16 is the level, 14–15 the year of issue.
    def number(year: str, level: str, serial: str) -> str:
        return "S" + "0001" + "32" + "000123" + year + level + serial

    n1 = number("24", "4", "000001")
    path = make_xlsx(
        {
            "花名册": roster_sheet(roster_row(1), roster_row(2), roster_row(3)),
            "证书": [
                ["身份证号码", "证书编号", "职业(工种)", "等级", "发证日期"],
                [person(1)["id_number"], n1, "电工", "四级", "2024-05-20"],
                [person(2)["id_number"], n1, "电工", "四级", "2024-05-20"],
                [person(3)["id_number"], number("24", "5", "000003"), "电工", "四级/中级工", "2023-05-20"],
            ],
        }
    )
    result = check_json(path)
    assert findings(result) == [
        (3, "证书编号", "cert.duplicate-number"),
        (4, "证书编号", "cert.number-level-mismatch"),
        (4, "证书编号", "cert.number-year-mismatch"),
    ]


def test_cert__old_16_digit_number_level_and_year(make_xlsx, check_json):
    # Old 职业资格证书: positions 1–2 the year, 11 the level.
    old = "24" + "32" + "05" + "1" + "001" + "3" + "00001"
    assert len(old) == 16
    path = make_xlsx(
        {
            "花名册": roster_sheet(roster_row(1), roster_row(2)),
            "证书": [
                ["身份证号码", "证书编号", "职业(工种)", "等级", "发证日期"],
                [person(1)["id_number"], old, "电工", "三级/高级工", "2024-05-20"],
                [person(2)["id_number"], old[:-1] + "2", "电工", "二级", "2024-05-20"],
            ],
        }
    )
    assert findings(check_json(path)) == [(3, "证书编号", "cert.number-level-mismatch")]


def test_cert__number_typed_as_number_lost_precision(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(roster_row(1)),
            "证书": [
                ["身份证号码", "证书编号", "职业(工种)", "发证日期"],
                [person(1)["id_number"], 2432051001300001, "电工", "2024-05-20"],
            ],
        }
    )
    assert by_code(check_json(path), "cell.precision-lost") == [(2, "证书编号", "cell.precision-lost")]


# -- required columns --------------------------------------------------------------------------
def test_sheet__missing_required_column_is_one_finding(make_xlsx, check_json):
    header = [h for h in ROSTER_HEADER_ROW if h != "培训类型"]
    rows = [[v for h, v in zip(ROSTER_HEADER_ROW, roster_row(n), strict=True) if h != "培训类型"] for n in (1, 2, 3)]
    path = make_xlsx({"花名册": [["花名册"], header, *rows]})
    result = check_json(path)
    assert findings(result) == [(2, "培训类型", "sheet.missing-column")]
    assert result.code == 1


def test_sheet__two_missing_columns_are_two_findings(make_xlsx, check_json):
    keep = ("姓名", "身份证号码", "性别", "培训类型", "培训等级", "开班日期")
    header = [h for h in ROSTER_HEADER_ROW if h in keep]
    rows = [[v for h, v in zip(ROSTER_HEADER_ROW, roster_row(n), strict=True) if h in keep] for n in (1, 2)]
    result = check_json(make_xlsx({"花名册": [header, *rows]}))
    assert sorted(findings(result)) == [
        (1, "结业日期", "sheet.missing-column"),
        (1, "职业(工种)", "sheet.missing-column"),
    ]
    assert codes(result) == {"sheet.missing-column"}


def test_validate__distinct_value_path_equals_row_by_row(tmp_path, monkeypatch, run_cli):
    """Large columns are parsed on their distinct values and joined back; the result must be the
    same, finding for finding and value for value, as parsing every row."""
    import random

    from skillcli.schema import validate

    rng = random.Random(3)
    dates = ["2024-05-06", "2024/5/7", "2024-02-30", "2024年3月", "45413", "", "20240508"]
    fees = ["1500", "1,500.00", "abc", "-3", "274.65999999999997", "0.005", ""]
    levels = ["四级/中级工", "中级", "九级", "", "L3"]
    rows = [[*ROSTER_HEADER_ROW, "培训费用"]]
    for i in range(2600):
        base = roster_row(
            1 + i % 90, start_date=rng.choice(dates), end_date=rng.choice(dates), level=rng.choice(levels)
        )
        rows.append([*base, rng.choice(fees)])
    path = tmp_path / "big.xlsx"
    from tests.support.workbooks import write_xlsx

    write_xlsx(path, {"花名册": rows})
    import datetime as dt

    from polars.testing import assert_frame_equal

    from skillcli.pipeline import load_batch, parse_period

    ctx = parse_period("2024-06", dt.date(2024, 7, 1))
    distinct_frames = load_batch([path], ctx).frames
    distinct = run_cli("check", path, "--json", "--period", "2024-06")
    monkeypatch.setattr(validate, "DISTINCT_MIN_ROWS", 10**9)
    direct = run_cli("check", path, "--json", "--period", "2024-06")
    for kind, frame in load_batch([path], ctx).frames.items():
        assert_frame_equal(distinct_frames[kind], frame, check_column_order=False)
    assert distinct.code == direct.code == 1
    assert distinct.json["findings"] == direct.json["findings"]
    assert len(distinct.json["findings"]) > 2000
