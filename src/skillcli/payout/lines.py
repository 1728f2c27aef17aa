"""Payment lines: one per paying rule of a row, with its rule, clause, formula and claim key."""

from __future__ import annotations

import polars as pl

from skillcli.model import LEVEL_LABELS
from skillcli.rules.model import Policy

LEVEL_NAMES = {k.value: v for k, v in LEVEL_LABELS.items()}


def claim_key(monthly: list[str] | None = None, period: str = "") -> pl.Expr:
    """Person + rule + occupation + level + training period: one claim, paid once (idempotence).

    A monthly allowance (``monthly_active``) is one claim per batch month, so its key adds the month.
    """
    key = pl.concat_str(
        [
            pl.col(c).cast(pl.String).fill_null("")
            for c in ("id_number", "rule", "occupation", "level", "start_date", "end_date")
        ],
        separator="|",
    )
    if monthly:
        key = pl.when(pl.col("rule").is_in(monthly)).then(pl.concat_str([key, pl.lit(f"|{period}")])).otherwise(key)
    return key


def payment_lines(derived: pl.DataFrame, paid: pl.DataFrame, policy: Policy, period: str) -> pl.DataFrame:
    order = {r.id: i for i, r in enumerate(policy.rules)}
    info = {r.id: (r.subsidy, r.clause) for r in policy.rules}
    frame = paid.join(derived, on="_rid", how="left")
    return frame.select(
        "_rid",
        "_file",
        "_sheet",
        "_row",
        pl.col("id_number").alias("person_id"),
        "name",
        pl.col("rule").replace_strict({k: v[0] for k, v in info.items()}, return_dtype=pl.String).alias("subsidy"),
        "occupation",
        pl.col("level").replace_strict(LEVEL_NAMES, default="", return_dtype=pl.String).alias("level"),
        "training_type",
        "payee_type",
        "payee_id",
        "payee_name",
        pl.col("amount_fen").alias("entitlement_fen"),
        pl.col("advance_fen").fill_null(0).alias("advance_fen")
        if "advance_fen" in frame.columns
        else pl.lit(0, pl.Int64).alias("advance_fen"),
        "rule",
        pl.col("rule").replace_strict({k: v[1] for k, v in info.items()}, return_dtype=pl.String).alias("clause"),
        "formula",
        "start_date",
        "end_date",
        "counts",
        "category",
        pl.col("rule").replace_strict(order, return_dtype=pl.Int64).alias("rule_order"),
        claim_key([r.id for r in policy.rules if r.amount.form == "monthly_active"], period).alias("claim_key"),
        pl.col("level").alias("level_code"),
        pl.col("has_cert").fill_null(False).alias("certified"),
        *(pl.col(c) for c in ("bank_account", "account_name") if c in frame.columns),
    )
