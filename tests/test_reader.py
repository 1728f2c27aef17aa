"""Reading real workbooks: where the table is, which rows are data, what kind each sheet is.

Every test builds its file inline, runs ``skillcli check --json`` in-process and asserts on the
(Excel row, column as written, code) of findings and on the JSON counts.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.cli import by_code, codes, findings, sheet_info
from tests.support.ids import valid_id, wrong_check
from tests.support.rosters import ROSTER_HEADER_ROW, person, roster_row, roster_sheet
from tests.support.workbooks import Error, Formula, write_xls, write_xlsx

BAD_ID = wrong_check(valid_id(seq="991"))


# -- where the header is ------------------------------------------------------------------------
def test_header__below_title_and_unit_line_keeps_excel_row_numbers(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": [
                ["2024年第二批企业职工技能提升培训花名册"],
                ["填报单位（盖章）：苏州某某机械有限公司", None, None, None, None, "填报日期：2024年6月3日"],
                ROSTER_HEADER_ROW,
                roster_row(1),
                roster_row(2),
                roster_row(3),
                roster_row(4, id_number=BAD_ID),
            ]
        }
    )
    result = check_json(path)
    assert findings(result) == [(7, "身份证号码", "id.checksum")]
    assert sheet_info(result)["header_row"] == 3
    assert result.json["counts"]["rows"] == {"roster": 4}


def test_layout__leading_empty_rows_and_columns_keep_excel_rows(make_xlsx, check_json):
    # The table starts at C3: two empty rows above it, two empty columns to its left.
    pad = [None, None]
    path = make_xlsx(
        {
            "花名册": [
                [],
                [],
                pad + ROSTER_HEADER_ROW,
                pad + roster_row(1),
                pad + roster_row(2, level="七级"),
                pad + roster_row(3, id_number=BAD_ID),
            ]
        }
    )
    result = check_json(path)
    assert findings(result) == [(5, "培训等级", "level.unknown"), (6, "身份证号码", "id.checksum")]
    assert sheet_info(result)["header_row"] == 3


def test_header__two_row_merged_header_names_children_parent_slash_child(make_xlsx, check_json):
    top = ["姓名", "身份证号码", "培训类型", "职业(工种)", "开班日期", "结业日期", "现有证书情况", None, None]
    below = [None, None, None, None, None, None, "职业(工种)", "等级", "取证时间"]
    base = ["学员甲", valid_id(seq="011"), "技能提升", "焊工", "2024-05-06", "2024-05-15"]
    path = make_xlsx(
        {
            "花名册": [
                ["焊工培训花名册"],
                top,
                below,
                [*base, "电工", "五级", "2020-03-01"],
                [
                    "学员乙",
                    valid_id(seq="021"),
                    "技能提升",
                    "焊工",
                    "2024-05-06",
                    "2024-05-15",
                    "电工",
                    "九级",
                    "2020年3月",
                ],
            ]
        },
        merged={"花名册": ["A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3", "G2:I2"]},
    )
    result = check_json(path)
    assert findings(result) == [
        (5, "现有证书情况/取证时间", "date.month-only"),
        (5, "现有证书情况/等级", "level.unknown"),
    ]
    assert sheet_info(result)["header_row"] == 3
    # The main 职业(工种) column is the trainee's occupation, not the certificate's.
    assert result.json["counts"]["rows"] == {"roster": 2}


def test_header__two_row_header_in_csv_without_merge_information(make_csv, check_json):
    # A CSV cannot say which cells were merged: the group header fills rightwards over its children.
    path = make_csv(
        [
            ["姓名", "身份证号码", "培训类型", "职业(工种)", "开班日期", "结业日期", "现有证书情况", "", ""],
            ["", "", "", "", "", "", "职业(工种)", "等级", "取证时间"],
            [
                "学员甲",
                valid_id(seq="011"),
                "技能提升",
                "焊工",
                "2024-05-06",
                "2024-05-15",
                "电工",
                "十级",
                "2020-03-01",
            ],
        ]
    )
    result = check_json(path)
    assert findings(result) == [(3, "现有证书情况/等级", "level.unknown")]


def test_header__found_on_row_20_but_not_below(make_xlsx, check_json):
    above = [[] for _ in range(19)]
    found = check_json(make_xlsx({"花名册": [*above, ROSTER_HEADER_ROW, roster_row(1, level="九级")]}))
    assert findings(found) == [(21, "培训等级", "level.unknown")]
    too_low = check_json(make_xlsx({"花名册": [*above, [], [], ROSTER_HEADER_ROW, roster_row(1)]}, name="low.xlsx"))
    assert findings(too_low) == [(None, "", "sheet.header-not-found")]


def test_layout__numbering_row_under_header_is_skipped(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": [
                ROSTER_HEADER_ROW,
                ["(甲)", "(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
                roster_row(1),
                roster_row(2, id_number=BAD_ID),
            ]
        }
    )
    result = check_json(path)
    assert findings(result) == [(4, "身份证号码", "id.checksum")]
    assert result.json["counts"]["skipped"]["numbering"] == 1
    assert result.json["counts"]["rows"] == {"roster": 2}


def test_layout__full_width_numbering_row_is_skipped(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": [
                ROSTER_HEADER_ROW,
                ["（甲）", "（乙）", "（1）", "（2）", "（3）", "（4）", "（5）", "（6）"],
                roster_row(1),
            ]
        }
    )
    result = check_json(path)
    assert result.code == 0, findings(result)
    assert result.json["counts"]["skipped"]["numbering"] == 1


def test_layout__total_and_signature_rows_are_skipped_and_counted(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": [
                ROSTER_HEADER_ROW,
                roster_row(1),
                roster_row(2),
                ["合计", "2人", None, None, None, None, None, None],
                ["小 计", None, None, None, None, None, None, None],
                ["经办人：王五", None, None, "审核人：赵六", None, "负责人："],
                ["注：本表一式三份"],
            ]
        }
    )
    result = check_json(path)
    assert result.code == 0, findings(result)
    assert findings(result) == []
    skipped = result.json["counts"]["skipped"]
    assert (skipped["total"], skipped["footer"]) == (2, 2)
    assert result.json["counts"]["rows"] == {"roster": 2}


def test_layout__blank_rows_are_skipped_and_counted(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": [
                ROSTER_HEADER_ROW,
                roster_row(1),
                [],
                ["", "  ", None, "\u3000"],
                roster_row(2, id_number=BAD_ID),
            ]
        }
    )
    result = check_json(path)
    assert findings(result) == [(5, "身份证号码", "id.checksum")]
    assert result.json["counts"]["skipped"]["blank"] == 2
    assert result.json["counts"]["rows"] == {"roster": 2}


def test_layout__repeated_header_and_batch_title_inside_table(make_xlsx, check_json):
    # Two batches pasted into one sheet: the second brings its own title and header.
    path = make_xlsx(
        {
            "花名册": [
                ["第一批"],
                ROSTER_HEADER_ROW,
                roster_row(1),
                ["第二批"],
                ROSTER_HEADER_ROW,
                roster_row(2),
                roster_row(3, level="七级"),
            ]
        }
    )
    result = check_json(path)
    assert findings(result) == [(7, "培训等级", "level.unknown")]
    skipped = result.json["counts"]["skipped"]
    assert (skipped["repeated_header"], skipped["title"]) == (1, 1)
    assert result.json["counts"]["rows"] == {"roster": 3}


def test_layout__trainee_row_with_a_note_like_a_footer_is_kept(make_xlsx, check_json):
    # A 备注 cell that starts like a footer or a total must not make a trainee row disappear.
    header = [*ROSTER_HEADER_ROW, "备注"]
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                [*roster_row(1), "注：补录人员"],
                [*roster_row(2, id_number=BAD_ID), "说明：已核实"],
                [*roster_row(3, level="九级"), "联系人：王五"],
                [*roster_row(4, level="八级"), "合计培训两次"],
                ["合计", "4人", None, None, None, None, None, None, None],
                ["经办人：", "王五", "审核人：", "赵六"],
                header=header,
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [
        (3, "身份证号码", "id.checksum"),
        (4, "培训等级", "level.unknown"),
        (5, "培训等级", "level.unknown"),
    ]
    assert result.json["counts"]["rows"] == {"roster": 4}
    skipped = result.json["counts"]["skipped"]
    assert (skipped["total"], skipped["footer"]) == (1, 1)


# -- what kind each sheet is -------------------------------------------------------------------
def test_kind__by_sheet_name(make_xlsx, check_json):
    path = make_xlsx(
        {
            "学员名单": roster_sheet(roster_row(1)),
            "考勤表": [["身份证号码", "姓名", "应出勤天数", "实际出勤天数"], [valid_id(seq="011"), "学员甲", 10, 9]],
            "取证情况": [
                ["身份证号码", "姓名", "证书编号", "职业(工种)", "发证日期"],
                [valid_id(seq="011"), "学员甲", "ZS-001", "电工", "2024-05-20"],
            ],
        }
    )
    result = check_json(path)
    assert result.code == 0, findings(result)
    kinds = {s["sheet"]: s["kind"] for s in result.json["files"][0]["sheets"]}
    assert kinds == {"学员名单": "roster", "考勤表": "attendance", "取证情况": "certificates"}


def test_kind__by_headers_when_the_name_says_nothing(make_xlsx, check_json):
    path = make_xlsx(
        {
            "Sheet1": [
                ["身份证号码", "姓名", "证书编号", "职业(工种)", "等级", "发证日期"],
                [valid_id(seq="011"), "学员甲", "ZS-001", "电工", "四级", "2024-05-20"],
                [valid_id(seq="021"), "学员乙", "ZS-002", "电工", "四级", "2024-13-01"],
            ],
        }
    )
    result = check_json(path)
    assert sheet_info(result)["kind"] == "certificates"
    assert findings(result) == [(3, "发证日期", "date.invalid")]


def test_kind__notes_sheet_is_ignored(make_xlsx, check_json):
    notes = [["填表说明"], ["姓名", "身份证号码", "培训类型"], ["请按文本格式填写", "123", "见代码表"]]
    path = make_xlsx({"填表说明": notes, "花名册": roster_sheet(roster_row(1))})
    result = check_json(path)
    assert result.code == 0, findings(result)
    assert findings(result) == []
    assert [i["sheet"] for i in result.json["files"][0]["ignored"]] == ["填表说明"]
    assert [s["sheet"] for s in result.json["files"][0]["sheets"]] == ["花名册"]


# -- header spellings --------------------------------------------------------------------------
def test_header__aliases_map_to_canonical_columns(make_xlsx, check_json):
    header = ["学员姓名", "公民身份号码", "补贴类型", "培训工种", "技能等级", "培训开始日期", "培训结束日期"]
    path = make_xlsx(
        {
            "名单": [
                header,
                ["学员甲", valid_id(seq="011"), "技能提升", "电工", "五级", "2024-05-06", "2024-05-15"],
                ["学员乙", BAD_ID, "学雷锋", "电工", "十级", "2024-05-16", "2024-05-15"],
            ]
        }
    )
    result = check_json(path)
    assert findings(result) == [
        (3, "培训开始日期", "date.order"),
        (3, "公民身份号码", "id.checksum"),
        (3, "技能等级", "level.unknown"),
        (3, "补贴类型", "value.not-in-list"),
    ]


def test_header__full_width_spaces_line_breaks_star_and_required_marker(make_xlsx, check_json):
    header = [
        "姓　名*",
        "身份证号码\n(必填)",
        "培训 类型",
        "职业（工种）",
        "培训等级（必填）",
        "开班日期*",
        "结业\r\n日期",
    ]
    path = make_xlsx(
        {
            "花名册": [
                header,
                ["学员甲", valid_id(seq="011"), "技能提升", "电工", "五级", "2024-05-06", "2024-05-15"],
                ["学员乙", BAD_ID, "技能提升", None, "五级", "2024-05-06", "2024-05-15"],
            ]
        }
    )
    result = check_json(path)
    assert [(row, code) for row, _, code in findings(result)] == [(3, "id.checksum"), (3, "value.missing")]
    columns = {code: column for _, column, code in findings(result)}
    # The column is named as the file writes it (cleaned), never by the canonical name.
    assert "身份证号码" in columns["id.checksum"] and "必填" in columns["id.checksum"]
    assert columns["value.missing"] == "职业(工种)"
    assert "sheet.missing-column" not in codes(result)


def test_header__full_width_letters_and_digits_in_header(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                roster_row(1),
                roster_row(2, id_number=BAD_ID),
                header=["姓名", "１８位身份证号", *ROSTER_HEADER_ROW[2:]],
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [(3, "18位身份证号", "id.checksum")]


def test_header__blank_id_header_is_recognised_by_content(make_xlsx, check_json):
    header = ["姓名", None, "培训类型", "职业(工种)", "开班日期", "结业日期"]
    rows = [
        [p["name"], p["id_number"], "技能提升", "电工", "2024-05-06", "2024-05-15"]
        for p in (person(1), person(2), person(3))
    ]
    rows[2][1] = BAD_ID
    path = make_xlsx({"花名册": [header, *rows]})
    result = check_json(path)
    assert by_code(result, "sheet.column-by-content") == [(1, "(B列)", "sheet.column-by-content")]
    id_findings = [(row, code) for row, _, code in findings(result) if code.startswith("id.")]
    assert id_findings == [(4, "id.checksum")]
    assert "sheet.missing-column" not in codes(result)


def test_header__duplicate_column_is_reported_once(make_xlsx, check_json):
    path = make_xlsx({"花名册": roster_sheet([*roster_row(1), "学员甲"], header=[*ROSTER_HEADER_ROW, "学员姓名"])})
    result = check_json(path)
    assert findings(result) == [(1, "学员姓名", "sheet.duplicate-column")]


def test_header__sheet_named_roster_without_header_is_a_finding(make_xlsx, check_json):
    path = make_xlsx({"花名册": [["一些说明文字"], ["没有表头"]]})
    result = check_json(path)
    assert findings(result) == [(None, "", "sheet.header-not-found")]
    assert result.code == 1


# -- cell facts --------------------------------------------------------------------------------
def test_cell__formula_uses_cached_value_and_warns(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                roster_row(1),
                roster_row(
                    2, training_type=Formula('="技能"&"提升"', "技能提升"), end_date=Formula("=DATE(2024,5,15)", 45427)
                ),
            )
        }
    )
    result = check_json(path)
    # Had the cached values not been used, 培训类型 would be blank and 结业日期 would not parse.
    assert findings(result) == [(3, "培训类型", "cell.formula"), (3, "结业日期", "cell.formula")]
    assert result.code == 0
    values = {f["column"]: f["value"] for f in result.json["findings"]}
    assert values["培训类型"] == '="技能"&"提升"'


def test_cell__error_value_is_reported(make_xlsx, check_json):
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, occupation=Error("#N/A")))})
    result = check_json(path)
    assert (3, "职业(工种)", "cell.error") in findings(result)
    error = next(f for f in result.json["findings"] if f["code"] == "cell.error")
    assert error["value"] == "#N/A" and error["severity"] == "error"
    assert result.code == 1


def test_row__hidden_row_is_read_and_warned(make_xlsx, check_json):
    path = make_xlsx(
        {"花名册": roster_sheet(roster_row(1), roster_row(2), roster_row(3, id_number=BAD_ID))},
        hidden_rows={"花名册": [3, 4]},
    )
    result = check_json(path)
    assert findings(result) == [(3, "", "row.hidden"), (4, "身份证号码", "id.checksum"), (4, "", "row.hidden")]
    assert result.json["counts"]["rows"] == {"roster": 3}


def test_sheet__hidden_sheet_is_read_and_warned(make_xlsx, check_json):
    roster = roster_sheet(roster_row(1), roster_row(2, id_number=BAD_ID))
    path = make_xlsx({"说明": [["填表说明"]], "花名册": roster}, hidden_sheets=["花名册"])
    result = check_json(path)
    assert findings(result) == [(None, "", "sheet.hidden"), (3, "身份证号码", "id.checksum")]


def test_cell__merged_cells_in_data_are_reported(make_xlsx, check_json):
    path = make_xlsx(
        {"花名册": roster_sheet(roster_row(1), roster_row(2), roster_row(3))}, merged={"花名册": ["D2:D4"]}
    )
    result = check_json(path)
    assert by_code(result, "cell.merged") == [(2, "培训类型", "cell.merged")]
    merged = next(f for f in result.json["findings"] if f["code"] == "cell.merged")
    assert merged["value"] == "D2:D4"
    # Only the top-left cell holds the value: the two rows below it are blank there.
    assert by_code(result, "value.missing") == [(3, "培训类型", "value.missing"), (4, "培训类型", "value.missing")]


def test_cell__excel_date_cells_become_dates(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                roster_row(1, start_date=dt.date(2024, 5, 6), end_date=dt.date(2024, 5, 15)),
                roster_row(2, start_date=dt.date(2024, 5, 16), end_date=dt.datetime(2024, 5, 15, 9, 30)),
            )
        }
    )
    result = check_json(path)
    assert findings(result) == [(3, "开班日期", "date.order")]
    assert result.json["findings"][0]["value"] == "2024-05-16"


# -- other formats -----------------------------------------------------------------------------
def test_csv__utf8(make_csv, check_json):
    path = make_csv(roster_sheet(roster_row(1), roster_row(2, id_number=BAD_ID)), encoding="utf-8")
    result = check_json(path)
    assert findings(result) == [(3, "身份证号码", "id.checksum")]
    assert result.json["files"][0]["format"] == "csv"


def test_csv__utf8_with_bom(make_csv, check_json):
    path = make_csv(roster_sheet(roster_row(1), roster_row(2, id_number=BAD_ID)), encoding="utf-8-sig")
    result = check_json(path)
    # A BOM left on the first header would make 姓名 unknown and the sheet miss a required column.
    assert findings(result) == [(3, "身份证号码", "id.checksum")]


def test_csv__gbk(make_csv, check_json):
    path = make_csv(roster_sheet(roster_row(1), roster_row(2, id_number=BAD_ID, occupation="钳工")), encoding="gbk")
    result = check_json(path)
    assert findings(result) == [(None, "", "file.encoding-fallback"), (3, "身份证号码", "id.checksum")]
    assert result.code == 1


def test_csv__title_line_above_header(make_csv, check_json):
    path = make_csv([["2024年技能提升培训花名册"], *roster_sheet(roster_row(1), roster_row(2, level="八级"))])
    result = check_json(path)
    assert findings(result) == [(4, "培训等级", "level.unknown")]


def test_xls__real_old_format_file(tmp_path, check_json):
    path = write_xls(
        tmp_path / "old.xls",
        {
            "花名册": [
                ["2024年花名册"],
                ROSTER_HEADER_ROW,
                roster_row(1, start_date=dt.date(2024, 5, 6)),
                roster_row(2, id_number=BAD_ID),
                roster_row(3, id_number=110101199003072316),
                roster_row(4, start_date=dt.date(2024, 5, 16)),
            ]
        },
    )
    result = check_json(path)
    assert result.json["files"][0]["format"] == "xls"
    assert findings(result) == [
        (4, "身份证号码", "id.checksum"),
        (5, "身份证号码", "id.precision-lost"),
        (6, "开班日期", "date.order"),
    ]
    assert [f["value"] for f in result.json["findings"] if f["code"] == "date.order"] == ["2024-05-16"]


def test_xls__table_starting_at_c3_with_a_number_id(tmp_path, check_json):
    pad = [None, None]
    path = write_xls(
        tmp_path / "old.xls",
        {
            "花名册": [
                [],
                [],
                pad + ROSTER_HEADER_ROW,
                pad + roster_row(1),
                pad + roster_row(2, id_number=110101199003072316),
                pad + roster_row(3, id_number=BAD_ID),
            ]
        },
    )
    result = check_json(path)
    assert findings(result) == [(5, "身份证号码", "id.precision-lost"), (6, "身份证号码", "id.checksum")]


def test_xls__old_format_named_xlsx_is_sniffed(tmp_path, check_json):
    rows = [ROSTER_HEADER_ROW, roster_row(1, level="九级")]
    path = write_xls(tmp_path / "really-old.xlsx", {"花名册": rows})
    result = check_json(path)
    assert result.json["files"][0]["format"] == "xls"
    assert findings(result) == [(2, "培训等级", "level.unknown")]


@pytest.mark.parametrize("name", ["花名册.csv", "花名册.xls", "花名册", "花名册.XLSX"])
def test_xlsx__workbook_is_told_by_content_not_name(tmp_path, check_json, name):
    path = write_xlsx(tmp_path / name, {"花名册": roster_sheet(roster_row(1, level="九级"))})
    result = check_json(path)
    assert result.json["files"][0]["format"] == "xlsx"
    assert findings(result) == [(2, "培训等级", "level.unknown")]


def test_file__single_sheet_file_kind_from_file_name(tmp_path, check_json):
    # A one-sheet workbook whose sheet is called Sheet1: the file name says it is attendance.
    path = write_xlsx(
        tmp_path / "考勤.xlsx",
        {"Sheet1": [["身份证号码", "应出勤天数", "实际出勤天数"], [valid_id(seq="011"), 10, 12]]},
    )
    result = check_json(path)
    assert sheet_info(result)["kind"] == "attendance"
    assert findings(result) == [(2, "实际出勤天数", "attendance.present-exceeds-required")]
