"""``skillcli diff``: what a resubmitted batch changed, and what the change does to the payout."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillcli.cli import options as opt


@opt.read_limit_options
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
    limit: opt.Limit = 20,
    column_map: opt.ColumnMapOpt = None,
    *,
    limits: opt.ReadLimits,
) -> None:
    """比较两次报送：新增、删除、修改的行，以及对补贴的影响 / Compare two submissions of a batch.

    Rows are matched by person and training (ID number, training type, occupation, level, start
    date; certificates by ID and certificate number; attendance by ID, class and day), never by
    row number. With --policy both files are decided as a payout dry run (reading the ledger as
    payout does) and the payout change is shown per person. Exit codes: 0 the two batches are the
    same, 1 they differ, 2 usage error or unreadable input.
    """
    from skillcli.api import diff as compare_batches
    from skillcli.api.payloads import diff_payload
    from skillcli.cli.columns import clerk_columns
    from skillcli.cli.render import Screen, diff_summary, print_json
    from skillcli.rules.load import parse_overrides

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet, results=not json_out)
    with screen.progress(2, screen.t("读取", "reading")) as tick:
        result = compare_batches(
            old,
            new,
            policy=policy,
            period=period,
            overrides=parse_overrides(param or []),
            ledger=ledger,
            out=out,
            max_file_mb=limits.file_mb,
            limits=limits.expand,
            progress=tick,
            lang=lang,
            columns=clerk_columns(column_map),
        )
    diff_summary(screen, result.report, limit)
    if out is not None:
        screen.line(screen.t("已写出 ", "wrote ") + f"{out / 'diff.xlsx'}, " + ", ".join(result.written[1:]))
    if json_out:
        print_json(diff_payload(result.report, screen.mask))
    raise typer.Exit(0 if result.same else 1)
