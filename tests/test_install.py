"""skillcli as a district office gets it: a wheel installed away from the source, rules inside it.

The wheel test builds the wheel from this checkout, installs it with the pinned versions into a new
virtual environment under tmp_path, and runs the installed ``skillcli`` from an empty folder, with
no ``$SKILLCLI_RULES`` and no source tree to fall back on. What it pays must equal what the source
checkout pays for the same batch: the packed rules are the repository's rules.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import skillcli
from tests.support.workbooks import read_csv

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
POLICIES = sorted(p.stem for p in RULES.glob("*.yaml") if not p.stem.endswith(".cases"))
PROGRAMMES = sorted(p.stem for p in (RULES / "vouchers").glob("*.yaml"))
SAMPLE = ROOT / "sample_data" / "district_batch.xlsx"
PACKAGE_DATA = [ROOT / "src" / "skillcli" / "py.typed", *(ROOT / "src" / "skillcli" / "banks").glob("*.toml")]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that points skillcli at the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("SKILLCLI_RULES", "SKILLCLI_LEDGER", "PYTHONPATH")}
    return {**env, "PIP_DISABLE_PIP_VERSION_CHECK": "1", **extra}


def run(args: list[object], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


def paid(out: Path) -> tuple[int, Decimal]:
    """Lines and total of a payouts.csv, the total added up as decimals from the text written."""
    amounts = [Decimal(line["amount_yuan"]) for line in read_csv(out / "payouts.csv")]
    return len(amounts), sum(amounts, Decimal(0))


def sha256sum_of_folder(folder: Path) -> str:
    """The rules fingerprint as coreutils compute it: the oracle for ``--version``."""
    pipeline = "find . -type f ! -name '.*' -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum"
    done = subprocess.run(["sh", "-c", pipeline], cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.split()[0]


def test_install__wheel_in_a_fresh_venv_lists_tests_and_pays_from_an_empty_folder(run_cli: Any, tmp_path: Path) -> None:
    env = clean_env()
    dist = tmp_path / "dist"
    built = run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, ROOT], tmp_path, env)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = dist.glob("skillcli-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packed = set(archive.namelist())
    # The package's data files travel with it: the bank layouts and the typing marker.
    package_data = {f"skillcli/{p.relative_to(ROOT / 'src' / 'skillcli').as_posix()}" for p in PACKAGE_DATA}
    assert package_data and package_data <= packed
    venv = tmp_path / "venv"
    # No pip inside the new environment and no .pyc compiled at install: this process's pip installs
    # into it (pip --python), which halves the time without changing what gets installed.
    made = run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path, env)
    assert made.returncode == 0, made.stderr
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    pip = [sys.executable, "-m", "pip", "--python", bindir / "python", "install", "--quiet", "--no-compile"]
    installed = run([*pip, "-c", ROOT / "constraints.txt", wheel], tmp_path, env)
    assert installed.returncode == 0, installed.stderr[-2000:]
    skillcli_exe = bindir / "skillcli"
    empty = tmp_path / "empty"
    empty.mkdir()

    version = run([skillcli_exe, "--version"], empty, env)
    assert version.returncode == 0, version.stderr
    first, rules_line = version.stdout.splitlines()
    assert first == f"skillcli {skillcli.__version__}"
    # The packed copy, inside the new environment, holds exactly the repository's rules/.
    assert f"sha256:{sha256sum_of_folder(RULES)} " in rules_line
    assert "bundled" in rules_line and str(venv) in rules_line and str(ROOT) not in rules_line

    listed = run([skillcli_exe, "rules", "list"], empty, env)
    assert listed.returncode == 0, listed.stderr
    for policy in POLICIES:
        assert f"{policy}.yaml" in listed.stdout

    tested = run([skillcli_exe, "rules", "test"], empty, env)
    assert tested.returncode == 0, tested.stderr[-3000:]
    assert "FAIL" not in tested.stdout and "，0 失败" in tested.stdout
    for policy in POLICIES:
        assert policy in tested.stdout

    checked = run([skillcli_exe, "rules", "check"], empty, env)
    assert checked.returncode == 0, checked.stderr[-3000:]
    assert f"{len(POLICIES) + len(PROGRAMMES)} 个文件，错误 0" in checked.stdout

    programmes = run([skillcli_exe, "vouchers", "programs", "--json"], empty, env)
    assert programmes.returncode == 0, programmes.stderr
    assert sorted(p["id"] for p in json.loads(programmes.stdout)["programs"]) == PROGRAMMES

    args = ["payout", SAMPLE, "--policy", "suzhou-2019", "--period", "2021-06", "--out"]
    payout = run([skillcli_exe, *args, empty / "out"], empty, env)
    # The district batch has exceptions (exit 1) and pays the rest.
    assert payout.returncode == 1, payout.stderr[-3000:]
    source = run_cli(*args, tmp_path / "source-out")
    assert source.code == 1, source.stderr[-3000:]
    lines, total = paid(empty / "out")
    assert lines > 0 and total > 0
    assert (lines, total) == paid(tmp_path / "source-out")
    manifest = json.loads((empty / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["totals_fen"]["total_fen"] == int(total * 100)
    assert (
        manifest["policy"]["sha256"]
        == json.loads((tmp_path / "source-out" / "manifest.json").read_text(encoding="utf-8"))["policy"]["sha256"]
    )
    assert sorted(p.name for p in empty.iterdir()) == ["out"]  # nothing else conjured in the working folder


# -- where the rules come from ---------------------------------------------------------------
def test_version__prints_the_version_and_the_rules_sha256_as_sha256sum_computes_it(run_cli: Any) -> None:
    result = run_cli("--version")
    assert result.code == 0
    first, rules_line = result.stdout.splitlines()
    assert first == f"skillcli {skillcli.__version__}"
    # The tests run from the editable install: no packed copy, the checkout's rules/ themselves are in
    # effect, so an edit to rules/ counts at once, without reinstalling.
    files = sum(1 for p in RULES.rglob("*") if p.is_file() and not p.name.startswith("."))
    assert rules_line == f"rules sha256:{sha256sum_of_folder(RULES)} ({files} files; source: {RULES})"


def one_policy_folder(tmp_path: Path, policy: str = "cixi-2023") -> Path:
    folder = tmp_path / "my rules"
    folder.mkdir()
    shutil.copy(RULES / f"{policy}.yaml", folder / f"{policy}.yaml")
    shutil.copy(RULES / f"{policy}.cases.yaml", folder / f"{policy}.cases.yaml")
    return folder


def test_rules_location__rules_option_and_environment_override_the_installed_rules(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = one_policy_folder(tmp_path)
    for args in (["--rules", folder, "rules", "list"], ["rules", "list", "--rules", folder]):
        result = run_cli(*args)
        assert result.code == 0, result.stderr
        assert "cixi-2023" in result.stdout and "suzhou-2019" not in result.stdout
    # The global option reaches every command that looks a policy up, payout included.
    payout = run_cli(
        "--rules", folder, "payout", SAMPLE, "--policy", "suzhou-2019", "--period", "2021-06", "--out", tmp_path / "o"
    )
    assert payout.code == 2 and "suzhou-2019" in payout.stderr and "cixi-2023" in payout.stderr
    assert len(payout.stderr.strip().splitlines()) == 1 and not (tmp_path / "o" / "payouts.csv").exists()
    version = run_cli("--rules", folder, "--version")
    lines = version.stdout.splitlines()
    assert lines[1] == f"rules sha256:{sha256sum_of_folder(folder)} (2 files; --rules: {folder})"
    # The next invocation without --rules does not inherit the previous one's folder.
    assert "suzhou-2019" in run_cli("rules", "list").stdout

    monkeypatch.setenv("SKILLCLI_RULES", str(folder))
    from_env = run_cli("rules", "test")
    assert from_env.code == 0, from_env.stderr
    assert "cixi-2023" in from_env.stdout and "suzhou-2019" not in from_env.stdout


@pytest.mark.parametrize(
    "command", [["rules", "test"], ["rules", "list"], ["rules", "check"], ["vouchers", "programs"]]
)
def test_rules_location__no_policy_found_is_exit_2_naming_where_it_looked(
    run_cli: Any, tmp_path: Path, command: list[str]
) -> None:
    empty = tmp_path / "空的 规则"
    empty.mkdir()
    by_option = run_cli("--rules", empty, *command)
    assert by_option.code == 2, by_option.stderr
    assert by_option.stderr.count("\n") == 1 and str(empty) in by_option.stderr and "--rules" in by_option.stderr
    assert "没有找到" in by_option.stderr and "Traceback" not in by_option.stderr


def test_rules_location__environment_naming_an_empty_or_missing_folder_is_exit_2(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKILLCLI_RULES", str(tmp_path))
    empty = run_cli("rules", "test", "--lang", "en")
    assert empty.code == 2
    assert empty.stderr.strip() == (
        f"no policy files found in {tmp_path} ($SKILLCLI_RULES); name a rules folder with --rules DIR or $SKILLCLI_RULES"
    )
    monkeypatch.setenv("SKILLCLI_RULES", str(tmp_path / "nowhere"))
    missing = run_cli("rules", "list", "--lang", "en")
    assert missing.code == 2
    assert missing.stderr.strip() == f"rules folder {tmp_path / 'nowhere'} ($SKILLCLI_RULES) is not a folder"
