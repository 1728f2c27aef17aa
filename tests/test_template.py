"""``skillcli template``: the blank workbook for institutions, read back, filled in and checked.

For every policy in rules/: the sheets and headers skillcli reads, a dropdown on every enumeration,
yes/no and level column, text format on the ID-like columns, dates as dates; then the template is
filled with openpyxl (IDs as strings, dates as date cells) and ``skillcli check`` reads every row
back exactly, with no finding at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from skillcli.model import LEVEL_LABELS, SheetKind
from skillcli.rules.load import load_policy, policy_paths
from skillcli.schema.columns import SPECS, ColType
from tests.support.cli import PERIOD, Result
from tests.support.ids import valid_id, valid_uscc

POLICIES = sorted(policy_paths())
HEADER_ROW = 3
TEXT_TYPES = (ColType.ID, ColType.USCC, ColType.PHONE, ColType.ACCOUNT, ColType.CODE)

PEOPLE = [("张伟", valid_id(seq="011")), ("李娜", valid_id(seq="022")), ("王芳", valid_id(seq="032"))]
ENTERPRISE = valid_uscc("91320506MA1MCGQ3X")
INSTITUTION = valid_uscc("52320506MJ1234567")


def test_template__every_policy_is_covered() -> None:
    assert "suzhou-2019" in POLICIES


def make_template(run_cli: Callable[..., Result], tmp_path: Path, policy: str) -> Path:
    target = tmp_path / f"{policy}.xlsx"
    result = run_cli("template", "--policy", policy, "--out", target)
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return target


def headers(sheet: Any) -> list[str]:
    return [c.value for c in sheet[HEADER_ROW] if c.value is not None]


def number_format(sheet: Any, letter: str) -> str:
    """The number format of a whole column (xlsxwriter writes neighbours with one style as one range)."""
    index = openpyxl.utils.column_index_from_string(letter)
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= index <= dimension.max:
            return str(dimension.number_format)
    return "General"


def validations(sheet: Any) -> dict[str, Any]:
    """Column letter → the data validation on its first data row."""
    found = {}
    for check in sheet.data_validations.dataValidation:
        for cells in check.sqref.ranges:
            if cells.min_row == HEADER_ROW + 1 and cells.max_row == 1_048_576:
                for col in range(cells.min_col, cells.max_col + 1):
                    found[get_column_letter(col)] = check
    return found


@pytest.mark.parametrize("policy", POLICIES)
def test_template__sheets_headers_dropdowns_and_formats(
    policy: str, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    from skillcli.report.template import choices, policy_fields, template_sheets

    rules = load_policy(policy_paths()[policy])
    book = openpyxl.load_workbook(make_template(run_cli, tmp_path, policy))
    assert book.sheetnames == ["花名册", "考勤", "证书", "填表说明"]
    kinds = {"花名册": SheetKind.ROSTER, "考勤": SheetKind.ATTENDANCE, "证书": SheetKind.CERTIFICATES}
    for sheet_spec in template_sheets(rules):
        sheet = book[sheet_spec.name]
        written = headers(sheet)
        assert written == [c.header for c in sheet_spec.columns]
        # Every required column of the kind, in the canonical spelling.
        assert {c.header for c in SPECS[kinds[sheet_spec.name]] if c.required} <= set(written)
        assert "填报单位" in str(sheet["A2"].value) and sheet["A1"].value
        checks = validations(sheet)
        for j, column in enumerate(sheet_spec.columns, start=1):
            letter = get_column_letter(j)
            values = choices(column)
            if values:
                assert checks[letter].type == "list", column.header
                assert checks[letter].formula1 == '"' + ",".join(values) + '"'
                # An open list (人员类别) accepts other values with a warning; a closed one refuses them.
                assert checks[letter].errorStyle == ("warning" if column.open_values else None), column.header
            if column.ctype in TEXT_TYPES:
                assert number_format(sheet, letter) == "@", column.header
            if column.ctype is ColType.DATE:
                assert number_format(sheet, letter) == "yyyy-mm-dd"
                assert checks[letter].type == "date"
        if sheet_spec.name == "花名册":
            letter = get_column_letter(written.index("身份证号码") + 1)
            assert number_format(sheet, letter) == "@"
            level = written.index("培训等级") + 1 if "培训等级" in written else None
            if level:
                assert checks[get_column_letter(level)].formula1 == '"' + ",".join(LEVEL_LABELS.values()) + '"'
    # Every roster field a rule tests that is itself a roster column is in the template.
    roster_columns = {c.name for c in SPECS[SheetKind.ROSTER]}
    roster_sheet = template_sheets(rules)[0]
    assert (policy_fields(rules) & roster_columns) <= {c.name for c in roster_sheet.columns}
    notes = [c.value for row in book["填表说明"].iter_rows() for c in row if c.value]
    assert any(rules.id in str(v) for v in notes)
    assert any("文本" in str(v) for v in notes) and any("2024-05-06" in str(v) for v in notes)


def sample(name: str, n: int) -> Any:
    """A valid value for one column of trainee ``n`` (IDs as strings, dates as dates)."""
    person, id_number = PEOPLE[n]
    values: dict[str, Any] = {
        "name": person,
        "id_number": id_number,
        "sex": "男" if n == 0 else "女",
        "phone": "13800138000",
        "category": "企业职工",
        "employer_name": "苏州精工机械有限公司",
        "employer_uscc": ENTERPRISE,
        "training_type": "岗前培训",
        "occupation": "车工",
        "level": "四级/中级工",
        "start_date": dt.date(2021, 5, 1),
        "end_date": dt.date(2021, 5, 10),
        "filed_end_date": dt.date(2021, 5, 10),
        "institution": "吴中区职业技能培训学校",
        "institution_uscc": INSTITUTION,
        "fee_yuan": 1200.5,
        "insured": "是",
        "pensioner": "否",
        "payer": "企业",
        "shortage": "否",
        "passed": "合格",
        "contract_start": dt.date(2021, 1, 1),
        "contract_end": dt.date(2023, 12, 31),
        "advance_yuan": 0,
        "left_date": dt.date(2021, 6, 30),
        "class_id": f"C{n + 1:02d}",
        "role": "学徒",
        "insured_months": 12,
        "bank_account": "6222020200001234567",
        "account_name": person,
        "prior_cert_occupation": "车工",
        "prior_cert_level": "五级/初级工",
        "prior_cert_date": dt.date(2018, 6, 1),
        # attendance
        "days_required": 10,
        "days_present": 9,
        "hours_online": 8,
        "hours_offline": 72,
        "hours_total": 80,
        # certificates
        "cert_number": f"HG-2021-{n + 1:04d}",
        "cert_kind": "培训合格证",
        "issue_date": dt.date(2021, 5, 12),
        "issuer": "苏州市职业技能鉴定中心",
        "issued_locally": "是",
    }
    return values[name]


@pytest.mark.parametrize("policy", POLICIES)
def test_template__filled_in_reads_back_exactly(policy: str, run_cli: Callable[..., Result], tmp_path: Path) -> None:
    from skillcli.pipeline import load_batch, parse_period
    from skillcli.report.template import template_sheets

    rules = load_policy(policy_paths()[policy])
    path = make_template(run_cli, tmp_path, policy)
    book = openpyxl.load_workbook(path)
    written: dict[str, list[dict[str, Any]]] = {}
    for sheet_spec in template_sheets(rules):
        sheet = book[sheet_spec.name]
        written[sheet_spec.name] = []
        for n in range(len(PEOPLE)):
            values = {c.name: sample(c.name, n) for c in sheet_spec.columns}
            for j, column in enumerate(sheet_spec.columns, start=1):
                cell = sheet.cell(HEADER_ROW + 1 + n, j, values[column.name])
                if column.ctype in TEXT_TYPES:
                    cell.number_format = "@"
                elif column.ctype is ColType.DATE:
                    cell.number_format = "yyyy-mm-dd"
            written[sheet_spec.name].append(values)
    sheet = book["花名册"]
    sheet.cell(HEADER_ROW + 1 + len(PEOPLE) + 2, 1, "填表人：")  # a signature line under the table
    filled = tmp_path / "filled.xlsx"
    book.save(filled)

    result = run_cli("check", filled, "--json", "--period", PERIOD)
    assert result.code == 0, result.stderr
    payload = result.json
    assert payload["findings"] == []
    sheets = {s["sheet"]: s for f in payload["files"] for s in f["sheets"]}
    assert {name: (s["header_row"], s["rows"]) for name, s in sheets.items()} == {
        "花名册": (3, 3),
        "考勤": (3, 3),
        "证书": (3, 3),
    }
    assert payload["files"][0]["ignored"] == [{"sheet": "填表说明", "reason": "notes or code list"}]

    batch = load_batch([filled], parse_period(PERIOD, dt.date(2024, 7, 1)))
    kinds = {"花名册": SheetKind.ROSTER, "考勤": SheetKind.ATTENDANCE, "证书": SheetKind.CERTIFICATES}
    for name, rows in written.items():
        raw = batch.raw[kinds[name]].sort("_row")
        typed = batch.frames[kinds[name]].sort("_row")
        assert raw.get_column("_row").to_list() == [4, 5, 6]
        for column in next(s for s in template_sheets(rules) if s.name == name).columns:
            if column.ctype is ColType.DATE:
                assert typed.get_column(column.name).to_list() == [r[column.name] for r in rows], column.header
            elif column.ctype is ColType.MONEY:
                key = {"fee_yuan": "fee_fen", "advance_yuan": "advance_fen"}[column.name]
                assert typed.get_column(key).to_list() == [round(r[column.name] * 100) for r in rows]
            elif column.ctype in (ColType.INT, ColType.NUMBER):
                assert typed.get_column(column.name).to_list() == [r[column.name] for r in rows], column.header
            else:
                assert raw.get_column(column.name).to_list() == [str(r[column.name]) for r in rows], column.header


def test_template__unknown_policy_and_bad_name_are_one_line_errors(
    run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    result = run_cli("template", "--policy", "nowhere-1999", "--out", tmp_path / "t.xlsx")
    assert result.code == 2 and len(result.stderr.strip().splitlines()) == 1
    result = run_cli("template", "--policy", "suzhou-2019", "--out", tmp_path / "t.csv")
    assert result.code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "t.xlsx").exists() and not (tmp_path / "t.csv").exists()
