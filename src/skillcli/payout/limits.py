"""The policy's limits across trainings: E4 (exclusive), E2 (no repeat), E1 (yearly count).

Each limit ranks a person's trainings, those already in the ledger first, then the batch's by end
date and input order, and holds the batch's rows beyond the limit with where the kept ones are. E4
holds only the rows of a rule other than the person's first of the group (not a second line of it).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from skillcli.payout.history import History
from skillcli.payout.reasons import issues
from skillcli.payout.settled import ledger_location
from skillcli.rules.model import Limits
from skillcli.schema.checks import location


def rank_limit(
    candidates: pl.DataFrame, keys: list[str], limit: int, prior: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Batch rows beyond ``limit`` within each key group, with ``__earlier``: where the kept ones are.

    ``prior`` holds trainings already in the ledger (columns ``keys`` + ``__loc``); they come first,
    then the batch by end date and input order (the earliest trainings are paid).
    """
    ordered = candidates.with_columns(pl.lit(1).alias("__prior"))
    if prior is not None and prior.height:
        ordered = pl.concat(
            [prior.select(*keys, "__loc").with_columns(pl.lit(0).alias("__prior")), ordered], how="diagonal_relaxed"
        )
    if limit >= 1:
        # Only a key that occurs more than once can pass a limit of one or more: the sort and the
        # ranking (a range per group, together 0.8 s of CPU a limit on a 1M-row batch) run on those
        # rows alone; counting each key's rows costs a sixth of it (issue 16).
        ordered = ordered.filter(pl.len().over(keys) > 1)
    ordered = pl.concat(
        [
            ordered.filter(pl.col("__prior") == 0),
            ordered.filter(pl.col("__prior") == 1).sort("end_date", "_rid", nulls_last=True),
        ]
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


def prior_trainings(history: History, exclude_claims: pl.Series) -> pl.DataFrame:
    """Distinct trainings already paid or advanced in the ledger, for E1/E2/E4 across batches."""
    live = history.lines.filter(~pl.col("claim_key").is_in(exclude_claims.implode()))
    return (
        live.group_by("person_id", "occupation", "level", "end_date", maintain_order=True)
        .agg(
            pl.col("counts").any(),
            pl.col("rule"),
            ledger_location(in_ledger=True).alias("__loc"),
        )
        .with_columns(
            pl.col("person_id").alias("id_number"), pl.col("end_date").str.to_date(strict=False).alias("end_date")
        )
    )


def apply_limits(
    candidates: pl.DataFrame, limits: Limits, prior: pl.DataFrame, monthly: Sequence[str] = ()
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """E4 (exclusive), E2 (no repeat), E1 (yearly count), in that order; returns what is left.

    ``candidates``: one row per roster row with a paying rule (``_rid``, ``rule`` as a list,
    ``counts``, the row's location, ``id_number``, ``occupation``, ``level``, ``end_date``).
    ``prior``: the trainings the ledger already holds (``prior_trainings``). ``monthly``: the rules
    whose months are capped per person (``max_units_per: person``). The second value holds the issue
    rows of the rows held by each limit.
    """
    found: list[pl.DataFrame] = []
    if monthly:
        candidates, prior = _one_training(candidates, prior, list(monthly))
    for limit in (_exclusive, _no_repeat, _yearly):
        for beyond in limit(candidates, limits, prior):
            found.append(beyond)
            candidates = candidates.filter(~pl.col("_rid").is_in(beyond.get_column("_rid").implode()))
    return candidates, found


def _one_training(
    candidates: pl.DataFrame, prior: pl.DataFrame, monthly: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The months of one 以工代训 claimed batch by batch are one training, not a repeat (E2) nor a
    training more in the year (E1): only a person's first row of such a rule (the ledger's first, then
    the batch's by end date and input order) counts; the cap on its months is the amount's."""
    # Rows paying such a rule only (a row's rules are one training); the rest of the batch is not
    # sorted or joined (issue 16: a 100 000-row batch has few of them).
    only = pl.col("rule").list.eval(pl.element().is_in(monthly)).list.all() & (pl.col("rule").list.len() > 0)
    mine = candidates.filter(pl.any_horizontal(pl.col("rule").list.contains(m) for m in monthly)).filter(only)
    if mine.is_empty():
        return candidates, prior
    first_rule = pl.col("rule").list.first().alias("__r")
    later = pl.int_range(pl.len()).over("id_number", "__r") > 0
    prior = prior.with_columns(first_rule, only.alias("__only")).with_columns(
        (pl.col("counts") & ~(pl.col("__only") & later)).alias("counts")
    )
    seen = prior.filter(pl.col("__only")).select("id_number", "__r").unique()
    ordered = mine.sort("end_date", "_rid", nulls_last=True).with_columns(first_rule)
    continuing = pl.concat(
        [
            ordered.filter(later).select("_rid"),
            ordered.join(seen, on=["id_number", "__r"], how="semi").select("_rid"),
        ]
    ).get_column("_rid")
    candidates = candidates.with_columns(
        (pl.col("counts") & ~pl.col("_rid").is_in(continuing.implode())).alias("counts")
    )
    return candidates, prior.drop("__r", "__only")


def _exclusive(candidates: pl.DataFrame, limits: Limits, prior: pl.DataFrame) -> list[pl.DataFrame]:
    """E4: subsidies of an exclusive group are not paid together to one person (S2c 二(四)2: 以工代训
    and 岗前培训 are not both enjoyed); the group does not limit how often one of its subsidies is paid.

    Per person, the group's rule of the earliest training (the ledger's first, then the batch's by end
    date and input order) is kept; the batch's rows paying another rule of the group are held, naming
    that earliest training. A second month of 以工代训 is not held by E4 (its months are capped by the
    amount's ``max_units_per``).
    """
    found = []
    for ident, rule_clause, group in limits.exclusive:
        members = list(group)
        # The row's rule within the group (the first the row pays, when it pays several).
        own = pl.col("rule").list.eval(pl.element().filter(pl.element().is_in(members))).list.first().alias("__own")
        batch = candidates.with_columns(own).filter(pl.col("__own").is_not_null())
        if batch.is_empty():
            continue
        earlier = prior.with_columns(own).filter(pl.col("__own").is_not_null())
        here = location(pl.col("_file"), pl.col("_sheet"), pl.col("_row"))
        ordered = pl.concat(
            [
                earlier.select("id_number", "__own", "__loc"),
                batch.sort("end_date", "_rid", nulls_last=True).select("id_number", "__own", here.alias("__loc")),
            ],
            how="diagonal_relaxed",
        )
        first = ordered.group_by("id_number", maintain_order=True).first()
        beyond = batch.join(
            first.select("id_number", pl.col("__own").alias("__kept"), pl.col("__loc").alias("__earlier")),
            on="id_number",
        ).filter(pl.col("__own") != pl.col("__kept"))
        found.append(
            issues(
                beyond,
                pl.lit("limit.exclusive"),
                pl.lit(""),
                pl.lit(f"{ident} {'/'.join(group)}，{rule_clause}"),
                pl.col("__earlier"),
            )
        )
        # The next group ranks what this one left.
        candidates = candidates.filter(~pl.col("_rid").is_in(beyond.get_column("_rid").implode()))
    return found


def _no_repeat(candidates: pl.DataFrame, limits: Limits, prior: pl.DataFrame) -> list[pl.DataFrame]:
    """E2: one counted training per person, occupation and level (within a year when so written)."""
    if not limits.no_repeat:
        return []
    keys = ["id_number", "occupation", "level"]
    counted = candidates.filter(pl.col("counts") & pl.col("level").is_not_null())
    earlier = prior.filter(pl.col("counts") & pl.col("level").is_not_null())
    if limits.no_repeat_window == "year":
        counted = counted.with_columns(pl.col("end_date").dt.year().alias("__year"))
        earlier = earlier.with_columns(pl.col("end_date").dt.year().alias("__year"))
        keys.append("__year")
    beyond = rank_limit(counted, keys, 1, earlier)
    return [
        issues(
            beyond,
            pl.lit("limit.no-repeat"),
            pl.lit("occupation"),
            pl.lit(f"{limits.no_repeat_id}，{limits.no_repeat_clause}"),
            pl.col("__earlier"),
        )
    ]


def _yearly(candidates: pl.DataFrame, limits: Limits, prior: pl.DataFrame) -> list[pl.DataFrame]:
    """E1: at most ``yearly_max`` counted trainings per person and calendar year of the end date."""
    if limits.yearly_max is None:
        return []
    counted = candidates.filter(pl.col("counts")).with_columns(pl.col("end_date").dt.year().alias("__year"))
    earlier = prior.filter(pl.col("counts")).with_columns(pl.col("end_date").dt.year().alias("__year"))
    beyond = rank_limit(counted, ["id_number", "__year"], limits.yearly_max, earlier)
    return [issues(beyond, pl.lit("limit.yearly"), pl.lit(""), pl.lit(str(limits.yearly_max)), pl.col("__earlier"))]
