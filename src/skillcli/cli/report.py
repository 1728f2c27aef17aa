"""``skillcli report month YYYY-MM`` / ``report year YYYY``: fund use from the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from skillcli.cli import options as opt

if TYPE_CHECKING:
    from skillcli.cli.render import Screen
    from skillcli.ledger.store import Ledger
    from skillcli.report.funds import FundReport, Scope
    from skillcli.vouchers.status import VoucherSummary

report_app = typer.Typer(help="补贴资金使用情况报表 / Fund reports from the ledger.", no_args_is_help=True)

OutFile = Annotated[Path | None, typer.Option("--out", help="报表 .xlsx / report workbook")]
Targets = Annotated[
    Path | None, typer.Option("--targets", help="年度目标 TOML（默认 ./skillcli-targets.toml）/ yearly targets file")
]


@report_app.command("month")
def month(
    period: Annotated[str, typer.Argument(help="月份 YYYY-MM / month")],
    *,
    ledger: opt.LedgerOpt = None,
    out: OutFile = None,
    json_out: opt.Json = False,
    targets: Targets = None,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
    limit: opt.Limit = 20,
) -> None:
    """月报：按补贴项目、收款方、人员类别、等级汇总，资金支付情况 / Monthly fund report."""
    _report(
        "month",
        period,
        ledger=ledger,
        out=out,
        json_out=json_out,
        targets=targets,
        lang=lang,
        show_ids=show_ids,
        quiet=quiet,
        limit=limit,
    )


@report_app.command("year")
def year(
    period: Annotated[str, typer.Argument(help="年度 YYYY / year")],
    *,
    ledger: opt.LedgerOpt = None,
    out: OutFile = None,
    json_out: opt.Json = False,
    targets: Targets = None,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
    limit: opt.Limit = 20,
) -> None:
    """年报：含各月合计与年度目标完成率 / Yearly fund report with monthly totals and target progress."""
    _report(
        "year",
        period,
        ledger=ledger,
        out=out,
        json_out=json_out,
        targets=targets,
        lang=lang,
        show_ids=show_ids,
        quiet=quiet,
        limit=limit,
    )


def _report(
    kind: str,
    period: str,
    *,
    ledger: str | None,
    out: Path | None,
    json_out: bool,
    targets: Path | None,
    lang: str,
    show_ids: bool,
    quiet: bool,
    limit: int,
) -> None:
    from skillcli.cli.render import Screen, print_json
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.queries import chain_events, live_lines, live_runs, root_disbursements
    from skillcli.ledger.store import Ledger
    from skillcli.report.funds import Scope, build_report, load_targets
    from skillcli.report.funds_book import report_payload, write_report

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet)
    scope = Scope.parse(kind, period)
    goals = load_targets(targets)
    store = Ledger.open(ledger)
    store.ensure_ready(create=False)
    runs = [r for r in live_runs(store.runs()) if str(r["period"]).startswith(f"{scope.year}-")]
    run_ids = [r["run_id"] for r in runs]
    # A reissue (补发) pays a failed line again: the line counts once, with its latest result.
    exported = root_disbursements(store, run_ids)
    report = build_report(
        scope,
        runs=runs,
        lines=live_lines(store, run_ids),
        disb=exported,
        events=chain_events(store, exported),
        targets=goals,
    )
    report.vouchers = _vouchers(store, scope)
    if out is not None:
        with OutputSet(out.parent) as outputs:
            write_report(outputs.path(out.name), report)
            outputs.commit()
    show(screen, report, limit)
    if out is not None:
        screen.line(screen.t(f"已写出 {out}", f"wrote {out}"))
    if json_out:
        print_json(report_payload(report))


def _vouchers(store: Ledger, scope: Scope) -> VoucherSummary | None:
    """Vouchers issued in the month or year, as of its last day (None when the ledger holds none)."""
    import datetime as dt

    from skillcli.ledger.vouchers import vouchers
    from skillcli.vouchers.status import summarise

    held = vouchers(store)
    if held.height == 0:
        return None
    last = dt.date.fromisoformat(scope.last_day)
    return summarise(held, last, issued_from=dt.date.fromisoformat(scope.first_day), issued_to=last)


def show(screen: Screen, report: FundReport, limit: int) -> None:
    """Rich tables: summary, target progress, the breakdowns, monthly totals."""
    from skillcli.model import PayeeType
    from skillcli.money import format_yuan
    from skillcli.report.funds_book import summary_rows, target_rows

    t = screen.t
    payee_zh = {p.value: p.label_zh for p in PayeeType}

    def yuan(fen: int | None) -> str:
        return "" if fen is None else format_yuan(fen, grouping=True)

    right3 = ["left", "right", "right"]
    screen.table(
        t(f"补贴资金使用情况 {report.scope.label}", f"Fund report {report.scope.label}"),
        [t("项目", "item"), t("人数/笔数", "count"), t("金额(元)", "yuan")],
        [[label, "" if n is None else n, yuan(fen)] for label, n, fen in summary_rows(report)],
        justify=right3,
    )
    if report.targets:
        screen.table(
            t(f"{report.scope.year} 年度目标完成情况", f"{report.scope.year} targets"),
            [t("指标", "measure"), t("实际", "actual"), t("目标", "target"), t("完成率", "progress")],
            [
                [
                    label,
                    f"{actual:,}" if isinstance(actual, int) else f"{actual:,.2f}",
                    f"{goal:,}" if isinstance(goal, int) else f"{goal:,.2f}",
                    "—" if pct is None else f"{pct} %",
                ]
                for label, actual, goal, pct in target_rows(report)
            ],
            justify=["left", "right", "right", "right"],
        )
    headers = [t("人数", "persons"), t("笔数", "lines"), t("金额(元)", "yuan")]
    screen.table(
        t("按补贴项目", "By subsidy"),
        [t("规则", "rule"), t("补贴项目", "subsidy"), *headers],
        [
            [r["rule"], r["subsidy"], r["persons"], r["lines"], yuan(r["fen"])]
            for r in report.by_subsidy.iter_rows(named=True)
        ],
        justify=["left", "left", "right", "right", "right"],
    )
    screen.table(
        t("按收款方类型", "By payee type"),
        [t("类型", "type"), t("收款方", "payees"), *headers],
        [
            [payee_zh.get(r["payee_type"], r["payee_type"]), r["payees"], r["persons"], r["lines"], yuan(r["fen"])]
            for r in report.by_payee_type.iter_rows(named=True)
        ],
        justify=["left", "right", "right", "right", "right"],
    )
    if report.by_payee.height:
        shown = report.by_payee.sort("fen", descending=True).head(limit)
        screen.table(
            t(
                f"按单位（前 {shown.height} 个，共 {report.by_payee.height} 个）",
                f"By enterprise / institution (top {shown.height} of {report.by_payee.height})",
            ),
            [t("单位", "payee"), t("类型", "type"), *headers],
            [
                [
                    r["payee_name"] or r["payee_id"],
                    payee_zh.get(r["payee_type"], r["payee_type"]),
                    r["persons"],
                    r["lines"],
                    yuan(r["fen"]),
                ]
                for r in shown.iter_rows(named=True)
            ],
            justify=["left", "left", "right", "right", "right"],
        )
    screen.table(
        t("按人员类别", "By person category"),
        [t("人员类别", "category"), *headers],
        [[r["category"], r["persons"], r["lines"], yuan(r["fen"])] for r in report.by_category.iter_rows(named=True)],
        justify=["left", "right", "right", "right"],
    )
    screen.table(
        t("按等级", "By level"),
        [t("等级", "level"), *headers],
        [[r["level_label"], r["persons"], r["lines"], yuan(r["fen"])] for r in report.by_level.iter_rows(named=True)],
        justify=["left", "right", "right", "right"],
    )
    if report.scope.month is None:
        screen.table(
            t("各月合计", "Monthly totals"),
            [
                t("月份", "month"),
                t("笔数", "lines"),
                t("人数", "persons"),
                t("发放(元)", "committed"),
                t("已支付(元)", "paid"),
                t("失败(元)", "failed"),
                t("待确认(元)", "outstanding"),
            ],
            [
                [
                    r["period"],
                    r["lines"],
                    r["persons"],
                    yuan(r["committed_fen"]),
                    yuan(r["paid_fen"]),
                    yuan(r["failed_fen"]),
                    yuan(r["outstanding_fen"]),
                ]
                for r in report.monthly.iter_rows(named=True)
            ],
            justify=["left", *["right"] * 6],
        )
    if report.vouchers is not None:
        from skillcli.cli.vouchers import show_summary
        from skillcli.money import format_yuan as _yuan

        v = report.vouchers
        show_summary(
            screen,
            v,
            t(
                f"培训券：{report.scope.label} 发放的券（截至 {v.as_of}）",
                f"Training vouchers issued in {report.scope.label} (as of {v.as_of})",
            ),
        )
        screen.line(
            t(
                f"本期核销 {v.totals['redeemed_in_period']} 张，付给培训机构 {_yuan(v.totals['paid_in_period_fen'], grouping=True)} 元",
                f"redeemed in the period: {v.totals['redeemed_in_period']} vouchers, "
                f"{_yuan(v.totals['paid_in_period_fen'], grouping=True)} yuan to institutions",
            )
        )
    if not report.runs:
        screen.line(
            t(f"台账中没有 {report.scope.label} 的有效批次", f"no live runs for {report.scope.label} in the ledger")
        )
