"""The fund report workbook (汇总, one sheet per breakdown with its 合计 row, 月度 with a column chart,
目标完成, 财政局, 批次), the one-sheet 财政局 summary, and the ``--json`` payload."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from skillcli.io.charts import ChartWorkbook
from skillcli.io.writer import Column, Workbook
from skillcli.model import PayeeType
from skillcli.report.funds import MEASURES, FundReport

_PAYEE_ZH = {p.value: p.label_zh for p in PayeeType}
# The measures of every breakdown sheet, after its own key columns.
MEASURE_COLUMNS = (Column("人数", "int"), Column("人次", "int"), Column("笔数", "int"), Column("金额", "money", 16))
MEASURE_FIELDS = ("persons", "person_times", "lines", "fen")


def summary_rows(report: FundReport) -> list[tuple[str, int | None, int | None]]:
    """(label, count, fen): the 汇总 sheet and the terminal's first table."""
    t = report.totals
    return [
        ("批次数", t["runs"], None),
        ("发放笔数（台账）", t["lines"], t["committed_fen"]),
        ("  其中：正式发放", t["payment_lines"], t["payment_fen"]),
        ("  其中：预拨", t["advance_lines"], t["advanced_fen"]),
        ("培训人数", t["trained"], None),
        ("培训人次", t["person_times"], None),
        ("取证人数", t["certified"], None),
        ("已导出代发", t["exported_count"], t["exported_fen"]),
        ("银行已支付（银行实付金额）", t["paid_count"] + t["mismatch_count"], t["paid_fen"]),
        ("  其中：金额不符（少付）", t["mismatch_count"], t["short_fen"]),
        ("银行失败（待补发）", t["failed_count"], t["failed_fen"]),
        ("银行处理中", t["pending_count"], t["pending_fen"]),
        ("未导出代发", None, t["not_exported_fen"]),
        ("未支付（发放 − 已支付）", None, t["outstanding_fen"]),
        ("已付待追回（作废批次）", t["to_recover_count"], t["to_recover_fen"]),
    ]


def target_rows(report: FundReport) -> list[tuple[str, str, int | Decimal, int | Decimal, Decimal | None]]:
    """(period, measure, actual, target, percent): persons and 人次 as counts, funds in yuan."""
    rows: list[tuple[str, str, int | Decimal, int | Decimal, Decimal | None]] = []
    for target in report.targets:
        label = MEASURES[target.measure][0]
        if target.measure == "funds":
            rows.append(
                (target.period, label, Decimal(target.actual) / 100, Decimal(target.target) / 100, target.percent)
            )
        else:
            rows.append((target.period, label, target.actual, target.target, target.percent))
    return rows


FINANCE_MONEY = ("committed_fen", "paid_fen", "failed_fen", "outstanding_fen", "to_recover_fen")
FINANCE_COLUMNS = (
    Column("资金来源", width=30),
    Column("补贴项目", width=36),
    Column("笔数", "int"),
    Column("发放金额", "money", 16),
    Column("银行已支付", "money", 16),
    Column("银行失败", "money", 14),
    Column("未支付", "money", 16),
    Column("已付待追回", "money", 14),
)


def finance_rows(report: FundReport) -> list[list[Any]]:
    """(funding source, rule + subsidy, lines, committed, paid, failed, outstanding, to recover) with 合计."""
    return [
        [r["funding"], f"{r['rule']} {r['subsidy']}" if r["rule"] else "", r["lines"], *(r[k] for k in FINANCE_MONEY)]
        for r in report.finance.iter_rows(named=True)
    ]


def write_finance(path: Path, report: FundReport) -> None:
    """The one-sheet summary the finance bureau (财政局) files: one table, 合计 last, printable on A4."""
    book = Workbook(path)
    try:
        as_of = f"（截至 {report.as_of}）" if report.as_of else ""
        book.table(
            "财政局汇总",
            FINANCE_COLUMNS,
            finance_rows(report),
            title=f"职业技能培训补贴资金支付情况 {report.scope.label}{as_of}",
        )
    finally:
        book.close()


def write_report(path: Path, report: FundReport) -> None:
    book = ChartWorkbook(path)
    try:
        scope = report.scope
        title = f"职业技能培训补贴资金使用情况 {scope.label}"
        book.table(
            "汇总",
            (Column("项目", width=28), Column("人数/笔数", "int", 12), Column("金额", "money", 18)),
            [list(r) for r in summary_rows(report)],
            title=title,
        )
        book.table(
            "按补贴项目",
            (
                Column("规则", width=8),
                Column("补贴项目", width=36),
                *MEASURE_COLUMNS,
            ),
            report.by_subsidy.select("rule", "subsidy", *MEASURE_FIELDS).rows(),
        )
        book.table(
            "按收款方类型",
            (
                Column("收款方类型", width=12),
                Column("收款方数", "int"),
                *MEASURE_COLUMNS,
            ),
            [
                [_PAYEE_ZH.get(r[0], r[0]), *r[1:]]
                for r in report.by_payee_type.select("payee_type", "payees", *MEASURE_FIELDS).rows()
            ],
        )
        book.table(
            "按单位",
            (
                Column("收款方类型", width=12),
                Column("统一社会信用代码", width=21),
                Column("单位名称", width=36),
                *MEASURE_COLUMNS,
            ),
            [
                [_PAYEE_ZH.get(r[0], r[0]), *r[1:]]
                for r in report.by_payee.select("payee_type", "payee_id", "payee_name", *MEASURE_FIELDS).rows()
            ],
        )
        book.table(
            "按人员类别",
            (
                Column("人员类别", width=20),
                *MEASURE_COLUMNS,
            ),
            report.by_category.select("category", *MEASURE_FIELDS).rows(),
        )
        book.table(
            "按等级",
            (
                Column("等级", width=16),
                *MEASURE_COLUMNS,
            ),
            report.by_level.select("level_label", *MEASURE_FIELDS).rows(),
        )
        monthly = report.monthly
        book.table(
            "月度",
            (
                Column("月份", width=10),
                Column("笔数", "int"),
                Column("人数", "int"),
                Column("发放金额", "money", 16),
                Column("其中预拨", "money", 14),
                Column("银行已支付", "money", 16),
                Column("银行失败", "money", 14),
                Column("未支付", "money", 16),
                Column("已付待追回", "money", 14),
                Column("人次", "int"),
            ),
            monthly.select(
                "period",
                "lines",
                "persons",
                "committed_fen",
                "advanced_fen",
                "paid_fen",
                "failed_fen",
                "outstanding_fen",
                "to_recover_fen",
                "person_times",
            ).rows(),
        )
        book.column_chart(
            "月度",
            title=f"{scope.year} 年各月补贴发放（元）",
            rows=monthly.height - 1,  # the months, not their 合计 row
            category_col=0,
            series=[("发放金额", 3), ("银行已支付", 5)],
            anchor="J2",
        )
        if report.targets:
            sheet = book.add_sheet("目标完成")
            sheet.write_string(0, 0, f"{scope.year} 年度目标完成情况（截至 {scope.label}）", book.fmt_title)
            for j, header in enumerate(("指标", "实际", "目标", "完成率", "期间")):
                sheet.write_string(2, j, header, book.fmt_header)
            for i, (period, label, actual, goal, pct) in enumerate(target_rows(report), start=3):
                money = isinstance(actual, Decimal)
                sheet.write_string(i, 0, label)
                sheet.write_number(i, 1, float(actual), book.fmt_money if money else None)
                sheet.write_number(i, 2, float(goal), book.fmt_money if money else None)
                if pct is None:
                    sheet.write_string(i, 3, "—")
                else:
                    sheet.write_number(i, 3, float(pct), book.fmt_percent)
                sheet.write_string(i, 4, period)
            sheet.set_column(0, 0, 18)
            sheet.set_column(1, 4, 16)
        if report.vouchers is not None:
            _voucher_sheet(book, report)
        book.table("财政局", FINANCE_COLUMNS, finance_rows(report))
        book.table(
            "批次",
            (
                Column("批次", width=24),
                Column("类型", width=8),
                Column("月份", width=10),
                Column("政策", width=14),
                Column("笔数", "int"),
                Column("金额", "money", 16),
                Column("登记时间", width=22),
            ),
            [
                [r["run_id"], r["kind"], r["period"], r["policy_id"], r["line_count"], r["total_fen"], r["created_at"]]
                for r in report.runs
            ],
        )
    finally:
        book.close()


def _voucher_sheet(book: ChartWorkbook, report: FundReport) -> None:
    """培训券: the vouchers issued in the scope by category, by age group and by both, with the rate."""
    summary = report.vouchers
    assert summary is not None
    columns = (
        Column("券类别", width=14),
        Column("年龄段", width=8),
        Column("已发", "int"),
        Column("已核销", "int"),
        Column("已过期", "int"),
        Column("未使用", "int"),
        Column("核销率(%)", "number", 10),
        Column("面值合计", "money", 16),
        Column("已付", "money", 16),
    )

    def row(category: str, group: str, r: dict[str, Any]) -> list[Any]:
        rate = Decimal(r["rate"]) if r["rate"] is not None else None
        return [
            category,
            group,
            r["issued"],
            r["redeemed"],
            r["expired"],
            r["open"],
            rate,
            r["face_fen"],
            r["paid_fen"],
        ]

    rows = [row("合计", "", summary.totals)]
    rows += [row(f"{r['category_id']} {r['category']}", "（全部）", r) for r in summary.by_category]
    rows += [row("（全部）", r["age_group"], r) for r in summary.by_age_group]
    rows += [row(f"{r['category_id']} {r['category']}", r["age_group"], r) for r in summary.by_category_age_group]
    rows.append(
        [
            "本期核销（不论发放月份）",
            "",
            None,
            summary.totals["redeemed_in_period"],
            None,
            None,
            None,
            None,
            summary.totals["paid_in_period_fen"],
        ]
    )
    book.table(
        "培训券",
        columns,
        rows,
        title=f"培训券 {report.scope.label} 发放的券，截至 {summary.as_of}",
    )
