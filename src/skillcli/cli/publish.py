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
    from skillcli.cli.render import Screen
    from skillcli.config import load_config
    from skillcli.errors import UsageError
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.store import Ledger
    from skillcli.money import format_yuan
    from skillcli.report.publish import notice, publish_rows, write_publish

    screen = Screen(lang=lang, show_ids=False, quiet=quiet)
    t = screen.t
    store = Ledger.ready(ledger)
    run = store.run(run_id)
    if run["kind"] in ("void", "reissue") or run["voided"]:
        raise UsageError(
            f"批次 {run_id} 是作废或补发记录，或已作废，不能公示",
            f"run {run_id} is void, voided or a reissue; nothing to publish",
        )
    words = notice(run, load_config().table("contact"), title, period_text, contact)
    groups = publish_rows(store.run_lines(run_id))
    if not groups:
        raise UsageError(f"批次 {run_id} 没有付款行", f"run {run_id} has no payment lines")
    with OutputSet(out.parent, store.files) as outputs:
        write_publish(outputs.path(out.name), run, groups, words)
        outputs.commit()
    screen.table(
        t(words.title, f"Notice for run {run_id}"),
        [t("补贴项目", "subsidy"), t("人次", "person-times"), t("金额(元)", "yuan")],
        [[s, f.height, format_yuan(int(f.get_column("amount_fen").sum()), grouping=True)] for s, f in groups]
        + [
            [
                t("合计", "total"),
                sum(f.height for _, f in groups),
                format_yuan(sum(int(f.get_column("amount_fen").sum()) for _, f in groups), grouping=True),
            ]
        ],
        justify=["left", "right", "right"],
    )
    screen.line(t(f"已写出 {out}", f"wrote {out}"))
