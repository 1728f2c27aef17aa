"""``skillcli diff``: what a resubmitted batch changed, and what the change does to the payout."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillcli.cli import options as opt


def diff(
    old: Annotated[Path, typer.Argument(help="先前报送的文件 / the earlier file", show_default=False)],
    new: Annotated[Path, typer.Argument(help="重新报送的文件 / the resubmitted file", show_default=False)],
    policy: Annotated[
        str | None, typer.Option("--policy", help="政策 id：同时比较补贴 / policy id: compare the payouts too")
    ] = None,
    period: opt.Period = None,
    param: opt.Params = None,
    ledger: opt.LedgerOpt = None,
    out: opt.OutDir = None,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
    max_file_mb: opt.MaxFileMb = 500,
    max_expanded_mb: opt.MaxExpandedMb = 1024,
    max_cells: opt.MaxCells = 5_000_000,
    max_strings_mb: opt.MaxStringsMb = 256,
    max_rows: opt.MaxRows = 2_000_000,
    limit: opt.Limit = 20,
) -> None:
    """比较两次报送：新增、删除、修改的行，以及对补贴的影响 / Compare two submissions of a batch.

    Rows are matched by person and training (ID number, training type, occupation, level, start
    date; certificates by ID and certificate number; attendance by ID, class and day), never by
    row number. With --policy both files are decided as a payout dry run (reading the ledger as
    payout does) and the payout change is shown per person. Exit codes: 0 the two batches are the
    same, 1 they differ, 2 usage error or unreadable input.
    """
    import datetime as dt

    from skillcli.cli.ledger import open_ledger
    from skillcli.cli.render import Screen, diff_summary, print_json
    from skillcli.diff import compare
    from skillcli.errors import UsageError
    from skillcli.payout.decide import decide
    from skillcli.payout.settled import batch_people
    from skillcli.pipeline import load_batch, parse_period
    from skillcli.rules.load import find_policy, load_policy, parse_overrides

    if policy is None and (param or ledger):
        raise UsageError("--param 和 --ledger 只与 --policy 一起使用", "--param and --ledger need --policy")
    if policy is not None and period is None:
        raise UsageError("比较补贴须给出 --period YYYY-MM", "--policy needs --period YYYY-MM")
    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet)
    ctx = parse_period(period, dt.date.today())
    limits = opt.read_limits(max_expanded_mb, max_cells, max_strings_mb, max_rows)
    rules = load_policy(find_policy(policy), parse_overrides(param or [])) if policy is not None else None
    with screen.progress(2, screen.t("读取", "reading")) as tick:
        tick(str(old), 0, 2)
        before = load_batch([old], ctx, max_file_mb=max_file_mb, limits=limits)
        tick(str(new), 1, 2)
        after = load_batch([new], ctx, max_file_mb=max_file_mb, limits=limits)
    decisions = None
    if rules is not None:
        store = open_ledger(ledger, commit=False)
        history = store.history(sorted(set(batch_people(before)) | set(batch_people(after)))) if store is not None else None
        decisions = (decide(before, rules, history=history), decide(after, rules, history=history))
    report = compare(before, after, decisions)
    diff_summary(screen, report, limit)
    if out is not None:
        from skillcli.io.writer import OutputSet
        from skillcli.report.diff import write_diff, write_diff_csvs

        with OutputSet(out, [old, new]) as outputs:
            write_diff(report, outputs.path("diff.xlsx"))
            names = write_diff_csvs(report, outputs.path)
            outputs.commit()
        screen.line(screen.t("已写出 ", "wrote ") + f"{out / 'diff.xlsx'}, " + ", ".join(names))
    if json_out:
        from skillcli.report.diff import diff_payload

        print_json(diff_payload(report, screen.mask))
    raise typer.Exit(0 if report.same else 1)
