"""``skillcli payout``: check the batch, apply a policy, write the payout workbook and CSVs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillcli.cli import options as opt


def payout(
    files: opt.Files,
    policy: opt.PolicyId,
    period: Annotated[str, typer.Option("--period", help="批次月份 YYYY-MM / batch month")],
    out: Annotated[Path, typer.Option("--out", help="输出目录 / output directory")],
    param: opt.Params = None,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
    max_file_mb: opt.MaxFileMb = 500,
    limit: opt.Limit = 20,
) -> None:
    """按政策计算补贴：谁、多少、付给谁，其余为什么不发 / Decide who is paid how much, and why not the others.

    Exit codes: 0 paid with no exceptions, 1 paid with exceptions, 2 usage error or unreadable input,
    3 internal inconsistency (control totals do not balance), 4 output directory locked.
    """
    import datetime as dt

    from skillcli.cli.render import Screen, batch_summary, decision_summary, print_json
    from skillcli.io.writer import OutputSet
    from skillcli.payout import decide
    from skillcli.pipeline import load_batch, parse_period
    from skillcli.report.payout import write_payout
    from skillcli.report.summary import decision_payload
    from skillcli.rules.load import find_policy, load_policy, parse_overrides

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet)
    ctx = parse_period(period, dt.date.today())
    rules = load_policy(find_policy(policy), parse_overrides(param or []))
    with screen.progress(len(files), screen.t("读取", "reading")) as advance:
        batch = load_batch(files, ctx, max_file_mb=max_file_mb, progress=advance)
    batch_summary(screen, batch, limit)
    decision = decide(batch, rules)
    with OutputSet(out) as outputs:
        write_payout(outputs, batch, decision, files)
        outputs.commit()
    decision_summary(screen, decision, limit)
    screen.line(screen.t(f"已写出 {out}/payouts.xlsx、payouts.csv、exceptions.csv、ineligible.csv、manifest.json",
                         f"wrote {out}/payouts.xlsx, payouts.csv, exceptions.csv, ineligible.csv, manifest.json"))
    if json_out:
        print_json(decision_payload(batch, decision, screen.mask))
    raise typer.Exit(1 if decision.counts["exception"] else 0)
