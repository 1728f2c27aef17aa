"""What ``check``, ``payout`` and ``explain`` print once their library call has returned.

The commands parse options, call ``skillcli.api`` and hand the result here; the screen text of
each outcome is written once, apart from the parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from skillcli.cli.render import Screen

if TYPE_CHECKING:
    from skillcli.api.checks import CheckResult
    from skillcli.api.payouts import PayoutResult
    from skillcli.pipeline import Batch, Progress


@contextmanager
def reading(
    screen: Screen, count: int, show: Callable[[Batch], None]
) -> Iterator[tuple[Progress, Callable[[Batch], None]]]:
    """The progress bar while a batch is read, and the ``loaded`` callback that closes the bar and
    shows the batch: its summary appears as soon as it is read, before anything is decided."""
    with ExitStack() as stack:
        tick = stack.enter_context(screen.progress(count, screen.t("读取", "reading")))

        def loaded(batch: Batch) -> None:
            stack.close()
            show(batch)

        yield tick, loaded


def check_report(screen: Screen, result: CheckResult, *, json_out: bool) -> None:
    """The files written, the JSON payload when asked, and the count of errors and warnings."""
    out = result.out
    if out is not None:
        screen.line(
            screen.t(
                f"已写出 {out / 'exceptions.xlsx'} 和 exceptions.csv",
                f"wrote {out / 'exceptions.xlsx'} and exceptions.csv",
            )
        )
    if result.split_by is not None and out is not None:
        returns_report(screen, out, result.split_by, result.returns, contact=result.contact)
    ctx = result.batch.ctx
    if not ctx.period_given:
        # Which date the check used is part of the result: a class ending after it was reported as not
        # yet ended (date.after-today), and a batch of another month needs --period to be checked as such.
        screen.line(
            screen.t(
                f"未给 --period，按今天 {ctx.today} 核查结业日期；核查某一批次月份请加 --period YYYY-MM",
                f"no --period given: end dates were checked as of today, {ctx.today}; add --period YYYY-MM to"
                " check a batch month",
            )
        )
    if json_out:
        from skillcli.api.payloads import batch_payload
        from skillcli.cli.render import print_json

        print_json(batch_payload(result.batch, screen.mask))
    errors, warnings = result.errors, result.warnings
    screen.line(
        screen.t(f"错误 {errors} 条，警告 {warnings} 条", f"{errors} errors, {warnings} warnings"),
        style="bold red" if errors else "bold green",
    )


def returns_report(screen: Screen, out: Path, split_by: str, returns: tuple[str, ...], *, contact: bool) -> None:
    """How many return workbooks were written, and a note when their covers name no contact."""
    from skillcli.report.returns import SPLIT_BY

    screen.line(
        screen.t(
            f"已按{SPLIT_BY[split_by][2]}写出 {len(returns)} 份退回清单（{out}/退回_*.xlsx）",
            f"wrote {len(returns)} return workbooks, one per {split_by} ({out}/退回_*.xlsx)",
        )
    )
    if not contact:
        screen.note(
            screen.t(
                "退回清单封面没有联系人：如需写明，请在 skillcli.toml 的 [contact] 表中填写联系人和电话",
                "the returns' covers name no contact: add one in the [contact] table of skillcli.toml",
            )
        )


def payout_report(
    screen: Screen,
    result: PayoutResult,
    out: Path,
    limit: int,
    *,
    commit: bool,
    json_out: bool,
    split_by: str | None = None,
) -> None:
    """The decision's summary, what was recorded in (or read from) the ledger, the files written."""
    from skillcli.api.payloads import decision_payload
    from skillcli.cli.render import decision_summary, print_json

    decision = result.decision
    decision_summary(screen, decision, limit)
    name = result.ledger or ""
    if commit:
        screen.line(
            screen.t(
                f"已写入台账 {name}：批次 {result.run_id}，{decision.lines.height} 笔",
                f"committed to {name}: run {result.run_id}, {decision.lines.height} lines",
            )
            if result.run_id
            else screen.t(
                "没有新的应发记录，台账未写入（已发放的不重复发放）",
                "nothing new to commit; the ledger is unchanged (paid claims are not paid again)",
            )
        )
    else:
        screen.line(screen.t(*_ledger_read(result.ledger)))
    screen.line(
        screen.t(
            f"已写出 {out}/payouts.xlsx、payouts.csv、exceptions.csv、ineligible.csv、manifest.json",
            f"wrote {out}/payouts.xlsx, payouts.csv, exceptions.csv, ineligible.csv, manifest.json",
        )
    )
    if split_by is not None:
        returns_report(screen, out, split_by, result.returns, contact=result.contact)
    if json_out:
        print_json({**decision_payload(result.batch, decision, screen.mask), "ledger": result.ledger})


def _ledger_read(name: str | None) -> tuple[str, str]:
    """What a dry run says about history: which ledger it read, or that it read none."""
    if name is None:
        return (
            "未读取台账（未指定台账）：已发放、年度次数与预拨均未核对",
            "no ledger read (none is set): already-paid claims, yearly limits and advances were not checked",
        )
    return f"已读取台账 {name}", f"read the ledger {name}"
