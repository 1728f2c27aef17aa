"""``skillcli publish``: the 公示 workbook of a committed run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillcli.cli import options as opt


def publish(
    run_id: Annotated[str, typer.Argument(help="批次号 / run id")],
    *,
    out: Annotated[Path, typer.Option("--out", help="公示 .xlsx / output workbook")],
    title: Annotated[
        str | None, typer.Option("--title", help="标题（默认「关于 YYYY 年 M 月职业技能培训补贴拟发放名单的公示」）")
    ] = None,
    period_text: Annotated[
        str | None, typer.Option("--period-text", help="公示期（默认 skillcli.toml [contact] 公示期）/ notice period")
    ] = None,
    contact: Annotated[
        str | None, typer.Option("--contact", help="联系方式（默认 skillcli.toml [contact]）/ whom to contact")
    ] = None,
    ledger: opt.LedgerOpt = None,
    lang: opt.Lang = "zh",
    quiet: opt.Quiet = False,
) -> None:
    """生成拟发放名单公示（身份证号码脱敏，按补贴项目分组合计，A4 打印）/ Write the public notice of a run.

    Exit codes: 0 written, 2 usage error (unknown, void or voided run; no 公示期 or contact), 4 locked.
    """
    from skillcli.api import publish as publish_run
    from skillcli.cli.render import Screen
    from skillcli.money import format_yuan

    screen = Screen(lang=lang, show_ids=False, quiet=quiet)
    t = screen.t
    result = publish_run(run_id, out, ledger=ledger, title=title, period_text=period_text, contact=contact)
    rows = result.by_subsidy
    screen.table(
        t(result.title, f"Notice for run {run_id}"),
        [t("补贴项目", "subsidy"), t("人次", "person-times"), t("金额(元)", "yuan")],
        [[r["subsidy"], r["person_times"], format_yuan(r["fen"], grouping=True)] for r in rows.iter_rows(named=True)]
        + [
            [
                t("合计", "total"),
                int(rows.get_column("person_times").sum()),
                format_yuan(int(rows.get_column("fen").sum()), grouping=True),
            ]
        ],
        justify=["left", "right", "right"],
    )
    screen.line(t(f"已写出 {out}", f"wrote {out}"))
