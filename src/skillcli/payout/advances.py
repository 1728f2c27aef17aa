"""Advances (E10, E15): pay a share now, or net what was advanced from the final payment."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from skillcli.errors import UsageError
from skillcli.findings import BILINGUAL_MARK
from skillcli.model import PayeeType
from skillcli.money import ratio, round_half_up_expr, yuan_text_expr
from skillcli.payout.history import History
from skillcli.payout.reasons import issues
from skillcli.payout.settled import ledger_line_text
from skillcli.rules.model import Limits, Policy


def check_advance(policy: Policy, share: Decimal | None) -> None:
    if share is None:
        return
    limits = policy.limits
    if not limits.advance_allowed:
        raise UsageError(
            f"政策 {policy.id} 不允许预拨（{limits.advance_id} {limits.advance_clause}）",
            f"policy {policy.id} forbids advances ({limits.advance_id} {limits.advance_clause})",
        )
    if not Decimal(0) < share <= (limits.advance_max_share if limits.advance_max_share is not None else Decimal(1)):
        top = limits.advance_max_share if limits.advance_max_share is not None else Decimal(1)
        raise UsageError(f"预拨比例应在 0 到 {top:%} 之间", f"the advance share must be above 0 and at most {top:%}")


def net_advances(
    lines: pl.DataFrame,
    policy: Policy,
    history: History,
    advance_share: Decimal | None,
    settled_rows: pl.Series | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What to pay now on each line: an advance share, or the entitlement less what was advanced.

    Advances recorded in the ledger are netted claim by claim; otherwise the roster's 已预拨金额 is
    netted from the row's lines in rule order (E10). A policy without advances (E15) refuses both.
    ``settled_rows``: rows with a claim the ledger already paid; their 已预拨金额 was netted then.
    """
    lines = lines.sort("_rid", "rule_order")
    if advance_share is not None:
        return _advance_lines(lines, policy, advance_share)
    return _net_lines(lines, policy, history, settled_rows)


def _advance_lines(lines: pl.DataFrame, policy: Policy, advance_share: Decimal) -> tuple[pl.DataFrame, pl.DataFrame]:
    """An advance batch: ``advance_share`` of each entitlement that may be advanced, half-up to the fen."""
    limits = policy.limits
    # E10 (S2c 三(十三)): only training run by an enterprise or an institution's project-based
    # training may be advanced; each rule lists the payees it may advance. Any other line (a
    # subsidy to a person above all) holds its row out of the advance batch: the final batch
    # then pays it in full, so nothing is lost and nothing is advanced that may not be.
    allowed = {r.id: list(r.advance) for r in policy.rules}
    may = pl.col("payee_type").is_in(pl.col("rule").replace_strict(allowed, return_dtype=pl.List(pl.String)))
    refused = lines.filter(~may).with_columns(pl.col("person_id").alias("id_number"))
    held = issues(refused, pl.lit("payout.not-advanceable"), pl.lit("advance_yuan"), pl.col("rule"), _why_not(limits))
    num, den = ratio(advance_share)
    advanced = (
        lines.filter(may)
        .with_columns(
            round_half_up_expr(pl.col("entitlement_fen") * num, den).alias("amount_fen"),
            pl.lit(0, pl.Int64).alias("advance_fen"),
            pl.lit("advance").alias("line_kind"),
        )
        .with_columns(
            # The formula ends with the advance, so that 计算 agrees with 本次预拨 (E10).
            pl.format(
                "{}；本次预拨 {} × {} = {}",
                pl.col("formula"),
                yuan_text_expr(pl.col("entitlement_fen"), grouping=True),
                pl.lit(f"{advance_share:%}"),
                yuan_text_expr(pl.col("amount_fen"), grouping=True),
            ).alias("formula")
        )
    )
    return advanced.filter(pl.col("amount_fen") > 0), held


def _why_not(limits: Limits) -> pl.Expr:
    """Who a line that is not advanced is paid to, in both languages (the clerk read 「A8 → person」)."""
    payee_zh = pl.col("payee_type").replace_strict({p.value: p.label_zh for p in PayeeType}, default="")
    mark = pl.lit(BILINGUAL_MARK)
    return pl.concat_str(
        [
            mark,
            pl.format(
                f"{limits.advance_id}（{limits.advance_clause}）：{{}} 补贴发给{{}}，不属企业或机构项目制培训",
                pl.col("rule"),
                payee_zh,
            ),
            mark,
            pl.format(
                f"{limits.advance_id} ({limits.advance_clause}): {{}} is paid to the {{}}, not enterprise or "
                "project-based training",
                pl.col("rule"),
                pl.col("payee_type"),
            ),
            mark,
        ]
    )


def _net_lines(
    lines: pl.DataFrame, policy: Policy, history: History, settled_rows: pl.Series | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A final batch: each line's entitlement less the ledger's advances on its claim, then less the
    roster's 已预拨金额 of the row in rule order."""
    ledger_adv = (
        history.lines.filter(pl.col("kind") == "advance")
        .group_by("claim_key")
        .agg(
            pl.col("amount_fen").sum().alias("__ledger_adv"),
            ledger_line_text(pl.col("period"), pl.col("run_id"), pl.col("seq")).str.join("、").alias("__adv_where"),
        )
    )
    lines = lines.join(ledger_adv, on="claim_key", how="left")
    row_has_ledger = pl.col("__ledger_adv").is_not_null().any().over("_rid")
    if settled_rows is not None and settled_rows.len():
        row_has_ledger = row_has_ledger | pl.col("_rid").is_in(settled_rows.implode())
    # Per line: a ledger advance applies to its own claim; the roster's column to the row.
    roster_adv = pl.when(row_has_ledger).then(pl.lit(0, pl.Int64)).otherwise(pl.col("advance_fen"))
    lines = lines.with_columns(
        roster_adv.alias("__roster_adv"), pl.col("__ledger_adv").fill_null(0).alias("__ledger_adv")
    )
    per_row = lines.group_by("_rid", maintain_order=True).agg(
        pl.col("entitlement_fen").sum().alias("__total"),
        (pl.col("__roster_adv").first() + pl.col("__ledger_adv").sum()).alias("__advance"),
        pl.col("_file").first(),
        pl.col("_sheet").first(),
        pl.col("_row").first(),
        pl.col("person_id").first().alias("id_number"),
    )
    held = _advance_problems(per_row.filter(pl.col("__advance") > 0), policy)
    after_ledger = pl.col("entitlement_fen") - pl.col("__ledger_adv")
    cumulative = after_ledger.cum_sum().over("_rid")
    netted = (
        lines.with_columns(
            pl.min_horizontal(after_ledger, (cumulative - pl.col("__roster_adv")).clip(lower_bound=0)).alias(
                "amount_fen"
            ),
            (pl.col("__roster_adv") + pl.col("__ledger_adv")).alias("advance_fen"),
            pl.lit("payment").alias("line_kind"),
        )
        .with_columns(_netted_formula())
        .drop("__roster_adv", "__ledger_adv", "__adv_where")
        .filter(pl.col("amount_fen") > 0)
    )
    return netted, held


def _netted_formula() -> pl.Expr:
    """A settled line's formula with the advance netted and where it was advanced: 「…；1,500.00 − 已预拨
    750.00（2021-05 批次（R…）第 2 笔）= 750.00」 (the roster's 已预拨金额 when the ledger has none)."""
    deducted = pl.col("entitlement_fen") - pl.col("amount_fen")
    where = pl.when(pl.col("__ledger_adv") > 0).then(pl.col("__adv_where")).otherwise(pl.lit("花名册「已预拨金额」"))
    netting = pl.format(
        "{}；{} − 已预拨 {}（{}）= {}",
        pl.col("formula"),
        yuan_text_expr(pl.col("entitlement_fen"), grouping=True),
        yuan_text_expr(deducted, grouping=True),
        where,
        yuan_text_expr(pl.col("amount_fen"), grouping=True),
    )
    return pl.when(deducted > 0).then(netting).otherwise(pl.col("formula")).alias("formula")


def _advance_problems(with_advance: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """Rows whose advance the policy forbids (E15), or that reaches or passes what is due (E10)."""
    limits = policy.limits
    if not limits.advance_allowed:
        return issues(
            with_advance,
            pl.lit("payout.advance-forbidden"),
            pl.lit("advance_yuan"),
            yuan_text_expr(pl.col("__advance"), grouping=True),
            pl.lit(f"{limits.advance_id}（{limits.advance_clause}）"),
        )
    # E10: at most ``max_share`` of the entitlement may have been advanced.
    share = limits.advance_max_share
    over_share = pl.lit(False)
    if share is not None:
        num, den = ratio(share)
        over_share = pl.col("__advance") * den > pl.col("__total") * num
    bad = with_advance.filter((pl.col("__advance") >= pl.col("__total")) | over_share)
    code = (
        pl.when(pl.col("__advance") > pl.col("__total"))
        .then(pl.lit("payout.advance-exceeds"))
        .when(pl.col("__advance") == pl.col("__total"))
        .then(pl.lit("payout.fully-advanced"))
        .otherwise(pl.lit("payout.advance-over-share"))
    )
    detail = (
        pl.when(code == "payout.advance-over-share")
        .then(
            pl.concat_str(
                [
                    yuan_text_expr(pl.col("__total"), grouping=True),
                    pl.lit(f" × {share}（{limits.advance_id} {limits.advance_clause}）"),
                ]
            )
        )
        .otherwise(yuan_text_expr(pl.col("__total"), grouping=True))
    )
    return issues(bad, code, pl.lit("advance_yuan"), yuan_text_expr(pl.col("__advance"), grouping=True), detail)
