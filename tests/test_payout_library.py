"""The payout's limits and holds as library calls on inline frames: no workbook, no CLI.

The limits rank a person's trainings (the ledger's first, then the batch's by end date and input
order) and hold what is beyond; the holds keep a row out for an error about it, wherever that error is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from skillcli.findings import RENDERED_COLUMNS
from skillcli.payout.history import CERT_SCHEMA, HISTORY_SCHEMA, History
from skillcli.payout.holds import blocked_rows
from skillcli.payout.limits import apply_limits, prior_trainings
from skillcli.pipeline import Batch
from skillcli.rules.model import Limits
from skillcli.schema.checks import LOCATION_MARK, words_locations
from skillcli.schema.validate import Context

ROSTER = "名单.xlsx"


def candidates(*rows: tuple[str, str, str | None, str, bool, list[str]]) -> pl.DataFrame:
    """Rows (person, occupation, level, end date, counts, rules), at Excel rows 2, 3, … of the roster."""
    return pl.DataFrame(
        {
            "_rid": list(range(len(rows))),
            "_file": [ROSTER] * len(rows),
            "_sheet": ["花名册"] * len(rows),
            "_row": [i + 2 for i in range(len(rows))],
            "id_number": [r[0] for r in rows],
            "occupation": [r[1] for r in rows],
            "level": [r[2] for r in rows],
            "end_date": [dt.date.fromisoformat(r[3]) for r in rows],
            "counts": [r[4] for r in rows],
            "rule": [r[5] for r in rows],
        },
        schema_overrides={"_rid": pl.UInt32, "_row": pl.Int64},
    )


def ledger(*lines: tuple[str, int, str, str, str | None, str, str]) -> pl.DataFrame:
    """What the ledger holds: (run, line, person, occupation, level, end date, rule) lines that count,
    each the run's only line (序号 1), the run of the month of January 2021."""
    history = History(
        pl.DataFrame(
            [
                {
                    "run_id": run,
                    "line_id": line,
                    "period": "2021-01",
                    "seq": 1,
                    "claim_key": f"{person}|{rule}|{occupation}|{end}",
                    "kind": "payment",
                    "person_id": person,
                    "rule": rule,
                    "occupation": occupation,
                    "level": level,
                    "end_date": end,
                    "counts": True,
                    "amount_fen": 150000,
                    "entitlement_fen": 150000,
                }
                for run, line, person, occupation, level, end, rule in lines
            ],
            schema=HISTORY_SCHEMA,
        ),
        pl.DataFrame(schema=CERT_SCHEMA),
    )
    return prior_trainings(history, pl.Series([], dtype=pl.String))


def held(frame: pl.DataFrame, limits: Limits, prior: pl.DataFrame) -> dict[int, tuple[str, str, str]]:
    """Excel row → (code, value, where the kept trainings are) for every row a limit holds."""
    left, found = apply_limits(frame, limits, prior)
    issues = pl.concat(found)
    assert set(left.get_column("_row").to_list()).isdisjoint(issues.get_column("_row").to_list())
    assert left.height + issues.height == frame.height
    return {r["_row"]: (r["code"], r["value"], worded(r["detail"])) for r in issues.iter_rows(named=True)}


def worded(detail: str) -> str:
    """A limit's detail with its ledger lines worded as the clerk reads them (台账 2021-01 批次（R1）第 1 笔)
    and its row references left marked as |file|sheet|row|."""
    rendered = pl.select(words_locations(pl.lit(detail.replace(LOCATION_MARK, "|")), pl.lit(""), lang="zh")).item()
    return str(rendered)


def test_limits__the_yearly_count_takes_the_ledgers_trainings_first() -> None:
    frame = candidates(
        ("A", "电工", "4", "2021-03-31", True, ["A8"]),
        ("A", "车工", "4", "2021-07-31", True, ["A8"]),
        ("A", "焊工", "4", "2021-05-20", True, ["A8"]),
        ("A", "钳工", "4", "2022-01-10", True, ["A8"]),  # another year
        ("A", "车工", None, "2021-08-01", False, ["A5"]),  # does not count
        ("B", "电工", "4", "2021-06-30", True, ["A8"]),
    )
    prior = ledger(("R1", 7, "A", "钳工", "4", "2021-01-15", "A8"))
    found = held(frame, Limits(yearly_max=2), prior)
    # The ledger's January training and the batch's March one are the two of 2021; May and July are beyond.
    where = "台账 2021-01 批次（R1）第 1 笔、|名单.xlsx|花名册|2|"
    assert found == {4: ("limit.yearly", "2", where), 3: ("limit.yearly", "2", where)}


def test_limits__no_repeat_holds_the_same_occupation_and_level_again_and_the_ledgers() -> None:
    frame = candidates(
        ("A", "电工", "4", "2021-06-30", True, ["A8"]),
        ("A", "电工", "4", "2021-03-31", True, ["A8"]),  # earlier: kept
        ("A", "电工", "3", "2021-09-30", True, ["A8"]),  # another level
        ("A", "焊工", "4", "2021-04-30", True, ["A8"]),  # paid before, in the ledger
        ("A", "焊工", None, "2021-05-30", True, ["A5"]),  # no level: not a repeat
    )
    prior = ledger(("R1", 3, "A", "焊工", "4", "2020-11-30", "A8"))
    limits = Limits(no_repeat=True, no_repeat_id="E2", no_repeat_clause="S2c 三(十三)")
    assert held(frame, limits, prior) == {
        2: ("limit.no-repeat", "E2，S2c 三(十三)", "|名单.xlsx|花名册|3|"),
        5: ("limit.no-repeat", "E2，S2c 三(十三)", "台账 2021-01 批次（R1）第 1 笔"),
    }


def test_limits__an_exclusive_group_pays_one_of_its_rules_per_person() -> None:
    frame = candidates(
        ("A", "车工", None, "2021-05-10", False, ["A6"]),
        ("A", "车工", None, "2021-04-10", False, ["A5"]),
        ("B", "车工", None, "2021-05-10", False, ["A6"]),
        ("B", "车工", None, "2021-06-10", False, ["A7"]),  # outside the group
    )
    limits = Limits(exclusive=(("E4", "S2c 二(四)2", ("A5", "A6")),))
    assert held(frame, limits, ledger()) == {2: ("limit.exclusive", "E4 A5/A6，S2c 二(四)2", "|名单.xlsx|花名册|3|")}


def test_limits__an_exclusive_group_does_not_limit_a_second_line_of_the_kept_rule() -> None:
    # E4 (S2c 二(四)2) forbids 以工代训 (A6) with 岗前培训 (A5) for one person, not a second month of A6:
    # C's June A6 follows her May A6 in the ledger and is paid; D's A5 follows his ledger A6 and is held,
    # naming that line; E's two A6 rows in one batch are both paid, his later A5 held naming the first.
    frame = candidates(
        ("C", "车工", None, "2021-06-30", False, ["A6"]),
        ("D", "车工", None, "2021-06-10", False, ["A5"]),
        ("E", "车工", None, "2021-05-31", False, ["A6"]),
        ("E", "车工", None, "2021-06-30", False, ["A6"]),
        ("E", "车工", None, "2021-06-30", False, ["A5"]),
    )
    prior = ledger(("R1", 4, "C", "车工", None, "2021-05-31", "A6"), ("R1", 5, "D", "车工", None, "2021-05-31", "A6"))
    limits = Limits(exclusive=(("E4", "S2c 二(四)2", ("A5", "A6")),))
    assert held(frame, limits, prior) == {
        3: ("limit.exclusive", "E4 A5/A6，S2c 二(四)2", "台账 2021-01 批次（R1）第 1 笔"),
        6: ("limit.exclusive", "E4 A5/A6，S2c 二(四)2", "|名单.xlsx|花名册|4|"),
    }


def findings(*rows: tuple[str, str, int | None, str, str, str]) -> pl.DataFrame:
    """(file, sheet, row, code, severity, person id) findings as the check renders them, the rest blank."""
    data: dict[str, list[Any]] = {name: [""] * len(rows) for name in RENDERED_COLUMNS}
    for name, index in (("file", 0), ("sheet", 1), ("row", 2), ("code", 3), ("severity", 4), ("person_id", 5)):
        data[name] = [r[index] for r in rows]
    return pl.DataFrame(data, schema={name: pl.Int64 if name == "row" else pl.String for name in RENDERED_COLUMNS})


def test_holds__an_error_holds_its_row_an_error_elsewhere_its_person_a_missing_column_its_sheet() -> None:
    roster = pl.DataFrame(
        {
            "_rid": [0, 1, 2, 3, 4],
            "_file": [ROSTER, ROSTER, ROSTER, "二.xlsx", "二.xlsx"],
            "_sheet": ["花名册"] * 5,
            "_row": [2, 3, 4, 2, 3],
            "id_number": ["P0", "P1", "P2", "P3", "P4"],
        },
        schema_overrides={"_rid": pl.UInt32, "_row": pl.Int64},
    )
    batch = Batch(
        Context(dt.date(2021, 6, 1), dt.date(2021, 6, 30), dt.date(2021, 7, 1)),
        [],
        {},
        {},
        findings(
            (ROSTER, "花名册", 2, "id.checksum", "error", "P0"),
            (ROSTER, "花名册", 3, "phone.format", "warning", "P1"),  # a warning holds nothing
            (ROSTER, "考勤", 9, "attendance.present-exceeds-required", "error", "P2"),
            ("二.xlsx", "花名册", 1, "sheet.missing-column", "error", ""),
        ),
        {("二.xlsx", "花名册")},
    )
    own, others = blocked_rows(batch, roster)
    # A row's own findings, and the finding in another sheet that holds a person's row (listed beside the hold).
    assert own.select("_rid", "code").rows() == [(0, "id.checksum"), (2, "attendance.present-exceeds-required")]
    reasons = {r["_rid"]: (r["code"], r["value"]) for r in others.iter_rows(named=True)}
    assert reasons == {
        2: ("payout.blocked-by-related", "attendance.present-exceeds-required"),
        3: ("payout.sheet-unusable", ""),
        4: ("payout.sheet-unusable", ""),
    }
    related = others.filter(pl.col("_rid") == 2).get_column("detail").item()
    assert related.replace(LOCATION_MARK, "|") == "|名单.xlsx|考勤|9|"
