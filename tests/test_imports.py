"""A command imports only what it needs (issue 16): start-up is most of a small batch's time.

Each case runs ``skillcli`` in a fresh interpreter on a real workbook, as a user does, and lists
the modules that were loaded. SQLAlchemy costs about 0.25 s to import and the rule engine and
xlsxwriter tens of milliseconds more; ``check`` needs none of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import roster_sheet

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


def loaded(*args: object) -> tuple[int, set[str]]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *(str(a) for a in args)], capture_output=True, text=True, check=False
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
    assert not _tops(
        modules, "sqlalchemy", "skillcli.ledger", "skillcli.rules", "xlsxwriter", "openpyxl", "skillcli.io.writer"
    )


def test_check_out__loads_the_writer_but_no_ledger_or_rules(make_xlsx: Any, tmp_path: Path) -> None:
    batch = make_xlsx({"花名册": roster_sheet()})
    code, modules = loaded("check", batch, "--period", "2024-06", "--out", tmp_path / "out")
    assert code == 0
    assert (tmp_path / "out" / "exceptions.xlsx").exists()
    assert {"xlsxwriter", "skillcli.io.writer"} <= modules
    assert not _tops(modules, "sqlalchemy", "skillcli.ledger", "skillcli.rules")
