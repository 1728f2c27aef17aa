"""``skillcli ledger init|status|migrate|runs|void``: the payment ledger (补贴资金发放台账)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from skillcli.cli import options as opt

if TYPE_CHECKING:
    from skillcli.ledger.store import Ledger

ledger_app = typer.Typer(help="补贴发放台账 / The payment ledger.", no_args_is_help=True)


def open_ledger(ledger: str | None, *, commit: bool) -> Ledger | None:
    """The ledger to read (and, with ``commit``, to write). A dry run without any ledger reads none."""
    from skillcli.ledger.store import Ledger, resolve_url

    url = resolve_url(ledger)
    if not commit and url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        return None
    store = Ledger(url)
    store.ensure_ready(create=commit)
    return store


def parse_share(text: str | None) -> Decimal | None:
    """ "50%" or "0.5" → Decimal("0.5")."""
    if text is None:
        return None
    from skillcli.errors import UsageError

    try:
        value = Decimal(text.strip().rstrip("%")) / (100 if text.strip().endswith("%") else 1)
    except InvalidOperation:
        raise UsageError(
            f"--advance 应为比例，如 50%，读到「{text}」", f"--advance must be a share such as 50%, got '{text}'"
        ) from None
    return value


@ledger_app.command("init")
def init(ledger: opt.LedgerOpt = None) -> None:
    """创建台账并迁移到最新版本 / Create the ledger and migrate it to the latest schema."""
    from skillcli.cli.render import Screen
    from skillcli.ledger.store import Ledger

    store = Ledger.open(ledger)
    applied = store.migrate()
    Screen().line(f"{store.name}: " + (", ".join(f"v{v} {d}" for v, d in applied) or "已是最新 / up to date"))


@ledger_app.command("migrate")
def migrate(ledger: opt.LedgerOpt = None) -> None:
    """把台账迁移到最新版本 / Apply pending schema migrations."""
    init(ledger)


@ledger_app.command("status")
def status(ledger: opt.LedgerOpt = None, json_out: opt.Json = False) -> None:
    """台账版本、批次数与净额 / Version, runs, lines and net total."""
    from skillcli.cli.render import Screen, print_json
    from skillcli.ledger.store import Ledger
    from skillcli.money import format_yuan

    info = Ledger.open(ledger).status()
    if json_out:
        print_json(info)
        return
    screen = Screen()
    rows = [["ledger", info["ledger"]], ["version", f"{info['version']} / {info['latest']}"]]
    if "runs" in info:
        rows += [["runs", info["runs"]], ["lines", info["lines"]], ["net", format_yuan(info["net_fen"], grouping=True)]]
    screen.table(screen.t("台账状态", "Ledger status"), ["", ""], rows)


@ledger_app.command("runs")
def runs(ledger: opt.LedgerOpt = None, json_out: opt.Json = False) -> None:
    """列出已登记的批次 / List committed runs."""
    from skillcli.cli.render import Screen, print_json
    from skillcli.ledger.store import Ledger
    from skillcli.money import format_yuan

    store = Ledger.open(ledger)
    store.ensure_ready(create=False)
    found = store.runs()
    if json_out:
        print_json({"runs": found})
        return
    screen = Screen()
    screen.table(
        screen.t("批次", "Runs"),
        ["run", "kind", "period", "policy", "lines", "total", "voided", "created"],
        [
            [
                r["run_id"],
                r["kind"],
                r["period"],
                r["policy_id"],
                r["line_count"],
                format_yuan(r["total_fen"], grouping=True),
                "是" if r["voided"] else "",
                r["created_at"],
            ]
            for r in found
        ],
    )


@ledger_app.command("void")
def void(
    run_id: Annotated[str, typer.Argument(help="要作废的批次 / run to reverse")],
    reason: Annotated[str, typer.Option("--reason", help="作废原因（必填）/ why")],
    ledger: opt.LedgerOpt = None,
) -> None:
    """作废一个批次：以负数冲销记录，原记录不删改 / Reverse a run with an audit record."""
    from skillcli.cli.render import Screen
    from skillcli.errors import UsageError
    from skillcli.ledger.store import Ledger

    if not reason.strip():
        raise UsageError("作废必须写明原因", "a void needs a reason")
    store = Ledger.open(ledger)
    store.ensure_ready(create=False)
    void_id = store.void(run_id, reason.strip())
    Screen().line(f"已作废 {run_id}，冲销记录 {void_id} / voided {run_id} by {void_id}")


@ledger_app.command("replay")
def replay(
    run_id: Annotated[str, typer.Argument(help="要重算的批次 / run to decide again")],
    ledger: opt.LedgerOpt = None,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
) -> None:
    """用存档输入重算一个批次并逐分核对 / Decide a run again from its archived inputs and compare to the fen.

    The run's recorded policy and parameters, and the ledger as it stood before the run. Exit codes:
    0 the lines are identical, 1 they differ (every difference listed), 2 the run has no archived
    inputs (committed before ledger v5), 3 an archived part no longer matches its SHA-256.
    """
    from skillcli.cli.render import Screen, print_json
    from skillcli.ledger.store import Ledger
    from skillcli.money import format_yuan
    from skillcli.replay import policy_note
    from skillcli.replay import replay as replay_run

    screen = Screen(lang=lang, show_ids=show_ids)
    store = Ledger.open(ledger)
    store.ensure_ready(create=False)
    result = replay_run(store, run_id)
    note = policy_note(result)
    if note is not None:
        screen.line(screen.t(*note), style="yellow")

    def shown(field: str, value: object) -> str:
        if field.endswith("_fen") and isinstance(value, int):
            return format_yuan(value, grouping=True)
        return screen.mask(value)

    if result.differences:
        screen.table(
            screen.t(f"批次 {run_id} 重算结果不同", f"run {run_id} decided again differs"),
            [screen.t("行", "line"), screen.t("规则", "rule"), screen.t("字段", "field"), "committed", "replayed"],
            [[d.line, d.rule, d.field, shown(d.field, d.committed), shown(d.field, d.replayed)] for d in result.differences],
        )
    screen.line(
        screen.t(
            f"批次 {run_id}：{result.lines} 笔，" + (f"{len(result.differences)} 处不同" if result.differences else "重算结果逐分一致"),
            f"run {run_id}: {result.lines} lines, "
            + (f"{len(result.differences)} differences" if result.differences else "identical to the fen"),
        )
    )
    if json_out:
        print_json(
            {
                "run_id": run_id,
                "identical": not result.differences,
                "lines": result.lines,
                "policy_id": result.policy_id,
                "policy_file": Path(result.policy_path).name,
                "policy_changed": result.policy_changed,
                "recorded_policy_sha256": result.recorded_sha256,
                "current_policy_sha256": result.current_sha256,
                "differences": [
                    {
                        "line": d.line,
                        "rule": d.rule,
                        "field": d.field,
                        "committed": shown(d.field, d.committed) if d.field == "person_id" else d.committed,
                        "replayed": shown(d.field, d.replayed) if d.field == "person_id" else d.replayed,
                    }
                    for d in result.differences
                ],
            }
        )
    raise typer.Exit(1 if result.differences else 0)
