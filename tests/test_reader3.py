"""What the third independent reader (a Wuxi 2024 batch, a roster mangled in new ways) could not act on.

Each test builds its workbook inline in the shape the reader's mangled roster had, runs the CLI
in-process on the real .xlsx and checks the values read, the findings (row, column, code, message)
or the screen.
"""

from __future__ import annotations

import re

import pytest

from tests.support.cli import by_code, findings, sheet_info
from tests.support.ids import valid_id
from tests.support.rosters import ROSTER_HEADER_ROW, roster_row, roster_sheet
from tests.support.workbooks import Formula


def finding(result, code):
    return next(f for f in result.json["findings"] if f["code"] == code)


# -- 1. a parent header merged over two children ------------------------------------------------
CONTRACT_TOP = ["序号", *ROSTER_HEADER_ROW, "劳动合同期限", None]
CONTRACT_BELOW = [None] * (1 + len(ROSTER_HEADER_ROW)) + ["起始日期", "终止日期"]
# Every column but the contract pair is merged down over both header rows, as in the reader's roster.
VERTICAL = [f"{c}2:{c}3" for c in "ABCDEFGHI"]


def _trainee(n, start="2024-01-01", end="2025-12-31"):
    return [n, *roster_row(n), start, end]


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
        merged={"花名册": [*VERTICAL, "J2:K2"]},
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


# -- 3. a missing required column next to the unknown header that is probably it ----------------
def _end_date_as(header_text):
    return [header_text if h == "结业日期" else h for h in ROSTER_HEADER_ROW]


def test_missing_column__names_the_unknown_header_that_is_probably_it(make_xlsx, check_json):
    path = make_xlsx({"花名册": [["2024年花名册"], _end_date_as("结班日期"), roster_row(1), roster_row(2)]})
    result = check_json(path)
    assert findings(result) == [
        (2, "结业日期", "sheet.missing-column-likely"),
        (2, "结班日期", "sheet.unknown-column-missing"),
    ]
    missing = finding(result, "sheet.missing-column-likely")
    assert missing["message_zh"].startswith(
        "本表没有「结业日期」列；「结班日期」（第 2 行 H 列）可能就是它：请把表头改为「结业日期」后重新检查，"
        "或请操作 skillcli 的同事加参数 --map 结班日期=结业日期"
    )
    assert missing["severity"] == "error"
    unknown = finding(result, "sheet.unknown-column-missing")
    assert "本表缺少必填列「结业日期」，此列可能就是它" in unknown["message_zh"]
    # The advice works: mapped as told, the column is read and the rows pass.
    mapped = check_json(path, "--map", "结班日期=结业日期")
    assert mapped.code == 0 and findings(mapped) == []
    assert sheet_info(mapped)["columns"]["end_date"] == "结班日期"


def test_missing_column__an_unrelated_unknown_header_is_not_named(make_xlsx, check_json):
    # 入职日期 shares only the generic ending 日期 with 开班日期: the missing column stays unlinked.
    header = [h for h in ROSTER_HEADER_ROW if h != "开班日期"] + ["入职日期"]
    rows = [
        [v for h, v in zip(ROSTER_HEADER_ROW, roster_row(n), strict=True) if h != "开班日期"] + ["2020-01-01"]
        for n in (1, 2)
    ]
    result = check_json(make_xlsx({"花名册": [header, *rows]}))
    assert (1, "开班日期", "sheet.missing-column") in findings(result)
    assert not by_code(result, "sheet.missing-column-likely") and not by_code(result, "sheet.unknown-column-missing")


def test_missing_column__return_to_the_sender_has_no_program_options(make_xlsx, run_cli, tmp_path):
    from openpyxl import load_workbook

    header = [*_end_date_as("结班日期"), "培训机构"]
    path = make_xlsx({"花名册": [header, [*roster_row(1), "甲技工学校"]]})
    out = tmp_path / "out"
    result = run_cli("check", path, "--period", "2024-06", "--out", out, "--split-by", "institution")
    assert result.code == 1, result.stderr
    lines = [
        [c.value for c in row] for row in load_workbook(out / "退回_甲技工学校.xlsx")["表头问题"].iter_rows(min_row=2)
    ]
    assert [line[3] for line in lines] == [
        "本表没有「结业日期」列；「结班日期」（第 1 行 H 列）可能就是它：请把表头改为「结业日期」后重新报送；"
        "如它不是，请在表头加上「结业日期」列并逐行填写",
        "未识别的列「结班日期」，已忽略。本表缺少必填列「结业日期」，此列可能就是它：如是，请在工作簿中把表头「结班日期」改为"
        "「结业日期」后重新报送",
    ]


# -- 4. every command that reads a batch takes the same reading options -------------------------
READING_OPTIONS = {"--map", "--max-file-mb", "--max-expanded-mb", "--max-cells", "--max-strings-mb", "--max-rows"}


@pytest.mark.parametrize("path", [("check",), ("payout",), ("explain",), ("diff",), ("vouchers", "issue")])
def test_reading_options__the_same_on_every_command_that_reads_a_batch(path):
    import typer

    from skillcli.cli.app import app

    command = typer.main.get_command(app)
    for name in path:
        command = command.get_command(typer.Context(command), name)
    options = {opt for param in command.params for opt in param.opts if opt.startswith("--")}
    assert options >= READING_OPTIONS, READING_OPTIONS - options


def test_explain__reads_the_batch_with_map_as_payout_does(make_xlsx, run_cli, tmp_path):
    from tests.support.ids import person_id
    from tests.support.rosters import PAYOUT_HEADER, payout_row

    header = ["结班日期" if h == "结业日期" else h for h in PAYOUT_HEADER]
    row = payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10")
    batch = make_xlsx({"花名册": [header, row]})
    base = ("--policy", "suzhou-2019", "--period", "2021-06")
    unmapped = run_cli("explain", person_id(6), batch, *base)
    assert unmapped.code == 0, unmapped.stderr
    assert "所在工作表缺少必填列「结业日期」，本行暂不发放" in unmapped.stdout + unmapped.stderr
    mapped = run_cli("explain", person_id(6), batch, *base, "--map", "结班日期=结业日期", "--max-file-mb", "5")
    assert mapped.code == 0, mapped.stderr
    shown = mapped.stdout + mapped.stderr
    assert "A5 岗前培训补贴（S2c 二(四)2）：应发放" in shown
    assert re.search(r"在政策施行期内结业：「结业日期」须不早于 2019-01-01\s+2021-05-10", shown)
    payout = run_cli("payout", batch, *base, "--out", tmp_path / "o", "--map", "结班日期=结业日期", "--json")
    assert [(line["rule"], line["amount_fen"]) for line in payout.json["lines"]] == [("A5", 30000)]
    # A too-small limit is refused by explain as by payout: the same reading options, the same checks.
    refused = run_cli("explain", person_id(6), batch, *base, "--max-rows", "0")
    assert refused.code == 2 and "--max-rows 必须大于 0" in refused.stderr


# -- 5. the TOML the program prints is valid, and a broken skillcli.toml says where and what ------
def test_toml_snippets__every_printed_snippet_parses_and_works(make_xlsx, check_json, monkeypatch, tmp_path):
    import re
    import tomllib

    # 考核评价结果 decides money (→ 考核结果); 学员联系电话 does not (→ 手机号码).
    header = [*ROSTER_HEADER_ROW, "考核评价结果", "学员联系电话"]
    path = make_xlsx(
        {
            "花名册": [
                header,
                *([*roster_row(n), v, f"1381234567{n}"] for n, v in ((1, "待定"), (2, "合格"), (3, "不合格"))),
            ]
        }
    )
    result = check_json(path)
    messages = [
        (f["code"], f[key])
        for f in result.json["findings"]
        if f["code"] in ("sheet.unknown-column-like", "sheet.unknown-column-money")
        for key in ("message_zh", "message_en")
    ]
    assert {code for code, _ in messages} == {"sheet.unknown-column-like", "sheet.unknown-column-money"}
    snippets = [re.search(r'("[^"]+" = "[^"]+")', text).group(1) for _, text in messages]
    assert '"考核评价结果" = "考核结果"' in snippets
    parsed = {}
    for snippet in snippets:
        parsed.update(tomllib.loads("[columns]\n" + snippet)["columns"])
    assert parsed == {"考核评价结果": "考核结果", "学员联系电话": "手机号码"}
    # Pasted into skillcli.toml as printed, the snippets make both columns read (and 考核结果 checked).
    config = tmp_path / "skillcli.toml"
    config.write_text("[columns]\n" + "\n".join(dict.fromkeys(snippets)) + "\n", encoding="utf-8")
    monkeypatch.setenv("SKILLCLI_CONFIG", str(config))
    mapped = check_json(path)
    columns = sheet_info(mapped)["columns"]
    assert (columns["passed"], columns["phone"]) == ("考核评价结果", "学员联系电话")
    assert by_code(mapped, "value.not-in-list") == [(2, "考核评价结果", "value.not-in-list")]


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        (
            '[columns]\n劳动合同到期日 = "劳动合同终止日期"\n',
            '第 2 行第 1 列：键名含中文时须加英文双引号，请把「劳动合同到期日」写成 "劳动合同到期日" 后重试',
            'line 2, column 1: a key with Chinese characters must be in double quotes: write "劳动合同到期日"'
            " instead of 劳动合同到期日 and run again",
        ),
        (
            '[columns]\n"学员单位" = 单位名称\n',
            "第 2 行第 10 列：值无效（文字须加英文双引号）；请按 TOML 格式改正后重试",
            "line 2, column 10: invalid value (text needs double quotes); fix it as TOML and run again",
        ),
    ],
)
def test_config__a_broken_settings_file_is_one_line_with_line_column_and_fix(
    make_xlsx, run_cli, monkeypatch, tmp_path, text, zh, en
):
    config = tmp_path / "skillcli.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SKILLCLI_CONFIG", str(config))
    batch = make_xlsx({"花名册": roster_sheet()})
    chinese = run_cli("check", batch, "--period", "2024-06")
    assert chinese.code == 2 and chinese.stdout == ""
    assert chinese.stderr.count("\n") == 1 and chinese.stderr.startswith(f"配置文件 {config} {zh}")
    english = run_cli("check", batch, "--period", "2024-06", "--lang", "en")
    assert english.code == 2 and english.stderr.count("\n") == 1
    assert english.stderr.startswith(f"config file {config} {en}")


# -- 6. click's own usage errors in the run's language --------------------------------------------
@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (("explain", "1", "f.xlsx", "--nosuch"), "错误：没有选项 --nosuch", "Error: No such option: --nosuch"),
        (("explain",), "错误：缺少参数 PERSON_ID", "Error: Missing argument 'PERSON_ID'."),
        (
            ("payout", "f.xlsx", "--period", "2024-06", "--out", "o"),
            "错误：缺少选项 --policy",
            "Error: Missing option '--policy'.",
        ),
        (
            ("check", "f.xlsx", "--limit", "abc"),
            "错误：选项 --limit 的值须为整数",
            "Error: Invalid value for '--limit'",
        ),
        (("rules", "show", "a", "b"), "错误：多余的参数：b", "Error: Got unexpected extra argument"),
    ],
)
def test_usage_errors__chinese_by_default_english_with_lang_en(run_cli, args, zh, en):
    chinese = run_cli(*args)
    assert chinese.code == 2 and chinese.stdout == ""
    lines = chinese.stderr.splitlines()
    # The usage line and the hint, then one error line.
    assert lines[0].startswith("Usage: skillcli ") and lines[1].startswith("用 'skillcli ")
    assert lines[-1].startswith(zh) and "Error" not in chinese.stderr
    english = run_cli(*args, "--lang", "en")
    assert english.code == 2
    assert english.stderr.splitlines()[-1].startswith(en) and "错误" not in english.stderr


# -- 7. the result on stdout; help texts with plain placeholders ----------------------------------
def test_check__result_on_stdout_json_alone_on_stdout(make_xlsx, run_cli):
    import json

    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, level="九级"))})
    result = run_cli("check", path, "--period", "2024-06")
    assert result.code == 1
    # `skillcli check … > report.txt` keeps the result: the tables, the findings and the count.
    assert "读取的文件与工作表" in result.stdout and "培训等级" in result.stdout
    assert result.stdout.rstrip().endswith("错误 1 条，警告 0 条")
    assert result.stderr == ""
    as_json = run_cli("check", path, "--period", "2024-06", "--json")
    assert json.loads(as_json.stdout)["counts"]["errors"] == 1  # nothing but the JSON on stdout
    assert "错误 1 条，警告 0 条" in as_json.stderr


def _all_commands():
    import typer

    from skillcli.cli.app import app

    def walk(command, path):
        yield path, command
        if hasattr(command, "commands"):
            ctx = typer.Context(command)
            for name in command.list_commands(ctx):
                yield from walk(command.get_command(ctx, name), (*path, name))

    return list(walk(typer.main.get_command(app), ()))


def test_help__plain_placeholders_and_a_final_newline(run_cli):
    import re

    for path, _ in _all_commands():
        result = run_cli(*path, "--help")
        assert result.code == 0, path
        assert result.stdout.endswith("\n"), path
        # No Python types (<list[Path]>, <str>) and no typer braces ({files}...) anywhere in the help.
        assert not re.search(r"<[A-Za-z_\[\], |]+>|\{[a-z_]+\}", result.stdout), (path, result.stdout)
    explain = run_cli("explain", "--help").stdout
    assert "Usage: skillcli explain [OPTIONS] PERSON_ID FILES..." in explain
    assert "--map HEADER=COLUMN" in explain and "--period YYYY-MM" in explain


def test_merged_parent__the_map_the_finding_advises_reads_the_children(make_xlsx, check_json):
    top = [*ROSTER_HEADER_ROW, "劳动合同", None]
    below = [None] * len(ROSTER_HEADER_ROW) + ["签订日", "到期日"]
    path = make_xlsx(
        {"花名册": [top, below, [*roster_row(1), "2024-01-01", "2025/13/01"]]},
        merged={"花名册": [*(f"{c}1:{c}2" for c in "ABCDEFGH"), "I1:J1"]},
    )
    assert findings(check_json(path)) == [(2, "劳动合同", "sheet.merged-header-unknown")]
    # --map 劳动合同/<header below>=<column>, as the finding says: both columns read and their dates checked.
    mapped = check_json(path, "--map", "劳动合同/签订日=劳动合同起始日期", "--map", "劳动合同/到期日=劳动合同终止日期")
    columns = sheet_info(mapped)["columns"]
    assert (columns["contract_start"], columns["contract_end"]) == ("劳动合同/签订日", "劳动合同/到期日")
    assert findings(mapped) == [(3, "劳动合同/到期日", "date.invalid")]


def test_formula_scan__which_formulas_have_a_saved_result():
    from skillcli.io.xlsxmeta import XlsxSheetXml

    xml = (
        b'<sheetData><row r="2">'
        b'<c r="A2"><f>B2</f><v /></c>'  # openpyxl: no result
        b'<c r="B2"><f>C2</f><v></v></c>'  # xlsxwriter without a value: no result
        b'<c r="C2" t="str"><f>D2</f><v></v></c>'  # Excel: the result is the empty text
        b'<c r="D2"><f>1+1</f><v>2</v></c>'  # Excel: the result 2
        b'<c r="E2"><f t="shared" si="0"/><v>3</v></c>'  # a shared formula with its result
        b"</row></sheetData>"
    )
    meta = XlsxSheetXml(xml).meta()
    assert sorted(meta.formulas) == [(2, 0), (2, 1), (2, 2), (2, 3), (2, 4)]
    assert sorted(meta.uncached) == [(2, 0), (2, 1)]


def test_missing_column__names_the_upper_cell_of_a_header_merged_down(make_xlsx, check_json):
    # A two-row header: 结班日期 is merged down over both rows, so Excel shows it in the upper row.
    top = [*_end_date_as("结班日期"), "劳动合同期限", None]
    below = [None] * len(ROSTER_HEADER_ROW) + ["起始日期", "终止日期"]
    path = make_xlsx(
        {"花名册": [top, below, [*roster_row(1), "2024-01-01", "2026-01-01"]]},
        merged={"花名册": [*(f"{c}1:{c}2" for c in "ABCDEFGH"), "I1:J1"]},
    )
    missing = finding(check_json(path), "sheet.missing-column-likely")
    assert "「结班日期」（第 1 行 H 列）可能就是它" in missing["message_zh"]


def test_explain__an_id_excel_stored_as_a_number_is_named_when_the_full_id_is_asked(make_xlsx, run_cli):
    """The clerk types the real ID of a person whose roster cell Excel stored as a number (only 15
    digits kept): explain cannot find it, and says which row probably holds this person."""
    from tests.support.ids import person_id
    from tests.support.rosters import PAYOUT_HEADER, payout_row

    row = payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10")
    at = PAYOUT_HEADER.index("身份证号码")
    assert row[at] == person_id(6)
    row[at] = int(person_id(6)[:15] + "000")  # a number cell as Excel saves it: 15 significant digits
    other = payout_row(7, "王强", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10")
    batch = make_xlsx({"花名册": [PAYOUT_HEADER, row, other]})
    base = ("--policy", "suzhou-2019", "--period", "2021-06")
    asked = run_cli("explain", person_id(6), batch, *base)
    assert asked.code == 2
    assert f"{batch.name}「花名册」第 2 行的身份证号码被 Excel 存成了数字，只剩前 15 位与此号码相同" in asked.stderr
    # An ID nobody on the roster shares 15 digits with gets the plain answer.
    unknown = run_cli("explain", person_id(9, area="110101"), batch, *base)
    assert unknown.code == 2 and unknown.stderr.strip().endswith("花名册中没有这个身份证号码")
