"""``skillcli payout``: check the batch, apply a policy, write the payout workbook and CSVs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillcli.cli import options as opt


@opt.read_limit_options
def payout(
    files: opt.Files,
    policy: opt.PolicyId,
    period: Annotated[str, typer.Option("--period", metavar="YYYY-MM", help="批次月份 YYYY-MM / batch month")],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="输出目录 / output directory")],
    param: opt.Params = None,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
    limit: opt.Limit = 20,
    column_map: opt.ColumnMapOpt = None,
    commit: Annotated[
        bool, typer.Option("--commit", help="写入台账（否则为试算，只读台账）/ record in the ledger")
    ] = False,
    ledger: opt.LedgerOpt = None,
    advance: Annotated[
        str | None, typer.Option("--advance", help="按比例预拨，如 50% / pay a share as an advance")
    ] = None,
    split_by: opt.SplitBy = None,
    *,
    limits: opt.ReadLimits,
) -> None:
    """按政策计算补贴：谁、多少、付给谁，其余为什么不发 / Decide who is paid how much, and why not the others.

    Without --commit the run is a dry run: it reads the ledger (already paid, yearly limits, advances)
    but writes nothing to it. --split-by writes one return per sender as check's does, holding also
    the rows held and the persons not eligible, with the sender's paid count and total on its cover. Exit codes: 0 paid with no exceptions, 1 paid with exceptions, 2 usage
    error or unreadable input, 3 internal inconsistency (control totals do not balance), 4 output
    directory or ledger locked by another run.
    """
    from skillcli.api.payouts import payout as run_payout
    from skillcli.cli.columns import clerk_columns
    from skillcli.cli.ledger import parse_share
    from skillcli.cli.outcome import payout_report, reading
    from skillcli.cli.render import Screen, batch_summary
    from skillcli.rules.load import parse_overrides

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet, results=not json_out)
    with reading(screen, len(files), lambda batch: batch_summary(screen, batch, limit)) as (tick, loaded):
        result = run_payout(
            files,
            policy,
            period,
            params=parse_overrides(param or []),
            ledger=ledger,
            commit=commit,
            advance=parse_share(advance),
            out=out,
            lang=lang,
            max_file_mb=limits.file_mb,
            limits=limits.expand,
            columns=clerk_columns(column_map),
            progress=tick,
            loaded=loaded,
            split_by=split_by,
        )
    payout_report(screen, result, out, limit, commit=commit, json_out=json_out, split_by=split_by)
    raise typer.Exit(1 if result.has_exceptions else 0)
