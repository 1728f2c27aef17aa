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
    period: Annotated[str, typer.Option("--period", help="批次月份 YYYY-MM / batch month")],
    out: Annotated[Path, typer.Option("--out", help="输出目录 / output directory")],
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
    *,
    limits: opt.ReadLimits,
) -> None:
    """按政策计算补贴：谁、多少、付给谁，其余为什么不发 / Decide who is paid how much, and why not the others.

    Without --commit the run is a dry run: it reads the ledger (already paid, yearly limits, advances)
    but writes nothing to it. Exit codes: 0 paid with no exceptions, 1 paid with exceptions, 2 usage
    error or unreadable input, 3 internal inconsistency (control totals do not balance), 4 output
    directory or ledger locked by another run.
    """
    import datetime as dt

    from skillcli.api._common import open_ledger
    from skillcli.api.payloads import decision_payload
    from skillcli.cli.columns import clerk_columns
    from skillcli.cli.ledger import ledger_line, parse_share
    from skillcli.cli.render import Screen, batch_summary, decision_summary, print_json
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.where import new_run_id
    from skillcli.payout import batch_people, decide
    from skillcli.pipeline import load_batch, parse_period
    from skillcli.report.payout import write_payout
    from skillcli.rules.load import find_policy, load_policy, parse_overrides

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet)
    columns = clerk_columns(column_map)
    ctx = parse_period(period, dt.date.today())
    rules = load_policy(find_policy(policy), parse_overrides(param or []))
    with screen.progress(len(files), screen.t("读取", "reading")) as tick:
        batch = load_batch(files, ctx, max_file_mb=limits.file_mb, limits=limits.expand, progress=tick, columns=columns)
    batch_summary(screen, batch, limit)
    store = open_ledger(ledger, commit=commit)
    history = store.history(batch_people(batch)) if store is not None else None
    decision = decide(batch, rules, history=history, advance_share=parse_share(advance))
    run_id = new_run_id() if commit and decision.lines.height else None
    with OutputSet(out, files) as outputs:
        manifest = write_payout(
            outputs, batch, decision, run_id=run_id, ledger=store.name if store is not None else None, lang=lang
        )
        if run_id is not None and store is not None:
            # Imported only for a commit: it loads the database layer (SQLAlchemy, issue 16).
            from skillcli.ledger.commit import commit as commit_run

            commit_run(store, run_id, batch, decision, manifest["inputs"])
        outputs.commit()
    decision_summary(screen, decision, limit)
    if commit:
        screen.line(
            screen.t(
                f"已写入台账 {store.name if store else ''}：批次 {run_id}，{decision.lines.height} 笔",
                f"committed to {store.name if store else ''}: run {run_id}, {decision.lines.height} lines",
            )
            if run_id
            else screen.t(
                "没有新的应发记录，台账未写入（已发放的不重复发放）",
                "nothing new to commit; the ledger is unchanged (paid claims are not paid again)",
            )
        )
    else:
        screen.line(screen.t(*ledger_line(store)))
    screen.line(
        screen.t(
            f"已写出 {out}/payouts.xlsx、payouts.csv、exceptions.csv、ineligible.csv、manifest.json",
            f"wrote {out}/payouts.xlsx, payouts.csv, exceptions.csv, ineligible.csv, manifest.json",
        )
    )
    if json_out:
        print_json({**decision_payload(batch, decision, screen.mask), "ledger": store.name if store else None})
    raise typer.Exit(1 if decision.has_exceptions else 0)
