"""``skillcli simulate`` output: the what-if workbook (simulate.xlsx) and the JSON payload."""

from __future__ import annotations

from pathlib import Path

from skillcli.io.charts import ChartWorkbook
from skillcli.io.writer import Column
from skillcli.replay import Simulation

# (dimension, sheet name, header of the key column)
SHEETS = (
    ("month", "按月份", "月份"),
    ("subsidy", "按补贴项目", "补贴项目"),
    ("level", "按等级", "培训等级"),
    ("category", "按人员类别", "人员类别"),
    ("payee_type", "按收款方类型", "收款方类型"),
    ("payee", "按企业机构", "企业/机构"),
)
CHANGES = {"gain": "新增发放", "lose": "不再发放", "change": "金额变化"}


def _by_columns(key: str) -> tuple[Column, ...]:
    return (
        Column(key, width=30),
        Column("实发笔数", "int"),
        Column("实发金额", "money", 16),
        Column("模拟笔数", "int"),
        Column("模拟金额", "money", 16),
        Column("差额", "money", 16),
    )


def write_simulation(path: Path, sim: Simulation) -> None:
    """Summary, one sheet per dimension (the month sheet with its chart), and the people who change."""
    book = ChartWorkbook(path)
    try:
        book.key_values(
            "汇总",
            f"{sim.year} 年补贴模拟测算",
            [
                ("年度", str(sim.year), "text"),
                ("政策", sim.policy, "text"),
                ("参数调整", "；".join(f"{k}={v}" for k, v in sorted(sim.overrides.items())) or "无", "text"),
                ("批次数", len(sim.runs), "int"),
                ("实发金额", sim.actual_fen, "money"),
                ("模拟金额", sim.simulated_fen, "money"),
                ("预算差额", sim.simulated_fen - sim.actual_fen, "money"),
            ],
        )
        for dimension, sheet, header in SHEETS:
            frame = sim.by(dimension)
            rows = frame.select(
                frame.columns[0], "actual_lines", "actual_fen", "simulated_lines", "simulated_fen", "difference_fen"
            ).rows()
            count = book.table(sheet, _by_columns(header), [list(r) for r in rows])
            if dimension == "month":
                book.column_chart(
                    sheet,
                    title=f"{sim.year} 年各月实发与模拟金额",
                    rows=count,
                    category_col=0,
                    series=[("实发金额", 2), ("模拟金额", 4)],
                    anchor="H2",
                )
        persons = sim.persons()
        book.table(
            "人员变化",
            (
                Column("身份证号码", width=20),
                Column("姓名", width=10),
                Column("变化", width=10),
                Column("实发金额", "money", 14),
                Column("模拟金额", "money", 14),
                Column("差额", "money", 14),
                Column("原因", width=80),
            ),
            [
                [
                    r["person_id"],
                    r["name"],
                    CHANGES[r["change"]],
                    r["actual_fen"],
                    r["simulated_fen"],
                    r["difference_fen"],
                    r["reason"],
                ]
                for r in persons.iter_rows(named=True)
            ],
        )
    finally:
        book.close()
