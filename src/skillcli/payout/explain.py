"""``skillcli explain``: for one person, every rule considered and why it paid or did not.

The explanation evaluates the same compiled expressions as the payout, condition by condition,
on that person's rows of the batch, and adds the row's final status from the full decision
(limits such as E1 depend on the whole batch).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from skillcli.model import Level, PayeeType
from skillcli.payout.decision import Decision
from skillcli.rules.compile import (
    built_in_requirements,
    compile_rule,
    condition_expr,
    formula_text_in,
    multiplier_labels,
    payee_exprs,
    without_absent,
)
from skillcli.rules.describe import condition_text, condition_text_en, shown_value, shown_value_en
from skillcli.rules.model import Condition, Policy

LEVEL_CODES = frozenset(level.value for level in Level)


@dataclass(slots=True)
class ConditionCheck:
    kind: str  # scope | require
    requirement: str  # requirement id ("" for scope)
    clause: str
    text: str  # the condition as written
    value: str  # the row's value
    result: bool | None  # None: the value is missing
    text_en: str = ""
    value_en: str = ""


@dataclass(slots=True)
class RuleExplanation:
    rule: str
    subsidy: str
    clause: str
    in_scope: bool
    status: str  # out | paid | exception | ineligible
    conditions: list[ConditionCheck] = field(default_factory=list)
    formula: str = ""
    amount_fen: int | None = None
    payee: str = ""
    code: str = ""
    formula_en: str = ""
    payee_en: str = ""


@dataclass(slots=True)
class RowExplanation:
    file: str
    sheet: str
    row: int
    training: str
    status: str
    reasons: list[tuple[str, str, str]]  # (code, message in Chinese, in English)
    rules: list[RuleExplanation]


_WHY = {"policy.not-in-force": ("在政策施行期内结业：", "ended while the policy is in force: ")}


def _checks(
    frame: pl.DataFrame, conds: tuple[Condition, ...], kind: str, req_id: str, clause: str, applies: bool = True
) -> list[ConditionCheck]:
    if not conds or not applies:
        return []
    values = frame.select(
        [shown_value(c.field).alias(f"v{i}") for i, c in enumerate(conds)]
        + [shown_value_en(c.field).alias(f"e{i}") for i, c in enumerate(conds)]
        + [condition_expr(c).alias(f"r{i}") for i, c in enumerate(conds)]
    ).row(0, named=True)
    # A built-in requirement says why it is there: 「结业日期须不早于 2024-04-02」 alone left a reader
    # asking what the date was (the notice's date, from which the policy is in force).
    zh, en = _WHY.get(req_id, ("", ""))
    return [
        ConditionCheck(
            kind,
            req_id,
            clause,
            zh + condition_text(c),
            str(values[f"v{i}"]),
            values[f"r{i}"],
            en + condition_text_en(c),
            str(values[f"e{i}"]),
        )
        for i, c in enumerate(conds)
    ]


def explain_person(decision: Decision, policy: Policy, person_id: str) -> list[RowExplanation]:
    """Every roster row of ``person_id`` with every rule's conditions, formula and outcome."""
    from skillcli.rules.evaluate import ensure_columns

    rows = ensure_columns(decision.derived).filter(pl.col("id_number") == person_id.strip().upper())
    found: list[RowExplanation] = []
    for rid in rows.get_column("_rid").to_list():
        row = rows.filter(pl.col("_rid") == rid)
        info = row.row(0, named=True)
        status = decision.status.filter(pl.col("_rid") == rid).get_column("status").item()
        reasons = [
            (r["code"], r["message_zh"], r["message_en"])
            for r in decision.exceptions.filter(pl.col("_rid") == rid).iter_rows(named=True)
        ]
        reasons += [
            (r["reason_code"], r["reason"], r["reason_en"])
            for r in decision.ineligible.filter(pl.col("_rid") == rid).iter_rows(named=True)
        ]
        explained = []
        per_rule = decision.per_rule.filter(pl.col("_rid") == rid)
        for rule in policy.rules:
            compiled = compile_rule(rule, policy, decision.absent)
            in_scope = bool(row.select(compiled.in_scope).item())
            outcome = per_rule.filter(pl.col("rule") == rule.id)
            item = RuleExplanation(
                rule.id,
                rule.subsidy,
                rule.clause,
                in_scope,
                outcome.get_column("rule_status").item() if outcome.height else "out",
            )
            item.conditions += _checks(row, rule.scope, "scope", "", rule.clause)
            if in_scope:
                for every in (*built_in_requirements(policy, rule), *policy.eligibility, *rule.require):
                    # A condition on a column no sheet has was not checked (payout.column-absent).
                    req = without_absent(every, decision.absent)
                    applies = bool(
                        row.select(
                            pl.all_horizontal([condition_expr(c) for c in req.when]).fill_null(False)
                            if req.when
                            else pl.lit(True)
                        ).item()
                    )
                    item.conditions += _checks(row, req.require, "require", req.id, req.clause, applies)
                kind, _ident, name = payee_exprs(rule)
                values: dict[str, Any] = row.select(
                    compiled.formula.alias("f"), compiled.amount.alias("a"), kind.alias("k"), name.alias("n")
                ).row(0, named=True)
                item.formula = values["f"] or ""
                item.amount_fen = values["a"]
                # A line this run pays says what the batch and the ledger changed: months already paid
                # (max_units_per), an advance netted with where it was advanced (E10).
                paid = decision.lines.filter((pl.col("_rid") == rid) & (pl.col("rule") == rule.id))
                if paid.height:
                    item.formula = str(paid.get_column("formula").item())
                    item.amount_fen = int(paid.get_column("amount_fen").item())
                item.formula_en = formula_text_in(item.formula, "en", multiplier_labels(policy))
                payee_kind = PayeeType(values["k"]).label_zh if values["k"] else "收款方不明"
                item.payee = f"{payee_kind} {values['n'] or ''}".strip()
                item.payee_en = f"{values['k'] or 'payee unknown'} {values['n'] or ''}".strip()
                item.code = outcome.get_column("code").item() or "" if outcome.height else ""
            explained.append(item)
        training = f"{info.get('training_type') or ''} {info.get('occupation') or ''} {info.get('start_date')}～{info.get('end_date')}"
        found.append(RowExplanation(info["_file"], info["_sheet"], info["_row"], training, status, reasons, explained))
    return found
