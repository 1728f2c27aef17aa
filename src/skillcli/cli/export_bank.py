"""``skillcli export-bank``: the 代发 disbursement workbook of a committed run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillcli.cli import options as opt


def export_bank(
    run_id: Annotated[str, typer.Argument(help="批次号（见 skillcli ledger runs）/ run id")],
    *,
    out: Annotated[Path, typer.Option("--out", help="代发文件 .xlsx / output workbook")],
    ledger: opt.LedgerOpt = None,
    accounts: Annotated[
        Path | None,
        typer.Option("--accounts", help="企业/机构账户 CSV：payee_id,account,bank[,name] / accounts of payees"),
    ] = None,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
) -> None:
    """生成代发文件：每个收款方一行，按收款方类型分表 / Write the bank disbursement file of a run.

    Exit codes: 0 written, 1 written but some payees have no account, 2 usage error (unknown, void
    or voided run), 3 control total does not equal the run total, 4 output or ledger locked.
    """
    from skillcli.cli.render import Screen, print_json
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.store import Ledger
    from skillcli.money import format_yuan
    from skillcli.reconcile.export import build_export, check_exportable, load_accounts, record_export, write_export

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet)
    t = screen.t
    store = Ledger.open(ledger)
    store.ensure_ready(create=False)
    run = store.run(run_id)
    check_exportable(run)
    export = build_export(run, store.run_lines(run_id), load_accounts(accounts))
    with OutputSet(out.parent) as outputs:
        write_export(outputs.path(out.name), export)
        recorded = record_export(store, export)
        outputs.commit()
    rows = [
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
            t("合计（控制总额）", "total (control)"),
            export.payees.height,
            int(run["line_count"]),
            format_yuan(export.total_fen, grouping=True),
        ]
    )
    screen.table(
        t(f"代发文件 批次 {run_id}（{run['period']}）", f"Bank file for run {run_id} ({run['period']})"),
        [t("收款方类型", "payee type"), t("收款方", "payees"), t("笔数", "lines"), t("金额(元)", "yuan")],
        rows,
        justify=["left", "right", "right", "right"],
    )
    screen.line(
        t(
            f"控制总额 {format_yuan(export.total_fen, grouping=True)} 元 = 批次合计 "
            f"{format_yuan(int(run['total_fen']), grouping=True)} 元",
            f"control total {format_yuan(export.total_fen, grouping=True)} = run total "
            f"{format_yuan(int(run['total_fen']), grouping=True)} yuan",
        )
    )
    if export.missing_accounts:
        screen.error(
            t(
                f"{export.missing_accounts} 个收款方缺少账号（账号列为空），请用 --accounts 提供后重新导出",
                f"{export.missing_accounts} payees have no account (blank); supply them with --accounts",
            )
        )
    if export.zero_payees:
        screen.line(
            t(
                f"{export.zero_payees} 个收款方本次金额为 0（已全额预拨），未列入",
                f"{export.zero_payees} payees are owed 0 this run (fully advanced) and are not listed",
            )
        )
    screen.line(
        t(
            f"台账代发记录：新增 {recorded.new}，已有 {len(recorded.ids) - recorded.new}",
            f"ledger disbursements: {recorded.new} new, {len(recorded.ids) - recorded.new} already recorded",
        )
    )
    if recorded.changed_accounts:
        screen.line(
            t(
                f"注意：{recorded.changed_accounts} 个收款方的账号与首次导出不同，台账保留首次导出的账号",
                f"note: {recorded.changed_accounts} accounts differ from the first export; the ledger keeps the first",
            )
        )
    screen.line(t(f"已写出 {out}", f"wrote {out}"))
    if json_out:
        print_json(
            {
                "run_id": run_id,
                "period": run["period"],
                "file": str(out),
                "total_fen": export.total_fen,
                "run_total_fen": int(run["total_fen"]),
                "payees": export.payees.height,
                "by_payee_type": [
                    {"payee_type": p.value, "payees": f.height, "fen": int(f.get_column("amount_fen").sum())}
                    for p, f in export.by_type()
                ],
                "missing_accounts": export.missing_accounts,
                "zero_payees": export.zero_payees,
                "disbursement_ids": recorded.ids,
                "new_disbursements": recorded.new,
            }
        )
    raise typer.Exit(1 if export.missing_accounts else 0)
