"""``skillcli rules``: the shipped policies load, lint clean and pass their cases; broken files fail."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

RULES = Path(__file__).resolve().parents[1] / "rules"
POLICIES = ["cfhi-2021", "cixi-2023", "jinan-2021", "shanxi-2019", "suzhou-2019", "wuxi-2024"]


def test_rules__list_shows_every_shipped_policy(run_cli: Any) -> None:
    result = run_cli("rules", "list")
    assert result.code == 0
    for policy in POLICIES:
        assert policy in result.stdout


def test_rules__shipped_policies_lint_without_errors(run_cli: Any) -> None:
    result = run_cli("rules", "check")
    assert result.code == 0, result.stderr
    assert "错误 0" in result.stdout


def test_rules__every_case_of_every_policy_passes(run_cli: Any) -> None:
    result = run_cli("rules", "test")
    assert result.code == 0, result.stderr
    for policy in POLICIES:
        assert policy in result.stdout
    assert "FAIL" not in result.stdout


def test_rules__show_prints_parameters_rules_and_clauses(run_cli: Any) -> None:
    result = run_cli("rules", "show", "shanxi-2019")
    assert result.code == 0
    for text in ("S2a 二(六)", "A4", "取证补贴", "E1", "每人每年不超过 3 次"):
        assert text in result.stdout


def copy_policy(tmp_path: Path, policy: str = "suzhou-2019") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(RULES / f"{policy}.yaml", folder / f"{policy}.yaml")
    return folder / f"{policy}.yaml"


BROKEN = [
    ("unknown-key", "subsidy: 岗前培训补贴\n", "subsidy: 岗前培训补贴\n    colour: red\n", "colour"),
    ("missing-clause", "    clause: S2c 二(四)5\n", "", "clause"),
    ("level-left-out", "技师: 6000, 高级技师: 8000}", "高级技师: 8000}", "技师"),
    ("unknown-field", "require: {passed: 合格}", "require: {passd: 合格}", "passd"),
    ("unknown-value", "scope: {training_type: [岗前培训]}", "scope: {training_type: [岗前陪训]}", "岗前陪训"),
    ("three-decimals", "rate: 300}", "rate: 300.005}", "300.005"),
    ("undefined-parameter", "factor: $shortage_multiplier", "factor: $shortage_factor", "shortage_factor"),
    ("dates-backwards", "  to: 2021-12-31", "  to: 2018-12-31", "effective"),
]


@pytest.mark.parametrize(("case", "old", "new", "named"), BROKEN, ids=[b[0] for b in BROKEN])
def test_rules__check_rejects_a_broken_file(
    run_cli: Any, tmp_path: Path, case: str, old: str, new: str, named: str
) -> None:
    path = copy_policy(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text for {case} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_cli("rules", "check", path.parent, "--lang", "en")
    assert result.code == 1, result.stderr
    assert named in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_rules__a_wrong_expectation_fails_and_names_the_row(run_cli: Any, tmp_path: Path) -> None:
    path = copy_policy(tmp_path, "cixi-2023")
    cases = (RULES / "cixi-2023.cases.yaml").read_text(encoding="utf-8")
    first_amount = cases.index('amount: "')
    start = first_amount + len('amount: "')
    end = cases.index('"', start)
    wrong = cases[:start] + "1.00" + cases[end:]
    (path.parent / "cixi-2023.cases.yaml").write_text(wrong, encoding="utf-8")
    result = run_cli("rules", "test", "cixi-2023", "--rules-dir", path.parent)
    assert result.code == 1
    assert "expected 1.00" in result.stdout


def test_rules__a_policy_without_cases_fails_coverage(run_cli: Any, tmp_path: Path) -> None:
    path = copy_policy(tmp_path, "cixi-2023")
    result = run_cli("rules", "test", "--rules-dir", path.parent)
    assert result.code == 1
    assert "no cases file" in result.stdout


def test_payout__param_with_unknown_name_lists_the_known_ones(run_cli: Any, tmp_path: Path, make_xlsx: Any) -> None:
    from tests.support.rosters import PAYOUT_HEADER, payout_row

    batch = make_xlsx({"花名册": [PAYOUT_HEADER, payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10")]})
    result = run_cli(
        "payout",
        batch,
        "--policy",
        "suzhou-2019",
        "--period",
        "2021-06",
        "--out",
        tmp_path / "o",
        "--param",
        "living_standard=1",
    )
    assert result.code == 2
    assert "living_standard_month" in result.stderr
