"""``skillcli ledger replay`` and ``skillcli simulate`` through the CLI, on SQLite and on PostgreSQL (issue 17).

The cycle of tests/support/cycle.py (June, July with already-paid/E2/E1, a July advance) is
committed; each run is decided again from the batch archived with it. The what-if year is the same
cycle with the shortage list given explicitly (``--param shortage_occupations=电工,焊工``) so that
the hand-computed difference does not depend on the list the rules file ships.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select, update

from skillcli.ledger import schema as s
from skillcli.ledger.store import Ledger
from tests.support.cycle import (
    JULY,
    JULY_CERTS,
    JUNE,
    JUNE_ATTENDANCE,
    JUNE_CERTS,
    commit,
    cycle,
    write_batch,
)

RULES = Path(__file__).resolve().parents[1] / "rules"


def replay(run_cli: Any, run_id: str, ledger: str, *extra: object) -> Any:
    return run_cli("ledger", "replay", run_id, "--ledger", ledger, *extra)


def test_replay__every_run_of_the_cycle_replays_to_identical_lines(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    ids = cycle(run_cli, make_xlsx, tmp_path, ledger_url, advance=True)
    # June voided after July: July was decided while June stood, so its replay must still see June
    # (already paid, E2, E1 against June's lines) — the history as of then, not as of now.
    assert run_cli("ledger", "void", ids["june"], "--reason", "重报", "--ledger", ledger_url).code == 0
    expected = {"june": 10, "july": 2, "advance": 1}
    for key, run_id in ids.items():
        result = replay(run_cli, run_id, ledger_url, "--json")
        assert result.code == 0, result.stderr
        assert result.json["identical"] is True
        assert result.json["lines"] == expected[key]
        assert result.json["differences"] == []
        assert result.json["policy_changed"] is False
        assert "逐分一致" in result.stderr


def test_replay__a_changed_committed_line_is_every_difference(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    ids = cycle(run_cli, make_xlsx, tmp_path, ledger_url)
    store = Ledger.open(ledger_url)
    with store.engine.begin() as conn:
        # 陈洋's July line (Excel row 5): 1500.00 元 committed as 1400.00 by someone editing the database.
        conn.execute(
            update(s.lines)
            .where(s.lines.c.run_id == ids["july"], s.lines.c.rule == "A8")
            .values(amount_fen=140000, payee_name="别的公司")
        )
    result = replay(run_cli, ids["july"], ledger_url, "--json")
    assert result.code == 1
    diffs = {(d["line"], d["field"]): (d["committed"], d["replayed"]) for d in result.json["differences"]}
    assert diffs == {
        ("july.xlsx:花名册!5", "amount_fen"): (140000, 150000),
        ("july.xlsx:花名册!5", "payee_name"): ("别的公司", "苏州精工机械有限公司"),
    }
    assert "1,400.00" in result.stderr and "1,500.00" in result.stderr


def test_replay__a_changed_rules_file_is_named_and_the_current_file_decides(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    monkeypatch.setenv("SKILLCLI_RULES", str(rules))
    ledger = str(tmp_path / "ledger.sqlite")
    ids = cycle(run_cli, make_xlsx, tmp_path, ledger)
    policy = rules / "suzhou-2019.yaml"
    recorded = hashlib.sha256(policy.read_bytes()).hexdigest()
    policy.write_text(policy.read_text(encoding="utf-8") + "# 复核 2026-11\n", encoding="utf-8")
    same = replay(run_cli, ids["july"], ledger, "--json")
    assert same.code == 0
    assert same.json["policy_changed"] is True
    assert same.json["recorded_policy_sha256"] == recorded
    assert "suzhou-2019.yaml" in same.stderr and "按现行文件重算" in same.stderr
    # A5 岗前培训 300 → 350 元 in the current file: 褚霞's July line (row 6) comes out otherwise.
    text = policy.read_text(encoding="utf-8").replace("{form: fixed, rate: 300}", "{form: fixed, rate: 350}", 1)
    policy.write_text(text, encoding="utf-8")
    changed = replay(run_cli, ids["july"], ledger, "--json")
    assert changed.code == 1
    assert [(d["line"], d["field"], d["committed"], d["replayed"]) for d in changed.json["differences"]] == [
        ("july.xlsx:花名册!6", "entitlement_fen", 30000, 35000),
        ("july.xlsx:花名册!6", "amount_fen", 30000, 35000),
    ]


def test_replay__a_tampered_archive_is_caught_by_its_sha256(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    ids = cycle(run_cli, make_xlsx, tmp_path, ledger_url)
    store = Ledger.open(ledger_url)
    with store.engine.begin() as conn:
        row = conn.execute(
            select(s.run_inputs.c.data).where(
                s.run_inputs.c.run_id == ids["june"], s.run_inputs.c.part == "frame:roster"
            )
        ).one()
        altered = bytes(row.data).replace(b"\xe5\xbc\xa0\xe4\xbc\x9f", b"\xe6\x9d\x8e\xe5\x9b\x9b")  # 张伟 → 李四
        assert altered != bytes(row.data)
        conn.execute(
            update(s.run_inputs)
            .where(s.run_inputs.c.run_id == ids["june"], s.run_inputs.c.part == "frame:roster")
            .values(data=altered)
        )
    result = replay(run_cli, ids["june"], ledger_url)
    assert result.code == 3
    assert "frame:roster" in result.stderr and "SHA-256" in result.stderr
    assert "Traceback" not in result.stderr
    assert replay(run_cli, ids["july"], ledger_url).code == 0  # the other run's archive is intact


def test_replay__a_run_without_archive_is_one_line_exit_2(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    ids = cycle(run_cli, make_xlsx, tmp_path, ledger_url)
    store = Ledger.open(ledger_url)
    with store.transaction() as conn:
        # A ledger whose runs were committed before version 5: no run_inputs table, no version row.
        s.run_inputs.drop(conn)
        conn.execute(s.schema_version.delete().where(s.schema_version.c.version == 5))
    assert replay(run_cli, ids["june"], ledger_url).code == 2  # not migrated yet
    assert run_cli("ledger", "migrate", "--ledger", ledger_url).code == 0
    result = replay(run_cli, ids["june"], ledger_url)
    assert result.code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "v5" in result.stderr
    simulated = run_cli("simulate", "2021", "--param", "shortage_multiplier=1.5", "--ledger", ledger_url)
    assert simulated.code == 2 and ids["june"] in simulated.stderr


def as_supplied(text: str) -> str:
    """A copy of the Suzhou file carrying the lists the cycle's runs were given (the shipped file leaves the
    shortage list empty and has no 2020 living standard): another policy starts from its own parameters."""
    text = text.replace("  shortage_occupations:\n    value: []", "  shortage_occupations:\n    value: [电工, 焊工]", 1)
    return text.replace("    value: {2018: 995}", "    value: {2018: 995, 2020: 995}", 1)


# The shortage list given with every run, so the hand-computed amounts hold whatever list the file ships.
SHORTAGE = ("--param", "shortage_occupations=电工,焊工")


def commit_year(run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger: str) -> None:
    """June and July 2021 of the cycle committed with ``SHORTAGE``."""
    june = write_batch(make_xlsx, "june.xlsx", JUNE, JUNE_CERTS, JUNE_ATTENDANCE)
    assert commit(run_cli, june, "2021-06", tmp_path / "june", ledger, *SHORTAGE).code == 0
    july = write_batch(make_xlsx, "july.xlsx", JULY, JULY_CERTS)
    assert commit(run_cli, july, "2021-07", tmp_path / "july", ledger, *SHORTAGE).code == 1


def _counts(ledger: str) -> dict[str, int]:
    store = Ledger.open(ledger)
    with store.engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
            for t in s.metadata.sorted_tables
        }


def test_simulate__shortage_multiplier_gives_the_hand_computed_budget_difference(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    commit_year(run_cli, make_xlsx, tmp_path, ledger_url)
    before = _counts(ledger_url)
    sqlite_file = Path(ledger_url) if ledger_url.endswith(".sqlite") else None
    digest = hashlib.sha256(sqlite_file.read_bytes()).hexdigest() if sqlite_file else ""
    out = tmp_path / "sim" / "what-if.xlsx"
    result = run_cli(
        "simulate", "2021", "--param", "shortage_multiplier=1.5", "--out", out, "--ledger", ledger_url, "--json"
    )
    assert result.code == 0, result.stderr
    # By hand (S2c 二(四)4, the document's +30 % made +50 %): 张伟 电工 中级工 1500 × 1.5 = 2250.00
    # (was 1950.00, +300.00); 孙丽 焊工 初级工 1000 × 1.5 = 1500.00 (was 1300.00, +200.00). July's A8 is
    # 车工 (not on the list) and its other lines are not A8: the year costs 500.00 元 more, all in June.
    data = result.json
    assert data["difference_fen"] == 500_00
    assert data["actual_fen"] == 13098_00 + 1800_00
    assert data["simulated_fen"] == 13098_00 + 1800_00 + 500_00
    months = {m["key"]: (m["actual_fen"], m["simulated_fen"], m["difference_fen"]) for m in data["by"]["month"]}
    assert months == {"2021-06": (13098_00, 13598_00, 500_00), "2021-07": (1800_00, 1800_00, 0)}
    payee_types = {m["key"]: m["difference_fen"] for m in data["by"]["payee_type"]}
    assert payee_types == {"person": 300_00, "institution": 200_00, "enterprise": 0}
    levels = {m["key"]: m["difference_fen"] for m in data["by"]["level"] if m["difference_fen"]}
    assert levels == {"四级/中级工": 300_00, "五级/初级工": 200_00}
    people = {p["name"]: (p["change"], p["actual_fen"], p["simulated_fen"]) for p in data["persons"]}
    assert people == {"张伟": ("change", 1950_00, 2250_00), "孙丽": ("change", 1300_00, 1500_00)}
    assert "预算差额 500.00 元" in result.stderr

    # Nothing was written to the ledger.
    assert _counts(ledger_url) == before
    if sqlite_file:
        assert hashlib.sha256(sqlite_file.read_bytes()).hexdigest() == digest

    book = openpyxl.load_workbook(out)
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert summary["预算差额"] == 500 and summary["实发金额"] == 14898 and summary["模拟金额"] == 15398
    assert summary["参数调整"] == "shortage_multiplier=1.5"
    month_rows = list(book["按月份"].iter_rows(min_row=2, values_only=True))
    assert month_rows == [("2021-06", 10, 13098, 10, 13598, 500), ("2021-07", 2, 1800, 2, 1800, 0)]
    by_payee = {r[0]: r[5] for r in book["按企业机构"].iter_rows(min_row=2, values_only=True)}
    assert by_payee == {"吴中区职业技能培训学校": 200, "苏州精工机械有限公司": 0}
    changed = {r[1]: (r[2], r[3], r[4], r[5]) for r in book["人员变化"].iter_rows(min_row=2, values_only=True)}
    assert changed == {"张伟": ("金额变化", 1950, 2250, 300), "孙丽": ("金额变化", 1300, 1500, 200)}
    with zipfile.ZipFile(out) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode("utf-8")
    assert "按月份!$C$2:$C$3" in chart and "按月份!$E$2:$E$3" in chart  # 实发, 模拟 by month


def test_simulate__usage_errors_are_one_line(run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str) -> None:
    cycle(run_cli, make_xlsx, tmp_path, ledger_url)
    for args in (
        ("2021",),  # nothing to change
        ("2021", "--param", "no_such_parameter=1"),
        ("2020", "--param", "shortage_multiplier=1.5"),  # no run that year
        ("2021", "--param", "shortage_multiplier=1.5", "--out", tmp_path / "x.csv"),
    ):
        result = run_cli("simulate", *args, "--ledger", ledger_url)
        assert result.code == 2, args
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_simulate__another_policy_gains_loses_and_changes_with_reasons(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    commit_year(run_cli, make_xlsx, tmp_path, ledger_url)
    # Another policy: A12 特种作业 capped at 600 元 instead of 800, and A5 岗前培训 (the first rule
    # requiring 合格) now also requiring an uninsured trainee.
    text = (RULES / "suzhou-2019.yaml").read_text(encoding="utf-8")
    text = as_supplied(text)
    text = text.replace("{form: ceiling, rate: 800}", "{form: ceiling, rate: 600}", 1)
    text = text.replace("require: {passed: 合格}", "require: {passed: 合格, insured: false}", 1)
    other = tmp_path / "suzhou-other.yaml"
    other.write_text(text, encoding="utf-8")
    result = run_cli("simulate", "2021", "--policy", other, *SHORTAGE, "--ledger", ledger_url, "--json", "--lang", "en")
    assert result.code == 0, result.stderr
    # By hand: 郑涛 min(650, 600) = 600.00 (−50.00); 吴敏 min(1200, 600) = 600.00 (−200.00); 褚霞's
    # A5 300.00 is no longer paid (−300.00, she is insured). Nobody gains: −550.00 元.
    data = result.json
    assert data["difference_fen"] == -550_00
    people = {p["name"]: (p["change"], p["actual_fen"], p["simulated_fen"]) for p in data["persons"]}
    assert people == {
        "郑涛": ("change", 650_00, 600_00),
        "吴敏": ("change", 800_00, 600_00),
        "褚霞": ("lose", 300_00, 0),
    }
    reason = next(p["reason"] for p in data["persons"] if p["name"] == "褚霞")
    assert "A5 300.00" in reason and "是否参保" in reason
    subsidies = {m["key"]: m["difference_fen"] for m in data["by"]["subsidy"] if m["difference_fen"]}
    assert subsidies == {"特种作业及特种设备作业人员取证补贴": -250_00, "岗前培训补贴": -300_00}


def test_simulate__each_run_sees_the_simulated_runs_before_it(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    commit_year(run_cli, make_xlsx, tmp_path, ledger_url)
    # Another policy without a 初级工 rate for A8: June no longer pays 孙丽 (焊工 初级工) nor 冯刚's
    # 钳工 初级工. 冯刚 then has two paid trainings in 2021, not three, so July's 焊工 中级工 — refused
    # by E1 when committed — is paid in the simulation. Against the committed June it would not be.
    text = as_supplied((RULES / "suzhou-2019.yaml").read_text(encoding="utf-8")).replace(
        "{初级工: 1000,", "{初级工: null,", 1
    )
    other = tmp_path / "no-beginner.yaml"
    other.write_text(text, encoding="utf-8")
    result = run_cli("simulate", "2021", "--policy", other, *SHORTAGE, "--ledger", ledger_url, "--json")
    assert result.code == 0, result.stderr
    data = result.json
    # By hand: June −1300.00 (孙丽) −1000.00 (冯刚 钳工); July +1500 × 1.3 = +1950.00 (冯刚 焊工).
    months = {m["key"]: m["difference_fen"] for m in data["by"]["month"]}
    assert months == {"2021-06": -2300_00, "2021-07": 1950_00}
    assert data["difference_fen"] == -350_00
    people = {p["name"]: (p["change"], p["actual_fen"], p["simulated_fen"]) for p in data["persons"]}
    assert people == {"孙丽": ("lose", 1300_00, 0), "冯刚": ("change", 4500_00, 5450_00)}
