"""Every column accounted for: headers read through an alias, mapped by the clerk, or reported.

Each test writes a real .xlsx, runs ``skillcli check`` in-process and reads the JSON (which
header each column was read from, the findings) or the screen.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import PERIOD, findings
from tests.support.ids import person_id
from tests.support.rosters import ROSTER_HEADER_ROW, ROSTER_HEADERS, person, roster_row, roster_sheet

# The alias lists of /work/shared/input-schema.md (the documents are not part of the repository,
# so they are copied here): canonical column -> the header and every alias the document lists.
ROSTER_DOC_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "学员姓名", "职工姓名", "学徒姓名", "劳动力姓名", "考生姓名", "中文名"),
    "id_number": ("身份证号码", "身份证号", "公民身份号码", "证件号码", "身份证", "18位身份证号", "劳动力身份证号码"),
    "sex": ("性别",),
    "phone": ("手机号码", "联系电话", "手机号", "电话"),
    "category": ("人员类别", "人员身份", "类别", "人员类型", "就业前所属群体"),
    "employer_name": ("单位名称", "企业名称", "工作单位", "用人单位"),
    "employer_uscc": ("统一社会信用代码", "社会信用代码", "信用代码"),
    "training_type": ("培训类型", "补贴类型", "培训项目类别", "项目类型"),
    "occupation": (
        "职业(工种)",
        "职业",
        "工种",
        "培训工种",
        "培训职业",
        "培训职业(工种)",
        "考核专业(工种)",
        "报考职业(工种)",
        "申报工种",
    ),
    "level": ("培训等级", "等级", "技能等级", "申报等级", "级别", "鉴定级别", "报考等级", "工种等级"),
    "start_date": ("开班日期", "培训开始日期", "培训起始日期", "开始时间", "入学日期"),
    "end_date": ("结业日期", "培训结束日期", "培训终止日期", "结束时间", "结业时间"),
    "filed_end_date": ("备案结束日期", "备案培训期限止", "计划结业日期"),
    "institution": ("培训机构", "承训机构", "培训单位", "培训单位名称", "定点培训机构", "学校名称"),
    "institution_uscc": ("机构统一社会信用代码", "机构信用代码"),
    "fee_yuan": ("培训费用", "培训费", "实际培训费用(元)"),
    "insured": ("是否参保", "参保状态", "是否缴纳社保"),
    "pensioner": ("是否领取养老金", "是否退休", "领取养老金"),
    "payer": ("出资方", "培训费出资方", "缴费主体"),
    "shortage": ("是否紧缺职业", "紧缺职业"),
    "passed": ("考核结果", "是否合格", "鉴定结果"),
    "contract_start": ("劳动合同起始日期", "合同开始日期"),
    "contract_end": ("劳动合同终止日期", "合同结束日期"),
    "advance_yuan": ("已预拨金额", "预拨金额", "已拨付"),
    "class_id": ("班级编号", "开班编号", "班次"),
    "bank_account": ("银行账号", "社保卡号", "收款账号"),
    "account_name": ("户名",),
}
ATTENDANCE_DOC_ALIASES: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号码", "身份证号", "公民身份号码", "证件号码", "身份证", "18位身份证号", "劳动力身份证号码"),
    "name": ("姓名",),
    "class_id": ("班级编号",),
    "days_required": ("应出勤天数", "应到天数", "计划天数"),
    "days_present": ("实际出勤天数", "实到天数", "出勤天数"),
    "hours_online": ("线上学时", "网络学时"),
    "hours_offline": ("线下学时", "面授学时", "实训学时"),
    "date": ("日期", "考勤日期"),
    "status": ("签到状态", "出勤情况"),
}
CERTIFICATE_DOC_ALIASES: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号码", "身份证号", "公民身份号码", "证件号码", "身份证", "18位身份证号", "劳动力身份证号码"),
    "name": ("姓名",),
    "cert_number": ("证书编号", "证书号", "证书号码", "结业证书编号"),
    "cert_kind": ("证书类型", "证书种类"),
    "occupation": ("职业(工种)", "职业", "工种"),
    "level": ("等级", "技能等级", "证书等级"),
    "issue_date": ("发证日期", "取证日期", "取证时间", "获证日期", "颁证日期", "核发日期", "证书获取时间"),
    "issuer": ("发证机构", "评价机构", "发证单位", "发证机关"),
    "issued_locally": ("是否本市取证", "取证地", "本地取证"),
}


def _alias_sheets(prefix: str, table: dict[str, tuple[str, ...]]) -> tuple[dict[str, list[list[str]]], list[dict]]:
    """One sheet per alias round: sheet i uses the i-th spelling of every column (the last one
    once a column's list is used up), each with one row of text values, and what each must read."""
    rounds = max(len(spellings) for spellings in table.values())
    sheets: dict[str, list[list[str]]] = {}
    expected: list[dict] = []
    for i in range(rounds):
        header = {canonical: spellings[min(i, len(spellings) - 1)] for canonical, spellings in table.items()}
        row = [person_id(i + 1) if c == "id_number" else "x" for c in header]
        sheets[f"{prefix}{i + 1}"] = [list(header.values()), row]
        expected.append(header)
    return sheets, expected


@pytest.mark.parametrize(
    ("prefix", "table"),
    [("花名册", ROSTER_DOC_ALIASES), ("考勤", ATTENDANCE_DOC_ALIASES), ("证书", CERTIFICATE_DOC_ALIASES)],
)
def test_aliases__every_alias_of_the_input_schema_is_read_as_its_column(make_xlsx, check_json, prefix, table):
    sheets, expected = _alias_sheets(prefix, table)
    result = check_json(make_xlsx(sheets))
    read = {s["sheet"]: s["columns"] for f in result.json["files"] for s in f["sheets"]}
    for i, header in enumerate(expected):
        assert read[f"{prefix}{i + 1}"] == header
    assert [f for f in findings(result) if f[2].startswith(("sheet.unknown-column", "sheet.category-flag"))] == []


def test_aliases__fee_header_with_unit_is_read_and_parsed(make_xlsx, check_json):
    # The reviewer's roster: 实际培训费用(元) holding 1200元 was dropped without a word.
    header = [*ROSTER_HEADER_ROW, "实际培训费用(元)", "总学时(小时)"]
    path = make_xlsx(
        {"花名册": roster_sheet([*roster_row(1), "1200元", "8"], [*roster_row(2), "一千", "8"], header=header)}
    )
    result = check_json(path)
    columns = result.json["files"][0]["sheets"][0]["columns"]
    assert columns["fee_yuan"] == "实际培训费用(元)"
    # 1200元 is accepted; the second row's 一千 is reported in that column. Hours are not read from
    # a roster (the attendance sheet holds them), so that header is reported as not understood.
    found = [(row, column, code.startswith("sheet.unknown-column")) for row, column, code in findings(result)]
    assert found == [(1, "总学时(小时)", True), (3, "实际培训费用(元)", False)]


# -- headers not understood --------------------------------------------------------------------
def _roster_with(extra_header: str, value: str) -> dict[str, list[list[str]]]:
    header = ["序号", *ROSTER_HEADER_ROW, extra_header, "备注", "备注2"]
    return {
        "花名册": roster_sheet(
            ["1", *roster_row(1), value, "", ""], ["2", *roster_row(2), value, "补录", ""], header=header
        )
    }


def test_unknown_header__reported_with_the_closest_known_column(make_xlsx, check_json, run_cli):
    path = make_xlsx(_roster_with("补贴资金承担方", "企业"))
    result = check_json(path)
    # 序号, 备注 and 备注2 are known and unneeded: only the one header nobody reads is reported.
    # 出资方 decides who is paid, so the warning is the one that says the column changes money.
    assert findings(result) == [(1, "补贴资金承担方", "sheet.unknown-column-money")]
    message = result.json["findings"][0]["message_zh"]
    assert "把表头「补贴资金承担方」改为「出资方」" in message
    assert "「出资方」决定补贴是否发放或发多少" in message
    assert "--map 补贴资金承担方=出资方" in message
    assert "[columns]" in message
    assert result.code == 0
    # On screen the message reads in full, [columns] included (not swallowed as markup).
    screen = run_cli("check", path, "--period", "2024-06")
    assert "--map 补贴资金承担方=出资方，或在 skillcli.toml 的 [columns] 表中写" in screen.stdout.replace("\n", "")


def test_unknown_header__without_a_close_column_still_reported(make_xlsx, check_json):
    result = check_json(make_xlsx(_roster_with("家长意见", "同意")))
    assert findings(result) == [(1, "家长意见", "sheet.unknown-column")]
    assert result.json["findings"][0]["message_zh"].startswith("未识别的列「家长意见」，已忽略")
    assert "--map 家长意见=模板中的列名" in result.json["findings"][0]["message_zh"]


def test_map__flag_reads_the_header_as_the_known_column(make_xlsx, check_json):
    path = make_xlsx(_roster_with("补贴资金承担方", "政府"))
    result = check_json(path, "--map", "补贴资金承担方=出资方")
    assert result.json["files"][0]["sheets"][0]["columns"]["payer"] == "补贴资金承担方"
    # The column is now read: its value 政府 is no 出资方 and is reported in that column.
    assert {(row, column) for row, column, _ in findings(result)} == {(2, "补贴资金承担方"), (3, "补贴资金承担方")}
    assert result.code == 1


def test_map__settings_file_columns_table_and_flag_over_it(make_xlsx, check_json, tmp_path, monkeypatch):
    path = make_xlsx(_roster_with("补贴资金承担方", "企业"))
    config = tmp_path / "skillcli.toml"
    config.write_text('[columns]\n"补贴资金承担方" = "出资方"\n', encoding="utf-8")
    monkeypatch.setenv("SKILLCLI_CONFIG", str(config))
    result = check_json(path)
    assert findings(result) == []
    assert result.json["files"][0]["sheets"][0]["columns"]["payer"] == "补贴资金承担方"
    # A flag for the same header wins over the file (here: the canonical name of another column).
    result = check_json(path, "--map", "补贴资金承担方=employer_name")
    columns = result.json["files"][0]["sheets"][0]["columns"]
    assert columns["employer_name"] == "补贴资金承担方"
    assert "payer" not in columns


@pytest.mark.parametrize(
    ("flag", "said"),
    [("补贴资金承担方=付钱的人", "「付钱的人」不是已知的列"), ("补贴资金承担方", "--map 应写成 表头=已知列名")],
)
def test_map__bad_flag_is_a_one_line_usage_error(make_xlsx, run_cli, flag, said):
    result = run_cli("check", make_xlsx(_roster_with("补贴资金承担方", "企业")), "--map", flag)
    assert result.code == 2
    assert said in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_map__bad_settings_table_names_the_file(make_xlsx, run_cli, tmp_path, monkeypatch):
    config = tmp_path / "skillcli.toml"
    config.write_text('[columns]\n"补贴资金承担方" = 3\n', encoding="utf-8")
    monkeypatch.setenv("SKILLCLI_CONFIG", str(config))
    result = run_cli("check", make_xlsx(_roster_with("补贴资金承担方", "企业")))
    assert result.code == 2
    assert "skillcli.toml [columns]" in result.stderr + result.stdout


# -- footers -----------------------------------------------------------------------------------
def test_footer__head_counts_and_signature_lines_are_not_trainees(make_xlsx, check_json):
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                roster_row(1),
                roster_row(2),
                ["共2人"],
                ["2人", None, None, None, None, None, None, None],
                [None, "共 2 名"],
                ["合计：", None, None, None, None, None, None, None],
                ["制表人：李四", None, None, "日期：2024年6月3日"],
            )
        }
    )
    result = check_json(path)
    assert findings(result) == []
    assert result.json["counts"]["rows"] == {"roster": 2}
    skipped = result.json["counts"]["skipped"]
    assert (skipped["total"], skipped["footer"]) == (4, 1)


def test_footer__a_head_count_that_differs_from_the_rows_is_named(make_xlsx, run_cli):
    # The footer says 6 people; 5 were entered (one left out, or the count not updated).
    rows = [roster_row(n) for n in range(1, 6)]
    path = make_xlsx({"花名册": roster_sheet(*rows, [None], ["共6人"], ["制表人：李四"])}, name="星辰学校.xlsx")
    result = run_cli("check", path, "--json", "--period", PERIOD)
    [warning] = [f for f in result.json["findings"] if f["code"] == "sheet.footer-count"]
    assert (warning["file"], warning["sheet"], warning["row"], warning["value"]) == (
        str(path), "花名册", 8, "共6人"
    )  # header on row 1, five trainees on rows 2–6, a blank row 7, the footer on row 8
    assert warning["severity"] == "warning"
    assert warning["message_zh"] == "表尾写「共6人」，本表读到 5 行人员数据，请核对是否漏填或多填（或表尾人数未更新）"
    assert "'共6人'" in warning["message_en"] and "5 data rows" in warning["message_en"]
    # On the clerk's screen, in Chinese, with the file and sheet in their own columns.
    shown = run_cli("check", path, "--period", PERIOD)
    assert "表尾写「共6人」，本表读到 5 行人员数据" in shown.stdout + shown.stderr


def test_footer__counts_written_in_other_ways_are_compared_too(make_xlsx, check_json):
    two = [roster_row(1), roster_row(2)]
    cases = {
        "合计：3人": [["合计：3人"]],
        "3人": [["合计：", None, "3人"]],  # the count in the cell beside 合计
    }
    for text, footer in cases.items():
        result = check_json(make_xlsx({"花名册": roster_sheet(*two, *footer)}))
        assert [(f["row"], f["value"]) for f in result.json["findings"] if f["code"] == "sheet.footer-count"] == [
            (4, text)
        ], text
    # Equal counts say nothing, whichever way they are written.
    for footer in ([["合计：2人"]], [["合计：", None, "2人"]], [["共 2 名"]]):
        result = check_json(make_xlsx({"花名册": roster_sheet(*two, *footer)}))
        assert findings(result) == [], footer


def test_footer__a_name_is_never_taken_for_a_head_count(make_xlsx, check_json):
    # A trainee row whose ID cell is blank stays a data row with its error, whatever its name.
    first = person(1)
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), [first["name"] + "6人", "", *roster_row(2)[2:]])})
    result = check_json(path)
    assert result.json["counts"]["rows"] == {"roster": 2}
    assert any(row == 3 and column == ROSTER_HEADERS["id_number"] for row, column, _ in findings(result))


def test_map__payout_reads_the_mapped_column(make_xlsx, run_cli, tmp_path: Path):
    path = make_xlsx(_roster_with("补贴资金承担方", "企业"))
    result = run_cli(
        "payout", path, "--policy", "suzhou-2019", "--period", "2024-06", "--out", tmp_path / "out",
        "--map", "补贴资金承担方=出资方", "--json",
    )  # fmt: skip
    assert result.code in (0, 1), result.stderr
    assert "sheet.unknown-column" not in result.stdout
