"""``skillcli export-bank`` and ``skillcli reissue``: bank-ready 代发 files of a committed run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from skillcli.cli import options as opt

if TYPE_CHECKING:
    from skillcli.api.cycle import BankExportResult
    from skillcli.cli.render import Screen

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
    from skillcli.api import export_bank as export_run
    from skillcli.api.payloads import bank_file_payload
    from skillcli.cli.render import Screen, print_json

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet, results=not json_out)
    result = export_run(run_id, out, ledger=ledger, accounts=accounts, layout=layout, notify=_note(screen))
    _show(screen, result)
    if json_out:
        print_json(bank_file_payload(result))
    raise typer.Exit(0 if result.complete else 1)


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
    from skillcli.api import reissue as reissue_run
    from skillcli.api.payloads import bank_file_payload
    from skillcli.cli.render import Screen, print_json

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet, results=not json_out)
    result = reissue_run(
        run_id, out, ledger=ledger, accounts=accounts, layout=layout, same_account=same_account, notify=_note(screen)
    )
    _show(screen, result)
    if json_out:
        print_json(bank_file_payload(result))
    raise typer.Exit(0 if result.complete else 1)


def _note(screen: Screen) -> Callable[[tuple[str, str]], None]:
    """Show a note of the export (a rejected account, the payer unset) as soon as it is found."""

    def note(words: tuple[str, str]) -> None:
        screen.error(screen.t(*words))

    return note


def _show(screen: Screen, result: BankExportResult) -> None:
    from skillcli.money import format_yuan
    from skillcli.text import mask_id

    t = screen.t
    export, out = result.export, result.file
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
                f"control: sent {format_yuan(export.sent_fen, grouping=True)} + no account {format_yuan(export.missing_fen, grouping=True)} + exported"
                f" before {format_yuan(export.earlier_fen, grouping=True)} = run total {format_yuan(int(run['total_fen']), grouping=True)} yuan",
            )
        )
    for r in export.missing.iter_rows(named=True):
        # A person's ID is masked; an enterprise's or institution's 统一社会信用代码 is public, and the
        # clerk needs it whole to find the body's account.
        payee = r["payee_id"] if screen.show_ids or r["payee_type"] != "person" else mask_id(r["payee_id"])
        why = t("无可用账号" if export.reissue else "缺少账号", "no usable account" if export.reissue else "no account")
        screen.error(
            t(
                f"{why}，未列入{label}：{r['holder']} {payee} {format_yuan(r['amount_fen'], grouping=True)} 元",
                f"{why}, not sent: {r['holder']} {payee} {format_yuan(r['amount_fen'], grouping=True)} yuan",
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
                f"exported before, not sent again: {r['holder']} {format_yuan(r['amount_fen'], grouping=True)} yuan",
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
    if result.written:
        screen.line(
            t(
                f"台账代发记录：新增 {len(result.disbursement_ids)}",
                f"ledger disbursements: {len(result.disbursement_ids)} new",
            )
        )
        screen.line(t(f"已写出 {out}", f"wrote {out}"))
    else:
        screen.line(t(f"没有可发送的新代发行，未写出 {out}", f"nothing new to send; {out} not written"))
