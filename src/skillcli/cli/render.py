"""Terminal output: Rich tables on a terminal, plain aligned text in a pipe or a cron log.

A command's result (its tables and summary lines) goes to stdout, so that ``skillcli payout … > report.txt``
keeps it; progress, notes, hints and errors go to stderr; with ``--json`` stdout carries only the JSON and
everything human goes to stderr. ID and phone numbers are masked
in everything shown unless ``--show-ids`` is given (files written to ``--out`` carry them whole).
"""

from __future__ import annotations

import codecs
import io
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillcli.text import json_visible, shown

if TYPE_CHECKING:
    from rich.console import Console

    from skillcli.pipeline import Batch


LOG_FILE: list[str] = []  # set by ``--log-file`` on the root command


@dataclass
class Screen:
    """How this run talks to the person (or the log).

    Progress, notes and errors go to stderr. With ``results`` (the default) the result itself (its
    tables and summary lines) goes to stdout, so that ``skillcli check … > report.txt`` keeps it; a
    command printing JSON passes ``results=not json_out``, which keeps stdout pure JSON.

    With ``--log-file`` every line and table also goes, masked and without colour, to that file
    (appended, one run after another, each headed by its start time) — even with ``--quiet``.
    """

    lang: str = "zh"
    show_ids: bool = False
    quiet: bool = False
    results: bool = True
    _console: Console | None = field(default=None, repr=False)
    _out: Console | None = field(default=None, repr=False)
    _log: Console | None = field(default=None, repr=False)

    @property
    def log(self) -> Console | None:
        if self._log is None and LOG_FILE:
            import datetime as dt

            from rich.console import Console

            handle = open(LOG_FILE[0], "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the run
            self._log = Console(file=handle, no_color=True, width=400, soft_wrap=True, highlight=False)
            self._log.print(f"== skillcli {dt.datetime.now().isoformat(timespec='seconds')} ==", markup=False)
        return self._log

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            console = Console(stderr=True, highlight=False, soft_wrap=False, no_color=bool(os.environ.get("NO_COLOR")))
            if not console.is_terminal:
                # A log file has no width: keep each finding on one line for grep.
                console = Console(stderr=True, highlight=False, soft_wrap=True, no_color=True, width=400)
            self._console = console
        return self._console

    @property
    def out(self) -> Console:
        """Where the result is printed: stdout with ``results``, else stderr with everything else."""
        if not self.results:
            return self.console
        if self._out is None:
            from rich.console import Console

            console = Console(highlight=False, soft_wrap=False, no_color=bool(os.environ.get("NO_COLOR")))
            if not console.is_terminal:
                # A file has no width: keep each finding on one line for grep.
                console = Console(highlight=False, soft_wrap=True, no_color=True, width=400)
            self._out = console
        return self._out

    @property
    def tty(self) -> bool:
        return self.console.is_terminal

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def mask(self, text: object) -> str:
        return shown(text, show_ids=self.show_ids)

    def line(self, text: str, *, style: str = "") -> None:
        if self.log is not None:
            self.log.print(shown(text), markup=False, highlight=False)
        if self.quiet:
            return
        self.out.print(self.mask(text), style=style or None, markup=False, highlight=False)

    def note(self, text: str) -> None:
        """A line about the run rather than its result (a setting missing, a hint): on stderr."""
        if self.log is not None:
            self.log.print(shown(text), markup=False, highlight=False)
        if self.quiet:
            return
        self.console.print(self.mask(text), markup=False, highlight=False)

    def error(self, text: str) -> None:
        """One line on stderr, printed even with --quiet."""
        if self.log is not None:
            self.log.print(shown(text), markup=False, highlight=False)
        self.console.print(self.mask(text), style="bold red", markup=False, highlight=False)

    def table(
        self, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, justify: Sequence[str] | None = None
    ) -> None:
        if self.log is not None:
            self._plain_table(self.log, title, headers, rows, justify)
        if self.quiet:
            return
        from rich import box
        from rich.table import Table
        from rich.text import Text

        # Cells are Text, never markup: "[link=…]" in a cell would otherwise become a terminal
        # hyperlink escape, and "[/]" in a name would break the table.
        out = self.out
        table = Table(
            title=Text(shown(title)) if out.is_terminal else None,
            box=box.SIMPLE_HEAD if out.is_terminal else None,
            show_edge=False,
            pad_edge=False,
            title_justify="left",
        )
        for i, header in enumerate(headers):
            table.add_column(
                Text(shown(header)),
                justify=(justify[i] if justify else "left"),  # type: ignore[arg-type]
                overflow="fold",
            )
        from rich.text import Text

        # Cells are plain text: a value such as 「[columns]」 or 「[b]」 must print as written, not as markup.
        for row in rows:
            table.add_row(*(Text(self.mask(v)) for v in row))
        if not out.is_terminal:
            out.print(shown(title), markup=False, highlight=False)
        out.print(table)

    def _plain_table(
        self,
        console: Console,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        justify: Sequence[str] | None,
    ) -> None:
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, show_edge=False, pad_edge=False)
        for i, header in enumerate(headers):
            table.add_column(Text(shown(header)), justify=(justify[i] if justify else "left"))  # type: ignore[arg-type]
        for row in rows:
            table.add_row(*(Text(shown(v)) for v in row))
        console.print(shown(title), markup=False, highlight=False)
        console.print(table)

    @contextmanager
    def progress(self, total: int, label: str) -> Iterator[Any]:
        """A progress bar on a terminal for multi-file or big batches; nothing in a log."""
        if self.quiet or not self.tty:
            yield lambda *_: None
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        ) as bar:
            task = bar.add_task(label, total=total)

            def advance(name: str, index: int, count: int) -> None:
                bar.update(task, completed=index, description=f"{label} {self.mask(os.path.basename(name))}")

            yield advance
            bar.update(task, completed=total)


def _not_utf8(stream: object) -> io.TextIOWrapper | None:
    """The stream, if it is a text stream whose encoding cannot hold every character."""
    if isinstance(stream, io.TextIOWrapper) and codecs.lookup(stream.encoding).name != "utf-8":
        return stream
    return None


def survive_code_pages() -> None:
    """Console output that no character can break.

    A Windows console in code page 936 (GBK), or a pipe or file on a Chinese Windows, cannot encode
    every character a roster may hold (𠀀, emoji). Both streams write such a character escaped
    (``\\U00020000``, Python's default on stderr, kept even if PYTHONIOENCODING asks for strict): stdout
    carries ``check``'s result, where a name must not silently turn into ``?``.
    """
    if (stdout := _not_utf8(sys.stdout)) is not None:
        stdout.reconfigure(errors="backslashreplace")
    if (stderr := _not_utf8(sys.stderr)) is not None and stderr.errors == "strict":
        stderr.reconfigure(errors="backslashreplace")


def print_json(payload: dict[str, Any]) -> None:
    """The one thing written to stdout: deterministic, UTF-8 whatever the console's code page (a file
    that another program reads, where a ``?`` for an unencodable name would be silent damage), keys in
    insertion order."""
    if (stdout := _not_utf8(sys.stdout)) is not None:
        stdout.reconfigure(encoding="utf-8", errors="strict")
    sys.stdout.write(json_visible(json.dumps(payload, ensure_ascii=False, indent=2, default=str)) + "\n")
    sys.stdout.flush()


def batch_summary(screen: Screen, batch: Batch, limit: int, *, full_list: Path | None = None) -> None:
    """Files and sheets read, rows per kind, rows skipped, counts per code, the first findings."""
    from skillcli.model import SKIP_LABELS

    t = screen.t
    sheet_rows = []
    for summary in batch.files:
        for sheet in summary.sheets:
            kind = t(sheet.kind.label_zh, sheet.kind.value) if sheet.kind else ""
            sheet_rows.append(
                [
                    summary.path,
                    sheet.sheet,
                    kind,
                    sheet.header_row or "",
                    sheet.rows,
                    sum(sheet.skipped.as_dict().values()),
                ]
            )
        for ignored in summary.ignored:
            sheet_rows.append(
                [
                    summary.path,
                    ignored.sheet,
                    t("忽略：", "ignored: ") + t(ignored.reason_zh, ignored.reason_en),
                    "",
                    "",
                    "",
                ]
            )
        if summary.format == "too-large":
            sheet_rows.append([summary.path, "", t("超过大小上限", "over the size limit"), "", "", ""])
    screen.table(
        t("读取的文件与工作表", "Files and sheets read"),
        [
            t("文件", "file"),
            t("工作表", "sheet"),
            t("类型", "kind"),
            t("表头行", "header row"),
            t("数据行", "rows"),
            t("跳过", "skipped"),
        ],
        sheet_rows,
        justify=["left"] * 3 + ["right"] * 3,
    )
    skipped = {k: v for k, v in batch.skipped.as_dict().items() if v}
    if skipped:
        screen.line(
            t("跳过的行：", "Rows set aside: ") + ", ".join(f"{t(*SKIP_LABELS[k])} {v}" for k, v in skipped.items())
        )
    if batch.findings.height:
        finding_tables(screen, batch, limit, full_list)


def finding_tables(screen: Screen, batch: Batch, limit: int, full_list: Path | None = None) -> None:
    """The findings as a clerk reads them: one line per problem with its count and an example, then
    the first rows (file column when several files were read, the trainee's name beside the masked
    ID), then where the full list is. Codes are shown in English only; Chinese reads without them."""
    import polars as pl

    t = screen.t
    zh = screen.lang == "zh"
    message = "message_zh" if zh else "message_en"
    severity = {"error": t("错误", "error"), "warning": t("警告", "warning")}
    groups = (
        batch.findings.with_columns(pl.int_range(pl.len()).alias("__order"))
        .group_by("code", maintain_order=True)
        .agg(pl.len().alias("n"), pl.col("severity").first(), pl.col(message).first().alias("example"))
        .sort(["n", "code"], descending=[True, False])
    )
    screen.table(
        t("按问题统计", "Findings by problem"),
        [
            *([] if zh else ["code"]),
            t("级别", "severity"),
            t("数量", "count"),
            t("问题（举一例）", "problem (one example)"),
        ],
        [
            [*([] if zh else [r["code"]]), severity.get(r["severity"], r["severity"]), r["n"], r["example"]]
            for r in groups.iter_rows(named=True)
        ],
        justify=[*([] if zh else ["left"]), "left", "right", "left"],
    )
    from skillcli.report.exceptions import with_names, with_shown_ids

    # An ID Excel stored as a number shows as Excel shows it (3.20506E+17), as in every file: the
    # digits read back look like a real ID and are not the person's.
    shown = with_shown_ids(with_names(batch.findings.head(limit), batch.raw), batch.findings)
    several_files = len(batch.files) > 1
    headers = [
        *([t("文件", "file")] if several_files else []),
        t("工作表", "sheet"),
        t("行", "row"),
        t("列", "column"),
        t("姓名", "name"),
        t("身份证号码", "ID"),
        *([] if zh else ["code"]),
        t("问题", "problem"),
    ]
    rows = [
        [
            *([Path(r["file"]).name] if several_files else []),
            r["sheet"],
            r["row"] or "",
            r["column"],
            r["name"] or "",
            r["person_id"],
            *([] if zh else [r["code"]]),
            r[message],
        ]
        for r in shown.iter_rows(named=True)
    ]
    screen.table(
        t(
            f"前 {shown.height} 条问题（共 {batch.findings.height} 条）",
            f"First {shown.height} of {batch.findings.height} findings",
        ),
        headers,
        rows,
        justify=[
            *(["left"] if several_files else []),
            "left",
            "right",
            *(["left"] * (len(headers) - 2 - several_files)),
        ],
    )
    rest = batch.findings.height - shown.height
    if rest and full_list is not None:
        screen.line(
            t(
                f"另有 {rest} 条未列出，完整列表见 {full_list}",
                f"{rest} more not listed; the full list is in {full_list}",
            )
        )
    elif rest:
        screen.line(
            t(
                f"另有 {rest} 条未列出。完整列表：skillcli check 加 --out 目录 写出 exceptions.xlsx，"
                f"或加 --limit {batch.findings.height}",
                f"{rest} more not listed. The full list: skillcli check with --out DIR writes exceptions.xlsx; "
                f"or add --limit {batch.findings.height}",
            )
        )


def decision_summary(screen: Screen, decision: Any, limit: int) -> None:
    """Counts, totals by subsidy, the first exceptions and the commonest reasons for ineligibility."""
    import polars as pl

    from skillcli.money import format_yuan
    from skillcli.report.payout import totals

    t = screen.t
    zh = screen.lang == "zh"
    sums = totals(decision)
    counts = decision.counts
    screen.table(
        t("按补贴项目", "By subsidy"),
        [t("规则", "rule"), t("补贴项目", "subsidy"), t("笔数", "lines"), t("金额(元)", "yuan")],
        [[s["rule"], s["subsidy"], s["lines"], format_yuan(s["fen"], grouping=True)] for s in sums["by_subsidy"]],
        justify=["left", "left", "right", "right"],
    )
    if decision.exceptions.height:
        shown = decision.exceptions.head(limit)
        # As in check: with several input files a sheet name alone (Sheet1) does not say where a row is.
        files = {*decision.status.get_column("_file").to_list(), *decision.exceptions.get_column("file").to_list()}
        several_files = len(files - {""}) > 1
        screen.table(
            t(
                f"前 {shown.height} 条异常（共 {decision.exceptions.height} 条）",
                f"First {shown.height} of {decision.exceptions.height} exceptions",
            ),
            # Chinese reads without codes (a clerk acts on the sentence); English keeps them.
            [
                *([t("文件", "file")] if several_files else []),
                t("工作表", "sheet"),
                t("行", "row"),
                *([] if zh else ["code"]),
                t("说明", "message"),
            ],
            [
                [
                    *([Path(r["file"]).name] if several_files else []),
                    r["sheet"],
                    r["row"] or "",
                    *([] if zh else [r["code"]]),
                    r["message_zh"] if zh else r["message_en"],
                ]
                for r in shown.iter_rows(named=True)
            ],
            justify=[*(["left"] if several_files else []), "left", "right", *([] if zh else ["left"]), "left"],
        )
    if decision.ineligible.height:
        reasons = (
            decision.ineligible.group_by("reason_code")
            .agg(pl.len().alias("n"), pl.col("reason").first())
            .sort(["n", "reason_code"], descending=[True, False])
            .head(limit)
        )
        screen.table(
            t("不符合条件的原因", "Why rows are not eligible"),
            [t("行数", "rows"), t("原因（举一例）", "reason (one example)")] if zh else ["reason", "rows"],
            [[n, reason] if zh else [code, n] for code, n, reason in reasons.iter_rows()],
            justify=["right", "left"] if zh else ["left", "right"],
        )
    _catalogue_hint(screen, decision)
    for note in decision.warnings.iter_rows(named=True):
        # A blank note is about one sheet of one file: say which, as the clerk opens it (a note on a
        # column no sheet has is about the whole batch).
        blank = note["code"] in ("payout.blank-read-as", "payout.absent-read-as") and note["sheet"]
        where = f"{Path(note['file']).name}「{note['sheet']}」" if blank else ""
        where_en = f"{Path(note['file']).name}, sheet {note['sheet']}" if blank else ""
        screen.line(
            t(
                f"提示：{where + '：' if where else ''}{note['message_zh']}",
                f"note: {where_en + ': ' if where_en else ''}{note['message_en']}",
            )
        )
    screen.line(
        t(
            f"花名册 {decision.derived.height} 行：发放 {counts['paid']}，异常 {counts['exception']}，不符合条件 "
            f"{counts['ineligible']}；本次发放 {sums['lines']} 笔，合计 {format_yuan(sums['total_fen'], grouping=True)} 元",
            f"{decision.derived.height} roster rows: paid {counts['paid']}, exceptions {counts['exception']}, "
            f"ineligible {counts['ineligible']}; {sums['lines']} lines totalling {format_yuan(sums['total_fen'], grouping=True)}"
            " yuan",
        ),
        style="bold",
    )


def _catalogue_hint(screen: Screen, decision: Any) -> None:
    """How to give the program a catalogue the rows were not found in: the files say what to get
    (the year's catalogue), the screen, read by whoever runs skillcli, names the option."""
    import polars as pl

    unlisted = decision.exceptions.filter(pl.col("code") == "payout.no-catalogue-rate")
    if unlisted.height == 0:
        return
    params = sorted({r.amount.rate.catalogue_param for r in decision.policy.rules if r.amount.rate.catalogue_param})
    said = "\n".join(unlisted.get_column("message_zh").to_list())
    for name in [p for p in params if p in said] or params:
        screen.line(
            screen.t(
                f"提示：{unlisted.height} 行的职业不在补贴目录中；取得当年目录后，用 --param {name}=职业:金额"
                f"（或 --param {name}=@目录文件）提供并重新计算",
                f"note: {unlisted.height} rows' occupations are not in the subsidy catalogue; once you have the"
                f" year's catalogue, give it with --param {name}=occupation:amount (or --param {name}=@file) and run"
                " again",
            )
        )


def show_policy(screen: Screen, policy: Any) -> None:
    """``rules show``: the policy's source, parameters, eligibility, limits and rules with clauses."""
    from skillcli.rules.describe import condition_text

    t = screen.t
    screen.table(
        t("政策", "Policy"),
        [t("项目", "item"), t("内容", "value")],
        [
            ["id", policy.id],
            [t("名称", "title"), policy.title],
            [t("地区", "region"), policy.region],
            [t("依据", "source"), " ".join(f"{k}: {v}" for k, v in policy.document.items())],
            [t("有效期", "effective"), f"{policy.effective_from}～{policy.effective_to or ''}"],
            [t("复核日期", "reviewed"), str(policy.reviewed or "")],
            ["SHA-256", policy.sha256],
        ],
    )
    screen.table(
        t("参数", "Parameters"),
        [t("名称", "name"), t("值", "value"), t("假设", "assumption"), t("条款", "clause"), t("说明", "doc")],
        [
            [p.name, str(p.value) + (" *" if p.overridden else ""), "是" if p.assumption else "", p.clause, p.doc]
            for p in policy.parameters.values()
        ],
    )
    # ``if_absent: hold``: a batch without the column holds the rows instead of skipping the condition.
    held = t("（无此列时暂不发放）", " (held if no sheet has the column)")
    requirement_rows = [
        [
            req.id,
            req.clause,
            "；".join(condition_text(c) for c in req.when) or "—",
            "；".join(condition_text(c) for c in req.require) + (held if req.hold_if_absent else ""),
            req.reason_zh,
        ]
        for req in policy.eligibility
    ]
    screen.table(
        t("全体适用条件", "Eligibility for every rule"),
        [t("编号", "id"), t("条款", "clause"), t("适用于", "when"), t("要求", "require"), t("理由", "reason")],
        requirement_rows,
    )
    limits = policy.limits
    limit_rows = []
    if limits.yearly_max is not None:
        limit_rows.append(
            [
                limits.yearly_id,
                limits.yearly_clause,
                t(f"每人每年不超过 {limits.yearly_max} 次", f"at most {limits.yearly_max} per person per year"),
            ]
        )
    if limits.no_repeat:
        limit_rows.append(
            [
                limits.no_repeat_id,
                limits.no_repeat_clause,
                t(f"同一职业同一等级不重复（{limits.no_repeat_window}）", f"no repeat ({limits.no_repeat_window})"),
            ]
        )
    limit_rows += [
        [ident, clause, t("不可同时享受：", "exclusive: ") + "、".join(rules)]
        for ident, clause, rules in limits.exclusive
    ]
    if limits.advance_id:
        share = f"{limits.advance_max_share}" if limits.advance_max_share is not None else ""
        limit_rows.append(
            [
                limits.advance_id,
                limits.advance_clause,
                t(f"允许预拨 {share}", f"advance allowed {share}")
                if limits.advance_allowed
                else t("不允许预拨", "no advances"),
            ]
        )
    screen.table(t("限制", "Limits"), [t("编号", "id"), t("条款", "clause"), t("内容", "rule")], limit_rows)
    screen.table(
        t("规则", "Rules"),
        [
            t("编号", "id"),
            t("补贴", "subsidy"),
            t("条款", "clause"),
            t("适用", "scope"),
            t("要求", "require"),
            t("金额", "amount"),
            t("收款方", "payee"),
        ],
        [
            [
                r.id,
                r.subsidy,
                r.clause,
                "；".join(condition_text(c) for c in r.scope),
                "；".join(
                    "；".join(condition_text(c) for c in req.require) + (held if req.hold_if_absent else "")
                    for req in r.require
                )
                or "—",
                f"{r.amount.form}: {r.amount.rate.describe()}",
                r.payee + (t("（可预拨：", " (advance: ") + "、".join(r.advance) + t("）", ")") if r.advance else ""),
            ]
            for r in policy.rules
        ],
    )
    # The readings table (口径): how the office reads what the document leaves open, for every user.
    screen.table(
        t("口径（对原文的解读）", "Readings (how the office reads the document)"),
        [t("编号", "id"), t("条款", "clause"), t("问题", "question"), t("口径", "reading"), t("理由", "why")],
        [
            [
                r.id,
                r.clause,
                t(r.question, r.question_en or r.question),
                t(r.reading, r.reading_en or r.reading),
                t(r.why, r.why_en or r.why),
            ]
            for r in policy.readings
        ],
    )


# What a clerk says aloud for each outcome; the English keeps the program's own words. explain is a
# dry run (nothing is written to the ledger), so a line it would pay is 应发放, not 已发放.
EXPLAIN_STATUS_ZH = {"paid": "应发放", "out": "不适用", "exception": "暂不发放", "ineligible": "不符合条件"}
EXPLAIN_KIND_ZH = {"scope": "适用范围", "require": "条件", "amount": "金额"}


def explanation(screen: Screen, rows: list[Any]) -> None:
    """``explain``: per roster row, its outcome in words, then every rule with its conditions
    (value, ✓/✗, clause) and the amount as its formula from the table row and clause."""
    t = screen.t
    zh = screen.lang == "zh"
    mark = {True: "✓", False: "✗", None: t("缺失", "missing")}

    def said(status: str) -> str:
        return EXPLAIN_STATUS_ZH.get(status, status) if zh else status

    for row in rows:
        where = t(
            f"{Path(row.file).name}「{row.sheet}」第 {row.row} 行", f"{row.file}, sheet {row.sheet}, row {row.row}"
        )
        status = said(row.status)
        screen.line(f"{where}  {row.training}：{status}" if zh else f"{where}  {row.training}: {status}", style="bold")
        for code, message_zh, message_en in row.reasons:
            screen.line(f"  {t('原因', 'reason')}：{message_zh}" if zh else f"  {code}: {message_en}")
        for rule in row.rules:
            rule_status = said(rule.status)
            if rule.status == "paid" and row.status != "paid":
                # The rule's own conditions hold, but a limit or the ledger withholds the line (above).
                rule_status = t(
                    "条件满足，但本行暂不发放（原因见上）", "conditions met, but the row is held (see above)"
                )
            head = f"{rule.rule} {rule.subsidy}（{rule.clause}）{'：' if zh else ': '}{rule_status}"
            if not rule.in_scope:
                # Say which scope condition leaves the rule out, with this row's value: a person holding a
                # certificate must see why no certificate subsidy is paid (Shanxi A4, readings R5).
                if zh:
                    why = [
                        f"{c.text}，本行为 {c.value or '—'}"
                        for c in rule.conditions
                        if c.kind == "scope" and c.result is False
                    ]
                    screen.line(f"  {head}" + (f"（{'；'.join(why)}）" if why else ""), style="dim")
                else:
                    why = [
                        f"{c.text_en}; this row has {c.value_en or '-'}"
                        for c in rule.conditions
                        if c.kind == "scope" and c.result is False
                    ]
                    screen.line(f"  {head}" + (f" ({'; '.join(why)})" if why else ""), style="dim")
                continue
            table_rows = [
                [
                    EXPLAIN_KIND_ZH.get(c.kind, c.kind) if zh else c.kind,
                    c.clause if zh else c.requirement,
                    c.text if zh else c.text_en,
                    c.value if zh else c.value_en,
                    mark[c.result],
                ]
                for c in rule.conditions
            ]
            # A rule the row does not meet shows no amount: it is not owed, and a figure reads as if it were.
            if rule.formula and rule.status != "ineligible":
                # The formula as payouts.xlsx prints it (money.formula_text_expr): the table row,
                # grouped amounts, and a single term without 「= itself」; its words in English with --lang en.
                # The unit follows the amount; a note on the months (；实际培训 …) comes after it.
                if zh:
                    amount, sep, note = rule.formula.partition("；")
                    shown = f"{amount} 元{sep}{note}"
                else:
                    amount, sep, note = rule.formula_en.partition("; ")
                    shown = f"{amount} yuan{sep}{note}"
                table_rows.append([t("金额", "amount"), rule.clause, shown, rule.payee if zh else rule.payee_en, ""])
            screen.table(
                f"  {head}",
                [t("类别", "kind"), t("依据", "id"), t("条件", "condition"), t("取值", "value"), t("结果", "result")],
                table_rows,
            )


def diff_summary(screen: Screen, report: Any, limit: int) -> None:
    """``diff``: rows read, rows added/removed/changed per kind, the first changes, the payout effect."""
    from skillcli.diff import STATE_ZH, cells_text
    from skillcli.money import format_yuan
    from skillcli.report.diff import CHANGE_ZH, PAYOUT_ZH, identity

    t = screen.t
    kinds = list(report.rows.columns)
    screen.table(
        t("读取的文件", "Files read"),
        [t("", "side"), t("文件", "file"), t("格式", "format"), *(t(k.label_zh, k.value) for k in kinds)],
        [
            [t(label_zh, label_en), f.path, f.format, *(batch.rows.get(k, 0) for k in kinds)]
            for label_zh, label_en, batch in (("旧", "old", report.old), ("新", "new", report.new))
            for f in batch.files
        ],
        justify=["left", "left", "left", *(["right"] * len(kinds))],
    )
    counts = report.rows.counts()
    changes = ("added", "removed", "changed", "same")
    screen.table(
        t("行的变化", "Rows"),
        [t("类型", "kind"), *(t(CHANGE_ZH[c], c) for c in changes)],
        [[t(k.label_zh, k.value), *(counts[k.value][c] for c in changes)] for k in kinds],
        justify=["left", "right", "right", "right", "right"],
    )
    for kind, columns in report.rows.columns.items():
        for names, zh, en in (
            (columns.only_old, "仅旧文件有的列", "columns only in old"),
            (columns.only_new, "仅新文件有的列", "columns only in new"),
        ):
            if names:
                screen.line(f"{t(kind.label_zh, kind.value)} {t(zh, en)}: " + "、".join(names))
    listed = [r for r in report.rows.rows if r.change != "same"]
    if listed:
        shown = listed[:limit]
        rows = []
        for r in shown:
            person, name, key = identity(report, r)
            at = r.new or r.old
            what = cells_text(r, english=screen.lang != "zh") if r.cells else key
            rows.append(
                [t(CHANGE_ZH[r.change], r.change), t(r.kind.label_zh, r.kind.value), person, name, at.row, what]
            )
        screen.table(
            t(f"前 {len(shown)} 行变化（共 {len(listed)} 行）", f"First {len(shown)} of {len(listed)} row changes"),
            [
                t("变化", "change"),
                t("类型", "kind"),
                t("身份证号码", "ID"),
                t("姓名", "name"),
                t("行", "row"),
                t("内容", "what"),
            ],
            rows,
            justify=["left", "left", "left", "left", "right", "left"],
        )
    if report.duplicates.height:
        screen.line(
            t(
                f"对比键重复的行 {report.duplicates.height} 行（见 diff.xlsx 重复键）",
                f"{report.duplicates.height} rows share a key with another row of their file (sheet 重复键)",
            ),
            style="yellow",
        )
    effect = report.payout
    if effect is not None:
        if effect.changes:
            shown_p = effect.changes[:limit]
            screen.table(
                t(
                    f"补贴变化（政策 {effect.policy}，共 {len(effect.changes)} 行）",
                    f"Payout changes ({effect.policy}, {len(effect.changes)} rows)",
                ),
                [
                    t("变化", "change"),
                    t("身份证号码", "ID"),
                    t("姓名", "name"),
                    t("旧(元)", "old"),
                    t("新(元)", "new"),
                    t("差额", "delta"),
                    t("原因", "reason"),
                ],
                [
                    [
                        t(PAYOUT_ZH[p.change], p.change),
                        identity(report, p.row)[0],
                        identity(report, p.row)[1],
                        format_yuan(p.old_fen, grouping=True),
                        format_yuan(p.new_fen, grouping=True),
                        format_yuan(p.delta_fen, grouping=True),
                        p.reason_zh if screen.lang == "zh" else p.reason_en,
                    ]
                    for p in shown_p
                ],
                justify=["left", "left", "left", "right", "right", "right", "left"],
            )
        screen.line(
            t(
                f"应发合计：旧 {format_yuan(effect.old_total_fen, grouping=True)} 元 → 新 "
                f"{format_yuan(effect.new_total_fen, grouping=True)} 元（差额 {format_yuan(effect.delta_fen, grouping=True)} 元）",
                f"payout total: old {format_yuan(effect.old_total_fen, grouping=True)} → new "
                f"{format_yuan(effect.new_total_fen, grouping=True)} yuan (difference {format_yuan(effect.delta_fen, grouping=True)})",
            ),
            style="bold",
        )
    found = report.finding_counts()
    screen.line(
        t(
            "问题：" + "，".join(f"{STATE_ZH[s]} {n}" for s, n in found.items()),
            "findings: " + ", ".join(f"{s} {n}" for s, n in found.items()),
        )
    )
    screen.line(
        t("两次报送相同", "the two batches are the same")
        if report.same
        else t("两次报送有差异", "the two batches differ"),
        style="bold green" if report.same else "bold yellow",
    )
