"""Regenerate the hostile-input corpus in this folder: ``python tests/data/hostile/make_hostile.py``.

Every file is small and written deterministically (fixed workbook dates, fixed zip timestamps,
seeded randomness), so a rerun gives the same bytes and ``git status`` stays clean. The expected
outcome of each case is asserted by ``tests/test_hostile.py``; ``README.md`` lists the cases and is
written by this script from the same table.

Two cases are too big to commit and are generated at test time instead: a 200 MB file (checked
against ``--max-file-mb``) and a sheet with 1 048 576 formatted-but-empty rows.

The password-protected workbook is a real ECMA-376 agile-encrypted .xlsx made with
``msoffcrypto-tool`` (password ``1234``), installed by hand for generation only
(``.venv/bin/pip install msoffcrypto-tool``); it is not a project dependency. Its random salt
and keys are drawn from a seeded generator so the file is reproducible. Without the tool the
script keeps the committed ``encrypted.xlsx`` and says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sys
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stdnum.cn import ric, uscc

HERE = Path(__file__).resolve().parent
CREATED = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# -- the valid trainee every case starts from ------------------------------------------------------
# A 岗前培训 row that suzhou-2019 pays (A5: 300 yuan to the enterprise) when checked with
# --period 2024-06: the training ended in 2021, inside the policy's 2019–2021 window.
HEADER = [
    "姓名",
    "身份证号码",
    "性别",
    "单位名称",
    "统一社会信用代码",
    "培训类型",
    "职业(工种)",
    "培训等级",
    "开班日期",
    "结业日期",
    "考核结果",
    "是否领取养老金",
]
KEYS = [
    "name",
    "id_number",
    "sex",
    "employer_name",
    "employer_uscc",
    "training_type",
    "occupation",
    "level",
    "start_date",
    "end_date",
    "passed",
    "pensioner",
]
NAMES = ["张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴丽", "徐涛", "孙悦"]


def valid_id(n: int, birth: str = "19900307", area: str = "320506") -> str:
    """The n-th distinct valid 18-digit ID (odd 17th digit: 男)."""
    body = area + birth + f"{n:02d}1"
    return body + ric.calc_check_digit(body + "0")


ENTERPRISE = "91320506MA1MCGQ3X" + uscc.calc_check_digit("91320506MA1MCGQ3X")


def row(n: int, **changes: Any) -> list[Any]:
    """Trainee ``n`` as a list in HEADER order, with only the named fields changed."""
    values: dict[str, Any] = {
        "name": NAMES[(n - 1) % len(NAMES)],
        "id_number": valid_id(n),
        "sex": "男",
        "employer_name": "苏州精工机械有限公司",
        "employer_uscc": ENTERPRISE,
        "training_type": "岗前培训",
        "occupation": "车工",
        "level": "无等级",
        "start_date": "2021-05-01",
        "end_date": "2021-05-10",
        "passed": "合格",
        "pensioner": "否",
    }
    unknown = set(changes) - set(values)
    assert not unknown, unknown
    values.update(changes)
    return [values[k] for k in KEYS]


def rows(count: int) -> list[list[Any]]:
    return [HEADER, *(row(n) for n in range(1, count + 1))]


# -- writers ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Formula:
    formula: str
    cached: Any


def _workbook(path: Path, options: dict[str, Any] | None = None) -> Any:
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False, **(options or {})},
    )
    book.set_properties({"created": CREATED, "author": "skillcli tests"})
    return book


def _write(sheet: Any, r: int, c: int, value: Any, date_fmt: Any) -> None:
    if value is None:
        return
    if isinstance(value, Formula):
        sheet.write_formula(
            r, c, value.formula, date_fmt if isinstance(value.cached, int | float) else None, value.cached
        )
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    elif isinstance(value, dt.date):
        sheet.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_fmt)
    else:
        sheet.write_string(r, c, str(value))


def xlsx(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    *,
    hidden_sheets: tuple[str, ...] = (),
    options: dict[str, Any] | None = None,
    setup: Callable[[Any, Any], None] | None = None,
) -> None:
    """A real .xlsx: str → text cell, int/float → number, date → date cell, Formula → cached formula."""
    book = _workbook(path, options)
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    first = None
    for name, data in sheets.items():
        sheet = book.add_worksheet(name)
        for r, values in enumerate(data):
            for c, value in enumerate(values):
                _write(sheet, r, c, value, date_fmt)
        if name in hidden_sheets:
            sheet.hide()
        elif first is None:
            first = sheet
            sheet.activate()
        if setup is not None:
            setup(book, sheet)
    book.close()


def xls(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    """A real BIFF8 .xls written by xlwt (a dev dependency)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, data in sheets.items():
        sheet = book.add_sheet(name)
        for r, values in enumerate(data):
            for c, value in enumerate(values):
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, date_style)
                elif value is not None:
                    sheet.write(r, c, value)
    book.save(str(path))


def csv_bytes(data: list[list[Any]], *, delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", delimiter=delimiter).writerows(
        [["" if v is None else str(v) for v in values] for values in data]
    )
    return buffer.getvalue()


def zip_file(path: Path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), data)


# -- the cases -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    file: str
    what: str
    expected: str
    build: Callable[[Path], None]


CASES: list[Case] = []


def case(file: str, what: str, expected: str) -> Callable[[Callable[[Path], None]], Callable[[Path], None]]:
    def register(build: Callable[[Path], None]) -> Callable[[Path], None]:
        CASES.append(Case(file, what, expected, build))
        return build

    return register


def msoffcrypto_file(data: bytes) -> Any:
    import msoffcrypto

    return msoffcrypto.OfficeFile(io.BytesIO(data))


# Files that cannot be read at all: exit 2 and one line on stderr.
@case("empty.xlsx", "0 bytes", "exit 2: 文件为空（0 字节）")
def _empty(path: Path) -> None:
    path.write_bytes(b"")


@case(
    "whitespace.xlsx", "only spaces, tabs and line breaks, named .xlsx", "exit 2: 扩展名是 Excel，但内容不是 Excel 文件"
)
def _whitespace_xlsx(path: Path) -> None:
    path.write_bytes(b"   \r\n\t \n  \n")


@case("text_renamed.xlsx", "a UTF-8 text file renamed .xlsx", "exit 2: 扩展名是 Excel，但内容不是 Excel 文件")
def _text_renamed(path: Path) -> None:
    path.write_bytes("姓名,身份证号码\n张伟,320506199003070118\n".encode())


@case("truncated.xlsx", "a valid roster .xlsx cut in half", "exit 2: 文件已损坏（zip 结构不完整）")
def _truncated(path: Path) -> None:
    xlsx(path, {"花名册": rows(3)})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@case("zip_not_workbook.xlsx", "a zip archive holding a text file, named .xlsx", "exit 2: 是压缩包但不是 Excel 工作簿")
def _zip_not_workbook(path: Path) -> None:
    zip_file(path, {"readme.txt": b"not a workbook\n"})


@case(
    "encrypted.xlsx",
    "a password-protected workbook (real ECMA-376 agile encryption, password 1234)",
    "exit 2: 工作簿有密码保护，请另存为无密码文件",
)
def _encrypted(path: Path) -> None:
    try:
        import msoffcrypto.method.container.ecma376_encrypted as container
        import msoffcrypto.method.ecma376_agile as agile
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        if path.exists():
            print(f"msoffcrypto-tool is not installed: kept the committed {path.name}", file=sys.stderr)
            return
        raise SystemExit(
            "msoffcrypto-tool is needed once to make encrypted.xlsx: .venv/bin/pip install msoffcrypto-tool"
        ) from None
    plain = path.with_suffix(".plain.xlsx")
    xlsx(plain, {"花名册": rows(2)})
    seeded = random.Random(1234)

    class FixedClock(dt.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> FixedClock:
            return cls(2000, 1, 1)

    saved = agile._random_buffer, container.datetime
    agile._random_buffer = lambda size: bytes(seeded.getrandbits(8) for _ in range(size))
    container.datetime = FixedClock
    try:
        out = io.BytesIO()
        with plain.open("rb") as handle:
            OOXMLFile(handle).encrypt("1234", out)
    finally:
        agile._random_buffer, container.datetime = saved
        plain.unlink()
    # Prove it is a real encrypted workbook: the password opens it again.
    check = io.BytesIO()
    encrypted = msoffcrypto_file(out.getvalue())
    encrypted.load_key(password="1234")
    encrypted.decrypt(check)
    assert check.getvalue().startswith(b"PK\x03\x04")
    path.write_bytes(out.getvalue())


@case("nul_byte.csv", "a CSV roster with a NUL byte inside a name", "exit 2: 不是文本文件（含二进制内容）")
def _nul(path: Path) -> None:
    text = csv_bytes(rows(3)).replace("李娜", "李\x00娜")
    path.write_bytes(text.encode())


@case(
    "nul_byte_late.csv",
    "the same NUL byte 8 KB into a longer CSV (past the first 4 KB)",
    "exit 2: 不是文本文件（含二进制内容）, as when it is near the start",
)
def _nul_late(path: Path) -> None:
    data = csv_bytes([HEADER, *(row(n % 12 + 1, id_number=valid_id(n)) for n in range(1, 99))]).encode()
    at = data.index("李娜".encode(), 8000)
    path.write_bytes(data[:at] + "李\x00娜".encode() + data[at + len("李娜".encode()) :])


@case("binary_garbage.csv", "4 KB of random bytes named .csv", "exit 2: neither UTF-8 nor GBK, or binary content")
def _garbage(path: Path) -> None:
    seeded = random.Random(7)
    path.write_bytes(bytes(seeded.getrandbits(8) for _ in range(4096)))


@case("corrupt.parquet", "PAR1 magic bytes followed by garbage", "exit 2: Parquet 读取失败")
def _corrupt_parquet(path: Path) -> None:
    path.write_bytes(b"PAR1" + b"\x15\x00" * 64 + b"PAR1")


# Files that are read, with findings where the content calls for them.
@case("whitespace.csv", "a .csv holding only spaces, tabs and line breaks", "exit 1: file.no-data-sheet")
def _whitespace_csv(path: Path) -> None:
    path.write_bytes(b"   \r\n\t \n  \n")


@case("roster.xls", "a real BIFF8 .xls (xlwt)", "exit 0: 2 rows paid")
def _xls(path: Path) -> None:
    xls(path, {"花名册": rows(2)})


@case("xls_named_xlsx.xlsx", "an old .xls saved with an .xlsx name", "exit 0: read by content (OLE2), 2 rows paid")
def _xls_named_xlsx(path: Path) -> None:
    xls(path, {"花名册": rows(2)})


@case("xlsx_named_csv.csv", "a real .xlsx saved with a .csv name", "exit 0: read by content (zip), 2 rows paid")
def _xlsx_named_csv(path: Path) -> None:
    xlsx(path, {"花名册": rows(2)})


@case(
    "xls_id_as_number.xls",
    "an .xls whose IDs were typed as numbers (Excel keeps 15 digits)",
    "exit 1: id.precision-lost at rows 2 and 3; row 4 (text ID) paid",
)
def _xls_id_number(path: Path) -> None:
    data = rows(3)
    data[1][1] = float(int(valid_id(1)[:15]) * 1000)
    data[2][1] = 3.20506199003071e17
    xls(path, {"花名册": data})


@case(
    "macro.xlsm",
    "an .xlsm with a vbaProject.bin part and the macro-enabled content type",
    "exit 0: the macro part is never run or read; 2 rows paid",
)
def _xlsm(path: Path) -> None:
    # Not a real VBA project: an OLE2 header and padding, enough for the part and its content
    # type to exist. skillcli reads sheets only; nothing ever opens vbaProject.bin.
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    book = _workbook(path)
    book.add_vba_project(io.BytesIO(vba), is_stream=True)
    sheet = book.add_worksheet("花名册")
    for r, values in enumerate(rows(2)):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    book.close()


@case(
    "gbk.csv",
    "a CSV roster in GBK (as saved by Excel on a Chinese Windows)",
    "exit 0: file.encoding-fallback (warning)",
)
def _gbk(path: Path) -> None:
    path.write_bytes(csv_bytes(rows(2)).encode("gbk"))


@case("utf8_bom.csv", "a CSV roster in UTF-8 with a byte-order mark", "exit 0: no findings, 2 rows paid")
def _bom(path: Path) -> None:
    path.write_bytes(csv_bytes(rows(2)).encode("utf-8-sig"))


@case(
    "utf16_tab.csv",
    "Excel's 'Unicode text': UTF-16LE with BOM, tab-separated",
    "exit 2: 是 UTF-16 编码的文本（Excel「Unicode 文本」），请另存为「CSV UTF-8」",
)
def _utf16(path: Path) -> None:
    path.write_bytes(csv_bytes(rows(2), delimiter="\t").encode("utf-16"))


@case("title_only.xlsx", "a 花名册 sheet holding only its title row", "exit 1: sheet.header-not-found")
def _title_only(path: Path) -> None:
    xlsx(path, {"花名册": [["2024年第一批职业技能培训学员花名册"]]})


@case("empty_sheet.xlsx", "a workbook whose only sheet is empty", "exit 1: file.no-data-sheet")
def _empty_sheet(path: Path) -> None:
    xlsx(path, {"Sheet1": []})


@case("header_only.xlsx", "a roster header with no data rows", "exit 0: 0 rows; payout pays nothing")
def _header_only(path: Path) -> None:
    xlsx(path, {"花名册": [HEADER]})


@case(
    "duplicate_headers.xlsx",
    "身份证号码 and 姓名 each appear twice",
    "exit 0: sheet.duplicate-column (warning) for each repeat at row 1; the first columns are read",
)
def _duplicates(path: Path) -> None:
    data = [[*HEADER, "身份证号码", "姓名"]]
    data += [[*row(n), "110101199003070000", "别人"] for n in (1, 2)]
    xlsx(path, {"花名册": data})


@case(
    "english_headers.xlsx",
    "a sheet named Roster with English headers (Name, ID Number, …)",
    "exit 1: file.no-data-sheet: English headers are not aliases, so no header is found",
)
def _english(path: Path) -> None:
    header = [
        "Name",
        "ID Number",
        "Sex",
        "Employer",
        "Credit Code",
        "Training Type",
        "Occupation",
        "Level",
        "Start Date",
        "End Date",
        "Result",
        "Pensioner",
    ]
    xlsx(path, {"Roster": [header, row(1), row(2)]})


@case(
    "rows_1048576_trick.xlsx",
    "2 trainees and row 1 048 576 formatted (dimension A1:L1048576)",
    "exit 0: 2 rows, nothing read past them",
)
def _million_trick(path: Path) -> None:
    def setup(book: Any, sheet: Any) -> None:
        sheet.set_row(1048575, None, book.add_format({"bg_color": "#FFFF00"}))

    xlsx(path, {"花名册": rows(2)}, setup=setup)


@case(
    "merged_over_data.xlsx",
    "培训类型 and 单位名称 merged down rows 2–4 (only the top-left cell has a value)",
    "exit 1: cell.merged (warning) at row 2 for both ranges; value.missing 培训类型 at rows 3 and 4 (not filled in "
    "silently)",
)
def _merged(path: Path) -> None:
    def setup(book: Any, sheet: Any) -> None:
        sheet.merge_range("D2:D4", "苏州精工机械有限公司")
        sheet.merge_range("F2:F4", "岗前培训")

    data = rows(3)
    for values in data[1:]:
        values[3] = values[5] = None
    xlsx(path, {"花名册": data}, setup=setup)


@case(
    "formulas.xlsx",
    "formula cells with cached values in 姓名, 职业(工种) and 结业日期",
    "exit 0: cell.formula (warning) per formula cell; cached values used; rows paid",
)
def _formulas(path: Path) -> None:
    data = rows(2)
    data[1][0] = Formula('=CONCATENATE("张","伟")', "张伟")
    data[1][6] = Formula('=IF(TRUE,"车工","")', "车工")
    data[2][9] = Formula("=DATE(2021,5,10)", 44326)
    xlsx(path, {"花名册": data})


@case(
    "error_cells.xlsx",
    "error values #N/A, #REF!, #DIV/0!, #VALUE! in data cells",
    "exit 1: cell.error at each error cell; the blank that results is reported too",
)
def _errors(path: Path) -> None:
    data = rows(4)
    data[1][7] = Formula("=NA()", "#N/A")
    data[2][8] = Formula("=#REF!", "#REF!")
    data[3][6] = Formula("=1/0", "#DIV/0!")
    data[4][0] = Formula('="a"+1', "#VALUE!")
    xlsx(path, {"花名册": data})


@case(
    "hidden_rows_sheets.xlsx",
    "row 3 of 花名册 hidden; a hidden 证书 sheet",
    "exit 0: row.hidden (warning) at row 3; sheet.hidden (warning) for 证书; hidden data still read; 3 rows paid",
)
def _hidden(path: Path) -> None:
    certs = [
        ["身份证号码", "姓名", "证书编号", "证书类型", "职业(工种)", "等级", "发证日期", "是否本市取证"],
        [valid_id(1), "张伟", "HG-2021-0001", "培训合格证", "车工", "无等级", "2021-05-12", "是"],
    ]

    def setup(book: Any, sheet: Any) -> None:
        if sheet.name == "花名册":
            sheet.set_row(2, None, None, {"hidden": True})

    xlsx(path, {"花名册": rows(3), "证书": certs}, hidden_sheets=("证书",), setup=setup)


DATE_FORMS = [
    "2021-05-01",
    "2021/5/1",
    "2021.5.1",
    "2021.05.01",
    "2021年5月1日",
    "20210501",
    "2021-05-01T00:00:00",
    "2021-05-01 08:30:00",
    "44317",
    dt.date(2021, 5, 1),
    "2020/02/29",
]
BAD_DATES = ["2021-02-30", "2021-13-01", "0000-00-00", "2021年5月", "2021-02-29", "下周一", "1900-01-01"]


@case(
    "dates_text.xlsx",
    "开班日期 in every accepted text form, a date cell and a serial; then invalid dates",
    "exit 1: rows 2–12 valid; date.invalid at rows 13 (2021-02-30), 14 (2021-13-01), 15 (0000-00-00), "
    "17 (2021-02-29), 18 (下周一); date.month-only at 16; date.implausible (warning) at 19",
)
def _dates(path: Path) -> None:
    data = [HEADER]
    for n, value in enumerate([*DATE_FORMS, *BAD_DATES], start=1):
        data.append(row(n, start_date=value))
    xlsx(path, {"花名册": data})


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)


def _id_with_x() -> str:
    for n in range(1, 100):
        candidate = valid_id(n, birth="19851120")
        if candidate.endswith("X"):
            return candidate
    raise AssertionError("no ID ending in X")


@case(
    "ids.xlsx",
    "IDs with spaces, dashes, full-width digits, lowercase x, ideographic spaces, 15 digits, "
    "as a number, in scientific notation, 17 digits and a bad check character",
    "exit 1: rows 2–6 valid (normalised, paid); id.old-15-digit 7; id.precision-lost 8 and 9; id.format 10; "
    "id.checksum 11",
)
def _ids(path: Path) -> None:
    x_id = _id_with_x()
    spaced = valid_id(1)
    old15 = "320506900307013"
    variants: list[Any] = [
        f"{spaced[:6]} {spaced[6:14]} {spaced[14:]}",
        _fullwidth(valid_id(2)),
        x_id[:-1] + "x",
        f"{valid_id(4)[:6]}-{valid_id(4)[6:14]}-{valid_id(4)[14:]}",
        f"\u3000{valid_id(5)[:9]}\u00a0{valid_id(5)[9:]}\u3000",
        old15,
        float(int(valid_id(6)[:15]) * 1000),
        "3.20506199003071E+17",
        valid_id(8)[:17],
        valid_id(9)[:17] + ("1" if valid_id(9)[17] != "1" else "2"),
    ]
    data = [HEADER]
    for n, value in enumerate(variants, start=1):
        data.append(row(n, id_number=value))
    xlsx(path, {"花名册": data})


MONEY = [
    "1,500.00",
    "1,500元",
    "￥1,500",
    "500 元/人",
    "１５００",
    "1.5万",
    "12,345,678.90",
    "-200",
    "1.005",
    "壹仟元",
    "1,5,0,0",
    "1,50",
    "\u0661\u0665\u0660\u0660",
]
MONEY_FEN = [150000, 150000, 150000, 50000, 150000, 1500000, 1234567890, None, 101, None, None, None, None]


@case(
    "money.xlsx",
    "培训费用 with thousands separators, 元, ￥, full-width digits, 万, a negative, three decimals, "
    "Chinese numerals, misplaced commas (1,5,0,0 and 1,50), Arabic-Indic digits; 已预拨金额 negative",
    "exit 1: rows 2–8 read exactly (1500.00 … 12345678.90); money.negative 已预拨金额 row 3 and 培训费用 row 9; "
    "money.sub-fen (warning) 10; money.invalid 11, 12, 13, 14",
)
def _money(path: Path) -> None:
    data = [[*HEADER, "培训费用", "已预拨金额"]]
    for n, value in enumerate(MONEY, start=1):
        data.append([*row(n), value, "-100" if n == 2 else ""])
    xlsx(path, {"花名册": data})


@case(
    "long_cells.xlsx",
    "a 10 000-character name and a 10 000-character 职业(工种)",
    "exit 1: both read whole; value.too-long on each (the ledger holds 60 and 100 characters), neither paid",
)
def _long(path: Path) -> None:
    data = rows(2)
    data[1][0] = "张" * 10_000
    data[2][6] = "车工" * 5_000
    xlsx(path, {"花名册": data})


@case(
    "long_cell_40k.csv",
    "a CSV whose 职业(工种) cell has 40 000 characters, on a row with an error",
    "exit 1: the value is reported (and value.too-long); the exception workbook cell is cut to Excel's 32 767"
    " characters",
)
def _long_csv(path: Path) -> None:
    data = rows(2)
    data[1][6] = "焊" * 40_000
    data[1][8] = "2021-02-30"
    path.write_bytes(csv_bytes(data).encode())


@case(
    "control_chars.xlsx",
    "names with C0 controls, ANSI escape sequences, zero-width and right-to-left marks",
    "exit 0: control characters dropped; no escape sequence reaches the terminal",
)
def _control(path: Path) -> None:
    data = rows(4)
    data[1][0] = "张\x01伟\x07"
    data[2][0] = "\x1b[31m李娜\x1b[0m"
    data[3][0] = "王\u200b芳\ufeff"
    data[4][6] = "车\x7f工\x1b]0;pwned\x07"
    xlsx(path, {"花名册": data})


@case(
    "emoji_rare_cjk.xlsx",
    "names with emoji and CJK Extension B characters (𠀀 U+20000)",
    "exit 0: names kept exactly, in every output",
)
def _emoji(path: Path) -> None:
    data = rows(3)
    data[1][0] = "𠀀𠀁"
    data[2][0] = "张😀"
    data[3][0] = "𪚥龘"
    xlsx(path, {"花名册": data})


DANGEROUS = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+SUM(1,2)", "-1+2", "@SUM(A1)", "\t=1+1", "\r=2+2"]


@case(
    "formula_text.xlsx",
    "text cells that look like formulas (=HYPERLINK, =cmd|, + - @, leading tab/CR)",
    "exit 0 (warnings only): every output cell stays text; CSV cells start with an apostrophe",
)
def _formula_text(path: Path) -> None:
    data = [HEADER]
    for n, text in enumerate(DANGEROUS, start=1):
        data.append(row(n, employer_name=text, occupation=text if n % 2 else "车工"))
    data.append(row(len(DANGEROUS) + 1, name="=cmd|' /C calc'!A0"))
    xlsx(path, {"花名册": data})


@case("special_sheet_name.xlsx", "the roster sheet named 花名册&<'>#%!(1) 😀", "exit 0: read under its own name")
def _sheet_name(path: Path) -> None:
    xlsx(path, {"花名册&<'>#%!(1) 😀": rows(2)})


@case("wide_300_columns.xlsx", "the roster plus 288 extra columns (300 in all)", "exit 0: 2 rows paid")
def _wide(path: Path) -> None:
    extra = [f"备注{i}" for i in range(1, 289)]
    data = [[*HEADER, *extra], *([*row(n), *(f"x{i}" for i in range(288))] for n in (1, 2))]
    xlsx(path, {"花名册": data})


def _title_block(count: int) -> list[list[Any]]:
    top: list[list[Any]] = [["2024年第一批职业技能培训学员花名册"], ["填报单位（盖章）：苏州精工机械有限公司"]]
    return [*top, *([] for _ in range(count - len(top)))]


@case(
    "header_row_20.xlsx",
    "title lines and blank rows, header on row 20 (the last row searched)",
    "exit 0: header found on row 20; 2 rows paid",
)
def _header20(path: Path) -> None:
    xlsx(path, {"花名册": [*_title_block(19), *rows(2)]})


@case(
    "header_row_21.xlsx", "the same with the header on row 21, past the search window", "exit 1: sheet.header-not-found"
)
def _header21(path: Path) -> None:
    xlsx(path, {"花名册": [*_title_block(20), *rows(2)]})


@case("roster.parquet", "a roster as Parquet (string columns named by the Chinese headers)", "exit 0: 2 rows paid")
def _parquet(path: Path) -> None:
    import polars as pl

    data = rows(2)
    pl.DataFrame({h: [r[i] for r in data[1:]] for i, h in enumerate(HEADER)}).write_parquet(path, statistics=False)


@case(
    "ragged.csv",
    "a CSV whose lines have 1, 12, 9 and 15 fields, with a quoted comma and a quoted line break",
    "exit 1: header found on line 2; the short line 4 gives date.missing 结业日期; the long line keeps its first 12 "
    "fields; the quoted comma and line break stay inside one cell",
)
def _ragged(path: Path) -> None:
    lines = [
        ["2024年花名册"],
        HEADER,
        row(1),
        row(2)[:9],
        [*row(3), "多余1", "多余2", "多余3"],
        row(4, employer_name="苏州精工,机械\n有限公司"),
    ]
    path.write_bytes(csv_bytes(lines).encode())


@case("protected_sheet.xlsx", "sheet protection with a password (not encryption)", "exit 0: read normally, 2 rows paid")
def _protected(path: Path) -> None:
    def setup(book: Any, sheet: Any) -> None:
        sheet.protect("1234")

    xlsx(path, {"花名册": rows(2)}, setup=setup)


@case(
    "date1904.xlsx",
    "real date cells in a workbook using the 1904 date system (old Mac Excel)",
    "exit 0: dates read as written (2021-05-01/2021-05-10), not shifted by 4 years",
)
def _date1904(path: Path) -> None:
    data = rows(2)
    for values in data[1:]:
        values[8], values[9] = dt.date(2021, 5, 1), dt.date(2021, 5, 10)
    xlsx(path, {"花名册": data}, options={"date_1904": True})


@case(
    "typed_cells.xlsx",
    "numbers, booleans and dates where text is expected (是否领取养老金 TRUE/FALSE, 职业(工种) 123, 姓名 a date)",
    "exit 0: booleans read as 是/否 (TRUE → 领取养老金 → not eligible, E8); name.has-digits (warning) for the "
    "date name",
)
def _typed(path: Path) -> None:
    data = rows(3)
    data[1][11] = False
    data[2][11] = True
    data[2][6] = 123
    data[3][0] = dt.date(2021, 5, 1)
    xlsx(path, {"花名册": data})


def _rewritten(path: Path, sheets: dict[str, list[list[Any]]], change: Callable[[str, bytes], bytes]) -> None:
    """A real .xlsx whose parts are then edited by ``change(name, data)``: the hand-made attacks."""
    xlsx(path, sheets)
    with zipfile.ZipFile(path) as source:
        parts = {item.filename: change(item.filename, source.read(item.filename)) for item in source.infolist()}
    zip_file(path, parts)


@case(
    "bomb_xfd1048576.xlsx",
    "a 2-row roster plus one number cell at XFD1048576 (the reader would allocate 17 billion cells)",
    "exit 2: the sheet's extent (1 048 576 rows × 16 384 columns) is over --max-cells; nothing allocated",
)
def _bomb_xfd(path: Path) -> None:
    def far(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        return data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')

    _rewritten(path, {"花名册": rows(2)}, far)


@case(
    "dimension_lies.xlsx",
    '<dimension ref="A1:XFD1048576"> over a 2-row roster',
    "exit 0: the extent is taken from the cells, not the declared dimension; 2 rows paid",
)
def _dimension_lies(path: Path) -> None:
    def claim(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        start = data.index(b"<dimension ref=")
        end = data.index(b"/>", start) + 2
        return data[:start] + b'<dimension ref="A1:XFD1048576"/>' + data[end:]

    _rewritten(path, {"花名册": rows(2)}, claim)


@case(
    "doctype_rels.xlsx",
    "a DOCTYPE in xl/_rels/workbook.xml.rels over a number-typed ID and a formula in a hidden row",
    "exit 2: refused whole (one parser accepted the DOCTYPE, the other did not: never half-checked)",
)
def _doctype_rels(path: Path) -> None:
    data = rows(3)
    data[1][1] = 320506199003070111
    data[3][0] = Formula('"王"&"芳"', "王芳")

    def doctype(name: str, part: bytes) -> bytes:
        if name != "xl/_rels/workbook.xml.rels":
            return part
        return part.replace(b"?>", b'?><!DOCTYPE r [<!ENTITY x "x">]>', 1)

    def hide(name: str, part: bytes) -> bytes:
        return doctype(name, part.replace(b'<row r="4"', b'<row r="4" hidden="1"') if "sheet1" in name else part)

    _rewritten(path, {"花名册": data}, hide)


@case(
    "duplicate_member.xlsx",
    "two zip members named xl/worksheets/sheet1.xml, the second with a formula",
    "exit 2: 压缩包中有同名成员 (readers disagree on which copy counts)",
)
def _duplicate_member(path: Path) -> None:
    xlsx(path, {"花名册": rows(2)})
    with zipfile.ZipFile(path) as source:
        parts = [(item.filename, source.read(item.filename)) for item in source.infolist()]
    sheet = dict(parts)["xl/worksheets/sheet1.xml"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in [*parts, ("xl/worksheets/sheet1.xml", sheet.replace(b"<v>", b"<f>1+1</f><v>", 1))]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # zipfile warns about the duplicate name it is asked to write
                archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), part)


@case(
    "sheet_name_controls.xlsx",
    "the roster sheet named with a C1 control (CSI) and a right-to-left override: 花名册\\x9b2J\\u202e",
    "exit 0: read; the name is shown with visible escapes on screen and in logs; 2 rows paid",
)
def _sheet_name_controls(path: Path) -> None:
    xlsx(path, {"花名册\x9b2J\u202e": rows(2)})


@case(
    "sheet_name_esc.xlsx",
    "the sheet name carries ESC ]0; … BEL as XML character references (&#27;), which XML 1.0 forbids",
    "exit 2: the structure scan cannot read it, so the file is refused (the reader alone would accept it)",
)
def _sheet_name_esc(path: Path) -> None:
    def esc(name: str, data: bytes) -> bytes:
        return (
            data.replace('name="花名册"'.encode(), 'name="花名册&#27;]0;pwned&#7;"'.encode())
            if name == "xl/workbook.xml"
            else data
        )

    _rewritten(path, {"花名册": rows(2)}, esc)


CASES_BY_FILE = {c.file: c for c in CASES}

README_HEAD = """# Hostile-input corpus

Generated by `make_hostile.py` in this folder (`.venv/bin/python tests/data/hostile/make_hostile.py`);
do not edit the files by hand. `tests/test_hostile.py` runs `skillcli check FILE --json --period 2024-06`
on every file (and `skillcli payout … --policy suzhou-2019` on every readable one) and asserts the outcome
below, that no traceback is printed, that an exit-2 error is one line, that rows in = paid + exception +
ineligible, and that no output cell is a formula (CSV cells from input starting with = + - @ tab CR get an
apostrophe).

Most rosters are built from one valid 岗前培训 row that suzhou-2019 pays (A5, 300 yuan to the enterprise):
a case changes only what it is about. Rows are Excel row numbers (header on row 1 unless said).

| file | what it is | expected outcome |
|---|---|---|
"""

README_TAIL = (
    "| *(test time)* `big_200mb.csv` | a 200 MB file, written sparse at test time (skipped, saying so, when the disk "
    "has less than 2 GB free) | exit 1: file.too-large with `--max-file-mb 100`; the file is never read |\n"
    "| *(test time)* `rows_1048576_full.xlsx` | every row down to 1 048 576 holding formatted but empty cells "
    "(about 8 MB, written at test time) | exit 0: 2 rows, the empty rows are not data; 2 rows paid |\n"
    "| *(test time)* `expands.xlsx` | 1.1 GiB of sheet XML in about a megabyte, declared as 1 000 bytes in both zip "
    "headers (tests/test_bounded.py) | exit 2 within 60 s under a 2 GiB address-space cap: over --max-expanded-mb |\n"
    "| *(test time)* `strings.xlsx` | 300 MB of shared strings | exit 2: over --max-strings-mb |\n"
    "| *(test time)* `rows.parquet` | 10 million identical rows in a few hundred KB | exit 2: over --max-rows, "
    "decoded batch by batch, never whole |\n"
    "| *(test time)* `/dev/zero`, `/dev/urandom`, a FIFO, a socket | not regular files | exit 2: refused without "
    "being opened |\n"
)


def main() -> None:
    names = [c.file for c in CASES]
    assert len(names) == len(set(names)), "duplicate case file names"
    for item in CASES:
        item.build(HERE / item.file)
    table = "".join(f"| `{c.file}` | {c.what} | {c.expected} |\n" for c in CASES)
    (HERE / "README.md").write_text(README_HEAD + table + README_TAIL, encoding="utf-8")
    total = sum((HERE / c.file).stat().st_size for c in CASES)
    print(f"{len(CASES)} files, {total / 1e6:.2f} MB, in {HERE}")


if __name__ == "__main__":
    main()
