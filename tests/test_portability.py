"""The machines clerks use: Windows paths, code page 936 consoles, and a lock that works without fcntl.

Windows itself is checked statically (``mypy --platform win32`` in ``make types``); these tests run
the same code paths on this machine: a folder named the way a district office names folders, a
console whose encoding cannot hold every character of a roster, and the output-directory lock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from filelock import FileLock

from tests.support.rosters import PAYOUT_HEADER, payout_row
from tests.support.workbooks import read_csv, write_xlsx

# One 岗前培训 trainee: A5 pays the enterprise 300 元 (S2c 二(四)1).
ONE_ROW = [PAYOUT_HEADER, payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10")]


def payout_args(batch: Path, out: Path) -> list[object]:
    return ["payout", batch, "--policy", "suzhou-2019", "--period", "2021-06", "--out", out]


def test_paths__chinese_characters_and_spaces_in_input_and_output_folders(run_cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "区 人社局 2021年"
    folder.mkdir()
    batch = write_xlsx(folder / "6月 花名册（第一批）.xlsx", {"花名册": ONE_ROW})
    out = folder / "发放 结果"
    result = run_cli(*payout_args(batch, out))
    assert result.code == 0, result.stderr
    lines = read_csv(out / "payouts.csv")
    assert [(line["rule"], line["amount_yuan"]) for line in lines] == [("A5", "300.00")]
    book = openpyxl.load_workbook(out / "payouts.xlsx")
    detail = book["明细"]
    header = [c.value for c in detail[1]]
    assert detail.cell(2, header.index("本次发放") + 1).value == 300
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"][0]["path"] == str(batch)
    # The ledger too: a SQLite file under the same folder (its URL built from a path with spaces).
    ledger = folder / "补贴 台账.sqlite"
    assert run_cli("ledger", "init", "--ledger", ledger).code == 0  # only ledger init creates one
    committed = run_cli(*payout_args(batch, folder / "已入账"), "--commit", "--ledger", ledger)
    assert committed.code == 0, committed.stderr
    status = run_cli("ledger", "status", "--ledger", ledger)
    assert status.code == 0 and "300.00" in status.stdout


def test_lock__an_output_folder_in_use_by_another_run_is_exit_4(run_cli: Any, tmp_path: Path) -> None:
    batch = write_xlsx(tmp_path / "batch.xlsx", {"花名册": ONE_ROW})
    out = tmp_path / "out"
    out.mkdir()
    # Another run holds the lock: the same cross-platform lock skillcli takes, on its own descriptor.
    with FileLock(out / ".skillcli.lock"):
        held = run_cli(*payout_args(batch, out))
    assert held.code == 4, held.stderr
    assert "正被另一个 skillcli 进程使用" in held.stderr and not (out / "payouts.csv").exists()
    after = run_cli(*payout_args(batch, out))
    assert after.code == 0, after.stderr
    assert (out / "payouts.csv").exists()


def test_lock__a_lock_file_that_is_a_symlink_is_refused_and_not_followed(run_cli: Any, tmp_path: Path) -> None:
    batch = write_xlsx(tmp_path / "batch.xlsx", {"花名册": ONE_ROW})
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "important.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    for target in (victim, elsewhere / "not-yet-there"):
        link = out / ".skillcli.lock"
        link.unlink(missing_ok=True)
        link.symlink_to(target)
        result = run_cli(*payout_args(batch, out))
        assert result.code == 2, result.stderr
        assert ".skillcli.lock" in result.stderr and "symbolic link" not in result.stderr  # zh by default
        # The batch was read and summarised; the run then stops with one line, before writing anything.
        assert "符号链接" in result.stderr.strip().splitlines()[-1] and "Traceback" not in result.stderr
        assert not (out / "payouts.csv").exists()
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert not (elsewhere / "not-yet-there").exists()
    assert sorted(p.name for p in out.iterdir()) == [".skillcli.lock"]


def run_in_code_page_936(args: list[object], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """skillcli in a child process whose stdout and stderr are encoded as GBK, as on a Chinese Windows
    console redirected to a file or pipe; strict, the harshest error handler, on both."""
    env = {**os.environ, "PYTHONIOENCODING": "cp936:strict", "PYTHONUTF8": "0"}
    return subprocess.run(
        [sys.executable, "-m", "skillcli", *map(str, args)], cwd=cwd, env=env, capture_output=True, check=False
    )


def test_console__code_page_936_survives_names_outside_gbk(tmp_path: Path) -> None:
    # 𠀀 (U+20000) and 😀 have no GBK encoding; a name with a digit is reported with its value.
    names = ("王𠀀", "李😀3")
    rows = [
        PAYOUT_HEADER,
        *(
            payout_row(n, name, "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10")
            for n, name in enumerate(names, 1)
        ),
    ]
    batch = write_xlsx(tmp_path / "batch.xlsx", {"花名册": rows})

    screen = run_in_code_page_936(["check", batch, "--period", "2021-06"], tmp_path)
    stderr, stdout = screen.stderr.decode("gbk"), screen.stdout.decode("gbk")
    assert screen.returncode == 0, stderr
    assert "UnicodeEncodeError" not in stderr and "含数字" in stdout
    assert "李\\U0001f6003" in stdout  # the character it cannot show, escaped instead of crashing

    as_json = run_in_code_page_936(["check", batch, "--period", "2021-06", "--json"], tmp_path)
    assert as_json.returncode == 0, as_json.stderr.decode("gbk")
    # --json is UTF-8 whatever the console: the value arrives whole, not as '?'.
    payload = json.loads(as_json.stdout.decode("utf-8"))
    assert [f["value"] for f in payload["findings"] if f["code"] == "name.has-digits"] == ["李😀3"]

    paid = run_in_code_page_936([*payout_args(batch, tmp_path / "out"), "--json"], tmp_path)
    assert paid.returncode == 0, paid.stderr.decode("gbk")
    assert sorted(line["name"] for line in read_csv(tmp_path / "out" / "payouts.csv")) == sorted(names)

    version = run_in_code_page_936(["--version"], tmp_path)
    assert version.returncode == 0 and version.stdout.decode("gbk").startswith("skillcli ")


def test_outputs__a_workbook_open_in_wps_or_excel_is_one_line_and_exit_4(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = write_xlsx(tmp_path / "batch.xlsx", {"花名册": ONE_ROW})
    out = tmp_path / "out"
    real_replace = os.replace

    def replace_as_windows_does(source: Any, target: Any) -> None:
        # Windows refuses to replace a file another program holds open (WinError 32 surfaces as PermissionError).
        if Path(target).name == "payouts.xlsx":
            raise PermissionError(13, "The process cannot access the file because it is being used", str(target))
        real_replace(source, target)

    first = run_cli(*payout_args(batch, out))
    assert first.code == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    # The clerk opens payouts.xlsx, adds a trainee and runs again into the same folder.
    write_xlsx(
        batch, {"花名册": [*ONE_ROW, payout_row(7, "周杰", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10")]}
    )
    monkeypatch.setattr("skillcli.io.writer.os.replace", replace_as_windows_does)
    result = run_cli(*payout_args(batch, out))
    assert result.code == 4, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert str(out / "payouts.xlsx") in last and "WPS/Excel" in last and "Traceback" not in result.stderr
    # The workbook is renamed first, so its failure leaves every previous output as it was.
    assert {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")} == before
    assert not list(out.glob(".*.tmp"))  # no temporary file left behind


def test_outputs__flushed_through_a_writable_handle_as_windows_requires(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import fcntl

    real_fsync = os.fsync

    def fsync_as_windows_does(fd: int) -> None:
        # Windows' fsync is FlushFileBuffers, which fails on a handle not opened for writing.
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
            raise OSError(errno.EBADF, "Bad file descriptor")
        real_fsync(fd)

    monkeypatch.setattr("skillcli.io.writer.os.fsync", fsync_as_windows_does)
    batch = write_xlsx(tmp_path / "batch.xlsx", {"花名册": ONE_ROW})
    paid = run_cli(*payout_args(batch, tmp_path / "payout"))
    assert paid.code == 0, paid.stderr
    checked = run_cli("check", batch, "--period", "2021-06", "--out", tmp_path / "check")
    assert checked.code == 0, checked.stderr
    assert (tmp_path / "payout" / "payouts.xlsx").stat().st_size > 0
    assert (tmp_path / "check" / "exceptions.csv").exists()
