"""Policy test cases stored beside each rules file (``rules/<id>.cases.yaml``), run by ``rules test``.

A case is a small batch written the way a clerk would (Chinese headers) plus the expected outcome
of every roster row. The case runner writes it to a real .xlsx and sends it through the same path
as ``skillcli payout`` (reader, checks, policy), so a case exercises everything a user's file does.

Placeholders keep cases readable: ``person: P1`` fills 姓名 and a valid 身份证号码 (the same key
gives the same person), ``employer: E1`` fills 单位名称 and a valid 统一社会信用代码,
``institution: I1`` the 培训机构 columns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from skillcli.errors import RulesError
from skillcli.money import format_yuan, yuan_to_fen
from skillcli.rules.load import load_policy, read_yaml
from skillcli.rules.model import Policy
from skillcli.schema.parse import ID_CHECK_CHARS, ID_WEIGHTS, USCC_ALPHABET, USCC_WEIGHTS

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def id_for(key: str, birth: str = "") -> str:
    """A valid 18-digit ID made from a key: area 320506, a birth date and a sequence from its hash."""
    digest = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    if not birth:
        year = 1970 + digest % 30
        birth = f"{year}{1 + digest // 31 % 12:02d}{1 + digest // 401 % 28:02d}"
    body = f"320506{birth}{digest // 7919 % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK_CHARS[total % 11]


def name_for(key: str) -> str:
    digest = int(hashlib.sha256(("name" + key).encode()).hexdigest(), 16)
    return _SURNAMES[digest % len(_SURNAMES)] + _GIVEN[digest // 20 % len(_GIVEN)] + _GIVEN[digest // 700 % len(_GIVEN)]


def uscc_for(key: str, prefix: str = "91") -> str:
    """A valid 统一社会信用代码 made from a key."""
    digest = int(hashlib.sha256(("org" + key).encode()).hexdigest(), 16)
    body = prefix + "320506" + "".join(USCC_ALPHABET[(digest >> (5 * i)) % 31] for i in range(9))
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def _expand(row: dict[str, Any], births: dict[str, str] | None = None) -> dict[str, Any]:
    out = dict(row)
    person = out.pop("person", None)
    if person is not None:
        # The same key is the same person: a birth date given on any row of the case holds for all.
        birth = str(out.pop("birth", "") or (births or {}).get(str(person), ""))
        out.setdefault("姓名", name_for(str(person)))
        out.setdefault("身份证号码", id_for(str(person), birth))
    out.pop("birth", None)
    employer = out.pop("employer", None)
    if employer is not None:
        out.setdefault("单位名称", f"{employer}制造有限公司")
        out.setdefault("统一社会信用代码", uscc_for(str(employer)))
    institution = out.pop("institution", None)
    if institution is not None:
        out.setdefault("培训机构", f"{institution}职业培训学校")
        out.setdefault("机构统一社会信用代码", uscc_for(str(institution), "52"))
    return out


def write_case_workbook(path: Path, sheets: dict[str, list[dict[str, Any]]]) -> None:
    """The case's sheets as a real workbook; every value is written as text, dates as ISO text."""
    from skillcli.io.writer import Workbook

    births = {
        str(r["person"]): str(r["birth"]) for rows in sheets.values() for r in rows if "person" in r and r.get("birth")
    }
    book = Workbook(path)
    try:
        for name, rows in sheets.items():
            expanded = [_expand(r, births) for r in rows]
            headers = list(dict.fromkeys(k for r in expanded for k in r))
            sheet = book.add_sheet(name)
            for j, header in enumerate(headers):
                sheet.write_string(0, j, header)
            for i, row in enumerate(expanded, start=1):
                for j, header in enumerate(headers):
                    value = row.get(header)
                    if value is not None:
                        sheet.write_string(i, j, _text(value))
    finally:
        book.close()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, Decimal, int)):
        return str(value)
    return str(value)


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


def _period_ctx(period: str) -> Any:
    from skillcli.pipeline import parse_period

    return parse_period(period, dt.date(2026, 1, 1))


# Keys an expectation may carry. ``code`` and ``reason_code`` are optional, so a case written from
# the document alone (a blind case) can state just a row's outcome; ``why`` is free text and
# ``reading`` names the policy's readings entry where the office reads the clause otherwise.
_ITEM_KEYS = {
    "paid": {"row", "rule", "amount", "payee_type", "payee_id", "covers", "why", "reading"},
    "exceptions": {"row", "code", "covers", "why", "reading"},
    "ineligible": {"row", "reason_code", "covers", "why", "reading"},
}
_STATUS = {"paid": "paid", "exceptions": "exception", "ineligible": "ineligible"}


def case_params(case: dict[str, Any]) -> dict[str, str]:
    """A case's ``params`` as ``--param`` texts: lists comma-joined, tables as ``key:value`` pairs."""
    found: dict[str, str] = {}
    for key, value in (case.get("params") or {}).items():
        if isinstance(value, list):
            found[str(key)] = ",".join(str(v) for v in value)
        elif isinstance(value, dict):
            found[str(key)] = ",".join(f"{k}:{v}" for k, v in value.items())
        else:
            found[str(key)] = str(value)
    return found


def run_case(policy_path: Path, case: dict[str, Any], default_period: str, *, blind: bool = False) -> CaseResult:
    """Run one case through reader → checks → policy and compare every row's outcome."""
    from skillcli.payout import decide
    from skillcli.pipeline import load_batch

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
        batch = load_batch([path], _period_ctx(str(case.get("period", default_period))))
        decision = decide(batch, policy)
    expect = case.get("expect") or {}
    status = dict(decision.status.select("_row", "status").iter_rows())
    expected_status: dict[int, str] = {}
    readings = {r.id for r in policy.readings}
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
            # The office reads this clause otherwise (the readings table says how and why); the
            # expectation stays as written, and must still differ from the program's outcome.
            expected_status[row] = "reading"
            if str(reading) not in readings:
                result.problems.append(f"row {item['row']}: reading {reading} is not in the policy's readings table")
            elif not found:
                result.problems.append(
                    f"row {item['row']}: marked with reading {reading} but the program now agrees; remove the reference"
                )
            else:
                result.readings.append(f"row {item['row']}: {reading} ({'; '.join(found)})")
    for row, actual in sorted(status.items()):
        if row not in expected_status:
            result.problems.append(
                f"row {row - 1}: outcome {actual} is not in the case's expectations ({_why(decision, row)})"
            )
    result.covers.update(str(c) for c in case.get("covers", []))
    result.ok = not result.problems
    return result


def _item_problems(kind: str, item: dict[str, Any], decision: Any, row: int, status: dict[int, str]) -> list[str]:
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


def _why(decision: Any, row: int) -> str:
    exc = decision.exceptions.filter(pl.col("row") == row).get_column("code").to_list()
    inel = decision.ineligible.filter(pl.col("_row") == row).get_column("reason_code").to_list()
    return "; ".join(exc + inel) or "—"


def cases_path(policy_path: Path, blind: bool = False) -> Path:
    suffix = ".blind.cases.yaml" if blind else ".cases.yaml"
    return policy_path.with_name(policy_path.stem + suffix)


def _read_cases(path: Path) -> dict[str, Any]:
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise RulesError(f"{path}：应有 cases 列表", f"{path}: expected a 'cases' list")
    return data


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
    data = _read_cases(path)
    results = [run_case(policy_path, case, str(data.get("period", ""))) for case in data["cases"]]
    covered = set().union(*(r.covers for r in results)) if results else set()
    blind_path = cases_path(policy_path, blind=True)
    if blind_path.exists():
        blind = _read_cases(blind_path)
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
