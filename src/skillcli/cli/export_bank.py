"""``skillcli export-bank`` and ``skillcli reissue``: bank-ready 代发 files of a committed run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from skillcli.cli import options as opt

if TYPE_CHECKING:
    from skillcli.cli.render import Screen
    from skillcli.ledger.store import Ledger
    from skillcli.reconcile.export import BankFile, GivenAccounts

AccountsOpt = Annotated[
    Path | None,
    typer.Option(
        "--accounts",
        help="收款账户清单 CSV/xlsx：payee_id,account,bank[,name]（个人用身份证号码）/ payees' accounts",
    ),
]
EARLIER_SHOWN = 20
LayoutOpt = Annotated[
    str | None,
    typer.Option("--layout", help="代发模板：内置名称或 .toml 路径（默认 skillcli.toml [bank]）/ bank layout"),
]


def export_bank(
    run_id: Annotated[str, typer.Argument(help="批次号（见 skillcli ledger runs）/ run id")],
    *,
    out: Annotated[Path, typer.Option("--out", help="代发文件 .xlsx / output workbook")],
    ledger: opt.LedgerOpt = None,
    accounts: AccountsOpt = None,
    layout: LayoutOpt = None,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
) -> None:
    """生成代发文件：每个收款方一行，按收款方类型分表 / Write the bank disbursement file of a run.

    A payee the run already exported is never written again (a failed one: skillcli reissue).
    Exit codes: 0 written, 1 written but some payees have no account (sheet 缺账号待补), 2 usage error
    (unknown, void or voided run; file cannot be written — then nothing is recorded), 3 control total
    does not equal the run total, 4 output or ledger locked.
    """
    from skillcli.cli.render import Screen
    from skillcli.ledger.store import Ledger, now_text
    from skillcli.reconcile.export import build_export, load_accounts

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet)
    store = Ledger.ready(ledger)
    run = store.run(run_id)
    at = now_text()
    given = load_accounts(accounts)
    _rejected(screen, given)
    export = build_export(store, run, store.run_lines(run_id), given.frame, at)
    # A file with only the 缺账号待补 sheet is still written: it is the clerk's list of accounts to ask for.
    written = bool(export.sent.height or export.missing.height)
    ids = _record_and_write(screen, store, export, out, layout, at) if written else []
    _show(screen, export, ids, out, written=written)
    _json(json_out, export, ids, out, written=written)
    raise typer.Exit(1 if export.missing.height else 0)


def reissue(
    run_id: Annotated[str, typer.Argument(help="原批次号 / the run whose failed lines are paid again")],
    *,
    out: Annotated[Path, typer.Option("--out", help="补发文件 .xlsx / output workbook")],
    ledger: opt.LedgerOpt = None,
    accounts: AccountsOpt = None,
    layout: LayoutOpt = None,
    same_account: Annotated[
        bool,
        typer.Option(
            "--same-account", help="允许补发到银行退回的同一账号（如账户已解冻）/ reissue to the refused account"
        ),
    ] = False,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
) -> None:
    """补发：银行回盘失败且尚未补发的代发行，用各收款方最新账号 / Pay a run's failed bank lines again.

    The lines go into a new 补发 batch (its own 批次号) linked to the failed ones; its return
    reconciles like any other. The account the bank refused is used again only with --same-account.
    Exit codes: 0 written, 1 some lines still have no usable account (listed, in sheet 缺账号待补, not
    recorded), 2 usage error or nothing to reissue, 3 inconsistency, 4 locked.
    """
    from skillcli.cli.render import Screen
    from skillcli.errors import UsageError
    from skillcli.ledger.store import Ledger, now_text
    from skillcli.ledger.where import new_run_id
    from skillcli.reconcile.export import build_reissue, load_accounts

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet)
    store = Ledger.ready(ledger)
    run = store.run(run_id)
    at = now_text()
    given = load_accounts(accounts)
    _rejected(screen, given)
    export = build_reissue(store, run, given.frame, at, new_run_id(), same_account=same_account)
    if export.sent.height + export.missing.height == 0:
        raise UsageError(
            f"批次 {run_id} 没有待补发的失败代发行（银行回盘失败且尚未补发）",
            f"run {run_id} has no failed bank lines left to reissue",
        )
    ids = _record_and_write(screen, store, export, out, layout, at)
    _show(screen, export, ids, out, written=True)
    _json(json_out, export, ids, out, written=True)
    raise typer.Exit(1 if export.missing.height else 0)


def _rejected(screen: Screen, given: GivenAccounts) -> None:
    for zh, en in given.rejected:
        screen.error(screen.t(zh, en))


def _record_and_write(
    screen: Screen, store: Ledger, export: BankFile, out: Path, layout_name: str | None, at: str
) -> list[int]:
    """Write the file and record its lines in one ledger transaction (see ``record_bank_file``)."""
    from skillcli.config import load_config
    from skillcli.errors import OutputError, UsageError
    from skillcli.faults import pause
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.queries import record_bank_file
    from skillcli.reconcile.export import disbursement_rows, reissue_run, write_bank_file
    from skillcli.reconcile.layout import load_layout, payer

    config = load_config()
    layout = load_layout(config, layout_name)
    payer_block = payer(config)
    unset = [label for label, value in payer_block if value is None and label != "用途"]
    if layout.payer_block and unset and export.sent.height:
        # The bank needs the payer's account to take the file: say so rather than leave it blank silently.
        screen.error(
            screen.t(
                f"注意：skillcli.toml [payer] 未设置{'、'.join(unset)}，代发文件中该项为空",
                f"note: skillcli.toml [payer] lacks {', '.join(unset)}; left blank in the bank file",
            )
        )
    placed: list[Path] = []

    def place(ids: list[int]) -> None:
        with OutputSet(out.parent, store.files) as outputs:
            write_bank_file(outputs.path(out.name), export, ids, layout, payer_block, dt.date.today())
            placed.extend(outputs.commit())

    pause("bank-record")
    try:
        return record_bank_file(
            store,
            disbursement_rows=disbursement_rows(export, at),
            account_rows=export.new_accounts,
            reissue_run=reissue_run(export.run, export.batch_id, at) if export.reissue and export.sent.height else None,
            reissued=[(failed, export.run["run_id"]) for failed in export.failed_ids],
            place=place,
        )
    except (OSError, OutputError) as exc:
        for path in placed:
            path.unlink(missing_ok=True)
        # The output layer refuses some targets itself (a FIFO, an input) and turns a write failure
        # into OutputError: either way nothing was recorded, which the clerk must be told.
        why_zh = exc.message_zh if isinstance(exc, OutputError) else type(exc).__name__
        why_en = exc.message_en if isinstance(exc, OutputError) else type(exc).__name__
        raise UsageError(
            f"无法写出 {out}（{why_zh}），台账未记录任何代发行",
            f"cannot write {out} ({why_en}); nothing was recorded in the ledger",
        ) from None
    except BaseException:
        # The file is in place but the ledger did not commit: remove it, so that a file on disk
        # always means its lines are recorded.
        for path in placed:
            path.unlink(missing_ok=True)
        raise


def _show(screen: Screen, export: BankFile, ids: list[int], out: Path, *, written: bool) -> None:
    from skillcli.money import format_yuan
    from skillcli.text import mask_id

    t = screen.t
    run = export.run
    label = t("补发", "reissue") if export.reissue else t("代发", "bank file")
    rows: list[list[Any]] = [
        [
            p.label_zh,
            f.height,
            int(f.get_column("lines").sum()),
            format_yuan(int(f.get_column("amount_fen").sum()), grouping=True),
        ]
        for p, f in export.by_type()
    ]
    rows.append(
        [
            t("本次代发合计（控制总额）", "sent (control total)"),
            export.sent.height,
            "",
            format_yuan(export.sent_fen, grouping=True),
        ]
    )
    rows.append(
        [
            t("缺账号待补（未列入）", "no account (not sent)"),
            export.missing.height,
            "",
            format_yuan(export.missing_fen, grouping=True),
        ]
    )
    if not export.reissue:
        rows.append(
            [
                t("此前已导出（不再列入）", "exported before (not sent again)"),
                export.earlier.height,
                "",
                format_yuan(export.earlier_fen, grouping=True),
            ]
        )
    screen.table(
        t(f"{label} 批次 {export.batch_id}（{run['period']}）", f"{label} {export.batch_id} ({run['period']})"),
        [t("项目", "item"), t("收款方", "payees"), t("笔数", "lines"), t("金额(元)", "yuan")],
        rows,
        justify=["left", "right", "right", "right"],
    )
    if not export.reissue:
        screen.line(
            t(
                f"控制总额：本次 {format_yuan(export.sent_fen, grouping=True)} + 缺账号 "
                f"{format_yuan(export.missing_fen, grouping=True)} + 此前已导出 {format_yuan(export.earlier_fen, grouping=True)}"
                f" = 批次合计 {format_yuan(int(run['total_fen']), grouping=True)} 元",
                f"control: sent {format_yuan(export.sent_fen)} + no account {format_yuan(export.missing_fen)} + exported"
                f" before {format_yuan(export.earlier_fen)} = run total {format_yuan(int(run['total_fen']))} yuan",
            )
        )
    for r in export.missing.iter_rows(named=True):
        payee = r["payee_id"] if screen.show_ids else mask_id(r["payee_id"])
        why = t("无可用账号" if export.reissue else "缺少账号", "no usable account" if export.reissue else "no account")
        screen.error(
            t(
                f"{why}，未列入{label}：{r['holder']} {payee} {format_yuan(r['amount_fen'], grouping=True)} 元",
                f"{why}, not sent: {r['holder']} {payee} {format_yuan(r['amount_fen'])} yuan",
            )
        )
    if export.missing.height:
        screen.error(
            t(
                f"{export.missing.height} 个收款方缺少账号（见「缺账号待补」表），请用 --accounts 提供后重新运行",
                f"{export.missing.height} payees have no account (sheet 缺账号待补); supply them with --accounts",
            )
        )
    # Earlier payees need no action: the first ones are named, the rest counted.
    for r in export.earlier.head(EARLIER_SHOWN).iter_rows(named=True):
        screen.line(
            t(
                f"此前已导出，不再列入：{r['holder']} {format_yuan(r['amount_fen'], grouping=True)} 元（{r['status']}）",
                f"exported before, not sent again: {r['holder']} {format_yuan(r['amount_fen'])} yuan",
            )
        )
    if export.earlier.height > EARLIER_SHOWN:
        more = export.earlier.height - EARLIER_SHOWN
        screen.line(t(f"……另有 {more} 个此前已导出的收款方", f"… and {more} more exported before"))
    if export.zero_payees:
        screen.line(
            t(
                f"{export.zero_payees} 个收款方本次金额为 0（已全额预拨），未列入",
                f"{export.zero_payees} payees are owed 0 this run (fully advanced) and are not listed",
            )
        )
    if export.changed_accounts:
        screen.line(
            t(
                f"注意：{len(export.changed_accounts)} 个收款方的账号已更正，已记入台账，本文件使用新账号",
                f"note: {len(export.changed_accounts)} accounts were corrected; recorded, and this file uses them",
            )
        )
    if written:
        screen.line(t(f"台账代发记录：新增 {len(ids)}", f"ledger disbursements: {len(ids)} new"))
        screen.line(t(f"已写出 {out}", f"wrote {out}"))
    else:
        screen.line(t(f"没有可发送的新代发行，未写出 {out}", f"nothing new to send; {out} not written"))


def _json(enabled: bool, export: BankFile, ids: list[int], out: Path, *, written: bool) -> None:
    if not enabled:
        return
    from skillcli.cli.render import print_json

    run = export.run
    print_json(
        {
            "run_id": run["run_id"],
            "batch_id": export.batch_id,
            "period": run["period"],
            "file": str(out) if written else None,
            "total_fen": export.sent_fen,
            "missing_fen": export.missing_fen,
            "earlier_fen": export.earlier_fen,
            "run_total_fen": int(run["total_fen"]),
            "payees": export.sent.height,
            "by_payee_type": [
                {"payee_type": p.value, "payees": f.height, "fen": int(f.get_column("amount_fen").sum())}
                for p, f in export.by_type()
            ],
            "missing_accounts": export.missing.height,
            "earlier_payees": export.earlier.height,
            "zero_payees": export.zero_payees,
            "changed_accounts": len(export.changed_accounts),
            "disbursement_ids": ids,
            "new_disbursements": len(ids),
        }
    )
