"""skillcli as a library (issue 14 item 1): the README's "Library use" example run as written on the
sample batch, and every api result's frames against the schemas their modules declare.

Only ``skillcli`` / ``skillcli.api`` is called, the payout included. The bank's return is written
here the way a bank answers a file it paid in full: every line of the bank file 成功.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

import skillcli
from skillcli import api
from skillcli.api import cycle, reports, vouchers, whatif
from skillcli.errors import UsageError
from tests.support.ids import valid_id
from tests.support.workbooks import write_xlsx

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "district_batch.xlsx"


def readme_example() -> tuple[str, str]:
    """The Python block of README.md's "Library use", split where the bank's return comes back."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Library use", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    before, after = re.split(r"^# \.\.\. the bank pays.*$", code.group(1), maxsplit=1, flags=re.M)
    return before, after


def same_schema(frame: pl.DataFrame, declared: Mapping[str, Any]) -> bool:
    return frame.schema == pl.Schema(declared)


def bank_answer(path: Path, sent: pl.DataFrame) -> Path:
    """The bank's return for a file it paid in full: its own header, yuan as text, 成功 on every line."""
    rows: list[list[Any]] = [["序号", "收款人", "卡号", "交易金额（元）", "交易结果"]]
    for i, r in enumerate(sent.iter_rows(named=True), start=1):
        rows.append([i, r["holder"], r["account"], f"{r['amount_fen'] // 100}.{r['amount_fen'] % 100:02d}", "成功"])
    return write_xlsx(path, {"回盘明细": rows})


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with the sample batch in sample_data/ and a new, empty ledger.sqlite."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sample_data").mkdir()
    (tmp_path / "sample_data" / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    made = api.ledger_init(ledger="ledger.sqlite")
    assert made.applied and made.config is None  # created and migrated; no settings file without a path
    return tmp_path


@pytest.fixture
def month(office: Path) -> tuple[str, int]:
    """The sample batch's June 2021 committed to the new ledger.sqlite in the working folder."""
    paid = api.payout([SAMPLE], "suzhou-2019", "2021-06", ledger="ledger.sqlite", commit=True, out=Path("out/payout"))
    (run,) = skillcli.ledger_runs("ledger.sqlite")
    assert paid.run_id == run["run_id"] and paid.total_fen == int(run["total_fen"])
    return run["run_id"], int(run["total_fen"])


def test_library_use__the_readme_example_drives_export_reconcile_report(office: Path, tmp_path: Path) -> None:
    before, after = readme_example()
    names: dict[str, Any] = {}
    exec(compile(before, "README.md", "exec"), names)
    (run,) = skillcli.ledger_runs("ledger.sqlite")
    run_id, run_total = run["run_id"], int(run["total_fen"])
    paid = names["paid"]
    assert names["run_id"] == run_id and paid.total_fen == run_total and paid.lines.height == run["line_count"]
    assert paid.counts["paid"] > 0 and (tmp_path / "out" / "payout" / "payouts.xlsx").exists()
    sent = names["sent"]
    assert sent.written and sent.file == Path("out/代发.xlsx") and sent.file.exists()
    # The sample's roster carries an account for most people: those are sent, the rest wait for one;
    # nobody is lost between the two (the run's payees each owe more than 0).
    sent_fen = int(sent.sent.get_column("amount_fen").sum())
    missing_fen = int(sent.missing.get_column("amount_fen").sum())
    assert sent.sent.height > 100 and sent.missing.height > 0
    assert sent_fen + missing_fen == run_total
    assert len(sent.disbursement_ids) == sent.sent.height
    assert same_schema(sent.sent, cycle.SENT_SCHEMA) and same_schema(sent.missing, cycle.SENT_SCHEMA)
    assert same_schema(sent.earlier, cycle.EARLIER_SCHEMA)
    book = openpyxl.load_workbook(tmp_path / "out" / "代发.xlsx", read_only=True)
    assert "缺账号待补" in book.sheetnames
    book.close()

    bank_answer(tmp_path / "回盘.xlsx", sent.sent)
    exec(compile(after, "README.md", "exec"), names)
    matched = names["matched"]
    assert matched.all_paid and matched.events_added == sent.sent.height
    assert matched.totals_fen["paid_fen"] == matched.totals_fen["return_fen"] == sent_fen
    assert set(matched.items.get_column("class")) == {"paid"}
    assert same_schema(matched.items, cycle.RECONCILE_ITEMS_SCHEMA)
    assert (tmp_path / "out" / "对账" / "reconciliation.xlsx").exists()

    report = names["month"]
    assert report.written == (Path("out/月报.xlsx"),)
    totals = report.report.totals
    assert totals["committed_fen"] == run_total
    assert totals["paid_fen"] == sent_fen and totals["outstanding_fen"] == missing_fen
    total_row = report.by_subsidy.row(-1, named=True)
    assert total_row["rule"] == "合计" and total_row["fen"] == run_total
    for name in ("by_subsidy", "by_payee_type", "by_payee", "by_category", "by_level", "monthly", "finance"):
        declared = getattr(reports, f"{name.upper()}_SCHEMA")
        assert same_schema(getattr(report, name), declared), name
    sheets = openpyxl.load_workbook(tmp_path / "out" / "月报.xlsx", read_only=True).sheetnames
    assert sheets[0] == "汇总"

    # The same return again records nothing new, and its reconciliation can be undone by its batch.
    again = api.reconcile(Path("回盘.xlsx"), dry_run=True, ledger="ledger.sqlite")
    assert again.dry_run and again.events_added == 0
    undone = api.reconcile_undo(matched.batch, ledger="ledger.sqlite")
    assert undone.events_undone == sent.sent.height
    assert undone.by_kind.to_dicts() == [{"kind": "bank-paid", "lines": sent.sent.height, "fen": sent_fen}]
    assert same_schema(undone.by_kind, cycle.UNDO_SCHEMA)


def test_api__statement_publish_simulate_and_the_ledger(month: tuple[str, int], tmp_path: Path) -> None:
    run_id, run_total = month
    ledger = "ledger.sqlite"
    published = api.publish(run_id, Path("公示.xlsx"), ledger=ledger, period_text="7 天", contact="0512-1")
    assert int(published.by_subsidy.get_column("fen").sum()) == run_total
    assert same_schema(published.by_subsidy, cycle.PUBLISH_SCHEMA)
    assert (tmp_path / "公示.xlsx").exists()

    shown = skillcli.ledger_show(run_id, ledger=ledger)
    assert shown.run["run_id"] == run_id and shown.manifest is None
    # The statement of someone the run never paid is a usage error that names the number masked.
    stranger = valid_id()
    with pytest.raises(UsageError) as refused:
        api.statement(stranger, Path("对账单.xlsx"), ledger=ledger)
    assert stranger not in refused.value.message_zh and stranger[-4:] in refused.value.message_zh

    sent = api.export_bank(run_id, Path("代发.xlsx"), ledger=ledger)
    first = sent.sent.row(0, named=True)
    st = api.statement(first["payee_id"], Path("对账单.xlsx"), ledger=ledger, year=2021)
    assert st.balance["entitled_fen"] == st.balance["exported_fen"] == first["amount_fen"]
    assert same_schema(st.lines, cycle.STATEMENT_LINES_SCHEMA)
    assert same_schema(st.outcomes, cycle.STATEMENT_OUTCOMES_SCHEMA)

    # With no shortage occupation, every 紧缺 × 1.3 line of the year is paid at the plain rate.
    sim = api.simulate(2021, overrides={"shortage_occupations": ""}, ledger=ledger)
    assert sim.simulation.actual_fen == run_total
    assert same_schema(sim.months, whatif.SIMULATED_MONTHS_SCHEMA)
    assert same_schema(sim.persons, whatif.SIMULATED_PERSONS_SCHEMA)
    assert sim.months.get_column("period").to_list() == ["2021-06"]

    replayed = api.ledger_replay(run_id, ledger=ledger)
    assert replayed.identical and replayed.replay.lines > 400
    void = api.ledger_void(run_id, "重复提交", force=True, ledger=ledger)
    assert void.exposure["exported_fen"] == int(sent.sent.get_column("amount_fen").sum())
    assert [r["kind"] for r in api.ledger_runs(ledger)] == ["payout", "void"]
    status = api.ledger_status(ledger)
    assert status["runs"] == 2 and status["net_fen"] == 0


def test_api__vouchers_issue_and_redeem_give_their_declared_frames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    api.ledger_init(ledger="ledger.sqlite")
    assert "luliang-2021" in [p.id for p in api.vouchers_programs()]
    people = [
        ["王壮", valid_id("141102", "19910310", "231"), "企业职工"],
        ["小田", valid_id("141102", "20031215", "241"), "企业职工"],
    ]
    roster = write_xlsx(tmp_path / "roster.xlsx", {"花名册": [["姓名", "身份证号码", "人员类别"], *people]})
    issued = api.vouchers_issue([roster], "luliang-2021", Path("issued"), day="2021-06-01", ledger="ledger.sqlite")
    # The 30-year-old employee gets vouchers; the 17-year-old is under every age group.
    assert issued.batch_id is not None and issued.blocked == 0
    assert set(issued.issued.get_column("person_id")) == {people[0][1]}
    assert issued.not_issued.get_column("person_id").to_list() == [people[1][1]]
    assert same_schema(issued.issued, vouchers.ISSUED_VOUCHERS_SCHEMA)
    assert same_schema(issued.not_issued, vouchers.NOT_ISSUED_SCHEMA)

    number = issued.issued.get_column("voucher_no")[0]
    header = [
        "培训券编号",
        "姓名",
        "身份证号码",
        "培训机构",
        "机构统一社会信用代码",
        "结业日期",
        "应出勤天数",
        "实际出勤天数",
        "考核结果",
    ]
    done = [number, "王壮", people[0][1], "吕梁市职业技能培训学校", None, "2021-09-30", 20, 20, "合格"]
    completions = write_xlsx(tmp_path / "done.xlsx", {"结业核销": [header, done]})
    redeemed = api.vouchers_redeem(completions, Path("redeem"), day=dt.date(2021, 10, 8), ledger="ledger.sqlite")
    # No credit code for the institution: an exception, nothing redeemed, and a dry run records nothing.
    assert redeemed.run_id is None and not redeemed.committed and redeemed.by_institution.height == 0
    assert redeemed.exceptions.get_column("voucher_no").to_list() == [number]
    assert same_schema(redeemed.exceptions, vouchers.REDEEM_EXCEPTIONS_SCHEMA)
    assert same_schema(redeemed.by_institution, vouchers.BY_INSTITUTION_SCHEMA)
    state = api.vouchers_status(day="2021-10-08", ledger="ledger.sqlite")
    assert state.summary.totals["issued"] == issued.issued.height and state.summary.totals["redeemed"] == 0


def test_api__every_name_is_exported_from_skillcli_and_loads_lazily() -> None:
    import importlib
    import subprocess
    import sys

    shadowed = {"diff", "payout", "reconcile", "report"}  # modules of the package: skillcli.payout is the module
    for name in set(api.NAMES) - shadowed:
        assert getattr(skillcli, name) is getattr(api, name), name
    for name in shadowed:
        assert importlib.import_module(f"skillcli.{name}") is getattr(skillcli, name)
        assert callable(getattr(api, name))
    probe = "import sys, skillcli, skillcli.api; print(any(m.startswith('skillcli.api.') for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"  # importing the package loads none of the api's modules
    assert list(api.NAMES) == sorted(api.NAMES)


def test_api__template_writes_the_sheets_it_returns(tmp_path: Path) -> None:
    made = api.template("suzhou-2019", tmp_path / "模板.xlsx")
    names = [s.name for s in made.sheets]
    assert made.policy_id == "suzhou-2019" and names[:3] == ["花名册", "考勤", "证书"]
    book = openpyxl.load_workbook(made.file, read_only=True)
    assert book.sheetnames[: len(names)] == names
    # Below the title, the header row: the roster's columns as the result lists them, in order.
    header = next(r for r in book["花名册"].iter_rows(max_row=5, values_only=True) if "身份证号码" in r)
    assert [h for h in header if h] == [c.header for c in made.sheets[0].columns]
    book.close()
    with pytest.raises(UsageError):
        api.template("suzhou-2019", tmp_path / "模板.xls")
