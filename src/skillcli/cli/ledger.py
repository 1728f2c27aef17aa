"""``skillcli ledger init|status|migrate|runs|void``: the payment ledger (补贴资金发放台账)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated

import typer

from skillcli.cli import options as opt

if TYPE_CHECKING:
    from skillcli.ledger.store import Ledger

ledger_app = typer.Typer(help="补贴发放台账 / The payment ledger.", no_args_is_help=True)


def open_ledger(ledger: str | None, *, commit: bool) -> Ledger | None:
    """The ledger to read (and, with ``commit``, to write). A dry run without any ledger reads none."""
    from pathlib import Path

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
