"""``skillcli export-bank`` and ``skillcli reconcile`` through the CLI, on SQLite and on PostgreSQL.

The cycle: June and July committed (July hits already-paid, E2 and E1), June's 代发 file exported
and read back, the bank's return reconciled class by class with control totals balanced to the
fen, and a second reconciliation of the same return adding no events.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from skillcli.ledger.store import Ledger
from tests.support.amounts import fen
from tests.support.bank import PAYER, UPLOAD_HEADER, upload
from tests.support.cycle import (
    ENTERPRISE,
    ENTERPRISE_ACCOUNT,
    ENTERPRISE_NAME,
    INSTITUTION,
    INSTITUTION_ACCOUNT,
    INSTITUTION_NAME,
    JULY_EXCEPTIONS,
    JULY_TOTAL,
    JUNE_LINES,
    JUNE_RETURN_CLASSES,
    JUNE_RETURN_TOTAL,
    JUNE_TOTAL,
    NAMES,
    account,
    accounts_csv,
    cycle,
    june_return,
    pid,
    runs,
    yuan,
)
from tests.support.workbooks import read_csv


@pytest.fixture
def ids(run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str) -> dict[str, str]:
    return cycle(run_cli, make_xlsx, tmp_path, ledger_url)


def export(run_cli: Any, run_id: str, out: Path, ledger: str, *extra: object) -> Any:
    return run_cli("export-bank", run_id, "--out", out, "--ledger", ledger, *extra)


def sheet_rows(book: Any, name: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in book[name].iter_rows(min_row=2, values_only=True)]


def test_cycle__july_hits_already_paid_e2_and_e1(ids: dict[str, str], tmp_path: Path) -> None:
    exceptions = read_csv(tmp_path / "july" / "exceptions.csv")
    assert {int(e["row"]): e["code"] for e in exceptions} == JULY_EXCEPTIONS
    assert all(ids["june"] in e["message_zh"] for e in exceptions)  # each names the earlier run
    paid = read_csv(tmp_path / "july" / "payouts.csv")
    assert sum(Decimal(p["amount_yuan"]) for p in paid) == JULY_TOTAL


def persons_without_bank(summary: dict[Any, tuple[Any, ...]], said: str, person_total: Decimal) -> None:
    """The persons' 开户行 is blank (their cards come from the roster, which has no 开户行): the file
    says how many and why, and the screen says where to give it."""
    blank = "其中「收款账号开户行」为空（花名册不含开户行，收款账户清单未提供；如银行要求填写，请向收款方收集）"
    assert summary[blank][1:3] == (5, 7) and yuan(summary[blank][3]) == person_total
    assert (
        "注意：5 个收款方没有开户行（花名册不含开户行，收款账户清单未提供），代发文件「收款账号开户行」列为空；"
        "开户银行要求填写时，请在 --accounts 清单的「开户行」列提供"
    ) in said


def test_export_bank__one_line_per_payee_one_sheet_per_type(
    run_cli: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "skillcli.toml"
    config.write_text(PAYER, encoding="utf-8")
    monkeypatch.setenv("SKILLCLI_CONFIG", str(config))
    out = tmp_path / "bank" / "代发202106.xlsx"
    result = export(
        run_cli, ids["june"], out, ledger_url, "--accounts", accounts_csv(tmp_path / "accounts.csv"), "--json"
    )
    assert result.code == 0, result.stderr
    assert "[payer] 未设置" not in result.stderr  # the payer is complete
    # Expected bank lines: June's lines summed per payee, from the document's amounts.
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for n, _rule, payee_type, amount in JUNE_LINES:
        key = (
            payee_type,
            pid(n) if payee_type == "person" else ENTERPRISE if payee_type == "enterprise" else INSTITUTION,
        )
        sums[key] += amount
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["个人", "企业", "培训机构", "汇总"]
    disb = dict(zip(result.json["disbursement_ids"], Ledger.open(ledger_url).disbursements()["payee_id"], strict=True))
    note = {payee: f"批次 {ids['june']} #{i}" for i, payee in disb.items()}
    block, header, persons, total = upload(book, "个人")
    # The payer block from skillcli.toml [payer] (Chinese or English keys), the date, the batch and its totals.
    assert block[0][:6] == (
        "付款单位：",
        "苏州市吴中区人力资源和社会保障局",
        "付款账号：",
        "3205 0100 1234 5678 9012",
        "开户行：",
        "中国银行苏州吴中支行",
    )
    assert block[1][:2] == ("用途：", "职业技能培训补贴") and block[1][4:6] == ("批次号：", ids["june"])
    person_total = sum(sums[k] for k in sums if k[0] == "person")
    assert block[2][:4] == ("总笔数：", "5", "总金额：", str(person_total))
    assert header == UPLOAD_HEADER
    assert [(r[0], r[1], r[2], r[3], yuan(r[4]), r[5], r[6]) for r in persons] == [
        (i, account(n), NAMES[n], None, sums[("person", pid(n))], summary, note[pid(n)])
        for i, (n, summary) in enumerate(
            [
                (1, "2021-06 技能提升补贴 1 笔"),
                (4, "2021-06 培训期间生活费补贴 1 笔"),
                (6, "2021-06 特种作业及特种设备作业人员取证补贴 1 笔"),
                (7, "2021-06 技能提升补贴 3 笔"),
                (10, "2021-06 特种作业及特种设备作业人员取证补贴 1 笔"),
            ],
            start=1,
        )
    ]
    assert total[:3] == ("合计", None, "5 笔") and yuan(total[4]) == person_total == yuan(1950 + 398 + 650 + 4500 + 800)
    _, _, enterprise, total = upload(book, "企业")
    assert [(r[0], r[1], r[2], r[3], yuan(r[4]), r[5]) for r in enterprise] == [
        (
            1,
            ENTERPRISE_ACCOUNT,
            ENTERPRISE_NAME,
            "建设银行苏州吴中支行",
            yuan(2000 + 1500),
            "2021-06 技能提升补贴等 2 笔",
        )
    ]
    assert yuan(total[4]) == yuan(3500)
    _, _, institution, _ = upload(book, "培训机构")
    assert [(r[1], r[2], r[3], yuan(r[4])) for r in institution] == [
        (INSTITUTION_ACCOUNT, INSTITUTION_NAME, "农业银行苏州吴中支行", yuan(1300))
    ]
    # Accounts are text cells; amounts are numbers shown with two decimals; no formulas anywhere.
    for name in ("个人", "企业", "培训机构"):
        for cells in book[name].iter_rows(min_row=6):
            if cells[0].value == "合计":
                break
            assert cells[1].data_type == "s"
            assert cells[4].data_type == "n" and cells[4].number_format == "#,##0.00"
    assert all(c.data_type != "f" for s in book.worksheets for r in s.iter_rows() for c in r)
    # 汇总: the control total equals the sum of the sheets, the run's total and the document's total.
    summary = {r[0]: r for r in book["汇总"].iter_rows(min_row=3, values_only=True)}
    run_total = next(r["total_fen"] for r in runs(run_cli, ledger_url) if r["run_id"] == ids["june"])
    assert yuan(summary["本次代发合计（控制总额）"][3]) == JUNE_TOTAL == Decimal(run_total) / 100
    assert summary["本次代发合计（控制总额）"][1:3] == (7, 10)
    assert summary["缺账号待补（未列入代发）"][1] == 0 and summary["此前已导出（不再列入）"][1] == 0
    persons_without_bank(summary, result.stderr, person_total)
    assert result.json["total_fen"] == fen(JUNE_TOTAL) and result.json["missing_accounts"] == 0
    # Each bank line is one disbursement in the ledger.
    disbursements = Ledger.open(ledger_url).disbursements()
    assert disbursements.height == 7
    assert dict(zip(disbursements["payee_id"], disbursements["amount_fen"], strict=True)) == {
        key[1]: fen(amount) for key, amount in sums.items()
    }
    assert json.loads(disbursements.filter(disbursements["payee_id"] == pid(7))["line_ids"][0]).__len__() == 3
    # Exporting the run again sends nobody twice: no file, nothing recorded, each payee named as exported.
    again_out = tmp_path / "bank" / "again.xlsx"
    again = export(run_cli, ids["june"], again_out, ledger_url, "--accounts", tmp_path / "accounts.csv", "--json")
    assert again.code == 0, again.stderr
    assert again.json["disbursement_ids"] == [] and again.json["total_fen"] == 0
    assert again.json["earlier_fen"] == fen(JUNE_TOTAL) and again.json["earlier_payees"] == 7
    assert not again_out.exists() and "没有可发送的新代发行" in again.stderr
    assert Ledger.open(ledger_url).disbursements().height == 7


def test_export_bank__missing_accounts_and_void_runs(
    run_cli: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "july.xlsx"
    result = export(run_cli, ids["july"], out, ledger_url, "--json")
    assert result.code == 1  # written, but the enterprise has no account
    # The payee without an account is named on screen and left out of the amount sent; a credit code
    # is not personal data, so it is shown whole (a person's ID is masked: test_reissue).
    assert f"缺少账号，未列入代发：{ENTERPRISE_NAME} {ENTERPRISE} 1,800.00 元" in result.stderr
    assert "1 个收款方缺少账号" in result.stderr
    assert result.json["total_fen"] == 0 and result.json["missing_fen"] == fen(JULY_TOTAL)
    # Nobody to send: no upload sheet, only the list of accounts to ask for; nothing recorded as sent.
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["缺账号待补", "汇总"]
    assert [(r[0], r[1], r[2], r[3], yuan(r[4])) for r in sheet_rows(book, "缺账号待补")] == [
        ("1", "企业", ENTERPRISE_NAME, ENTERPRISE, JULY_TOTAL),
        ("合计", None, "1 个收款方", None, JULY_TOTAL),
    ]
    # Finance reads what to collect; the program's options stay on the screen.
    assert (
        sheet_rows(book, "缺账号待补")[0][6]
        == "缺少收款账号：请向收款方收集账号及开户行，收到后另行代发（不在本次代发金额内）"
    )
    assert "--accounts" in result.stderr
    # Nobody was sent, so no 开户行 is missing from the file.
    assert "没有开户行" not in result.stderr
    summary = {r[0]: r for r in book["汇总"].iter_rows(min_row=3, values_only=True)}
    assert summary["本次代发合计（控制总额）"][1] == 0 and yuan(summary["本次代发合计（控制总额）"][3]) == 0
    assert yuan(summary["缺账号待补（未列入代发）"][3]) == yuan(summary["批次合计（台账）"][3]) == JULY_TOTAL
    assert Ledger.open(ledger_url).disbursements().height == 0
    voided = run_cli("ledger", "void", ids["july"], "--reason", "重复申报", "--ledger", ledger_url)
    assert voided.code == 0, voided.stderr
    void_id = next(r["run_id"] for r in runs(run_cli, ledger_url) if r["kind"] == "void")
    for run_id, words in ((ids["july"], "已作废"), (void_id, "作废记录"), ("R19990101-000000-0000", "没有批次")):
        refused = export(run_cli, run_id, tmp_path / "no.xlsx", ledger_url)
        assert refused.code == 2 and words in refused.stderr, refused.stderr
        assert not (tmp_path / "no.xlsx").exists()


def test_reconcile__every_class_balanced_to_the_fen(
    run_cli: Any, make_xlsx: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    accounts = accounts_csv(tmp_path / "accounts.csv")
    for key in ("june", "july"):  # July's disbursements exist too, but the return is June's alone
        assert export(run_cli, ids[key], tmp_path / f"{key}.xlsx", ledger_url, "--accounts", accounts).code == 0
    returned = june_return(make_xlsx)
    out = tmp_path / "rec"
    result = run_cli("reconcile", returned, "--ledger", ledger_url, "--out", out, "--json")
    assert result.code == 1, result.stderr  # failures, a mismatch and unmatched lines
    assert result.json["runs"] == [ids["june"]]

    items = read_csv(out / "reconciliation.csv")
    assert list(items[0]) == [
        "class",
        "run_id",
        "disb_id",
        "payee_type",
        "payee_id",
        "payee_name",
        "account",
        "ledger_yuan",
        "return_yuan",
        "difference_yuan",
        "bank_status",
        "reason",
        "match",
        "return_row",
        "return_name",
        "return_account",
        "return_id",
        "note",
    ]
    found: dict[str, list[tuple[str, Decimal | None, Decimal | None, str]]] = defaultdict(list)
    for item in items:
        found[item["class"]].append(
            (
                item["payee_name"] or item["return_name"],
                Decimal(item["ledger_yuan"]) if item["ledger_yuan"] else None,
                Decimal(item["return_yuan"]) if item["return_yuan"] else None,
                item["reason"],
            )
        )
    assert dict(found) == JUNE_RETURN_CLASSES
    by_name = {i["payee_name"] or i["return_name"]: i for i in items}
    assert by_name["张伟"]["match"] == "name+amount"
    assert by_name["冯刚"]["match"] == "id+amount"  # the bank masked the card number
    assert by_name[ENTERPRISE_NAME]["match"] == "account+amount"
    assert by_name["郑涛"]["match"] == "account" and by_name["郑涛"]["difference_yuan"] == "-50.00"
    assert by_name["周杰"]["return_row"] == "5"  # Excel row of the line in the return file

    # Control totals, recomputed here from the items: both sides balance to the fen.
    ledger_side = sum((Decimal(i["ledger_yuan"]) for i in items if i["class"] != "not-in-ledger"), Decimal(0))
    return_side = sum((Decimal(i["return_yuan"]) for i in items if i["return_yuan"]), Decimal(0))
    assert ledger_side == JUNE_TOTAL
    assert return_side == JUNE_RETURN_TOTAL
    totals = result.json["totals_fen"]
    assert (
        totals["exported_fen"]
        == fen(JUNE_TOTAL)
        == (
            totals["paid_fen"]
            + totals["failed_fen"]
            + totals["amount_mismatch_fen"]
            + totals["not_in_return_fen"]
            + totals["pending_fen"]
        )
    )
    assert totals["return_fen"] == fen(JUNE_RETURN_TOTAL) == totals["matched_return_fen"] + totals["not_in_ledger_fen"]
    assert (
        totals["paid_fen"],
        totals["failed_fen"],
        totals["amount_mismatch_fen"],
        totals["pending_fen"],
        totals["not_in_return_fen"],
        totals["not_in_ledger_fen"],
    ) == (
        fen(yuan(1950 + 4500 + 3500)),
        fen(yuan(398)),
        fen(yuan(650)),
        fen(yuan(800)),
        fen(yuan(1300)),
        fen(yuan(100)),
    )
    assert "导出代发合计（台账）" in result.stderr and "13,098.00" in result.stderr

    book = openpyxl.load_workbook(out / "reconciliation.xlsx")
    assert book.sheetnames == ["汇总", "已支付", "失败待补发", "金额不符", "处理中", "回盘有台账无", "台账有回盘无"]
    summary = {str(r[0]).strip(): (r[1], yuan(r[2])) for r in book["汇总"].iter_rows(min_row=3, values_only=True)}
    assert summary["导出代发合计（台账）"] == (7, JUNE_TOTAL)
    assert summary["已支付"] == (3, yuan(9950))
    assert summary["失败（待补发）"] == (1, yuan(398))
    assert summary["台账有回盘无"] == (1, yuan(1300))
    assert summary["回盘合计"] == (7, JUNE_RETURN_TOTAL)
    assert summary["回盘有台账无"] == (1, yuan(100))
    reissue = sheet_rows(book, "失败待补发")
    assert [(r[3], r[4], yuan(r[5]), r[9]) for r in reissue] == [("周杰", account(4), yuan(398), "户名不符")]
    assert len(sheet_rows(book, "已支付")) == 3 and len(sheet_rows(book, "台账有回盘无")) == 1

    # One event per matched disbursement, tagged with the return file's SHA-256.
    digest = hashlib.sha256(returned.read_bytes()).hexdigest()
    events = Ledger.open(ledger_url).events()
    assert sorted(events["kind"].to_list()) == sorted(
        ["bank-paid"] * 3 + ["bank-failed", "bank-mismatch", "bank-pending"]
    )
    assert set(events["batch"].to_list()) == {digest}
    assert events.filter(events["kind"] == "bank-mismatch")["amount_fen"].to_list() == [fen(yuan(600))]
    failed_detail = json.loads(events.filter(events["kind"] == "bank-failed")["detail"][0])
    assert failed_detail["reason"] == "户名不符" and failed_detail["row"] == 5

    # The same return again: the same result, and no duplicate events.
    again = run_cli("reconcile", returned, "--ledger", ledger_url, "--out", tmp_path / "rec2", "--json")
    assert again.code == 1
    assert again.json["events_added"] == 0 and again.json["totals_fen"] == totals
    assert Ledger.open(ledger_url).events().height == 6


def test_reconcile__csv_return_with_other_headers_all_paid_exits_0(
    run_cli: Any, make_csv: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    accounts = accounts_csv(tmp_path / "accounts.csv")
    for key in ("june", "july"):
        assert export(run_cli, ids[key], tmp_path / f"{key}.xlsx", ledger_url, "--accounts", accounts).code == 0
    # GBK text, other header names, the run named in 批次号 (so June's unreturned lines are not "missing").
    returned = make_csv(
        [
            ["批次号", "姓名", "收款账号", "实付金额", "处理状态", "错误信息"],
            [ids["july"], ENTERPRISE_NAME, ENTERPRISE_ACCOUNT, "1,800.00", "处理成功", ""],
        ],
        encoding="gbk",
        name="回盘.csv",
    )
    result = run_cli("reconcile", returned, "--ledger", ledger_url, "--out", tmp_path / "rec", "--json")
    assert result.code == 0, result.stderr
    assert result.json["counts"] == {
        "paid": 1,
        "failed": 0,
        "amount-mismatch": 0,
        "pending": 0,
        "not-in-ledger": 0,
        "not-in-return": 0,
    }
    assert result.json["totals_fen"]["paid_fen"] == result.json["totals_fen"]["exported_fen"] == fen(JULY_TOTAL)
    assert [(i["class"], i["run_id"], i["ledger_yuan"]) for i in read_csv(tmp_path / "rec" / "reconciliation.csv")] == [
        ("paid", ids["july"], "1800.00")
    ]


def test_reconcile__file_without_a_return_header_exits_2(
    run_cli: Any, make_xlsx: Any, ledger_url: str, tmp_path: Path
) -> None:
    assert run_cli("ledger", "init", "--ledger", ledger_url).code == 0
    wrong = make_xlsx({"Sheet1": [["姓名", "身份证号码"], ["张伟", pid(1)]]}, name="not-a-return.xlsx")
    result = run_cli("reconcile", wrong, "--ledger", ledger_url, "--out", tmp_path / "rec")
    assert result.code == 2
    assert "银行回盘文件" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "rec" / "reconciliation.csv").exists()


# The return detail's headers as input-schema.md lists them: 姓名/户名, 卡号/账号, 交易结果/处理状态 — each
# alias alone and the joined form a bank prints.
RETURN_HEADERS = [
    ("户名", "卡号/账号", "交易结果"),
    ("姓名", "卡号", "处理状态"),
    ("姓名/户名", "账号", "交易结果/处理状态"),
]


@pytest.mark.parametrize("headers", RETURN_HEADERS, ids=["-".join(h) for h in RETURN_HEADERS])
def test_reconcile__every_return_header_alias_is_read(
    run_cli: Any, make_xlsx: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path, headers: tuple[str, ...]
) -> None:
    sent = export(
        run_cli, ids["june"], tmp_path / "june.xlsx", ledger_url, "--accounts", accounts_csv(tmp_path / "a.csv")
    )
    assert sent.code == 0, sent.stderr
    name, card, status = headers
    returned = make_xlsx(
        {
            "回盘明细": [
                ["批次号：NB20210628001"],
                ["序号", name, card, "开户行", "金额", "交易日期", status, "失败原因"],
                [1, "周杰", account(4), "工商银行", "398.00", "2021-06-28", "失败", "户名不符"],
                [2, ENTERPRISE_NAME, ENTERPRISE_ACCOUNT, "建设银行", "3,500.00", "2021-06-28", "成功", None],
            ]
        },
        name="回盘.xlsx",
    )
    result = run_cli("reconcile", returned, "--ledger", ledger_url, "--dry-run", "--json", "--show-ids")
    assert result.code == 1, result.stderr
    matched = [
        (i["class"], i["return_name"], i["return_account"], i["reason"], i["match"])
        for i in result.json["items"]
        if i["return_row"] is not None
    ]
    # Each line found by its account (the strongest key), not by 户名 and amount.
    assert matched == [
        ("paid", ENTERPRISE_NAME, ENTERPRISE_ACCOUNT, None, "account+amount"),
        ("failed", "周杰", account(4), "户名不符", "account+amount"),
    ]
    assert "没有账号列" not in result.stderr + result.stdout


def test_reconcile__return_without_an_account_column_warns_once(
    run_cli: Any, make_xlsx: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    sent = export(
        run_cli, ids["june"], tmp_path / "june.xlsx", ledger_url, "--accounts", accounts_csv(tmp_path / "a.csv")
    )
    assert sent.code == 0, sent.stderr
    returned = make_xlsx(
        {
            "回盘明细": [
                ["序号", "户名", "开户行", "金额", "交易结果", "失败原因"],
                [1, "周杰", "工商银行", "398.00", "失败", "户名不符"],
                [2, ENTERPRISE_NAME, "建设银行", "3,500.00", "成功", None],
            ]
        },
        name="回盘.xlsx",
    )
    result = run_cli("reconcile", returned, "--ledger", ledger_url, "--dry-run", "--json")
    assert result.code == 1, result.stderr
    assert [i["match"] for i in result.json["items"] if i["return_row"] is not None] == ["name+amount"] * 2
    said = result.stderr + result.stdout
    assert said.count("没有账号列") == 1
    assert (
        "注意：回盘.xlsx「回盘明细」第 1 行表头中没有账号列（已识别：「户名」、「金额」、「交易结果」、「失败原因」），"
        "各行按户名+金额匹配" in said
    )


def test_reconcile__an_all_digit_batch_prefix_is_printed_long_enough_to_type(
    run_cli: Any, make_csv: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    # A return whose SHA-256 starts with ten digits (a footer varied until it does): ten digits in a
    # row are masked on screen like a phone number, so the printed batch runs on to its first letter.
    accounts = accounts_csv(tmp_path / "accounts.csv")
    assert export(run_cli, ids["july"], tmp_path / "july.xlsx", ledger_url, "--accounts", accounts).code == 0
    for n in range(100_000):
        returned = make_csv(
            [
                ["批次号", "姓名", "收款账号", "实付金额", "处理状态"],
                [ids["july"], ENTERPRISE_NAME, ENTERPRISE_ACCOUNT, "1,800.00", "处理成功"],
                [f"经办：{n}"],
            ],
            name="回盘.csv",
        )
        digest = hashlib.sha256(returned.read_bytes()).hexdigest()
        if digest[:10].isdigit():
            break
    # On to the first letter; but eleven digits from a 1 read as a phone number whatever follows,
    # so then the eight characters undo needs at least.
    digits = next(i for i, c in enumerate(digest) if not c.isdigit())
    batch = digest[:8] if digits == 11 and digest[0] == "1" else digest[: digits + 1]
    result = run_cli("reconcile", returned, "--ledger", ledger_url, "--out", tmp_path / "rec")
    assert result.code == 0, result.stderr
    assert f"skillcli reconcile undo {batch}）" in result.stdout + result.stderr
    undone = run_cli("reconcile", "undo", batch, "--ledger", ledger_url)
    assert undone.code == 0, undone.stderr
