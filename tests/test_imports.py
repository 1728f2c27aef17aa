"""A command imports only what it needs (issue 16): start-up is most of a small batch's time.

Each case runs ``skillcli`` in a fresh interpreter on a real workbook, as a user does, and lists
the modules that were loaded. SQLAlchemy costs about 0.25 s to import and the rule engine and
xlsxwriter tens of milliseconds more; ``check`` needs none of them, and a payout dry run with no
ledger named needs no database layer. Hypothesis (installed with the development tools) is what
Pandera imports on its own for generating data: 0.1 s that no command needs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.rosters import roster_sheet

PROBE = """
import json, sys
from skillcli.cli.app import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stderr.write(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def loaded(*args: object, cwd: Path | None = None) -> tuple[int, set[str]]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *(str(a) for a in args)], capture_output=True, text=True, check=False, cwd=cwd
    )
    report = json.loads(run.stderr[run.stderr.rindex('{"code"') :])
    return report["code"], set(report["modules"])


def _tops(modules: set[str], *names: str) -> set[str]:
    return {m for m in modules if any(m == n or m.startswith(n + ".") for n in names)}


def test_check__loads_no_ledger_no_rule_engine_no_writer(make_xlsx: Any) -> None:
    batch = make_xlsx({"花名册": roster_sheet()})
    code, modules = loaded("check", batch, "--period", "2024-06")
    assert code == 0
    assert "skillcli.pipeline" in modules  # the probe saw the check run
    assert "pandera" in modules  # the roster was validated
    assert not _tops(
        modules,
        "sqlalchemy",
        "skillcli.ledger",
        "skillcli.rules",
        "xlsxwriter",
        "openpyxl",
        "skillcli.io.writer",
        "hypothesis",
    )


def _command_modules() -> set[str]:
    from skillcli.cli.app import COMMANDS

    return {module for module, _, _ in COMMANDS.values()}


def test_check__builds_no_other_command(make_xlsx: Any) -> None:
    # Typer builds each command's parameters through inspect, typing and pydantic: only the
    # invoked command's module is imported, so only its parameters are built.
    batch = make_xlsx({"花名册": roster_sheet()})
    code, modules = loaded("check", batch, "--period", "2024-06")
    assert code == 0
    assert "skillcli.cli.check" in modules
    assert not (_command_modules() - {"skillcli.cli.check"}) & modules


def test_help__builds_no_command_and_loads_no_pydantic() -> None:
    # ``--help`` lists the commands from the static table; pydantic comes in with typer's value
    # coercion (and Pandera), neither of which a help text needs.
    code, modules = loaded("--help")
    assert code == 0
    assert not _command_modules() & modules
    assert not _tops(modules, "pydantic", "rich", "polars", "skillcli.pipeline")


def test_group_command__builds_only_its_group(tmp_path: Path) -> None:
    # In tmp_path: ``ledger init`` records the new ledger in the skillcli.toml of the folder it runs in.
    code, modules = loaded("ledger", "init", tmp_path / "ledger.sqlite", cwd=tmp_path)
    assert code == 0
    assert (tmp_path / "ledger.sqlite").exists()
    assert not (_command_modules() - {"skillcli.cli.ledger"}) & modules


def test_check__pandera_without_hypothesis_leaves_hypothesis_importable() -> None:
    # Hypothesis is installed here (a development dependency), so the probe above proves the saving;
    # in-process, importing Pandera through skillcli must not stop a later ``import hypothesis``.
    code = (
        "import sys; from skillcli.schema.validate import pandera_polars; pandera_polars(); "
        "assert 'hypothesis' not in sys.modules; import hypothesis; print(hypothesis.__name__)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "hypothesis"


def test_check_out__loads_the_writer_but_no_ledger_or_rules(make_xlsx: Any, tmp_path: Path) -> None:
    batch = make_xlsx({"花名册": roster_sheet()})
    code, modules = loaded("check", batch, "--period", "2024-06", "--out", tmp_path / "out")
    assert code == 0
    assert (tmp_path / "out" / "exceptions.xlsx").exists()
    assert {"xlsxwriter", "skillcli.io.writer"} <= modules
    assert not _tops(modules, "sqlalchemy", "skillcli.ledger", "skillcli.rules")


def payout_sample(tmp_path: Path, *extra: object) -> tuple[int, set[str]]:
    """The modules a payout of the Suzhou sample batch loads, run in ``tmp_path`` (no settings)."""
    batch = SAMPLE / "district_batch.xlsx"
    argv = ("payout", batch, "--policy", "suzhou-2019", "--period", "2021-06", "--out", tmp_path / "out")
    code, modules = loaded(*argv, *extra, cwd=tmp_path)
    assert code in (0, 1)
    assert (tmp_path / "out" / "payouts.xlsx").exists()
    assert {"skillcli.payout", "skillcli.rules.evaluate"} <= modules  # the probe saw the payout decided
    return code, modules


def test_payout_dry_run_without_ledger__loads_no_database_layer(tmp_path: Path) -> None:
    _, modules = payout_sample(tmp_path)
    assert not _tops(modules, "sqlalchemy", "skillcli.ledger.store", "skillcli.ledger.commit", "hypothesis")


def test_payout_with_a_ledger__opens_it_through_the_database_layer(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    init = subprocess.run(
        [sys.executable, "-m", "skillcli", "ledger", "init", str(ledger)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert init.returncode == 0, init.stderr
    _, modules = payout_sample(tmp_path, "--ledger", ledger)
    assert {"sqlalchemy", "skillcli.ledger.store"} <= modules
    assert "skillcli.ledger.commit" not in modules  # a dry run writes nothing


GC_PROBE = """
import gc, json, sys
from skillcli.cli.app import main
args = sys.argv[2:]
sys.argv = ["skillcli", *args]
try:
    main() if {process} else main(args)
except SystemExit as exc:
    code = exc.code
sys.stderr.write(json.dumps({{"code": code, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count(),
                              "full": gc.get_stats()[2]["collections"]}}))
"""


def gc_after(batch: Path, *, process: bool) -> dict[str, Any]:
    probe = GC_PROBE.format(process=process)
    argv = [sys.executable, "-c", probe, "-", "check", str(batch), "--period", "2024-06"]
    run = subprocess.run(argv, capture_output=True, text=True, check=False)
    report: dict[str, Any] = json.loads(run.stderr[run.stderr.rindex('{"code"') :])
    return report


def test_check_process__imports_with_the_collector_paused_then_collects(make_xlsx: Any) -> None:
    # The skillcli process imports its command with the cyclic collector paused and freezes what
    # start-up made: the start-up objects are never walked again (no full collection in a small
    # check), and the collector runs again for whatever the command itself leaves behind.
    batch = make_xlsx({"花名册": roster_sheet()})
    report = gc_after(batch, process=True)
    assert report["code"] == 0
    assert report["enabled"] is True
    assert report["frozen"] > 30_000  # the modules, classes and schemas of start-up
    assert report["full"] == 0


def test_main_called_in_a_process_of_its_own__leaves_the_collector_alone(make_xlsx: Any) -> None:
    # A caller that runs main(argv) inside its own process (the tests, a script) keeps its collector.
    batch = make_xlsx({"花名册": roster_sheet()})
    report = gc_after(batch, process=False)
    assert report["code"] == 0
    assert report["enabled"] is True
    assert report["frozen"] == 0
