"""补发 (``skillcli reissue``), the accounts history and the export's integrity, through the CLI on both databases.

June is committed, exported and answered by the bank (tests.support.cycle.june_return): 周杰's
398.00 元 (995 × 12 / 30) was refused (户名不符). The reissue pays that line again with a corrected
account, the bank's return for the reissue file says paid, and the June report then counts it once,
as paid; nothing else in the cycle can send a line twice.
"""

from __future__ import annotations

import csv
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from skillcli.ledger import schema as s
from skillcli.ledger.store import Ledger
from tests.support.amounts import fen
from tests.support.bank import PAYER, upload
from tests.support.cycle import (
    ENTERPRISE,
    ENTERPRISE_NAME,
    INSTITUTION,
    JULY_TOTAL,
    JUNE_TOTAL,
    accounts_csv,
    cycle,
    june_return,
    pid,
    runs,
    yuan,
)
from tests.support.rosters import bank_card as account

ZHOU_NEW_ACCOUNT = "6222000000000404"


@pytest.fixture
def ids(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    # No settings file from the machine running the tests: the shipped default layout, no payer.
    monkeypatch.setenv("SKILLCLI_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    return cycle(run_cli, make_xlsx, tmp_path, ledger_url)


def export(run_cli: Any, run_id: str, out: Path, ledger: str, *extra: object) -> Any:
    return run_cli("export-bank", run_id, "--out", out, "--ledger", ledger, *extra)


def june_sent_and_refused(run_cli: Any, make_xlsx: Any, june: str, ledger: str, tmp_path: Path) -> int:
    """June exported (accounts of the enterprise and the institution) and the bank's return reconciled:
    周杰's 398.00 元 was refused. Returns the id of that failed disbursement."""
    sent = export(run_cli, june, tmp_path / "june.xlsx", ledger, "--accounts", accounts_csv(tmp_path / "a.csv"))
    assert sent.code == 0, sent.stderr
    reconciled = run_cli("reconcile", june_return(make_xlsx), "--ledger", ledger, "--out", tmp_path / "rec")
    assert reconciled.code == 1, reconciled.stderr  # 周杰 failed
    exported = Ledger.open(ledger).disbursements()
    return int(exported.filter(exported["payee_id"] == pid(4))["disb_id"][0])


def reissue_to_new_account(run_cli: Any, june: str, ledger_url: str, tmp_path: Path) -> Any:
    """周杰's refused line reissued to his corrected account (given by ID number, with Chinese headers)."""
    corrected = tmp_path / "c.csv"
    corrected.write_text(
        f"身份证号码,银行账号,开户行\n{pid(4)},{ZHOU_NEW_ACCOUNT},工商银行苏州吴中支行\n", encoding="utf-8"
    )
    result = run_cli(
        "reissue", june, "--out", tmp_path / "r1.xlsx", "--ledger", ledger_url, "--accounts", corrected, "--json"
    )
    assert result.code == 0, result.stderr
    return result


def reissue_without_an_account(run_cli: Any, june: str, out: Path, ledger_url: str) -> None:
    """Without a corrected account, the refused line is not used: listed (ID masked), exit 1, nothing recorded."""
    first = run_cli("reissue", june, "--out", out, "--ledger", ledger_url, "--json")
    assert first.code == 1, first.stderr
    assert f"无可用账号，未列入补发：周杰 {pid(4)[:6]}********{pid(4)[-4:]} 398.00 元" in first.stderr
    assert first.json["disbursement_ids"] == [] and first.json["missing_fen"] == fen(yuan(398))
    assert [
        (*r[:3], r[6])
        for r in openpyxl.load_workbook(out)["缺账号待补"].iter_rows(min_row=2, max_row=2, values_only=True)
    ] == [
        ("1", "个人", "周杰", "无可用账号（缺少，或为银行退回的账号）：请向收款方收集更正后的账号及开户行，收到后补发")
    ]
    assert Ledger.open(ledger_url).disbursements().height == 7
    assert [r["kind"] for r in runs(run_cli, ledger_url)] == ["payout", "payout"]


def test_reissue__failed_line_paid_again_once_then_counted_once(
    run_cli: Any, make_xlsx: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    june = ids["june"]
    failed_id = june_sent_and_refused(run_cli, make_xlsx, june, ledger_url, tmp_path)

    reissue_without_an_account(run_cli, june, tmp_path / "r0.xlsx", ledger_url)

    # The corrected account, given with Chinese headers (persons by ID number), is recorded and used.
    corrected = make_xlsx(
        {
            "账户": [
                ["姓名", "身份证号码", "银行账号", "开户行"],
                ["周杰", pid(4), "6222 0000 0000 0404", "工商银行苏州吴中支行"],
            ]
        },
        name="更正账号.xlsx",
    )
    out = tmp_path / "补发" / "r1.xlsx"
    result = run_cli("reissue", june, "--out", out, "--ledger", ledger_url, "--accounts", corrected, "--json")
    assert result.code == 0, result.stderr
    [new_id] = result.json["disbursement_ids"]
    assert "skillcli.toml [payer] 未设置付款单位、付款账号、开户行" in result.stderr  # no settings file here
    batch = result.json["batch_id"]
    assert batch != june and result.json["total_fen"] == fen(yuan(398)) and result.json["changed_accounts"] == 1
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["个人", "汇总"]
    block, _, rows, total = upload(book, "个人")
    assert block[1][4:6] == ("批次号：", batch)
    assert [(r[0], r[1], r[2], r[3], yuan(r[4]), r[5], r[6]) for r in rows] == [
        (
            1,
            ZHOU_NEW_ACCOUNT,
            "周杰",
            "工商银行苏州吴中支行",
            yuan(398),
            "补发 2021-06 培训期间生活费补贴 1 笔",
            f"批次 {batch} #{new_id}",
        )
    ]
    assert yuan(total[4]) == yuan(398)
    listed = runs(run_cli, ledger_url)
    assert [(r["kind"], r["period"], r["total_fen"]) for r in listed if r["run_id"] == batch] == [
        ("reissue", "2021-06", 0)
    ]
    disb = Ledger.open(ledger_url).disbursements()
    assert disb.height == 8
    new = disb.filter(disb["disb_id"] == new_id).row(0, named=True)
    assert (new["run_id"], new["payee_id"], new["account"], new["amount_fen"]) == (
        batch,
        pid(4),
        ZHOU_NEW_ACCOUNT,
        39800,
    )
    assert json.loads(new["line_ids"]) == json.loads(disb.filter(disb["disb_id"] == failed_id)["line_ids"][0])

    # Nothing is left to reissue: a second reissue sends nothing and records nothing.
    again = run_cli("reissue", june, "--out", tmp_path / "r2.xlsx", "--ledger", ledger_url)
    assert again.code == 2 and "没有待补发" in again.stderr
    assert not (tmp_path / "r2.xlsx").exists() and Ledger.open(ledger_url).disbursements().height == 8

    # The bank pays the reissue; its return reconciles like any other. The bank echoes the file's 备注,
    # which names the reissue batch: the return covers that batch only.
    paid = make_xlsx(
        {
            "回盘": [
                ["序号", "收款人", "卡号", "交易金额（元）", "交易结果", "备注"],
                [1, "周杰", ZHOU_NEW_ACCOUNT, "398.00", "成功", f"批次 {batch} #{new_id}"],
            ]
        },
        name="补发回盘.xlsx",
    )
    rec = run_cli("reconcile", paid, "--ledger", ledger_url, "--out", tmp_path / "rec2", "--json")
    assert rec.code == 0, rec.stderr
    assert rec.json["runs"] == [batch]
    with (tmp_path / "rec2" / "reconciliation.csv").open(encoding="utf-8-sig", newline="") as handle:
        [item] = list(csv.DictReader(handle))
    # The echoed 备注 named the batch; it is not a reason.
    assert (item["class"], item["run_id"], item["disb_id"], item["reason"]) == ("paid", batch, str(new_id), "")
    assert rec.json["counts"]["paid"] == 1 and rec.json["totals_fen"]["paid_fen"] == 39800

    # The June report counts 周杰's line once, as paid: failed 0, not outstanding; the reissue is no extra run.
    report = run_cli("report", "month", "2021-06", "--ledger", ledger_url, "--json")
    assert report.code == 0, report.stderr
    totals = report.json["totals"]
    # 张伟, 冯刚, the enterprise, 周杰's reissue, and the 600 the bank paid 郑涛 of his 650 (paid = the bank's amounts).
    paid_fen = fen(yuan(1950 + 4500 + 3500 + 398 + 600))
    assert report.json["runs"] == [june]
    assert (totals["exported_count"], totals["exported_fen"]) == (7, fen(JUNE_TOTAL))
    assert (totals["paid_count"], totals["paid_fen"]) == (4, paid_fen)
    assert (totals["failed_count"], totals["failed_fen"]) == (0, 0)
    assert totals["outstanding_fen"] == fen(JUNE_TOTAL) - paid_fen

    # Exporting June again sends nobody: every payee was exported once (周杰 paid through the reissue).
    re_export = export(run_cli, june, tmp_path / "june-again.xlsx", ledger_url, "--json")
    assert re_export.code == 0 and re_export.json["disbursement_ids"] == [] and re_export.json["total_fen"] == 0
    assert "此前已导出，不再列入：周杰 398.00 元（已支付）" in re_export.stderr
    assert not (tmp_path / "june-again.xlsx").exists()


def test_accounts__corrected_account_used_and_history_kept(
    run_cli: Any, make_xlsx: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    july = ids["july"]
    # First the enterprise's account as the clerk typed it, then a correction: the correction is used.
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(
        f"payee_id,account,bank\n{ENTERPRISE},3205 0188 0000 0000 0000,建设银行苏州分行\n", encoding="utf-8"
    )
    june_out = tmp_path / "june.xlsx"
    assert export(run_cli, ids["june"], june_out, ledger_url, "--accounts", wrong).code == 1  # institution missing
    _, _, rows, _ = upload(openpyxl.load_workbook(june_out), "企业")
    assert [(r[1], r[3]) for r in rows] == [("32050188000000000000", "建设银行苏州分行")]
    right = accounts_csv(tmp_path / "right.csv")
    result = export(run_cli, july, tmp_path / "july.xlsx", ledger_url, "--accounts", right, "--json")
    assert result.code == 0, result.stderr
    assert "1 个收款方的账号已更正" in result.stderr and result.json["changed_accounts"] == 1
    _, _, rows, _ = upload(openpyxl.load_workbook(tmp_path / "july.xlsx"), "企业")
    assert [(r[1], r[2], r[3], yuan(r[4])) for r in rows] == [
        ("32050188000001234567", ENTERPRISE_NAME, "建设银行苏州吴中支行", JULY_TOTAL)
    ]
    # The history is insert-only and dated: both accounts stay on record, oldest first.
    with Ledger.open(ledger_url).engine.connect() as conn:
        history = [
            (r.payee_id, r.account, r.source.split(":")[0])
            for r in conn.execute(select(s.accounts).order_by(s.accounts.c.account_id))
        ]
    assert history == [
        (ENTERPRISE, "32050188000000000000", "wrong.csv"),
        (ENTERPRISE, "32050188000001234567", "right.csv"),
        (INSTITUTION, "10550101040012345", "right.csv"),
    ]
    # Giving the same accounts again records nothing new.
    assert export(run_cli, july, tmp_path / "july2.xlsx", ledger_url, "--accounts", right).code == 0
    with Ledger.open(ledger_url).engine.connect() as conn:
        assert conn.execute(select(s.accounts)).fetchall().__len__() == 3
    # A bad row is named (file, row, column, masked value) and left out; the good row still counts.
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"payee_id,account,bank\n{ENTERPRISE},6222 ABC 0001,某行\n{INSTITUTION},1055 0101 0400 9999 9,农业银行吴中支行\n",
        encoding="utf-8",
    )
    june = export(run_cli, ids["june"], tmp_path / "june2.xlsx", ledger_url, "--accounts", bad)
    assert june.code == 0, june.stderr
    assert (
        "收款账户清单 bad.csv" in june.stderr
        and "第 2 行「account」值「6222AB*0001」：账号应为 8–32 位数字" in june.stderr
    )
    _, _, rows, _ = upload(openpyxl.load_workbook(tmp_path / "june2.xlsx"), "培训机构")
    assert [(r[1], r[3], yuan(r[4])) for r in rows] == [("10550101040099999", "农业银行吴中支行", yuan(1300))]


def test_export_bank__file_not_written_records_nothing(
    run_cli: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    # The output path is a folder: the rename fails inside the transaction, so nothing is recorded.
    out = tmp_path / "代发.xlsx"
    out.mkdir()
    result = export(run_cli, ids["june"], out, ledger_url, "--accounts", accounts_csv(tmp_path / "a.csv"))
    assert result.code == 2, result.stderr
    assert "台账未记录任何代发行" in result.stderr and "Traceback" not in result.stderr
    # The failure is one line (after the notes that this test's settings have no [payer] and that
    # the persons' 开户行 is blank).
    assert "没有开户行" in result.stderr.strip().splitlines()[1]
    assert result.stderr.strip().splitlines()[2:] == [
        f"无法写出 {out}（输出 {out} 已存在且不是普通文件，不会覆盖），台账未记录任何代发行"
    ]
    assert Ledger.open(ledger_url).disbursements().height == 0
    with Ledger.open(ledger_url).engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.accounts)).scalar() == 0
    assert out.is_dir() and not any(out.iterdir())
    # The same export to a proper path then records every line, once.
    good = export(run_cli, ids["june"], tmp_path / "ok.xlsx", ledger_url, "--accounts", tmp_path / "a.csv", "--json")
    assert good.code == 0 and len(good.json["disbursement_ids"]) == 7
    assert Decimal(good.json["total_fen"]) / 100 == JUNE_TOTAL


def test_export_bank__layout_from_bank_table_and_errors(
    run_cli: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bank whose template wants 户名 first, the amount as text, the ID number, and no payer block.
    config = tmp_path / "bank.toml"
    config.write_text(
        "[bank]\n"
        'name = "某农商行"\n'
        'amount_format = "text"\n'
        "payer_block = false\n"
        'columns = [["户名", "holder"], ["账号", "account"], ["金额(元)", "amount"], ["证件号码", "payee_id"],'
        ' ["序号", "seq"]]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SKILLCLI_CONFIG", str(config))
    out = tmp_path / "bank.xlsx"
    result = export(run_cli, ids["july"], out, ledger_url, "--accounts", accounts_csv(tmp_path / "a.csv"))
    assert result.code == 0, result.stderr
    sheet = openpyxl.load_workbook(out)["企业"]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows == [
        ("户名", "账号", "金额(元)", "证件号码", "序号"),
        (ENTERPRISE_NAME, "32050188000001234567", "1800.00", ENTERPRISE, 1),
        ("合计", "1 笔", "1800.00", None, None),
    ]
    assert sheet["C2"].data_type == "s"  # text, as the template wants
    # An unknown field, an unknown layout name: one line, exit 2, nothing recorded.
    config.write_text('[bank]\ncolumns = [["户名", "holder"], ["开户地", "branch"]]\n', encoding="utf-8")
    bad = export(run_cli, ids["june"], tmp_path / "x.xlsx", ledger_url)
    assert bad.code == 2 and "未知字段「branch」" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    config.write_text("", encoding="utf-8")
    unknown = export(run_cli, ids["june"], tmp_path / "x.xlsx", ledger_url, "--layout", "icbc")
    assert unknown.code == 2 and "找不到代发模板「icbc」" in unknown.stderr
    assert not (tmp_path / "x.xlsx").exists() and Ledger.open(ledger_url).disbursements().height == 1


def test_ledger__version_4_added_to_an_older_ledger_and_gaps_filled(run_cli: Any, ledger_url: str) -> None:
    assert run_cli("ledger", "init", "--ledger", ledger_url).code == 0
    store = Ledger.open(ledger_url)
    # A ledger written before version 4: its tables and its version row absent.
    with store.transaction() as conn:
        s.reissues.drop(conn)
        s.accounts.drop(conn)
        conn.execute(s.schema_version.delete().where(s.schema_version.c.version == 4))
    old = run_cli("ledger", "runs", "--ledger", ledger_url)
    assert old.code == 2 and "缺少迁移 4" in old.stderr  # version 5 came after it
    assert run_cli("ledger", "migrate", "--ledger", ledger_url).code == 0
    assert run_cli("ledger", "status", "--ledger", ledger_url, "--json").json["version"] == s.LATEST
    # Migrations are independent steps: a ledger with 4 but not 2 is refused, then given 2.
    with store.transaction() as conn:
        for table in (s.voucher_redemptions, s.vouchers, s.voucher_batches):
            table.drop(conn)
        conn.execute(s.schema_version.delete().where(s.schema_version.c.version == 2))
    gap = run_cli("ledger", "runs", "--ledger", ledger_url)
    assert gap.code == 2 and "缺少迁移 2" in gap.stderr
    assert run_cli("ledger", "migrate", "--ledger", ledger_url).code == 0
    assert Ledger.open(ledger_url).applied_versions() == {v for v, _, _ in s.MIGRATIONS}
    assert run_cli("ledger", "runs", "--ledger", ledger_url).code == 0


def test_export_bank__two_exports_at_once_record_each_payee_once(
    ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    from tests.support.processes import spawn, wait_for

    accounts = accounts_csv(tmp_path / "a.csv")
    payer = tmp_path / "payer.toml"
    payer.write_text(PAYER, encoding="utf-8")
    args = ["export-bank", ids["june"], "--ledger", ledger_url, "--accounts", accounts, "--json"]
    marker, release = tmp_path / "paused", tmp_path / "go"
    # The first export stops with its file written and its lines inserted, before its transaction commits.
    first = spawn(
        [*args, "--out", tmp_path / "a" / "june.xlsx"],
        {
            "SKILLCLI_FAULT_PAUSE": "outputs-commit",
            "SKILLCLI_FAULT_MARKER": str(marker),
            "SKILLCLI_FAULT_RELEASE": str(release),
            "SKILLCLI_CONFIG": str(payer),
        },
    )
    wait_for(marker)
    # The second has read the ledger (nothing exported yet, so it would send everyone) before it writes.
    second = spawn(
        [*args, "--out", tmp_path / "b" / "june.xlsx"],
        {
            "SKILLCLI_FAULT_PAUSE": "bank-record",
            "SKILLCLI_FAULT_MARKER": str(tmp_path / "read"),
            "SKILLCLI_FAULT_RELEASE": str(tmp_path / "write"),
            "SKILLCLI_CONFIG": str(payer),
        },
    )
    sqlite = not ledger_url.startswith("postgresql")
    if sqlite:
        # SQLite: every transaction, reads too, begins IMMEDIATE, so the second cannot even read
        # until the first commits; it then finds everyone exported and sends nobody.
        (tmp_path / "write").write_text("go", encoding="utf-8")
    else:
        wait_for(tmp_path / "read")
        (tmp_path / "write").write_text("go", encoding="utf-8")
    time.sleep(0.5)  # the second now waits: for the lock (SQLite) or on the unique index (PostgreSQL)
    release.write_text("go", encoding="utf-8")
    out_a, err_a = first.communicate(timeout=120)
    out_b, err_b = second.communicate(timeout=120)
    assert first.returncode == 0, err_a
    assert json.loads(out_a)["new_disbursements"] == 7
    if sqlite:
        assert second.returncode == 0, err_b
        assert json.loads(out_b)["new_disbursements"] == 0 and "没有可发送的新代发行" in err_b
    else:
        # PostgreSQL: it read before the first committed and tried to record all seven; it lost.
        assert second.returncode == 4, err_b
        # One line for the failure, after the note that the persons' 开户行 is blank.
        assert "另一进程已先登记" in err_b and len(err_b.strip().splitlines()) == 2
        assert "没有开户行" in err_b.strip().splitlines()[0]
    assert (tmp_path / "a" / "june.xlsx").exists() and not (tmp_path / "b" / "june.xlsx").exists()
    assert Ledger.open(ledger_url).disbursements().height == 7


def test_reissue__a_reissue_that_fails_is_reissued_once_more(
    run_cli: Any, make_xlsx: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    june = ids["june"]
    june_sent_and_refused(run_cli, make_xlsx, june, ledger_url, tmp_path)
    first = reissue_to_new_account(run_cli, june, ledger_url, tmp_path)
    # The bank refuses the reissue too (the account is frozen, then released).
    refused = make_xlsx(
        {
            "回盘": [
                ["收款人", "卡号", "金额", "状态", "失败原因"],
                ["周杰", ZHOU_NEW_ACCOUNT, "398.00", "失败", "账户冻结"],
            ]
        },
        name="补发回盘.xlsx",
    )
    assert run_cli("reconcile", refused, "--ledger", ledger_url, "--out", tmp_path / "rec2").code == 1
    report = run_cli("report", "month", "2021-06", "--ledger", ledger_url, "--json").json["totals"]
    assert (report["failed_count"], report["failed_fen"], report["exported_count"]) == (1, 39800, 7)
    # The refused account is not used again by default; with --same-account it is, in a third batch.
    held = run_cli("reissue", june, "--out", tmp_path / "r2.xlsx", "--ledger", ledger_url)
    assert held.code == 1 and "无可用账号，未列入补发：周杰" in held.stderr
    second = run_cli("reissue", june, "--out", tmp_path / "r3.xlsx", "--ledger", ledger_url, "--same-account", "--json")
    assert second.code == 0, second.stderr
    assert second.json["batch_id"] not in (june, first.json["batch_id"]) and second.json["total_fen"] == 39800
    _, _, rows, _ = upload(openpyxl.load_workbook(tmp_path / "r3.xlsx"), "个人")
    assert [(r[1], r[2], yuan(r[4])) for r in rows] == [(ZHOU_NEW_ACCOUNT, "周杰", yuan(398))]
    # Sent again and not yet answered: no longer failed, still exported once, not paid.
    report = run_cli("report", "month", "2021-06", "--ledger", ledger_url, "--json").json["totals"]
    assert (report["failed_count"], report["exported_count"], report["exported_fen"]) == (0, 7, fen(JUNE_TOTAL))
    assert report["paid_fen"] == fen(yuan(1950 + 4500 + 3500 + 600))  # 郑涛's short payment counts as paid
    # The person's statement: one line, sent three times, awaiting the bank; nothing paid yet.
    statement = run_cli("statement", pid(4), "--out", tmp_path / "st.xlsx", "--ledger", ledger_url, "--json")
    assert statement.code == 0, statement.stderr
    assert (statement.json["entitled_fen"], statement.json["paid_fen"], statement.json["awaiting_fen"]) == (
        39800,
        0,
        39800,
    )
    sent = list(openpyxl.load_workbook(tmp_path / "st.xlsx")["代发"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[4], r[5]) for r in sent] == [(june, ZHOU_NEW_ACCOUNT, 3, "已导出，银行尚未回盘")]
    assert run_cli("reissue", june, "--out", tmp_path / "r4.xlsx", "--ledger", ledger_url).code == 2
    # The bank pays it. Same account, same amount as the refused lines: the return answers the latest one.
    paid = make_xlsx(
        {"回盘": [["收款人", "卡号", "金额", "状态"], ["周杰", ZHOU_NEW_ACCOUNT, "398.00", "成功"]]},
        name="第三次回盘.xlsx",
    )
    rec = run_cli("reconcile", paid, "--ledger", ledger_url, "--out", tmp_path / "rec3", "--json")
    assert rec.code == 0, rec.stderr
    assert rec.json["runs"] == [second.json["batch_id"]]
    report = run_cli("report", "month", "2021-06", "--ledger", ledger_url, "--json").json["totals"]
    assert (report["failed_count"], report["paid_count"]) == (0, 4)
    assert report["paid_fen"] == fen(yuan(1950 + 4500 + 3500 + 398 + 600))


@pytest.mark.parametrize("names_batch", [False, True], ids=["bank-batch-number", "skillcli-batch-number"])
def test_reconcile__old_return_read_again_after_a_reissue_adds_nothing(
    run_cli: Any, make_xlsx: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path, names_batch: bool
) -> None:
    # An independent reader's sequence: export → return with a failure → reconcile → reissue →
    # reconcile the same old return again. The old 失败 line answers 周杰's June line, never the
    # reissue line sent after it (which the bank has not answered): reading it again adds nothing,
    # the statement keeps the reissue awaiting the bank, and nothing can be reissued a second time.
    june = ids["june"]
    sent = export(run_cli, june, tmp_path / "june.xlsx", ledger_url, "--accounts", accounts_csv(tmp_path / "a.csv"))
    assert sent.code == 0, sent.stderr
    old_return = june_return(make_xlsx)
    if names_batch:
        # The bank copied skillcli's 批次号 into its heading (as the reader's bank did).
        book = openpyxl.load_workbook(old_return)
        book.active["A2"] = f"批次号：{june}"
        book.save(old_return)
    first = run_cli("reconcile", old_return, "--ledger", ledger_url, "--out", tmp_path / "rec1", "--json")
    assert first.code == 1, first.stderr
    assert first.json["counts"]["failed"] == 1 and first.json["events_added"] == 6
    [reissue_line] = reissue_to_new_account(run_cli, june, ledger_url, tmp_path).json["disbursement_ids"]

    again = run_cli("reconcile", old_return, "--ledger", ledger_url, "--out", tmp_path / "rec2", "--json")
    assert again.code == 1, again.stderr
    assert again.json["events_added"] == 0 and "台账新增银行事件 0 条" in again.stdout + again.stderr
    assert again.json["runs"] == [june]
    [failed] = [i for i in again.json["items"] if i["class"] == "failed"]
    # Still the June line, with the account the bank refused, not the reissue's corrected one.
    assert failed["run_id"] == june and failed["disb_id"] != reissue_line and failed["reason"] == "户名不符"
    assert failed["account"].endswith(account(4)[-4:])
    assert all(i["disb_id"] != reissue_line for i in again.json["items"])
    # Another copy of the same return (printed again: other bytes, so another file to the ledger) is
    # no answer for the reissue either: its 周杰 line carries the refused account, not the new one.
    copy = make_xlsx({"回盘明细": [[cell.value for cell in row] for row in openpyxl.load_workbook(old_return).active.rows]
                      + [["打印日期：2021-07-01"]]}, name="回盘_重印.xlsx")  # fmt: skip
    reprint = run_cli("reconcile", copy, "--ledger", ledger_url, "--out", tmp_path / "rec-copy", "--json")
    assert reprint.code == 1, reprint.stderr
    assert all(i["disb_id"] != reissue_line for i in reprint.json["items"])
    with Ledger.open(ledger_url).engine.connect() as conn:
        on_reissue = conn.execute(select(func.count()).select_from(s.events).where(s.events.c.disb_id == reissue_line))
        assert on_reissue.scalar() == 0

    statement = run_cli("statement", pid(4), "--out", tmp_path / "st.xlsx", "--ledger", ledger_url, "--json")
    assert statement.code == 0, statement.stderr
    balance = statement.json
    assert (balance["failed_fen"], balance["awaiting_fen"], balance["paid_fen"]) == (0, 39800, 0)
    second = run_cli("reissue", june, "--out", tmp_path / "r2.xlsx", "--ledger", ledger_url)
    assert second.code == 2 and "没有待补发" in second.stderr
    assert not (tmp_path / "r2.xlsx").exists()

    # The bank's return for the reissue file still answers the reissue line.
    paid = make_xlsx(
        {"回盘": [["收款人", "卡号", "金额", "状态"], ["周杰", ZHOU_NEW_ACCOUNT, "398.00", "成功"]]},
        name="补发回盘.xlsx",
    )
    rec = run_cli("reconcile", paid, "--ledger", ledger_url, "--out", tmp_path / "rec3", "--json")
    assert rec.code == 0, rec.stderr
    assert [(i["class"], i["disb_id"]) for i in rec.json["items"]] == [("paid", reissue_line)]
