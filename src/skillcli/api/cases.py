"""``rules test`` as a library call: run every case stored beside a policy and check its coverage.

Each case is written to a real .xlsx (``skillcli.rules.cases``) and decided by ``skillcli.api.payout``,
the same chain as ``skillcli payout``, without a ledger: a case states its whole history.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from skillcli.api.payouts import payout
from skillcli.money import format_yuan, yuan_to_fen
from skillcli.payout.decision import Decision
from skillcli.rules.cases import case_params, cases_path, read_cases, write_case_workbook
from skillcli.rules.load import load_policy
from skillcli.rules.model import Policy

# Cases are decided as of a fixed day, so that a case's outcome does not change with the calendar.
CASE_TODAY = dt.date(2026, 1, 1)


@dataclass(slots=True)
class CaseResult:
    policy: str
    case: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    covers: set[str] = field(default_factory=set)
    blind: bool = False
    # Expectations the office reads differently, each named by its readings entry (not failures).
    readings: list[str] = field(default_factory=list)


# Keys an expectation may carry. ``code`` and ``reason_code`` are optional, so a case written from
# the document alone (a blind case) can state just a row's outcome; ``why`` is free text and
# ``reading`` names the policy's readings entry where the office reads the clause otherwise.
_ITEM_KEYS = {
    "paid": {"row", "rule", "amount", "payee_type", "payee_id", "covers", "why", "reading"},
    "exceptions": {"row", "code", "covers", "why", "reading"},
    "ineligible": {"row", "reason_code", "covers", "why", "reading"},
}
_STATUS = {"paid": "paid", "exceptions": "exception", "ineligible": "ineligible"}


def run_case(policy_path: Path, case: dict[str, Any], default_period: str, *, blind: bool = False) -> CaseResult:
    """Run one case through reader → checks → policy and compare every row's outcome."""
    name = str(case.get("id", "?"))
    policy = load_policy(policy_path, case_params(case))
    result = CaseResult(policy.id, name, True, blind=blind)
    sheets = {"花名册": case.get("roster") or []}
    if case.get("certificates"):
        sheets["证书"] = case["certificates"]
    if case.get("attendance"):
        sheets["考勤"] = case["attendance"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{policy.id}-{name}.xlsx"
        write_case_workbook(path, sheets)
        decision = payout([path], policy, str(case.get("period", default_period)), today=CASE_TODAY, read_ledger=False).decision
    status = dict(decision.status.select("_row", "status").iter_rows())
    expected_status = _compare(case.get("expect") or {}, decision, policy, status, result)
    for row, actual in sorted(status.items()):
        if row not in expected_status:
            result.problems.append(
                f"row {row - 1}: outcome {actual} is not in the case's expectations ({_why(decision, row)})"
            )
    result.covers.update(str(c) for c in case.get("covers", []))
    result.ok = not result.problems
    return result


def _compare(
    expect: dict[str, Any], decision: Decision, policy: Policy, status: dict[int, str], result: CaseResult
) -> dict[int, str]:
    """Each expectation against the decision, problems and coverage noted in ``result``; returns the
    status expected of each Excel row (``reading`` where the office reads the clause otherwise)."""
    expected_status: dict[int, str] = {}
    # A held line on a row whose other subsidies are paid leaves the row paid.
    paid_rows = {int(item["row"]) + 1 for item in expect.get("paid") or []}
    for kind, keys in _ITEM_KEYS.items():
        for item in expect.get(kind) or []:
            unknown = set(item) - keys
            if unknown:
                result.problems.append(f"row {item.get('row')}: unknown keys {sorted(unknown)} in {kind}")
                continue
            row = int(item["row"]) + 1
            found = _item_problems(kind, item, decision, row, status)
            wanted = "paid" if kind == "exceptions" and row in paid_rows else _STATUS[kind]
            if status.get(row) != wanted:
                found.append(f"row {item['row']}: expected {wanted}, got {status.get(row)} ({_why(decision, row)})")
            reading = item.get("reading")
            if reading is None:
                expected_status[row] = wanted
                result.problems += found
                if not found:
                    result.covers.update(_covered(kind, item))
                continue
            expected_status[row] = "reading"
            _read_otherwise(item, str(reading), found, {r.id for r in policy.readings}, result)
    return expected_status


def _read_otherwise(
    item: dict[str, Any], reading: str, found: list[str], readings: set[str], result: CaseResult
) -> None:
    """An expectation the office reads otherwise (the readings table says how and why): it stays as
    written, and must name a reading that exists and still differ from the program's outcome."""
    if reading not in readings:
        result.problems.append(f"row {item['row']}: reading {reading} is not in the policy's readings table")
    elif not found:
        result.problems.append(
            f"row {item['row']}: marked with reading {reading} but the program now agrees; remove the reference"
        )
    else:
        result.readings.append(f"row {item['row']}: {reading} ({'; '.join(found)})")


def _item_problems(kind: str, item: dict[str, Any], decision: Decision, row: int, status: dict[int, str]) -> list[str]:
    """What differs between one expectation and the decision, besides the row's status."""
    if kind == "paid":
        lines = decision.lines.filter((pl.col("_row") == row) & (pl.col("rule") == str(item["rule"])))
        if lines.height != 1:
            return [
                f"row {item['row']}: expected one {item['rule']} line, got {lines.height}"
                f" (status {status.get(row)}; {_why(decision, row)})"
            ]
        line = lines.row(0, named=True)
        found = []
        want = yuan_to_fen(Decimal(str(item["amount"])))
        if line["amount_fen"] != want:
            found.append(
                f"row {item['row']} {item['rule']}: amount {format_yuan(line['amount_fen'])}, expected "
                f"{format_yuan(want)} ({line['formula']})"
            )
        for key in ("payee_type", "payee_id"):
            if key in item and str(line[key]) != str(item[key]):
                found.append(f"row {item['row']} {item['rule']}: {key} {line[key]}, expected {item[key]}")
        return found
    if kind == "exceptions":
        codes = set(decision.exceptions.filter(pl.col("row") == row).get_column("code").to_list())
        if "code" in item and str(item["code"]) not in codes:
            return [f"row {item['row']}: expected exception {item['code']}, got {sorted(codes) or status.get(row)}"]
        return []
    found_rows = decision.ineligible.filter(pl.col("_row") == row)
    codes = set(found_rows.get_column("reason_code").str.split(";").explode().to_list()) if found_rows.height else set()
    if "reason_code" in item and str(item["reason_code"]) not in codes:
        return [f"row {item['row']}: expected ineligible {item['reason_code']}, got {sorted(codes) or status.get(row)}"]
    return []


def _covered(kind: str, item: dict[str, Any]) -> set[str]:
    """The rule, limit or eligibility ids an expectation that held exercises."""
    found = {str(c) for c in item.get("covers", [])}
    if kind == "paid":
        found.add(str(item["rule"]))
    elif kind == "ineligible" and "reason_code" in item:
        found.add(str(item["reason_code"]).split(".")[0])
    return found


def _why(decision: Decision, row: int) -> str:
    exc = decision.exceptions.filter(pl.col("row") == row).get_column("code").to_list()
    inel = decision.ineligible.filter(pl.col("_row") == row).get_column("reason_code").to_list()
    return "; ".join(exc + inel) or "—"


def run_cases(policy_path: Path) -> tuple[Policy, list[CaseResult], list[str]]:
    """Every case of one policy, its blind cases (``<id>.blind.cases.yaml``, when present, written
    from the document alone), plus what the cases leave uncovered (rules, limits, eligibility).

    Coverage counts the policy's own cases only: blind cases test the program, they do not
    document it.
    """
    policy = load_policy(policy_path)
    path = cases_path(policy_path)
    if not path.exists():
        return policy, [], [f"no cases file {path.name}"]
    data = read_cases(path)
    results = [run_case(policy_path, case, str(data.get("period", ""))) for case in data["cases"]]
    covered = set().union(*(r.covers for r in results)) if results else set()
    blind_path = cases_path(policy_path, blind=True)
    if blind_path.exists():
        blind = read_cases(blind_path)
        results += [run_case(policy_path, case, str(blind.get("period", "")), blind=True) for case in blind["cases"]]
    needed = {r.id for r in policy.rules} | {req.id for req in policy.eligibility}
    limits = policy.limits
    if limits.yearly_max is not None:
        needed.add(limits.yearly_id)
    if limits.no_repeat:
        needed.add(limits.no_repeat_id)
    needed |= {ident for ident, _, _ in limits.exclusive}
    if limits.advance_id:
        needed.add(limits.advance_id)
    missing = sorted(needed - covered)
    return policy, results, [f"not covered by any case: {', '.join(missing)}"] if missing else []
