"""Choices a policy document leaves open, made explicit as parameters and shown where the clerk reads.

Found by the second independent read (Suzhou, docs/clerk-review.md): 以工代训 counted 2021-01-04～2021-04-30
as 3 months without saying so (S2c 二(四)2 is silent on a part month), and A9b paid an uninsured employee's
subsidy to his enterprise because his certificate was issued by the employer. Each test runs the CLI on a
real workbook and reads payouts.xlsx by header name.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from tests.support.ids import person_id
from tests.support.rosters import CERT_HEADER, ENTERPRISE_NAME, PAYOUT_HEADER, certificate, payout_row


def sheet_rows(book_path: Path, sheet: str) -> list[dict[str, Any]]:
    """A sheet of a written workbook as dicts keyed by its header row (never by column position)."""
    rows = list(openpyxl.load_workbook(book_path)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:] if any(v is not None for v in row)]


def suzhou(run_cli: Any, batch: Path, out: Path, *extra: object) -> Any:
    return run_cli("payout", batch, "--policy", "suzhou-2019", "--period", "2021-06", "--out", out, *extra)


# -- 以工代训: the part month (S2c 二(四)2) -------------------------------------------------------------
# 张伟 of the Suzhou read: 2021-01-04～2021-04-30 is 3 whole months (to 2021-04-04) and 27 more days.
WORK_FOR_TRAINING = [
    PAYOUT_HEADER,
    payout_row(3, "张伟", "以工代训", "装配钳工", "无等级", "2021-01-04", "2021-04-30", category="就业困难人员"),
]


def test_part_month__default_pays_whole_months_and_says_so(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    batch = make_xlsx({"花名册": WORK_FOR_TRAINING}, name="以工代训.xlsx")
    result = suzhou(run_cli, batch, tmp_path / "out")
    assert result.code == 0, result.stdout + result.stderr
    [line] = sheet_rows(tmp_path / "out" / "payouts.xlsx", "明细")
    assert Decimal(str(line["本次发放"])) == Decimal("1500.00")  # 500 × 3: the 27 days are not a month
    assert "2021-01-04～2021-04-30 计 3 个月（另 27 天不足一月，按参数 part_month 不计）× 500.00" in str(line["计算"])
    explained = run_cli("explain", person_id(3), batch, "--policy", "suzhou-2019", "--period", "2021-06")
    assert (
        "计 3 个月（另 27 天不足一月，按参数 part_month 不计）× 500.00 = 1,500.00 元"
        in explained.stdout + explained.stderr
    )


def test_part_month__round_half_counts_the_27_days(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    batch = make_xlsx({"花名册": WORK_FOR_TRAINING}, name="以工代训.xlsx")
    result = suzhou(run_cli, batch, tmp_path / "out", "--param", "part_month=round_half")
    assert result.code == 0, result.stdout + result.stderr
    [line] = sheet_rows(tmp_path / "out" / "payouts.xlsx", "明细")
    assert Decimal(str(line["本次发放"])) == Decimal("2000.00")  # 27 days ≥ half a month: 500 × 4
    assert "计 4 个月（3 个月另 27 天，按参数 part_month=round_half 计为 1 个月）× 500.00" in str(line["计算"])
    # The parameter and its reason are listed with the run's parameters in the 说明 sheet.
    about = "\n".join(str(v) for row in sheet_rows(tmp_path / "out" / "payouts.xlsx", "说明") for v in row.values())
    assert "part_month" in about and "round_half" in about


def test_part_month__an_unknown_reading_is_one_line(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    batch = make_xlsx({"花名册": WORK_FOR_TRAINING}, name="以工代训.xlsx")
    result = suzhou(run_cli, batch, tmp_path / "out", "--param", "part_month=half")
    assert result.code != 0 and "Traceback" not in result.stderr
    assert "whole_months_only、round_half、count_started" in result.stderr
    assert not (tmp_path / "out" / "payouts.xlsx").exists()


# -- A9b: a filed self-evaluating enterprise's employee who is not insured (S2c 二(四)6) -------------------
# 赵强 and 杨静 of the Suzhou read: both hold a 职业技能等级证书 numbered Y… and issued by their employer, which
# is not on the (empty) filing list; 赵强 is not insured.
SELF_EVALUATED = {
    "花名册": [
        PAYOUT_HEADER,
        payout_row(6, "杨静", "技能提升", "电工", "四级/中级工", "2021-03-01", "2021-04-30"),
        payout_row(7, "赵强", "技能提升", "电工", "四级/中级工", "2021-03-01", "2021-04-30", insured="否"),
    ],
    "证书": [
        [*CERT_HEADER, "发证机构"],
        [*certificate(6, "杨静", "Y000132050001214000001", "电工", "四级/中级工", "2021-05-20"), ENTERPRISE_NAME],
        [*certificate(7, "赵强", "Y000132050001214000002", "电工", "四级/中级工", "2021-05-20"), ENTERPRISE_NAME],
    ],
}


def test_self_evaluation__uninsured_employee_is_not_paid_to_the_enterprise(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    batch = make_xlsx(SELF_EVALUATED, name="恒达精密.xlsx")
    result = suzhou(run_cli, batch, tmp_path / "out")
    assert result.code == 0, result.stdout + result.stderr
    book = tmp_path / "out" / "payouts.xlsx"
    [paid] = sheet_rows(book, "明细")
    assert (paid["姓名"], paid["规则"], Decimal(str(paid["本次发放"]))) == ("杨静", "A9b", Decimal("1500.00"))
    [refused] = sheet_rows(book, "不符合条件")
    assert refused["姓名"] == "赵强"
    assert "A9b.insured" in refused.values()
    assert any("与参保职工技能提升补贴不可重复享受" in str(v) and "是否参保" in str(v) for v in refused.values())
    # The 说明 sheet says where 「备案自主评价企业」 came from: the certificates, not the (empty) list.
    about = [str(v) for row in sheet_rows(book, "说明") for v in row.values()]
    derived = [v for v in about if f"单位「{ENTERPRISE_NAME}」不在备案自主评价企业名单" in v]
    assert derived and "第 2、3 行职工的证书（编号以 Y 开头）由该单位颁发，按口径 R1 认定" in derived[0]
    explained = run_cli("explain", person_id(7), batch, "--policy", "suzhou-2019", "--period", "2021-06")
    shown = explained.stdout + explained.stderr
    assert "是（不在备案名单中，但证书 Y000132050001214000002 由本单位颁发，按口径 R1 认定）" in shown
    assert "不符合条件" in shown and "口径 R13" in shown


def test_self_evaluation__insurance_not_required_is_one_param_away(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    batch = make_xlsx(SELF_EVALUATED, name="恒达精密.xlsx")
    result = suzhou(run_cli, batch, tmp_path / "out", "--param", "self_evaluation_requires_insured=false")
    assert result.code == 0, result.stdout + result.stderr
    lines = sheet_rows(tmp_path / "out" / "payouts.xlsx", "明细")
    assert sorted((line["姓名"], line["规则"], Decimal(str(line["本次发放"]))) for line in lines) == [
        ("杨静", "A9b", Decimal("1500.00")),
        ("赵强", "A9b", Decimal("1500.00")),  # 中级工 1500 to the enterprise, insurance not required
    ]
    assert not sheet_rows(tmp_path / "out" / "payouts.xlsx", "不符合条件")
