"""``skillcli publish`` (公示) and ``skillcli statement`` (对账单) through the CLI, on both databases.

The figures are June's lines from tests.support.cycle, computed there from the policy's numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.support.cycle import (
    ENTERPRISE,
    ENTERPRISE_NAME,
    JUNE_LINES,
    JUNE_TOTAL,
    NAMES,
    accounts_csv,
    cycle,
    june_return,
    pid,
    yuan,
)

SUBSIDIES = {
    "A6": "以工代训补贴",
    "A8": "技能提升补贴",
    "A12": "特种作业及特种设备作业人员取证补贴",
    "A16": "培训期间生活费补贴",
}
FULL_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def ids(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    config = tmp_path / "skillcli.toml"
    config.write_text('[contact]\n"单位" = "吴中区人社局职业能力建设处"\n"电话" = "0512-65251234"\n', encoding="utf-8")
    monkeypatch.setenv("SKILLCLI_CONFIG", str(config))
    return cycle(run_cli, make_xlsx, tmp_path, ledger_url)


def masked(person_id: str) -> str:
    return person_id[:6] + "********" + person_id[-4:]


def test_publish__grouped_by_subsidy_masked_ids_a4(
    run_cli: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "公示.xlsx"
    result = run_cli(
        "publish",
        ids["june"],
        "--out",
        out,
        "--ledger",
        ledger_url,
        "--period-text",
        "2021年6月21日至6月25日（5个工作日）",
    )
    assert result.code == 0, result.stderr
    sheet = openpyxl.load_workbook(out)["公示"]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "关于 2021 年 6 月职业技能培训补贴拟发放名单的公示"
    assert rows[1][0] == "公示期：2021年6月21日至6月25日（5个工作日）"
    assert rows[3] == ("序号", "姓名", "身份证号码", "补贴项目", "职业(工种)", "等级", "金额(元)", "收款方")
    # Expected: June's lines grouped by rule (A6, A8, A12, A16), each with its 小计, then 合计.
    payee = {"person": "本人", "enterprise": ENTERPRISE_NAME, "institution": "吴中区职业技能培训学校"}
    expected: list[tuple[Any, ...]] = []
    for k, rule in enumerate(("A6", "A8", "A12", "A16")):
        expected.append(("一二三四"[k] + "、" + SUBSIDIES[rule],))
        group = [(n, t, a) for n, r, t, a in JUNE_LINES if r == rule]
        for i, (n, payee_type, amount) in enumerate(group, start=1):
            expected.append((str(i), NAMES[n], masked(pid(n)), SUBSIDIES[rule], amount, payee[payee_type]))
        expected.append(("小计", f"{len(group)} 人次", sum((a for *_, a in group), Decimal(0))))
    expected.append(("合计", "10 人次", JUNE_TOTAL))
    body = rows[4 : 4 + len(expected)]
    found: list[tuple[Any, ...]] = []
    for r in body:
        if r[0] in ("小计", "合计"):
            found.append((r[0], r[1], yuan(r[6])))
        elif r[1] is None:
            found.append((r[0],))
        else:
            found.append((r[0], r[1], r[2], r[3], yuan(r[6]), r[7]))
    assert found == expected
    levels = {r[1]: r[5] for r in body if r[2] and r[2].startswith("320506") and r[3] == SUBSIDIES["A8"]}
    assert levels["张伟"] == "四级/中级工" and levels["孙丽"] == "五级/初级工"
    assert any("吴中区人社局职业能力建设处 0512-65251234" in str(r[0]) for r in rows[len(expected) + 4 :])
    # Never a full ID number anywhere in the workbook.
    cells = [str(c) for r in rows for c in r if c is not None]
    assert not [c for c in cells if FULL_ID.search(c)]
    assert sum(1 for c in cells if re.fullmatch(r"\d{6}\*{8}[\dX]{4}", c)) == 10
    # Printed on A4 portrait, one page wide, the header row repeated.
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"
    # fitToWidth is 1 by default (xlsxwriter leaves it out); fitToHeight 0 lets pages run down.
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$4:$4"
    # Without a 公示期 (none given, none configured) the notice is refused.
    refused = run_cli("publish", ids["june"], "--out", tmp_path / "no.xlsx", "--ledger", ledger_url)
    assert refused.code == 2 and "公示期" in refused.stderr and not (tmp_path / "no.xlsx").exists()


def test_statement__enterprise_and_short_paid_person_balance(
    run_cli: Any, make_xlsx: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    accounts = accounts_csv(tmp_path / "a.csv")
    for key in ("june", "july"):
        exported = run_cli(
            "export-bank", ids[key], "--out", tmp_path / f"{key}.xlsx", "--ledger", ledger_url, "--accounts", accounts
        )
        assert exported.code == 0, exported.stderr
    assert run_cli("reconcile", june_return(make_xlsx), "--ledger", ledger_url, "--out", tmp_path / "rec").code == 1
    out = tmp_path / "对账单.xlsx"
    result = run_cli("statement", ENTERPRISE, "--year", "2021", "--out", out, "--ledger", ledger_url, "--json")
    assert result.code == 0, result.stderr
    # By hand: June 李娜 2000 (A8) + 赵强 1500 (A6), paid by the bank; July 陈洋 1500 + 褚霞 300, exported, no return.
    june, july = yuan(2000 + 1500), yuan(1500 + 300)
    assert {k: v for k, v in result.json.items() if k.endswith("_fen")} == {
        "entitled_fen": int((june + july) * 100),
        "exported_fen": int((june + july) * 100),
        "not_exported_fen": 0,
        "paid_fen": int(june * 100),
        "failed_fen": 0,
        "pending_fen": 0,
        "awaiting_fen": int(july * 100),
        "outstanding_fen": int(july * 100),
    }
    assert result.json["payee_name"] == ENTERPRISE_NAME and result.json["lines"] == 4
    # A body's credit code is not personal data: the screen names it whole.
    assert f"对账单 {ENTERPRISE_NAME} {ENTERPRISE}" in result.stdout + result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["对账单", "批次", "明细", "代发"]
    kv = {r[0]: r[1] for r in book["对账单"].iter_rows(min_row=3, values_only=True)}
    assert kv["收款方"] == ENTERPRISE_NAME and kv["统一社会信用代码"] == ENTERPRISE
    assert yuan(kv["应发合计"]) == june + july and yuan(kv["银行已付"]) == june
    assert yuan(kv["未付余额（应发 − 已付）"]) == july
    runs_rows = list(book["批次"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[3], yuan(r[4]), r[6], yuan(r[7])) for r in runs_rows] == [
        (ids["june"], "2021-06", 2, june, "已支付", june),
        (ids["july"], "2021-07", 2, july, "已导出未回盘", Decimal(0)),
    ]
    detail = list(book["明细"].iter_rows(min_row=2, values_only=True))
    assert sorted((r[2], r[3], yuan(r[6])) for r in detail) == sorted(
        [
            (NAMES[2], masked(pid(2)), yuan(2000)),
            (NAMES[3], masked(pid(3)), yuan(1500)),
            (NAMES[8], masked(pid(8)), yuan(1500)),
            (NAMES[9], masked(pid(9)), yuan(300)),
        ]
    )
    cells = [str(c) for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r if c is not None]
    # No trainee's full ID number anywhere (the enterprise's own code and account are shown as they are).
    assert not [c for c in cells for n in NAMES if pid(n) in c]
    # 郑涛: 650 owed, the bank paid 600 (a short payment): paid is the bank's amount, 50 outstanding.
    person = run_cli("statement", pid(6), "--out", tmp_path / "zheng.xlsx", "--ledger", ledger_url, "--json")
    assert person.code == 0, person.stderr
    assert (person.json["entitled_fen"], person.json["paid_fen"], person.json["outstanding_fen"]) == (
        65000,
        60000,
        5000,
    )
    # A year without lines for the payee: one line, exit 2, ID masked.
    none = run_cli("statement", ENTERPRISE, "--year", "2020", "--out", tmp_path / "x.xlsx", "--ledger", ledger_url)
    assert none.code == 2 and "2020 年" in none.stderr and not (tmp_path / "x.xlsx").exists()
