"""``skillcli explain``: every rule considered for one person, with values and the formula."""

from __future__ import annotations

from typing import Annotated

import typer

from skillcli.cli import options as opt


def explain(
    person_id: Annotated[str, typer.Argument(help="身份证号码 / ID number")],
    files: opt.Files,
    policy: opt.PolicyId,
    period: Annotated[str, typer.Option("--period", help="批次月份 YYYY-MM / batch month")],
    param: opt.Params = None,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
) -> None:
    """逐条解释某人的补贴计算（条件、取值、公式、条款）/ Explain one person's payout rule by rule."""
    import datetime as dt

    from skillcli.cli.render import Screen, explanation
    from skillcli.errors import UsageError
    from skillcli.payout import decide
    from skillcli.pipeline import load_batch, parse_period
    from skillcli.rules.explain import explain_person
    from skillcli.rules.load import find_policy, load_policy, parse_overrides

    screen = Screen(lang=lang, show_ids=show_ids)
    rules = load_policy(find_policy(policy), parse_overrides(param or []))
    batch = load_batch(files, parse_period(period, dt.date.today()))
    decision = decide(batch, rules)
    rows = explain_person(decision, rules, person_id)
    if not rows:
        raise UsageError("花名册中没有这个身份证号码", "this ID number is not on the roster")
    explanation(screen, rows)
