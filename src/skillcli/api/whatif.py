"""What changed and what would change: two submissions of a batch compared (diff), and a year's
committed runs decided again with other parameters or another policy (simulate)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from skillcli.api._common import open_ledger, ready_ledger

if TYPE_CHECKING:
    from skillcli.diff import DiffReport
    from skillcli.io.limits import Limits
    from skillcli.ledger.store import Ledger
    from skillcli.pipeline import Progress
    from skillcli.replay import Simulation
    from skillcli.schema.columns import ColumnMap

SIMULATED_MONTHS_SCHEMA: dict[str, Any] = {
    "period": pl.String,
    "actual_fen": pl.Int64,
    "actual_lines": pl.Int64,
    "simulated_fen": pl.Int64,
    "simulated_lines": pl.Int64,
    "difference_fen": pl.Int64,
}
SIMULATED_PERSONS_SCHEMA: dict[str, Any] = {
    "person_id": pl.String,
    "name": pl.String,
    "change": pl.String,
    "actual_fen": pl.Int64,
    "simulated_fen": pl.Int64,
    "difference_fen": pl.Int64,
    "reason": pl.String,
}


@dataclass(frozen=True, slots=True)
class DiffResult:
    """The comparison (``report``: rows added, removed and changed, findings fixed and new, and with
    a policy the payout change per person) and the files written into ``out``."""

    report: DiffReport
    written: tuple[str, ...]

    @property
    def same(self) -> bool:
        return self.report.same


def diff(
    old: Path,
    new: Path,
    *,
    policy: str | None = None,
    period: str | None = None,
    overrides: Mapping[str, str] | None = None,
    ledger: Ledger | str | None = None,
    out: Path | None = None,
    max_file_mb: int = 500,
    limits: Limits | None = None,
    progress: Progress | None = None,
    lang: str = "zh",
    columns: ColumnMap | None = None,
) -> DiffResult:
    """Compare two submissions of a batch, rows matched by person and training, never by row number.
    With ``policy`` (and ``period``) both are decided as a payout dry run, reading the ledger as
    payout does. ``out`` receives diff.xlsx (its labels in ``lang``) and the CSVs; ``columns`` is the
    clerk's header mapping, for both files."""
    from skillcli.diff import compare
    from skillcli.errors import UsageError
    from skillcli.payout.decide import decide
    from skillcli.payout.settled import batch_people
    from skillcli.pipeline import load_batch, parse_period
    from skillcli.rules.load import find_policy, load_policy

    if policy is None and (overrides or ledger):
        raise UsageError("--param 和 --ledger 只与 --policy 一起使用", "--param and --ledger need --policy")
    if policy is not None and period is None:
        raise UsageError("比较补贴须给出 --period YYYY-MM", "--policy needs --period YYYY-MM")
    ctx = parse_period(period, dt.date.today())
    rules = load_policy(find_policy(policy), dict(overrides or {})) if policy is not None else None
    if progress is not None:
        progress(str(old), 0, 2)
    before = load_batch([old], ctx, max_file_mb=max_file_mb, limits=limits, columns=columns)
    if progress is not None:
        progress(str(new), 1, 2)
    after = load_batch([new], ctx, max_file_mb=max_file_mb, limits=limits, columns=columns)
    decisions = None
    if rules is not None:
        store = open_ledger(ledger, commit=False)
        people = sorted(set(batch_people(before)) | set(batch_people(after)))
        history = store.history(people) if store is not None else None
        decisions = (decide(before, rules, history=history), decide(after, rules, history=history))
    report = compare(before, after, decisions)
    written: list[str] = []
    if out is not None:
        from skillcli.io.writer import OutputSet
        from skillcli.report.diff import write_diff, write_diff_csvs

        with OutputSet(out, [old, new]) as outputs:
            write_diff(report, outputs.path("diff.xlsx"), lang)
            written = ["diff.xlsx", *write_diff_csvs(report, outputs.path, lang)]
            outputs.commit()
    return DiffResult(report, tuple(written))


@dataclass(frozen=True, slots=True)
class SimulateResult:
    """A year decided again: the simulation (totals, ``by`` any dimension), the totals by month
    (``months``, ``SIMULATED_MONTHS_SCHEMA``) and the people who gain, lose or change amount
    (``persons``, ``SIMULATED_PERSONS_SCHEMA``). Nothing was written to the ledger."""

    simulation: Simulation
    months: pl.DataFrame
    persons: pl.DataFrame
    file: Path | None


def simulate(
    year: int,
    *,
    overrides: Mapping[str, str] | None = None,
    policy: str | None = None,
    out: Path | None = None,
    ledger: Ledger | str | None = None,
) -> SimulateResult:
    """Every live run of ``year`` decided again from its archived inputs, in order, with the
    parameter ``overrides`` or another ``policy``, and compared with what was committed; ``out``
    (.xlsx) receives the workbook with a chart of actual vs simulated by month."""
    from skillcli.errors import UsageError
    from skillcli.io.writer import OutputSet
    from skillcli.replay import simulate as simulate_year
    from skillcli.report.simulate import write_simulation

    if out is not None and out.suffix.lower() != ".xlsx":
        raise UsageError(f"--out 应为 .xlsx 文件，读到「{out.name}」", f"--out must be an .xlsx file, got '{out.name}'")
    if not overrides and policy is None:
        raise UsageError("请用 --param 或 --policy 指定要模拟的变化", "give --param or --policy: what to change")
    store = ready_ledger(ledger)
    sim = simulate_year(store, year, dict(overrides or {}), policy)
    if out is not None:
        with OutputSet(out.parent, store.files) as outputs:
            write_simulation(outputs.path(out.name), sim)
            outputs.commit()
    return SimulateResult(
        sim,
        sim.by("month"),
        sim.persons(),
        out,
    )
