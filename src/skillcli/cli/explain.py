"""``skillcli explain``: every rule considered for one person, with values and the formula."""

from __future__ import annotations

from typing import Annotated

import typer

from skillcli.cli import options as opt


@opt.read_limit_options
def explain(
    person_id: Annotated[str, typer.Argument(help="身份证号码 / ID number")],
    files: opt.Files,
    policy: opt.PolicyId,
    period: Annotated[str, typer.Option("--period", metavar="YYYY-MM", help="批次月份 YYYY-MM / batch month")],
    param: opt.Params = None,
    ledger: opt.LedgerOpt = None,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    column_map: opt.ColumnMapOpt = None,
    *,
    limits: opt.ReadLimits,
) -> None:
    """逐条解释某人的补贴计算（条件、取值、公式、条款）/ Explain one person's payout rule by rule.

    The batch is decided as a dry-run payout decides it: the ledger is read (already paid, yearly
    limits, advances), never written.
    """
    from skillcli.api.payouts import explain as run_explain
    from skillcli.cli.columns import clerk_columns
    from skillcli.cli.render import Screen, explanation
    from skillcli.rules.load import parse_overrides

    screen = Screen(lang=lang, show_ids=show_ids)
    # The batch is read with the same options as payout reads it (--map over the office's [columns],
    # the input limits): the same headers, the same rows.
    result = run_explain(
        person_id,
        files,
        policy,
        period,
        params=parse_overrides(param or []),
        ledger=ledger,
        max_file_mb=limits.file_mb,
        limits=limits.expand,
        columns=clerk_columns(column_map),
    )
    explanation(screen, list(result.rows))
