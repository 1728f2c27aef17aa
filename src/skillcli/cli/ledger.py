"""``skillcli ledger init|status|migrate|runs|void|show``: the payment ledger (补贴资金发放台账)."""

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
    """The ledger to read (and, with ``commit``, to write); None for a dry run when none is named.

    A commit needs a ledger that exists: it is never created here (``skillcli ledger init`` does),
    so a mistyped path or another working folder cannot start an empty history and pay again.
    """
    from skillcli.ledger.where import NoLedgerError, locate

    url = locate(ledger)
    if url is None:
        if commit:
            raise NoLedgerError()
        return None
    # Imported only now: a dry run with no ledger named never loads SQLAlchemy (issue 16).
    from skillcli.ledger.store import Ledger

    store = Ledger(url)
    store.ensure_ready()
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
def init(
    path: Annotated[
        str | None,
        typer.Argument(help="新台账：SQLite 文件路径或 postgresql:// URL，并写入 ./skillcli.toml / ledger to create"),
    ] = None,
    ledger: opt.LedgerOpt = None,
) -> None:
    """创建台账并迁移到最新版本；给出路径时写入 ./skillcli.toml / Create the ledger (and name it in skillcli.toml)."""
    import json
    from pathlib import Path

    from skillcli.cli.render import Screen
    from skillcli.config import CONFIG_NAME, find_config, set_top_level
    from skillcli.ledger.store import Ledger

    screen = Screen()
    store = Ledger.open(path or ledger)
    if store.missing:
        # A new SQLite ledger may go in a folder of its own (台账/ledger.sqlite): make it.
        Path(store.url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    applied = store.migrate()
    screen.line(f"{store.name}: " + (", ".join(f"v{v} {d}" for v, d in applied) or "已是最新 / up to date"))
    if path is None:
        return
    if "://" in path and "@" in path.split("://", 1)[1] and ":" in path.split("://", 1)[1].split("@", 1)[0]:
        # A password does not belong in a settings file that is copied and shared; the environment
        # variable keeps it out of the folder.
        screen.line(
            screen.t(
                f"URL 含密码，未写入 {CONFIG_NAME}；请设置环境变量 SKILLCLI_LEDGER",
                f"the URL holds a password, so it was not written to {CONFIG_NAME}; set $SKILLCLI_LEDGER instead",
            )
        )
        return
    target = Path.cwd() / CONFIG_NAME
    shadowed = find_config()
    set_top_level(target, "ledger", path)
    written = f"ledger = {json.dumps(path, ensure_ascii=False)}"
    screen.line(screen.t(f"已在 {target} 写入 {written}", f"wrote {written} to {target}"))
    if shadowed is not None and shadowed.resolve() != target.resolve():
        screen.line(
            screen.t(
                f"注意：此目录下此后读取 {target}，不再读取 {shadowed}",
                f"note: this folder now reads {target} instead of {shadowed}",
            )
        )


@ledger_app.command("migrate")
def migrate(ledger: opt.LedgerOpt = None) -> None:
    """把台账迁移到最新版本 / Apply pending schema migrations."""
    from skillcli.cli.render import Screen
    from skillcli.ledger.store import Ledger

    store = Ledger.open(ledger)
    if store.version() == 0:
        store.ensure_ready()  # a missing or empty ledger: says to run ledger init
    applied = store.migrate()
    Screen().line(f"{store.name}: " + (", ".join(f"v{v} {d}" for v, d in applied) or "已是最新 / up to date"))


@ledger_app.command("status")
def status(ledger: opt.LedgerOpt = None, json_out: opt.Json = False) -> None:
    """台账版本、批次数与净额（不存在的台账不会被创建）/ Version, runs, lines and net total."""
    from skillcli.cli.render import Screen, print_json
    from skillcli.ledger.store import Ledger
    from skillcli.money import format_yuan

    info = Ledger.open(ledger).status()
    if json_out:
        print_json(info)
        return
    screen = Screen()
    rows = [
        ["ledger", info["ledger"]],
        ["exists", "是" if info["exists"] else "否（skillcli ledger init）"],
        ["version", f"{info['version']} / {info['latest']}"],
    ]
    if "runs" in info:
        rows += [["runs", info["runs"]], ["lines", info["lines"]], ["net", format_yuan(info["net_fen"], grouping=True)]]
    screen.table(screen.t("台账状态", "Ledger status"), ["", ""], rows)


@ledger_app.command("runs")
def runs(ledger: opt.LedgerOpt = None, json_out: opt.Json = False) -> None:
    """列出已登记的批次 / List committed runs."""
    from skillcli.cli.render import Screen, print_json
    from skillcli.ledger.store import Ledger
    from skillcli.money import format_yuan

    store = Ledger.ready(ledger)
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
    force: Annotated[
        bool,
        typer.Option("--force", help="批次已导出代发或银行已支付时仍作废 / void a run already sent to the bank"),
    ] = False,
    ledger: opt.LedgerOpt = None,
) -> None:
    """作废一个批次：以负数冲销记录，原记录不删改 / Reverse a run with an audit record.

    A run whose lines were exported to the bank needs --force: the bank may have paid them, and
    what it paid is then reported as 已付待追回 (to recover).
    """
    from skillcli.cli.render import Screen
    from skillcli.errors import UsageError
    from skillcli.ledger.store import Ledger
    from skillcli.money import format_yuan
    from skillcli.report.funds import bank_exposure

    if not reason.strip():
        raise UsageError("作废必须写明原因", "a void needs a reason")
    store = Ledger.ready(ledger)
    store.run(run_id)  # an unknown run is a usage error before anything else
    seen = bank_exposure(store, run_id)
    said = (
        f"已导出代发 {seen['exported_count']} 笔 {format_yuan(seen['exported_fen'], grouping=True)} 元，"
        f"银行已确认支付 {seen['paid_count']} 笔 {format_yuan(seen['paid_fen'], grouping=True)} 元",
        f"{seen['exported_count']} bank lines exported ({format_yuan(seen['exported_fen'], grouping=True)} yuan),"
        f" {seen['paid_count']} confirmed paid by the bank ({format_yuan(seen['paid_fen'], grouping=True)} yuan)",
    )
    if seen["exported_count"] and not force:
        raise UsageError(
            f"批次 {run_id} {said[0]}；确需作废请加 --force（已付款项将列为已付待追回）",
            f"run {run_id}: {said[1]}; add --force to void it anyway (what was paid is reported as to recover)",
        )
    void_id = store.void(run_id, reason.strip())
    screen = Screen()
    screen.line(f"已作废 {run_id}，冲销记录 {void_id} / voided {run_id} by {void_id}")
    if seen["exported_count"]:
        screen.error(
            screen.t(
                f"{said[0]}；已付的 {format_yuan(seen['paid_fen'], grouping=True)} 元列为已付待追回",
                f"{said[1]}; the {format_yuan(seen['paid_fen'], grouping=True)} yuan paid is reported as to recover",
            )
        )


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
    store = Ledger.ready(ledger)
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
            [
                [d.line, d.rule, d.field, shown(d.field, d.committed), shown(d.field, d.replayed)]
                for d in result.differences
            ],
        )
    screen.line(
        screen.t(
            f"批次 {run_id}：{result.lines} 笔，"
            + (f"{len(result.differences)} 处不同" if result.differences else "重算结果逐分一致"),
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


@ledger_app.command("show")
def show(
    run_id: Annotated[str, typer.Argument(help="批次 / run")],
    out: opt.OutDir = None,
    ledger: opt.LedgerOpt = None,
    json_out: opt.Json = False,
) -> None:
    """显示一个批次；--out 从台账重新生成其发放表与 CSV / Show a run; --out regenerates its payout files."""
    from skillcli.cli.render import Screen, print_json
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.store import Ledger
    from skillcli.money import format_yuan
    from skillcli.report.regenerate import NOT_STORED, write_regenerated

    store = Ledger.ready(ledger)
    run = store.run(run_id)
    screen = Screen()
    screen.table(
        screen.t("批次", "Run"),
        ["", ""],
        [[k, run[k]] for k in ("run_id", "kind", "period", "policy_id", "line_count", "created_at")]
        + [["total", format_yuan(int(run["total_fen"]), grouping=True)]],
    )
    manifest = None
    if out is not None:
        with OutputSet(out, store.files) as outputs:
            manifest = write_regenerated(outputs, store, run_id)
            outputs.commit()
        screen.line(f"已由台账重新生成 {out}/payouts.xlsx、payouts.csv、manifest.json / regenerated from the ledger")
        screen.line("未存入台账、未生成 / not stored: " + "；".join(zh for zh, _ in NOT_STORED))
    if json_out:
        print_json({"run": run, "regenerated": manifest})
