"""``skillcli report month|year`` through the CLI, on SQLite and on PostgreSQL.

Expected figures come from the policy's numbers in tests/support/cycle.py (June's ten lines, July's
two, July's 50 % advance), the bank results from June's return, and the target percentages are
worked out by hand: 11 trained of 9 = 122.22 %, 8 certified of 7 = 114.29 %, 15 898 元 of
12 000 元 = 132.48 %.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from skillcli.report.funds import percent
from tests.support.amounts import fen
from tests.support.cycle import (
    ADVANCE_TOTAL,
    ENTERPRISE,
    ENTERPRISE_NAME,
    INSTITUTION,
    INSTITUTION_NAME,
    JULY_TOTAL,
    JUNE,
    JUNE_LINES,
    JUNE_TOTAL,
    accounts_csv,
    cycle,
    june_return,
    yuan,
)

LEVELS = {"五级/初级工": "L5", "四级/中级工": "L4", "三级/高级工": "L3", "无等级": "NONE"}
LEVEL_LABELS = {"L5": "五级/初级工", "L4": "四级/中级工", "L3": "三级/高级工", "NONE": "无等级"}
SUBSIDIES = {
    "A6": "以工代训补贴",
    "A8": "技能提升补贴",
    "A12": "特种作业及特种设备作业人员取证补贴",
    "A16": "培训期间生活费补贴",
}
CERTIFIED_JUNE = {1, 2, 5, 6, 7, 10}  # people with a certificate on a paid line (A8, A12)


@pytest.fixture
def reconciled(run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str) -> dict[str, str]:
    """June and July committed, July's advance too; June exported and its bank return reconciled."""
    ids = cycle(run_cli, make_xlsx, tmp_path, ledger_url, advance=True)
    exported = run_cli(
        "export-bank",
        ids["june"],
        "--out",
        tmp_path / "june.xlsx",
        "--ledger",
        ledger_url,
        "--accounts",
        accounts_csv(tmp_path / "accounts.csv"),
    )
    assert exported.code == 0, exported.stderr
    reconciled = run_cli("reconcile", june_return(make_xlsx), "--ledger", ledger_url, "--out", tmp_path / "rec")
    assert reconciled.code == 1, reconciled.stderr
    return ids


def june_breakdown(key: Any) -> dict[Any, tuple[int, int, int]]:
    """(persons, lines, fen) per key over June's lines; ``key(roster_row, n, rule, payee_type)``."""
    people: dict[Any, set[int]] = defaultdict(set)
    lines: dict[Any, int] = defaultdict(int)
    amounts: dict[Any, int] = defaultdict(int)
    for roster_row, (n, rule, payee_type, amount) in zip(JUNE, JUNE_LINES, strict=True):
        k = key(roster_row, n, rule, payee_type)
        people[k].add(n)
        lines[k] += 1
        amounts[k] += fen(amount)
    return {k: (len(people[k]), lines[k], amounts[k]) for k in people}


def test_report_month__totals_by_every_breakdown(
    run_cli: Any, reconciled: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "reports" / "2021-06.xlsx"
    result = run_cli("report", "month", "2021-06", "--ledger", ledger_url, "--out", out, "--json")
    assert result.code == 0, result.stderr
    payload = result.json
    assert payload["runs"] == [reconciled["june"]]
    # 张伟, 冯刚 and the enterprise were confirmed by the bank; 郑涛 was paid 600 of his 650 (short).
    paid = fen(yuan(1950 + 4500 + 3500 + 600))
    totals = payload["totals"]
    assert totals == {
        "lines": 10,
        "trained": 8,
        "person_times": 10,  # every June line is its own training (冯刚: three)
        "certified": len(CERTIFIED_JUNE),
        "committed_fen": fen(JUNE_TOTAL),
        "payment_lines": 10,
        "payment_fen": fen(JUNE_TOTAL),
        "advance_lines": 0,
        "advanced_fen": 0,
        "exported_count": 7,
        "exported_fen": fen(JUNE_TOTAL),
        "paid_count": 3,
        "paid_fen": paid,
        "failed_count": 1,
        "failed_fen": fen(yuan(398)),
        "mismatch_count": 1,
        "mismatch_fen": fen(yuan(650)),
        "short_fen": fen(yuan(50)),
        "pending_count": 1,
        "pending_fen": fen(yuan(800)),
        "not_exported_fen": 0,
        "outstanding_fen": fen(JUNE_TOTAL) - paid,
        "to_recover_count": 0,
        "to_recover_fen": 0,
        "runs": 1,
    }
    by_rule = june_breakdown(lambda r, n, rule, t: rule)
    assert [(s["rule"], s["subsidy"], s["persons"], s["lines"], s["fen"]) for s in payload["by_subsidy"]] == [
        (rule, SUBSIDIES[rule], *by_rule[rule]) for rule in ("A6", "A8", "A12", "A16")
    ]
    by_type = june_breakdown(lambda r, n, rule, t: t)
    assert {s["payee_type"]: (s["persons"], s["lines"], s["fen"]) for s in payload["by_payee_type"]} == by_type
    assert [s["payee_type"] for s in payload["by_payee_type"]] == ["person", "enterprise", "institution"]
    assert [(s["payee_id"], s["payee_name"], s["fen"]) for s in payload["by_payee"]] == [
        (ENTERPRISE, ENTERPRISE_NAME, by_type["enterprise"][2]),
        (INSTITUTION, INSTITUTION_NAME, fen(yuan(1300))),
    ]
    by_category = june_breakdown(lambda r, n, rule, t: r[2])
    assert {s["category"]: (s["persons"], s["lines"], s["fen"]) for s in payload["by_category"]} == by_category
    by_level = june_breakdown(lambda r, n, rule, t: LEVELS[r[7]])
    assert [(s["level"], s["level_label"], s["persons"], s["lines"], s["fen"]) for s in payload["by_level"]] == [
        (code, LEVEL_LABELS[code], *by_level[code]) for code in ("L5", "L4", "L3", "NONE")
    ]
    assert sum(s["fen"] for s in payload["by_level"]) == fen(JUNE_TOTAL)

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "汇总",
        "按补贴项目",
        "按收款方类型",
        "按单位",
        "按人员类别",
        "按等级",
        "月度",
        "财政局",
        "批次",
    ]
    summary = {r[0].strip(): r[1:] for r in book["汇总"].iter_rows(min_row=3, values_only=True)}
    assert summary["发放笔数（台账）"][0] == 10 and yuan(str(summary["发放笔数（台账）"][1])) == JUNE_TOTAL
    assert summary["培训人数"][0] == 8 and summary["取证人数"][0] == 6 and summary["培训人次"][0] == 10
    assert yuan(str(summary["银行已支付（银行实付金额）"][1])) == Decimal(paid) / 100
    assert yuan(str(summary["未支付（发放 − 已支付）"][1])) == JUNE_TOTAL - Decimal(paid) / 100
    subsidy_rows = list(book["按补贴项目"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[4], yuan(str(r[5]))) for r in subsidy_rows] == [
        (rule, by_rule[rule][0], by_rule[rule][1], Decimal(by_rule[rule][2]) / 100)
        for rule in ("A6", "A8", "A12", "A16")
    ] + [("合计", 8, 10, JUNE_TOTAL)]  # persons counted once: 冯刚's three lines are one person
    assert book["按补贴项目"]["F2"].number_format == "#,##0.00"
    units = list(book["按单位"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2]) for r in units] == [
        ("企业", ENTERPRISE, ENTERPRISE_NAME),
        ("培训机构", INSTITUTION, INSTITUTION_NAME),
        ("合计", None, None),
    ]
    assert yuan(str(units[-1][6])) == yuan(2000 + 1500 + 1300)
    monthly = {r[0]: r for r in book["月度"].iter_rows(min_row=2, values_only=True)}
    assert list(monthly) == [*(f"2021-{m:02d}" for m in range(1, 7)), "合计"]  # January to the month
    assert yuan(str(monthly["2021-06"][3])) == JUNE_TOTAL
    assert "补贴资金使用情况 2021-06" in result.stderr and "13,098.00" in result.stderr


def test_report_year__monthly_totals_chart_and_targets(
    run_cli: Any, reconciled: dict[str, str], ledger_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "office"
    work.mkdir()
    (work / "skillcli-targets.toml").write_text(
        "[2021]\ntrained = 9\ncertified = 7\nfunds = 12000\n\n[2022]\ntrained = 1000\n", encoding="utf-8"
    )
    monkeypatch.chdir(work)  # the default targets file is read from the working directory
    out = tmp_path / "2021.xlsx"
    result = run_cli("report", "year", "2021", "--ledger", ledger_url, "--out", out, "--json")
    assert result.code == 0, result.stderr
    payload = result.json
    year_total = JUNE_TOTAL + JULY_TOTAL + ADVANCE_TOTAL
    assert payload["totals"]["committed_fen"] == fen(year_total)
    assert payload["totals"]["advanced_fen"] == fen(ADVANCE_TOTAL) and payload["totals"]["advance_lines"] == 1
    assert payload["totals"]["trained"] == 11 and payload["totals"]["certified"] == 8
    assert payload["totals"]["runs"] == 3
    monthly = {m["period"]: m for m in payload["monthly"]}
    assert list(monthly) == [f"2021-{m:02d}" for m in range(1, 13)]
    assert monthly["2021-06"]["committed_fen"] == fen(JUNE_TOTAL)
    assert monthly["2021-06"]["paid_fen"] == fen(yuan(10550)) and monthly["2021-06"]["failed_fen"] == fen(yuan(398))
    assert payload["breakdown_totals"]["monthly"]["committed_fen"] == fen(year_total)
    assert monthly["2021-07"]["committed_fen"] == fen(JULY_TOTAL + ADVANCE_TOTAL)
    assert monthly["2021-07"]["advanced_fen"] == fen(ADVANCE_TOTAL) and monthly["2021-07"]["persons"] == 3
    assert all(monthly[p]["committed_fen"] == 0 for p in monthly if p not in ("2021-06", "2021-07"))
    assert sum(m["committed_fen"] for m in payload["monthly"]) == fen(year_total)
    assert payload["targets"] == [
        {"period": "2021", "measure": "trained", "actual": 11, "target": 9, "percent": "122.22"},
        {"period": "2021", "measure": "certified", "actual": 8, "target": 7, "percent": "114.29"},
        {
            "period": "2021",
            "measure": "funds",
            "actual": fen(year_total),
            "target": fen(yuan(12000)),
            "percent": "132.48",
        },
    ]
    assert "122.22 %" in result.stderr and "114.29 %" in result.stderr

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "汇总",
        "按补贴项目",
        "按收款方类型",
        "按单位",
        "按人员类别",
        "按等级",
        "月度",
        "目标完成",
        "财政局",
        "批次",
    ]
    targets = list(book["目标完成"].iter_rows(min_row=4, values_only=True))
    assert [(r[0], Decimal(str(r[3]))) for r in targets] == [
        ("培训人数", Decimal("122.22")),
        ("取证人数", Decimal("114.29")),
        ("补贴资金（元）", Decimal("132.48")),
    ]
    assert book["目标完成"]["D4"].number_format == '0.00" %"'
    assert yuan(str(targets[2][1])) == year_total and yuan(str(targets[2][2])) == yuan(12000)
    months = list(book["月度"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], yuan(str(r[3]))) for r in months if r[3]] == [
        ("2021-06", JUNE_TOTAL),
        ("2021-07", JULY_TOTAL + ADVANCE_TOTAL),
        ("合计", year_total),
    ]
    with zipfile.ZipFile(out) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = archive.read(charts[0]).decode("utf-8")
    assert '<c:barDir val="col"/>' in chart  # a column chart of the monthly totals
    assert "月度!$A$2:$A$13" in chart and "月度!$D$2:$D$13" in chart
    runs_sheet = [r[0] for r in book["批次"].iter_rows(min_row=2, values_only=True)]
    assert sorted(runs_sheet) == sorted(reconciled.values())

    # A voided run leaves the report; the advance run in the same month stays.
    assert run_cli("ledger", "void", reconciled["july"], "--reason", "重复申报", "--ledger", ledger_url).code == 0
    after = run_cli("report", "year", "2021", "--ledger", ledger_url, "--json").json
    assert after["totals"]["committed_fen"] == fen(JUNE_TOTAL + ADVANCE_TOTAL)
    assert after["totals"]["trained"] == 9 and after["totals"]["runs"] == 2
    assert {m["period"]: m["committed_fen"] for m in after["monthly"]}["2021-07"] == fen(ADVANCE_TOTAL)


def test_report__bad_arguments_exit_2(run_cli: Any, ledger_url: str, tmp_path: Path) -> None:
    assert run_cli("ledger", "init", "--ledger", ledger_url).code == 0
    bad_month = run_cli("report", "month", "2021-13", "--ledger", ledger_url)
    assert bad_month.code == 2 and "YYYY-MM" in bad_month.stderr
    targets = tmp_path / "targets.toml"
    targets.write_text("[2021]\ntrainees = 5\n", encoding="utf-8")
    unknown = run_cli("report", "year", "2021", "--ledger", ledger_url, "--targets", targets)
    assert unknown.code == 2 and "trainees" in unknown.stderr
    missing = run_cli("report", "year", "2021", "--ledger", ledger_url, "--targets", tmp_path / "none.toml")
    assert missing.code == 2
    empty = run_cli("report", "year", "2021", "--ledger", ledger_url, "--json")
    assert empty.code == 0 and empty.json["totals"]["committed_fen"] == 0 and empty.json["runs"] == []


def test_report__percent_is_exact_and_half_up() -> None:
    # The Lüliang report's figures: 695 of 600 trained, 640 of 430 certified.
    assert percent(695, 600) == Decimal("115.83")
    assert percent(640, 430) == Decimal("148.84")
    assert percent(1, 8) == Decimal("12.50")  # 12.5 exactly, two decimals
    assert percent(1, 3) == Decimal("33.33") and percent(2, 3) == Decimal("66.67")
    assert percent(5, 0) is None
