"""The ledger through the CLI, on SQLite and on a real PostgreSQL server (``ledger_url``).

Two months of payouts, idempotent re-runs, limits across batches, advances, voids, two runs
racing for the same claims, and a process killed in the middle of its commit.
"""

from __future__ import annotations

import json
import signal
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from skillcli.ledger.schema import LATEST
from tests.support.ledger import cli_args, month_one, month_two, payout, runs
from tests.support.processes import fault, spawn, wait_for
from tests.support.rosters import PAYOUT_HEADER, payout_row
from tests.support.workbooks import read_csv


def test_ledger__commit_then_rerun_commits_nothing_new(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    batch = month_one(make_xlsx)
    first = payout(run_cli, batch, tmp_path / "a", ledger_url, "--commit", "--json")
    assert first.code == 0, first.stderr
    # A8 中级工 1500 for 电工 (× 1.3, 电工 is on the shortage list), 车工 and 焊工 (× 1.3), plus A5 300.
    expected = int((Decimal(1500) * Decimal("1.3") * 2 + 1500 + 300) * 100)
    assert first.json["totals_fen"]["total_fen"] == expected
    committed = runs(run_cli, ledger_url)
    assert [(r["kind"], r["line_count"], r["total_fen"]) for r in committed] == [("payout", 4, expected)]

    again = payout(run_cli, batch, tmp_path / "b", ledger_url, "--commit", "--json")
    assert again.code == 1
    assert again.json["counts"]["paid"] == 0
    codes = {e["code"] for e in again.json["exceptions"]}
    assert codes == {"ledger.already-paid"}
    assert all(committed[0]["run_id"] in e["message_zh"] for e in again.json["exceptions"])
    assert "没有新的应发记录" in again.stderr
    assert len(runs(run_cli, ledger_url)) == 1


def test_ledger__second_month_hits_limits_across_batches(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    assert payout(run_cli, month_one(make_xlsx), tmp_path / "m1", ledger_url, "--commit").code == 0
    first_run = runs(run_cli, ledger_url)[0]["run_id"]
    second = payout(run_cli, month_two(make_xlsx), tmp_path / "m2", ledger_url, "--commit", "--json")
    assert second.code == 1
    by_row = {e["row"]: e for e in second.json["exceptions"]}
    # 钳工: a 4th subsidised training in 2021 (E1 max 3) — the three earlier ones are in the ledger.
    assert by_row[2]["code"] == "limit.yearly"
    assert first_run in by_row[2]["message_zh"]
    # 电工 中级工 again: the same occupation and level was paid in month one (E2).
    assert by_row[3]["code"] == "limit.no-repeat"
    assert first_run in by_row[3]["message_zh"]
    assert [(line["name"], line["amount_fen"]) for line in second.json["lines"]] == [("周杰", 30000)]


def test_ledger__dry_run_reads_the_ledger_but_writes_nothing(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    assert payout(run_cli, month_one(make_xlsx), tmp_path / "m1", ledger_url, "--commit").code == 0
    dry = payout(run_cli, month_one(make_xlsx), tmp_path / "dry", ledger_url, "--json")
    assert {e["code"] for e in dry.json["exceptions"]} == {"ledger.already-paid"}
    assert len(runs(run_cli, ledger_url)) == 1
    manifest = json.loads((tmp_path / "dry" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["ledger"]["committed"] is False


def test_ledger__advance_then_final_payment(run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str) -> None:
    batch = month_one(make_xlsx)
    advance = payout(run_cli, batch, tmp_path / "adv", ledger_url, "--commit", "--advance", "50%", "--json")
    # E10 (S2c 三(十三)): only the enterprise's training (孙丽's A5) is advanced; 张伟's A8 lines are paid to him
    # (出资方 个人) and are held from the advance batch, to be paid in full by the final one.
    assert advance.code == 1, advance.stderr
    assert {(e["row"], e["code"]) for e in advance.json["exceptions"]} == {
        (2, "payout.not-advanceable"),
        (3, "payout.not-advanceable"),
        (4, "payout.not-advanceable"),
    }
    assert [(line["name"], line["rule"]) for line in advance.json["lines"]] == [("孙丽", "A5")]
    entitlement = {
        (line["name"], line["rule"], line["occupation"]): line["entitlement_fen"] for line in advance.json["lines"]
    }
    assert all(line["amount_fen"] == (line["entitlement_fen"] + 1) // 2 for line in advance.json["lines"])
    assert runs(run_cli, ledger_url)[0]["kind"] == "advance"
    again = payout(run_cli, batch, tmp_path / "adv2", ledger_url, "--commit", "--advance", "50%", "--json")
    assert {e["code"] for e in again.json["exceptions"]} == {"ledger.already-advanced", "payout.not-advanceable"}

    final = payout(run_cli, batch, tmp_path / "final", ledger_url, "--commit", "--json")
    assert final.code == 0, final.stderr
    assert len(final.json["lines"]) == 4
    for line in final.json["lines"]:
        key = (line["name"], line["rule"], line["occupation"])
        advanced = (entitlement[key] + 1) // 2 if key in entitlement else 0
        assert line["amount_fen"] == line["entitlement_fen"] - advanced
    book = openpyxl.load_workbook(tmp_path / "final" / "payouts.xlsx")
    detail = book["明细"]
    header = [c.value for c in detail[1]]
    first = {h: detail.cell(2, i + 1).value for i, h in enumerate(header)}
    assert Decimal(str(first["应发金额"])) == Decimal(str(first["已预拨"])) + Decimal(str(first["本次发放"]))
    too_much = payout(run_cli, batch, tmp_path / "x", ledger_url, "--advance", "80%")
    assert too_much.code == 2 and "50%" in too_much.stderr


def test_ledger__void_reverses_and_frees_the_claims(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    batch = month_one(make_xlsx)
    assert payout(run_cli, batch, tmp_path / "a", ledger_url, "--commit").code == 0
    run_id = runs(run_cli, ledger_url)[0]["run_id"]
    no_reason = run_cli("ledger", "void", run_id, "--reason", " ", "--ledger", ledger_url)
    assert no_reason.code == 2
    voided = run_cli("ledger", "void", run_id, "--reason", "花名册有误，重报", "--ledger", ledger_url)
    assert voided.code == 0, voided.stderr
    listed = runs(run_cli, ledger_url)
    assert listed[0]["voided"] is True
    assert listed[1]["kind"] == "void" and listed[1]["total_fen"] == -listed[0]["total_fen"]
    assert run_cli("ledger", "void", run_id, "--reason", "again", "--ledger", ledger_url).code == 2
    status = run_cli("ledger", "status", "--ledger", ledger_url, "--json").json
    assert status["net_fen"] == 0
    rerun = payout(run_cli, batch, tmp_path / "b", ledger_url, "--commit", "--json")
    assert rerun.code == 0 and rerun.json["counts"]["paid"] == 4


def test_ledger__init_status_and_uninitialised(run_cli: Any, tmp_path: Path, blank_ledger_url: str) -> None:
    ledger_url = blank_ledger_url
    before = run_cli("ledger", "runs", "--ledger", ledger_url)
    assert before.code == 2 and "ledger init" in before.stderr
    status = run_cli("ledger", "status", "--ledger", ledger_url, "--json")
    assert status.code == 0 and status.json["version"] == 0
    assert not (tmp_path / "ledger.sqlite").exists()  # looking at a ledger never creates it
    assert run_cli("ledger", "migrate", "--ledger", ledger_url).code == 2  # nor does migrating nothing
    assert not (tmp_path / "ledger.sqlite").exists()
    assert run_cli("ledger", "init", "--ledger", ledger_url).code == 0
    status = run_cli("ledger", "status", "--ledger", ledger_url, "--json").json
    assert status["version"] == status["latest"] == LATEST and status["runs"] == 0 and status["exists"]
    assert "up to date" in run_cli("ledger", "migrate", "--ledger", ledger_url).stdout


# -- separate processes: races and crashes -----------------------------------------------------
def test_ledger__two_runs_at_once_cannot_both_commit(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    batch = month_one(make_xlsx)
    assert run_cli("ledger", "init", "--ledger", ledger_url).code == 0
    env = fault(tmp_path, "ledger-commit")
    first = spawn(cli_args(batch, tmp_path / "a", ledger_url), env)
    wait_for(Path(env["SKILLCLI_FAULT_MARKER"]))  # the first run is inside its transaction
    second = spawn([*cli_args(batch, tmp_path / "b", ledger_url)[:-1], "--json"], {})
    time.sleep(1.0)  # let the second run reach the ledger and wait on the first
    Path(env["SKILLCLI_FAULT_RELEASE"]).write_text("go", encoding="utf-8")
    first_out = first.communicate(timeout=120)
    second_out, second_err = second.communicate(timeout=120)
    assert first.returncode == 0, first_out
    committed = runs(run_cli, ledger_url)
    assert len(committed) == 1 and committed[0]["line_count"] == 4
    assert "Traceback" not in second_err
    if second.returncode == 4:
        # It computed its payout before the first committed and lost on the unique claim.
        assert "another run" in second_err or "另一批次" in second_err
        assert committed[0]["run_id"] in second_err
    else:
        # It waited for the first run's lock, then read the ledger: everything is already paid.
        assert second.returncode == 1, second_err
        exceptions = json.loads(second_out)["exceptions"]
        assert {e["code"] for e in exceptions} == {"ledger.already-paid"}
        assert all(committed[0]["run_id"] in e["message_zh"] for e in exceptions)


def test_ledger__killed_during_commit_leaves_the_ledger_unchanged(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    batch = month_one(make_xlsx)
    assert run_cli("ledger", "init", "--ledger", ledger_url).code == 0
    env = fault(tmp_path, "ledger-commit")
    victim = spawn(cli_args(batch, tmp_path / "a", ledger_url), env)
    wait_for(Path(env["SKILLCLI_FAULT_MARKER"]))
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)
    assert runs(run_cli, ledger_url) == []
    assert not (tmp_path / "a" / "payouts.csv").exists()  # outputs are renamed only after the commit
    after = payout(run_cli, batch, tmp_path / "b", ledger_url, "--commit", "--json")
    assert after.code == 0, after.stderr
    assert len(runs(run_cli, ledger_url)) == 1


def test_outputs__killed_before_rename_keeps_the_previous_outputs(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    batch = month_one(make_xlsx)
    out = tmp_path / "out"
    args = ["payout", batch, "--policy", "suzhou-2019", "--period", "2021-06", "--out", out]
    first = run_cli(*args)  # a dry run without any ledger
    assert first.code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    changed = make_xlsx(
        {"花名册": [PAYOUT_HEADER, payout_row(7, "周杰", "岗前培训", "车工", "无等级", "2021-06-01", "2021-06-10")]},
        name="changed.xlsx",
    )
    env = fault(tmp_path, "outputs-commit")
    victim = spawn(["payout", changed, *args[2:], "--quiet"], env)
    wait_for(Path(env["SKILLCLI_FAULT_MARKER"]))
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)
    after = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert after == before  # the old outputs, whole; the new ones never appeared
    for path in out.iterdir():
        if path.suffix == ".xlsx":
            openpyxl.load_workbook(path)  # every visible workbook opens
    rerun = run_cli("payout", changed, *args[2:])
    assert rerun.code == 0
    assert not list(out.glob(".*.tmp"))  # the killed run's temporary files were cleaned up
    assert read_csv(out / "payouts.csv")[0]["name"] == "周杰"


def test_ledger__one_config_from_two_folders_pays_once(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, monkeypatch: Any, blank_ledger_url: str
) -> None:
    batch = month_one(make_xlsx)
    office = tmp_path / "office"
    (office / "a").mkdir(parents=True)
    (office / "b" / "deep").mkdir(parents=True)
    settings = office / "skillcli.toml"
    settings.write_text('# 吴中区人社局\n[payer]\n"付款单位" = "苏州市吴中区人社局"\n', encoding="utf-8")
    args = ["payout", batch, "--policy", "suzhou-2019", "--period", "2021-06"]

    # Nothing names a ledger yet: a commit refuses and says how to set one; nothing is conjured.
    monkeypatch.chdir(office / "a")
    refused = run_cli(*args, "--out", "out", "--commit")
    assert refused.code == 2 and "ledger init" in refused.stderr and "SKILLCLI_LEDGER" in refused.stderr
    assert run_cli("ledger", "runs").code == 2 and run_cli("ledger", "status").code == 2
    dry = run_cli(*args, "--out", "dry", "--json")
    assert dry.code == 0 and "未读取台账" in dry.stderr and dry.json["ledger"] is None
    assert not list(tmp_path.rglob("*.sqlite"))

    # ledger init PATH writes the path into ./skillcli.toml, keeping what the file held.
    sqlite = not blank_ledger_url.startswith("postgresql")
    monkeypatch.chdir(office)
    named = "台账/ledger.sqlite" if sqlite else blank_ledger_url
    init = run_cli("ledger", "init", named)
    assert init.code == 0, init.stderr
    assert str(settings) in init.stdout
    text = settings.read_text(encoding="utf-8")
    assert "# 吴中区人社局" in text
    import tomllib

    assert tomllib.loads(text) == {"ledger": named, "payer": {"付款单位": "苏州市吴中区人社局"}}

    # From two sub-folders the same ledger is found (relative to the settings file): May is paid once.
    monkeypatch.chdir(office / "a")
    first = run_cli(*args, "--out", "out", "--commit")
    assert first.code == 0, first.stderr
    monkeypatch.chdir(office / "b" / "deep")
    dry = run_cli(*args, "--out", "dry")
    where = str(office / "台账" / "ledger.sqlite") if sqlite else "postgresql://"
    assert "已读取台账" in dry.stdout and where in dry.stdout
    second = run_cli(*args, "--out", "out", "--commit", "--json")
    assert second.code == 1 and second.json["counts"]["paid"] == 0
    assert {e["code"] for e in second.json["exceptions"]} == {"ledger.already-paid"}
    committed = runs(run_cli, named if not sqlite else str(office / "台账" / "ledger.sqlite"))
    assert [(r["kind"], r["line_count"]) for r in committed] == [("payout", 4)]

    # $SKILLCLI_LEDGER wins over the file; looking at a ledger that does not exist does not create it.
    monkeypatch.setenv("SKILLCLI_LEDGER", str(tmp_path / "elsewhere.sqlite"))
    status = run_cli("ledger", "status", "--json")
    assert status.code == 0 and status.json["exists"] is False and status.json["ledger"].endswith("elsewhere.sqlite")
    assert run_cli(*args, "--out", "c", "--commit").code == 2
    assert not (tmp_path / "elsewhere.sqlite").exists()

    # Without the env and outside the office, the user's config file names the ledger.
    monkeypatch.delenv("SKILLCLI_LEDGER")
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.chdir(outside)
    user = tmp_path / ".user-config" / "skillcli" / "skillcli.toml"
    user.parent.mkdir(parents=True)
    user.write_text(f"ledger = {json.dumps(str(office / '台账' / 'ledger.sqlite') if sqlite else named)}\n")
    found = run_cli("ledger", "runs", "--json")
    assert found.code == 0 and len(found.json["runs"]) == 1


def test_ledger__init_replaces_the_ledger_line_and_keeps_the_rest(
    run_cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    import tomllib

    monkeypatch.chdir(tmp_path)
    settings = tmp_path / "skillcli.toml"
    settings.write_text('# 台账\nledger = "old.sqlite"\n\n[payer]\nname = "吴中区人社局"\n', encoding="utf-8")
    result = run_cli("ledger", "init", "新台账/ledger 2021.sqlite")
    assert result.code == 0, result.stderr
    assert f'已在 {settings} 写入 ledger = "新台账/ledger 2021.sqlite"' in result.stdout
    text = settings.read_text(encoding="utf-8")
    assert text.startswith("# 台账\n") and text.count("ledger =") == 1
    assert tomllib.loads(text) == {"ledger": "新台账/ledger 2021.sqlite", "payer": {"name": "吴中区人社局"}}
    assert (tmp_path / "新台账" / "ledger 2021.sqlite").exists() and not (tmp_path / "old.sqlite").exists()
    status = run_cli("ledger", "status", "--json")
    assert status.code == 0 and status.json["exists"] and status.json["version"] == LATEST


def test_ledger__init_does_not_write_a_password_into_skillcli_toml(
    run_cli: Any, tmp_path: Path, monkeypatch: Any, postgres_server: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    url = str(postgres_server.url()).replace("postgresql://skillcli@", "postgresql://skillcli:s3cret@")
    result = run_cli("ledger", "init", url)
    assert result.code == 0, result.stderr
    # The hint to set $SKILLCLI_LEDGER is a note (stderr); the password is on neither stream.
    assert "SKILLCLI_LEDGER" in result.stderr and "s3cret" not in result.stdout + result.stderr
    assert not (tmp_path / "skillcli.toml").exists()
    monkeypatch.setenv("SKILLCLI_LEDGER", url)
    assert run_cli("ledger", "status", "--json").json["version"] == LATEST
