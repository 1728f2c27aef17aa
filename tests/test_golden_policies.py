"""Golden end-to-end cases for every shipped policy, through ``skillcli payout`` and its files.

The cases stored beside each rules file (``rules/<id>.cases.yaml``) hold a small batch and the
outcome of every row, each amount worked out by hand from the document in a comment beside it;
blind cases (``rules/<id>.blind.cases.yaml``, written from the document alone) run here too. An
expectation that carries a ``reading:`` reference is one the office reads otherwise (the policy's
readings table says how); ``rules test`` checks that it still differs, so it is left out here.
Here each case becomes a real .xlsx, goes through the command a clerk runs, and the expected
lines, exceptions and reasons are read back from payouts.csv, exceptions.csv and ineligible.csv.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from skillcli.rules.cases import case_params, write_case_workbook
from tests.support.workbooks import read_csv

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
    return read_csv(path)


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
    params = [arg for k, v in case_params(case).items() for arg in ("--param", f"{k}={v}")]
    out = tmp_path / "out"
    result = run_cli("payout", batch, "--policy", policy, "--period", period, "--out", out, "--json", *params)
    assert result.code in (0, 1), result.stderr
    expect = case.get("expect") or {}
    deferred = {int(i["row"]) + 1 for kind in ("paid", "exceptions", "ineligible") for i in _all(expect, kind, True)}
    roster_rows = len(case.get("roster") or [])
    assert result.json["counts"]["rows"] == roster_rows

    paid = {(int(line["row"]), line["rule"]): line for line in result.json["lines"]}
    csv_lines = read(out / "payouts.csv")
    for item in _all(expect, "paid"):
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
    # Lines on rows read otherwise are the program's, not the expectation's: counted apart.
    undeferred = [key for key in paid if key[0] not in deferred]
    assert len(undeferred) == len([i for i in _all(expect, "paid") if int(i["row"]) + 1 not in deferred])

    exceptions = read(out / "exceptions.csv")
    excepted = {int(e["row"] or 0) for e in exceptions} - deferred
    assert excepted >= {int(i["row"]) + 1 for i in _all(expect, "exceptions")}
    for item in _all(expect, "exceptions"):
        codes = {e["code"] for e in exceptions if int(e["row"] or 0) == int(item["row"]) + 1}
        if "code" in item:
            assert item["code"] in codes, f"row {item['row']}: {item['code']} not in {codes}"
    # The json lists ineligible rows with their Excel row; ineligible.csv (no row column) must agree in count.
    ineligible = [line for line in result.json["ineligible"] if int(line["row"]) not in deferred]
    assert sorted(int(line["row"]) for line in ineligible) == sorted(
        int(i["row"]) + 1 for i in _all(expect, "ineligible")
    )
    assert len(read(out / "ineligible.csv")) == len(result.json["ineligible"])
    for item in _all(expect, "ineligible"):
        if "reason_code" in item:
            line = next(line for line in ineligible if int(line["row"]) == int(item["row"]) + 1)
            assert str(item["reason_code"]) in line["reason_code"].split(";")


def _all(expect: dict[str, Any], kind: str, deferred: bool = False) -> list[dict[str, Any]]:
    """The expectations of one kind: those the program must meet, or (``deferred``) those read otherwise."""
    return [item for item in expect.get(kind) or [] if ("reading" in item) == deferred]
