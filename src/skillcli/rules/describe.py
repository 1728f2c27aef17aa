"""A policy's conditions in the words a clerk reads: 「人员类别」须为 就业困难人员 或 零就业家庭成员.

Used for the reason of an ineligible row (``skillcli.rules.compile``), by ``explain`` and by
``rules show``. Nothing here decides anything: which condition failed is computed by the caller
and handed in, so that the wording of a rule can change without touching its evaluation.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from skillcli.rules.fields import FIELDS, label_en
from skillcli.rules.model import Condition, Requirement


def shown_value(field: str) -> pl.Expr:
    """A field's value as text for a reason: levels by their Chinese name, booleans as 是/否."""
    spec = FIELDS[field]
    col = pl.col(field)
    if spec.shown_column:
        # 是（证书 Y… 由本单位颁发，口径 R1）: a derived 是 says where it came from (the Suzhou read could not tell).
        plain = pl.when(col).then(pl.lit("是")).when(~col).then(pl.lit("否")).otherwise(pl.lit("空"))
        return pl.coalesce(pl.col(spec.shown_column), plain)
    if spec.kind == "bool":
        return pl.when(col).then(pl.lit("是")).when(~col).then(pl.lit("否")).otherwise(pl.lit("空"))
    if spec.kind == "level":
        from skillcli.model import LEVEL_LABELS

        return col.replace_strict({k.value: v for k, v in LEVEL_LABELS.items()}, default="空", return_dtype=pl.String)
    if spec.kind == "number" and field.endswith("_share"):
        return (col * 100).round(1).cast(pl.String) + pl.lit("%")
    if field == "contract_months":
        from skillcli.schema.parse import OPEN_ENDED

        # An open-ended contract (无固定期限) is read as ending in 9999: say so, not 95 818 months.
        return (
            pl.when(pl.col("contract_end") == OPEN_ENDED)
            .then(pl.lit("无固定期限"))
            .otherwise(col.cast(pl.String).fill_null("空"))
        )
    return col.cast(pl.String).fill_null("空")


def shown_value_en(field: str) -> pl.Expr:
    """``shown_value`` for an English reason: yes/no, levels as "level 4 / intermediate (四级/中级工)",
    other values as the input wrote them."""
    spec = FIELDS[field]
    col = pl.col(field)
    if spec.shown_column:
        plain = pl.when(col).then(pl.lit("yes")).when(~col).then(pl.lit("no")).otherwise(pl.lit("blank"))
        return pl.coalesce(pl.col(f"{spec.shown_column}_en"), plain)
    if spec.kind == "bool":
        return pl.when(col).then(pl.lit("yes")).when(~col).then(pl.lit("no")).otherwise(pl.lit("blank"))
    if spec.kind == "level":
        from skillcli.model import Level

        return col.replace_strict({k.value: k.label_en for k in Level}, default="blank", return_dtype=pl.String)
    if spec.kind == "number" and field.endswith("_share"):
        return (col * 100).round(1).cast(pl.String) + pl.lit("%")
    return col.cast(pl.String).fill_null("blank")


def condition_text_en(cond: Condition) -> str:
    """``condition_text`` in English: '培训类型' must be 以工代训 (values as the input writes them)."""
    label = label_en(cond.field)
    values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    shown = [_value_text_en(cond.field, v) for v in values]
    if not shown:
        param = f" (parameter {cond.param})" if cond.param else ""
        if cond.op == "in":
            return f"{label} must be on a list that is empty{param}"
        return f"{label} must not be on a list (empty for now{param})"
    if cond.op == "in" and cond.param:
        return f"{label} must be on the list of parameter {cond.param} ({', '.join(shown)})"
    return _comparison(cond, label, shown, "en")


def _value_text_en(field: str, value: Any) -> str:
    from skillcli.model import Level

    spec = FIELDS[field]
    if spec.kind == "level":
        return Level(value).label_en
    if spec.kind == "bool":
        return "yes" if value else "no"
    if spec.kind == "number" and field.endswith("_fen"):
        from skillcli.money import format_yuan

        return f"{format_yuan(int(value), grouping=True)} yuan"
    return _value_text(field, value)


def condition_text(cond: Condition) -> str:
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
    return _comparison(cond, label, shown, "zh")


# The words of a comparison in each language: (or, list separator, must be, must not be, not before /
# at least, not after / at most for dates, the same for other values).
_COMPARE_WORDS = {
    "zh": (" 或 ", "、", "{label}须为 {x}", "{label}不得为 {x}", ("须不早于", "须不晚于"), ("须不少于", "须不超过")),
    "en": (
        " or ",
        ", ",
        "{label} must be {x}",
        "{label} must not be {x}",
        ("must be on or after", "must be on or before"),
        ("must be at least", "must be at most"),
    ),
}


def _comparison(cond: Condition, label: str, shown: list[str], lang: str) -> str:
    """``label`` compared with the condition's values (``shown`` as the language writes them)."""
    either, comma, must, must_not, dates, others = _COMPARE_WORDS[lang]
    one_of = either.join(shown) if len(shown) <= 3 else comma.join(shown[:-1]) + either + shown[-1]
    low, high = dates if FIELDS[cond.field].kind == "date" else others
    values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    if FIELDS[cond.field].kind == "date" and cond.op == "min" and str(values[0]) <= "1900-01-01":
        # "Not before 1900" is how a rules file asks for a date to be there at all.
        return f"{label}须已填写" if lang == "zh" else f"{label} must be filled in"
    space = "" if lang == "zh" else " "
    return {
        "in": must.format(label=label, x=one_of),
        "not_in": must_not.format(label=label, x=one_of),
        "eq": must.format(label=label, x=one_of),
        "min": f"{label}{space}{low} {shown[0]}",
        "max": f"{label}{space}{high} {shown[0]}",
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
        return f"{format_yuan(int(value), grouping=True)} 元"
    if spec.kind == "number" and (field.endswith("_share") or field.endswith("_rate")):
        return f"{Decimal(str(value)) * 100:.0f}%"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def supply_hint(cond: Condition) -> str:
    """How to give an empty list a condition needs (the 困难企业名单 is decided by the city)."""
    if cond.op != "in" or cond.value or not cond.param:
        return ""
    listed = cond.param_label or "名单"
    return f"。{listed}不在花名册中，无需改动工作簿：请取得{listed}，由操作 skillcli 的同事用 --param {cond.param}=名称1,名称2 提供后重新计算"


def failure_text_en(req: Requirement, rule_id: str | None, failed: list[pl.Expr]) -> pl.Expr:
    """``failure_text`` in English: A8: not eligible, '考核结果' must be 合格; this row has '不合格' (S2c 二(四)4)."""
    name = _requirement_name(req, rule_id)
    if req.reason_en:
        return pl.lit(f"{name}: {req.reason_en} ({req.clause})")
    parts = [
        pl.when(fails).then(
            pl.concat_str([pl.lit(condition_text_en(c) + "; this row has '"), shown_value_en(c.field), pl.lit("'")])
        )
        for c, fails in zip(req.require, failed, strict=True)
    ]
    joined = pl.concat_str(parts, separator="; ", ignore_nulls=True)
    return pl.concat_str([pl.lit(f"{name}: not eligible, "), joined, pl.lit(f" ({req.clause})")])


def _requirement_name(req: Requirement, rule_id: str | None) -> str:
    """A rule's own requirement is named by the rule (A6), not by its generated id (A6.category).
    Built-in requirements (policy.not-in-force …) are named by the rule too: their ids are internal."""
    own = rule_id is not None and (
        req.id == rule_id or req.id.startswith(f"{rule_id}.") or req.id.startswith("policy.")
    )
    return rule_id if own and rule_id else " ".join(part for part in (rule_id, req.id) if part)


def failure_text(req: Requirement, rule_id: str | None, failed: list[pl.Expr]) -> pl.Expr:
    """Why a requirement failed, with the row's own values, as a sentence: A8 E6：「考核结果」须为 合格，
    本行为「不合格」（S2c 二(四)4）.

    ``failed[i]`` is true where ``req.require[i]`` definitely does not hold on the row (a missing
    value is not a failure: it is an exception, said elsewhere).
    """
    name = _requirement_name(req, rule_id)
    if req.reason_zh:
        return pl.lit(f"{name}：{req.reason_zh}（{req.clause}）")
    parts = [
        pl.when(fails).then(
            pl.concat_str(
                [pl.lit(condition_text(c) + "；本行为「"), shown_value(c.field), pl.lit("」" + supply_hint(c))]
            )
        )
        for c, fails in zip(req.require, failed, strict=True)
    ]
    joined = pl.concat_str(parts, separator="；", ignore_nulls=True)
    return pl.concat_str([pl.lit(f"{name}：不符合条件，"), joined, pl.lit(f"（{req.clause}）")])
