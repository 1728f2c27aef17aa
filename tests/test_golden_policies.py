"""Golden end-to-end cases for every shipped policy, through ``skillcli payout`` and its files.

The cases stored beside each rules file (``rules/<id>.cases.yaml``) hold a small batch and the
outcome of every row, each amount worked out by hand from the document in a comment beside it.
Here each case becomes a real .xlsx, goes through the command a clerk runs, and the expected
lines, exceptions and reasons are read back from payouts.csv, exceptions.csv and ineligible.csv.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from skillcli.rules.cases import write_case_workbook

RULES = Path(__file__).resolve().parents[1] / "rules"


def cases() -> list[Any]:
    found = []
    for path in sorted(RULES.glob("*.cases.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            found.append(
                pytest.param(
                    data["policy"], str(case.get("period", data["period"])), case, id=f"{data['policy']}:{case['id']}"
                )
            )
    return found


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(("policy", "period", "case"), cases())
def test_golden__policy_case_through_the_cli(
    run_cli: Any, tmp_path: Path, policy: str, period: str, case: dict[str, Any]
) -> None:
    sheets = {"花名册": case.get("roster") or []}
    if case.get("certificates"):
        sheets["证书"] = case["certificates"]
    if case.get("attendance"):
        sheets["考勤"] = case["attendance"]
    batch = tmp_path / "batch.xlsx"
    write_case_workbook(batch, sheets)
    params = [arg for k, v in (case.get("params") or {}).items() for arg in ("--param", f"{k}={v}")]
    out = tmp_path / "out"
    result = run_cli("payout", batch, "--policy", policy, "--period", period, "--out", out, "--json", *params)
    assert result.code in (0, 1), result.stderr
    expect = case.get("expect") or {}
    roster_rows = len(case.get("roster") or [])
    assert result.json["counts"]["rows"] == roster_rows

    paid = {(int(line["row"]), line["rule"]): line for line in result.json["lines"]}
    csv_lines = read(out / "payouts.csv")
    assert len(csv_lines) == len(paid)
    for item in expect.get("paid") or []:
        key = (int(item["row"]) + 1, str(item["rule"]))
        assert key in paid, f"row {item['row']}: no {item['rule']} line"
        assert Decimal(paid[key]["amount_fen"]) / 100 == Decimal(str(item["amount"]))
        match = [
            line
            for line in csv_lines
            if line["rule"] == item["rule"] and Decimal(line["amount_yuan"]) == Decimal(str(item["amount"]))
        ]
        assert match, f"payouts.csv lacks {item['rule']} {item['amount']}"
        if "payee_type" in item:
            assert paid[key]["payee_type"] == item["payee_type"]
    assert len(paid) == len(expect.get("paid") or [])

    exceptions = read(out / "exceptions.csv")
    for item in expect.get("exceptions") or []:
        codes = {e["code"] for e in exceptions if int(e["row"] or 0) == int(item["row"]) + 1}
        assert item["code"] in codes, f"row {item['row']}: {item['code']} not in {codes}"
    ineligible = read(out / "ineligible.csv")
    expected_reasons = sorted(str(i["reason_code"]) for i in expect.get("ineligible") or [])
    got = sorted(code for line in ineligible for code in line["reason_code"].split(";") if code in expected_reasons)
    assert got == expected_reasons
    assert len(ineligible) == len(expect.get("ineligible") or [])
