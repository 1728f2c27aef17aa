"""Evaluate a policy over a batch: who is paid how much and to whom, and why not the others.

Each rule compiles to Polars expressions over the derived roster (``skillcli.rules.derive``):
scope (which rows it is about), requirements (each a reason when false, an exception when its
input is missing), an amount in integer fen and a payee. Rows then get exactly one status:

* ``exception``: a blocking finding on the row or the person, a rule that cannot be computed
  (no rate for the level, no attendance, no fee, payee without an ID), a limit (E1, E2, E4) or
  an advance problem;
* ``paid``: at least one rule pays and nothing above holds;
* ``ineligible``: every rule about the row fails a requirement, or no rule is about it.

All arithmetic is on Int64 fen: half-up rounding is ``(2·a·b + c) // (2·c)`` on non-negatives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from skillcli.findings import render
from skillcli.rules.fields import FIELDS
from skillcli.rules.model import BLANK_PAYER, INELIGIBLE, Condition, Policy, Requirement, Rule
from skillcli.schema.checks import location

ATTENDANCE_FIELDS = frozenset({"attended_days", "required_days", "attendance_rate", "online_share"})
CERT_FIELDS = frozenset({"has_cert", "cert_kind", "cert_issue_date", "cert_local", "qualified"})
PAYEE_COLUMNS = {
    "person": ("id_number", "name"),
    "enterprise": ("employer_uscc", "employer_name"),
    "institution": ("institution_uscc", "institution"),
}
PAYEE_LABELS = {"person": "个人", "enterprise": "企业", "institution": "培训机构"}


# -- conditions --------------------------------------------------------------------------------
def _literal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # comparisons of shares and counts only, never money
    return value


def condition_expr(cond: Condition, column: str | None = None) -> pl.Expr:
    """True/false, or null when the field's value is missing (Kleene logic keeps it null).

    A field whose blank has an ordinary reading (``blank_reads_as``) is never null here: blank
    是否领取养老金 is 否, and a blank 人员类别 is in no list (a test "in" is false, "not in" true).
    ``column`` tests another column in the field's place (the likely alias of an unknown value).
    """
    spec = FIELDS[cond.field]
    col = pl.col(column or cond.field)
    if spec.blank_reads_as and spec.kind == "bool":
        col = col.fill_null(False)
    if cond.op == "in":
        test = col.is_in([_literal(v) for v in cond.value])
    elif cond.op == "not_in":
        test = ~col.is_in([_literal(v) for v in cond.value])
    elif cond.op == "eq":
        test = col == pl.lit(_literal(cond.value))
    elif cond.op == "min":
        test = col >= pl.lit(_literal(cond.value))
    else:
        test = col <= pl.lit(_literal(cond.value))
    blank = pl.lit(cond.op == "not_in") if spec.blank_reads_as else pl.lit(None, pl.Boolean)
    return pl.when(col.is_null()).then(blank).otherwise(test)


def _shown(field: str) -> pl.Expr:
    """A field's value as text for a reason: levels by their Chinese name, booleans as 是/否."""
    spec = FIELDS[field]
    col = pl.col(field)
    if spec.kind == "bool":
        return pl.when(col).then(pl.lit("是")).when(~col).then(pl.lit("否")).otherwise(pl.lit("空"))
    if spec.kind == "level":
        from skillcli.model import LEVEL_LABELS

        return col.replace_strict({k.value: v for k, v in LEVEL_LABELS.items()}, default="空", return_dtype=pl.String)
    if spec.kind == "number" and field.endswith("_share"):
        return (col * 100).round(1).cast(pl.String) + pl.lit("%")
    return col.cast(pl.String).fill_null("空")


def _condition_text(cond: Condition) -> str:
    """A condition as a clause of a Chinese sentence: 「人员类别」须为 就业困难人员 或 零就业家庭成员."""
    spec = FIELDS[cond.field]
    label = f"「{spec.label}」"
    values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    shown = [_value_text(cond.field, v) for v in values]
    if not shown:
        # An empty list (a parameter the district has not supplied yet): "in" can never hold and
        # "not in" always does; say which list it is either way, never index into nothing.
        listed = cond.param_label or "名单"
        param = f"（参数 {cond.param}）" if cond.param else ""
        if cond.op == "in":
            return f"{label}须在{listed}中，但{listed}为空{param}"
        return f"{label}不得在{listed}中（{listed}目前为空{param}）"
    if cond.op == "in" and cond.param:
        listed = cond.param_label or f"参数 {cond.param} 的名单"
        return f"{label}须在{listed}中（{'、'.join(shown)}）"
    one_of = " 或 ".join(shown) if len(shown) <= 3 else "、".join(shown[:-1]) + " 或 " + shown[-1]
    if spec.kind == "date":
        before, after = "不早于", "不晚于"
    else:
        before, after = "不少于", "不超过"
    return {
        "in": f"{label}须为 {one_of}",
        "not_in": f"{label}不得为 {one_of}",
        "eq": f"{label}须为 {one_of}",
        "min": f"{label}须{before} {shown[0]}",
        "max": f"{label}须{after} {shown[0]}",
    }[cond.op]


def _value_text(field: str, value: Any) -> str:
    """One condition value as a clerk reads it: levels by name, 是/否, money in yuan, shares in %."""
    from skillcli.model import LEVEL_LABELS, Level
    from skillcli.money import format_yuan

    spec = FIELDS[field]
    if spec.kind == "level":
        return LEVEL_LABELS[Level(value)]
    if spec.kind == "bool":
        return "是" if value else "否"
    if spec.kind == "number" and field.endswith("_fen"):
        return f"{format_yuan(int(value))} 元"
    if spec.kind == "number" and (field.endswith("_share") or field.endswith("_rate")):
        return f"{Decimal(str(value)) * 100:.0f}%"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _supply(cond: Condition) -> str:
    """How to give an empty list a condition needs (the 困难企业名单 is decided by the city)."""
    if cond.op != "in" or cond.value or not cond.param:
        return ""
    listed = cond.param_label or "名单"
    return f"。请用 --param {cond.param}=名称1,名称2 提供{listed}后重新计算"


def _failure_text(req: Requirement, rule_id: str | None) -> pl.Expr:
    """Why a requirement failed, with the row's own values, as a sentence: A8 E6：「考核结果」须为 合格，
    本行为「不合格」（S2c 二(四)4）."""
    # A rule's own requirement is named by the rule (A6), not by its generated id (A6.category).
    # Built-in requirements (policy.not-in-force …) are named by the rule too: their ids are internal.
    own = rule_id is not None and (
        req.id == rule_id or req.id.startswith(f"{rule_id}.") or req.id.startswith("policy.")
    )
    name = rule_id if own else " ".join(part for part in (rule_id, req.id) if part)
    if req.reason_zh:
        return pl.lit(f"{name}：{req.reason_zh}（{req.clause}）")
    parts = [
        pl.when(condition_expr(c) == False).then(  # noqa: E712 - Kleene: only a definite false
            pl.concat_str([pl.lit(_condition_text(c) + "；本行为「"), _shown(c.field), pl.lit("」" + _supply(c))])
        )
        for c in req.require
    ]
    joined = pl.concat_str(parts, separator="；", ignore_nulls=True)
    return pl.concat_str([pl.lit(f"{name}：不符合条件，"), joined, pl.lit(f"（{req.clause}）")])


def _missing_field(req: Requirement) -> pl.Expr:
    """The first field whose missing value leaves the requirement undecided."""
    return pl.coalesce(
        [
            pl.when(pl.col(c.field).is_null() & ~pl.lit(bool(FIELDS[c.field].blank_reads_as))).then(pl.lit(c.field))
            for c in req.require
        ]
    )


def all_of(conds: tuple[Condition, ...], alias: dict[str, str] | None = None) -> pl.Expr:
    """All conditions hold; ``alias`` tests a field through another column (field → column)."""
    alias = alias or {}
    return pl.all_horizontal([condition_expr(c, alias.get(c.field)) for c in conds]) if conds else pl.lit(True)


# -- amounts -----------------------------------------------------------------------------------
def _half_up(numerator: pl.Expr, denominator: int) -> pl.Expr:
    return (numerator * 2 + denominator) // (2 * denominator)


def _ratio(factor: Decimal) -> tuple[int, int]:
    sign, digits, exponent = factor.as_tuple()
    assert isinstance(exponent, int)
    numerator = int("".join(map(str, digits))) * (-1 if sign else 1)
    return (numerator * 10**exponent, 1) if exponent >= 0 else (numerator, 10**-exponent)


def yuan_text(fen: pl.Expr) -> pl.Expr:
    """Fen as yuan text with two decimals, for formulas: 150000 → 1500.00."""
    return pl.concat_str([(fen // 100).cast(pl.String), pl.lit("."), (fen % 100).cast(pl.String).str.zfill(2)])


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    in_scope: pl.Expr
    fail_code: pl.Expr
    fail_text: pl.Expr
    missing_field: pl.Expr
    rate: pl.Expr  # fen before units; null when the level has no rate
    amount: pl.Expr
    amount_problem: pl.Expr  # (code, field) pair encoded as "code|field" or null
    formula: pl.Expr
    alias_differs: pl.Expr  # the rule's decision would change if an unknown value were its likely alias


def _rate_expr(rule: Rule) -> tuple[pl.Expr, pl.Expr]:
    """(rate in fen, problem) — problem "payout.no-rate|level" when the table has no rate."""
    rate = rule.amount.rate
    if rate.by_year is not None:
        # A dated value (S2c 三(十二): 上一年度…最低生活保障月标准): a year the table does not list
        # has no rate, so the row is an exception naming the year, never paid with another year's value.
        year = (pl.col(rate.year_of).dt.year() + rate.year_offset).cast(pl.Int64)
        looked = year.replace_strict(rate.by_year, default=None, return_dtype=pl.Int64)
        undated: pl.Expr = (
            pl.when(pl.col(rate.year_of).is_null())
            .then(pl.lit(f"payout.missing-input|{rate.year_of}"))
            .when(looked.is_null())
            .then(pl.lit(f"payout.no-year-rate|{rate.year_of}"))
        )
        return looked, undated
    if rate.catalogue is not None:
        # A catalogue amount (S2c 二(五)2 《苏州市就业技能培训补贴目录和补贴标准》): by occupation and
        # level first, then by occupation; an occupation not in the catalogue is an exception.
        keyed = pl.concat_str([pl.col("occupation"), pl.lit("|"), pl.col("level")])
        looked = pl.coalesce(
            keyed.replace_strict(rate.catalogue, default=None, return_dtype=pl.Int64),
            pl.col("occupation").replace_strict(rate.catalogue, default=None, return_dtype=pl.Int64),
        )
        unlisted: pl.Expr = pl.when(looked.is_null()).then(pl.lit("payout.no-catalogue-rate|occupation"))
        return looked, unlisted
    if rate.by_level is None:
        return pl.lit(rate.fen, pl.Int64), pl.lit(None, pl.String)
    table = {k.value: v for k, v in rate.by_level.items() if v is not None}
    looked = pl.col("level").replace_strict(table, default=None, return_dtype=pl.Int64)
    problem = (
        pl.when(pl.col("level").is_null())
        .then(pl.lit("payout.missing-input|level"))
        .when(looked.is_null())
        .then(pl.lit("payout.no-rate|level"))
    )
    return looked, problem


def _amount_expr(rule: Rule) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """(rate, amount, problem, formula) in fen for one rule."""
    spec = rule.amount
    rate, problem = _rate_expr(rule)
    formula_rate = yuan_text(rate)
    if spec.form == "fixed":
        amount, formula = rate, formula_rate
    elif spec.form == "per_day":
        days = pl.min_horizontal(pl.col("attended_days"), pl.col("required_days"))
        if spec.max_units:
            days = pl.min_horizontal(days, pl.lit(spec.max_units))
        amount = rate * days
        formula = pl.concat_str([formula_rate, pl.lit(" × "), days.cast(pl.String), pl.lit(" 天")])
        if spec.divisor:
            amount = _half_up(rate * days, spec.divisor)
            formula = pl.concat_str([formula, pl.lit(f" ÷ {spec.divisor}")])
        problem = pl.coalesce(
            problem,
            pl.when(pl.col("attended_days").is_null() | pl.col("required_days").is_null()).then(
                pl.lit("payout.no-attendance|attended_days")
            ),
        )
    elif spec.form == "per_month":
        months = pl.col("training_months")
        if spec.max_units:
            months = pl.min_horizontal(months, pl.lit(spec.max_units))
        amount = rate * months
        formula = pl.concat_str([formula_rate, pl.lit(" × "), months.cast(pl.String), pl.lit(" 个月")])
        problem = pl.coalesce(problem, pl.when(months.is_null()).then(pl.lit("payout.missing-input|end_date")))
    elif spec.form == "ceiling":
        amount = pl.min_horizontal(pl.col("fee_fen"), rate)
        formula = pl.concat_str(
            [pl.lit("min(实际费用 "), yuan_text(pl.col("fee_fen")), pl.lit(", 上限 "), formula_rate, pl.lit(")")]
        )
        problem = pl.coalesce(problem, pl.when(pl.col("fee_fen").is_null()).then(pl.lit("payout.no-fee|fee_yuan")))
    elif spec.form == "annual_prorated":
        months = pl.col("training_months")
        if spec.months_cap:
            months = pl.min_horizontal(months, pl.lit(spec.months_cap))
        amount = _half_up(rate * months, 12)
        formula = pl.concat_str([formula_rate, pl.lit("/年 × "), months.cast(pl.String), pl.lit(" 个月 ÷ 12")])
        problem = pl.coalesce(problem, pl.when(months.is_null()).then(pl.lit("payout.missing-input|end_date")))
    else:  # monthly_active
        amount = pl.when(pl.col("active_in_period")).then(rate).otherwise(pl.lit(0, pl.Int64))
        formula = pl.concat_str([formula_rate, pl.lit(" × 本月在训")])
    if spec.multiplier is not None:
        num, den = _ratio(spec.multiplier.factor)
        blocks = spec.multiplier.any_of or (spec.multiplier.when,)
        applies = pl.any_horizontal([all_of(block).fill_null(False) for block in blocks])
        amount = pl.when(applies).then(_half_up(amount * num, den)).otherwise(amount)
        formula = (
            pl.when(applies)
            .then(pl.concat_str([formula, pl.lit(f" × {spec.multiplier.factor}（{spec.multiplier.label}）")]))
            .otherwise(formula)
        )
    formula = pl.concat_str([formula, pl.lit(" = "), yuan_text(amount)])
    return rate, amount.cast(pl.Int64), problem, formula


ALIAS_COLUMNS = {"category": "category_alias"}


def dropped_conditions(
    policy: Policy, absent: frozenset[str]
) -> list[tuple[tuple[str, ...], Requirement, tuple[str, ...]]]:
    """Requirements decided without a condition because no sheet of the batch has its column:
    (rule ids they apply to, the requirement, the absent fields). ``if_absent: hold`` keeps them."""
    found = []
    every = tuple(r.id for r in policy.rules)
    for rule_ids, requirements in ((every, policy.eligibility), *((((r.id,), r.require)) for r in policy.rules)):
        for req in requirements:
            fields = tuple(dict.fromkeys(c.field for c in req.require if c.field in absent))
            if fields and not req.hold_if_absent:
                found.append((rule_ids, req, fields))
    return found


def _without_absent(req: Requirement, absent: frozenset[str]) -> Requirement:
    if req.hold_if_absent or not any(c.field in absent for c in req.require):
        return req
    kept = tuple(c for c in req.require if c.field not in absent)
    return Requirement(req.id, req.clause, kept, req.when, req.reason_zh, req.reason_en, req.hold_if_absent)


def compile_rule(rule: Rule, policy: Policy, absent: frozenset[str] = frozenset()) -> CompiledRule:
    """``absent``: fields no sheet of the batch carries; their conditions are dropped (said once by
    the caller) unless the requirement is marked ``if_absent: hold``."""
    requirements = tuple(
        _without_absent(req, absent) for req in (*_built_in(policy, rule), *policy.eligibility, *rule.require)
    )
    requirements = tuple(req for req in requirements if req.require)
    fails = []
    texts = []
    missing = []
    for req in requirements:
        applies = all_of(req.when).fill_null(False)
        ok = all_of(req.require)
        fails.append(pl.when(applies & (ok == False)).then(pl.lit(req.id)))  # noqa: E712
        texts.append(pl.when(applies & (ok == False)).then(_failure_text(req, rule.id)))  # noqa: E712
        missing.append(pl.when(applies & ok.is_null()).then(_missing_field(req)))
    # Paying a person who did not pay is a requirement of its own (Shanxi A4: 个人 → not eligible).
    if rule.payee == "by_payer":
        refused = [payer for payer, target in rule.payee_by_payer.items() if target == INELIGIBLE]
        if refused:
            hit = pl.col("payer").is_in(refused).fill_null(False)
            fails.append(pl.when(hit).then(pl.lit(f"{rule.id}.payer")))
            texts.append(
                pl.when(hit).then(
                    pl.concat_str(
                        [
                            pl.lit(f"{rule.id} 出资方为「"),
                            pl.col("payer"),
                            pl.lit(f"」，本补贴只补企业或培训机构（{rule.clause}）"),
                        ]
                    )
                )
            )
        if BLANK_PAYER not in rule.payee_by_payer:
            missing.append(pl.when(pl.col("payer").is_null()).then(pl.lit("payer")))
    # A row is about this rule when its scope holds; when the scope is undecided because a field
    # is blank, the row is an exception naming that field. (A blank 人员类别 is not undecided: it
    # means no listed group.)
    scope = all_of(rule.scope)
    undecided = [pl.when(scope.is_null() & pl.col(c.field).is_null()).then(pl.lit(c.field)) for c in rule.scope]
    # An unknown value that looks like another name for a listed one (贫困户 → 脱贫劳动力) holds the
    # rule when reading it as that name would change whether the rule applies or passes.
    tested = (*rule.scope, *(c for req in requirements for c in req.require))
    aliased = {c.field for c in tested if c.field in ALIAS_COLUMNS}
    differs = pl.lit(False)
    alias_scope = pl.lit(False)
    if aliased:
        names = {f: ALIAS_COLUMNS[f] for f in aliased}
        conds = tuple(c for c in tested if c.field in aliased)
        alias_scope = all_of(rule.scope, names).fill_null(False)
        as_is = scope.fill_null(False) & all_of(conds).fill_null(False)
        as_alias = alias_scope & all_of(conds, names).fill_null(False)
        known = pl.any_horizontal([pl.col(names[f]).is_not_null() for f in aliased])
        # A requirement that fails whatever the value is (出资方 个人 for A3) decides the rule alone.
        others = [
            all_of(req.when).fill_null(False) & (all_of(req.require) == False)  # noqa: E712
            for req in requirements
            if not any(c.field in aliased for c in req.require)
        ]
        fails_anyway = pl.any_horizontal(others).fill_null(False) if others else pl.lit(False)
        differs = known & (as_is != as_alias) & ~fails_anyway
    rate, amount, problem, formula = _amount_expr(rule)
    return CompiledRule(
        rule,
        scope.fill_null(False) | scope.is_null() | alias_scope,
        pl.coalesce(fails),
        pl.coalesce(texts),
        pl.coalesce([*undecided, *missing]),
        rate,
        amount,
        problem,
        formula,
        differs,
    )


def _built_in(policy: Policy, rule: Rule | None = None) -> tuple[Requirement, ...]:
    """Requirements every rule has: the policy in force on the training's end date, and the class
    closed by the end of the batch month (except monthly allowances, paid while it runs)."""
    # A monthly allowance is in force for the batch month; any other subsidy for the end date.
    on = "batch_month_end" if rule is not None and rule.amount.form == "monthly_active" else "end_date"
    window = [Condition(on, "min", policy.effective_from)]
    if policy.effective_to is not None:
        window.append(Condition(on, "max", policy.effective_to))
    to = policy.effective_to.isoformat() if policy.effective_to else "…"
    # The reasons are the catalogue's (docs/findings.md lists these codes with the checks' own).
    zh, en = render("policy.not-in-force", detail=f"{policy.effective_from.isoformat()}～{to}")
    found = [Requirement("policy.not-in-force", policy.title, tuple(window), reason_zh=zh, reason_en=en)]
    if rule is None or rule.amount.form != "monthly_active":
        zh, en = render("policy.not-closed")
        found.append(
            Requirement(
                "policy.not-closed", "结班后发放", (Condition("closed", "eq", True),), reason_zh=zh, reason_en=en
            )
        )
    return tuple(found)


def payee_exprs(rule: Rule) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(payee type, payee id, payee name) for one rule (E6 by 出资方 when ``by_payer``).

    ``organiser``: the body that ran the training is paid — the row's 培训机构 when its institution
    columns are filled, else its 单位 (Jin'an A20: the cooperative may be entered either way). A rule
    that names the enterprise or the institution itself is never redirected to the other.
    """
    if rule.payee == "organiser":
        named = pl.col("institution_uscc").is_not_null() | pl.col("institution").is_not_null()
        kind = pl.when(named).then(pl.lit("institution")).otherwise(pl.lit("enterprise"))
    elif rule.payee != "by_payer":
        kind = pl.lit(rule.payee)
    else:
        mapping = {k: v for k, v in rule.payee_by_payer.items() if v != INELIGIBLE and k != BLANK_PAYER}
        kind = pl.col("payer").replace_strict(mapping, default=None, return_dtype=pl.String)
        if BLANK_PAYER in rule.payee_by_payer:
            kind = pl.when(pl.col("payer").is_null()).then(pl.lit(rule.payee_by_payer[BLANK_PAYER])).otherwise(kind)
    ident = (
        pl.when(kind == "person")
        .then(pl.col("id_number"))
        .when(kind == "enterprise")
        .then(pl.col("employer_uscc"))
        .when(kind == "institution")
        .then(pl.col("institution_uscc"))
    )
    name = (
        pl.when(kind == "person")
        .then(pl.col("name"))
        .when(kind == "enterprise")
        .then(pl.col("employer_name"))
        .when(kind == "institution")
        .then(pl.col("institution"))
    )
    return kind, ident, name


# -- the whole policy --------------------------------------------------------------------------
@dataclass(slots=True)
class Outcome:
    """The result of a policy over a batch."""

    lines: pl.DataFrame  # one row per payment
    exceptions: pl.DataFrame  # findings (findings.FINDING_SCHEMA + _rid) for every excepted roster row
    ineligible: pl.DataFrame  # _rid, person_id, name, training_type, reason_code, reason
    status: pl.DataFrame  # _rid, _file, _sheet, _row, status
    per_rule: pl.DataFrame  # long: _rid × rule with status, amount, formula (for explain and reports)


def _ensure_columns(frame: pl.DataFrame) -> pl.DataFrame:
    needed: dict[str, Any] = {
        "name": pl.String,
        "training_type": pl.String,
        "category": pl.String,
        "payer": pl.String,
        "employer_uscc": pl.String,
        "employer_name": pl.String,
        "institution_uscc": pl.String,
        "institution": pl.String,
        "fee_fen": pl.Int64,
        "advance_fen": pl.Int64,
        "insured": pl.Boolean,
        "pensioner": pl.Boolean,
        "insured_months": pl.Int64,
        "role": pl.String,
        "category_alias": pl.String,
    }
    missing = [pl.lit(None, dtype).alias(name) for name, dtype in needed.items() if name not in frame.columns]
    return frame.with_columns(missing) if missing else frame


def evaluate_rules(derived: pl.DataFrame, policy: Policy, absent: frozenset[str] = frozenset()) -> pl.DataFrame:
    """Every rule against every row, long format: one row per (_rid, rule) in scope.

    Each rule runs in two steps: its building blocks (the first failing requirement, the first
    missing field, the amount, the payee) become columns once, then the status, code and reason
    are read off those columns. One big expression instead would repeat every block in every
    branch of the when-chains — Polars does not share them — and cost several times more.
    ``absent``: fields no sheet of the batch carries (see ``compile_rule``).
    """
    frame = _ensure_columns(derived)
    parts = []
    for rule in policy.rules:
        c = compile_rule(rule, policy, absent)
        kind, ident, payee_name = payee_exprs(rule)
        blocks = (
            frame.lazy()
            .filter(c.in_scope)
            .select(
                "_rid",
                c.fail_code.alias("__fail"),
                c.fail_text.alias("__fail_text"),
                c.missing_field.alias("__missing"),
                c.alias_differs.alias("__alias"),
                pl.concat_str([pl.col("category"), pl.lit(" ≈ "), pl.col("category_alias")]).alias("__alias_value"),
                c.amount_problem.alias("__problem"),
                c.amount.alias("amount_fen"),
                c.formula.alias("formula"),
                kind.alias("payee_type"),
                ident.alias("payee_id"),
                payee_name.alias("payee_name"),
            )
            .with_columns(
                pl.col("__problem").str.split("|").list.get(0, null_on_oob=True).alias("__problem_code"),
                pl.col("__problem").str.split("|").list.get(1, null_on_oob=True).alias("__problem_field"),
            )
        )
        fail, missing, alias = pl.col("__fail"), pl.col("__missing"), pl.col("__alias")
        problem, amount = pl.col("__problem_code"), pl.col("amount_fen")
        payee, payee_id = pl.col("payee_type"), pl.col("payee_id")
        missing_code = (
            # A column no sheet of the batch has is not a blank cell to look for: say so (the
            # certificate message already says "no certificate sheet, or the column is missing").
            pl.when(missing.is_in(list(CERT_FIELDS)))
            .then(pl.lit("payout.no-certificate-data"))
            .when(missing.is_in(sorted(absent)))
            .then(pl.lit("payout.column-not-in-batch"))
            .when(missing.is_in(list(ATTENDANCE_FIELDS)))
            .then(pl.lit("payout.no-attendance"))
            .otherwise(pl.lit("payout.missing-input"))
        )
        payee_field = (
            pl.when(payee == "person")
            .then(pl.lit("id_number"))
            .when(payee == "enterprise")
            .then(pl.lit("employer_uscc"))
            .when(payee == "institution")
            .then(pl.lit("institution_uscc"))
        )
        status = (
            pl.when(alias)
            .then(pl.lit("exception"))
            .when(fail.is_not_null())
            .then(pl.lit("ineligible"))
            .when(missing.is_not_null() | problem.is_not_null() | payee.is_null() | payee_id.is_null())
            .then(pl.lit("exception"))
            .when(amount <= 0)
            .then(pl.lit("ineligible"))
            .otherwise(pl.lit("paid"))
        )
        code = (
            pl.when(alias)
            .then(pl.lit("payout.likely-alias"))
            .when(fail.is_not_null())
            .then(fail)
            .when(missing.is_not_null())
            .then(missing_code)
            .when(problem.is_not_null())
            .then(problem)
            .when(payee.is_null())
            .then(pl.lit("payout.missing-input"))
            .when(payee_id.is_null())
            .then(pl.lit("payout.payee-missing"))
            .when(amount <= 0)
            .then(pl.lit(f"{rule.id}.zero"))
        )
        field = (
            pl.when(alias)
            .then(pl.lit("category"))
            .when(fail.is_not_null())
            .then(pl.lit(None, pl.String))
            .when(missing.is_not_null())
            .then(missing)
            .when(problem.is_not_null())
            .then(pl.col("__problem_field"))
            .when(payee.is_null())
            .then(pl.lit("payer"))
            .when(payee_id.is_null())
            .then(payee_field)
        )
        text = (
            pl.when(alias)
            .then(pl.col("__alias_value"))
            .when(fail.is_not_null())
            .then(pl.col("__fail_text"))
            .when(amount <= 0)
            .then(
                pl.concat_str([pl.lit(f"{rule.id} 计算金额为 0（"), pl.col("formula"), pl.lit(f"）（{rule.clause}）")])
            )
        )
        parts.append(
            blocks.select(
                "_rid",
                pl.lit(rule.id).alias("rule"),
                status.alias("rule_status"),
                code.alias("code"),
                field.alias("field"),
                text.alias("reason"),
                "amount_fen",
                "formula",
                "payee_type",
                "payee_id",
                "payee_name",
                pl.lit(rule.counts).alias("counts"),
            )
        )
    schema = {
        "_rid": pl.UInt32,
        "rule": pl.String,
        "rule_status": pl.String,
        "code": pl.String,
        "field": pl.String,
        "reason": pl.String,
        "amount_fen": pl.Int64,
        "formula": pl.String,
        "payee_type": pl.String,
        "payee_id": pl.String,
        "payee_name": pl.String,
        "counts": pl.Boolean,
    }
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(pl.collect_all(parts), how="vertical_relaxed")


def rule_order(policy: Policy) -> dict[str, int]:
    return {rule.id: i for i, rule in enumerate(policy.rules)}


def today() -> dt.date:  # pragma: no cover - indirection for tests
    return dt.date.today()


def location_expr() -> pl.Expr:
    return location(pl.col("_file"), pl.col("_sheet"), pl.col("_row"))
