"""``skillcli report month YYYY-MM`` / ``quarter YYYYQn`` / ``year YYYY``: fund use from the ledger."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from skillcli.cli import options as opt

if TYPE_CHECKING:
    from skillcli.cli.render import Screen
    from skillcli.report.funds import FundReport

report_app = typer.Typer(help="补贴资金使用情况报表 / Fund reports from the ledger.", no_args_is_help=True)

Period = Annotated[str, typer.Argument(help="月份 YYYY-MM、季度 YYYYQn 或年度 YYYY / month, quarter or year")]
OutFile = Annotated[Path | None, typer.Option("--out", help="报表 .xlsx / report workbook")]
Targets = Annotated[
    Path | None,
    typer.Option("--targets", help="年度、季度、月度目标 TOML（默认 ./skillcli-targets.toml）/ targets file"),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="按该日（YYYY-MM-DD）日终台账所知出表 / the ledger as it stood at the end of that day"
    ),
]
Finance = Annotated[
    Path | None, typer.Option("--finance", help="财政局汇总表 .xlsx（一页）/ one-sheet summary for the finance bureau")
]
KINDS = {
    "month": "月报：按补贴项目、收款方、人员类别、等级汇总，资金支付情况 / Monthly fund report.",
    "quarter": "季报：同月报，含季度与年度目标完成率 / Quarterly fund report with target progress.",
    "year": "年报：含各月合计与年度目标完成率 / Yearly fund report with monthly totals and target progress.",
}


def _command(kind: str) -> Callable[..., None]:
    """One report command per scope kind: they differ only in how the period is read."""

    def command(
        period: Period,
        *,
        ledger: opt.LedgerOpt = None,
        out: OutFile = None,
        json_out: opt.Json = False,
        targets: Targets = None,
        as_of: AsOf = None,
        finance: Finance = None,
        lang: opt.Lang = "zh",
        show_ids: opt.ShowIds = False,
        quiet: opt.Quiet = False,
        limit: opt.Limit = 20,
    ) -> None:
        from skillcli.api import report as fund_report
        from skillcli.api.payloads import report_payload
        from skillcli.cli.render import Screen, print_json

        screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet, results=not json_out)
        result = fund_report(kind, period, ledger=ledger, out=out, finance=finance, targets=targets, as_of=as_of)
        show(screen, result.report, limit)
        for path in result.written:
            screen.line(screen.t(f"已写出 {path}", f"wrote {path}"))
        if json_out:
            print_json(report_payload(result.report))

    command.__doc__ = KINDS[kind]
    return command


for _kind in KINDS:
    report_app.command(_kind)(_command(_kind))


def show(screen: Screen, report: FundReport, limit: int) -> None:
    """Rich tables: summary, target progress, the breakdowns with their 合计 rows, monthly totals, 财政局."""
    from skillcli.model import PayeeType
    from skillcli.money import format_yuan
    from skillcli.report.funds import TOTAL_LABEL
    from skillcli.report.funds_book import finance_rows, summary_rows, target_rows

    t = screen.t
    payee_zh = {p.value: p.label_zh for p in PayeeType}

    def yuan(fen: int | None) -> str:
        return "" if fen is None else format_yuan(fen, grouping=True)

    as_of = f"（截至 {report.as_of} 日终）" if report.as_of else ""
    screen.table(
        t(f"补贴资金使用情况 {report.scope.label}{as_of}", f"Fund report {report.scope.label}"),
        [t("项目", "item"), t("人数/笔数", "count"), t("金额(元)", "yuan")],
        [[label, "" if n is None else n, yuan(fen)] for label, n, fen in summary_rows(report)],
        justify=["left", "right", "right"],
    )
    if report.targets:
        screen.table(
            t(f"{report.scope.year} 年目标完成情况", f"{report.scope.year} targets"),
            [
                t("期间", "period"),
                t("指标", "measure"),
                t("实际", "actual"),
                t("目标", "target"),
                t("完成率", "progress"),
            ],
            [
                [
                    period,
                    label,
                    f"{actual:,}" if isinstance(actual, int) else f"{actual:,.2f}",
                    f"{goal:,}" if isinstance(goal, int) else f"{goal:,.2f}",
                    "—" if pct is None else f"{pct} %",
                ]
                for period, label, actual, goal, pct in target_rows(report)
            ],
            justify=["left", "left", "right", "right", "right"],
        )
    headers = [t("人数", "persons"), t("人次", "person-times"), t("笔数", "lines"), t("金额(元)", "yuan")]

    def measures(r: dict[str, Any]) -> list[Any]:
        return [r["persons"], r["person_times"], r["lines"], yuan(r["fen"])]

    right4 = ["right"] * 4
    screen.table(
        t("按补贴项目", "By subsidy"),
        [t("规则", "rule"), t("补贴项目", "subsidy"), *headers],
        [[r["rule"], r["subsidy"] or "", *measures(r)] for r in report.by_subsidy.iter_rows(named=True)],
        justify=["left", "left", *right4],
    )
    screen.table(
        t("按收款方类型", "By payee type"),
        [t("类型", "type"), t("收款方", "payees"), *headers],
        [
            [payee_zh.get(r["payee_type"], r["payee_type"]), r["payees"], *measures(r)]
            for r in report.by_payee_type.iter_rows(named=True)
        ],
        justify=["left", "right", *right4],
    )
    units = report.by_payee.filter(report.by_payee.get_column("payee_type") != TOTAL_LABEL)
    if units.height:
        shown = units.sort("fen", descending=True).head(limit)
        total = report.by_payee.tail(1).row(0, named=True)
        screen.table(
            t(
                f"按单位（前 {shown.height} 个，共 {units.height} 个）",
                f"By enterprise / institution (top {shown.height} of {units.height})",
            ),
            [t("单位", "payee"), t("类型", "type"), *headers],
            [
                [r["payee_name"] or r["payee_id"], payee_zh.get(r["payee_type"], r["payee_type"]), *measures(r)]
                for r in shown.iter_rows(named=True)
            ]
            + [[TOTAL_LABEL, "", *measures(total)]],
            justify=["left", "left", *right4],
        )
    screen.table(
        t("按人员类别", "By person category"),
        [t("人员类别", "category"), *headers],
        [[r["category"], *measures(r)] for r in report.by_category.iter_rows(named=True)],
        justify=["left", *right4],
    )
    screen.table(
        t("按等级", "By level"),
        [t("等级", "level"), *headers],
        [[r["level_label"], *measures(r)] for r in report.by_level.iter_rows(named=True)],
        justify=["left", *right4],
    )
    if report.scope.kind != "month":
        screen.table(
            t("各月合计", "Monthly totals"),
            [
                t("月份", "month"),
                t("笔数", "lines"),
                t("人数", "persons"),
                t("人次", "person-times"),
                t("发放(元)", "committed"),
                t("已支付(元)", "paid"),
                t("失败(元)", "failed"),
                t("未支付(元)", "outstanding"),
                t("已付待追回(元)", "to recover"),
            ],
            [
                [
                    r["period"],
                    r["lines"],
                    r["persons"],
                    r["person_times"],
                    yuan(r["committed_fen"]),
                    yuan(r["paid_fen"]),
                    yuan(r["failed_fen"]),
                    yuan(r["outstanding_fen"]),
                    yuan(r["to_recover_fen"]),
                ]
                for r in report.monthly.iter_rows(named=True)
            ],
            justify=["left", *["right"] * 8],
        )
    screen.table(
        t("财政局汇总：按资金来源与补贴项目", "Finance bureau summary: by funding source and subsidy"),
        [
            t("资金来源", "funding"),
            t("补贴项目", "subsidy"),
            t("笔数", "lines"),
            t("发放(元)", "committed"),
            t("已支付(元)", "paid"),
            t("失败(元)", "failed"),
            t("未支付(元)", "outstanding"),
            t("已付待追回(元)", "to recover"),
        ],
        [[a, b, n, *(yuan(v) for v in money)] for a, b, n, *money in finance_rows(report)],
        justify=["left", "left", *["right"] * 6],
    )
    if report.vouchers is not None:
        from skillcli.cli.vouchers_render import show_summary

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
                f"本期核销 {v.totals['redeemed_in_period']} 张，付给培训机构 {yuan(v.totals['paid_in_period_fen'])} 元",
                f"redeemed in the period: {v.totals['redeemed_in_period']} vouchers, "
                f"{yuan(v.totals['paid_in_period_fen'])} yuan to institutions",
            )
        )
    if not report.runs:
        screen.line(
            t(f"台账中没有 {report.scope.label} 的有效批次", f"no live runs for {report.scope.label} in the ledger")
        )
