"""The batch-level warnings of a payout: how blanks were read and which conditions were not checked."""

from __future__ import annotations

import polars as pl

from skillcli.findings import Issue, bilingual, from_rows
from skillcli.model import SheetKind
from skillcli.pipeline import Batch
from skillcli.rules.compile import dropped_conditions
from skillcli.rules.fields import FIELDS
from skillcli.rules.model import Policy


def batch_notes(
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
        reads_as = bilingual(spec.blank_reads_as, spec.blank_reads_as_en or spec.blank_reads_as)
        if spec.blank_reads_as and column in derived.columns:
            # One line per sheet, in that sheet's own header and naming its rows: a clerk looks for
            # the blanks in one file at a time.
            depends = _rows_depending_on(policy, per_rule, name)
            blank = pl.col(column).is_null()
            if depends is not None:
                blank = blank & pl.col("_rid").is_in(depends.implode())
            blanks = (
                derived.filter(blank)
                .group_by("_file", "_sheet", maintain_order=True)
                .agg(pl.len().alias("n"), pl.col("_row").sort().head(5).alias("rows"))
            )
            for file, sheet, n, rows in blanks.iter_rows():
                if (file, sheet, column) in has_column:
                    more = "…" if n > len(rows) else ""
                    shown = bilingual("、".join(map(str, rows)) + more, ", ".join(map(str, rows)) + more)
                    detail = f"{shown}; {reads_as}"
                    notes.append(Issue(file, sheet, None, column, str(n), "payout.blank-read-as", detail))
                else:
                    notes.append(Issue(file, sheet, None, column, str(n), "payout.absent-read-as", reads_as))
    notes += _self_evaluation_notes(derived, policy)
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


def _rows_depending_on(policy: Policy, per_rule: pl.DataFrame, name: str) -> pl.Series | None:
    """The rows (``_rid``) whose money may depend on field ``name``, or None for every row.

    A field every row is tested on (an eligibility condition) or one that decides which rows a rule
    is about (a scope) may matter for any row. One tested only by some rules' requirements or
    multipliers matters only for the rows in those rules' scope: 是否紧缺职业 left blank on a sheet
    of 特种作业 rows changes nothing, and a hint about it there is noise.
    """
    if any(c.field == name for r in policy.eligibility for c in (*r.when, *r.require)):
        return None
    if any(c.field == name for rule in policy.rules for c in rule.scope):
        return None
    testing = [rule.id for rule in policy.rules if any(c.field == name for c in rule.tested())]
    return per_rule.filter(pl.col("rule").is_in(testing)).get_column("_rid").unique()


def _self_evaluation_notes(derived: pl.DataFrame, policy: Policy) -> list[Issue]:
    """One line per enterprise taken as a filed self-evaluating enterprise because it issued its
    employees' Y-numbered certificates, not because the district listed it (Suzhou readings R1): the
    clerk must see that the 是 came from the certificates (the Suzhou read could not tell)."""
    tested = any(c.field == "self_evaluating_employer" for c in policy.conditions())
    if not tested or "self_evaluating_by_cert" not in derived.columns:
        return []
    found = (
        derived.filter(pl.col("self_evaluating_by_cert"))
        .group_by("_file", "_sheet", "employer_name", maintain_order=True)
        .agg(pl.col("_row").sort())
    )
    return [
        Issue(
            file,
            sheet,
            None,
            "employer_name",
            employer,
            "payout.self-evaluation-by-certificate",
            bilingual("、".join(map(str, rows)), ", ".join(map(str, rows))),
        )
        for file, sheet, employer, rows in found.iter_rows()
    ]
