"""The files of ``vouchers issue`` and ``vouchers redeem``: a workbook for the clerk and CSVs for machines.

Written into an ``OutputSet`` (temporary names, renamed into place together after the ledger
commit). Text from input is written as text cells and formula-safe CSV cells; money is fen in the
workbook (``#,##0.00``) and yuan with two decimals in the CSVs.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from skillcli.io.writer import Column, OutputSet, Workbook, write_csv
from skillcli.money import format_yuan
from skillcli.text import document_text
from skillcli.vouchers.issue import IssuePlan
from skillcli.vouchers.redeem import Redemption

ISSUED_CSV = (
    "voucher_no",
    "person_id",
    "name",
    "person_category",
    "age",
    "age_group",
    "category_id",
    "category",
    "face_yuan",
    "issue_date",
    "expiry_date",
    "program",
    "source",
)
REASONS_CSV = (
    "file",
    "sheet",
    "row",
    "voucher_no",
    "person_id",
    "name",
    "category",
    "code",
    "severity",
    "message_zh",
    "message_en",
)
REDEEMED_CSV = (
    "voucher_no",
    "person_id",
    "name",
    "category_id",
    "category",
    "institution_id",
    "institution_name",
    "end_date",
    "attendance",
    "passed",
    "amount_yuan",
    "program",
    "source",
)
_SEVERITY_ZH = {"error": "错误", "warning": "提示"}
REASON_COLUMNS = (
    Column("文件"),
    Column("工作表"),
    Column("行号", "int", 6),
    Column("培训券编号", width=18),
    Column("身份证号码", width=21),
    Column("姓名", width=10),
    Column("券类别", width=12),
    Column("级别", width=6),
    Column("说明", width=60),
    # The workbooks are Chinese only; the code stays for support, last, as in payouts.xlsx.
    Column("代码", width=26),
)


def _reason_rows(frame: pl.DataFrame, *, short_file: bool = True) -> list[list[Any]]:
    return [
        [
            r["file"].replace("\\", "/").rsplit("/", 1)[-1] if short_file and r["file"] else r["file"],
            r["sheet"],
            r["row"],
            r["voucher_no"],
            r["person_id"],
            r["name"],
            r["category"],
            _SEVERITY_ZH.get(r["severity"], r["severity"]),
            r["message_zh"],
            r["code"],
        ]
        for r in frame.iter_rows(named=True)
    ]


# The reasons CSVs' headers in Chinese (``--lang zh``, the default), by the English names ``--lang en``
# writes; in Chinese the English message is left out and severities read as the workbook gives them,
# as in payout's exceptions.csv. Codes stay codes in both.
REASONS_CSV_ZH = {
    "file": "文件",
    "sheet": "工作表",
    "row": "行号",
    "voucher_no": "培训券编号",
    "person_id": "身份证号码",
    "name": "姓名",
    "category": "券类别",
    "code": "代码",
    "severity": "级别",
    "message_zh": "说明",
}


def _reasons_csv(outputs: OutputSet, name: str, frame: pl.DataFrame, lang: str) -> None:
    """not-issued.csv or exceptions.csv (``REASONS_CSV``) in ``lang``."""
    columns = REASONS_CSV if lang != "zh" else tuple(c for c in REASONS_CSV if c != "message_en")
    selected = frame.select(columns)
    header = list(columns)
    if lang == "zh":
        selected = selected.with_columns(pl.col("severity").replace(_SEVERITY_ZH))
        header = [REASONS_CSV_ZH[c] for c in columns]
    safe = {i for i, c in enumerate(columns) if c != "row"}
    write_csv(outputs.path(name), header, selected.iter_rows(), safe_columns=safe)


def _parameters(program: Any) -> list[tuple[str, Any, Any]]:
    return [
        (f"参数 {p.name}", f"{p.value}{'（假设）' if p.assumption else ''}{' *覆盖' if p.overridden else ''}", "text")
        for p in program.parameters.values()
    ]


# -- issue -----------------------------------------------------------------------------------------
def write_issue(outputs: OutputSet, plan: IssuePlan, info: dict[str, Any], lang: str = "zh") -> None:
    """issued.xlsx (已发券, 未发券, 说明), issued.csv, not-issued.csv."""
    program = plan.program
    issued = plan.issued
    book = Workbook(outputs.path("issued.xlsx"))
    try:
        book.table(
            "已发券",
            (
                Column("培训券编号", width=18),
                Column("姓名", width=10),
                Column("身份证号码", width=21),
                Column("人员类别", width=12),
                Column("年龄", "int", 6),
                Column("年龄段", width=8),
                Column("培训方向", width=40),
                Column("券类别", width=12),
                Column("面值", "money", 12),
                Column("发放日期", "date", 12),
                Column("有效期至", "date", 12),
                Column("来源", width=24),
            ),
            issued.select(
                "voucher_no",
                "name",
                "person_id",
                "person_category",
                "age",
                "age_group",
                "offer",
                "category",
                "face_fen",
                "issue_date",
                "expiry_date",
                "source",
            ).rows(),
            title=f"{program.title} 发券清单 {plan.issue_date}",
        )
        book.table("未发券", REASON_COLUMNS, _reason_rows(plan.not_issued))
        book.key_values(
            "说明",
            "培训券发放说明",
            [
                ("项目", f"{program.id} {program.title}", "text"),
                ("依据", document_text(program.document), "text"),
                ("发放日期", plan.issue_date, "date"),
                ("有效天数", program.validity_days, "int"),
                ("花名册行数", plan.rows, "int"),
                ("发券张数", issued.height, "int"),
                ("面值合计", plan.face_fen, "money"),
                ("未发（行·类别）", plan.not_issued.height, "int"),
                ("台账", info.get("ledger", ""), "text"),
                ("发放批次", info.get("batch_id") or "（无新券，台账未写入）", "text"),
                *_parameters(program),
            ],
        )
    finally:
        book.close()
    rows = (
        [
            r["voucher_no"],
            r["person_id"],
            r["name"],
            r["person_category"],
            r["age"],
            r["age_group"],
            r["category_id"],
            r["category"],
            format_yuan(r["face_fen"]),
            r["issue_date"].isoformat(),
            r["expiry_date"].isoformat(),
            program.id,
            r["source"],
        ]
        for r in issued.iter_rows(named=True)
    )
    write_csv(outputs.path("issued.csv"), ISSUED_CSV, rows, safe_columns={2, 3, 12})
    _reasons_csv(outputs, "not-issued.csv", plan.not_issued, lang)


# -- redeem ----------------------------------------------------------------------------------------
def by_institution(redemption: Redemption) -> pl.DataFrame:
    """Payments per institution: what export-bank will put on one bank line each."""
    lines = redemption.lines
    if lines.height == 0:
        return pl.DataFrame(
            schema={"institution_uscc": pl.String, "institution": pl.String, "vouchers": pl.UInt32, "fen": pl.Int64}
        )
    return (
        lines.group_by("institution_uscc", maintain_order=True)
        .agg(
            pl.col("institution").drop_nulls().first(),
            pl.len().alias("vouchers"),
            pl.col("amount_fen").sum().alias("fen"),
        )
        .sort("institution_uscc")
    )


def write_redeem(outputs: OutputSet, redemption: Redemption, info: dict[str, Any], lang: str = "zh") -> None:
    """redeemed.xlsx (核销明细, 按机构, 异常, 说明), redeemed.csv, exceptions.csv."""
    program = redemption.program
    lines = redemption.lines
    book = Workbook(outputs.path("redeemed.xlsx"))
    try:
        book.table(
            "核销明细",
            (
                Column("培训券编号", width=18),
                Column("姓名", width=10),
                Column("身份证号码", width=21),
                Column("券类别", width=12),
                Column("培训机构", width=30),
                Column("机构统一社会信用代码", width=21),
                Column("结业日期", "date", 12),
                Column("出勤", width=16),
                Column("考核结果", width=8),
                Column("核销金额", "money", 12),
                Column("行号", "int", 6),
            ),
            [
                [
                    r["voucher_no"],
                    r["v_name"] or r["name"],
                    r["v_person"],
                    r["v_category"],
                    r["institution"],
                    r["institution_uscc"],
                    r["end_date"],
                    r["__attendance"],
                    r["passed"],
                    r["amount_fen"],
                    r["_row"],
                ]
                for r in lines.iter_rows(named=True)
            ],
            title=f"{program.title if program else ''} 培训券核销 {redemption.redeem_date}",
        )
        institutions = by_institution(redemption)
        book.table(
            "按机构",
            (
                Column("机构统一社会信用代码", width=21),
                Column("培训机构", width=30),
                Column("张数", "int", 8),
                Column("金额", "money", 14),
            ),
            [*institutions.rows(), ["合计", None, lines.height, redemption.total_fen]],
        )
        book.table("异常", REASON_COLUMNS, _reason_rows(redemption.exceptions))
        book.key_values(
            "说明",
            "培训券核销说明",
            [
                ("项目", f"{program.id} {program.title}" if program else "—", "text"),
                ("核销日期", redemption.redeem_date, "date"),
                ("出勤要求", f"{program.min_attendance}" if program else "", "text"),
                ("须考核合格", ("是" if program.require_pass else "否") if program else "", "text"),
                ("文件行数", redemption.rows, "int"),
                ("核销张数", lines.height, "int"),
                ("核销金额", redemption.total_fen, "money"),
                ("异常行数", redemption.exception_rows, "int"),
                ("台账", info.get("ledger") or "", "text"),
                ("批次", info.get("run_id") or "（试算，未写入台账）", "text"),
                *(_parameters(program) if program else []),
            ],
        )
    finally:
        book.close()
    rows = (
        [
            r["voucher_no"],
            r["v_person"],
            r["v_name"] or r["name"],
            r["v_category_id"],
            r["v_category"],
            r["institution_uscc"],
            r["institution"],
            r["end_date"].isoformat(),
            r["__attendance"],
            r["passed"],
            format_yuan(r["amount_fen"]),
            program.id if program else "",
            f"{r['_sheet']}!{r['_row']}",
        ]
        for r in lines.iter_rows(named=True)
    )
    write_csv(outputs.path("redeemed.csv"), REDEEMED_CSV, rows, safe_columns={0, 2, 5, 6, 8, 9, 12})
    _reasons_csv(outputs, "exceptions.csv", redemption.exceptions, lang)
