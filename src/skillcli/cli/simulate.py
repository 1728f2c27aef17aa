"""``skillcli simulate``: what a year would have cost with other parameters or another policy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillcli.cli import options as opt


def simulate(
    year: Annotated[int, typer.Argument(help="年度 / year")],
    param: opt.Params = None,
    policy: Annotated[str | None, typer.Option("--policy", help="改用另一政策 id / decide with another policy")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="模拟结果工作簿 .xlsx / workbook to write")] = None,
    json_out: opt.Json = False,
    ledger: opt.LedgerOpt = None,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
    limit: opt.Limit = 20,
) -> None:
    """模拟测算：改参数或政策后重算全年已登记批次 / Re-decide a year's committed runs with changed parameters.

    Every live (not voided) run of the year is decided again from its archived inputs, in order, each
    against the simulated runs before it, and compared with what was committed. Nothing is written to
    the ledger. Exit codes: 0 done, 2 usage error or a run without archived inputs.
    """
    from skillcli.api import simulate as simulate_year
    from skillcli.api.payloads import simulation_payload
    from skillcli.cli.render import Screen, print_json
    from skillcli.money import format_yuan
    from skillcli.report.simulate import CHANGES
    from skillcli.rules.load import parse_overrides

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet, results=not json_out)
    result = simulate_year(year, overrides=parse_overrides(param or []), policy=policy, out=out, ledger=ledger)
    sim, months, persons = result.simulation, result.months, result.persons
    screen.table(
        screen.t(f"{year} 年各月实发与模拟", f"{year}: actual and simulated by month"),
        [
            screen.t("月份", "month"),
            screen.t("实发", "actual"),
            screen.t("模拟", "simulated"),
            screen.t("差额", "difference"),
        ],
        [
            [
                r["period"],
                *(format_yuan(r[k], grouping=True) for k in ("actual_fen", "simulated_fen", "difference_fen")),
            ]
            for r in months.iter_rows(named=True)
        ],
        justify=["left", "right", "right", "right"],
    )
    counted = dict(persons.group_by("change").len().iter_rows())
    screen.line(
        screen.t(
            "、".join(f"{CHANGES[c]} {counted.get(c, 0)} 人" for c in CHANGES),
            ", ".join(f"{c} {counted.get(c, 0)}" for c in CHANGES),
        )
    )
    for r in persons.head(limit).iter_rows(named=True):
        screen.line(
            f"  {r['name']} {r['person_id']} {CHANGES[r['change']]} "
            f"{format_yuan(r['actual_fen'], grouping=True)} → {format_yuan(r['simulated_fen'], grouping=True)}：{r['reason']}"
        )
    difference = sim.simulated_fen - sim.actual_fen
    screen.line(
        screen.t(
            f"{len(sim.runs)} 个批次：实发 {format_yuan(sim.actual_fen, grouping=True)} 元，模拟"
            f" {format_yuan(sim.simulated_fen, grouping=True)} 元，预算差额 {format_yuan(difference, grouping=True)} 元"
            "（台账未改动）",
            f"{len(sim.runs)} runs: actual {format_yuan(sim.actual_fen, grouping=True)}, simulated"
            f" {format_yuan(sim.simulated_fen, grouping=True)}, budget difference {format_yuan(difference, grouping=True)}"
            " (the ledger is unchanged)",
        )
    )
    if out is not None:
        screen.line(screen.t(f"已写出 {out}", f"wrote {out}"))
    if json_out:
        print_json(simulation_payload(sim, screen.mask))
