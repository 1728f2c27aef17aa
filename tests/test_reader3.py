"""What the third independent reader (a Wuxi 2024 batch, a roster mangled in new ways) could not act on.

Each test builds its workbook inline in the shape the reader's mangled roster had, runs the CLI
in-process on the real .xlsx and checks the values read, the findings (row, column, code, message)
or the screen.
"""

from __future__ import annotations

import pytest

from tests.support.cli import by_code, findings
from tests.support.ids import valid_id
from tests.support.rosters import ROSTER_HEADER_ROW, roster_row, roster_sheet
from tests.support.workbooks import Formula


def sheet_info(result, name=None):
    sheets = [s for f in result.json["files"] for s in f["sheets"]]
    return sheets[0] if name is None else next(s for s in sheets if s["sheet"] == name)


def finding(result, code):
    return next(f for f in result.json["findings"] if f["code"] == code)


# -- 1. a parent header merged over two children ------------------------------------------------
CONTRACT_TOP = [
    "序号",
    "姓名",
    "身份证号码",
    "培训类型",
    "职业(工种)",
    "培训等级",
    "开班日期",
    "结业日期",
    "劳动合同期限",
    None,
]
CONTRACT_BELOW = [None, None, None, None, None, None, None, None, "起始日期", "终止日期"]
# Every column but the contract pair is merged down over both header rows, as in the reader's roster.
VERTICAL = [f"{c}2:{c}3" for c in "ABCDEFGH"]


def _trainee(n, start="2024-01-01", end="2025-12-31"):
    row = roster_row(n)  # name, id, sex, type, occupation, level, start, end
    return [n, row[0], row[1], row[3], row[4], row[5], row[6], row[7], start, end]


def test_merged_parent__children_read_as_parent_plus_child(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": [
                ["2024年学徒花名册"],
                CONTRACT_TOP,
                CONTRACT_BELOW,
                _trainee(1),
                _trainee(2, end="2024/13/01"),
                _trainee(3, start="2023年2月"),
            ]
        },
        merged={"花名册": [*VERTICAL, "I2:J2"]},
    )
    result = check_json(path)
    info = sheet_info(result)
    assert info["header_row"] == 3
    assert info["columns"]["contract_start"] == "劳动合同期限/起始日期"
    assert info["columns"]["contract_end"] == "劳动合同期限/终止日期"
    # The child header row is no data row; the values under each child are read from its own column.
    assert result.json["counts"]["rows"] == {"roster": 3}
    assert findings(result) == [
        (5, "劳动合同期限/终止日期", "date.invalid"),
        (6, "劳动合同期限/起始日期", "date.month-only"),
    ]
    assert finding(result, "date.invalid")["value"] == "2024/13/01"


@pytest.mark.parametrize(
    ("top", "below", "expected"),
    [
        # 培训期限 over 起/止: the parent's ending dropped and 起/止 written out.
        (["培训期限", None], ["起", "止"], {"start_date": "培训期限/起", "end_date": "培训期限/止"}),
        # 培训时间 over 开始时间/结束时间: the parent's 时间 dropped.
        (
            ["培训时间", None],
            ["开始时间", "结束时间"],
            {"start_date": "培训时间/开始时间", "end_date": "培训时间/结束时间"},
        ),
    ],
)
def test_merged_parent__training_period_groups(make_xlsx, check_json, top, below, expected):
    head = ["姓名", "身份证号码", "培训类型", "职业(工种)", "培训等级"]
    row = roster_row(1)
    path = make_xlsx(
        {
            "花名册": [
                [*head, *top],
                [None] * len(head) + below,
                [row[0], row[1], row[3], row[4], row[5], "2024-05-06", "2024-05-03"],
            ]
        },
        merged={"花名册": [*(f"{c}1:{c}2" for c in "ABCDE"), "F1:G1"]},
    )
    result = check_json(path)
    columns = sheet_info(result)["columns"]
    assert {k: columns[k] for k in expected} == expected
    # The dates were read from the two child columns: a start after the end is caught on row 3.
    assert by_code(result, "date.order") == [(3, expected["start_date"], "date.order")]


def test_merged_parent__attendance_days_under_one_group(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(roster_row(1)),
            "考勤": [
                ["身份证号码", "姓名", "出勤天数", None],
                [None, None, "应", "实际"],
                [valid_id(seq="011"), "学员甲", 10, 12],
            ],
        },
        merged={"考勤": ["A1:A2", "B1:B2", "C1:D1"]},
    )
    result = check_json(path)
    columns = sheet_info(result, "考勤")["columns"]
    assert columns["days_required"] == "出勤天数/应"
    assert columns["days_present"] == "出勤天数/实际"
    present = finding(result, "attendance.present-exceeds-required")
    assert (present["row"], present["value"]) == (3, "12")


def test_merged_parent__unknown_children_are_one_header_finding_not_data(make_xlsx, check_json):
    top = [*ROSTER_HEADER_ROW, "紧急联系人", None]
    below = [None] * len(ROSTER_HEADER_ROW) + ["称呼", "联络方式"]
    path = make_xlsx(
        {"花名册": [top, below, [*roster_row(1), "张三", "父亲"], [*roster_row(2), "李四", "母亲"]]},
        merged={"花名册": [*(f"{c}1:{c}2" for c in "ABCDEFGH"), "I1:J1"]},
    )
    result = check_json(path)
    assert sheet_info(result)["header_row"] == 2
    assert result.json["counts"]["rows"] == {"roster": 2}
    assert findings(result) == [(2, "紧急联系人", "sheet.merged-header-unknown")]
    found = finding(result, "sheet.merged-header-unknown")
    assert found["value"] == "称呼 / 联络方式"
    assert "「紧急联系人」（I1:J1 / I2, J2）下的「称呼 / 联络方式」未能识别" in found["message_zh"]
    assert found["message_en"].startswith("the merged header '紧急联系人' (I1:J1 / I2, J2) has '称呼 / 联络方式' under")


def test_merged_parent__title_merged_over_the_table_is_not_a_parent(make_xlsx, check_json):
    # A batch title merged across every column above a one-row header stays a title.
    path = make_xlsx(
        {"花名册": [["2024年第二批花名册"], ROSTER_HEADER_ROW, roster_row(1), roster_row(2, level="九级")]},
        merged={"花名册": ["A1:H1"]},
    )
    result = check_json(path)
    assert sheet_info(result)["header_row"] == 2
    assert sheet_info(result)["columns"]["level"] == "培训等级"
    assert findings(result) == [(4, "培训等级", "level.unknown")]


# -- 2. a formula cell with no saved result ----------------------------------------------------
def test_formula_without_saved_result_is_blank_and_says_so(make_xlsx, check_json):
    import openpyxl

    # Written by a program and never opened in Excel: openpyxl saves the formula and no result.
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2))})
    book = openpyxl.load_workbook(path)
    book["花名册"]["H3"] = "=G3"
    book.save(path)
    result = check_json(path)
    found = finding(result, "cell.formula-no-result")
    assert (found["row"], found["column"], found["value"]) == (3, "结业日期", "=G3")
    assert found["message_zh"] == (
        "此单元格是公式 =G3，文件中没有保存计算结果（文件未在 Excel 中打开保存过），已按空白处理；"
        "请在 Excel 中打开并保存，或直接填写数值"
    )
    # Read as blank, so the blank rules apply: a required date left blank is an error on that cell.
    assert (3, "结业日期", "date.missing") in findings(result)
    assert not by_code(result, "cell.formula")


def test_formula_with_saved_result_keeps_the_cached_value_message(make_xlsx, check_json):
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, end_date=Formula("=G3", "2024-05-15")))})
    result = check_json(path)
    assert by_code(result, "cell.formula") == [(3, "结业日期", "cell.formula")]
    assert not by_code(result, "cell.formula-no-result")
    assert "Excel 上次算出并显示的结果" in finding(result, "cell.formula")["message_zh"]
