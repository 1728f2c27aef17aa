"""``skillcli ledger init|status|migrate|runs|void|show``: the payment ledger (补贴资金发放台账)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated

import typer

from skillcli.cli import options as opt

if TYPE_CHECKING:
    pass

ledger_app = typer.Typer(help="补贴发放台账 / The payment ledger.", no_args_is_help=True)


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

    from skillcli.api import ledger_init
    from skillcli.cli.render import Screen
    from skillcli.config import CONFIG_NAME

    screen = Screen()
    result = ledger_init(path, ledger=ledger)
    screen.line(f"{result.ledger}: " + _applied(result.applied))
    # What the clerk must do next, or should know, is a note beside the result (stderr).
    if result.password_withheld:
        screen.note(
            screen.t(
                f"URL 含密码，未写入 {CONFIG_NAME}；请设置环境变量 SKILLCLI_LEDGER",
                f"the URL holds a password, so it was not written to {CONFIG_NAME}; set $SKILLCLI_LEDGER instead",
            )
        )
    if result.config is None:
        return
    written = f"ledger = {json.dumps(path, ensure_ascii=False)}"
    screen.line(screen.t(f"已在 {result.config} 写入 {written}", f"wrote {written} to {result.config}"))
    if result.shadowed is not None:
        screen.note(
            screen.t(
                f"注意：此目录下此后读取 {result.config}，不再读取 {result.shadowed}",
                f"note: this folder now reads {result.config} instead of {result.shadowed}",
            )
        )


def _applied(applied: tuple[tuple[int, str], ...]) -> str:
    return ", ".join(f"v{v} {d}" for v, d in applied) or "已是最新 / up to date"


@ledger_app.command("migrate")
def migrate(ledger: opt.LedgerOpt = None) -> None:
    """把台账迁移到最新版本 / Apply pending schema migrations."""
    from skillcli.api import ledger_migrate
    from skillcli.cli.render import Screen

    result = ledger_migrate(ledger)
    Screen().line(f"{result.ledger}: " + _applied(result.applied))


@ledger_app.command("status")
def status(ledger: opt.LedgerOpt = None, json_out: opt.Json = False, lang: opt.Lang = "zh") -> None:
    """台账版本、批次数与净额（不存在的台账不会被创建）/ Version, runs, lines and net total."""
    from skillcli.api import ledger_status
    from skillcli.cli.render import Screen, print_json
    from skillcli.money import format_yuan

    info = ledger_status(ledger)
    if json_out:
        print_json(info)
        return
    screen = Screen(lang=lang)
    t = screen.t
    rows = [
        [t("台账", "ledger"), info["ledger"]],
        [
            t("是否存在", "exists"),
            t("是", "yes") if info["exists"] else t("否（skillcli ledger init）", "no (skillcli ledger init)"),
        ],
        [t("版本 / 最新", "version / latest"), f"{info['version']} / {info['latest']}"],
    ]
    if "runs" in info:
        rows += [
            [t("批次数", "runs"), info["runs"]],
            [t("笔数", "lines"), info["lines"]],
            [t("净额(元)", "net"), format_yuan(info["net_fen"], grouping=True)],
        ]
    screen.table(t("台账状态", "Ledger status"), ["", ""], rows)


@ledger_app.command("runs")
def runs(ledger: opt.LedgerOpt = None, json_out: opt.Json = False, lang: opt.Lang = "zh") -> None:
    """列出已登记的批次 / List committed runs."""
    from skillcli.api import ledger_runs
    from skillcli.api.payloads import runs_payload
    from skillcli.cli.render import Screen, print_json
    from skillcli.money import format_yuan
    from skillcli.report.payout import beijing_time
    from skillcli.report.regenerate import RUN_KIND_ZH

    found = ledger_runs(ledger)
    if json_out:
        print_json(runs_payload(found))
        return
    screen = Screen(lang=lang)
    t = screen.t
    # The ledger keeps ISO UTC for machines; a person reads Beijing time, as in every other output.
    screen.table(
        t("批次", "Runs"),
        [
            t("批次号", "run"),
            t("类型", "kind"),
            t("月份", "period"),
            t("政策", "policy"),
            t("笔数", "lines"),
            t("合计(元)", "total"),
            t("已作废", "voided"),
            t("登记时间", "created"),
        ],
        [
            [
                r["run_id"],
                t(RUN_KIND_ZH.get(r["kind"], r["kind"]), r["kind"]),
                r["period"],
                r["policy_id"],
                r["line_count"],
                format_yuan(r["total_fen"], grouping=True),
                t("是", "yes") if r["voided"] else "",
                beijing_time(r["created_at"], lang),
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
    lang: opt.Lang = "zh",
) -> None:
    """作废一个批次：以负数冲销记录，原记录不删改 / Reverse a run with an audit record.

    A run whose lines were exported to the bank needs --force: the bank may have paid them, and
    what it paid is then reported as 已付待追回 (to recover).
    """
    from skillcli.api import ledger_void
    from skillcli.api.ledger import exposure_text
    from skillcli.cli.render import Screen
    from skillcli.money import format_yuan

    result = ledger_void(run_id, reason, force=force, ledger=ledger)
    seen = result.exposure
    screen = Screen(lang=lang)
    screen.line(screen.t(f"已作废 {run_id}，冲销记录 {result.void_id}", f"voided {run_id} by {result.void_id}"))
    if seen["exported_count"]:
        said = exposure_text(seen)
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
    from skillcli.api import ledger_replay
    from skillcli.api.payloads import replay_payload
    from skillcli.cli.render import Screen, print_json
    from skillcli.money import format_yuan
    from skillcli.replay import policy_note

    screen = Screen(lang=lang, show_ids=show_ids, results=not json_out)
    replayed = ledger_replay(run_id, ledger=ledger)
    result = replayed.replay
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
        print_json(replay_payload(replayed, screen.mask))
    raise typer.Exit(1 if result.differences else 0)


@ledger_app.command("show")
def show(
    run_id: Annotated[str, typer.Argument(help="批次 / run")],
    out: opt.OutDir = None,
    ledger: opt.LedgerOpt = None,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
) -> None:
    """显示一个批次；--out 从台账重新生成其发放表与 CSV / Show a run; --out regenerates its payout files.

    payouts.csv is written in --lang, as payout writes it: give the run's own --lang to get its
    payouts.csv back byte for byte."""
    from skillcli.api import ledger_show
    from skillcli.api.payloads import show_payload
    from skillcli.cli.render import Screen, print_json
    from skillcli.money import format_yuan
    from skillcli.report.regenerate import NOT_STORED

    result = ledger_show(run_id, out=out, ledger=ledger, lang=lang)
    run = result.run
    screen = Screen(results=not json_out)
    screen.table(
        screen.t("批次", "Run"),
        ["", ""],
        [[k, run[k]] for k in ("run_id", "kind", "period", "policy_id", "line_count", "created_at")]
        + [["total", format_yuan(int(run["total_fen"]), grouping=True)]],
    )
    if out is not None:
        screen.line(f"已由台账重新生成 {out}/payouts.xlsx、payouts.csv、manifest.json / regenerated from the ledger")
        screen.line("未存入台账、未生成 / not stored: " + "；".join(zh for zh, _ in NOT_STORED))
    if json_out:
        print_json(show_payload(result))
