"""The straightforward pandas + openpyxl roster check that ``skillcli check`` is measured against.

    python benchmarks/baseline_pandas.py roster.xlsx --period 2024-06 --out findings.csv

Written the way a capable IT helper in a district office would: read each sheet once with openpyxl
(``read_only=True``), keeping every cell's value as text and its type, find the header row among
the first 20 rows, put the rows under it in a pandas DataFrame, check each row in plain Python and
write the findings to a CSV. The checks (listed in benchmarks/README.md) match what ``skillcli
check`` does on the benchmark workbooks: ID format, birth date and GB 11643 checksum, sex against
the ID, name, phone, GB 32100 credit-code checksum, dates in the accepted forms, start ≤ end, end
within the period, enums, fee, the same person twice in one class, attendance IDs not on the
roster, the same ID under different names, attendance counts, and the cell types ``check`` reads
from the sheet XML: formulas, error values, and IDs or credit codes stored as numbers whose digits
past the 15th are lost.

It is deliberately neither sandbagged (no ``iterrows``, sets for lookups, compiled regexes, one
parse of the workbook) nor tuned (no vectorisation): it is the yardstick for issue 16's "≥ 25×
faster than a pandas + openpyxl + row-loop script doing the same checks".
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import math
import re
import sys
from collections import Counter

import openpyxl
import pandas as pd

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

ID_RE = re.compile(r"^\d{17}[\dX]$")
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
PHONE_RE = re.compile(r"^1\d{10}$")
MONTH_ONLY_RE = re.compile(r"^\d{4}[-/.年]\d{1,2}月?$")
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S"]

NAME_HEADERS = ["姓名", "学员姓名", "职工姓名", "学徒姓名", "劳动力姓名", "考生姓名"]
ID_HEADERS = ["身份证号码", "身份证号", "公民身份号码", "证件号码", "身份证"]

CATEGORIES = {
    "企业职工", "农村转移劳动力", "高校毕业生", "城镇登记失业人员", "就业困难人员", "零就业家庭成员",
    "脱贫劳动力", "贫困劳动力", "残疾人", "退役军人", "在校学生", "低保家庭成员", "贫困家庭学生",
    "农民工", "失业人员", "职工", "在职职工",
}
TRAINING_TYPES = {
    "岗前培训", "以工代训", "技能提升", "新型学徒制", "就业技能培训", "专项能力培训", "特种作业培训",
    "岗位研修", "农业技术培训", "转岗培训", "安全技能培训", "在岗培训", "全日制学习", "企业新型学徒制",
    "技能提升培训", "专项职业能力培训", "特种作业",
}
LEVELS = {
    "五级", "四级", "三级", "二级", "一级", "初级工", "中级工", "高级工", "技师", "高级技师", "初级",
    "中级", "高级", "五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师", "专项能力",
    "专项职业能力", "无等级", "无",
}
SEXES = {"男", "女"}


def blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def text(value: object) -> str:
    return "" if blank(value) else str(value).strip()


def cell_text(cell: object) -> tuple[str | None, str]:
    """A cell's value as text (as ``pandas.read_excel(dtype=str)`` gives it) and its openpyxl type:
    n number, s text, d date, f formula, e error value, b boolean."""
    value = getattr(cell, "value", None)
    kind = getattr(cell, "data_type", "n")
    if value is None:
        return None, kind
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value)), kind
    return str(value), kind


def read_sheet(ws: object) -> tuple[pd.DataFrame, int, dict[tuple[int, int], str]] | None:
    """One pass over a sheet: (frame under the header, Excel row of its first data row, the type
    of every formula, error or number cell by (frame row, column)). None without a header row."""
    rows: list[list[str | None]] = []
    kinds: dict[tuple[int, int], str] = {}
    header = None
    for r, cells in enumerate(ws.iter_rows()):  # type: ignore[attr-defined]
        values = []
        for c, cell in enumerate(cells):
            value, kind = cell_text(cell)
            values.append(value)
            if kind in ("f", "e", "n") and value is not None and header is not None:
                kinds[(r - header - 1, c)] = kind
        if header is None:
            if r >= 20:
                return None
            if {text(v).replace(" ", "") for v in values} & set(ID_HEADERS):
                header = r
                names = [str(v).strip().replace("\n", "") if v is not None else f"Unnamed: {i}"
                         for i, v in enumerate(values)]
            continue
        rows.append(values)
    if header is None:
        return None
    width = len(names)
    frame = pd.DataFrame([(row + [None] * width)[:width] for row in rows], columns=names, dtype=object)
    return frame, header + 2, kinds


def pick(columns: list[str], *names: str) -> str | None:
    for name in names:
        if name in columns:
            return name
    return None


def id_problem(value: str) -> str | None:
    if not ID_RE.match(value):
        return "id.format"
    try:
        birth = dt.datetime.strptime(value[6:14], "%Y%m%d").date()
    except ValueError:
        return "id.birth-date"
    if birth > dt.date.today() or birth.year < 1900:
        return "id.birth-date"
    total = sum(int(value[i]) * ID_WEIGHTS[i] for i in range(17))
    if ID_CHECK[total % 11] != value[17]:
        return "id.checksum"
    return None


def uscc_problem(value: str) -> str | None:
    if not USCC_RE.match(value):
        return "uscc.format"
    total = sum(USCC_ALPHABET.index(value[i]) * USCC_WEIGHTS[i] for i in range(17))
    if USCC_ALPHABET[(31 - total % 31) % 31] != value[17]:
        return "uscc.checksum"
    return None


def parse_date(value: str) -> tuple[dt.date | None, str | None]:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date(), None
        except ValueError:
            continue
    if MONTH_ONLY_RE.match(value):
        return None, "date.month-only"
    return None, "date.invalid"


class Findings:
    def __init__(self, file: str) -> None:
        self.file = file
        self.rows: list[dict[str, object]] = []
        self.names: dict[str, str] = {}  # ID -> the name first seen with it (roster rows first)

    def name_seen(self, sheet: str, row: int, column: str, id_number: str, name: str) -> None:
        if not id_number or not name:
            return
        first = self.names.setdefault(id_number, name)
        if first != name:
            self.add(sheet, row, column, name, "name.mismatch")

    def add(self, sheet: str, row: int, column: str, value: str, code: str) -> None:
        self.rows.append({"file": self.file, "sheet": sheet, "row": row, "column": column, "value": value,
                          "code": code})


def cell_types(kinds: dict[tuple[int, int], str], i: int, columns: list[str], values: list[str],
               exact: set[int], sheet: str, row: int, out: Findings) -> None:
    """Formulas, error values, and numbers in ID or credit-code columns that lost digits."""
    for c, value in enumerate(values):
        kind = kinds.get((i, c))
        if kind == "f":
            out.add(sheet, row, columns[c], value, "cell.formula")
        elif kind == "e":
            out.add(sheet, row, columns[c], value, "cell.error")
        elif kind == "n" and c in exact and (len(value.replace(".", "")) > 15 or "E" in value.upper()):
            out.add(sheet, row, columns[c], value, "cell.precision-lost")


def check_roster(df: pd.DataFrame, sheet: str, first_row: int, period_end: dt.date,
                 kinds: dict[tuple[int, int], str], out: Findings) -> set[str]:
    columns = list(df.columns)
    c_name = pick(columns, *NAME_HEADERS)
    c_id = pick(columns, *ID_HEADERS)
    c_sex = pick(columns, "性别")
    c_phone = pick(columns, "手机号码", "联系电话", "手机号", "电话")
    c_cat = pick(columns, "人员类别", "人员身份", "类别")
    c_uscc = pick(columns, "统一社会信用代码", "社会信用代码", "信用代码")
    c_type = pick(columns, "培训类型", "补贴类型", "项目类型")
    c_level = pick(columns, "培训等级", "等级", "技能等级", "申报等级")
    c_start = pick(columns, "开班日期", "培训开始日期", "开始时间")
    c_end = pick(columns, "结业日期", "培训结束日期", "结束时间")
    c_fee = pick(columns, "培训费用", "培训费")
    c_class = pick(columns, "班级编号", "开班编号", "班次")
    seen: set[tuple[str, str]] = set()
    ids: set[str] = set()
    exact = {columns.index(c) for c in (c_id, c_uscc) if c}
    for i, rec in enumerate(df.to_dict("records")):
        row = first_row + i
        values = [text(v) for v in rec.values()]
        if not any(values):
            continue
        if values[0].startswith(("合计", "小计", "总计")):
            continue
        cell_types(kinds, i, columns, values, exact, sheet, row, out)
        name = text(rec[c_name]) if c_name else ""
        if not name:
            out.add(sheet, row, c_name or "姓名", "", "name.missing")
        elif any(ch.isdigit() for ch in name):
            out.add(sheet, row, c_name or "姓名", name, "name.has-digits")
        id_number = text(rec[c_id]).upper().replace(" ", "") if c_id else ""
        id_ok = False
        if not id_number:
            out.add(sheet, row, c_id or "身份证号码", "", "id.missing")
        else:
            ids.add(id_number)
            problem = id_problem(id_number)
            if problem:
                out.add(sheet, row, c_id or "身份证号码", id_number, problem)
            else:
                id_ok = True
        if c_sex:
            sex = text(rec[c_sex])
            if sex and sex not in SEXES:
                out.add(sheet, row, c_sex, sex, "value.not-in-list")
            elif sex and id_ok and sex != ("男" if int(id_number[16]) % 2 else "女"):
                out.add(sheet, row, c_sex, sex, "sex.mismatch")
        if c_phone:
            phone = text(rec[c_phone]).replace(" ", "").replace("-", "")
            if phone and not PHONE_RE.match(phone):
                out.add(sheet, row, c_phone, phone, "phone.format")
        if c_cat:
            category = text(rec[c_cat])
            if category and category not in CATEGORIES:
                out.add(sheet, row, c_cat, category, "value.not-in-list")
        if c_uscc:
            code = text(rec[c_uscc]).upper()
            if code:
                problem = uscc_problem(code)
                if problem:
                    out.add(sheet, row, c_uscc, code, problem)
        if c_type:
            kind = text(rec[c_type])
            if not kind:
                out.add(sheet, row, c_type, "", "value.missing")
            elif kind not in TRAINING_TYPES:
                out.add(sheet, row, c_type, kind, "value.not-in-list")
        if c_level:
            level = text(rec[c_level])
            if level and level not in LEVELS:
                out.add(sheet, row, c_level, level, "level.unknown")
        dates: dict[str, dt.date | None] = {}
        for column in (c_start, c_end):
            if column is None:
                continue
            raw = text(rec[column])
            if not raw:
                out.add(sheet, row, column, "", "date.missing")
                dates[column] = None
                continue
            parsed, problem = parse_date(raw)
            if problem:
                out.add(sheet, row, column, raw, problem)
            dates[column] = parsed
        start = dates.get(c_start) if c_start else None
        end = dates.get(c_end) if c_end else None
        if start and end and start > end:
            out.add(sheet, row, c_start or "", str(start), "date.order")
        if end and end > period_end:
            out.add(sheet, row, c_end or "", str(end), "date.after-period")
        if c_fee:
            fee = text(rec[c_fee])
            if fee:
                try:
                    if float(fee) < 0:
                        out.add(sheet, row, c_fee, fee, "money.negative")
                except ValueError:
                    out.add(sheet, row, c_fee, fee, "money.invalid")
        out.name_seen(sheet, row, c_name or "姓名", id_number, name)
        if id_number and c_class:
            key = (id_number, text(rec[c_class]))
            if key in seen:
                out.add(sheet, row, c_id or "", id_number, "roster.duplicate-person")
            seen.add(key)
    return ids


def check_attendance(df: pd.DataFrame, sheet: str, first_row: int, roster_ids: set[str],
                     kinds: dict[tuple[int, int], str], out: Findings) -> None:
    columns = list(df.columns)
    c_id = pick(columns, *ID_HEADERS)
    c_name = pick(columns, *NAME_HEADERS)
    c_req = pick(columns, "应出勤天数", "应到天数", "计划天数")
    c_present = pick(columns, "实际出勤天数", "实到天数", "出勤天数")
    c_online = pick(columns, "线上学时", "网络学时")
    c_total = pick(columns, "总学时", "合计学时")
    exact = {columns.index(c_id)} if c_id else set()
    for i, rec in enumerate(df.to_dict("records")):
        row = first_row + i
        values = [text(v) for v in rec.values()]
        if not any(values) or values[0].startswith(("合计", "小计", "总计")):
            continue
        cell_types(kinds, i, columns, values, exact, sheet, row, out)
        id_number = text(rec[c_id]).upper().replace(" ", "") if c_id else ""
        if not id_number:
            out.add(sheet, row, c_id or "身份证号码", "", "id.missing")
        else:
            problem = id_problem(id_number)
            if problem:
                out.add(sheet, row, c_id or "", id_number, problem)
            if id_number not in roster_ids:
                out.add(sheet, row, c_id or "", id_number, "attendance.not-on-roster")
            if c_name:
                out.name_seen(sheet, row, c_name, id_number, text(rec[c_name]).replace(" ", ""))
        numbers: dict[str, float | None] = {}
        for column in (c_req, c_present, c_online, c_total):
            if column is None:
                continue
            raw = text(rec[column])
            try:
                numbers[column] = float(raw) if raw else None
            except ValueError:
                out.add(sheet, row, column, raw, "number.invalid")
                numbers[column] = None
        present, required = numbers.get(c_present or ""), numbers.get(c_req or "")
        if present is not None and required is not None and present > required:
            out.add(sheet, row, c_present or "", str(present), "attendance.present-exceeds-required")
        online, total = numbers.get(c_online or ""), numbers.get(c_total or "")
        if online is not None and total is not None and online > total:
            out.add(sheet, row, c_online or "", str(online), "attendance.online-exceeds-total")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pandas + openpyxl roster check (benchmark baseline)")
    parser.add_argument("file")
    parser.add_argument("--period", required=True, help="YYYY-MM")
    parser.add_argument("--out", default="findings.csv")
    args = parser.parse_args(argv)
    year, month = (int(p) for p in args.period.split("-"))
    period_end = dt.date(year, month, calendar.monthrange(year, month)[1])

    out = Findings(args.file)
    book = openpyxl.load_workbook(args.file, read_only=True, data_only=False)
    frames: dict[str, tuple[pd.DataFrame, int, dict[tuple[int, int], str]]] = {}
    for ws in book.worksheets:
        found = read_sheet(ws)
        if found is not None:
            frames[ws.title] = found
    book.close()
    roster_ids: set[str] = set()
    for sheet, (df, first_row, kinds) in frames.items():
        if "考勤" not in sheet:
            roster_ids |= check_roster(df, sheet, first_row, period_end, kinds, out)
    for sheet, (df, first_row, kinds) in frames.items():
        if "考勤" in sheet:
            check_attendance(df, sheet, first_row, roster_ids, kinds, out)

    result = pd.DataFrame(out.rows, columns=["file", "sheet", "row", "column", "value", "code"])
    result.to_csv(args.out, index=False, encoding="utf-8-sig")
    counts = Counter(r["code"] for r in out.rows)
    for code, count in counts.most_common():
        print(f"{code}\t{count}", file=sys.stderr)
    print(f"{len(out.rows)} findings written to {args.out}", file=sys.stderr)
    return 1 if out.rows else 0


if __name__ == "__main__":
    raise SystemExit(main())
