"""``rank_limit`` (E1/E2/E4) against a plain reading of the rule, on a batch with repeats.

The ranking runs only on the keys that occur more than once (issue 16): this checks that the rows
it holds and the kept trainings it names are exactly those the rule gives, with trainings already
in the ledger ranked first, trainings without an end date last, and a limit above one. Keys are
never blank here: a held row whose key is blank names no kept training (the join on the key does
not match blanks), unchanged by the faster ranking.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import polars as pl
import pytest

from skillcli.payout.limits import rank_limit
from skillcli.schema.checks import LOCATION_MARK


def _batch(seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    pick = random.Random(seed)
    people = ["A", "B", "C", *[f"P{i}" for i in range(30)]]
    candidates = pl.DataFrame(
        {
            "_rid": list(range(200)),
            "_file": ["批次.xlsx"] * 200,
            "_sheet": ["花名册"] * 200,
            "_row": [i + 2 for i in range(200)],
            "id_number": [pick.choice(people) for _ in range(200)],
            "level": [pick.choice(["四级", "五级"]) for _ in range(200)],
            "end_date": [pick.choice([dt.date(2024, m, 1) for m in (1, 3, 5)] + [None]) for _ in range(200)],
        },
        schema_overrides={"_rid": pl.UInt32},
    )
    prior = pl.DataFrame(
        {
            "id_number": ["A", "B", "B", "C", "Q"],
            "level": ["四级", "四级", "五级", "四级", "四级"],
            "__loc": [f"台账 {i}" for i in range(5)],
        }
    )
    return candidates, prior


def _reference(candidates: pl.DataFrame, prior: pl.DataFrame, keys: list[str], limit: int) -> dict[int, str]:
    """_rid of each row held → the kept trainings of its key, as the rule reads."""
    mark = LOCATION_MARK
    groups: dict[tuple[Any, ...], list[tuple[int | None, str]]] = {}
    for row in prior.iter_rows(named=True):
        groups.setdefault(tuple(row[k] for k in keys), []).append((None, row["__loc"]))
    batch = sorted(
        candidates.iter_rows(named=True), key=lambda r: (r["end_date"] is None, r["end_date"] or dt.date.min, r["_rid"])
    )
    for row in batch:
        here = f"{mark}{row['_file']}{mark}{row['_sheet']}{mark}{row['_row']}{mark}"
        groups.setdefault(tuple(row[k] for k in keys), []).append((row["_rid"], here))
    held = {}
    for members in groups.values():
        kept = "、".join(loc for _, loc in members[:limit])
        held.update({rid: kept for rid, _ in members[limit:] if rid is not None})
    return held


@pytest.mark.parametrize(("keys", "limit"), [(["id_number"], 1), (["id_number", "level"], 1), (["id_number"], 3)])
@pytest.mark.parametrize("seed", [1, 2])
def test_rank_limit__holds_the_rows_the_rule_holds(keys: list[str], limit: int, seed: int) -> None:
    candidates, prior = _batch(seed)
    beyond = rank_limit(candidates, keys, limit, prior)
    found = dict(beyond.select("_rid", "__earlier").iter_rows())
    want = _reference(candidates, prior, keys, limit)
    assert len(want) > 10  # the batch does repeat people
    assert found == want
