"""The money cycle an office can trust, through the CLI on SQLite and PostgreSQL (issue 12).

June (ten lines, seven bank lines, 13,098.00 元) and July (the enterprise's 1,800.00 元) from
tests/support/cycle.py; the bank's returns are written here as banks write them (title lines with
总笔数/总金额, sign-off footers). Every expected figure is worked out by hand from those amounts.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import update

from skillcli.ledger import schema as s
from skillcli.ledger.store import Ledger
from tests.support.amounts import fen
from tests.support.cycle import (
    ADVANCE_TOTAL,
    ENTERPRISE_ACCOUNT,
    ENTERPRISE_NAME,
    INSTITUTION_ACCOUNT,
    INSTITUTION_NAME,
    JULY_TOTAL,
    JUNE_TOTAL,
    account,
    accounts_csv,
    cycle,
    pid,
    yuan,
)

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["序号", "收款人", "卡号", "交易金额（元）", "交易结果", "失败原因"]
# June's seven bank lines as the bank answers them: 周杰 refused, 郑涛 paid 600.00 of his 650.00.
JUNE_ANSWER: list[list[Any]] = [
    ["张伟", account(1), "1950.00", "交易成功", None],
    ["周杰", account(4), "398.00", "失败", "户名不符"],
    ["郑涛", account(6), "600.00", "成功", None],
    ["冯刚", account(7), "4,500.00", "成功", None],
    [ENTERPRISE_NAME, ENTERPRISE_ACCOUNT, "3500", "成功", None],
    [INSTITUTION_NAME, INSTITUTION_ACCOUNT, "1300", "成功", None],
    ["吴敏", account(10), "800", "成功", None],
]
JUNE_ANSWER_TOTAL = yuan(1950 + 398 + 600 + 4500 + 3500 + 1300 + 800)  # 13,048.00
JUNE_PAID = JUNE_ANSWER_TOTAL - yuan(398)  # 12,650.00: the bank's amounts of the lines it paid
JUNE_ALL_PAID = [
    [*line[:2], amount, "成功", None]
    for line, amount in zip(JUNE_ANSWER, ["1950", "398", "650", "4500", "3500", "1300", "800"], strict=True)
]


def bank_return(
    make_xlsx: Any,
    name: str,
    lines: list[list[Any]],
    *,
    count: int | None = None,
    total: str | None = None,
    batch: str | None = None,
    title: str = "中国农业银行批量代发回盘明细",
) -> Path:
    """A return as a bank writes it: a title, the bank's 总笔数/总金额 line, the detail, sign-off footers."""
    header = HEADER if batch is None else [*HEADER, "批次号"]
    stated = []
    if count is not None:
        stated.append(f"总笔数：{count}")
    if total is not None:
        stated.append(f"总金额：{total}")
    rows: list[list[Any]] = [[title], ["  ".join(stated)] if stated else ["交易日期：2021-06-28"], header]
    for i, line in enumerate(lines, start=1):
        rows.append([i, *line] + ([batch] if batch else []))
    rows.append(["经办：李会计", None, "复核：王芳", None, "授权：赵刚"])
    rows.append(["制表：吴中支行营业部"])
    return make_xlsx({"回盘明细": rows}, name=name)


def export(run_cli: Any, run_id: str, tmp_path: Path, ledger: str) -> None:
    result = run_cli(
        "export-bank",
        run_id,
        "--out",
        tmp_path / f"代发-{run_id}.xlsx",
        "--ledger",
        ledger,
        "--accounts",
        accounts_csv(tmp_path / "accounts.csv"),
    )
    assert result.code == 0, result.stderr


def report(run_cli: Any, ledger: str, kind: str, period: str, *extra: object) -> dict[str, Any]:
    result = run_cli("report", kind, period, "--ledger", ledger, "--json", *extra)
    assert result.code == 0, result.stderr
    payload: dict[str, Any] = result.json
    return payload


def event_count(ledger: str) -> int:
    return Ledger.open(ledger).events().height


@pytest.fixture
def ids(run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str) -> dict[str, str]:
    found = cycle(run_cli, make_xlsx, tmp_path, ledger_url)
    export(run_cli, found["june"], tmp_path, ledger_url)
    return found


def test_cycle__a_voided_runs_return_changes_no_other_run(
    run_cli: Any, make_xlsx: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    # June all paid by the bank: 13,098.00 confirmed.
    june = bank_return(make_xlsx, "june.xlsx", JUNE_ALL_PAID, count=7, total="13,098.00")
    paid = run_cli("reconcile", june, "--ledger", ledger_url, "--out", tmp_path / "rec-june")
    assert paid.code == 0, paid.stderr
    assert report(run_cli, ledger_url, "month", "2021-06")["totals"]["paid_fen"] == fen(JUNE_TOTAL) == 1309800

    # July's 1,800.00 goes to the bank and is paid; then the run turns out wrong.
    export(run_cli, ids["july"], tmp_path, ledger_url)
    july_answer = [[ENTERPRISE_NAME, ENTERPRISE_ACCOUNT, "1,800.00", "成功", None]]
    july = bank_return(make_xlsx, "july.xlsx", july_answer, count=1, total="1800")
    assert run_cli("reconcile", july, "--ledger", ledger_url, "--out", tmp_path / "rec-july").code == 0
    refused = run_cli("ledger", "void", ids["july"], "--reason", "重复申报", "--ledger", ledger_url)
    assert refused.code == 2 and "--force" in refused.stderr
    assert "已导出代发 1 笔 1,800.00 元，银行已确认支付 1 笔 1,800.00 元" in refused.stderr
    assert not next(r for r in Ledger.open(ledger_url).runs() if r["run_id"] == ids["july"])["voided"]
    forced = run_cli("ledger", "void", ids["july"], "--reason", "重复申报", "--force", "--ledger", ledger_url)
    assert forced.code == 0, forced.stderr
    assert "银行已确认支付 1 笔 1,800.00 元" in forced.stderr and "已付待追回" in forced.stderr
    july_report = report(run_cli, ledger_url, "month", "2021-07")
    assert july_report["totals"]["committed_fen"] == 0 and july_report["totals"]["paid_fen"] == 0
    assert (july_report["totals"]["to_recover_count"], july_report["totals"]["to_recover_fen"]) == (2, 180000)

    # The bank sends July's return again (another file): it is for nothing live. By account it would
    # have matched June's enterprise line (3,500.00, already confirmed); it must stay not-in-ledger.
    before = event_count(ledger_url)
    again = bank_return(make_xlsx, "july-again.xlsx", july_answer, title="回盘明细（补发送）")
    result = run_cli("reconcile", again, "--ledger", ledger_url, "--out", tmp_path / "rec-again", "--json")
    assert result.code == 1, result.stderr
    assert result.json["counts"]["not-in-ledger"] == 1 and result.json["counts"]["paid"] == 0
    assert result.json["runs"] == [] and event_count(ledger_url) == before
    june_after = report(run_cli, ledger_url, "month", "2021-06")["totals"]
    assert (june_after["paid_fen"], june_after["outstanding_fen"], june_after["mismatch_count"]) == (1309800, 0, 0)

    # Naming the voided run (--run, or in the return's 批次号) gets its own message and writes nothing.
    named = run_cli("reconcile", july, "--ledger", ledger_url, "--out", tmp_path / "x", "--run", ids["july"])
    assert named.code == 2 and "已作废" in named.stderr and "代发文件" not in named.stderr
    tagged = bank_return(make_xlsx, "july-tagged.xlsx", july_answer, batch=ids["july"])
    by_batch = run_cli("reconcile", tagged, "--ledger", ledger_url, "--out", tmp_path / "y")
    assert by_batch.code == 2 and "已作废" in by_batch.stderr
    assert event_count(ledger_url) == before and not (tmp_path / "x").exists()


def test_cycle__dry_run_stated_totals_short_payment_and_undo(
    run_cli: Any, make_xlsx: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    returned = bank_return(make_xlsx, "回盘.xlsx", JUNE_ANSWER, count=7, total="13,048.00")

    # --dry-run: the classes, and nothing written (the footers 经办：/复核：/授权：/制表： are not lines).
    dry = run_cli("reconcile", returned, "--ledger", ledger_url, "--dry-run", "--json")
    assert dry.code == 1, dry.stderr
    assert dry.json["dry_run"] is True
    assert {k: v for k, v in dry.json["counts"].items() if v} == {"paid": 5, "failed": 1, "amount-mismatch": 1}
    assert dry.json["totals_fen"]["return_fen"] == fen(JUNE_ANSWER_TOTAL) == 1304800
    assert event_count(ledger_url) == 0 and "试算" in dry.stderr

    # The bank's stated 总笔数 / 总金额 must equal its lines: otherwise nothing is reconciled.
    for count, total, words in ((8, "13,048.00", "总笔数 8，明细为 7 笔"), (7, "13,098.00", "总金额 13,098.00")):
        wrong = bank_return(make_xlsx, f"wrong-{count}.xlsx", JUNE_ANSWER, count=count, total=total)
        refused = run_cli("reconcile", wrong, "--ledger", ledger_url, "--out", tmp_path / "no")
        assert refused.code == 2 and words in refused.stderr and "第 2 行" in refused.stderr, refused.stderr
    summed = make_xlsx(
        {"回盘": [HEADER, *([i, *line] for i, line in enumerate(JUNE_ANSWER, 1)), ["合计", None, None, "13,000.00"]]},
        name="summed.xlsx",
    )
    refused = run_cli("reconcile", summed, "--ledger", ledger_url, "--out", tmp_path / "no")
    assert refused.code == 2 and "第 9 行写明总金额 13,000.00" in refused.stderr, refused.stderr
    assert event_count(ledger_url) == 0 and not (tmp_path / "no").exists()

    # Reconciled: a short payment counts with the bank's amount. Paid 12,650.00 = 13,048.00 − 398.00;
    # outstanding 448.00 = 13,098.00 − 12,650.00 (周杰's 398.00 failed, 郑涛's 50.00 short).
    done = run_cli("reconcile", returned, "--ledger", ledger_url, "--out", tmp_path / "rec", "--json")
    assert done.code == 1 and done.json["events_added"] == 7
    batch = done.json["sha256"][:10]
    assert f"skillcli reconcile undo {batch}" in done.stderr
    totals = report(run_cli, ledger_url, "month", "2021-06")["totals"]
    expected = (fen(JUNE_PAID), 39800, 5000, fen(JUNE_TOTAL - JUNE_PAID))
    assert (totals["paid_fen"], totals["failed_fen"], totals["short_fen"], totals["outstanding_fen"]) == expected
    assert expected == (1265000, 39800, 5000, 44800)

    # Undo: compensating events, nothing deleted; the figures go back to "nothing confirmed".
    undone = run_cli("reconcile", "undo", batch, "--ledger", ledger_url, "--json")
    assert undone.code == 0, undone.stderr
    assert undone.json == {"batch": done.json["sha256"], "events_undone": 7}
    assert event_count(ledger_url) == 14
    totals = report(run_cli, ledger_url, "month", "2021-06")["totals"]
    assert (totals["paid_fen"], totals["failed_fen"], totals["outstanding_fen"]) == (0, 0, 1309800)
    assert run_cli("reconcile", "undo", batch, "--ledger", ledger_url).code == 2  # nothing left to undo
    assert run_cli("reconcile", "undo", "0123456789ab", "--ledger", ledger_url).code == 2

    # The same file again is reconciled afresh, as if the first time had not happened.
    redo = run_cli("reconcile", returned, "--ledger", ledger_url, "--out", tmp_path / "rec2", "--json")
    assert redo.code == 1 and redo.json["events_added"] == 7
    assert report(run_cli, ledger_url, "month", "2021-06")["totals"]["paid_fen"] == 1265000

    # Another file that says 周杰 was paid after all is not the bank's answer for his failed line: a
    # failed line is paid again only through a new bank line, so it stays failed.
    late = bank_return(make_xlsx, "late.xlsx", [["周杰", account(4), "398.00", "成功", None]], count=1)
    after = run_cli("reconcile", late, "--ledger", ledger_url, "--out", tmp_path / "rec3", "--json")
    assert after.code == 1 and after.json["counts"]["not-in-ledger"] == 1 and after.json["events_added"] == 0
    assert report(run_cli, ledger_url, "month", "2021-06")["totals"]["failed_fen"] == 39800


def test_cycle__reports_quarter_as_of_targets_and_finance(
    run_cli: Any, make_xlsx: Any, ledger_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = cycle(run_cli, make_xlsx, tmp_path, ledger_url, advance=True)
    export(run_cli, found["june"], tmp_path, ledger_url)
    returned = bank_return(make_xlsx, "回盘.xlsx", JUNE_ANSWER, count=7, total="13,048.00")
    assert run_cli("reconcile", returned, "--ledger", ledger_url, "--out", tmp_path / "rec").code == 1
    # History, as the office lived it: June committed on 1 July, exported on 2 July, the bank's answer
    # recorded on 20 July; July's runs committed on 1 August. (Only the test rewrites timestamps.)
    store = Ledger.open(ledger_url)
    with store.engine.begin() as conn:
        conn.execute(update(s.runs).where(s.runs.c.period == "2021-06").values(created_at="2021-07-01T02:00:00+00:00"))
        conn.execute(update(s.runs).where(s.runs.c.period == "2021-07").values(created_at="2021-08-01T02:00:00+00:00"))
        conn.execute(update(s.disbursements).values(exported_at="2021-07-02T02:00:00+00:00"))
        conn.execute(update(s.events).values(at="2021-07-20T02:00:00+00:00"))

    office = tmp_path / "office"
    office.mkdir()
    (office / "skillcli-targets.toml").write_text(
        "[2021]\nperson_times = 20\n[2021.Q2]\nperson_times = 8\n[2021.06]\nperson_times = 10\nfunds = 13098\n"
        "[2021.Q3]\ntrained = 4\n",
        encoding="utf-8",
    )
    (office / "skillcli.toml").write_text(
        '[funding]\nA8 = "失业保险基金（职业技能提升行动专账）"\nA12 = "失业保险基金（职业技能提升行动专账）"\n'
        'A6 = "就业补助资金"\nA16 = "就业补助资金"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(office)

    # Quarter 2: June only; its targets are the year's (to June), the quarter's and June's.
    q2 = report(run_cli, ledger_url, "quarter", "2021Q2")
    assert q2["period"] == "2021Q2" and q2["runs"] == [found["june"]]
    assert (q2["totals"]["committed_fen"], q2["totals"]["person_times"], q2["totals"]["trained"]) == (1309800, 10, 8)
    assert [(t["period"], t["measure"], t["actual"], t["target"], t["percent"]) for t in q2["targets"]] == [
        ("2021", "person_times", 10, 20, "50.00"),
        ("2021Q2", "person_times", 10, 8, "125.00"),
        ("2021-06", "person_times", 10, 10, "100.00"),
        ("2021-06", "funds", 1309800, 1309800, "100.00"),
    ]
    # Quarter 3: July's two enterprise lines and the advance: 3 persons, 3 trainings; 13 of 20 in the year.
    q3 = report(run_cli, ledger_url, "quarter", "2021Q3")
    assert q3["totals"]["committed_fen"] == fen(JULY_TOTAL + ADVANCE_TOTAL) == 280000
    assert [(t["period"], t["measure"], t["actual"], t["percent"]) for t in q3["targets"]] == [
        ("2021", "person_times", 13, "65.00"),
        ("2021Q3", "trained", 3, "75.00"),
    ]
    # 合计 rows: persons are counted once over all lines, never summed over the rows.
    assert q2["breakdown_totals"]["by_subsidy"] == {
        "rule": "合计",
        "subsidy": None,
        "persons": 8,
        "person_times": 10,
        "lines": 10,
        "fen": 1309800,
    }
    levels = q2["breakdown_totals"]["by_level"]
    assert sum(r["persons"] for r in q2["by_level"]) == 10 and levels["persons"] == 8  # 冯刚 has three levels

    # --as-of: only what the ledger knew at the end of that day.
    before_bank = report(run_cli, ledger_url, "month", "2021-06", "--as-of", "2021-07-10")["totals"]
    assert (before_bank["committed_fen"], before_bank["exported_fen"], before_bank["paid_fen"]) == (1309800, 1309800, 0)
    assert before_bank["outstanding_fen"] == 1309800
    after_bank = report(run_cli, ledger_url, "month", "2021-06", "--as-of", "2021-07-25")["totals"]
    assert (after_bank["paid_fen"], after_bank["failed_fen"]) == (1265000, 39800)
    year = report(run_cli, ledger_url, "year", "2021", "--as-of", "2021-07-25")
    assert year["runs"] == [found["june"]] and year["totals"]["committed_fen"] == 1309800
    assert report(run_cli, ledger_url, "year", "2021", "--as-of", "2021-06-30")["runs"] == []
    # A void recorded today does not change what was known in August.
    assert run_cli("ledger", "void", found["july"], "--reason", "重复申报", "--ledger", ledger_url).code == 0
    assert report(run_cli, ledger_url, "month", "2021-07", "--as-of", "2021-08-15")["totals"]["committed_fen"] == 280000
    assert report(run_cli, ledger_url, "month", "2021-07")["totals"]["committed_fen"] == fen(ADVANCE_TOTAL)

    # The finance bureau's one sheet: by funding source and subsidy, figures by hand from JUNE_ANSWER.
    sheet = tmp_path / "财政局.xlsx"
    written = run_cli("report", "month", "2021-06", "--ledger", ledger_url, "--finance", sheet)
    assert written.code == 0, written.stderr
    book = openpyxl.load_workbook(sheet)
    assert book.sheetnames == ["财政局汇总"]
    rows = list(book["财政局汇总"].iter_rows(min_row=3, values_only=True))
    money = [(r[0], r[1], r[2], *(yuan(str(v)) for v in r[3:])) for r in rows]
    unemployment = "失业保险基金（职业技能提升行动专账）"
    assert money == [
        (unemployment, "A8 技能提升补贴", 6, yuan(9750), yuan(9750), yuan(0), yuan(0), yuan(0)),
        (unemployment, "A12 特种作业及特种设备作业人员取证补贴", 2, yuan(1450), yuan(1400), yuan(0), yuan(50), yuan(0)),
        ("就业补助资金", "A6 以工代训补贴", 1, yuan(1500), yuan(1500), yuan(0), yuan(0), yuan(0)),
        ("就业补助资金", "A16 培训期间生活费补贴", 1, yuan(398), yuan(0), yuan(398), yuan(398), yuan(0)),
        ("合计", None, 10, JUNE_TOTAL, JUNE_PAID, yuan(398), JUNE_TOTAL - JUNE_PAID, yuan(0)),
    ]
    # July's voided lines the bank never paid are not to recover; A5 has no funding source named.
    july = report(run_cli, ledger_url, "month", "2021-07")
    assert july["totals"]["to_recover_fen"] == 0
    assert {r["funding"] for r in july["finance"]} == {"失业保险基金（职业技能提升行动专账）"}  # the advance (A8)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[2022]\ntrained = 5\n", "没有 2021 年的目标"),
        ("[2021]\ntrained = 5\n[2021.Q5]\ntrained = 1\n", "季度 Q1–Q4 或月份 01–12"),
        ("[2021]\ntrained = 'many'\n", "trained 的值「many」无效"),
        ("[2021\ntrained = 5\n", "格式错误"),
    ],
)
def test_cycle__a_targets_file_that_does_not_fit_is_an_error(
    run_cli: Any, ledger_url: str, tmp_path: Path, text: str, words: str
) -> None:
    targets = tmp_path / "targets.toml"
    targets.write_text(text, encoding="utf-8")
    result = run_cli("report", "quarter", "2021Q2", "--ledger", ledger_url, "--targets", targets)
    assert result.code == 2 and words in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_report_json__every_documented_key_is_there(
    run_cli: Any, make_xlsx: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    returned = bank_return(make_xlsx, "回盘.xlsx", JUNE_ANSWER, count=7, total="13,048.00")
    assert run_cli("reconcile", returned, "--ledger", ledger_url, "--out", tmp_path / "rec").code == 1
    targets = tmp_path / "targets.toml"
    targets.write_text("[2021]\ntrained = 10\n", encoding="utf-8")
    payload = report(run_cli, ledger_url, "month", "2021-06", "--targets", targets)
    docs = (ROOT / "docs" / "bank-and-reports.md").read_text(encoding="utf-8")
    section = docs.split("## `report --json`", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z_.\[\]]+)` \|", section, flags=re.M)
    assert len(documented) > 60  # the table is there, not an empty section
    for key in documented:
        value: Any = payload
        for part in key.split("."):
            if part.endswith("[]"):
                value = value[part[:-2]]
                assert isinstance(value, list) and value, key
                value = value[0]
            else:
                assert isinstance(value, dict) and part in value, f"documented key {key} missing"
                value = value[part]
    json.dumps(payload)
    assert Decimal(payload["totals"]["paid_fen"]) / 100 == JUNE_PAID


def test_ledger__a_v2_ledger_migrates_to_v3_and_keeps_its_events(
    run_cli: Any, make_xlsx: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    returned = bank_return(make_xlsx, "回盘.xlsx", JUNE_ANSWER, count=7, total="13,048.00")
    done = run_cli("reconcile", returned, "--ledger", ledger_url, "--out", tmp_path / "rec", "--json")
    assert done.code == 1
    # Take the ledger back to version 2 as an office running the previous release has it.
    store = Ledger.open(ledger_url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ux_events_reverses")
        if store.sqlite:  # SQLite cannot drop a column named in a foreign key: the table is rebuilt as v1 made it
            conn.exec_driver_sql(
                "CREATE TABLE events_v2 (event_id INTEGER PRIMARY KEY, at VARCHAR(40) NOT NULL, kind VARCHAR(30)"
                " NOT NULL, disb_id INTEGER REFERENCES disbursements(disb_id), batch VARCHAR(80), amount_fen BIGINT,"
                " detail TEXT)"
            )
            conn.exec_driver_sql(
                "INSERT INTO events_v2 SELECT event_id, at, kind, disb_id, batch, amount_fen, detail FROM events"
            )
            conn.exec_driver_sql("DROP TABLE events")
            conn.exec_driver_sql("ALTER TABLE events_v2 RENAME TO events")
        else:
            conn.exec_driver_sql("ALTER TABLE events DROP COLUMN reverses_event_id")
        conn.execute(s.schema_version.delete().where(s.schema_version.c.version == 3))
    old = run_cli("reconcile", "undo", done.json["sha256"][:10], "--ledger", ledger_url)
    assert old.code == 2 and "ledger migrate" in old.stderr
    migrated = run_cli("ledger", "migrate", "--ledger", ledger_url)
    assert migrated.code == 0 and "v3" in migrated.stdout, migrated.stderr
    assert event_count(ledger_url) == 7
    undone = run_cli("reconcile", "undo", done.json["sha256"][:10], "--ledger", ledger_url, "--json")
    assert undone.code == 0 and undone.json["events_undone"] == 7
    assert report(run_cli, ledger_url, "month", "2021-06")["totals"]["paid_fen"] == 0


def test_cycle__reissue_then_report_as_of_each_day_then_void(
    run_cli: Any, make_xlsx: Any, ids: dict[str, str], ledger_url: str, tmp_path: Path
) -> None:
    june = ids["june"]
    returned = bank_return(make_xlsx, "回盘.xlsx", JUNE_ANSWER, count=7, total="13,048.00")
    assert run_cli("reconcile", returned, "--ledger", ledger_url, "--out", tmp_path / "rec").code == 1
    corrected = make_xlsx(
        {"账户": [["身份证号码", "银行账号", "开户行"], [pid(4), "6222000000000404", "工商银行苏州吴中支行"]]},
        name="更正账号.xlsx",
    )
    sent = run_cli(
        "reissue", june, "--out", tmp_path / "补发.xlsx", "--ledger", ledger_url, "--accounts", corrected, "--json"
    )
    assert sent.code == 0, sent.stderr
    answer = [["周杰", "6222000000000404", "398.00", "成功", None]]
    paid = bank_return(make_xlsx, "补发回盘.xlsx", answer, count=1, total="398.00", batch=sent.json["batch_id"])
    assert run_cli("reconcile", paid, "--ledger", ledger_url, "--out", tmp_path / "rec2").code == 0
    # 周杰's line counts once, paid: failed 0; only 郑涛's 50.00 short is still owed.
    totals = report(run_cli, ledger_url, "month", "2021-06")["totals"]
    assert (totals["paid_fen"], totals["failed_count"], totals["failed_fen"]) == (1265000 + 39800, 0, 0)
    assert totals["outstanding_fen"] == 5000

    # The days as they were: June's return on 20 July, the reissue sent on 22 July, paid on 28 July.
    store = Ledger.open(ledger_url)
    reissue_batch = hashlib.sha256(paid.read_bytes()).hexdigest()
    with store.engine.begin() as conn:
        conn.execute(update(s.runs).values(created_at="2021-07-01T02:00:00+00:00"))
        conn.execute(update(s.disbursements).values(exported_at="2021-07-02T02:00:00+00:00"))
        conn.execute(
            update(s.disbursements)
            .where(s.disbursements.c.run_id == sent.json["batch_id"])
            .values(exported_at="2021-07-22T02:00:00+00:00")
        )
        conn.execute(update(s.events).values(at="2021-07-20T02:00:00+00:00"))
        conn.execute(update(s.events).where(s.events.c.batch == reissue_batch).values(at="2021-07-28T02:00:00+00:00"))
    days = {
        "2021-07-21": (1265000, 39800, 44800),  # refused, not yet sent again
        "2021-07-25": (1265000, 0, 44800),  # sent again, no answer yet: not failed, not paid
        "2021-07-30": (1304800, 0, 5000),  # paid through the reissue
    }
    for day, expected in days.items():
        seen = report(run_cli, ledger_url, "month", "2021-06", "--as-of", day)["totals"]
        assert (seen["paid_fen"], seen["failed_fen"], seen["outstanding_fen"]) == expected, day

    # Voiding June now needs --force: the bank paid 13,048.00 of it (its amounts, the reissue included).
    refused = run_cli("ledger", "void", june, "--reason", "审计发现重复申报", "--ledger", ledger_url)
    assert refused.code == 2 and "已导出代发 7 笔 13,098.00 元，银行已确认支付 7 笔 13,048.00 元" in refused.stderr
    assert run_cli("ledger", "void", june, "--reason", "审计发现重复申报", "--force", "--ledger", ledger_url).code == 0
    after = report(run_cli, ledger_url, "month", "2021-06")["totals"]
    assert (after["committed_fen"], after["to_recover_count"], after["to_recover_fen"]) == (0, 10, 1304800)
