"""Shared fixtures: real workbooks in the test's folder, the CLI run in-process, ledgers, the catalogue hook.

Tests state their data inline (STYLE.md principle 10) with the builders in tests/support (IDs, rosters,
workbooks); this file holds only fixtures and the hooks, and test modules import nothing from it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import PERIOD, Result
from tests.support.ids import full_ids
from tests.support.workbooks import write_csv, write_xlsx


# -- input files in the test's folder ----------------------------------------------------------
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


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist (``make test`` runs the suite on every core): each worker records the codes it saw
    in a folder the controller reads at the end, so the whole-catalogue check still sees all of them."""
    import tempfile

    folder = getattr(node.config, "_skillcli_emitted", None)
    if folder is None:
        folder = tempfile.mkdtemp(prefix="skillcli-emitted-")
        node.config._skillcli_emitted = folder
    node.workerinput["skillcli_emitted"] = folder


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import json

    from skillcli.findings import CATALOGUE

    config = session.config
    worker = getattr(config, "workerinput", None)
    if worker is not None:
        # A worker hands its codes to the controller and leaves the verdict to it.
        target = Path(worker["skillcli_emitted"]) / f"{worker['workerid']}.json"
        target.write_text(json.dumps(sorted(EMITTED)), encoding="utf-8")
        return
    folder = getattr(config, "_skillcli_emitted", None)
    if folder is not None:
        for part in Path(folder).glob("*.json"):
            EMITTED.update(json.loads(part.read_text(encoding="utf-8")))
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
