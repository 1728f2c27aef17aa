"""What holds a roster row or one of its lines out of the payment.

A row is held by an error about it (``blocked_rows``); a line alone is held when its rule cannot be
decided or computed (``rule_holds``): the row's other subsidies do not depend on what that rule lacks.
"""

from __future__ import annotations

import polars as pl

from skillcli.findings import MISSING_COLUMN_CODES, bilingual, held_by, is_blocking
from skillcli.payout.lines import LEVEL_NAMES
from skillcli.payout.reasons import concat_issues, issues
from skillcli.pipeline import Batch
from skillcli.rules.model import Policy
from skillcli.schema.checks import location


def blocked_rows(batch: Batch, roster: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
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
    # A row its own error already holds needs no second line saying a related one holds it too (reader6:
    # 赵敏's ID stored as a number in 花名册 and in 证书 gave her roster row both); the related error is
    # still listed below, beside the hold.
    held_own = own.filter(is_blocking(pl.col("code"))).get_column("_rid").implode()
    related = (
        keys.filter(~pl.col("_rid").is_in(held_own))
        .join(
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
    # The finding in the other sheet is listed too, beside the hold it causes: the payout's files alone
    # must say what to fix (an independent reader saw 「「出勤」第 4 行有一处错误」 and no such row).
    own = pl.concat(
        [
            own,
            elsewhere.join(keys.select("_rid", "id_number"), left_on="person_id", right_on="id_number", how="inner")
            .unique(subset=["file", "sheet", "row", "column", "code"], keep="first", maintain_order=True)
            .select(own.columns),
        ]
    )
    parts = [issues(related, pl.lit("payout.blocked-by-related"), pl.lit(""), pl.col("f_code"), pl.col("__where"))]
    for file, sheet in sorted(batch.blocked_sheets):
        sheet_rows = keys.filter((pl.col("_file") == file) & (pl.col("_sheet") == sheet))
        missing = batch.findings.filter(
            (pl.col("file") == file) & (pl.col("sheet") == sheet) & pl.col("code").is_in(MISSING_COLUMN_CODES)
        )
        for column in missing.get_column("column").to_list():
            parts.append(
                issues(sheet_rows, pl.lit("payout.sheet-unusable"), pl.lit(column), pl.lit(""), pl.lit(None, pl.String))
            )
    return own, concat_issues(parts)


def rule_holds(
    open_rules: pl.DataFrame, derived: pl.DataFrame, policy: Policy, attendance: pl.DataFrame
) -> pl.DataFrame:
    """Issue rows for the lines whose rule could not be decided or computed (``rule_status`` exception).

    A rule that cannot be decided or computed holds its own line only: the row's other subsidies
    do not depend on what it lacks (Shanxi A3 undecided must not hold A4's certificate subsidy).
    ``attendance`` is where each roster file's attendance goes (``schema.checks.attendance_places``).
    """
    base = derived.select(
        "_rid", "_file", "_sheet", "_row", "id_number", "level", "occupation", "start_date", "cert_note"
    )
    rule_exc = (
        open_rules.filter(pl.col("rule_status") == "exception")
        .join(base, on="_rid")
        .join(attendance.select("_file", "__att_sheets", "__att_columns"), on="_file", how="left")
    )
    no_attendance = pl.col("code") == "payout.no-attendance"
    # A line held for want of attendance names the attendance sheet to add the trainee to and the
    # columns that row needs, not the derived field (线上学时占比) as if it were a roster column.
    field_to_column = (
        pl.when(no_attendance)
        .then(pl.lit(""))
        .otherwise(
            pl.col("field").replace(
                {"fee_fen": "fee_yuan", "attended_days": "days_present", "required_days": "days_required"}
            )
        )
    )
    where = pl.concat_str(
        [
            # The row may be missing or lack the hours or days: 补上（或补全） covers both.
            pl.lit(bilingual("请在考勤表", "Add (or complete) their row in the attendance sheet ")),
            pl.col("__att_sheets"),
            pl.lit(bilingual("为此人补上（或补全）一行，填写", ", filling in ")),
            pl.col("__att_columns"),
        ]
    ).fill_null(
        bilingual(
            "本批次没有考勤表：请随花名册报送考勤表，填写此人的出勤天数或学时",
            "The batch has no attendance sheet: send one with the roster, with this trainee's days or hours attended",
        )
    )
    detail = pl.when(no_attendance).then(pl.concat_str([_rule_detail(policy), pl.lit("; "), where]))
    return issues(rule_exc, pl.col("code"), field_to_column, _shown_value(), detail.otherwise(_rule_detail(policy)))


def _catalogue_name(policy: Policy, param: str) -> str:
    """The catalogue's name as the rules file labels its parameter, else the parameter's identifier."""
    found = policy.parameters.get(param)
    return found.label if found is not None and found.label else param


def _rule_detail(policy: Policy) -> pl.Expr:
    """The rule, its subsidy and clause, and for a catalogue rule the parameter that supplies it."""
    subsidy = {r.id: r.subsidy for r in policy.rules}
    clause = {r.id: r.clause for r in policy.rules}
    # A catalogue rule's exception names the list the district supplies, by its Chinese name (the
    # parameter's label) when it has one: the option that takes it is the screen hint's, not the
    # message's, which travels to finance and to senders (reader 7 read 「目录参数 skill_training_catalogue」).
    catalogue = {
        r.id: f"，依据「{_catalogue_name(policy, r.amount.rate.catalogue_param)}」"
        for r in policy.rules
        if r.amount.rate.catalogue_param
    }
    return pl.concat_str(
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


def _shown_value() -> pl.Expr:
    """The value a held line's message shows: the level by name, the occupation and level without a
    catalogue rate, the start date without a rate for its year, the rule's own reason otherwise."""
    level = pl.col("level").replace_strict(LEVEL_NAMES, default="", return_dtype=pl.String)
    return (
        pl.when(pl.col("field") == "level")
        .then(level)
        .when(pl.col("code") == "payout.no-catalogue-rate")
        .then(pl.concat_str([pl.col("occupation"), level], separator=" ", ignore_nulls=True))
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
