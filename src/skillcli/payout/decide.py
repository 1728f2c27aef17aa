"""``decide``: blocking findings, rules, limits, ledger history and advances → paid / exception / ineligible.

The stages are chained here only, each in its own module: holds (rows and lines held), limits
(E1/E2/E4), settled (claims the ledger already holds), advances (E10/E15), ineligible. ``decide``
takes a checked batch and a loaded policy and returns a ``Decision`` in which every roster row has
exactly one status, every payment line carries its rule, clause and formula, and every row not paid
carries a reason. ``Decision.control`` re-adds everything and raises ``InconsistencyError`` (exit 3)
if rows or fen do not balance.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from skillcli.errors import UsageError
from skillcli.model import SheetKind
from skillcli.payout.advances import check_advance, net_advances
from skillcli.payout.decision import Decision
from skillcli.payout.history import History
from skillcli.payout.holds import blocked_rows, rule_holds
from skillcli.payout.ineligible import classifying_requirements, ineligible_rows
from skillcli.payout.limits import apply_limits, prior_trainings
from skillcli.payout.lines import payment_lines
from skillcli.payout.months import cap_person_months
from skillcli.payout.notes import batch_notes
from skillcli.payout.reasons import ROW_ID, concat_issues
from skillcli.payout.settled import ledger_issues
from skillcli.pipeline import Batch, render_findings
from skillcli.rules.compile import multiplier_labels
from skillcli.rules.derive import derive
from skillcli.rules.evaluate import evaluate_rules
from skillcli.rules.fields import FIELDS, absent_fields
from skillcli.rules.model import Policy
from skillcli.schema.checks import attendance_places


def decide(
    batch: Batch,
    policy: Policy,
    params: dict[str, Any] | None = None,
    *,
    history: History | None = None,
    advance_share: Decimal | None = None,
) -> Decision:
    """Apply ``policy`` to every roster row of ``batch``.

    ``history`` is what the ledger already holds about these people (already paid, E1/E2/E4 across
    batches, advances, earlier certificates). ``advance_share`` pays that share of each entitlement
    as an advance (E10) instead of the final payment.
    """
    if SheetKind.ROSTER not in batch.frames or batch.frames[SheetKind.ROSTER].height == 0:
        raise UsageError("批次中没有花名册数据，无法计算补贴", "the batch has no roster rows to pay")
    history = history or History.empty()
    check_advance(policy, advance_share)
    values = {name: p.value for name, p in policy.parameters.items()} | (params or {})
    derived = derive(batch.frames, batch.ctx, values, extra_certs=history.certificates)
    absent = absent_fields(batch.present_columns)
    per_rule = evaluate_rules(derived, policy, absent)
    own_findings, blocked = blocked_rows(batch, derived)
    blocked_rids = pl.concat([own_findings.get_column("_rid"), blocked.get_column("_rid")]).unique()
    open_rules = per_rule.filter(~pl.col("_rid").is_in(blocked_rids.implode()))
    lines, row_issues, line_issues = _pay(derived, open_rules, policy, history, advance_share, batch.ctx.period_label)
    row_holds = concat_issues([blocked, *row_issues])
    places = attendance_places(batch.frames)
    line_holds = concat_issues([rule_holds(open_rules, derived, policy, places), line_issues])
    lines, status = _settle(derived, lines, own_findings, row_holds, line_holds)
    # The payout's own findings are rendered here, once; the batch-level notes (no roster row) with them.
    notes = batch_notes(batch, derived, policy, per_rule, absent).with_columns(pl.lit(None, pl.UInt32).alias("_rid"))
    rendered = render_findings(
        concat_issues([row_holds, line_holds, notes]),
        batch.headers,
        batch.file_order,
        keep=ROW_ID,
        labels={f.name: f.label for f in FIELDS.values()},
    )
    exceptions = pl.concat(
        [own_findings.select(rendered.columns), rendered.filter(pl.col("_rid").is_not_null())], how="vertical_relaxed"
    )
    decision = Decision(
        policy,
        lines.sort("_rid", "rule_order"),
        exceptions.sort("_rid", "code", "column", maintain_order=True),
        ineligible_rows(derived, per_rule, status, classifying_requirements(policy), multiplier_labels(policy)),
        status,
        per_rule,
        derived,
        rendered.filter(pl.col("_rid").is_null()).drop("_rid"),
        advance_share,
        absent,
    )
    decision.control()
    return decision


def _pay(
    derived: pl.DataFrame,
    open_rules: pl.DataFrame,
    policy: Policy,
    history: History,
    advance_share: Decimal | None,
    period: str,
) -> tuple[pl.DataFrame, list[pl.DataFrame], pl.DataFrame]:
    """The lines to pay now, the issues holding whole rows (limits, advances) and those holding
    single lines (claims the ledger already settled)."""
    # Candidates: rows with a paying rule, not blocked.
    paid_lines = open_rules.filter(pl.col("rule_status") == "paid")
    row_info = derived.select("_rid", "_file", "_sheet", "_row", "id_number", "occupation", "level", "end_date")
    all_lines = payment_lines(derived, paid_lines, policy, period)
    candidates = (
        paid_lines.group_by("_rid")
        .agg(pl.col("rule"), pl.col("counts").any().alias("counts"))
        .join(row_info, on="_rid")
    )
    monthly = [r.id for r in policy.rules if r.amount.max_units_per == "person"]
    candidates, limit_issues = apply_limits(
        candidates, policy.limits, prior_trainings(history, all_lines.get_column("claim_key")), monthly
    )
    lines = all_lines.filter(pl.col("_rid").is_in(candidates.get_column("_rid").implode()))
    settled_issues, settled = ledger_issues(lines, history, advance_share)
    # A row one of whose claims the ledger holds was paid before, its 已预拨金额 netted then.
    settled_rows = lines.filter(pl.col("claim_key").is_in(settled.implode())).get_column("_rid").unique()
    lines = lines.filter(~pl.col("claim_key").is_in(settled.implode()))
    lines, month_issues = cap_person_months(lines, policy, history)
    lines, advance_issues = net_advances(lines, policy, history, advance_share, settled_rows)
    return lines, [*limit_issues, advance_issues], concat_issues([settled_issues, month_issues])


def _settle(
    derived: pl.DataFrame, lines: pl.DataFrame, own: pl.DataFrame, row_holds: pl.DataFrame, line_holds: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each row's one status, from the findings holding rows whole (``own``: the check's, in the row's
    cells; ``row_holds``: the payout's) and those holding single lines (``line_holds``).

    Returns the lines still paid and the status frame.
    """
    exc_rids = pl.concat([own.get_column("_rid"), row_holds.get_column("_rid")]).unique()
    lines = lines.filter(~pl.col("_rid").is_in(exc_rids.implode()))
    paid_rids = lines.get_column("_rid").unique()
    # A held line on a row that is paid otherwise is listed with the exceptions; a row with nothing
    # left to pay is an exception row.
    held_rows = line_holds.filter(~pl.col("_rid").is_in(paid_rids.implode())).get_column("_rid").unique()
    exc_rids = pl.concat([exc_rids, held_rows]).unique()
    status = derived.select(
        "_rid",
        "_file",
        "_sheet",
        "_row",
        pl.col("id_number").alias("person_id"),
        pl.when(pl.col("_rid").is_in(exc_rids.implode()))
        .then(pl.lit("exception"))
        .when(pl.col("_rid").is_in(paid_rids.implode()))
        .then(pl.lit("paid"))
        .otherwise(pl.lit("ineligible"))
        .alias("status"),
    )
    return lines, status
