"""``skillcli reconcile``: match the bank's return file (回盘) to the exported disbursements."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillcli.cli import options as opt


def reconcile(
    return_file: Annotated[Path, typer.Argument(help="银行回盘文件 (.xlsx/.xls/.csv) / the bank's return file")],
    *,
    out: Annotated[Path, typer.Option("--out", help="输出目录 / output directory")],
    ledger: opt.LedgerOpt = None,
    run: Annotated[
        list[str] | None,
        typer.Option("--run", help="回盘对应的批次（可多次；默认为匹配到的批次）/ runs the return is for"),
    ] = None,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
    limit: opt.Limit = 20,
) -> None:
    """回盘对账：已支付、失败待补发、金额不符、回盘有台账无、台账有回盘无、处理中 / Reconcile a bank return.

    Writes reconciliation.xlsx and reconciliation.csv, records one bank event per matched
    disbursement (once per return file) and prints the control totals. Exit codes: 0 everything
    paid, 1 failures, mismatches, pending or unmatched lines, 2 usage error or unreadable file,
    3 control totals do not balance, 4 output directory or ledger locked.
    """
    import polars as pl

    from skillcli.cli.render import Screen, print_json
    from skillcli.errors import UsageError
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.queries import bank_events, bank_runs, disbursements, record_bank_events, reissue_links
    from skillcli.ledger.store import Ledger, now_text
    from skillcli.money import format_yuan
    from skillcli.reconcile.export import check_exportable
    from skillcli.reconcile.match import CLASS_ZH, CLASSES, event_rows
    from skillcli.reconcile.match import reconcile as match_return
    from skillcli.reconcile.output import control_rows, write_reconciliation
    from skillcli.reconcile.returns import read_return

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet)
    t = screen.t
    store = Ledger.open(ledger)
    store.ensure_ready(create=False)
    bank_return = read_return(return_file)
    # A reissue (补发) file carries its own 批次号; its return answers the reissue run's lines.
    live_ids = {r["run_id"] for r in bank_runs(store.runs())}
    for run_id in run or []:
        check_exportable(store.run(run_id), reissue_ok=True)
    named = set(bank_return.frame.get_column("batch").drop_nulls().to_list()) & live_ids
    scope = sorted(set(run or []) | named)
    # A bank line that was reissued is superseded by its reissue: a return can only answer the reissue
    # (with --same-account both carry the same account and amount; the older one must not take it).
    superseded = sorted(reissue_links(store))
    exported = disbursements(store).filter(
        pl.col("run_id").is_in(sorted(live_ids)) & ~pl.col("disb_id").is_in(superseded)
    )
    if exported.height == 0:
        raise UsageError(
            "台账中没有已导出的代发记录，请先运行 skillcli export-bank",
            "the ledger has no exported disbursements; run skillcli export-bank first",
        )
    events = bank_events(store, exported.get_column("disb_id").to_list())
    result = match_return(bank_return, exported, events, scope or None)
    with OutputSet(out) as outputs:
        write_reconciliation(outputs, result)
        added = record_bank_events(store, bank_return.sha256, event_rows(result, now_text()))
        outputs.commit()

    totals = result.totals
    screen.table(
        t("对账控制数", "Control totals"),
        [t("项目", "item"), t("笔数", "lines"), t("金额(元)", "yuan")],
        [[label, n, format_yuan(fen, grouping=True)] for label, n, fen in control_rows(totals)],
        justify=["left", "right", "right"],
    )
    screen.line(
        t(
            f"平衡：导出 {format_yuan(totals['exported_fen'], grouping=True)} = 已支付 + 失败 + 金额不符 + "
            f"未回盘 + 处理中；回盘 {format_yuan(totals['return_fen'], grouping=True)} = 已匹配 + 回盘有台账无",
            f"balanced: exported {format_yuan(totals['exported_fen'], grouping=True)} = paid + failed + mismatch"
            f" + missing + pending; return {format_yuan(totals['return_fen'], grouping=True)} = matched + "
            "unmatched",
        )
    )
    problems = result.items.filter(pl.col("class") != "paid").head(limit)
    if problems.height:
        screen.table(
            t(f"需处理的 {problems.height} 项", f"{problems.height} items to act on"),
            [
                t("类别", "class"),
                t("户名", "name"),
                t("账号", "account"),
                t("台账", "ledger"),
                t("回盘", "return"),
                t("原因", "reason"),
            ],
            [
                [
                    t(CLASS_ZH[r["class"]], r["class"]),
                    r["payee_name"] or r["return_name"] or "",
                    r["account"] or r["return_account"] or "",
                    format_yuan(r["ledger_fen"], grouping=True) if r["ledger_fen"] is not None else "",
                    format_yuan(r["return_fen"], grouping=True) if r["return_fen"] is not None else "",
                    r["reason"] or r["note"] or "",
                ]
                for r in problems.iter_rows(named=True)
            ],
        )
    screen.line(
        t(
            f"批次 {'、'.join(result.runs) or '—'}；台账新增银行事件 {added} 条；"
            f"已写出 {out}/reconciliation.xlsx、reconciliation.csv",
            f"runs {', '.join(result.runs) or '-'}; {added} new bank events in the ledger; wrote "
            f"{out}/reconciliation.xlsx, reconciliation.csv",
        )
    )
    if json_out:
        print_json(
            {
                "file": str(return_file),
                "sha256": bank_return.sha256,
                "runs": result.runs,
                "totals_fen": totals,
                "counts": {c: result.of(c).height for c in CLASSES},
                "events_added": added,
                "items": [
                    {
                        k: (screen.mask(v) if k in ("payee_id", "account", "return_account", "return_id") and v else v)
                        for k, v in r.items()
                    }
                    for r in result.items.iter_rows(named=True)
                ],
            }
        )
    raise typer.Exit(0 if result.all_paid else 1)
