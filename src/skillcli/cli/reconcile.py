"""``skillcli reconcile``: match the bank's return file (回盘) to the exported disbursements.

``skillcli reconcile undo BATCH`` reverses one earlier reconciliation (BATCH: the return file's
SHA-256, or its first characters as printed) by compensating events; nothing is deleted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from skillcli.cli import options as opt

if TYPE_CHECKING:
    import polars as pl

    from skillcli.api.cycle import ReconcileResult, UndoResult
    from skillcli.cli.render import Screen


def reconcile(
    return_file: Annotated[
        Path, typer.Argument(help="银行回盘文件 (.xlsx/.xls/.csv)，或 undo / the bank's return file, or undo")
    ],
    batch: Annotated[
        str | None, typer.Argument(help="undo 时：回盘批次（SHA-256 前若干位）/ with undo: the return's batch")
    ] = None,
    *,
    out: Annotated[Path | None, typer.Option("--out", help="输出目录 / output directory")] = None,
    ledger: opt.LedgerOpt = None,
    run: Annotated[
        list[str] | None,
        typer.Option("--run", help="回盘对应的批次（可多次；默认为未确认的批次）/ runs the return is for"),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只显示分类，不写台账、不写文件 / show the classes, write nothing")
    ] = False,
    json_out: opt.Json = False,
    lang: opt.Lang = "zh",
    show_ids: opt.ShowIds = False,
    quiet: opt.Quiet = False,
    limit: opt.Limit = 20,
) -> None:
    """回盘对账：已支付、失败待补发、金额不符、回盘有台账无、台账有回盘无、处理中 / Reconcile a bank return.

    Writes reconciliation.xlsx and reconciliation.csv, records one bank event per matched
    disbursement (once per return file) and prints the control totals; --dry-run writes nothing.
    ``reconcile undo BATCH`` cancels the events one return file recorded. Exit codes: 0 everything
    paid (or undone), 1 failures, mismatches, pending or unmatched lines, 2 usage error, unreadable
    file or a return whose stated totals differ from its lines, 3 control totals do not balance,
    4 output directory or ledger locked.
    """
    import polars as pl

    from skillcli.api import reconcile as reconcile_return
    from skillcli.api import reconcile_undo
    from skillcli.api.payloads import reconcile_payload, undo_payload
    from skillcli.cli.render import Screen, print_json
    from skillcli.errors import UsageError

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet, results=not json_out)
    if str(return_file) == "undo":
        undone = reconcile_undo(batch or "", ledger=ledger)
        _show_undo(screen, undone)
        if json_out:
            print_json(undo_payload(undone))
        return
    if batch is not None:
        raise UsageError(f"多余的参数「{batch}」", f"unexpected argument '{batch}'")
    result = reconcile_return(return_file, out, ledger=ledger, runs=run, dry_run=dry_run)
    _show(screen, result, result.items.filter(pl.col("class") != "paid").head(limit))
    if json_out:
        print_json(reconcile_payload(result, return_file, screen.mask))
    raise typer.Exit(0 if result.all_paid else 1)


def _show(screen: Screen, result: ReconcileResult, problems: pl.DataFrame) -> None:
    """The control totals, the items to act on, and what was written."""
    from skillcli.money import format_yuan
    from skillcli.reconcile.match import CLASS_ZH
    from skillcli.reconcile.output import control_rows

    t = screen.t
    out = result.out
    totals = result.totals_fen
    for words in result.notes:
        screen.note(t(*words))
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
    # Ten characters of the file's SHA-256 name the batch, enough to tell a year of returns apart;
    # more when those ten are all digits (ReconcileResult.batch), which the screen would mask.
    if result.dry_run:
        screen.line(t("试算（--dry-run）：台账与文件均未写入", "dry run: nothing written to the ledger or to files"))
    else:
        screen.line(
            t(
                f"批次 {'、'.join(result.runs) or '—'}；台账新增银行事件 {result.events_added} 条（回盘批次 "
                f"{result.batch}，撤销：skillcli reconcile undo {result.batch}）；"
                f"已写出 {out}/reconciliation.xlsx、reconciliation.csv",
                f"runs {', '.join(result.runs) or '-'}; {result.events_added} new bank events in the ledger (return batch "
                f"{result.batch}; to undo: skillcli reconcile undo {result.batch}); wrote "
                f"{out}/reconciliation.xlsx, reconciliation.csv",
            )
        )
    if result.settled:
        screen.line(
            t(
                f"另有 {result.settled} 笔此前已有其他回盘的结果（已付或失败），不再匹配",
                f"{result.settled} lines were answered by another return before (paid or failed); not matched again",
            )
        )


def _show_undo(screen: Screen, result: UndoResult) -> None:
    """What one reversed reconciliation had recorded, by class."""
    from skillcli.money import format_yuan
    from skillcli.reconcile.match import CLASS_ZH, EVENT_KIND

    t = screen.t
    batch = result.batch
    zh = {kind: CLASS_ZH[cls] for cls, kind in EVENT_KIND.items()}
    screen.table(
        t(f"撤销回盘批次 {batch[:10]} 的对账", f"Undo of return batch {batch[:10]}"),
        [t("类别", "class"), t("笔数", "lines"), t("回盘金额(元)", "yuan")],
        [
            [t(zh.get(r["kind"], r["kind"]), r["kind"]), r["lines"], format_yuan(r["fen"], grouping=True)]
            for r in result.by_kind.iter_rows(named=True)
        ],
        justify=["left", "right", "right"],
    )
    screen.line(
        t(
            f"已撤销银行事件 {result.events_undone} 条（以冲销事件记录，原记录不删改）；可重新对账",
            f"{result.events_undone} bank events undone (by compensating events; nothing deleted); the return can be"
            " reconciled again",
        )
    )
