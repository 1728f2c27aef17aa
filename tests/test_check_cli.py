"""``skillcli check`` as the clerk and cron use it: exit codes, streams, reports, masking, language."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from tests.support.cli import PERIOD, findings
from tests.support.ids import upgraded_id, valid_id, wrong_check
from tests.support.rosters import ROSTER_HEADER_ROW, person, roster_row, roster_sheet

BAD_ID = wrong_check(valid_id(seq="021"))
ID15 = "320506900307011"


def masked(value: str) -> str:
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# -- exit codes --------------------------------------------------------------------------------
def test_check__clean_file_exits_0(make_xlsx, run_cli):
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2))})
    result = run_cli("check", path, "--period", PERIOD)
    assert result.code == 0
    # The result goes to stdout (`check … > report.txt` keeps it); nothing is an error.
    assert result.stderr == ""
    assert "错误 0 条" in result.stdout


def test_check__only_warnings_exits_0(make_xlsx, check_json):
    male = valid_id(seq="021")
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, sex="女", id_number=male))})
    result = check_json(path)
    assert findings(result) == [(3, "性别", "sex.mismatch")]
    assert (result.json["counts"]["errors"], result.json["counts"]["warnings"]) == (0, 1)
    assert result.code == 0


def test_check__errors_exit_1(make_xlsx, check_json):
    result = check_json(make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, id_number=BAD_ID))}))
    assert result.code == 1
    assert result.json["counts"]["errors"] == 1


def test_check__text_file_named_xlsx_exits_2_with_one_line(tmp_path, run_cli):
    path = tmp_path / "花名册.xlsx"
    path.write_text("姓名,身份证号码\n张三,110101199003072316\n", encoding="utf-8")
    result = run_cli("check", path)
    assert result.code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0]
    assert "Traceback" not in result.stderr


def test_check__missing_file_exits_2(tmp_path, run_cli):
    path = tmp_path / "nowhere.xlsx"
    result = run_cli("check", path, "--json")
    assert result.code == 2
    assert result.stdout == ""
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_check__empty_file_exits_2(tmp_path, run_cli):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    result = run_cli("check", path)
    assert result.code == 2
    assert str(path) in result.stderr and "0" in result.stderr
    assert "Traceback" not in result.stderr


def test_check__corrupt_zip_exits_2(tmp_path, make_xlsx, run_cli):
    good = make_xlsx({"花名册": roster_sheet()})
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(good.read_bytes()[:300])
    result = run_cli("check", path)
    assert result.code == 2
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr


def test_check__binary_junk_csv_exits_2(tmp_path, run_cli):
    path = tmp_path / "花名册.csv"
    path.write_bytes(bytes(range(256)) * 4)
    result = run_cli("check", path)
    assert result.code == 2
    assert "Traceback" not in result.stderr


def test_check__bad_period_is_a_usage_error(make_xlsx, run_cli):
    result = run_cli("check", make_xlsx({"花名册": roster_sheet()}), "--period", "2024-13")
    assert result.code == 2
    assert "2024-13" in result.stderr
    assert "Traceback" not in result.stderr


def test_check__workbook_without_data_sheet(make_xlsx, check_json):
    result = check_json(make_xlsx({"说明": [["填表说明"], ["请用文本格式填写身份证号码"]]}))
    assert findings(result) == [(None, "", "file.no-data-sheet")]
    assert result.code == 1


def test_check__file_over_size_limit(make_xlsx, check_json):
    result = check_json(make_xlsx({"花名册": roster_sheet()}), "--max-file-mb", "0")
    assert findings(result) == [(None, "", "file.too-large")]
    assert result.code == 1


# -- streams -----------------------------------------------------------------------------------
def test_check__json_puts_only_json_on_stdout(make_xlsx, check_json):
    path = make_xlsx(
        {"花名册": [["2024年花名册"], ROSTER_HEADER_ROW, roster_row(1), roster_row(2, id_number=BAD_ID), ["合计"]]}
    )
    result = check_json(path)
    payload = json.loads(result.stdout)  # the whole of stdout is one JSON document
    assert set(payload) >= {"files", "counts", "findings"}
    assert payload["counts"]["rows"] == {"roster": 2}
    assert payload["counts"]["skipped"]["total"] == 1
    assert payload["counts"]["by_code"] == {"id.checksum": 1}
    assert payload["files"][0]["sheets"][0]["header_row"] == 2
    finding = payload["findings"][0]
    assert (finding["sheet"], finding["row"], finding["column"], finding["code"], finding["severity"]) == (
        "花名册",
        4,
        "身份证号码",
        "id.checksum",
        "error",
    )
    assert finding["file"] == str(path)
    # The human summary went to stderr.
    assert "错误 1 条" in result.stderr
    assert "错误 1 条" not in result.stdout


# -- --out -------------------------------------------------------------------------------------
@pytest.fixture
def report(make_xlsx, run_cli, tmp_path):
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                roster_row(1),
                roster_row(2, id_number=BAD_ID),
                roster_row(3, name="=SUM(1)"),
                roster_row(4, start_date="2024-05-16"),
            )
        }
    )
    out = tmp_path / "out"
    result = run_cli("check", path, "--period", PERIOD, "--out", out)
    return result, out, path


def test_out__writes_both_reports_and_still_exits_1(report):
    result, out, _ = report
    assert result.code == 1
    assert (out / "exceptions.xlsx").is_file()
    assert (out / "exceptions.csv").is_file()


def test_out__csv_has_the_exact_header_and_full_values(report):
    _, out, path = report
    data = (out / "exceptions.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel on Chinese Windows needs
    with (out / "exceptions.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    # Chinese by default: Chinese headers and severities, no English message; codes stay codes.
    assert rows[0] == ["文件", "工作表", "行号", "列", "值", "代码", "级别", "说明", "姓名"]
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [(r["行号"], r["列"], r["代码"], r["级别"]) for r in body] == [
        ("3", "身份证号码", "id.checksum", "错误"),
        ("4", "姓名", "name.has-digits", "警告"),
        ("5", "开班日期", "date.order", "错误"),
    ]
    assert body[0]["说明"].startswith("身份证号码校验位错误")
    assert body[0]["值"] == BAD_ID  # files carry IDs in full
    # The trainee the row is about, by name, so that the row can be found without the ID.
    assert body[0]["姓名"] == person(2)["name"]
    assert body[0]["文件"] == str(path)
    # Input text that looks like a formula is defused.
    assert body[1]["值"] == "'=SUM(1)"


def test_out__csv_in_english_keeps_the_names_scripts_read(make_xlsx, run_cli, tmp_path):
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, id_number=BAD_ID))})
    run_cli("check", path, "--period", PERIOD, "--out", tmp_path / "en", "--lang", "en")
    with (tmp_path / "en" / "exceptions.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = "file,sheet,row,column,value,code,severity,message_zh,message_en,name"  # as README lists it
    assert rows[0] == header.split(",")
    body = dict(zip(rows[0], rows[1], strict=True))
    assert body["name"] == person(2)["name"]
    assert (body["row"], body["code"], body["severity"], body["value"]) == ("3", "id.checksum", "error", BAD_ID)
    assert body["message_en"].startswith("ID check character is wrong")


def test_out__xlsx_puts_findings_beside_row_values(report):
    _, out, _ = report
    book = openpyxl.load_workbook(out / "exceptions.xlsx")
    sheet = book["花名册问题"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    # In Chinese (the default) the workbook carries no codes and no English; the CSV keeps the codes.
    assert header[:7] == ["文件", "工作表", "行号", "列", "值", "级别", "说明"]
    assert {"姓名", "身份证号码", "开班日期"} <= set(header[7:])
    records = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert [(r["行号"], r["列"], r["级别"]) for r in records] == [
        (3, "身份证号码", "错误"),
        (4, "姓名", "警告"),
        (5, "开班日期", "错误"),
    ]
    assert records[0]["说明"].startswith("身份证号码校验位错误")
    assert [r[:2] for r in book["按问题统计"].iter_rows(values_only=True)] == [
        ("级别", "数量"),
        ("错误", 1),
        ("错误", 1),
        ("警告", 1),
    ]
    by_row = {r["行号"]: r for r in records}
    assert by_row[3]["身份证号码"] == BAD_ID and by_row[3]["姓名"] == person(2)["name"]
    assert by_row[4]["姓名"] == "=SUM(1)"
    assert by_row[5]["开班日期"] == "2024-05-16"


def test_out__xlsx_header_frozen_filtered_highlighted_and_formula_free(report):
    _, out, _ = report
    book = openpyxl.load_workbook(out / "exceptions.xlsx")
    sheet = book["花名册问题"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")
    error_fill = sheet["A2"].fill.fgColor.rgb
    warning_fill = sheet["A3"].fill.fgColor.rgb
    assert error_fill != warning_fill
    assert sheet["A1"].fill.fgColor.rgb not in (error_fill, warning_fill)
    for each in book.worksheets:
        for row in each.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{each.title}!{cell.coordinate} is a formula"


def _rerun(run_cli, path, out, *args):
    run_cli("check", path, "--period", PERIOD, "--out", out, *args)
    return out


def test_out__file_level_findings_go_to_their_own_sheet(make_xlsx, run_cli, tmp_path):
    header = [h for h in ROSTER_HEADER_ROW if h != "培训类型"]
    path = make_xlsx(
        {"花名册": [header, [v for h, v in zip(ROSTER_HEADER_ROW, roster_row(1), strict=True) if h != "培训类型"]]}
    )
    out = tmp_path / "o"
    assert run_cli("check", path, "--period", PERIOD, "--out", out).code == 1
    sheet = openpyxl.load_workbook(out / "exceptions.xlsx")["文件与表头问题"]
    rows = list(sheet.iter_rows(values_only=True))
    assert [(r[2], r[3], r[6]) for r in rows[1:]] == [
        (1, "培训类型", "缺少必填列「培训类型」，请在表头加上此列并逐行填写")
    ]
    english = openpyxl.load_workbook(_rerun(run_cli, path, tmp_path / "en", "--lang", "en") / "exceptions.xlsx")[
        "文件与表头问题"
    ]
    rows = list(english.iter_rows(values_only=True))
    assert rows[0][:9] == (
        "File",
        "Sheet",
        "Row",
        "Column",
        "Value",
        "Code",
        "Severity",
        "Message (Chinese)",
        "Message",
    )
    assert [(r[2], r[3], r[5]) for r in rows[1:]] == [(1, "培训类型", "sheet.missing-column")]


def test_out__attendance_and_certificate_findings_sit_beside_their_rows(make_xlsx, run_cli, tmp_path):
    stranger = valid_id(seq="771")
    path = make_xlsx(
        {
            "花名册": roster_sheet(roster_row(1)),
            "考勤": [["身份证号码", "姓名", "应出勤天数", "实际出勤天数"], [person(1)["id_number"], "学员甲", 10, 12]],
            "证书": [
                ["身份证号码", "姓名", "证书编号", "职业(工种)", "发证日期"],
                [stranger, "路人", "ZS-9", "焊工", "2024-05-20"],
            ],
        }
    )
    out = tmp_path / "o"
    assert run_cli("check", path, "--period", PERIOD, "--out", out).code == 1
    book = openpyxl.load_workbook(out / "exceptions.xlsx")
    sheets = {}
    for name in ("考勤问题", "证书问题"):
        rows = list(book[name].iter_rows(values_only=True))
        sheets[name] = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [(r["行号"], r["说明"][:6], r["实际出勤天数"]) for r in sheets["考勤问题"]] == [(2, "实际出勤天数", "12")]
    assert [(r["行号"], r["说明"][:5], r["证书编号"], r["身份证号码"]) for r in sheets["证书问题"]] == [
        (2, "证书表中的", "ZS-9", stranger)
    ]


# -- masking -----------------------------------------------------------------------------------
def test_mask__ids_masked_in_stderr_and_json(make_xlsx, run_cli):
    path = make_xlsx(
        {"花名册": roster_sheet(roster_row(1), roster_row(2, id_number=BAD_ID), roster_row(3, id_number=ID15))}
    )
    result = run_cli("check", path, "--period", PERIOD, "--json")
    full = upgraded_id(ID15)
    for secret in (BAD_ID, ID15, full, person(1)["id_number"]):
        assert secret not in result.stdout
        assert secret not in result.stderr
    values = {f["code"]: f for f in result.json["findings"]}
    assert values["id.checksum"]["value"] == masked(BAD_ID)
    assert masked(full) in values["id.old-15-digit"]["message_zh"]
    assert masked(full) in result.stderr  # the 18-digit form in the message, masked on screen


def test_mask__show_ids_shows_them(make_xlsx, run_cli):
    path = make_xlsx(
        {"花名册": roster_sheet(roster_row(1), roster_row(2, id_number=BAD_ID), roster_row(3, id_number=ID15))}
    )
    result = run_cli("check", path, "--period", PERIOD, "--json", "--show-ids")
    values = {f["code"]: f for f in result.json["findings"]}
    assert values["id.checksum"]["value"] == BAD_ID
    assert upgraded_id(ID15) in values["id.old-15-digit"]["message_zh"]
    assert upgraded_id(ID15) in result.stderr  # the human summary beside --json, on stderr


def test_mask__phone_numbers_masked_on_screen(make_xlsx, run_cli, tmp_path):
    # A clerk pasted a phone number into the name: it appears in the message, masked on screen.
    path = make_xlsx({"花名册": roster_sheet(roster_row(1, name="张三13800138000"))})
    out = tmp_path / "o"
    result = run_cli("check", path, "--period", PERIOD, "--out", out)
    assert "含数字" in result.stdout
    assert "13800138000" not in result.stdout + result.stderr
    assert "138****8000" in result.stdout
    assert "13800138000" in (out / "exceptions.csv").read_text(encoding="utf-8-sig")


# -- language ----------------------------------------------------------------------------------
def test_lang__english_messages(make_xlsx, run_cli):
    good = valid_id(seq="021")
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, id_number=wrong_check(good)))})
    result = run_cli("check", path, "--period", PERIOD, "--lang", "en")
    assert f"ID check character is wrong: the first 17 digits give {good[-1]}" in result.stdout
    assert "校验位错误" not in result.stdout + result.stderr
    assert "1 errors, 0 warnings" in result.stdout
    assert result.code == 1


def test_lang__english_unreadable_file_message(tmp_path, run_cli):
    path = tmp_path / "x.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    result = run_cli("check", path, "--lang", "en")
    assert result.code == 2
    assert result.stderr.strip() == f"cannot read {path}: named like Excel but is not an Excel file"


def test_lang__unknown_language_is_a_usage_error(make_xlsx, run_cli):
    result = run_cli("check", make_xlsx({"花名册": roster_sheet()}), "--period", PERIOD, "--lang", "fr")
    assert result.code == 2
    assert "--lang" in result.stderr
    assert "Traceback" not in result.stderr


def test_lang__english_summary_names_sheet_kinds_in_english(make_xlsx, run_cli):
    result = run_cli("check", make_xlsx({"花名册": roster_sheet()}), "--period", PERIOD, "--lang", "en")
    assert result.code == 0
    assert "roster" in result.stdout


def test_lang__default_is_chinese(make_xlsx, run_cli):
    good = valid_id(seq="021")
    path = make_xlsx({"花名册": roster_sheet(roster_row(1), roster_row(2, id_number=wrong_check(good)))})
    result = run_cli("check", path, "--period", PERIOD)
    assert f"身份证号码校验位错误：按前 17 位算应为 {good[-1]}" in result.stdout


def test_check__out_on_a_clean_file_writes_empty_reports(tmp_path, make_xlsx, run_cli):
    from tests.support.cli import PERIOD
    from tests.support.rosters import roster_sheet

    path = make_xlsx({"花名册": roster_sheet()})
    result = run_cli("check", path, "--period", PERIOD, "--out", tmp_path / "out")
    assert result.code == 0, result.stderr
    book = openpyxl.load_workbook(tmp_path / "out" / "exceptions.xlsx")
    assert "汇总" in book.sheetnames
    lines = (tmp_path / "out" / "exceptions.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["文件,工作表,行号,列,值,代码,级别,说明,姓名"]
