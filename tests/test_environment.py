"""Paths and the machine: skillcli replaces only what it creates, and a failing environment exits 2.

Exit codes mean one thing each: 2 usage, unreadable input or a failing environment (a full disk,
a read-only folder, ``--out`` onto a file, a corrupt or newer ledger), 3 only a control total that
does not balance, 4 a lock held by another run (a SQLite reader waiting on a commit included).
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import PERIOD, Result
from tests.support.rosters import ROSTER_HEADER_ROW, roster_row
from tests.support.workbooks import write_csv, write_xlsx


def one_line(result: Result, code: int, *fragments: str) -> str:
    """Exit ``code`` with exactly one line on stderr (commands are run with --quiet where they print
    a summary before they fail)."""
    assert result.code == code, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert all(f in lines[0] for f in fragments), lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "roster.xlsx", {"花名册": [list(ROSTER_HEADER_ROW), roster_row(1)]})


def pay(run_cli: Callable[..., Result], roster: Path, out: Path, *extra: object) -> Result:
    return run_cli("payout", roster, "--policy", "suzhou-2019", "--period", PERIOD, "--out", out, "--quiet", *extra)


# -- paths --------------------------------------------------------------------------------------------
def test_environment__only_our_own_temporary_files_are_cleaned(
    tmp_path: Path, roster: Path, run_cli: Callable[..., Result]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    theirs = [out / ".backup.tmp", out / ".payouts.csv.abc123.tmp", out / ".skillcli~notes.tmp"]
    for path in theirs:
        path.write_text("the clerk's", encoding="utf-8")
    ours = out / ".skillcli~payouts.csv.k2j4h5g6.tmp"  # what a run killed before its renames leaves
    ours.write_text("half a file", encoding="utf-8")
    assert pay(run_cli, roster, out).code == 0
    assert all(p.read_text(encoding="utf-8") == "the clerk's" for p in theirs)
    assert not ours.exists()
    assert [p for p in out.iterdir() if p.name.startswith(".skillcli~")] == [theirs[2]]


def test_environment__out_onto_a_file_or_a_device_is_refused(
    tmp_path: Path, roster: Path, run_cli: Callable[..., Result]
) -> None:
    existing = tmp_path / "report.txt"
    existing.write_text("keep", encoding="utf-8")
    one_line(run_cli("check", roster, "--period", PERIOD, "--out", existing, "-q"), 2, "--out")
    assert existing.read_text(encoding="utf-8") == "keep"
    one_line(pay(run_cli, roster, Path("/dev/null")), 2, "--out")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    # A command whose --out is one file: a FIFO (or device) of that name is not replaced.
    fifo = tmp_path / "模板.xlsx"
    os.mkfifo(fifo)
    one_line(run_cli("template", "--policy", "suzhou-2019", "--out", fifo), 2, "不是普通文件")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_environment__an_input_inside_out_is_never_overwritten(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    source = write_csv(out / "payouts.csv", [list(ROSTER_HEADER_ROW), roster_row(1)])
    before = source.read_bytes()
    result = run_cli(
        "payout", source, "--policy", "suzhou-2019", "--period", PERIOD, "--out", out, "--lang", "en", "-q"
    )
    one_line(result, 2, "is an input of this run")
    assert source.read_bytes() == before
    assert not (out / "payouts.xlsx").exists()  # nothing half-written either


# -- a failing machine exits 2 with one line ------------------------------------------------------------
def test_environment__a_full_disk_exits_2(
    tmp_path: Path, roster: Path, run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    out = tmp_path / "out"
    one_line(pay(run_cli, roster, out), 2, os.strerror(errno.ENOSPC), str(out))
    assert not [p for p in out.iterdir() if p.name != ".skillcli.lock"]


def test_environment__a_read_only_folder_exits_2(
    tmp_path: Path, roster: Path, run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    # Tests run as root, for whom chmod 555 does not stop a write: the refusal is simulated where
    # the file system would give it.
    def read_only(*_args: object, **_kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    one_line(run_cli("check", roster, "--period", PERIOD, "--out", tmp_path / "out", "-q"), 2, os.strerror(errno.EROFS))


def test_environment__a_corrupt_ledger_exits_2(tmp_path: Path, roster: Path, run_cli: Callable[..., Result]) -> None:
    ledger = tmp_path / "ledger.sqlite"
    ledger.write_bytes(b"this is not a database" * 100)
    one_line(run_cli("ledger", "status", "--ledger", ledger), 2, str(ledger))
    one_line(pay(run_cli, roster, tmp_path / "out", "--commit", "--ledger", ledger), 2, str(ledger))
    assert ledger.read_bytes() == b"this is not a database" * 100


def test_environment__a_newer_ledger_says_so(tmp_path: Path, roster: Path, run_cli: Callable[..., Result]) -> None:
    from skillcli.ledger.schema import LATEST

    ledger = tmp_path / "ledger.sqlite"
    assert run_cli("ledger", "init", "--ledger", ledger).code == 0
    with sqlite3.connect(ledger) as conn:
        conn.execute(
            "INSERT INTO schema_version (version, applied_at, description) VALUES (?, '2030-01-01', 'future')",
            (LATEST + 1,),
        )
    english = pay(run_cli, roster, tmp_path / "out", "--commit", "--ledger", ledger, "--lang", "en")
    one_line(english, 2, "this ledger was written by a newer skillcli")
    one_line(run_cli("ledger", "runs", "--ledger", ledger), 2, "由更新版本的 skillcli 写入")
    one_line(run_cli("ledger", "migrate", "--ledger", ledger), 2, "由更新版本的 skillcli 写入")


def test_environment__a_reader_waiting_on_a_sqlite_commit_exits_4(
    tmp_path: Path, roster: Path, run_cli: Callable[..., Result]
) -> None:
    ledger = tmp_path / "ledger.sqlite"
    assert run_cli("ledger", "init", "--ledger", ledger).code == 0
    holder = sqlite3.connect(ledger, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # a commit in progress: readers wait, then give up
        one_line(run_cli("ledger", "runs", "--ledger", ledger), 4, "另一个进程")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run_cli("ledger", "runs", "--ledger", ledger).code == 0


# -- the same limits on both databases -----------------------------------------------------------------
def test_environment__the_checked_lengths_are_the_schemas() -> None:
    from skillcli.ledger import limits
    from skillcli.schema import lengths

    assert lengths.INPUT_LIMITS == limits.INPUT_LIMITS


def test_environment__values_too_long_for_the_ledger_are_findings_on_both_databases(
    tmp_path: Path, ledger_url: str, run_cli: Callable[..., Result]
) -> None:
    from tests.support.ledger import payout
    from tests.support.rosters import PAYOUT_HEADER, payout_row

    def trainee(
        n: int, name: str = "", occupation: str = "车工", unit: str = "", account: str = "", holder: str = "张三"
    ):
        line = payout_row(
            n, name or f"学员{'甲乙丙丁戊己庚'[n - 1]}", "岗前培训", occupation, "无等级", "2021-05-01", "2021-05-10"
        )
        line[3] = unit or line[3]
        return [*line, account or "6222021234567890123", holder]

    rows = [
        [*PAYOUT_HEADER, "银行账号", "户名"],
        trainee(1, name="张" * 61),
        trainee(2, occupation="车" * 101),
        trainee(3, unit="厂" * 201),
        trainee(4, account="6" * 41),
        trainee(5, holder="户" * 61),
        trainee(6, name="张" * 60, occupation="车" * 100, unit="厂" * 200, account="6" * 40, holder="户" * 60),
        trainee(7),
    ]
    path = write_xlsx(tmp_path / "long.xlsx", {"花名册": rows})
    checked = run_cli("check", path, "--period", "2021-06", "--json")
    too_long = [(f["row"], f["column"]) for f in checked.json["findings"] if f["code"] == "value.too-long"]
    # Row 7 sits exactly at every limit: not a finding.
    assert too_long == [(2, "姓名"), (3, "职业(工种)"), (4, "单位名称"), (5, "银行账号"), (6, "户名")]
    paid = payout(run_cli, path, tmp_path / "out", ledger_url, "--json", "--commit")
    assert paid.code == 1, paid.stderr
    assert "INSERT" not in paid.stderr and "VARCHAR" not in paid.stderr.upper()
    # Rows 2-6 are held back by their length; row 7, at the limits, by other checks of its odd values.
    assert paid.json["counts"]["exception"] == 6
    committed = run_cli("ledger", "runs", "--ledger", ledger_url, "--json").json["runs"]
    assert len(committed) == 1 and committed[0]["line_count"] == paid.json["counts"]["paid"] == 1


# -- integrity -------------------------------------------------------------------------------------------
def test_environment__a_run_killed_after_its_commit_is_regenerated_from_the_ledger(
    tmp_path: Path, make_xlsx: Callable[..., Path], ledger_url: str, run_cli: Callable[..., Result]
) -> None:
    import signal

    import openpyxl

    from tests.support.ledger import cli_args, month_one, payout
    from tests.support.processes import fault, spawn, wait_for

    batch = month_one(make_xlsx)
    assert run_cli("ledger", "init", "--ledger", ledger_url).code == 0
    # The reference: the same batch paid in a dry run, whose outputs are what the run would have written.
    reference = tmp_path / "reference"
    assert payout(run_cli, batch, reference, ledger_url, "-q").code == 0
    env = fault(tmp_path, "outputs-commit")  # after the ledger commit, before the renames
    victim = spawn(cli_args(batch, tmp_path / "lost", ledger_url), env)
    wait_for(Path(env["SKILLCLI_FAULT_MARKER"]))
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)
    assert not (tmp_path / "lost" / "payouts.xlsx").exists()
    (run,) = run_cli("ledger", "runs", "--ledger", ledger_url, "--json").json["runs"]

    out = tmp_path / "again"
    shown = run_cli("ledger", "show", run["run_id"], "--out", out, "--ledger", ledger_url, "--json")
    assert shown.code == 0, shown.stderr
    assert (out / "payouts.csv").read_bytes() == (reference / "payouts.csv").read_bytes()
    original = list(openpyxl.load_workbook(reference / "payouts.xlsx")["明细"].iter_rows(values_only=True))
    again = list(openpyxl.load_workbook(out / "payouts.xlsx")["明细"].iter_rows(values_only=True))
    calc = original[0].index("计算")
    assert [r[:calc] + r[calc + 1 :] for r in again] == [r[:calc] + r[calc + 1 :] for r in original]
    assert all(r[calc] is None for r in again[1:])  # not stored, so not invented
    about = list(openpyxl.load_workbook(out / "payouts.xlsx")["说明"].iter_rows(values_only=True))
    assert ("台账批次", run["run_id"]) in about
    missing = " ".join(str(value) for label, value in about if label == "台账未存、未重新生成")
    assert "计算" in missing and "exceptions.csv" in missing
    manifest = shown.json["regenerated"]
    assert (
        manifest["run"]["inputs"][0]["sha256"]
        == json.loads((reference / "manifest.json").read_text())["inputs"][0]["sha256"]
    )
    one_line(run_cli("ledger", "show", "R20000101-000000-0000", "--ledger", ledger_url), 2, "R20000101-000000-0000")


def test_environment__the_manifest_hashes_the_bytes_that_were_read(
    tmp_path: Path, roster: Path, run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    import skillcli.payout.decide

    read = roster.read_bytes()
    real_decide = skillcli.payout.decide.decide

    def replace_then_decide(*args: object, **kwargs: object) -> object:
        # The file is swapped for another after it was read, before the decision is written up.
        write_xlsx(roster, {"花名册": [list(ROSTER_HEADER_ROW), roster_row(2)]})
        return real_decide(*args, **kwargs)

    monkeypatch.setattr(skillcli.payout.decide, "decide", replace_then_decide)
    assert pay(run_cli, roster, tmp_path / "out").code == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert roster.read_bytes() != read
    assert manifest["inputs"][0]["sha256"] == hashlib.sha256(read).hexdigest()


def test_environment__export_bank_cleans_only_its_own_files_and_refuses_a_fifo(
    tmp_path: Path, make_xlsx: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    from tests.support.cycle import cycle

    ledger = str(tmp_path / "ledger.sqlite")
    ids = cycle(run_cli, make_xlsx, tmp_path, ledger)
    bank = tmp_path / "bank"
    bank.mkdir()
    theirs = bank / ".draft.xlsx.tmp"
    theirs.write_text("the clerk's", encoding="utf-8")
    fifo = bank / "代发.xlsx"
    os.mkfifo(fifo)
    refused = run_cli("export-bank", ids["june"], "--out", fifo, "--ledger", ledger, "-q")
    # export-bank warns (even with -q) that [payer] is not configured; the failure is the last line.
    assert refused.code == 2 and "Traceback" not in refused.stderr
    assert "不是普通文件" in refused.stderr.strip().splitlines()[-1]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    written = run_cli("export-bank", ids["june"], "--out", bank / "代发202106.xlsx", "--ledger", ledger)
    assert written.code in (0, 1), written.stderr
    assert (bank / "代发202106.xlsx").is_file()
    assert theirs.read_text(encoding="utf-8") == "the clerk's"


def test_environment__a_report_never_replaces_the_ledger(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    ledger = tmp_path / "ledger.xlsx"  # a SQLite ledger, named like the report the clerk asked for
    assert run_cli("ledger", "init", "--ledger", ledger).code == 0
    before = ledger.read_bytes()
    result = run_cli("report", "year", "2021", "--out", ledger, "--ledger", ledger, "-q", "--lang", "en")
    one_line(result, 2, "is an input of this run")
    assert ledger.read_bytes() == before
