"""What reaches the terminal and the log: no control character obeyed, no password, no full ID.

Names come from other people's files (file names, sheet names, cells); ledger URLs come from
configuration that may carry a password. Every one of them is shown through ``text.shown`` and
``ledger.store.describe``; these tests feed hostile values in through the CLI and read the screen,
the log, the manifest and the JSON back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import PERIOD, Result
from tests.support.ids import valid_id
from tests.support.rawzip import PARTS, roster_xml, write_zip
from tests.support.rosters import ROSTER_HEADER_ROW, roster_row
from tests.support.workbooks import write_xlsx

UNSHOWABLE = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\x00")


def assert_nothing_obeyed(*texts: str) -> None:
    for text in texts:
        for char in UNSHOWABLE:
            assert char not in text, repr(char)


def sheet_named(path: Path, name: str) -> Path:
    workbook = PARTS["xl/workbook.xml"].replace('name="花名册"', f'name="{name}"')
    members = {**PARTS, "xl/workbook.xml": workbook, "xl/worksheets/sheet1.xml": roster_xml()}
    return write_zip(path, {k: v.encode() for k, v in members.items()})


def test_exposure__control_characters_in_a_sheet_name_are_shown_not_obeyed(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    # Character references put C1 controls (CSI, NEL) and a BIDI override into the sheet name.
    path = sheet_named(tmp_path / "sheet.xlsx", "花名册&#155;2J&#8238;&#x85;")
    log = tmp_path / "run.log"
    result = run_cli("--log-file", log, "check", path, "--period", PERIOD, "--json")
    assert result.code == 0, result.stderr
    logged = log.read_text(encoding="utf-8")
    assert_nothing_obeyed(result.stderr, result.stdout, logged)
    assert "花名册\\x9b2J\\u202e\\x85" in result.stderr
    assert "花名册\\x9b2J\\u202e\\x85" in logged
    # ESC itself is not a legal XML character: the structure scan cannot read such a workbook,
    # so it is refused whole (the reader alone would have accepted it), in one clean line.
    escaped = sheet_named(tmp_path / "esc.xlsx", "花名册&#27;]0;pwned&#7;")
    refused = run_cli("--log-file", log, "check", escaped, "--period", PERIOD)
    assert refused.code == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert_nothing_obeyed(refused.stderr, log.read_text(encoding="utf-8"))


def test_exposure__an_escape_in_a_file_name_is_shown_not_obeyed(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    path = write_xlsx(tmp_path / "roster\x1b[31m\u202eRED.xlsx", {"花名册": [list(ROSTER_HEADER_ROW), roster_row(1)]})
    log = tmp_path / "run.log"
    result = run_cli(
        "--log-file", log, "payout", path, "--policy", "suzhou-2019", "--period", PERIOD, "--out", tmp_path / "out"
    )
    assert result.code == 0, result.stderr
    assert_nothing_obeyed(result.stdout, log.read_text(encoding="utf-8"))
    assert "roster\\x1b[31m\\u202eRED.xlsx" in result.stdout
    # An unreadable file's one-line error is cleaned the same way, on screen and in the log.
    broken = tmp_path / "bad\x1b]2;title\x07.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    failed = run_cli("--log-file", log, "check", broken, "--period", PERIOD)
    assert failed.code == 2
    assert_nothing_obeyed(failed.stderr, log.read_text(encoding="utf-8"))
    assert "bad\\x1b]2;title\\x07.xlsx" in failed.stderr
    assert "bad\\x1b]2;title\\x07.xlsx" in log.read_text(encoding="utf-8")


def test_exposure__ids_and_accounts_written_with_separators_are_masked(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    ident = valid_id(seq="011")
    spaced = f"{ident[:6]} {ident[6:14]} {ident[14:]}"
    dashed = f"{ident[:6]}-{ident[6:14]}-{ident[14:]}"
    typo = ident[:2] + "O" + ident[3:]
    account = "6222 0212 3456 7890 12A"
    rows = [[*ROSTER_HEADER_ROW, "银行账号"]]
    for n, value in enumerate([spaced, dashed, typo], start=1):
        rows.append([*roster_row(n, id_number=value), "6222021234567890123"])
    # A spaced account is not digits only: its finding quotes it, masked.
    rows.append([*roster_row(4), account])
    path = write_xlsx(tmp_path / "ids.xlsx", {"花名册": rows})
    result = run_cli("check", path, "--period", PERIOD, "--json", "--limit", "100")
    shown = result.stdout + result.stderr
    for secret in (spaced, dashed, typo, account, ident[6:14]):
        assert secret not in shown, secret
    assert f"{typo[:6]}********{typo[14:]}" in shown
    # The files written for the clerk keep them whole: masking is for screens and logs.
    run_cli("check", path, "--period", PERIOD, "--out", tmp_path / "out")
    written = (tmp_path / "out" / "exceptions.csv").read_text(encoding="utf-8-sig")
    assert typo in written and account in written


SECRET_URLS = [
    ("postgresql://skillcli:p@ss:w0rd@{host}/{db}", ["p@ss:w0rd", "ss:w0rd", "w0rd"]),
    ("postgresql://skillcli:p%40ss%3AzQ9k@{host}/{db}", ["p%40ss", "p@ss", "zQ9k"]),
    ("postgresql://skillcli@{host}/{db}?password=qu3ry-secret&sslmode=disable", ["qu3ry-secret"]),
    (
        "postgresql://skillcli@{host}/{db}?sslpassword=ssl-secret&passfile=%2Ftmp%2Fpass-file",
        ["ssl-secret", "pass-file"],
    ),
]


@pytest.mark.parametrize(("template", "secrets"), SECRET_URLS)
def test_exposure__no_password_on_screen_in_logs_or_errors(
    template: str, secrets: list[str], tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    # Nothing listens on port 1: the ledger cannot be reached, and the message says so without
    # any piece of the password, whichever way the URL carried it.
    url = template.format(host="127.0.0.1:1", db="ledger")
    log = tmp_path / "run.log"
    result = run_cli("--log-file", log, "ledger", "status", "--ledger", url)
    assert result.code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "127.0.0.1:1/ledger" in result.stderr
    for secret in secrets:
        assert secret not in result.stderr + log.read_text(encoding="utf-8"), secret


@pytest.mark.parametrize(("template", "secrets"), SECRET_URLS[1:])
def test_exposure__no_password_in_manifest_or_json(
    template: str, secrets: list[str], tmp_path: Path, run_cli: Callable[..., Result], postgres_server: object
) -> None:
    # The test server trusts every local connection, so the password is ignored and the run commits.
    plain = str(postgres_server.url())  # type: ignore[attr-defined]
    host_db = plain.split("@", 1)[1]
    url = template.format(host=host_db.split("/", 1)[0], db=host_db.split("/", 1)[1])
    path = write_xlsx(tmp_path / "roster.xlsx", {"花名册": [list(ROSTER_HEADER_ROW), roster_row(1)]})
    log = tmp_path / "run.log"
    init = run_cli("ledger", "init", "--ledger", url)
    assert init.code == 0, init.stderr
    paid = run_cli(
        "--log-file",
        log,
        "payout",
        path,
        "--policy",
        "suzhou-2019",
        "--period",
        PERIOD,
        "--out",
        tmp_path / "out",
        "--commit",
        "--ledger",
        url,
        "--json",
    )
    assert paid.code == 0, paid.stderr
    status = run_cli("ledger", "status", "--ledger", url, "--json")
    vouchers = run_cli("vouchers", "status", "--ledger", url, "--json")
    assert vouchers.code == 0, vouchers.stderr
    manifest = (tmp_path / "out" / "manifest.json").read_text(encoding="utf-8")
    assert json.loads(manifest)["ledger"]["ledger"].startswith("postgresql://skillcli@")
    seen = init.stdout + init.stderr + paid.stdout + paid.stderr + status.stdout + vouchers.stdout + manifest + log.read_text(encoding="utf-8")
    assert "postgresql://skillcli@" in vouchers.stdout
    for secret in secrets:
        assert secret not in seen, secret


def test_exposure__markup_in_a_value_or_file_name_is_text_not_a_hyperlink(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    link = "[link=https://evil.example]点我[/link]"
    rows = [list(ROSTER_HEADER_ROW), roster_row(1, name=f"{link}张三1"), roster_row(2)]
    path = write_xlsx(tmp_path / "[blink]花名册.xlsx", {"花名册": rows})
    # A terminal, as far as Rich can tell: colours are on, and so would be hyperlinks (OSC 8).
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "200"}
    env.pop("NO_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-m", "skillcli", "check", str(path), "--period", PERIOD],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr  # name.has-digits is a warning
    assert "\x1b]8;" not in done.stdout + done.stderr  # no hyperlink escape
    assert "[link=https://evil.example]" in done.stdout and "[blink]花名册.xlsx" in done.stdout
