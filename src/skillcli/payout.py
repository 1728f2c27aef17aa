"""The payout stage: blocking findings, rules, limits and advances → paid / exception / ineligible.

``decide`` takes a checked batch and a loaded policy and returns a ``Decision`` in which every
roster row has exactly one status, every payment line carries its rule, clause and formula, and
every row not paid carries a reason. ``Decision.control`` re-adds everything and raises
``InconsistencyError`` (exit 3) if rows or fen do not balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from skillcli.errors import InconsistencyError, UsageError
from skillcli.findings import (
    CATALOGUE,
    Issue,
    announce,
    concat,
    emit,
    empty,
    from_rows,
    held_by,
    is_blocking,
    template_expr,
)
from skillcli.ledger.history import History
from skillcli.model import LEVEL_LABELS, SheetKind
from skillcli.money import ratio, round_half_up_expr, yuan_text_expr
from skillcli.pipeline import Batch, render_findings
from skillcli.rules.compile import dropped_conditions
from skillcli.rules.derive import derive
from skillcli.rules.evaluate import evaluate_rules
from skillcli.rules.fields import FIELDS, absent_fields
from skillcli.rules.model import Policy
from skillcli.schema.checks import location

LEVEL_NAMES = {k.value: v for k, v in LEVEL_LABELS.items()}


@dataclass(slots=True)
class Decision:
    """Everything ``skillcli payout`` writes. Frames are sorted deterministically."""

    policy: Policy
    lines: pl.DataFrame
    exceptions: pl.DataFrame  # rendered findings + person_id, one or more per excepted row
    ineligible: pl.DataFrame  # person_id, name, training_type, reason_code, reason (+ location)
    status: pl.DataFrame  # _rid, _file, _sheet, _row, person_id, status
    per_rule: pl.DataFrame
    derived: pl.DataFrame
    # Rendered batch-level notes: blanks read as the ordinary value (one per field, with the count)
    # and conditions not checked because no sheet has their column (one per column).
    warnings: pl.DataFrame = field(default_factory=empty)
    advance_share: Decimal | None = None
    absent: frozenset[str] = frozenset()  # fields no sheet of the batch carries (conditions decided without)

    @property
    def counts(self) -> dict[str, int]:
        counted = dict(self.status.group_by("status").len().iter_rows())
        return {s: int(counted.get(s, 0)) for s in ("paid", "exception", "ineligible")}

    @property
    def has_exceptions(self) -> bool:
        """Something to look at: an excepted row, or a held line on a row paid otherwise."""
        return self.counts["exception"] > 0 or bool((self.exceptions.get_column("severity") == "error").any())

    @property
    def total_fen(self) -> int:
        return int(self.lines.get_column("amount_fen").sum()) if self.lines.height else 0

    def control(self) -> None:
        counts = self.counts
        rows = self.derived.height
        if sum(counts.values()) != rows or self.status.get_column("_rid").n_unique() != rows:
            raise InconsistencyError(
                f"控制数不平：{rows} 行 ≠ 已发 {counts['paid']} + 异常 {counts['exception']} + 不符合 {counts['ineligible']}",
                f"control failed: {rows} rows != paid {counts['paid']} + exceptions {counts['exception']}"
                f" + ineligible {counts['ineligible']}",
            )
        paid_rows = set(self.status.filter(pl.col("status") == "paid").get_column("_rid").to_list())
        line_rows = set(self.lines.get_column("_rid").to_list())
        if paid_rows != line_rows:
            raise InconsistencyError("控制数不平：已发行与付款明细不一致", "control failed: paid rows and lines differ")
        if self.lines.height and int(self.lines.get_column("amount_fen").min()) <= 0:  # type: ignore[arg-type]
            raise InconsistencyError(
                "控制数不平：存在非正金额的付款行", "control failed: a payment line is not positive"
            )


# Payout findings carry the roster row they hold, so that rows and lines can be left out by it.
_ROW_ID = ("_rid",)
_ROW_ID_SCHEMA = {"_rid": pl.UInt32}


def _blocked(batch: Batch, roster: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Roster rows held by a blocking finding: (their own findings, as the check rendered them, and
    findings for the rest).

    A row is held by a blocking finding in its own cells, by one in another sheet about the same
    person (attendance, certificates), or by its sheet lacking a required column. The check's
    findings are read rendered, as a ledger archive keeps them.
    """
    keys = roster.select("_rid", "_file", "_sheet", "_row", "id_number")
    errors = batch.findings.filter(is_blocking(pl.col("code")))
    own = held_by(batch.findings, keys.select("_rid", "_file", "_sheet", "_row"))
    roster_sheets = roster.select("_file", "_sheet").unique()
    elsewhere = errors.filter(pl.col("person_id") != "").join(
        roster_sheets, left_on=["file", "sheet"], right_on=["_file", "_sheet"], how="anti"
    )
    related = (
        keys.join(
            elsewhere.select("person_id", "file", "sheet", "row", pl.col("code").alias("f_code")),
            left_on="id_number",
            right_on="person_id",
            how="inner",
        )
        .sort("_rid", "file", "sheet", "row")
        .group_by("_rid", maintain_order=True)
        .first()
        .with_columns(location(pl.col("file"), pl.col("sheet"), pl.col("row").fill_null(0)).alias("__where"))
    )
    parts = [emit(related, "payout.blocked-by-related", "", pl.col("f_code"), pl.col("__where"), keep=_ROW_ID)]
    for file, sheet in sorted(batch.blocked_sheets):
        sheet_rows = keys.filter((pl.col("_file") == file) & (pl.col("_sheet") == sheet))
        missing = batch.findings.filter(
            (pl.col("file") == file) & (pl.col("sheet") == sheet) & (pl.col("code") == "sheet.missing-column")
        )
        for column in missing.get_column("column").to_list():
            parts.append(
                emit(
                    sheet_rows,
                    "payout.sheet-unusable",
                    column,
                    pl.lit(""),
                    pl.lit(None, pl.String),
                    keep=_ROW_ID,
                )
            )
    return own, concat(parts, _ROW_ID_SCHEMA)


def _rank_limit(
    candidates: pl.DataFrame, keys: list[str], limit: int, prior: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Batch rows beyond ``limit`` within each key group, with ``__earlier``: where the kept ones are.

    ``prior`` holds trainings already in the ledger (columns ``keys`` + ``__loc``); they come first,
    then the batch by end date and input order (the earliest trainings are paid).
    """
    ordered = candidates.with_columns(pl.lit(1).alias("__prior")).sort("end_date", "_rid", nulls_last=True)
    if prior is not None and prior.height:
        ordered = pl.concat(
            [prior.select(*keys, "__loc").with_columns(pl.lit(0).alias("__prior")), ordered], how="diagonal_relaxed"
        )
    ranked = ordered.with_columns(pl.int_range(pl.len()).over(keys).alias("__rank"))
    beyond = ranked.filter((pl.col("__rank") >= limit) & (pl.col("__prior") == 1))
    # Where the kept trainings are is text built for the few groups that have rows beyond the limit
    # only: building it for every row of a 100 000-row batch cost more than the ranking.
    kept = ranked.filter(pl.col("__rank") < limit).join(beyond.select(keys).unique(), on=keys, how="semi")
    here = location(pl.col("_file"), pl.col("_sheet"), pl.col("_row"))
    loc = pl.coalesce(pl.col("__loc"), here) if "__loc" in kept.columns else here
    earlier = kept.group_by(keys).agg(loc.str.join("、").alias("__earlier"))
    return beyond.join(earlier, on=keys, how="left")


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


def ledger_location(prefix: str) -> pl.Expr:
    """Where the ledger holds a claim, for messages: 「2021-05 批次（R2021…）第 3 笔」, the run's period,
    its id and the line's position within that run (first line of a group)."""
    return pl.concat_str(
        [
            pl.lit(prefix),
            pl.col("period").first(),
            pl.lit(" 批次（"),
            pl.col("run_id").first(),
            pl.lit("）第 "),
            pl.col("seq").first().cast(pl.String),
            pl.lit(" 笔"),
        ]
    )


def _prior_trainings(history: History, exclude_claims: pl.Series) -> pl.DataFrame:
    """Distinct trainings already paid or advanced in the ledger, for E1/E2/E4 across batches."""
    live = history.lines.filter(~pl.col("claim_key").is_in(exclude_claims.implode()))
    return (
        live.group_by("person_id", "occupation", "level", "end_date", maintain_order=True)
        .agg(
            pl.col("counts").any(),
            pl.col("rule"),
            ledger_location("台账 ").alias("__loc"),
        )
        .with_columns(
            pl.col("person_id").alias("id_number"), pl.col("end_date").str.to_date(strict=False).alias("end_date")
        )
    )


def _apply_limits(
    candidates: pl.DataFrame, policy: Policy, prior: pl.DataFrame
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """E4 (exclusive), E2 (no repeat), E1 (yearly count), in that order; returns what is left."""
    found: list[pl.DataFrame] = []
    limits = policy.limits

    def drop(beyond: pl.DataFrame) -> pl.DataFrame:
        return candidates.filter(~pl.col("_rid").is_in(beyond.get_column("_rid").implode()))

    for ident, rule_clause, group in limits.exclusive:
        in_group = pl.col("rule").list.eval(pl.element().is_in(list(group))).list.any()
        beyond = _rank_limit(candidates.filter(in_group), ["id_number"], 1, prior.filter(in_group))
        found.append(
            emit(
                beyond,
                "limit.exclusive",
                "",
                pl.lit(f"{ident} {'/'.join(group)}，{rule_clause}"),
                pl.col("__earlier"),
                keep=_ROW_ID,
            )
        )
        candidates = drop(beyond)
    if limits.no_repeat:
        keys = ["id_number", "occupation", "level"]
        counted = candidates.filter(pl.col("counts") & pl.col("level").is_not_null())
        earlier = prior.filter(pl.col("counts") & pl.col("level").is_not_null())
        if limits.no_repeat_window == "year":
            counted = counted.with_columns(pl.col("end_date").dt.year().alias("__year"))
            earlier = earlier.with_columns(pl.col("end_date").dt.year().alias("__year"))
            keys.append("__year")
        beyond = _rank_limit(counted, keys, 1, earlier)
        found.append(
            emit(
                beyond,
                "limit.no-repeat",
                "occupation",
                pl.lit(f"{limits.no_repeat_id}，{limits.no_repeat_clause}"),
                pl.col("__earlier"),
                keep=_ROW_ID,
            )
        )
        candidates = drop(beyond)
    if limits.yearly_max is not None:
        counted = candidates.filter(pl.col("counts")).with_columns(pl.col("end_date").dt.year().alias("__year"))
        earlier = prior.filter(pl.col("counts")).with_columns(pl.col("end_date").dt.year().alias("__year"))
        beyond = _rank_limit(counted, ["id_number", "__year"], limits.yearly_max, earlier)
        found.append(
            emit(
                beyond,
                "limit.yearly",
                "",
                pl.lit(str(limits.yearly_max)),
                pl.col("__earlier"),
                keep=_ROW_ID,
            )
        )
        candidates = drop(beyond)
    return candidates, found


def _ledger_issues(
    lines: pl.DataFrame, history: History, advance_share: Decimal | None
) -> tuple[pl.DataFrame, pl.Series]:
    """Claims the ledger already holds: paid (always), or advanced (when advancing again), as issues
    and as the claim keys to leave out (each held line alone: the row's other claims are its own)."""
    held = history.lines.filter(pl.col("kind") == "payment")
    if advance_share is not None:
        held = history.lines
    holders = held.group_by("claim_key", maintain_order=True).agg(
        ledger_location("").alias("__held"),
        pl.col("kind").first().alias("__kind"),
    )
    hit = lines.join(holders, on="claim_key", how="inner").rename({"person_id": "id_number"})
    code = (
        pl.when(pl.col("__kind") == "advance")
        .then(pl.lit("ledger.already-advanced"))
        .otherwise(pl.lit("ledger.already-paid"))
    )
    return emit(hit, code, "", pl.col("rule"), pl.col("__held"), keep=_ROW_ID), hit.get_column("claim_key")


def batch_people(batch: Batch) -> list[str]:
    """The ID numbers of a batch's roster: whose ledger history its decision needs."""
    roster = batch.frames.get(SheetKind.ROSTER)
    if roster is None or "id_number" not in roster.columns:
        return []
    return list(roster.get_column("id_number").drop_nulls().unique().to_list())


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
    _check_advance(policy, advance_share)
    values = {name: p.value for name, p in policy.parameters.items()} | (params or {})
    derived = derive(batch.frames, batch.ctx, values, extra_certs=history.certificates)
    absent = absent_fields(batch.present_columns)
    per_rule = evaluate_rules(derived, policy, absent)
    own_findings, blocked = _blocked(batch, derived)
    blocked_rids = pl.concat([own_findings.get_column("_rid"), blocked.get_column("_rid")]).unique()

    open_rules = per_rule.filter(~pl.col("_rid").is_in(blocked_rids.implode()))
    subsidy = {r.id: r.subsidy for r in policy.rules}
    clause = {r.id: r.clause for r in policy.rules}
    # A catalogue rule's exception names the parameter through which the district supplies it.
    catalogue = {
        r.id: f"，目录参数 {r.amount.rate.catalogue_param}" for r in policy.rules if r.amount.rate.catalogue_param
    }
    rule_detail = pl.concat_str(
        [
            pl.col("rule"),
            pl.lit(" "),
            pl.col("rule").replace_strict(subsidy, return_dtype=pl.String),
            pl.lit("（"),
            pl.col("rule").replace_strict(clause, return_dtype=pl.String),
            pl.when(pl.col("code") == "payout.no-catalogue-rate")
            .then(pl.col("rule").replace_strict(catalogue, default="", return_dtype=pl.String))
            .otherwise(pl.lit("")),
            pl.lit("）"),
        ]
    )
    base = derived.select(
        "_rid", "_file", "_sheet", "_row", "id_number", "level", "occupation", "start_date", "cert_note"
    )
    rule_exc = open_rules.filter(pl.col("rule_status") == "exception").join(base, on="_rid")
    shown_value = (
        pl.when(pl.col("field") == "level")
        .then(pl.col("level").replace_strict(LEVEL_NAMES, default="", return_dtype=pl.String))
        .when(pl.col("code") == "payout.no-catalogue-rate")
        .then(
            pl.concat_str(
                [
                    pl.col("occupation"),
                    pl.col("level").replace_strict(LEVEL_NAMES, default="", return_dtype=pl.String),
                ],
                separator=" ",
                ignore_nulls=True,
            )
        )
        .when(pl.col("code") == "payout.no-year-rate")
        .then(pl.col("start_date").cast(pl.String))
        .when(pl.col("code") == "payout.likely-alias")
        .then(pl.col("reason"))
        # What the certificate data holds for this person (rules/derive.py), so the hold says where
        # skillcli looked and what it found there.
        .when(pl.col("code") == "payout.no-certificate-data")
        .then(pl.col("cert_note"))
        .otherwise(pl.lit(""))
    )
    field_to_column = pl.col("field").replace(
        {"fee_fen": "fee_yuan", "attended_days": "days_present", "required_days": "days_required"}
    )
    # A rule that cannot be decided or computed holds its own line only: the row's other subsidies
    # do not depend on what it lacks (Shanxi A3 undecided must not hold A4's certificate subsidy).
    rule_issues = emit(rule_exc, pl.col("code"), field_to_column, shown_value, rule_detail, keep=_ROW_ID)

    # Candidates: rows with a paying rule, not blocked.
    paid_lines = open_rules.filter(pl.col("rule_status") == "paid")
    row_info = derived.select("_rid", "_file", "_sheet", "_row", "id_number", "occupation", "level", "end_date")
    all_lines = _lines(derived, paid_lines, policy, batch.ctx.period_label)
    candidates = (
        paid_lines.group_by("_rid")
        .agg(pl.col("rule"), pl.col("counts").any().alias("counts"))
        .join(row_info, on="_rid")
    )
    candidates, limit_issues = _apply_limits(
        candidates, policy, _prior_trainings(history, all_lines.get_column("claim_key"))
    )
    lines = all_lines.filter(pl.col("_rid").is_in(candidates.get_column("_rid").implode()))
    ledger_issues, settled = _ledger_issues(lines, history, advance_share)
    # A row one of whose claims the ledger holds was paid before, its 已预拨金额 netted then.
    settled_rows = lines.filter(pl.col("claim_key").is_in(settled.implode())).get_column("_rid").unique()
    lines = lines.filter(~pl.col("claim_key").is_in(settled.implode()))
    lines, advance_issues = _net_advances(lines, policy, history, advance_share, settled_rows)
    exception_issues = concat([blocked, *limit_issues, advance_issues], _ROW_ID_SCHEMA)
    exc_rids = pl.concat([own_findings.get_column("_rid"), exception_issues.get_column("_rid")]).unique()
    lines = lines.filter(~pl.col("_rid").is_in(exc_rids.implode()))
    paid_rids = lines.get_column("_rid").unique()
    held = concat([rule_issues, ledger_issues], _ROW_ID_SCHEMA)
    # A held line on a row that is paid otherwise is listed with the exceptions; a row with nothing
    # left to pay is an exception row.
    held_rows = held.filter(~pl.col("_rid").is_in(paid_rids.implode())).get_column("_rid").unique()
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
    ineligible = _ineligible(derived, per_rule, status)
    # The payout's own findings are rendered here, once; the batch-level notes (no roster row) with them.
    notes = _batch_notes(batch, derived, policy, per_rule, absent).with_columns(pl.lit(None, pl.UInt32).alias("_rid"))
    rendered = render_findings(
        concat([exception_issues, held, notes], _ROW_ID_SCHEMA), batch.headers, batch.file_order, keep=_ROW_ID
    )
    exceptions = pl.concat(
        [own_findings.select(rendered.columns), rendered.filter(pl.col("_rid").is_not_null())], how="vertical_relaxed"
    )
    decision = Decision(
        policy,
        lines.sort("_rid", "rule_order"),
        exceptions.sort("_rid", "code", "column", maintain_order=True),
        ineligible,
        status,
        per_rule,
        derived,
        rendered.filter(pl.col("_rid").is_null()).drop("_rid"),
        advance_share,
        absent,
    )
    decision.control()
    return decision


def _check_advance(policy: Policy, share: Decimal | None) -> None:
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


def _lines(derived: pl.DataFrame, paid: pl.DataFrame, policy: Policy, period: str) -> pl.DataFrame:
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


def _net_advances(
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
    limits = policy.limits
    if advance_share is not None:
        # E10 (S2c 三(十三)): only training run by an enterprise or an institution's project-based
        # training may be advanced; each rule lists the payees it may advance. Any other line (a
        # subsidy to a person above all) holds its row out of the advance batch: the final batch
        # then pays it in full, so nothing is lost and nothing is advanced that may not be.
        allowed = {r.id: list(r.advance) for r in policy.rules}
        may = pl.col("payee_type").is_in(pl.col("rule").replace_strict(allowed, return_dtype=pl.List(pl.String)))
        refused = lines.filter(~may).with_columns(pl.col("person_id").alias("id_number"))
        issues = emit(
            refused,
            "payout.not-advanceable",
            "advance_yuan",
            pl.concat_str([pl.col("rule"), pl.lit(" → "), pl.col("payee_type")]),
            pl.lit(f"{limits.advance_id}（{limits.advance_clause}）"),
            keep=_ROW_ID,
        )
        num, den = ratio(advance_share)
        advanced = lines.filter(may).with_columns(
            round_half_up_expr(pl.col("entitlement_fen") * num, den).alias("amount_fen"),
            pl.lit(0, pl.Int64).alias("advance_fen"),
            pl.lit("advance").alias("line_kind"),
        )
        return advanced.filter(pl.col("amount_fen") > 0), issues
    ledger_adv = (
        history.lines.filter(pl.col("kind") == "advance")
        .group_by("claim_key")
        .agg(pl.col("amount_fen").sum().alias("__ledger_adv"))
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
    with_advance = per_row.filter(pl.col("__advance") > 0)
    if not limits.advance_allowed:
        issues = emit(
            with_advance,
            "payout.advance-forbidden",
            "advance_yuan",
            yuan_text_expr(pl.col("__advance")),
            pl.lit(f"{limits.advance_id}（{limits.advance_clause}）"),
            keep=_ROW_ID,
        )
    else:
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
                        yuan_text_expr(pl.col("__total")),
                        pl.lit(f" × {share}（{limits.advance_id} {limits.advance_clause}）"),
                    ]
                )
            )
            .otherwise(yuan_text_expr(pl.col("__total")))
        )
        issues = emit(bad, code, "advance_yuan", yuan_text_expr(pl.col("__advance")), detail, keep=_ROW_ID)
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
        .drop("__roster_adv", "__ledger_adv")
        .filter(pl.col("amount_fen") > 0)
    )
    return netted, issues


def _ineligible(derived: pl.DataFrame, per_rule: pl.DataFrame, status: pl.DataFrame) -> pl.DataFrame:
    """One line per ineligible row: the reasons of every rule about it, or that no rule is."""
    rows = status.filter(pl.col("status") == "ineligible").select("_rid")
    # One reason per requirement: an eligibility item failing under several rules is said once.
    reasons = (
        per_rule.filter(pl.col("rule_status") == "ineligible")
        .unique(subset=["_rid", "code"], keep="first", maintain_order=True)
        .group_by("_rid", maintain_order=True)
        .agg(pl.col("code").str.join(";").alias("reason_code"), pl.col("reason").str.join("；").alias("reason"))
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
    ).sort("_rid")


def _batch_notes(
    batch: Batch, derived: pl.DataFrame, policy: Policy, per_rule: pl.DataFrame, absent: frozenset[str]
) -> pl.DataFrame:
    """The batch-level warnings of a payout, one line each: how blanks of a field were read (with
    the count) and which conditions were not checked because no sheet carries their column."""
    roster = next(((f.path, s.sheet) for f in batch.files for s in f.sheets if s.kind is SheetKind.ROSTER), ("", ""))
    has_column = {(f.path, s.sheet, c) for f in batch.files for s in f.sheets for c in s.headers}
    notes: list[Issue] = []
    for name in sorted({c.field for c in policy.conditions()}):
        spec = FIELDS[name]
        column = spec.blank_column or name
        if spec.blank_reads_as and column in derived.columns:
            # One line per sheet, in that sheet's own header and naming its rows: a clerk looks for
            # the blanks in one file at a time.
            blanks = (
                derived.filter(pl.col(column).is_null())
                .group_by("_file", "_sheet", maintain_order=True)
                .agg(pl.len().alias("n"), pl.col("_row").sort().head(5).alias("rows"))
            )
            for file, sheet, n, rows in blanks.iter_rows():
                if (file, sheet, column) in has_column:
                    shown = "、".join(str(r) for r in rows) + ("…" if n > len(rows) else "")
                    detail = f"{shown}; {spec.blank_reads_as}"
                    notes.append(Issue(file, sheet, None, column, str(n), "payout.blank-read-as", detail))
                else:
                    notes.append(Issue(file, sheet, None, column, str(n), "payout.absent-read-as", spec.blank_reads_as))
    in_scope = set(per_rule.get_column("rule").unique().to_list())
    unchecked: dict[str, list[str]] = {}
    for rule_ids, req, fields in dropped_conditions(policy, absent):
        if in_scope & set(rule_ids):
            for name in fields:
                unchecked.setdefault(FIELDS[name].label, []).append(req.id)
    notes += [
        Issue(*roster, None, label, "", "payout.column-absent", "、".join(dict.fromkeys(ids)))
        for label, ids in unchecked.items()
    ]
    return from_rows(notes)
