"""Rows no rule pays, each with the reasons of every rule about it, or that no rule is."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from skillcli.findings import CATALOGUE, announce, template_expr
from skillcli.rules.compile import formula_in
from skillcli.rules.model import Policy

# ``Decision.ineligible``: one row per roster row no rule pays, with every reason (codes ;-joined).
INELIGIBLE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "_rid": pl.UInt32,
    "_file": pl.String,
    "_sheet": pl.String,
    "_row": pl.Int64,
    "person_id": pl.String,
    "name": pl.String,
    "training_type": pl.String,
    "reason_code": pl.String,
    "reason": pl.String,
    "reason_en": pl.String,
}


# The fields that say which of a policy's rules a row is for (A17 for a level on the scale, A18 for
# 无等级): a rule failing only on them was never the row's, while another rule was.
CLASSIFYING_FIELDS = frozenset({"level", "training_type", "category", "occupation"})


def classifying_requirements(policy: Policy) -> frozenset[str]:
    """The ids of the rules' own requirements that only classify the row (``CLASSIFYING_FIELDS``)."""
    return frozenset(
        req.id
        for rule in policy.rules
        for req in rule.require
        if req.require and all(c.field in CLASSIFYING_FIELDS for c in req.require)
    )


def ineligible_rows(
    derived: pl.DataFrame,
    per_rule: pl.DataFrame,
    status: pl.DataFrame,
    classifying: frozenset[str] = frozenset(),
    labels: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """One line per ineligible row: the reasons of every rule about it, or that no rule is.

    A rule that failed on a ``classifying`` requirement (it is for another level) is left out of
    the reason when another rule could have applied: a 中级工 trainee who did not pass is told
    about the pass, not that the 无等级 rule is for 无等级 occupations."""
    rows = status.filter(pl.col("status") == "ineligible").select("_rid")
    failed = per_rule.filter(pl.col("rule_status") == "ineligible")
    other = pl.col("code").is_in(list(classifying))
    failed = failed.filter(~other | (~other).not_().all().over("_rid"))
    # One reason per requirement: an eligibility item failing under several rules is said once.
    reasons = (
        failed.unique(subset=["_rid", "code"], keep="first", maintain_order=True)
        .group_by("_rid", maintain_order=True)
        .agg(
            pl.col("code").str.join(";").alias("reason_code"),
            pl.col("reason").str.join("；").alias("reason"),
            # A zero amount's reason quotes its formula, worded in English here for these rows only.
            formula_in(pl.col("reason_en").str.join("; "), "en", labels).alias("reason_en"),
        )
    )
    joined = rows.join(reasons, on="_rid", how="left").join(derived, on="_rid", how="left")
    no_rule = pl.col("reason_code").is_null()
    announce(c for c in joined.get_column("reason_code").str.split(";").explode().drop_nulls() if c in CATALOGUE)
    if joined.filter(no_rule).height:
        announce(["policy.no-rule"])
    return joined.select(
        "_rid",
        "_file",
        "_sheet",
        "_row",
        pl.col("id_number").alias("person_id"),
        "name",
        "training_type",
        pl.col("reason_code").fill_null("policy.no-rule"),
        pl.coalesce(
            pl.col("reason"),
            template_expr(CATALOGUE["policy.no-rule"].zh, {"value": pl.col("training_type").fill_null("空")}),
        ).alias("reason"),
        pl.coalesce(
            pl.col("reason_en"),
            template_expr(CATALOGUE["policy.no-rule"].en, {"value": pl.col("training_type").fill_null("blank")}),
        ).alias("reason_en"),
    ).sort("_rid")
