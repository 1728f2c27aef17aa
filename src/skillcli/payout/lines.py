"""Payment lines: one per paying rule of a row, with its rule, clause, formula and claim key."""

from __future__ import annotations

import polars as pl

from skillcli.model import LEVEL_LABELS
from skillcli.rules.model import Policy

LEVEL_NAMES = {k.value: v for k, v in LEVEL_LABELS.items()}

# A decision's payment lines (``Decision.lines``), one per paying rule of a paid row: where the row
# is, who is paid how much under which rule, and the claim key the ledger records it by.
LINE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "_rid": pl.UInt32,  # the roster row's position in the batch
    "_file": pl.String,
    "_sheet": pl.String,
    "_row": pl.Int64,  # the Excel row, as Excel shows it
    "person_id": pl.String,
    "name": pl.String,
    "subsidy": pl.String,  # the rule's subsidy, as the policy names it
    "occupation": pl.String,
    "level": pl.String,  # the level as a clerk reads it (四级/中级工)
    "training_type": pl.String,
    "payee_type": pl.String,
    "payee_id": pl.String,
    "payee_name": pl.String,
    "entitlement_fen": pl.Int64,  # what the rule grants before advances are netted
    "advance_fen": pl.Int64,  # what was advanced on it (roster or ledger)
    "rule": pl.String,
    "clause": pl.String,
    "formula": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "counts": pl.Boolean,  # counts towards the yearly and no-repeat limits
    "category": pl.String,
    "rule_order": pl.Int64,  # the rule's place in the policy, for netting advances in order
    "claim_key": pl.String,
    "level_code": pl.String,
    "certified": pl.Boolean,
    "bank_account": pl.String,
    "account_name": pl.String,
    "amount_fen": pl.Int64,  # what is paid now
    "line_kind": pl.String,  # payment | advance
}


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
