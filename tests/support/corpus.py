"""Inputs that trigger each catalogued check finding: for every code, a function writing a real
workbook (or CSV) into a folder and returning the arguments after ``skillcli check``.

The catalogue test runs each to see its code emitted; the returns test runs each to read every
message a sender would get.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from skillcli.io.xlsxmeta import col_letter
from tests.support.ids import valid_id, valid_uscc, wrong_check
from tests.support.rosters import ROSTER_HEADER_ROW, person, roster_row, roster_sheet
from tests.support.workbooks import Error, Formula, write_csv, write_xlsx

Build = Callable[[Path], list[Any]]  # returns the CLI arguments after "check"


def roster_with(tmp: Path, *rows: list[Any], header: list[str] | None = None, **options: Any) -> list[Any]:
    sheet = roster_sheet(*rows, header=header or ROSTER_HEADER_ROW)
    return [write_xlsx(tmp / "book.xlsx", {"花名册": sheet}, **options)]


def extra(column: str, value: Any, n: int = 1, **changes: Any) -> Build:
    """A roster with one extra column holding ``value``."""
    header = [*ROSTER_HEADER_ROW, column]
    return lambda tmp: roster_with(tmp, [*roster_row(n, **changes), value], header=header)


def row(**changes: Any) -> Build:
    return lambda tmp: roster_with(tmp, roster_row(1, **changes))


def with_sheet(name: str, sheet: list[list[Any]], roster_rows: int = 1) -> Build:
    return lambda tmp: [
        write_xlsx(
            tmp / "book.xlsx",
            {"花名册": roster_sheet(*(roster_row(n) for n in range(1, roster_rows + 1))), name: sheet},
        )
    ]


ATT = ["身份证号码", "姓名", "应出勤天数", "实际出勤天数", "线上学时", "线下学时", "总学时"]
CERT = ["身份证号码", "姓名", "证书编号", "职业(工种)", "等级", "发证日期"]
P1 = person(1)
P1_KEY = [P1["id_number"], P1["name"]]
NEW_CERT = "S000132000123" + "24" + "4" + "000001"  # issued 2024, level 4


def attendance(*values: Any) -> Build:
    return with_sheet("考勤", [ATT, [P1["id_number"], P1["name"], *values]])


def certificate(*rows: list[Any]) -> Build:
    return with_sheet("证书", [CERT, *rows], roster_rows=2)


def _missing_column(tmp: Path) -> list[Any]:
    keep = [i for i, h in enumerate(ROSTER_HEADER_ROW) if h != "开班日期"]
    return [
        write_xlsx(
            tmp / "book.xlsx", {"花名册": [[ROSTER_HEADER_ROW[i] for i in keep], [roster_row(1)[i] for i in keep]]}
        )
    ]


def _column_by_content(tmp: Path) -> list[Any]:
    header = [None if h == "身份证号码" else h for h in ROSTER_HEADER_ROW]
    return roster_with(tmp, roster_row(1), roster_row(2), header=header)


def _roster_without_id(tmp: Path) -> list[Any]:
    header = ["证件" if h == "身份证号码" else h for h in ROSTER_HEADER_ROW]
    sheets = {"花名册": roster_sheet(roster_row(1), header=header), "考勤": [ATT[:2], P1_KEY]}
    return [write_xlsx(tmp / "book.xlsx", sheets)]


# Codes only a run without --period emits: the corpus test leaves the option out for them.
NO_PERIOD = frozenset({"date.after-today"})

CORPUS: dict[str, Build] = {
    "file.too-large": lambda tmp: [*roster_with(tmp, roster_row(1)), "--max-file-mb", "0"],
    "file.no-data-sheet": lambda tmp: [write_xlsx(tmp / "notes.xlsx", {"说明": [["填表说明"]]})],
    "file.encoding-fallback": lambda tmp: [write_csv(tmp / "花名册.csv", roster_sheet(roster_row(1)), "gbk")],
    "sheet.header-not-found": lambda tmp: [write_xlsx(tmp / "book.xlsx", {"花名册": [["无表头"]]})],
    "sheet.missing-column": _missing_column,
    "sheet.missing-column-likely": lambda tmp: roster_with(
        tmp, roster_row(1), header=["结班日期" if h == "结业日期" else h for h in ROSTER_HEADER_ROW]
    ),
    "sheet.unknown-column-missing": lambda tmp: roster_with(
        tmp, roster_row(1), header=["结班日期" if h == "结业日期" else h for h in ROSTER_HEADER_ROW]
    ),
    "sheet.duplicate-column": extra("学员姓名", "学员甲"),
    "sheet.duplicate-column-hidden": lambda tmp: roster_with(
        tmp,
        [*roster_row(1), "学员甲"],
        header=[*ROSTER_HEADER_ROW, "学员姓名"],
        hidden_cols={"花名册": [col_letter(len(ROSTER_HEADER_ROW))]},
    ),
    "sheet.unknown-column-like": extra("学员联系电话", "13812345678"),
    "sheet.unknown-column-money": extra("补贴资金承担方", "企业"),
    "sheet.category-flag-column": extra("是否建档立卡贫困户", "是"),
    "sheet.unknown-column": extra("家长意见", "同意"),
    "sheet.hidden": lambda tmp: [
        write_xlsx(tmp / "book.xlsx", {"说明": [["x"]], "花名册": roster_sheet()}, hidden_sheets=["花名册"])
    ],
    "sheet.column-by-content": _column_by_content,
    "sheet.merged-header-unknown": lambda tmp: [
        write_xlsx(
            tmp / "book.xlsx",
            {
                "花名册": [
                    [*ROSTER_HEADER_ROW, "紧急联系人", None],
                    [None] * len(ROSTER_HEADER_ROW) + ["称呼", "联络方式"],
                    [*roster_row(1), "张三", "父亲"],
                ]
            },
            merged={"花名册": [*(f"{c}1:{c}2" for c in "ABCDEFGH"), "I1:J1"]},
        )
    ],
    "sheet.roster-without-id": _roster_without_id,
    "sheet.footer-count": lambda tmp: roster_with(tmp, roster_row(1), ["共2人"]),
    "sheet.rows-below-footer": lambda tmp: roster_with(tmp, roster_row(1), ["经办人："], ["补报人员（第二批）"], roster_row(2)),
    "cell.formula": row(occupation=Formula('="电"&"工"', "电工")),
    # A formula saved with no result, as a program that never ran Excel writes it.
    "cell.formula-no-result": row(occupation=Formula('="电"&"工"', "")),
    "cell.error": row(occupation=Error("#N/A")),
    "cell.merged": lambda tmp: roster_with(tmp, roster_row(1), roster_row(2), merged={"花名册": ["D2:D3"]}),
    "cell.precision-lost": extra("银行账号", 6222021001001234567),
    "cell.text-marker": row(id_number="'" + P1["id_number"]),
    "row.hidden": lambda tmp: roster_with(tmp, roster_row(1), hidden_rows={"花名册": [2]}),
    "name.missing": row(name=None),
    "name.has-digits": row(name="张3"),
    "name.mismatch": with_sheet("考勤", [["身份证号码", "姓名"], [P1["id_number"], "别人"]]),
    "id.missing": row(id_number=None),
    "id.precision-lost": row(id_number=110101199003072316),
    "id.format": row(id_number="1234567"),
    "id.old-15-digit": row(id_number="320506900307011"),
    "id.checksum": row(id_number=wrong_check(P1["id_number"])),
    "id.birth-date": row(id_number=valid_id(birth="19901301", seq="011")),
    "sex.mismatch": row(sex="女", id_number=P1["id_number"]),
    "uscc.format": extra("统一社会信用代码", "123"),
    "uscc.checksum": extra("统一社会信用代码", wrong_check(valid_uscc())),
    "uscc.two-names": lambda tmp: roster_with(
        tmp,
        [*roster_row(1), "吕梁市离石区巾帼家政职业培训学校", valid_uscc("52141102MJY100456")],
        [*roster_row(2), "离石巾帼家政培训学校", valid_uscc("52141102MJY100456")],
        header=[*ROSTER_HEADER_ROW, "培训机构", "机构统一社会信用代码"],
    ),
    "phone.format": extra("手机号码", "12345"),
    "account.format": extra("银行账号", "6222-ABC"),
    "date.missing": row(start_date=None),
    "date.invalid": row(start_date="2024-02-30"),
    "date.month-only": row(start_date="2024年3月"),
    "date.order": row(start_date="2024-05-20"),
    "date.after-period": row(end_date="2024-07-01"),
    # Run without --period (``NO_PERIOD``): the end date is checked as of today, and 2400 is after any today.
    "date.after-today": row(end_date="2400-01-01"),
    "date.filed-before-start": extra("备案结束日期", "2024-01-01"),
    "date.implausible": row(start_date=dt.date(1930, 1, 1)),
    "value.not-in-list": row(training_type="兴趣班"),
    "value.mark": extra("考核结果", "√"),
    "value.missing": row(occupation=None),
    "value.unknown": extra("人员类别", "农村劳动力"),
    "value.likely-alias": extra("人员类别", "贫困户"),
    "value.yes-no": extra("是否参保", "也许"),
    "value.too-long": row(name="张" * 61),
    "level.unknown": row(level="九级"),
    "money.invalid": extra("培训费用", "很多"),
    "money.negative": extra("培训费用", -5),
    "money.sub-fen": extra("培训费用", "1.234"),
    "number.invalid": attendance(10, "十", 0, 40, 40),
    "number.negative": attendance(10, 10, -1, 40, 40),
    "number.not-integer": attendance(10, 9.5, 0, 40, 40),
    "roster.duplicate-person": lambda tmp: roster_with(tmp, roster_row(1), roster_row(1)),
    "attendance.not-on-roster": with_sheet("考勤", [["身份证号码", "姓名"], [valid_id(seq="551"), "某人"]]),
    "attendance.trainee-missing": with_sheet("考勤", [["身份证号码", "姓名", "线上学时"], [*P1_KEY, 10]], roster_rows=2),
    "attendance.id-differs": with_sheet("考勤", [["身份证号码", "姓名"], [valid_id(seq="552"), P1["name"]]]),
    "attendance.present-exceeds-required": attendance(10, 11, 0, 40, 40),
    "attendance.online-exceeds-total": attendance(10, 10, 50, 0, 40),
    "attendance.hours-sum": attendance(10, 10, 10, 10, 40),
    "cert.not-on-roster": certificate([valid_id(seq="661"), "某人", "ZS-1", "电工", "四级", "2024-05-20"]),
    "cert.duplicate-number": certificate(
        [P1["id_number"], P1["name"], "ZS-1", "电工", "四级", "2024-05-20"],
        [person(2)["id_number"], person(2)["name"], "ZS-1", "电工", "四级", "2024-05-20"],
    ),
    "cert.number-level-mismatch": certificate([*P1_KEY, NEW_CERT, "电工", "三级", "2024-05-20"]),
    "cert.number-year-mismatch": certificate([*P1_KEY, NEW_CERT, "电工", "四级", "2023-05-20"]),
}
