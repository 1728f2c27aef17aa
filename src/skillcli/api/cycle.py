"""The money cycle after a payout: the bank file (export_bank, reissue), the bank's return
(reconcile, reconcile_undo), the public notice (publish) and a payee's statement.

Each function takes plain values (paths, ids, the ledger or its path/URL), writes its outputs
atomically and returns a frozen result; none prints. A problem the user must fix is a typed
``skillcli.errors`` exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from skillcli.api._common import ready_ledger
from skillcli.ledger.queries import LINE_SCHEMA, OUTCOME_SCHEMA
from skillcli.reconcile.export import PAYEE_SCHEMA
from skillcli.reconcile.match import ITEM_SCHEMA

if TYPE_CHECKING:
    from skillcli.ledger.store import Ledger
    from skillcli.reconcile.export import BankFile
    from skillcli.reconcile.match import Reconciliation
    from skillcli.report.statement import Statement

# The frames of the results, as declared to the library's users.
SENT_SCHEMA: dict[str, Any] = PAYEE_SCHEMA
EARLIER_SCHEMA: dict[str, Any] = PAYEE_SCHEMA | {"status": pl.String}
RECONCILE_ITEMS_SCHEMA: dict[str, Any] = ITEM_SCHEMA
UNDO_SCHEMA: dict[str, Any] = {"kind": pl.String, "lines": pl.UInt32, "fen": pl.Int64}
STATEMENT_LINES_SCHEMA: dict[str, Any] = LINE_SCHEMA
STATEMENT_OUTCOMES_SCHEMA: dict[str, Any] = OUTCOME_SCHEMA
PUBLISH_SCHEMA: dict[str, Any] = {"subsidy": pl.String, "person_times": pl.Int64, "fen": pl.Int64}

Note = tuple[str, str]  # (zh, en): something the user should read, not an error of the run


# -- export-bank and reissue -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BankExportResult:
    """One bank file: who was sent (``sent``, ``SENT_SCHEMA``), who lacks an account (``missing``),
    who was exported before (``earlier``, ``EARLIER_SCHEMA``; an export, not a reissue), the
    disbursement ids recorded, and whether the file was written (a run with nothing new is not)."""

    export: BankFile
    sent: pl.DataFrame
    missing: pl.DataFrame
    earlier: pl.DataFrame
    disbursement_ids: tuple[int, ...]
    file: Path
    written: bool
    notes: tuple[Note, ...]

    @property
    def complete(self) -> bool:
        """Every payee owed money has an account (exit 0 of the command)."""
        return self.missing.height == 0


def _bank_result(export: BankFile, ids: list[int], out: Path, *, written: bool, notes: list[Note]) -> BankExportResult:
    return BankExportResult(
        export,
        export.sent,
        export.missing,
        export.earlier,
        tuple(ids),
        out,
        written,
        tuple(notes),
    )


def export_bank(
    run_id: str,
    out: Path,
    *,
    ledger: Ledger | str | None = None,
    accounts: Path | None = None,
    layout: str | None = None,
    notify: Callable[[Note], None] | None = None,
) -> BankExportResult:
    """The bank's 代发 upload file of a committed run, written to ``out`` (.xlsx) and recorded in
    the ledger together: file and records both, or neither. A payee already exported is not sent
    again. A file with only the 缺账号待补 sheet is still written: the clerk's list of accounts to ask for.
    ``notify`` hears each note (a rejected account row, a payer field unset) as it is found, so a
    caller can show them even when writing the file then fails; the result lists them too."""
    from skillcli.reconcile.export import build_export

    store, run, at, given, notes = _begin(run_id, ledger, accounts, notify)
    export = build_export(store, run, store.run_lines(run_id), given, at)
    written = bool(export.sent.height or export.missing.height)
    ids = _record_and_write(store, export, out, layout, at, notes) if written else []
    return _bank_result(export, ids, out, written=written, notes=notes)


def reissue(
    run_id: str,
    out: Path,
    *,
    ledger: Ledger | str | None = None,
    accounts: Path | None = None,
    layout: str | None = None,
    same_account: bool = False,
    notify: Callable[[Note], None] | None = None,
) -> BankExportResult:
    """补发: a run's failed bank lines not yet reissued, with each payee's latest account, as a new
    batch linked to the failed lines; the refused account again only with ``same_account``."""
    from skillcli.errors import UsageError
    from skillcli.ledger.where import new_run_id
    from skillcli.reconcile.export import build_reissue

    store, run, at, given, notes = _begin(run_id, ledger, accounts, notify)
    export = build_reissue(store, run, given, at, new_run_id(), same_account=same_account)
    if export.sent.height + export.missing.height == 0:
        raise UsageError(
            f"批次 {run_id} 没有待补发的失败代发行（银行回盘失败且尚未补发）",
            f"run {run_id} has no failed bank lines left to reissue",
        )
    ids = _record_and_write(store, export, out, layout, at, notes)
    return _bank_result(export, ids, out, written=True, notes=notes)


class _Notes(list[Note]):
    """The notes of one bank file, each passed on to the caller's ``notify`` as it is added."""

    def __init__(self, notify: Callable[[Note], None] | None) -> None:
        super().__init__()
        self.notify = notify

    def append(self, note: Note) -> None:
        super().append(note)
        if self.notify is not None:
            self.notify(note)

    def extend(self, notes: Iterable[Note]) -> None:
        for note in notes:
            self.append(note)


def _begin(
    run_id: str, ledger: Ledger | str | None, accounts: Path | None, notify: Callable[[Note], None] | None
) -> tuple[Ledger, dict[str, Any], str, pl.DataFrame, _Notes]:
    """What a bank file starts from: the ledger, the run, the time, the accounts given (``GIVEN_SCHEMA``)
    and the notes, which already hold the account rows left out."""
    from skillcli.ledger.store import now_text
    from skillcli.reconcile.export import load_accounts

    store = ready_ledger(ledger)
    run = store.run(run_id)
    at = now_text()
    given = load_accounts(accounts)
    notes = _Notes(notify)
    notes.extend(given.rejected)
    return store, run, at, given.frame, notes


def _record_and_write(
    store: Ledger, export: BankFile, out: Path, layout_name: str | None, at: str, notes: list[Note]
) -> list[int]:
    """Write the file and record its lines in one ledger transaction (see ``record_bank_file``)."""
    from skillcli.config import load_config
    from skillcli.errors import OutputError, UsageError
    from skillcli.faults import pause
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.queries import record_bank_file
    from skillcli.reconcile.export import blank_bank, disbursement_rows, reissue_run, write_bank_file
    from skillcli.reconcile.layout import load_layout, payer

    config = load_config()
    layout = load_layout(config, layout_name)
    payer_block = payer(config)
    unset = [label for label, value in payer_block if value is None and label != "用途"]
    if layout.payer_block and unset and export.sent.height:
        # The bank needs the payer's account to take the file: say so rather than leave it blank silently.
        notes.append(
            (
                f"注意：skillcli.toml [payer] 未设置{'、'.join(unset)}，代发文件中该项为空",
                f"note: skillcli.toml [payer] lacks {', '.join(unset)}; left blank in the bank file",
            )
        )
    bank_blank = blank_bank(export, layout)
    if bank_blank is not None:
        header, blank = bank_blank
        notes.append(
            (
                f"注意：{blank.height} 个收款方没有开户行（花名册不含开户行，收款账户清单未提供），代发文件"
                f"「{header}」列为空；开户银行要求填写时，请在 --accounts 清单的「开户行」列提供",
                f"note: {blank.height} payees have no bank branch (a roster has none and the accounts list gave"
                f" none); column {header} is left blank; if the bank needs it, give it in the --accounts list's"
                " bank column",
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


# -- reconcile -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """A bank return matched to the ledger: every item in one class (``items``,
    ``RECONCILE_ITEMS_SCHEMA``), the control totals in fen, the bank events added (0 for a dry run),
    and the lines another return had settled before (not matched again)."""

    reconciliation: Reconciliation
    items: pl.DataFrame
    totals_fen: dict[str, int]
    sha256: str
    runs: tuple[str, ...]
    events_added: int
    settled: int
    dry_run: bool
    out: Path | None
    notes: tuple[Note, ...] = ()

    @property
    def all_paid(self) -> bool:
        return self.reconciliation.all_paid

    @property
    def batch(self) -> str:
        """The return's batch as printed: ten characters of its SHA-256 (``reconcile_undo`` takes it),
        or as many as the screen's masking leaves whole: ten digits in a row read as an account
        number (so on to the first letter), eleven from a 1 as a phone number whatever follows (so
        the eight ``reconcile_undo`` needs at least); masked, the undo command could not be typed."""
        from skillcli.text import redact

        for size in (*range(10, len(self.sha256) + 1), 8):
            if redact(self.sha256[:size]) == self.sha256[:size]:
                return self.sha256[:size]
        return self.sha256[:8]


def reconcile(
    return_file: Path,
    out: Path | None = None,
    *,
    ledger: Ledger | str | None = None,
    runs: list[str] | None = None,
    dry_run: bool = False,
) -> ReconcileResult:
    """Match the bank's return (回盘) to the disbursements of the runs it covers, write
    reconciliation.xlsx/.csv into ``out`` and record one bank event per matched line (once per
    return file). ``dry_run`` classifies and writes nothing."""
    from skillcli.errors import UsageError
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.queries import record_bank_events
    from skillcli.ledger.store import now_text
    from skillcli.reconcile.match import event_rows
    from skillcli.reconcile.match import reconcile as match_return
    from skillcli.reconcile.output import write_reconciliation
    from skillcli.reconcile.returns import matching_notes, read_return
    from skillcli.reconcile.scope import candidates

    store = ready_ledger(ledger)
    if out is None and not dry_run:
        raise UsageError("请用 --out 指定输出目录（或 --dry-run 只看分类）", "--out is required (or --dry-run)")
    bank_return = read_return(return_file)
    allowed = candidates(store, bank_return, runs or [])
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
    return ReconcileResult(
        result,
        result.items,
        dict(result.totals),
        bank_return.sha256,
        tuple(result.runs),
        added,
        allowed.settled,
        dry_run,
        out,
        tuple(matching_notes(bank_return)),
    )


@dataclass(frozen=True, slots=True)
class UndoResult:
    """One reconciliation reversed: the return's full SHA-256, the events undone, and what they were
    (``by_kind``, ``UNDO_SCHEMA``: event kind, lines, the return's fen)."""

    batch: str
    events_undone: int
    by_kind: pl.DataFrame


def reconcile_undo(batch: str, *, ledger: Ledger | str | None = None) -> UndoResult:
    """Cancel the live bank events one return file recorded (``batch``: at least 8 characters of its
    SHA-256), each by a compensating ``undo`` event; nothing is deleted."""
    from skillcli.errors import UsageError
    from skillcli.ledger.queries import batch_events, undo_events
    from skillcli.ledger.store import now_text

    store = ready_ledger(ledger)
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
    summary = (
        found.group_by("kind")
        .agg(pl.len().alias("lines"), pl.col("amount_fen").fill_null(0).sum().cast(pl.Int64).alias("fen"))
        .sort("kind")
    )
    return UndoResult(batches[0], undone, summary)


# -- publish and statement -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PublishResult:
    """The 公示 workbook written: its title and the person-times and fen per subsidy
    (``by_subsidy``, ``PUBLISH_SCHEMA``)."""

    run_id: str
    title: str
    by_subsidy: pl.DataFrame
    file: Path


def publish(
    run_id: str,
    out: Path,
    *,
    ledger: Ledger | str | None = None,
    title: str | None = None,
    period_text: str | None = None,
    contact: str | None = None,
) -> PublishResult:
    """The 公示 list of a run (IDs masked, grouped by subsidy with 小计/合计, A4), written to ``out``;
    the title, 公示期 and contact default to ``skillcli.toml [contact]``."""
    from skillcli.config import load_config
    from skillcli.errors import UsageError
    from skillcli.io.writer import OutputSet
    from skillcli.report.publish import notice, publish_rows, write_publish

    store = ready_ledger(ledger)
    run = store.run(run_id)
    if run["kind"] in ("void", "reissue") or run["voided"]:
        raise UsageError(
            f"批次 {run_id} 是作废或补发记录，或已作废，不能公示",
            f"run {run_id} is void, voided or a reissue; nothing to publish",
        )
    words = notice(run, load_config().table("contact"), title, period_text, contact)
    groups = publish_rows(store.run_lines(run_id))
    if not groups:
        raise UsageError(f"批次 {run_id} 没有付款行", f"run {run_id} has no payment lines")
    with OutputSet(out.parent, store.files) as outputs:
        write_publish(outputs.path(out.name), run, groups, words)
        outputs.commit()
    by_subsidy = pl.DataFrame(
        [(s, f.height, int(f.get_column("amount_fen").sum())) for s, f in groups], schema=PUBLISH_SCHEMA, orient="row"
    )
    return PublishResult(run_id, words.title, by_subsidy, out)


@dataclass(frozen=True, slots=True)
class StatementResult:
    """A payee's 对账单 written: the statement, its lines (``STATEMENT_LINES_SCHEMA``), the bank's
    outcomes (``STATEMENT_OUTCOMES_SCHEMA``) and the balance in fen."""

    statement: Statement
    lines: pl.DataFrame
    outcomes: pl.DataFrame
    balance: dict[str, int]
    file: Path


def statement(
    payee_id: str, out: Path, *, ledger: Ledger | str | None = None, year: int | None = None
) -> StatementResult:
    """One payee's lines, runs, bank results (through reissues) and balance, written to ``out``;
    ``year`` limits it to the runs of that year."""
    from skillcli.errors import UsageError
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.queries import bank_outcomes, live_lines, live_runs
    from skillcli.report.statement import Statement, write_statement
    from skillcli.schema.parse import compact_upper
    from skillcli.text import mask_id

    wanted = str(pl.select(compact_upper(pl.lit(payee_id))).item() or "")
    store = ready_ledger(ledger)
    runs = [r for r in live_runs(store.runs()) if year is None or str(r["period"]).startswith(f"{year}-")]
    lines = live_lines(store, [r["run_id"] for r in runs]).filter(pl.col("payee_id") == wanted)
    if lines.height == 0:
        # The message may reach a log: the payee's number is masked in it, always.
        shown = mask_id(wanted)
        where = f"{year} 年" if year else ""
        raise UsageError(
            f"台账中没有收款方 {shown} {where}的付款行", f"no lines for payee {shown}{f' in {year}' if year else ''}"
        )
    outcomes = bank_outcomes(store, sorted(set(lines.get_column("run_id").to_list()))).filter(
        pl.col("payee_id") == wanted
    )
    st = Statement(wanted, year, runs, lines, outcomes)
    with OutputSet(out.parent, store.files) as outputs:
        write_statement(outputs.path(out.name), st, dt.date.today())
        outputs.commit()
    return StatementResult(
        st,
        st.lines,
        st.outcomes,
        dict(st.balance()),
        out,
    )
