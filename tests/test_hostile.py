"""The hostile-input corpus (tests/data/hostile/, see its README): every case's outcome, end to end.

Each file goes through ``skillcli check FILE --json --period 2024-06 --out DIR`` and, when it holds a
roster, ``skillcli payout FILE --policy suzhou-2019 --period 2024-06 --out DIR --json``. For every
case: the exit code, the exact (row, code) findings, never a traceback or an escape sequence on the
terminal, a one-line message for an unreadable file, rows in = paid + exception + ineligible, and
outputs in which no cell is a formula and no CSV cell from input can start one.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.support.cli import PERIOD, Result
from tests.support.ids import valid_id
from tests.support.workbooks import read_csv

HOSTILE = Path(__file__).parent / "data" / "hostile"
NOT_CASES = {"README.md", "make_hostile.py"}
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Expect:
    """The outcome of one case. ``error``: a fragment of the one-line message of an exit-2 case.
    ``findings``: every (Excel row, code) of ``check``. ``paid``: rows paid by ``payout``, or None
    when the file gives no roster to pay (payout then exits 2 with a one-line reason)."""

    exit: int
    error: str = ""
    findings: tuple[tuple[int | None, str], ...] = ()
    rows: int = 0
    paid: int | None = None
    exceptions: int = 0
    ineligible: int = 0
    payout_exit: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def unreadable(fragment: str) -> Expect:
    return Expect(2, error=fragment)


def read(
    rows: int, *found: tuple[int | None, str], paid: int | None = None, exceptions: int = 0, ineligible: int = 0
) -> Expect:
    """A readable file: ``check`` exits 1 when a finding is an error (decided from the codes below)."""
    errors = {code for _, code in found} - WARNINGS
    payout_exit = 1 if exceptions else 0
    return Expect(
        1 if errors else 0,
        findings=found,
        rows=rows,
        paid=rows - exceptions - ineligible if paid is None else paid,
        exceptions=exceptions,
        ineligible=ineligible,
        payout_exit=payout_exit,
    )


def no_roster(*found: tuple[int | None, str], rows: int = 0) -> Expect:
    return Expect(1 if found else 0, findings=found, rows=rows, paid=None, payout_exit=2)


WARNINGS = {
    "file.encoding-fallback",
    "sheet.duplicate-column",
    "sheet.hidden",
    "row.hidden",
    "cell.formula",
    "cell.merged",
    "name.has-digits",
    "date.implausible",
    "money.sub-fen",
    "uscc.two-names",
}

CASES: dict[str, Expect] = {
    # Unreadable: exit 2, one line.
    "empty.xlsx": unreadable("文件为空（0 字节）"),
    "whitespace.xlsx": unreadable("扩展名是 Excel，但内容不是 Excel 文件"),
    "text_renamed.xlsx": unreadable("扩展名是 Excel，但内容不是 Excel 文件"),
    "truncated.xlsx": unreadable("文件已损坏（zip 结构不完整）"),
    "zip_not_workbook.xlsx": unreadable("是压缩包但不是 Excel 工作簿"),
    "encrypted.xlsx": unreadable("工作簿有密码保护"),
    "nul_byte.csv": unreadable("不是文本文件（含二进制内容）"),
    "nul_byte_late.csv": unreadable("不是文本文件（含二进制内容）"),
    "binary_garbage.csv": unreadable("既不是 UTF-8 也不是 GBK"),
    "utf16_tab.csv": unreadable("是 UTF-16 编码的文本"),
    "corrupt.parquet": unreadable("Parquet 读取失败"),
    # Read, but no roster in them.
    "whitespace.csv": no_roster((None, "file.no-data-sheet")),
    "empty_sheet.xlsx": no_roster((None, "file.no-data-sheet")),
    "english_headers.xlsx": no_roster((None, "file.no-data-sheet")),
    "title_only.xlsx": no_roster((None, "sheet.header-not-found")),
    "header_row_21.xlsx": no_roster((None, "sheet.header-not-found")),
    "header_only.xlsx": no_roster(),
    # Rosters.
    "roster.xls": read(2),
    "xls_named_xlsx.xlsx": read(2),
    "xlsx_named_csv.csv": read(2),
    "xls_id_as_number.xls": read(3, (2, "id.precision-lost"), (3, "id.precision-lost"), exceptions=2),
    "macro.xlsm": read(2),
    "gbk.csv": read(2, (None, "file.encoding-fallback")),
    "utf8_bom.csv": read(2),
    "duplicate_headers.xlsx": read(2, (1, "sheet.duplicate-column"), (1, "sheet.duplicate-column")),
    "rows_1048576_trick.xlsx": read(2),
    "merged_over_data.xlsx": read(
        3, (2, "cell.merged"), (2, "cell.merged"), (3, "value.missing"), (4, "value.missing"), exceptions=2
    ),
    "formulas.xlsx": read(2, (2, "cell.formula"), (2, "cell.formula"), (3, "cell.formula")),
    "error_cells.xlsx": read(
        4,
        (2, "cell.error"),
        (2, "cell.formula"),
        (3, "cell.error"),
        (3, "cell.formula"),
        (3, "date.missing"),
        (4, "cell.error"),
        (4, "cell.formula"),
        (4, "value.missing"),
        (5, "cell.error"),
        (5, "cell.formula"),
        (5, "name.missing"),
        exceptions=4,
    ),
    "hidden_rows_sheets.xlsx": read(3, (3, "row.hidden"), (None, "sheet.hidden")),
    "dates_text.xlsx": read(
        18,
        (13, "date.invalid"),
        (14, "date.invalid"),
        (15, "date.invalid"),
        (16, "date.month-only"),
        (17, "date.invalid"),
        (18, "date.invalid"),
        (19, "date.implausible"),
        exceptions=6,
    ),
    "ids.xlsx": read(
        10,
        (7, "id.old-15-digit"),
        (8, "id.precision-lost"),
        (9, "id.precision-lost"),
        (10, "id.format"),
        (11, "id.checksum"),
        exceptions=5,
    ),
    "money.xlsx": read(
        13,
        (3, "money.negative"),
        (9, "money.negative"),
        (10, "money.sub-fen"),
        (11, "money.invalid"),
        (12, "money.invalid"),
        (13, "money.invalid"),
        (14, "money.invalid"),
        exceptions=6,
    ),
    "long_cells.xlsx": read(2, (2, "value.too-long"), (3, "value.too-long"), exceptions=2),
    "long_cell_40k.csv": read(2, (2, "date.invalid"), (2, "value.too-long"), exceptions=1),
    "control_chars.xlsx": read(4, (3, "name.has-digits")),
    "emoji_rare_cjk.xlsx": read(3),
    # Every row's 单位名称 is another formula text under one credit code: each spelling after the
    # first is a payee name the bank would refuse (uscc.two-names), and row 9's name has digits.
    "formula_text.xlsx": read(8, (9, "name.has-digits"), *[(r, "uscc.two-names") for r in range(3, 10)]),
    "special_sheet_name.xlsx": read(2),
    "wide_300_columns.xlsx": read(2),
    "header_row_20.xlsx": read(2),
    "roster.parquet": read(2),
    # Row 6's 单位名称 is written 「苏州精工,机械 有限公司」 under the same credit code: a name the bank refuses.
    "ragged.csv": read(4, (4, "date.missing"), (6, "uscc.two-names"), exceptions=1),
    "protected_sheet.xlsx": read(2),
    "date1904.xlsx": read(2),
    "typed_cells.xlsx": read(3, (4, "name.has-digits"), ineligible=1),
    # Issue 13: what input expands to, and one parser or none.
    "bomb_xfd1048576.xlsx": unreadable("--max-cells"),
    "dimension_lies.xlsx": read(2),
    "doctype_rels.xlsx": unreadable("DOCTYPE"),
    "duplicate_member.xlsx": unreadable("同名成员"),
    "sheet_name_controls.xlsx": read(2),
    "sheet_name_esc.xlsx": unreadable("工作簿结构无法核对"),
}


def corpus() -> list[str]:
    return sorted(p.name for p in HOSTILE.iterdir() if p.name not in NOT_CASES)


def test_corpus__every_file_has_an_expected_outcome() -> None:
    assert len(corpus()) >= 40
    assert set(corpus()) == set(CASES)
    readme = (HOSTILE / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in corpus())
    assert all((HOSTILE / name).stat().st_size < 1_000_000 for name in corpus())


def test_corpus__files_are_what_they_claim_to_be() -> None:
    encrypted = (HOSTILE / "encrypted.xlsx").read_bytes()
    assert encrypted.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # an OLE2 container …
    assert "EncryptionInfo".encode("utf-16-le") in encrypted  # … holding ECMA-376 encryption streams
    assert "EncryptedPackage".encode("utf-16-le") in encrypted
    with zipfile.ZipFile(HOSTILE / "macro.xlsm") as macro:
        assert "xl/vbaProject.bin" in macro.namelist()
        assert "macroEnabled.main+xml" in macro.read("[Content_Types].xml").decode()
    assert (HOSTILE / "empty.xlsx").stat().st_size == 0
    assert (HOSTILE / "roster.xls").read_bytes().startswith(b"\xd0\xcf\x11\xe0")
    assert (HOSTILE / "utf16_tab.csv").read_bytes().startswith(b"\xff\xfe")
    assert (HOSTILE / "roster.parquet").read_bytes()[:4] == b"PAR1"


# -- the checks every run gets ---------------------------------------------------------------------
def assert_clean_terminal(result: Result) -> None:
    assert "Traceback" not in result.stderr
    assert result.code != 3, result.stderr
    # Cell text never drives the terminal: no escape sequence (ANSI colours, window titles) gets through.
    assert "\x1b" not in result.stderr and "\x1b" not in result.stdout


def one_line_error(result: Result, fragment: str) -> None:
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]


def flat(findings: list[dict[str, Any]]) -> list[tuple[int | None, str]]:
    return sorted(((f["row"], f["code"]) for f in findings), key=lambda x: (x[0] or 0, x[1]))


def assert_safe_outputs(directory: Path) -> None:
    """No formula cell in any workbook; no CSV cell that a spreadsheet would evaluate."""
    for book_path in directory.glob("*.xlsx"):
        book = openpyxl.load_workbook(book_path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{book_path.name} {sheet.title}!{cell.coordinate}"
    for csv_path in directory.glob("*.csv"):
        with csv_path.open(encoding="utf-8-sig", newline="") as handle:
            for line in csv.reader(handle):
                for cell in line:
                    assert not cell.startswith(DANGEROUS), f"{csv_path.name}: {cell[:40]!r}"
    for path in directory.iterdir():
        if path.suffix in (".csv", ".json"):
            assert "\x1b" not in path.read_text(encoding="utf-8")


def csv_rows(path: Path) -> list[dict[str, str]]:
    return read_csv(path)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile__outcome(name: str, run_cli: Callable[..., Result], tmp_path: Path) -> None:
    expect = CASES[name]
    path = HOSTILE / name
    checked = run_cli("check", path, "--json", "--period", PERIOD, "--out", tmp_path / "check")
    assert_clean_terminal(checked)
    if expect.exit == 2:
        one_line_error(checked, expect.error)
        assert not (tmp_path / "check").exists()
        return
    assert checked.code == expect.exit, checked.stderr
    payload = checked.json
    assert flat(payload["findings"]) == sorted(expect.findings, key=lambda x: (x[0] or 0, x[1]))
    assert payload["counts"]["rows"].get("roster", 0) == expect.rows
    assert_safe_outputs(tmp_path / "check")

    paid = run_cli("payout", path, "--policy", "suzhou-2019", "--period", PERIOD, "--out", tmp_path / "pay", "--json")
    assert_clean_terminal(paid)
    if expect.paid is None:
        assert paid.code == 2
        assert "批次中没有花名册数据" in paid.stderr.strip().splitlines()[-1]
        return
    assert paid.code == expect.payout_exit, paid.stderr
    counts = paid.json["counts"]
    # The control identity: every roster row read ends in exactly one of the three.
    assert counts["rows"] == expect.rows == counts["paid"] + counts["exception"] + counts["ineligible"]
    assert (counts["paid"], counts["exception"], counts["ineligible"]) == (
        expect.paid,
        expect.exceptions,
        expect.ineligible,
    )
    assert_safe_outputs(tmp_path / "pay")
    assert len(csv_rows(tmp_path / "pay" / "payouts.csv")) == expect.paid


# -- what a case is about, beyond its findings -----------------------------------------------------
def load(name: str) -> Any:
    import datetime as dt

    from skillcli.model import SheetKind
    from skillcli.pipeline import load_batch, parse_period

    batch = load_batch([HOSTILE / name], parse_period(PERIOD, dt.date(2024, 7, 1)))
    return batch.frames[SheetKind.ROSTER]


def test_hostile__money_is_read_exactly_or_reported() -> None:
    fees = load("money.xlsx").sort("_row").get_column("fee_fen").to_list()
    #          1,500.00 1,500元  ￥1,500  500元/人 １５００ 1.5万     12,345,678.90 -200  1.005 壹仟元 1,5,0,0 1,50 ١٥٠٠
    assert fees == [150000, 150000, 150000, 50000, 150000, 1500000, 1234567890, None, 101, None, None, None, None]


def test_hostile__ids_are_normalised_not_guessed() -> None:
    ids = load("ids.xlsx").sort("_row").get_column("id_number").to_list()
    assert ids[:5] == [valid_id(seq="011"), valid_id(seq="021"), ids[2], valid_id(seq="041"), valid_id(seq="051")]
    assert ids[2].endswith("X") and len(ids[2]) == 18
    assert ids[5] == "320506900307013"  # the 15-digit ID is reported, never upgraded silently


def test_hostile__every_accepted_date_form_reads_as_the_same_day() -> None:
    import datetime as dt

    starts = load("dates_text.xlsx").sort("_row").get_column("start_date").to_list()
    assert starts[:10] == [dt.date(2021, 5, 1)] * 10
    assert starts[10] == dt.date(2020, 2, 29)
    assert starts[11:17] == [None] * 6
    assert load("date1904.xlsx").get_column("start_date").to_list() == [dt.date(2021, 5, 1)] * 2


def test_hostile__text_that_looks_like_a_formula_stays_text(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    result = run_cli(
        "payout", HOSTILE / "formula_text.xlsx", "--policy", "suzhou-2019", "--period", PERIOD, "--out", tmp_path
    )
    assert result.code == 0
    payees = [r["payee_name"] for r in csv_rows(tmp_path / "payouts.csv")]
    # Leading tab and CR are spaces to the reader and are trimmed; what remains is prefixed.
    assert payees == [
        '\'=HYPERLINK("http://x","y")',
        "'=cmd|' /C calc'!A0",
        "'+SUM(1,2)",
        "'-1+2",
        "'@SUM(A1)",
        "'=1+1",
        "'=2+2",
        "苏州精工机械有限公司",
    ]
    names = [r["name"] for r in csv_rows(tmp_path / "payouts.csv")]
    assert names[-1] == "'=cmd|' /C calc'!A0"
    sheet = openpyxl.load_workbook(tmp_path / "payouts.xlsx")["明细"]
    texts = {cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert '=HYPERLINK("http://x","y")' in texts and "=cmd|' /C calc'!A0" in texts


def test_hostile__names_keep_every_character(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    run_cli(
        "payout",
        HOSTILE / "emoji_rare_cjk.xlsx",
        "--policy",
        "suzhou-2019",
        "--period",
        PERIOD,
        "--out",
        tmp_path / "emoji",
    )
    assert [r["name"] for r in csv_rows(tmp_path / "emoji" / "payouts.csv")] == ["𠀀𠀁", "张😀", "𪚥龘"]
    run_cli(
        "payout",
        HOSTILE / "control_chars.xlsx",
        "--policy",
        "suzhou-2019",
        "--period",
        PERIOD,
        "--out",
        tmp_path / "control",
    )
    rows = csv_rows(tmp_path / "control" / "payouts.csv")
    assert [r["name"] for r in rows] == ["张伟", "[31m李娜[0m", "王芳", "刘洋"]
    assert rows[3]["occupation"] == "车工]0;pwned"
    run_cli(
        "payout", HOSTILE / "long_cells.xlsx", "--policy", "suzhou-2019", "--period", PERIOD, "--out", tmp_path / "long"
    )
    # Too long for the ledger (60 and 100 characters): held back as findings, read whole.
    assert csv_rows(tmp_path / "long" / "payouts.csv") == []
    held = csv_rows(tmp_path / "long" / "exceptions.csv")
    assert [(r["row"], r["code"]) for r in held] == [("2", "value.too-long"), ("3", "value.too-long")]


def test_hostile__a_cell_longer_than_excel_allows_is_cut_only_in_the_workbook(
    run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    run_cli("check", HOSTILE / "long_cell_40k.csv", "--period", PERIOD, "--out", tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "exceptions.xlsx")["花名册问题"]
    longest = max(len(c.value) for row in sheet.iter_rows() for c in row if isinstance(c.value, str))
    assert longest == 32_767  # Excel's limit for one cell


# -- generated at test time: too big to commit ------------------------------------------------------
def test_hostile__200_mb_file_over_the_limit_is_a_finding(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    # A sparse file: 200 MB long, next to no disk used, and skillcli must refuse it before reading.
    big = tmp_path / "big_200mb.csv"
    with big.open("wb") as handle:
        handle.write("姓名,身份证号码\n".encode())
        handle.truncate(200 * 1024 * 1024)  # sparse: fast, and the content is never read
    started = time.monotonic()
    result = run_cli("check", big, "--json", "--period", PERIOD, "--max-file-mb", "100")
    assert_clean_terminal(result)
    assert result.code == 1
    assert flat(result.json["findings"]) == [(None, "file.too-large")]
    assert time.monotonic() - started < 10


def test_hostile__a_million_formatted_empty_rows_are_not_data(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_hostile", HOSTILE / "make_hostile.py")
    assert spec is not None and spec.loader is not None
    make_hostile = importlib.util.module_from_spec(spec)
    sys.modules["make_hostile"] = make_hostile  # dataclasses look their module up while it loads
    try:
        spec.loader.exec_module(make_hostile)
    finally:
        del sys.modules["make_hostile"]
    small = tmp_path / "small.xlsx"
    make_hostile.CASES_BY_FILE["rows_1048576_trick.xlsx"].build(small)  # row 1 048 576 styled (s="1")
    path = tmp_path / "rows_1048576_full.xlsx"
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head, last = data.decode().split('<row r="1048576"', 1)
                # Every row down to Excel's last holds formatted but empty cells, as when a clerk
                # draws borders over whole columns.
                filler = "".join(
                    f'<row r="{r}"><c r="A{r}" s="1"/><c r="L{r}" s="1"/></row>' for r in range(4, 1_048_576)
                )
                data = (head + filler + '<row r="1048576"' + last).encode()
            target.writestr(item, data)
    assert os.path.getsize(path) < 20_000_000
    result = run_cli("payout", path, "--policy", "suzhou-2019", "--period", PERIOD, "--out", tmp_path / "out", "--json")
    assert_clean_terminal(result)
    assert result.code == 0, result.stderr
    assert result.json["counts"]["rows"] == result.json["counts"]["paid"] == 2
