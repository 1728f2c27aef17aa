"""Compile a policy's rules to Polars expressions over the derived roster (``skillcli.rules.derive``).

Each rule becomes its scope (which rows it is about), its requirements (each a reason when false,
an exception when its input is missing), an amount in integer fen with the formula that shows how
it was reached, and a payee. ``skillcli.rules.evaluate`` runs these expressions over a batch; the
sentences of a reason come from ``skillcli.rules.describe``.

Conditions use Kleene logic: a missing value leaves a condition null, never false, so a blank
cell is an exception naming the column and never a silent refusal. Amounts are Int64 fen, rounded
half-up by ``skillcli.money.round_half_up_expr``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from skillcli.findings import render
from skillcli.model import Level
from skillcli.money import formula_text_expr, ratio, round_half_up_expr, yuan_text_expr
from skillcli.rules.describe import failure_text, failure_text_en
from skillcli.rules.fields import FIELDS
from skillcli.rules.model import (
    BLANK_PAYER,
    HALF_MONTH_DAYS,
    INELIGIBLE,
    Amount,
    Condition,
    Multiplier,
    Policy,
    Requirement,
    Rule,
)


# -- conditions --------------------------------------------------------------------------------
def _literal(value: Any) -> Any:
    """A rules file's number as Polars compares it: a whole number (a count, an amount in fen) as an
    exact int; only a fraction (a share such as 0.4) as a float, since Polars has no Decimal literal
    for a Float column. Money is never a float here."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
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


# -- a compiled rule ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CompiledRule:
    """One rule as expressions over the derived roster, each read once per row by the evaluator."""

    rule: Rule
    in_scope: pl.Expr
    fail_code: pl.Expr
    fail_text: pl.Expr
    fail_text_en: pl.Expr
    missing_field: pl.Expr
    rate: pl.Expr  # fen before units; null when the level has no rate
    amount: pl.Expr
    amount_problem: pl.Expr  # (code, field) pair encoded as "code|field" or null
    formula: pl.Expr
    alias_differs: pl.Expr  # the rule's decision would change if an unknown value were its likely alias


# -- amounts -----------------------------------------------------------------------------------
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
    amount, formula, missing = _units(spec, rate, _rate_text(rule, rate))
    if missing is not None:
        problem = pl.coalesce(problem, missing)
    # A fixed rate with nothing applied to it is a single term: it is its own result.
    single: pl.Expr | bool = spec.form == "fixed"
    if spec.multiplier is not None:
        amount, formula, applies = _multiplied(spec.multiplier, amount, formula)
        single = (~applies) if spec.form == "fixed" else False
    formula = formula_text_expr(formula, amount, single=single)
    if spec.form == "annual_prorated":
        formula = pl.concat_str([formula, _months_notes(spec)])
    return rate, amount.cast(pl.Int64), problem, formula


def _rate_text(rule: Rule, rate: pl.Expr) -> pl.Expr:
    """The rate as the formula's first term: from a table by level, with the table row it was read
    from (四级/中级工 1,500.00); otherwise the amount alone (1,500.00)."""
    text = yuan_text_expr(rate, grouping=True)
    by_level = rule.amount.rate.by_level
    if by_level is None:
        return text
    labels = {level.value: level.label_zh for level in by_level}
    label = pl.col("level").replace_strict(labels, default=None, return_dtype=pl.String)
    return pl.when(label.is_not_null()).then(pl.concat_str([label, pl.lit(" "), text])).otherwise(text)


def _months_notes(spec: Amount) -> pl.Expr:
    """What the clerk must know about the months an annual_prorated amount counts ("" if nothing):
    the filed period cut the actual one, or the months fall in the special-case band."""
    from skillcli.rules.derive import whole_months

    counted = pl.col("training_months")
    actual = whole_months(pl.col("start_date"), pl.col("end_date"))
    notes = [
        pl.when(pl.col("filed_end_date").is_not_null() & (actual > counted)).then(
            pl.concat_str(
                [pl.lit("；实际培训 "), actual.cast(pl.String), pl.lit(" 个月，按备案期限计 "), counted.cast(pl.String)]
            )
            + pl.lit(" 个月")
        )
    ]
    if spec.months_special:
        n = spec.months_special
        band = f"{n // 12} 年" if n % 12 == 0 else f"{n} 个月"
        paid = pl.min_horizontal(counted, pl.lit(spec.months_cap)) if spec.months_cap else counted
        notes.append(
            pl.when(paid > n).then(
                pl.concat_str(
                    [
                        pl.lit("；培训期 "),
                        paid.cast(pl.String),
                        pl.lit(f" 个月超过 {band}，按特殊情况计；请核实特殊情况审批"),
                    ]
                )
            )
        )
    return pl.concat_str(notes, ignore_nulls=True).fill_null("")


def _units(spec: Amount, rate: pl.Expr, formula_rate: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr | None]:
    """(amount, formula, problem when an input is missing) for the amount's form, before any multiplier."""
    if spec.form == "fixed":
        return rate, formula_rate, None
    if spec.form == "per_day":
        days = pl.min_horizontal(pl.col("attended_days"), pl.col("required_days"))
        if spec.max_units:
            days = pl.min_horizontal(days, pl.lit(spec.max_units))
        amount = rate * days
        formula = pl.concat_str([formula_rate, pl.lit(" × "), days.cast(pl.String), pl.lit(" 天")])
        if spec.divisor:
            amount = round_half_up_expr(rate * days, spec.divisor)
            formula = pl.concat_str([formula, pl.lit(f" ÷ {spec.divisor}")])
        unknown = pl.col("attended_days").is_null() | pl.col("required_days").is_null()
        return amount, formula, pl.when(unknown).then(pl.lit("payout.no-attendance|attended_days"))
    if spec.form == "per_month":
        months, counted = _counted_months(spec, spec.max_units)
        formula = pl.concat_str([counted, pl.lit(" × "), formula_rate]).str.replace("） × ", "）× ", literal=True)
        return rate * months, formula, pl.when(months.is_null()).then(pl.lit("payout.missing-input|end_date"))
    if spec.form == "ceiling":
        formula = pl.concat_str(
            [
                pl.lit("min(实际费用 "),
                yuan_text_expr(pl.col("fee_fen"), grouping=True),
                pl.lit(", 上限 "),
                formula_rate,
                pl.lit(")"),
            ]
        )
        missing = pl.when(pl.col("fee_fen").is_null()).then(pl.lit("payout.no-fee|fee_yuan"))
        return pl.min_horizontal(pl.col("fee_fen"), rate), formula, missing
    if spec.form == "annual_prorated":
        months, counted = _counted_months(spec, spec.months_cap)
        amount = round_half_up_expr(rate * months, 12)
        formula = pl.concat_str([counted, pl.lit(" ÷ 12 × "), formula_rate, pl.lit("/年")]).str.replace(
            "） ÷ ", "）÷ ", literal=True
        )
        return amount, formula, pl.when(months.is_null()).then(pl.lit("payout.missing-input|end_date"))
    # monthly_active: the batch month counts when the training runs in it as ``part_month`` says.
    days, month = pl.col("days_in_period"), pl.col("batch_month_end").dt.day().cast(pl.Int64)
    if spec.part_month == "count_started":
        counts = days > 0
    elif spec.part_month == "round_half":
        counts = days >= HALF_MONTH_DAYS
    else:
        counts = days >= month
    amount = pl.when(pl.col("active_in_period") & counts).then(rate).otherwise(pl.lit(0, pl.Int64))
    named = f"参数 {spec.part_month_param}={spec.part_month}" if spec.part_month_param else "规则文件"
    part = (
        pl.when((days <= 0) | (days >= month))
        .then(pl.lit(""))
        .when(counts)
        .then(pl.format(f"（本月在训 {{}} 天，不足一月，按{named} 计为 1 个月）", days))
        .otherwise(pl.format(f"（本月在训 {{}} 天，不足一月，按{named} 不计）", days))
    )
    return amount, pl.concat_str([formula_rate, pl.lit(" × 本月在训"), part]), None


def _part_counts(spec: Amount, days: pl.Expr) -> pl.Expr:
    """Whether a part month of ``days`` days counts as a month, as the amount's ``part_month`` says."""
    if spec.part_month == "count_started":
        return days > 0
    if spec.part_month == "round_half":
        return days >= HALF_MONTH_DAYS
    return pl.lit(False)


def months_between(spec: Amount, start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """The months a per-month amount counts from ``start`` to ``end`` (the part month as ``part_month``
    says, no cap): how many months of a row's period an earlier line's period already covers."""
    from skillcli.rules.derive import part_month_days, whole_months

    whole = whole_months(start, end)
    return whole + _part_counts(spec, part_month_days(start, end, whole)).cast(pl.Int32)


def _counted_months(spec: Amount, cap: int | None) -> tuple[pl.Expr, pl.Expr]:
    """(months paid, the text deriving them) for a per-month amount: the whole months of the training
    period, the part month as the rule's ``part_month`` says, then the cap.

    「2021-01-04～2021-04-30 计 3 个月（另 27 天不足一月，按参数 part_month 不计）」: the formula shows how
    the months were counted, because the document is silent on part months (S2c 二(四)2).
    """
    whole, days = pl.col("training_months"), pl.col("training_part_days")
    named = f"参数 {spec.part_month_param}" if spec.part_month_param else "规则文件"
    mode = "" if spec.part_month == "whole_months_only" or not spec.part_month_param else f"={spec.part_month}"
    counts = _part_counts(spec, days)
    months = whole + counts.cast(pl.Int32)
    short = "不足半月" if spec.part_month == "round_half" else "不足一月"
    part = (
        pl.when(days <= 0)
        .then(pl.lit(""))
        .when(counts)
        .then(pl.format(f"（{{}} 个月另 {{}} 天，按{named}{mode} 计为 1 个月）", whole, days))
        .otherwise(pl.format(f"（另 {{}} 天{short}，按{named}{mode} 不计）", days))
    )
    counted = pl.format(
        "{}～{} 计 {} 个月{}", pl.col("start_date"), pl.col("training_counted_end"), months, part.fill_null("")
    )
    if cap:
        counted = pl.when(months > cap).then(pl.format(f"{{}}，最多 {cap} 个月", counted)).otherwise(counted)
        months = pl.min_horizontal(months, pl.lit(cap))
    return months, counted


# The formula's words in English (``formula_in``): the formulas above are built from these pieces only.
_FORMULA_EN: tuple[tuple[str, str], ...] = (
    # Advances (payout.advances): the advance paid now, and what a settlement deducts and from where.
    (r"；本次预拨 ", "; advanced now "),
    (r"；([\d,.]+) − 已预拨 ([\d,.]+)（", "; ${1} − advanced ${2} ("),
    (r"花名册「已预拨金额」", "roster column 已预拨金额"),
    (r"）= ", ") = "),
    # A person's months across batches (payout.months): what earlier lines paid, and what is left.
    (r"，其中 (\d+) 个月已于 ", ", of which ${1} months were paid in "),
    (r"，此前已发放 (\d+) 个月（", ", ${1} months paid before ("),
    (r"(\d{4}-\d{2}) 批次（([^）]*)）第 (\d+) 笔 (\d+) 个月", "run ${1} (${2}), line ${3}: ${4} months"),
    (r"「([^」]*)」第 (\d+) 行 (\d+) 个月", "row ${2} of sheet '${1}': ${3} months"),
    (r"(\d{4}-\d{2}) 批次（([^）]*)）第 (\d+) 笔", "run ${1} (${2}), line ${3}"),
    (r"「([^」]*)」第 (\d+) 行", "row ${2} of sheet '${1}'"),
    (r"、(row|run) ", ", ${1} "),
    (r" months）", " months)"),
    (r" 发放，本次 (\d+) 个月 × ", "; now ${1} months × "),
    (r"，每人最多 (\d+) 个月", ", at most ${1} months per person"),
    (r"，本次 (\d+) 个月 × ", ", now ${1} months × "),
    (r"（本月在训 (\d+) 天，不足一月，", " (${1} days of this month in training, less than a month, "),
    (r"（另 (\d+) 天不足一月，", " (${1} more days, less than a month, "),
    (r"（另 (\d+) 天不足半月，", " (${1} more days, less than half a month, "),
    (r"（(\d+) 个月另 (\d+) 天，", " (${1} months and ${2} days, "),
    (r"按参数 (\S+?) 不计）", "not counted by parameter ${1})"),
    (r"按规则文件 不计）", "not counted by the rules file)"),
    (r"按参数 (\S+?) 计为 1 个月）", "the part month counted as one by parameter ${1})"),
    (r"按规则文件 计为 1 个月）", "the part month counted as one by the rules file)"),
    (r" 计 (\d+) 个月", ": ${1} months"),
    (r"，最多 (\d+) 个月", ", at most ${1} months"),
    (r"/年", "/year"),
    (r" (\d+) 天", " ${1} days"),
    (r"min\(实际费用 ", "min(actual fee "),
    (r", 上限 ", ", cap "),
    (r" × 本月在训", " × in training this month"),
    (r"\)×", ") ×"),
    (r"\)÷", ") ÷"),
)


def multiplier_labels(policy: Policy) -> dict[str, str]:
    """The policy's multiplier labels as a formula shows them (「（A9 紧缺职业（工种）提高30%）」), each by
    its English wording (" (A9 shortage occupation (trade) +30 %)") where the rules file gives one."""
    found: dict[str, str] = {}
    for rule in policy.rules:
        multiplier = rule.amount.multiplier
        if multiplier is not None and multiplier.label and multiplier.label_en:
            found[f"（{multiplier.label}）"] = f" ({multiplier.label_en})"
    return found


def formula_in(formula: pl.Expr, lang: str, labels: Mapping[str, str] | None = None) -> pl.Expr:
    """A line's formula in the reader's language: as built (Chinese) for zh, its words in English for en
    (the table row as "level 4 / intermediate (四级/中级工)", a multiplier by its English label from
    ``labels``, ``multiplier_labels``)."""
    if lang == "zh":
        return formula
    for label, english in (labels or {}).items():
        formula = formula.str.replace_all(label, english, literal=True)
    for pattern, english in _FORMULA_EN:
        formula = formula.str.replace_all(pattern, english)
    for level in (Level.L5, Level.L4, Level.L3, Level.L2, Level.L1):
        formula = formula.str.replace_all(f"(^| ){level.label_zh} ", f"${{1}}{level.label_en} ")
    return formula


def formula_text_in(formula: str, lang: str, labels: Mapping[str, str] | None = None) -> str:
    """``formula_in`` for one formula (explain)."""
    if lang == "zh" or not formula:
        return formula
    return str(pl.select(formula_in(pl.lit(formula), lang, labels)).item())


def _multiplied(multiplier: Multiplier, amount: pl.Expr, formula: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The amount times the multiplier's factor (half-up to the fen) on the rows where it applies:
    (amount, formula, whether it applies)."""
    num, den = ratio(multiplier.factor)
    blocks = multiplier.any_of or (multiplier.when,)
    applies = pl.any_horizontal([all_of(block).fill_null(False) for block in blocks])
    amount = pl.when(applies).then(round_half_up_expr(amount * num, den)).otherwise(amount)
    shown = pl.concat_str([formula, pl.lit(f" × {multiplier.factor}（{multiplier.label}）")])
    return amount, pl.when(applies).then(shown).otherwise(formula), applies


# -- requirements ------------------------------------------------------------------------------
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


def without_absent(req: Requirement, absent: frozenset[str]) -> Requirement:
    """The requirement without its conditions on ``absent`` fields, unless it says ``if_absent: hold``."""
    if req.hold_if_absent or not any(c.field in absent for c in req.require):
        return req
    kept = tuple(c for c in req.require if c.field not in absent)
    return Requirement(req.id, req.clause, kept, req.when, req.reason_zh, req.reason_en, req.hold_if_absent)


def compile_rule(rule: Rule, policy: Policy, absent: frozenset[str] = frozenset()) -> CompiledRule:
    """``absent``: fields no sheet of the batch carries; their conditions are dropped (said once by
    the caller) unless the requirement is marked ``if_absent: hold``."""
    requirements = tuple(
        without_absent(req, absent)
        for req in (*built_in_requirements(policy, rule), *policy.eligibility, *rule.require)
    )
    requirements = tuple(req for req in requirements if req.require)
    fails, texts, texts_en, missing = _requirement_exprs(rule, requirements)
    # A row is about this rule when its scope holds; when the scope is undecided because a field
    # is blank, the row is an exception naming that field. (A blank 人员类别 is not undecided: it
    # means no listed group.)
    scope = all_of(rule.scope)
    undecided = [pl.when(scope.is_null() & pl.col(c.field).is_null()).then(pl.lit(c.field)) for c in rule.scope]
    alias_scope, differs = _alias_exprs(rule, requirements, scope)
    rate, amount, problem, formula = _amount_expr(rule)
    return CompiledRule(
        rule,
        scope.fill_null(False) | scope.is_null() | alias_scope,
        pl.coalesce(fails),
        pl.coalesce(texts),
        pl.coalesce(texts_en),
        pl.coalesce([*undecided, *missing]),
        rate,
        amount,
        problem,
        formula,
        differs,
    )


def _requirement_exprs(
    rule: Rule, requirements: tuple[Requirement, ...]
) -> tuple[list[pl.Expr], list[pl.Expr], list[pl.Expr], list[pl.Expr]]:
    """Per requirement: the id where it fails, the sentence saying why (in Chinese and in English), and
    the field whose blank leaves it undecided."""
    fails: list[pl.Expr] = []
    texts: list[pl.Expr] = []
    texts_en: list[pl.Expr] = []
    missing: list[pl.Expr] = []
    for req in requirements:
        applies = all_of(req.when).fill_null(False)
        ok = all_of(req.require)
        failed = [condition_expr(c) == False for c in req.require]  # noqa: E712 - Kleene: only a definite false
        fails.append(pl.when(applies & (ok == False)).then(pl.lit(req.id)))  # noqa: E712
        texts.append(pl.when(applies & (ok == False)).then(failure_text(req, rule.id, failed)))  # noqa: E712
        texts_en.append(pl.when(applies & (ok == False)).then(failure_text_en(req, rule.id, failed)))  # noqa: E712
        missing.append(pl.when(applies & ok.is_null()).then(_missing_field(req)))
    # Paying a person who did not pay is a requirement of its own (Shanxi A4: 个人 → not eligible).
    if rule.payee == "by_payer":
        refused = [payer for payer, target in rule.payee_by_payer.items() if target == INELIGIBLE]
        if refused:
            hit = pl.col("payer").is_in(refused).fill_null(False)
            fails.append(pl.when(hit).then(pl.lit(f"{rule.id}.payer")))
            said = [
                pl.lit(f"{rule.id} 出资方为「"),
                pl.col("payer"),
                pl.lit(f"」，本补贴只补企业或培训机构（{rule.clause}）"),
            ]
            texts.append(pl.when(hit).then(pl.concat_str(said)))
            said_en = [
                pl.lit(f"{rule.id}: 出资方 (payer) is '"),
                pl.col("payer"),
                pl.lit(
                    f"'; this subsidy is paid only for training an enterprise or an institution paid ({rule.clause})"
                ),
            ]
            texts_en.append(pl.when(hit).then(pl.concat_str(said_en)))
        if BLANK_PAYER not in rule.payee_by_payer:
            missing.append(pl.when(pl.col("payer").is_null()).then(pl.lit("payer")))
    return fails, texts, texts_en, missing


def _alias_exprs(rule: Rule, requirements: tuple[Requirement, ...], scope: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(in scope read through the alias, the decision would differ read through the alias).

    An unknown value that looks like another name for a listed one (贫困户 → 脱贫劳动力) holds the
    rule when reading it as that name would change whether the rule applies or passes.
    """
    tested = (*rule.scope, *(c for req in requirements for c in req.require))
    aliased = {c.field for c in tested if c.field in ALIAS_COLUMNS}
    if not aliased:
        return pl.lit(False), pl.lit(False)
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
    return alias_scope, known & (as_is != as_alias) & ~fails_anyway


def built_in_requirements(policy: Policy, rule: Rule | None = None) -> tuple[Requirement, ...]:
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
    # Their clause is what a clerk looks up: the sentence of the document that states its dates
    # (``effective.clause``, else the document by its reference), and the rule's own clause for when it
    # pays (S3 三(九) "结班后…一次性"), never the notice's whole title or a note.
    ref = policy.document.get("ref", "")
    dates = policy.effective_clause or ref
    found = [Requirement("policy.not-in-force", dates, tuple(window), reason_zh=zh, reason_en=en)]
    if rule is None or rule.amount.form != "monthly_active":
        zh, en = render("policy.not-closed")
        closed = (Condition("closed", "eq", True),)
        found.append(Requirement("policy.not-closed", rule.clause if rule else ref, closed, reason_zh=zh, reason_en=en))
    return tuple(found)


# -- payees ------------------------------------------------------------------------------------
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
    return kind, by_payee(kind, lambda ident, _: pl.col(ident)), by_payee(kind, lambda _, name: pl.col(name))


# The roster columns naming each kind of payee: (its ID or credit code, its name).
PAYEE_COLUMNS = {
    "person": ("id_number", "name"),
    "enterprise": ("employer_uscc", "employer_name"),
    "institution": ("institution_uscc", "institution"),
}


def by_payee(kind: pl.Expr, pick: Callable[[str, str], pl.Expr]) -> pl.Expr:
    """``pick(id column, name column)`` of the payee ``kind`` names on each row; null for no kind.

    The kinds exclude one another, so the first non-null of the per-kind picks is the row's own.
    """
    return pl.coalesce([pl.when(kind == payee).then(pick(*columns)) for payee, columns in PAYEE_COLUMNS.items()])
