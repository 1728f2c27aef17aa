"""``skillcli check``: read and validate a batch, list every problem with the cell to fix."""

from __future__ import annotations

import typer

# What the command runs, imported with the module (which only ``check`` loads), so that these
# imports are made while the collector is paused (``cli.app.load_command``).
from skillcli.api.checks import check as run_check
from skillcli.cli import options as opt
from skillcli.cli.columns import clerk_columns
from skillcli.cli.outcome import check_report, reading
from skillcli.cli.render import Screen, batch_summary


@opt.read_limit_options
def check(
    files: opt.Files,
    period: opt.Period = None,
    json_out: opt.Json = False,
    out: opt.OutDir = None,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
    limit: opt.Limit = 20,
    column_map: opt.ColumnMapOpt = None,
    split_by: opt.SplitBy = None,
    *,
    limits: opt.ReadLimits,
) -> None:
    """校验花名册/考勤/证书，列出每个问题所在的单元格 / Validate rosters and list every problem.

    Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error or unreadable file.
    """
    # The result goes to stdout (``check … > report.txt``), unless stdout carries the JSON.
    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet, results=not json_out)
    full_list = out / "exceptions.xlsx" if out is not None else None
    with reading(screen, len(files), lambda batch: batch_summary(screen, batch, limit, full_list=full_list)) as (
        tick,
        loaded,
    ):
        result = run_check(
            files,
            period=period,
            out=out,
            split_by=split_by,
            lang=lang,
            max_file_mb=limits.file_mb,
            limits=limits.expand,
            columns=clerk_columns(column_map),
            progress=tick,
            loaded=loaded,
        )
    check_report(screen, result, json_out=json_out)
    raise typer.Exit(1 if result.errors else 0)
