"""以工代训 (A6) over two batches committed to a ledger: E4 between subsidies, the 6-month cap per person.

Found by an independent reader (reader6): 陈静's June month of 以工代训 was refused as 「与 台账 2021-05 批次
第 4 笔 的补贴不可重复享受（E4 A5/A6…）」 against her own May A6 line. S2c 二(四)2 pays 以工代训 500 元/人/月,
不超过6个月, and forbids it together with 岗前培训 (A5, E4) — not a second month of it. Expected amounts are
the document's: 500 per month.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from tests.support.ledger import runs
from tests.support.rosters import CERT_HEADER, PAYOUT_HEADER, certificate, payout_row

SUZHOU = ("--policy", "suzhou-2019")


def a6(n: int, name: str, start: str, end: str, **changes: Any) -> list[Any]:
    """Person n's 以工代训 row, a hard-to-employ person hired by the (insured) enterprise."""
    return payout_row(n, name, "以工代训", "装配钳工", "无等级", start, end, category="就业困难人员", **changes)


def pay(run_cli: Any, batch: Path, period: str, out: Path, ledger: str, *extra: object) -> Any:
    return run_cli("payout", batch, *SUZHOU, "--period", period, "--out", out, "--ledger", ledger, "--json", *extra)


def detail_rows(path: Path) -> dict[str, list[tuple[Any, str]]]:
    """payouts.xlsx 明细 read back: name → [(本次发放, 计算过程)]."""
    sheet = openpyxl.load_workbook(path / "payouts.xlsx", read_only=True)["明细"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    name, amount = header.index("姓名"), header.index("本次发放")
    formula = next(i for i, h in enumerate(header) if h and "计算" in str(h))
    found: dict[str, list[tuple[Any, str]]] = {}
    for row in rows[1:]:
        if row[name]:
            found.setdefault(str(row[name]), []).append((row[amount], str(row[formula])))
    return found


def test_months__a6_second_month_is_paid_and_months_count_across_batches(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    may = make_xlsx(
        {
            "花名册": [
                PAYOUT_HEADER,
                a6(1, "陈静", "2021-05-01", "2021-05-31"),
                a6(2, "谢婷", "2021-05-01", "2021-05-31"),
                a6(3, "王强", "2021-05-01", "2021-05-31"),
                a6(4, "赵敏", "2020-12-01", "2021-05-31"),  # 6 months: the cap
            ]
        },
        name="2021-05.xlsx",
    )
    first = pay(run_cli, may, "2021-05", tmp_path / "may", ledger_url, "--commit")
    assert first.code == 0, first.stderr
    assert [(line["name"], line["amount_fen"]) for line in first.json["lines"]] == [
        ("陈静", 50000),
        ("谢婷", 50000),
        ("王强", 50000),
        ("赵敏", 300000),
    ]
    may_run = runs(run_cli, ledger_url)[0]["run_id"]

    june = make_xlsx(
        {
            "花名册": [
                PAYOUT_HEADER,
                a6(1, "陈静", "2021-06-01", "2021-06-30"),  # month 2 of 6: paid
                payout_row(2, "谢婷", "岗前培训", "装配钳工", "无等级", "2021-06-01", "2021-06-10"),  # E4
                a6(3, "王强", "2021-05-01", "2021-06-30"),  # May again with June: June only
                a6(4, "赵敏", "2021-06-01", "2021-06-30"),  # a 7th month
                a6(5, "周杰", "2020-11-01", "2021-02-28"),  # 4 months
                a6(5, "周杰", "2021-03-01", "2021-06-30", class_id="C55"),  # 4 more, 2 left of 6
            ]
        },
        name="2021-06.xlsx",
    )
    second = pay(run_cli, june, "2021-06", tmp_path / "june", ledger_url, "--commit")
    assert second.code == 1, second.stderr
    assert sorted((line["name"], line["amount_fen"]) for line in second.json["lines"]) == [
        ("周杰", 100000),
        ("周杰", 200000),
        ("王强", 50000),
        ("陈静", 50000),
    ]
    by_row = {e["row"]: e for e in second.json["exceptions"]}
    assert set(by_row) == {3, 5}
    # E4: 谢婷's 岗前培训 after her 以工代训, naming that May line (her line 2 of the May run).
    assert by_row[3]["code"] == "limit.exclusive"
    assert f"台账 2021-05 批次（{may_run}）第 2 笔" in by_row[3]["message_zh"]
    # 赵敏 had her 6 months in May: the cap names the line that used them.
    assert by_row[5]["code"] == "limit.months-cap"
    assert "A6 ≤ 6" in by_row[5]["message_zh"]
    assert f"台账 2021-05 批次（{may_run}）第 4 笔" in by_row[5]["message_zh"]

    shown = detail_rows(tmp_path / "june")
    assert shown["王强"] == [
        (
            500,
            f"2021-05-01～2021-06-30 计 2 个月，其中 1 个月已于 2021-05 批次（{may_run}）第 3 笔 发放，"
            "本次 1 个月 × 500.00 = 500.00",
        )
    ]
    assert shown["周杰"][1] == (
        1000,
        "2021-03-01～2021-06-30 计 4 个月，此前已发放 4 个月（「花名册」第 6 行 4 个月），每人最多 6 个月，"
        "本次 2 个月 × 500.00 = 1,000.00",
    )
    assert shown["陈静"] == [(500, "2021-06-01～2021-06-30 计 1 个月 × 500.00 = 500.00")]

    # The same June batch again: the months of each paid row are now the ledger's.
    again = pay(run_cli, june, "2021-06", tmp_path / "again", ledger_url)
    assert again.json["lines"] == []
    # 陈静's May and June sent again as one row (reader6's 2021-05-01～2021-06-30): both months were paid,
    # by two ledger lines; a notice names them, nothing is paid.
    both = make_xlsx({"花名册": [PAYOUT_HEADER, a6(1, "陈静", "2021-05-01", "2021-06-30")]}, name="补报.xlsx")
    late = pay(run_cli, both, "2021-06", tmp_path / "late", ledger_url)
    assert late.json["lines"] == []
    [notice] = late.json["exceptions"]
    june_run = runs(run_cli, ledger_url)[1]["run_id"]
    assert (notice["code"], notice["severity"]) == ("limit.months-paid", "warning")
    assert notice["message_zh"] == (
        f"本行的月份（A6 2021-05-01～2021-06-30）已于 台账 2021-05 批次（{may_run}）第 1 笔、"
        f"台账 2021-06 批次（{june_run}）第 1 笔 发放，不重复发放"
    )


# -- an advance run reads as an advance; the settlement says what it deducts and from where ---------------
def labelled(path: Path, sheet: str) -> list[list[Any]]:
    return [
        list(r)
        for r in openpyxl.load_workbook(path / "payouts.xlsx", read_only=True)[sheet].iter_rows(values_only=True)
    ]


def test_advance__the_advance_run_labels_its_columns_and_the_settlement_names_the_advance(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    # 孙丽: A8 四级/中级工 1500 to the enterprise that paid (出资方 企业); E10 advances 50% in May.
    row = payout_row(1, "孙丽", "技能提升", "钳工", "四级/中级工", "2021-03-01", "2021-04-30")
    cert = certificate(1, "孙丽", "S000032000001214000201", "钳工", "四级/中级工", "2021-04-20")
    batch = make_xlsx({"花名册": [PAYOUT_HEADER, row], "证书": [CERT_HEADER, cert]}, name="新纬.xlsx")
    advance = pay(run_cli, batch, "2021-05", tmp_path / "adv", ledger_url, "--commit", "--advance", "50%")
    assert advance.code == 0, advance.stderr
    adv_run = runs(run_cli, ledger_url)[0]["run_id"]

    detail = labelled(tmp_path / "adv", "明细")
    header = detail[0]
    money = header[header.index("应发全额") : header.index("应发全额") + 3]
    assert money == ["应发全额", "本次预拨（50%）", "结业后清算余额"]
    assert "已预拨" not in header and "本次发放" not in header
    first = dict(zip(header, detail[1], strict=True))
    assert (first["应发全额"], first["本次预拨（50%）"], first["结业后清算余额"]) == (1500, 750, 750)
    assert first["计算"] == "四级/中级工 1,500.00；本次预拨 1,500.00 × 50% = 750.00"
    summary = {r[0]: r[2] for r in labelled(tmp_path / "adv", "汇总") if r and r[0]}
    assert summary["应发全额合计"] == 1500
    assert summary["结业后清算余额"] == 750
    assert summary["本次预拨合计（50%，控制总额）"] == 750
    assert "已预拨抵扣" not in summary
    # The run's files rebuilt from the ledger say the same (the share is not stored with the run).
    shown = run_cli("ledger", "show", adv_run, "--ledger", ledger_url, "--out", tmp_path / "rebuilt")
    assert shown.code == 0, shown.stderr
    rebuilt = labelled(tmp_path / "rebuilt", "明细")
    at = rebuilt[0].index("应发全额")
    assert rebuilt[0][at : at + 3] == ["应发全额", "本次预拨", "结业后清算余额"]
    assert rebuilt[1][at : at + 3] == [1500, 750, 750]

    # June: the settlement pays 1500 − 750 and names the May advance line; explain shows the same.
    shown = run_cli("explain", row[1], batch, *SUZHOU, "--period", "2021-06", "--ledger", ledger_url)
    deducted = f"1,500.00 − 已预拨 750.00（2021-05 批次（{adv_run}）第 1 笔）= 750.00"
    assert f"四级/中级工 1,500.00 元；{deducted}" in shown.stdout + shown.stderr
    netted = f"四级/中级工 1,500.00；{deducted}"
    final = pay(run_cli, batch, "2021-06", tmp_path / "final", ledger_url, "--commit")
    assert final.code == 0, final.stderr
    detail = labelled(tmp_path / "final", "明细")
    first = dict(zip(detail[0], detail[1], strict=True))
    assert (first["应发金额"], first["已预拨"], first["本次发放"], first["计算"]) == (1500, 750, 750, netted)
    summary = {r[0]: r[2] for r in labelled(tmp_path / "final", "汇总") if r and r[0]}
    assert summary["已预拨抵扣"] == 750


# -- a re-run of a paid month: notices, not errors; one hold per row -----------------------------------------
def test_rerun__already_paid_rows_are_notices_and_a_row_with_its_own_error_gets_no_related_hold(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    from tests.support.ids import person_id

    # 赵敏's ID was typed as a number in 花名册 and in 证书: her roster row's own error holds it; a second
    # line 「该人员在「证书」第 3 行有一处错误」 on the same row said nothing more (reader6).
    number = int(person_id(3))
    roster = [
        PAYOUT_HEADER,
        a6(1, "陈静", "2021-05-01", "2021-05-31"),
        payout_row(2, "刘洋", "岗前培训", "装配钳工", "无等级", "2021-05-01", "2021-05-10"),
        payout_row(3, "赵敏", "技能提升", "电工", "四级/中级工", "2021-03-01", "2021-04-30", id_number=number),
    ]
    cert = [*certificate(3, "赵敏", "S000032000001214000301", "电工", "四级/中级工", "2021-04-20")]
    cert[0] = number
    batch = make_xlsx({"花名册": roster, "证书": [CERT_HEADER, cert]}, name="2021-05.xlsx")
    first = pay(run_cli, batch, "2021-05", tmp_path / "may", ledger_url, "--commit")
    assert [(e["sheet"], e["row"], e["code"]) for e in first.json["exceptions"]] == [
        ("花名册", 4, "id.precision-lost"),
        ("证书", 2, "id.precision-lost"),
    ]

    again = pay(run_cli, batch, "2021-05", tmp_path / "again", ledger_url, "--commit")
    assert again.json["lines"] == []
    paid = [e for e in again.json["exceptions"] if e["code"] == "ledger.already-paid"]
    assert [(e["row"], e["severity"]) for e in paid] == [(2, "warning"), (3, "warning")]
    # In 异常 the paid rows read as notices (警告, not the red 错误 of 赵敏's ID), saying 不重复发放.
    sheet = labelled(tmp_path / "again", "异常")
    header = sheet[0]
    level = {(r[header.index("行号")], r[header.index("代码")]): r[header.index("级别")] for r in sheet[1:]}
    assert level == {
        (2, "ledger.already-paid"): "警告",
        (3, "ledger.already-paid"): "警告",
        (4, "id.precision-lost"): "错误",
        (2, "id.precision-lost"): "错误",
    }
    assert all("不重复发放" in e["message_zh"] for e in paid)
