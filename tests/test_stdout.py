"""Every command prints its result on stdout: ``skillcli payout … > report.txt`` holds the report.

Progress, notes, hints and the one-line error stay on stderr, and ``--json`` stays alone on stdout.
One SQLite ledger holds June's and July's runs of the payment cycle (tests/support/cycle.py); each
command runs against it through the CLI and its two streams are read: the result line on stdout,
nothing of the result on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.cycle import (
    JULY,
    JULY_CERTS,
    JUNE,
    JUNE_ATTENDANCE,
    JUNE_CERTS,
    SUPPLIED,
    accounts_csv,
    june_return,
    write_batch,
)
from tests.support.ids import person_id
from tests.support.rosters import ENTERPRISE
from tests.support.workbooks import write_xlsx


def _main(*args: object) -> None:
    from skillcli.cli.app import main

    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        assert exc.code in (0, 1, None), args


@pytest.fixture(scope="module")
def cycle_dir(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """June and July committed to one ledger, June exported to the bank: what the commands read."""
    root = tmp_path_factory.mktemp("cycle")

    def make(sheets: dict[str, list[list[Any]]], name: str) -> Path:
        return write_xlsx(root / name, sheets)

    ledger = str(root / "ledger.sqlite")
    june = write_batch(make, "june.xlsx", JUNE, JUNE_CERTS, JUNE_ATTENDANCE)
    july = write_batch(make, "july.xlsx", JULY, JULY_CERTS)
    _main("ledger", "init", "--ledger", ledger)
    suzhou = ("--policy", "suzhou-2019", "--ledger", ledger, *SUPPLIED)
    _main("payout", june, *suzhou, "--period", "2021-06", "--out", root / "june", "--commit")
    _main("payout", july, *suzhou, "--period", "2021-07", "--out", root / "july", "--commit")
    manifest = json.loads((root / "june" / "manifest.json").read_text(encoding="utf-8"))
    run = manifest["ledger"]["run_id"]
    accounts = accounts_csv(root / "accounts.csv")
    _main("export-bank", run, "--out", root / "代发.xlsx", "--ledger", ledger, "--accounts", accounts)
    return {"root": root, "ledger": ledger, "june": june, "july": july, "run": run, "return": june_return(make)}


JUNE_POLICY = ("--policy", "suzhou-2019", "--period", "2021-06", *SUPPLIED)
# command → (its arguments, given the cycle; the exit codes it may give; a line of its result)
COMMANDS: dict[str, tuple[Any, tuple[int, ...], str]] = {
    "check": (lambda c: ["check", c["june"], "--period", "2021-06"], (0, 1), "错误 "),
    "payout": (
        lambda c: ["payout", c["june"], *JUNE_POLICY, "--ledger", c["ledger"], "--out", c["root"] / "again"],
        (0, 1),
        "已写出",
    ),
    "explain": (
        lambda c: ["explain", person_id(1), c["june"], *JUNE_POLICY, "--ledger", c["ledger"]],
        (0, 1),
        "张伟",
    ),
    "diff": (lambda c: ["diff", c["june"], c["july"], "--out", c["root"] / "diff"], (0, 1), "已写出"),
    "ledger status": (lambda c: ["ledger", "status", "--ledger", c["ledger"]], (0,), "台账状态"),
    "ledger runs": (lambda c: ["ledger", "runs", "--ledger", c["ledger"]], (0,), "2021-07"),
    "ledger show": (lambda c: ["ledger", "show", c["run"], "--ledger", c["ledger"]], (0,), "run_id"),
    "ledger replay": (lambda c: ["ledger", "replay", c["run"], "--ledger", c["ledger"]], (0,), "重算结果逐分一致"),
    "export-bank": (
        lambda c: ["export-bank", c["run"], "--out", c["root"] / "again.xlsx", "--ledger", c["ledger"]],
        (0, 1),
        "此前已导出",
    ),
    "reconcile": (
        lambda c: ["reconcile", c["return"], "--out", c["root"] / "rec", "--ledger", c["ledger"], "--dry-run"],
        (0, 1),
        "试算（--dry-run）",
    ),
    "report": (lambda c: ["report", "month", "2021-06", "--ledger", c["ledger"]], (0,), "2021-06"),
    "simulate": (
        lambda c: ["simulate", "2021", "--ledger", c["ledger"], "--param", "shortage_multiplier=1.5"],
        (0,),
        "2021",
    ),
    "statement": (
        lambda c: [
            "statement",
            ENTERPRISE,
            "--year",
            "2021",
            "--out",
            c["root"] / "对账单.xlsx",
            "--ledger",
            c["ledger"],
        ],
        (0,),
        "已写出",
    ),
    "publish": (
        lambda c: [
            "publish",
            c["run"],
            "--out",
            c["root"] / "公示.xlsx",
            "--ledger",
            c["ledger"],
            "--period-text",
            "2021年7月1日至7月7日",
            "--contact",
            "王五 0512-66668888",
        ],
        (0,),
        "已写出",
    ),
    "template": (
        lambda c: ["template", "--policy", "suzhou-2019", "--out", c["root"] / "模板.xlsx"],
        (0,),
        "模板.xlsx",
    ),
    "rules list": (lambda c: ["rules", "list"], (0,), "suzhou-2019"),
    "rules show": (lambda c: ["rules", "show", "suzhou-2019"], (0,), "A8"),
    "rules check": (lambda c: ["rules", "check"], (0,), "suzhou-2019"),
    "rules test": (lambda c: ["rules", "test", "suzhou-2019"], (0,), "suzhou-2019"),
    "vouchers programs": (lambda c: ["vouchers", "programs"], (0,), "券"),
    "vouchers status": (lambda c: ["vouchers", "status", "--ledger", c["ledger"]], (0,), "培训券状态"),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_stdout__the_result_is_on_stdout_and_stderr_holds_none_of_it(
    command: str, cycle_dir: dict[str, Any], run_cli: Any
) -> None:
    args, codes, expected = COMMANDS[command]
    result = run_cli(*args(cycle_dir))
    assert result.code in codes, result.stdout + result.stderr
    assert expected in result.stdout, result.stdout
    # Nothing of the result on stderr: no line of stdout is repeated there.
    assert not set(result.stdout.splitlines()) & set(result.stderr.splitlines()) - {""}, result.stderr
    assert expected not in result.stderr


@pytest.mark.parametrize("command", ["payout", "diff", "ledger show", "ledger replay", "check"])
def test_stdout__json_stays_alone_on_stdout(command: str, cycle_dir: dict[str, Any], run_cli: Any) -> None:
    args, codes, expected = COMMANDS[command]
    result = run_cli(*args(cycle_dir), "--json")
    assert result.code in codes, result.stderr
    assert isinstance(json.loads(result.stdout), dict)
    assert expected in result.stderr  # the human summary went to stderr
