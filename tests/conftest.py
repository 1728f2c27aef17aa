"""Shared fixtures: real workbooks built from Python lists, and the CLI run in-process.

Tests state their data inline (STYLE.md principle 10). ``make_xlsx`` writes a genuine .xlsx with
xlsxwriter, typing each cell from its Python value (str → text cell, int/float → number cell,
date → date cell, ``Formula`` → formula with a cached value, ``Error`` → error value), so a test
can say exactly what Excel would hold. Expected values such as check characters come from
python-stdnum, an oracle independent of skillcli's own vectorised checksums.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from stdnum.cn import ric, uscc

PERIOD = "2024-06"  # every test runs against a fixed batch month so results never depend on today


# -- identifiers (independent oracle: python-stdnum) -------------------------------------------
def valid_id(area: str = "320506", birth: str = "19900307", seq: str = "231") -> str:
    """An 18-character ID with a correct GB 11643 check character. ``seq`` ends with the sex digit."""
    body = area + birth + seq
    assert len(body) == 17
    # stdnum expects the number *with* a check position and ignores that last character.
    return body + ric.calc_check_digit(body + "0")


def sex_of(id18: str) -> str:
    """男 for an odd 17th digit, 女 for an even one (GB 11643)."""
    return "男" if int(id18[16]) % 2 else "女"


def wrong_check(id18: str) -> str:
    """The same ID with a check character that is certainly wrong."""
    right = id18[-1]
    return id18[:-1] + ("1" if right != "1" else "2")


def valid_uscc(body: str = "91320506MA1MCGQ3X") -> str:
    """An 18-character credit code with a correct GB 32100 check character (17-character body)."""
    assert len(body) == 17
    return body + uscc.calc_check_digit(body)


# -- cell values that are not plain constants --------------------------------------------------
@dataclass(frozen=True)
class Formula:
    """A formula cell, written with the value Excel would have cached for it."""

    formula: str
    cached: Any


@dataclass(frozen=True)
class Error:
    """An error value such as #N/A (written as a formula whose cached result is the error)."""

    value: str = "#N/A"


# -- a minimal valid roster --------------------------------------------------------------------
ROSTER_HEADERS: dict[str, str] = {
    "name": "姓名",
    "id_number": "身份证号码",
    "sex": "性别",
    "training_type": "培训类型",
    "occupation": "职业(工种)",
    "level": "培训等级",
    "start_date": "开班日期",
    "end_date": "结业日期",
}


def person(n: int = 1, sex: str = "男") -> dict[str, str]:
    """The n-th distinct trainee (1 ≤ n ≤ 99): a name without digits and a valid ID whose 17th
    digit agrees with ``sex``."""
    assert 1 <= n <= 99
    digit = 1 if sex == "男" else 2
    names = "甲乙丙丁戊己庚辛壬癸"
    name = "学员" + names[(n - 1) % 10] + ("" if n <= 10 else names[(n - 1) // 10])
    return {"name": name, "id_number": valid_id(seq=f"{n:02d}{digit}"), "sex": sex}


ROSTER_DEFAULTS: dict[str, Any] = {
    "training_type": "技能提升",
    "occupation": "电工",
    "level": "四级/中级工",
    "start_date": "2024-05-06",
    "end_date": "2024-05-15",
}
ROSTER_HEADER_ROW = list(ROSTER_HEADERS.values())


def roster_row(n: int = 1, **changes: Any) -> list[Any]:
    """A valid row for trainee ``n`` in ``ROSTER_HEADERS`` order, with only the named fields changed."""
    unknown = set(changes) - set(ROSTER_HEADERS)
    assert not unknown, f"unknown roster fields {unknown}"
    values = {**person(n, changes.get("sex", "男")), **ROSTER_DEFAULTS, **changes}
    return [values[key] for key in ROSTER_HEADERS]


def roster_sheet(*rows: list[Any], header: Sequence[str] = ROSTER_HEADER_ROW) -> list[list[Any]]:
    """A roster sheet: header on row 1, then the rows (default: one valid trainee)."""
    return [list(header), *(rows or [roster_row()])]


# -- writing input files -----------------------------------------------------------------------
def _cell_ref(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = "".join(ch for ch in ref if ch.isdigit())
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


def _write_cell(sheet: Any, r: int, c: int, value: Any, date_fmt: Any) -> None:
    if value is None:
        return
    if isinstance(value, Formula):
        sheet.write_formula(r, c, value.formula, None, value.cached)
    elif isinstance(value, Error):
        sheet.write_formula(r, c, "=NA()" if value.value == "#N/A" else "=1/0", None, value.value)
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(r, c, value, date_fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date_fmt)
    elif isinstance(value, str):
        sheet.write_string(r, c, value)
    else:
        raise TypeError(f"cannot write {value!r}")


def write_xlsx(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    *,
    merged: dict[str, list[str]] | None = None,
    hidden_rows: dict[str, list[int]] | None = None,
    hidden_sheets: Iterable[str] = (),
) -> Path:
    """Write a real .xlsx. ``merged`` ranges ("A1:H1") and ``hidden_rows`` (Excel row numbers) per sheet."""
    import xlsxwriter

    hidden = set(hidden_sheets)
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    handles = {}
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        handles[name] = sheet
        ranges = [tuple(_cell_ref(part) for part in ref.split(":")) for ref in (merged or {}).get(name, [])]
        # As in Excel, only the top-left cell of a merged range keeps a value.
        covered = {
            (r, c)
            for (r1, c1), (r2, c2) in ranges
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
            if (r, c) != (r1, c1)
        }
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (r, c) not in covered:
                    _write_cell(sheet, r, c, value, date_fmt)
        for (r1, c1), (r2, c2) in ranges:
            top_left = rows[r1][c1] if r1 < len(rows) and c1 < len(rows[r1]) else None
            sheet.merge_range(r1, c1, r2, c2, "")
            _write_cell(sheet, r1, c1, top_left, date_fmt)
        for excel_row in (hidden_rows or {}).get(name, []):
            sheet.set_row(excel_row - 1, None, None, {"hidden": True})
    visible = [n for n in sheets if n not in hidden]
    assert visible, "a workbook needs one visible sheet"
    handles[visible[0]].activate()
    for name in hidden:
        handles[name].hide()
    book.close()
    return path


def write_xls(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """Write a real old-format .xls (BIFF8) with xlwt: numbers as number cells, dates as date cells."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, date_style)
                elif value is not None:
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    text_rows = [["" if v is None else str(v) for v in row] for row in rows]
    csv.writer(buffer, lineterminator="\r\n").writerows(text_rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def make_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """``make_xlsx({"花名册": [[...], ...]}, name=..., merged=..., hidden_rows=..., hidden_sheets=...)``."""

    def make(sheets: dict[str, list[list[Any]]], name: str = "batch.xlsx", **options: Any) -> Path:
        return write_xlsx(tmp_path / name, sheets, **options)

    return make


@pytest.fixture
def make_csv(tmp_path: Path) -> Callable[..., Path]:
    """``make_csv(rows, encoding="utf-8"|"utf-8-sig"|"gbk", name="花名册.csv")``."""

    def make(rows: list[list[Any]], encoding: str = "utf-8", name: str = "花名册.csv") -> Path:
        return write_csv(tmp_path / name, rows, encoding)

    return make


# -- running the CLI ---------------------------------------------------------------------------
def full_ids(text: str) -> set[str]:
    """Every checksum-valid 18-character ID number in a text (what masking must hide)."""
    import re

    found = set()
    for match in re.finditer(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])", text):
        value = match.group(0).upper()
        if ric.calc_check_digit(value[:17] + "0") == value[17]:
            found.add(value)
    return found


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``skillcli`` in-process with the given arguments; returns exit code, stdout and stderr."""
    from skillcli.cli.app import main

    def run(*args: object) -> Result:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        else:
            code = 0
        out, err = capsys.readouterr()
        if "--show-ids" not in [str(a) for a in args]:
            leaked = full_ids(out + err)
            assert not leaked, f"full ID numbers on screen without --show-ids: {sorted(leaked)[:3]}"
        return Result(code, out, err)

    return run


@pytest.fixture
def check_json(run_cli: Callable[..., Result]) -> Callable[..., Result]:
    """``skillcli check FILES --json --period 2024-06`` plus any extra arguments."""

    def run(*args: object) -> Result:
        return run_cli("check", *args, "--json", "--period", PERIOD)

    return run


def findings(result: Result | dict[str, Any]) -> list[tuple[int | None, str, str]]:
    """The JSON findings flattened to (Excel row, column as written, code)."""
    payload = result.json if isinstance(result, Result) else result
    return [(f["row"], f["column"], f["code"]) for f in payload["findings"]]


def codes(result: Result) -> set[str]:
    return {f["code"] for f in result.json["findings"]}


def by_code(result: Result, code: str) -> list[tuple[int | None, str, str]]:
    return [f for f in findings(result) if f[2] == code]


# -- ledgers: SQLite and a real PostgreSQL server ----------------------------------------------
@pytest.fixture(scope="session")
def postgres_server() -> Any:
    from tests.support.postgres import PostgresServer

    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A ledger not yet initialised: a SQLite path with no file, or a new, empty PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite")
    server = request.getfixturevalue("postgres_server")
    return str(server.url())


@pytest.fixture
def ledger_url(blank_ledger_url: str) -> str:
    """A fresh ledger, initialised and empty (only ``skillcli ledger init`` creates ledgers)."""
    from skillcli.ledger.store import Ledger

    Ledger.open(blank_ledger_url).migrate()
    return blank_ledger_url


@pytest.fixture(autouse=True)
def _no_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ledger or settings file of the machine running the tests leaks into them."""
    monkeypatch.delenv("SKILLCLI_LEDGER", raising=False)
    monkeypatch.delenv("SKILLCLI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".user-config"))


# -- the catalogue is emitted in full ------------------------------------------------------------
# STYLE principle 4: a code that no test makes the program emit is either dead or untested. Every
# finding is built by ``skillcli.findings.emit``/``from_rows`` (or a voucher reason), which announce
# their codes as an audit event; a full run (no -k, -m or file selection) fails at the end when a
# catalogued code was never emitted.
EMITTED: set[str] = set()
# The hook sees every audit event of the process (file opens, imports …): it compares a plain string.
EMITTED_EVENT = "skillcli.findings.emitted"


def _record_codes(event: str, args: tuple[Any, ...]) -> None:
    if event == EMITTED_EVENT:
        EMITTED.update(args[0])


def pytest_configure(config: pytest.Config) -> None:
    import sys

    import skillcli.findings

    assert skillcli.findings.EMITTED_EVENT == EMITTED_EVENT
    sys.addaudithook(_record_codes)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from skillcli.findings import CATALOGUE

    config = session.config
    # ``lf`` exists only with the cache plugin (the suite is also run with -p no:cacheprovider).
    whole = not config.option.keyword and not config.option.markexpr and not getattr(config.option, "lf", False)
    whole = whole and all(Path(a).resolve() == Path(__file__).resolve().parent for a in config.args)
    if not whole or exitstatus != 0:
        return
    never = sorted(set(CATALOGUE) - EMITTED)
    if never:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"catalogued finding codes that no test made skillcli emit: {never}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
