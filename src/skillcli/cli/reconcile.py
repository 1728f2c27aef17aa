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
    from skillcli.cli.render import Screen
    from skillcli.ledger.store import Ledger


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

    from skillcli.cli.render import Screen, print_json
    from skillcli.errors import UsageError
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.queries import record_bank_events
    from skillcli.ledger.store import Ledger, now_text
    from skillcli.money import format_yuan
    from skillcli.reconcile.match import CLASS_ZH, CLASSES, event_rows
    from skillcli.reconcile.match import reconcile as match_return
    from skillcli.reconcile.output import control_rows, write_reconciliation
    from skillcli.reconcile.returns import read_return
    from skillcli.reconcile.scope import candidates

    screen = Screen(lang=lang, show_ids=show_ids, quiet=quiet)
    t = screen.t
    store = Ledger.ready(ledger)
    if str(return_file) == "undo":
        undo(screen, store, batch, json_out)
        return
    if batch is not None:
        raise UsageError(f"多余的参数「{batch}」", f"unexpected argument '{batch}'")
    if out is None and not dry_run:
        raise UsageError("请用 --out 指定输出目录（或 --dry-run 只看分类）", "--out is required (or --dry-run)")
    bank_return = read_return(return_file)
    allowed = candidates(store, bank_return, run or [])
    if allowed.disbursements.height == 0 and store.disbursements().height == 0:
        raise UsageError(
            "台账中没有已导出的代发记录，请先运行 skillcli export-bank",
            "the ledger has no exported disbursements; run skillcli export-bank first",
        )
    result = match_return(bank_return, allowed.disbursements, allowed.named or None)
    added = 0
    if out is not None and not dry_run:
        with OutputSet(out, [return_file]) as outputs:
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
    # Ten characters of the file's SHA-256 name the batch: too few digits in a row for the screen's
    # masking of phone and card numbers to hide them, enough to tell a year of returns apart.
    if dry_run:
        screen.line(t("试算（--dry-run）：台账与文件均未写入", "dry run: nothing written to the ledger or to files"))
    else:
        screen.line(
            t(
                f"批次 {'、'.join(result.runs) or '—'}；台账新增银行事件 {added} 条（回盘批次 "
                f"{bank_return.sha256[:10]}，撤销：skillcli reconcile undo {bank_return.sha256[:10]}）；"
                f"已写出 {out}/reconciliation.xlsx、reconciliation.csv",
                f"runs {', '.join(result.runs) or '-'}; {added} new bank events in the ledger (return batch "
                f"{bank_return.sha256[:10]}; to undo: skillcli reconcile undo {bank_return.sha256[:10]}); wrote "
                f"{out}/reconciliation.xlsx, reconciliation.csv",
            )
        )
    if allowed.settled:
        screen.line(
            t(
                f"另有 {allowed.settled} 笔此前已有其他回盘的结果（已付或失败），不再匹配",
                f"{allowed.settled} lines were answered by another return before (paid or failed); not matched again",
            )
        )
    if json_out:
        print_json(
            {
                "file": str(return_file),
                "sha256": bank_return.sha256,
                "runs": result.runs,
                "dry_run": dry_run,
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


def undo(screen: Screen, store: Ledger, batch: str | None, json_out: bool) -> None:
    """Cancel the live events one return file recorded, each by an ``undo`` event."""
    import polars as pl

    from skillcli.cli.render import print_json
    from skillcli.errors import UsageError
    from skillcli.ledger.queries import batch_events, undo_events
    from skillcli.ledger.store import now_text
    from skillcli.money import format_yuan
    from skillcli.reconcile.match import CLASS_ZH, EVENT_KIND

    t = screen.t
    if not batch or len(batch) < 8 or not all(c in "0123456789abcdef" for c in batch.lower()):
        raise UsageError(
            "用法：skillcli reconcile undo 回盘批次（对账时显示的至少 8 位）",
            "usage: skillcli reconcile undo BATCH (at least 8 characters; reconcile prints 10)",
        )
    found = batch_events(store, batch.lower())
    batches = sorted(set(found.get_column("batch").to_list()))
    if len(batches) != 1:
        raise UsageError(
            f"回盘批次 {batch}："
            + ("没有可撤销的银行事件" if not batches else f"对应 {len(batches)} 个回盘，请多写几位"),
            f"return batch {batch}: " + ("no bank events to undo" if not batches else f"{len(batches)} returns match"),
        )
    undone = undo_events(store, batches[0], now_text(), f"reconcile undo {batches[0]}")
    zh = {kind: CLASS_ZH[cls] for cls, kind in EVENT_KIND.items()}
    summary = found.group_by("kind").agg(pl.len().alias("n"), pl.col("amount_fen").fill_null(0).sum().alias("fen"))
    screen.table(
        t(f"撤销回盘批次 {batches[0][:10]} 的对账", f"Undo of return batch {batches[0][:10]}"),
        [t("类别", "class"), t("笔数", "lines"), t("回盘金额(元)", "yuan")],
        [
            [t(zh.get(r["kind"], r["kind"]), r["kind"]), r["n"], format_yuan(r["fen"], grouping=True)]
            for r in summary.sort("kind").iter_rows(named=True)
        ],
        justify=["left", "right", "right"],
    )
    screen.line(
        t(
            f"已撤销银行事件 {undone} 条（以冲销事件记录，原记录不删改）；可重新对账",
            f"{undone} bank events undone (by compensating events; nothing deleted); the return can be reconciled again",
        )
    )
    if json_out:
        print_json({"batch": batches[0], "events_undone": undone})
