"""Terminal output: Rich tables on a terminal, plain aligned text in a pipe or a cron log.

Everything human goes to stderr; stdout carries only ``--json``. ID and phone numbers are masked
in everything shown unless ``--show-ids`` is given (files written to ``--out`` carry them whole).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from skillcli.text import redact

if TYPE_CHECKING:
    from rich.console import Console

    from skillcli.pipeline import Batch


@dataclass
class Screen:
    """How this run talks to the person (or the log) on stderr."""

    lang: str = "zh"
    show_ids: bool = False
    quiet: bool = False
    _console: Console | None = field(default=None, repr=False)

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            console = Console(stderr=True, highlight=False, soft_wrap=False,
                              no_color=bool(os.environ.get("NO_COLOR")))
            if not console.is_terminal:
                # A log file has no width: keep each finding on one line for grep.
                console = Console(stderr=True, highlight=False, soft_wrap=True, no_color=True, width=400)
            self._console = console
        return self._console

    @property
    def tty(self) -> bool:
        return self.console.is_terminal

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def mask(self, text: object) -> str:
        value = "" if text is None else str(text)
        return value if self.show_ids else redact(value)

    def line(self, text: str, *, style: str = "") -> None:
        if self.quiet:
            return
        self.console.print(self.mask(text), style=style or None, markup=False, highlight=False)

    def error(self, text: str) -> None:
        """One line on stderr, printed even with --quiet."""
        self.console.print(self.mask(text), style="bold red", markup=False, highlight=False)

    def table(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
              *, justify: Sequence[str] | None = None) -> None:
        if self.quiet:
            return
        from rich import box
        from rich.table import Table

        table = Table(title=title if self.tty else None, box=box.SIMPLE_HEAD if self.tty else None,
                      show_edge=False, pad_edge=False, title_justify="left")
        for i, header in enumerate(headers):
            table.add_column(header, justify=(justify[i] if justify else "left"),  # type: ignore[arg-type]
                             overflow="fold")
        for row in rows:
            table.add_row(*(self.mask(v) for v in row))
        if not self.tty:
            self.console.print(title, markup=False, highlight=False)
        self.console.print(table)

    @contextmanager
    def progress(self, total: int, label: str) -> Iterator[Any]:
        """A progress bar on a terminal for multi-file or big batches; nothing in a log."""
        if self.quiet or not self.tty:
            yield lambda *_: None
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeElapsedColumn(), console=self.console, transient=True) as bar:
            task = bar.add_task(label, total=total)

            def advance(name: str, index: int, count: int) -> None:
                bar.update(task, completed=index, description=f"{label} {self.mask(os.path.basename(name))}")

            yield advance
            bar.update(task, completed=total)


def print_json(payload: dict[str, Any]) -> None:
    """The one thing written to stdout: deterministic, UTF-8, keys in insertion order."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def batch_summary(screen: Screen, batch: Batch, limit: int) -> None:
    """Files and sheets read, rows per kind, rows skipped, counts per code, the first findings."""
    from skillcli.model import SKIP_LABELS

    t = screen.t
    sheet_rows = []
    for summary in batch.files:
        for sheet in summary.sheets:
            sheet_rows.append([summary.path, sheet.sheet, sheet.kind.label_zh if sheet.kind else "",
                               sheet.header_row or "", sheet.rows, sum(sheet.skipped.as_dict().values())])
        for ignored in summary.ignored:
            sheet_rows.append([summary.path, ignored.sheet, t("忽略：", "ignored: ") + t(ignored.reason_zh, ignored.reason_en),
                               "", "", ""])
        if summary.format == "too-large":
            sheet_rows.append([summary.path, "", t("超过大小上限", "over the size limit"), "", "", ""])
    screen.table(t("读取的文件与工作表", "Files and sheets read"),
                 [t("文件", "file"), t("工作表", "sheet"), t("类型", "kind"), t("表头行", "header row"),
                  t("数据行", "rows"), t("跳过", "skipped")], sheet_rows, justify=["left"] * 3 + ["right"] * 3)
    skipped = {k: v for k, v in batch.skipped.as_dict().items() if v}
    if skipped:
        screen.line(t("跳过的行：", "Rows set aside: ") + ", ".join(
            f"{t(*SKIP_LABELS[k])} {v}" for k, v in skipped.items()))
    by_code = batch.counts_by_code
    if by_code:
        from skillcli.findings import CATALOGUE

        screen.table(t("问题统计", "Findings by code"), [t("代码", "code"), t("级别", "severity"), t("数量", "count"),
                                                     t("说明", "description")],
                     [[code, CATALOGUE[code].severity.value, n, _describe(screen, code)] for code, n in by_code.items()],
                     justify=["left", "left", "right", "left"])
        shown = batch.findings.head(limit)
        screen.table(t(f"前 {shown.height} 条问题（共 {batch.findings.height} 条）",
                       f"First {shown.height} of {batch.findings.height} findings"),
                     [t("工作表", "sheet"), t("行", "row"), t("列", "column"), t("代码", "code"), t("说明", "message")],
                     [[r["sheet"], r["row"] or "", r["column"], r["code"],
                       r["message_zh"] if screen.lang == "zh" else r["message_en"]]
                      for r in shown.iter_rows(named=True)], justify=["left", "right", "left", "left", "left"])


def _describe(screen: Screen, code: str) -> str:
    from skillcli.findings import CATALOGUE

    template = CATALOGUE[code].zh if screen.lang == "zh" else CATALOGUE[code].en
    return template.replace("{column}", "…").replace("{value}", "…").replace("{detail}", "…")


def decision_summary(screen: Screen, decision: Any, limit: int) -> None:
    """Counts, totals by subsidy, the first exceptions and the commonest reasons for ineligibility."""
    from skillcli.money import format_yuan
    from skillcli.report.payout import totals

    t = screen.t
    sums = totals(decision)
    counts = decision.counts
    screen.table(t("按补贴项目", "By subsidy"), [t("规则", "rule"), t("补贴项目", "subsidy"), t("笔数", "lines"),
                                             t("金额(元)", "yuan")],
                 [[s["rule"], s["subsidy"], s["lines"], format_yuan(s["fen"], grouping=True)] for s in sums["by_subsidy"]],
                 justify=["left", "left", "right", "right"])
    if decision.exceptions.height:
        shown = decision.exceptions.head(limit)
        screen.table(t(f"前 {shown.height} 条异常（共 {decision.exceptions.height} 条）",
                       f"First {shown.height} of {decision.exceptions.height} exceptions"),
                     [t("工作表", "sheet"), t("行", "row"), t("代码", "code"), t("说明", "message")],
                     [[r["sheet"], r["row"] or "", r["code"], r["message_zh"] if screen.lang == "zh" else r["message_en"]]
                      for r in shown.iter_rows(named=True)], justify=["left", "right", "left", "left"])
    if decision.ineligible.height:
        reasons = decision.ineligible.group_by("reason_code").len().sort(["len", "reason_code"],
                                                                        descending=[True, False]).head(limit)
        screen.table(t("不符合条件的原因", "Why rows are not eligible"), [t("原因代码", "reason"), t("行数", "rows")],
                     [[code, n] for code, n in reasons.iter_rows()], justify=["left", "right"])
    screen.line(
        t(f"花名册 {decision.derived.height} 行：发放 {counts['paid']}，异常 {counts['exception']}，不符合条件 "
          f"{counts['ineligible']}；本次发放 {sums['lines']} 笔，合计 {format_yuan(sums['total_fen'], grouping=True)} 元",
          f"{decision.derived.height} roster rows: paid {counts['paid']}, exceptions {counts['exception']}, "
          f"ineligible {counts['ineligible']}; {sums['lines']} lines totalling {format_yuan(sums['total_fen'], grouping=True)}"
          " yuan"),
        style="bold")
