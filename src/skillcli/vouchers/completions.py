"""The completions sheet (结业核销表) an institution sends to redeem vouchers, read exactly.

It is not a roster (no training type or class columns, attendance on the same row), so it is read
like the bank files: every cell as text, the header on any of the first 20 rows below a title,
headers compared after ``normalise_header``, 合计 and signature rows set aside
(``skillcli.io.layout.read_table``). Values are then parsed with the roster's vectorised parsers: IDs and
credit codes compacted and checked, dates in every accepted spelling, attendance as exact decimals
(never floats: 80 % of 32.5 hours is a boundary that must not wobble), 考核结果 and levels by their
spellings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from skillcli.io.layout import FoundTable, TableSpec, read_table
from skillcli.schema.columns import LEVELS, PASSED
from skillcli.schema.parse import (
    compact_upper,
    enum_key,
    level_key,
    map_choices,
    parse_date,
    parse_number,
    uscc_problem,
)

COMPLETIONS = TableSpec(
    aliases={
        "voucher_no": ("培训券编号", "券号", "培训券号", "电子培训券编号", "券编号", "培训券号码", "职业培训券编号"),
        "id_number": ("身份证号码", "身份证号", "证件号码", "公民身份号码", "学员身份证号码", "证件号", "身份证"),
        "name": ("姓名", "学员姓名", "学生姓名"),
        "category": ("券类别", "培训券类别", "券种", "培训券类型"),
        "institution": ("培训机构", "承训机构", "培训机构名称", "培训单位", "承训单位"),
        "institution_uscc": (
            "机构统一社会信用代码",
            "统一社会信用代码",
            "培训机构统一社会信用代码",
            "机构信用代码",
            "社会信用代码",
        ),
        "start_date": ("开班日期", "培训开始日期", "开始日期"),
        "end_date": ("结业日期", "培训结束日期", "结束日期", "结业时间", "培训结束时间"),
        "occupation": ("职业(工种)", "培训工种", "工种", "培训职业", "职业"),
        "level": ("培训等级", "等级", "技能等级"),
        "days_required": ("应出勤天数", "应到天数", "计划天数"),
        "days_present": ("实际出勤天数", "出勤天数", "实到天数"),
        "hours_required": ("应修学时", "计划学时", "应学学时", "课程学时"),
        "hours_present": ("实际学时", "已修学时", "完成学时", "实修学时"),
        "passed": ("考核结果", "是否合格", "鉴定结果", "考试结果", "考核情况"),
    },
    required=(("voucher_no", "id_number"),),
    label_zh="结业核销表（培训券编号或身份证号码）",
    label_en="completions sheet (voucher number or ID number)",
)
_UNITS = r"(天|日|小时|学时|课时|h)$"


@dataclass(slots=True)
class Completions:
    """The rows of a completions sheet, parsed. ``frame`` columns: see ``parse``."""

    table: FoundTable
    frame: pl.DataFrame

    def header(self, canonical: str) -> str:
        """The header as the institution wrote it (or the usual one when the column is absent)."""
        return self.table.headers.get(canonical, COMPLETIONS.aliases[canonical][0])


def _exact(value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(exact decimal, ok) for a count of days or hours: ok is false for an unreadable or negative cell."""
    _, problem = parse_number(value, integer=False)
    text = value.str.replace_all(r"[\s,]", "").str.replace(_UNITS, "")
    number = text.cast(pl.Decimal(24, 6), strict=False)
    return pl.when(problem.is_null()).then(number).otherwise(None), problem.is_null()


def read_completions(path: Path) -> Completions:
    table = read_table(path, COMPLETIONS)
    frame = table.frame
    end, end_problem = parse_date(pl.col("end_date"))
    start, _ = parse_date(pl.col("start_date"))
    uscc = compact_upper(pl.col("institution_uscc"))
    staged = frame.with_columns(uscc.alias("institution_uscc"))
    uscc_code, uscc_detail = uscc_problem(pl.col("institution_uscc"))
    columns = [
        pl.col("_row"),
        compact_upper(pl.col("voucher_no")).alias("voucher_no"),
        compact_upper(pl.col("id_number")).alias("id_number"),
        pl.col("name").str.replace_all(r"\s", "").alias("name"),
        enum_key(pl.col("category")).alias("category"),
        pl.col("institution"),
        pl.col("institution_uscc"),
        uscc_code.alias("uscc_problem"),
        uscc_detail.alias("uscc_detail"),
        start.alias("start_date"),
        pl.col("end_date").alias("end_text"),
        end.alias("end_date"),
        end_problem.alias("end_problem"),
        pl.col("occupation"),
        map_choices(level_key(pl.col("level")), dict(LEVELS)).alias("level"),
        map_choices(enum_key(pl.col("passed")), dict(PASSED)).alias("passed"),
        pl.col("passed").alias("passed_text"),
    ]
    for name in ("days_required", "days_present", "hours_required", "hours_present"):
        number, ok = _exact(pl.col(name))
        columns += [
            number.alias(name),
            (pl.col(name).is_not_null() & ~ok).alias(f"{name}_bad"),
            pl.col(name).alias(f"{name}_text"),
        ]
    return Completions(table, staged.select(columns))
