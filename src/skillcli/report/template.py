"""The blank workbook an institution fills in: ``skillcli template --policy ID --out FILE.xlsx``.

One sheet per kind (花名册, 考勤, 证书) with a title, a 填报单位 line and the canonical Chinese
headers of the columns that matter for the policy: the required ones, every roster column a rule
or eligibility item tests, the payee's columns and the inputs of the amount forms. Enumerations and
levels get dropdowns; ID, credit-code, phone, account and certificate-number columns are text
cells (Excel cannot turn an 18-digit ID into 1.10101E+17); dates are date cells with a date check.
A 填表说明 sheet explains each column. Reading a filled template back gives no header findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skillcli.io.writer import Workbook
from skillcli.model import LEVEL_LABELS, SheetKind
from skillcli.rules.model import Policy
from skillcli.schema.columns import SPECS, YES, ColType, ColumnSpec

TITLE_ROW, UNIT_ROW, HEADER_ROW = 0, 1, 2  # 0-based: the header is Excel row 3
FIRST_DATA_ROW = HEADER_ROW + 1
LAST_ROW = 1_048_575  # formats and checks reach Excel's last row: no row is left unguarded
SHEET_NAMES = {SheetKind.ROSTER: "花名册", SheetKind.ATTENDANCE: "考勤", SheetKind.CERTIFICATES: "证书"}
TEXT_TYPES = (ColType.ID, ColType.USCC, ColType.PHONE, ColType.ACCOUNT, ColType.CODE)
DATE_MIN, DATE_MAX = dt.date(1950, 1, 1), dt.date(2099, 12, 31)

# Rule fields that are roster columns under another name, or values derived from roster columns.
_FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "fee_fen": ("fee_yuan",),
    "advance_fen": ("advance_yuan",),
    "age": ("id_number", "start_date"),
    "training_months": ("start_date", "end_date", "filed_end_date"),
    "contract_months": ("contract_start", "contract_end"),
    "shortage_occupation": ("shortage",),
    "prior_cert_years": ("prior_cert_occupation", "prior_cert_level", "prior_cert_date"),
    "active_in_period": ("start_date", "end_date"),
    "qualified": ("passed",),
    "self_evaluating_employer": ("employer_uscc",),
    "left_during_training": ("left_date",),
}
_ATTENDANCE_FIELDS = frozenset({"attended_days", "required_days", "attendance_rate", "online_share"})
_CERT_FIELDS = frozenset({"has_cert", "cert_kind", "cert_issue_date", "cert_local", "qualified", "prior_cert_years"})
_PAYEE_COLUMNS = {
    "person": ("bank_account", "account_name"),
    "enterprise": ("employer_name", "employer_uscc"),
    "institution": ("institution", "institution_uscc"),
    "organiser": ("institution", "institution_uscc", "employer_name", "employer_uscc"),
}
_AMOUNT_COLUMNS = {
    "ceiling": ("fee_yuan",),
    "per_month": ("start_date", "end_date"),
    "annual_prorated": ("filed_end_date",),
    "monthly_active": ("start_date", "end_date"),
}


@dataclass(frozen=True, slots=True)
class TemplateSheet:
    """One sheet of the template: its kind, name and columns in order."""

    kind: SheetKind
    name: str
    columns: tuple[ColumnSpec, ...]


def policy_fields(policy: Policy) -> set[str]:
    """Every rule field the policy tests anywhere (scope, requirements, eligibility, multipliers)."""
    return {condition.field for condition in policy.conditions()}


def template_sheets(policy: Policy) -> list[TemplateSheet]:
    """The columns of each sheet, in the order of ``skillcli.schema.columns``."""
    fields = policy_fields(policy)
    roster: set[str] = {c.name for c in SPECS[SheetKind.ROSTER] if c.required} | {"class_id"}
    for name in fields:
        if name in _FIELD_COLUMNS:
            roster.update(_FIELD_COLUMNS[name])
        elif any(c.name == name for c in SPECS[SheetKind.ROSTER]):
            roster.add(name)
    for rule in policy.rules:
        payees = set(rule.payee_by_payer.values()) if rule.payee == "by_payer" else {rule.payee}
        if rule.payee == "by_payer":
            roster.add("payer")
        for payee in payees:
            roster.update(_PAYEE_COLUMNS.get(payee, ()))
        roster.update(_AMOUNT_COLUMNS.get(rule.amount.form, ()))
        # A catalogue may list an amount by occupation and level, so the level column is offered too.
        if rule.amount.rate.by_level is not None or rule.amount.rate.catalogue is not None:
            roster.add("level")
        if rule.amount.form == "per_day":
            fields.add("attended_days")
    attendance = {"id_number", "name", "class_id", "days_required", "days_present"}
    if "online_share" in fields:
        attendance |= {"hours_online", "hours_offline", "hours_total"}
    certificates = {"id_number", "name", "cert_number", "cert_kind", "occupation", "level", "issue_date", "issuer"}
    if "cert_local" in fields:
        certificates.add("issued_locally")
    chosen = {SheetKind.ROSTER: roster, SheetKind.ATTENDANCE: attendance, SheetKind.CERTIFICATES: certificates}
    return [
        TemplateSheet(kind, SHEET_NAMES[kind], tuple(c for c in SPECS[kind] if c.name in chosen[kind]))
        for kind in (SheetKind.ROSTER, SheetKind.ATTENDANCE, SheetKind.CERTIFICATES)
    ]


def needs_attendance(policy: Policy) -> bool:
    return bool(policy_fields(policy) & _ATTENDANCE_FIELDS) or any(r.amount.form == "per_day" for r in policy.rules)


def needs_certificates(policy: Policy) -> bool:
    return bool(policy_fields(policy) & _CERT_FIELDS)


def choices(column: ColumnSpec) -> list[str]:
    """The dropdown values of an enum, yes/no or level column ([] for other columns)."""
    if column.ctype is ColType.LEVEL:
        return list(LEVEL_LABELS.values())
    if column.ctype is ColType.YESNO:
        return [YES, "否"]
    if column.ctype is ColType.ENUM:
        return list(column.allowed)
    return []


_HINTS: dict[ColType, str] = {
    ColType.ID: "18 位居民身份证号码，按文本填写（本列已设为文本格式），末位 X 大写",
    ColType.USCC: "18 位统一社会信用代码，按文本填写",
    ColType.PHONE: "11 位手机号码，按文本填写",
    ColType.ACCOUNT: "银行账号或社保卡号，只填数字，按文本填写",
    ColType.CODE: "按文本填写，原样保留",
    ColType.DATE: "日期，如 2024-05-06（也可写 2024/5/6、2024年5月6日），不能只写年月",
    ColType.MONEY: "金额（元），最多两位小数，不写“元”",
    ColType.INT: "整数",
    ColType.NUMBER: "数字（可有小数）",
    ColType.NAME: "与身份证一致",
    ColType.TEXT: "",
}


def describe(column: ColumnSpec) -> str:
    """What goes in a column, for the 填表说明 sheet and the cell's input message."""
    values = choices(column)
    if values:
        return "下拉选择：" + "、".join(values)
    return _HINTS.get(column.ctype, "")


def _instructions(policy: Policy, sheets: list[TemplateSheet]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = [
        ("政策", f"{policy.id}：{policy.title}", "", ""),
        ("适用地区", policy.region, "", ""),
        ("有效期", f"{policy.effective_from}～{policy.effective_to or ''}", "", ""),
        ("一行一人次", "花名册每一行是一名学员参加的一期培训；同一人参加两期培训填两行", "", ""),
        (
            "表头",
            "第 3 行是表头，请勿修改、删除或调换列；红色表头为必填列；从第 4 行起逐行填写，不要留空行或合并单元格",
            "",
            "",
        ),
        (
            "身份证号码",
            "身份证号码、信用代码、账号、证书编号列已设为文本格式；从别处粘贴时请用“选择性粘贴—数值”，"
            "不要让 Excel 把号码变成 1.10101E+17（后几位会永久丢失）",
            "",
            "",
        ),
        ("日期", "日期列已设为日期格式 yyyy-mm-dd，可输入 2024-05-06、2024/5/6 或 2024年5月6日；不能只写年月", "", ""),
        ("下拉选项", "带下拉箭头的列只能选择列表中的值", "", ""),
        ("合计与签字", "不要在数据中间插入合计行或标题行；签字、盖章写在表格下方", "", ""),
    ]
    if needs_attendance(policy):
        rows.append(("考勤", "本政策按出勤计算，请填写考勤表（每人每班一行：应出勤天数、实际出勤天数）", "", ""))
    if needs_certificates(policy):
        rows.append(("证书", "本政策要求取证，请填写证书表（每张证书一行）", "", ""))
    rows.append(("", "", "", ""))
    rows.append(("工作表", "列", "是否必填", "填写说明"))
    for sheet in sheets:
        for column in sheet.columns:
            rows.append((sheet.name, column.header, "必填" if column.required else "", describe(column)))
    return rows


class _Formats:
    def __init__(self, book: Workbook) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.unit = book.add_format({})
        self.header = book.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
            }
        )
        self.required = book.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
                "font_color": "#C00000",
            }
        )
        self.text = book.add_format({"num_format": "@"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.money = book.add_format({"num_format": "0.00"})
        self.plain = book.add_format({})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.bold = book.add_format({"bold": True})


def _column_format(formats: _Formats, column: ColumnSpec) -> Any:
    if column.ctype in TEXT_TYPES:
        return formats.text
    if column.ctype is ColType.DATE:
        return formats.date
    if column.ctype is ColType.MONEY:
        return formats.money
    return formats.plain


# The Excel data check of each typed column: dates within the years a roster holds, amounts and
# counts not negative, an ID 15 or 18 characters long.
_TYPE_CHECKS: dict[ColType, dict[str, Any]] = {
    ColType.DATE: {"validate": "date", "criteria": "between", "minimum": DATE_MIN, "maximum": DATE_MAX},
    ColType.MONEY: {"validate": "decimal", "criteria": ">=", "value": 0},
    ColType.INT: {"validate": "integer", "criteria": ">=", "value": 0},
    ColType.NUMBER: {"validate": "decimal", "criteria": ">=", "value": 0},
    ColType.ID: {"validate": "length", "criteria": "between", "minimum": 15, "maximum": 18},
}


def _validation(column: ColumnSpec) -> dict[str, Any] | None:
    """The Excel data check of a column, with the message shown when its cell is selected."""
    values = choices(column)
    title = column.header[:32]
    message = describe(column)[:255]
    base: dict[str, Any] = {
        "input_title": title,
        "input_message": message,
        "error_title": title[:32],
        "error_message": message,
    }
    if values:
        source = ",".join(values)
        if len(source) > 255:  # Excel's limit for an inline list; the vocabulary is well inside it
            raise ValueError(f"dropdown for {column.name} is longer than Excel allows")
        # An open list (人员类别) takes other values too: Excel warns instead of refusing them.
        warn = {"error_type": "warning"} if column.open_values else {}
        return {"validate": "list", "source": values, **warn, **base}
    typed = _TYPE_CHECKS.get(column.ctype)
    if typed is not None:
        return {**typed, **base}
    if message:
        return {"validate": "any", **base}
    return None


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _data_sheet(book: Workbook, formats: _Formats, policy: Policy, sheet: TemplateSheet) -> None:
    ws = book.add_sheet(sheet.name)
    last = len(sheet.columns) - 1
    title = f"{policy.title} {sheet.name}（填报模板）"
    if last > 0:
        ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last, title, formats.title)
    else:
        ws.write_string(TITLE_ROW, 0, title, formats.title)
    ws.write_string(UNIT_ROW, 0, "填报单位（盖章）：", formats.unit)
    if last >= 3:
        ws.write_string(UNIT_ROW, max(last - 2, 2), "填报日期：", formats.unit)
    for j, column in enumerate(sheet.columns):
        ws.write_string(HEADER_ROW, j, column.header, formats.required if column.required else formats.header)
        width = max(
            _width(column.header) + 4,
            22
            if column.ctype in (ColType.ID, ColType.USCC, ColType.ACCOUNT)
            else 12
            if column.ctype is ColType.DATE
            else 10,
        )
        ws.set_column(j, j, width, _column_format(formats, column))
        check = _validation(column)
        if check is not None:
            ws.data_validation(FIRST_DATA_ROW, j, LAST_ROW, j, check)
    ws.set_row(HEADER_ROW, 30)
    ws.freeze_panes(FIRST_DATA_ROW, 0)
    Workbook.print_setup(ws, repeat_row=HEADER_ROW)


def write_template(policy: Policy, target: Path) -> list[TemplateSheet]:
    """Write the blank workbook for ``policy`` to ``target`` (a temporary path; the caller renames)."""
    sheets = template_sheets(policy)
    book = Workbook(target)
    try:
        formats = _Formats(book)
        for sheet in sheets:
            _data_sheet(book, formats, policy, sheet)
        notes = book.add_sheet("填表说明")
        notes.write_string(0, 0, f"填表说明：{policy.title}", formats.title)
        for i, values in enumerate(_instructions(policy, sheets), start=2):
            for j, value in enumerate(values):
                notes.write_string(
                    i, j, value, formats.bold if values[0] == "工作表" and values[1] == "列" else formats.wrap
                )
            # Spreadsheet programs do not always grow a row for wrapped text: size it from the text.
            lines = max(-(-_width(values[1]) // 58), -(-_width(values[3]) // 58), 1)
            if lines > 1:
                notes.set_row(i, 15 * lines + 2)
        notes.set_column(0, 0, 14)
        notes.set_column(1, 1, 60, formats.wrap)
        notes.set_column(2, 2, 10)
        notes.set_column(3, 3, 60, formats.wrap)
        Workbook.print_setup(notes)
    finally:
        book.close()
    return sheets


def headers(sheets: Iterable[TemplateSheet]) -> dict[str, list[str]]:
    """Sheet name → the header texts, as written (for messages and tests)."""
    return {s.name: [c.header for c in s.columns] for s in sheets}
