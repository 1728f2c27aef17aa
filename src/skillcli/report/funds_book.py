"""The fund report workbook: 汇总, one sheet per breakdown, 月度 with a column chart, 目标完成, 批次."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from skillcli.io.charts import ChartWorkbook
from skillcli.io.writer import Column
from skillcli.model import PayeeType
from skillcli.report.funds import MEASURES, FundReport
from skillcli.vouchers.status import payload as voucher_payload

_PAYEE_ZH = {p.value: p.label_zh for p in PayeeType}


def summary_rows(report: FundReport) -> list[tuple[str, int | None, int | None]]:
    """(label, count, fen): the 汇总 sheet and the terminal's first table."""
    t = report.totals
    return [
        ("批次数", t["runs"], None),
        ("发放笔数（台账）", t["lines"], t["committed_fen"]),
        ("  其中：正式发放", t["payment_lines"], t["payment_fen"]),
        ("  其中：预拨", t["advance_lines"], t["advanced_fen"]),
        ("培训人数", t["trained"], None),
        ("取证人数", t["certified"], None),
        ("已导出代发", t["exported_count"], t["exported_fen"]),
        ("银行已支付", t["paid_count"], t["paid_fen"]),
        ("银行失败（待补发）", t["failed_count"], t["failed_fen"]),
        ("金额不符", t["mismatch_count"], t["mismatch_fen"]),
        ("银行处理中", t["pending_count"], t["pending_fen"]),
        ("待确认支付（已登记未到账）", None, t["outstanding_fen"]),
    ]


def target_rows(report: FundReport) -> list[tuple[str, int | Decimal, int | Decimal, Decimal | None]]:
    """(measure, actual, target, percent): persons as counts, funds in yuan."""
    rows: list[tuple[str, int | Decimal, int | Decimal, Decimal | None]] = []
    for target in report.targets:
        if target.measure == "funds":
            rows.append(
                (MEASURES["funds"][0], Decimal(target.actual) / 100, Decimal(target.target) / 100, target.percent)
            )
        else:
            rows.append((MEASURES[target.measure][0], target.actual, target.target, target.percent))
    return rows


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
                Column("人数", "int"),
                Column("笔数", "int"),
                Column("金额", "money", 16),
            ),
            report.by_subsidy.select("rule", "subsidy", "persons", "lines", "fen").rows(),
        )
        book.table(
            "按收款方类型",
            (
                Column("收款方类型", width=12),
                Column("收款方数", "int"),
                Column("人数", "int"),
                Column("笔数", "int"),
                Column("金额", "money", 16),
            ),
            [
                [_PAYEE_ZH.get(r[0], r[0]), *r[1:]]
                for r in report.by_payee_type.select("payee_type", "payees", "persons", "lines", "fen").rows()
            ],
        )
        book.table(
            "按单位",
            (
                Column("收款方类型", width=12),
                Column("统一社会信用代码", width=21),
                Column("单位名称", width=36),
                Column("人数", "int"),
                Column("笔数", "int"),
                Column("金额", "money", 16),
            ),
            [
                [_PAYEE_ZH.get(r[0], r[0]), *r[1:]]
                for r in report.by_payee.select(
                    "payee_type", "payee_id", "payee_name", "persons", "lines", "fen"
                ).rows()
            ],
        )
        book.table(
            "按人员类别",
            (Column("人员类别", width=20), Column("人数", "int"), Column("笔数", "int"), Column("金额", "money", 16)),
            report.by_category.select("category", "persons", "lines", "fen").rows(),
        )
        book.table(
            "按等级",
            (Column("等级", width=16), Column("人数", "int"), Column("笔数", "int"), Column("金额", "money", 16)),
            report.by_level.select("level_label", "persons", "lines", "fen").rows(),
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
                Column("待确认支付", "money", 16),
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
            ).rows(),
        )
        book.column_chart(
            "月度",
            title=f"{scope.year} 年各月补贴发放（元）",
            rows=monthly.height,
            category_col=0,
            series=[("发放金额", 3), ("银行已支付", 5)],
            anchor="J2",
        )
        if report.targets:
            sheet = book.add_sheet("目标完成")
            through = scope.label if scope.month else str(scope.year)
            sheet.write_string(0, 0, f"{scope.year} 年度目标完成情况（截至 {through}）", book.fmt_title)
            for j, header in enumerate(("指标", "实际", "目标", "完成率")):
                sheet.write_string(2, j, header, book.fmt_header)
            for i, (label, actual, goal, pct) in enumerate(target_rows(report), start=3):
                money = isinstance(actual, Decimal)
                sheet.write_string(i, 0, label)
                sheet.write_number(i, 1, float(actual), book.fmt_money if money else None)
                sheet.write_number(i, 2, float(goal), book.fmt_money if money else None)
                if pct is None:
                    sheet.write_string(i, 3, "—")
                else:
                    sheet.write_number(i, 3, float(pct), book.fmt_percent)
            sheet.set_column(0, 0, 18)
            sheet.set_column(1, 3, 16)
        if report.vouchers is not None:
            _voucher_sheet(book, report)
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


def report_payload(report: FundReport) -> dict[str, Any]:
    """The whole report for ``--json`` (fen as integers, percentages as exact decimal text)."""
    return {
        "scope": report.scope.kind,
        "period": report.scope.label,
        "runs": [r["run_id"] for r in report.runs],
        "totals": report.totals,
        "by_subsidy": report.by_subsidy.to_dicts(),
        "by_payee_type": report.by_payee_type.to_dicts(),
        "by_payee": report.by_payee.to_dicts(),
        "by_category": report.by_category.to_dicts(),
        "by_level": report.by_level.to_dicts(),
        "monthly": report.monthly.to_dicts(),
        "targets": [
            {
                "measure": t.measure,
                "actual": t.actual,
                "target": t.target,
                "percent": None if t.percent is None else str(t.percent),
            }
            for t in report.targets
        ],
        "vouchers": voucher_payload(report.vouchers) if report.vouchers is not None else None,
    }
