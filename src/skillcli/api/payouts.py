"""``payout`` and ``explain`` as library calls: load, decide (with the ledger's history), commit, write.

``skillcli payout``, ``skillcli explain`` and ``skillcli rules test`` all decide through this one
function, so that they read the same ledger history and agree on every row: claims already paid,
the yearly limit across months, advances, earlier certificates. ``explain`` is a payout dry run
seen through one person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillcli.api._common import open_ledger
from skillcli.api.checks import read_batch
from skillcli.errors import UsageError
from skillcli.pipeline import DEFAULT_MAX_FILE_MB, Batch, Progress

if TYPE_CHECKING:
    import polars as pl

    from skillcli.io.limits import Limits
    from skillcli.ledger.store import Ledger
    from skillcli.payout.decision import Decision
    from skillcli.payout.explain import RowExplanation
    from skillcli.rules.model import Policy
    from skillcli.schema.columns import ColumnMap


@dataclass(frozen=True, slots=True)
class PayoutResult:
    """A decided batch: the decision, the ledger it was decided against, and what was recorded.

    The frames are the decision's, with the schemas ``skillcli.payout.decision`` declares:
    ``lines`` (LINE_SCHEMA), ``status`` (STATUS_SCHEMA), ``ineligible`` (INELIGIBLE_SCHEMA) and
    ``exceptions`` (the findings' columns plus the row id ``_rid``).
    """

    batch: Batch
    decision: Decision
    ledger: str | None = None  # the name of the ledger read (None: no ledger, nothing checked against one)
    run_id: str | None = None  # the run committed to the ledger (None: a dry run, or nothing new)
    manifest: dict[str, Any] | None = None  # what was written to the out folder, when one was given
    returns: tuple[str, ...] = ()  # the return workbooks written (``split_by``), file names in ``out``
    contact: bool = False  # whether the returns' covers name a contact (skillcli.toml [contact])

    @property
    def lines(self) -> pl.DataFrame:
        return self.decision.lines

    @property
    def exceptions(self) -> pl.DataFrame:
        return self.decision.exceptions

    @property
    def ineligible(self) -> pl.DataFrame:
        return self.decision.ineligible

    @property
    def status(self) -> pl.DataFrame:
        return self.decision.status

    @property
    def counts(self) -> dict[str, int]:
        return self.decision.counts

    @property
    def total_fen(self) -> int:
        return self.decision.total_fen

    @property
    def has_exceptions(self) -> bool:
        return self.decision.has_exceptions


def payout(
    files: Sequence[Path],
    policy: str | Path | Policy,
    period: str,
    *,
    params: Mapping[str, str] | None = None,
    ledger: Ledger | str | None = None,
    read_ledger: bool = True,
    commit: bool = False,
    advance: Decimal | None = None,
    out: Path | None = None,
    lang: str = "zh",
    today: dt.date | None = None,
    max_file_mb: int = DEFAULT_MAX_FILE_MB,
    limits: Limits | None = None,
    columns: ColumnMap | None = None,
    progress: Progress | None = None,
    loaded: Callable[[Batch], None] | None = None,
    split_by: str | None = None,
) -> PayoutResult:
    """Decide who is paid how much for the month ``period`` (YYYY-MM) under ``policy``.

    ``policy`` is an id, a rules file, or a loaded ``Policy`` (then ``params`` must be empty: they
    were applied when it was loaded). ``ledger`` is a ledger, or its path or URL (None: the one in
    force, ``$SKILLCLI_LEDGER`` then skillcli.toml), read for the history of the batch's people; a
    dry run with none in force reads none, and ``read_ledger=False`` reads none at all (a rules case
    states its whole history). ``commit`` records the paid lines in it as a new run (it must exist);
    without it nothing is written to the ledger. ``advance`` pays that share of each entitlement as an advance.
    ``out`` receives payouts.xlsx (its headers and labels in ``lang``), the CSVs and manifest.json,
    renamed into place after the commit.
    ``loaded`` is called with the batch once it is read, before deciding. ``split_by`` (institution |
    enterprise) also writes into ``out`` one return workbook per sender (``report.returns``).
    """
    from skillcli.payout.decide import decide
    from skillcli.payout.settled import batch_people
    from skillcli.pipeline import parse_period
    from skillcli.report.returns import check_split_by

    check_split_by(split_by, out)
    ctx = parse_period(period, today or dt.date.today())
    rules = _policy(policy, params)
    batch = read_batch(files, ctx, max_file_mb, limits, columns, progress, loaded)
    store = open_ledger(ledger, commit=commit) if read_ledger or commit else None
    history = store.history(batch_people(batch)) if store is not None else None
    decision = decide(batch, rules, history=history, advance_share=advance)
    name = store.name if store is not None else None
    if out is None:
        if commit:
            raise UsageError("记入台账需要 --out 目录", "a commit needs an out folder")
        return PayoutResult(batch, decision, name)
    return _record(files, out, batch, decision, store, commit, lang, split_by, today or dt.date.today())


def _record(
    files: Sequence[Path],
    out: Path,
    batch: Batch,
    decision: Decision,
    store: Ledger | None,
    commit: bool,
    lang: str,
    split_by: str | None,
    today: dt.date,
) -> PayoutResult:
    """Stage the outputs (and the returns, ``split_by``), commit the run to the ledger, then rename
    the outputs into place."""
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.where import new_run_id
    from skillcli.report.payout import write_payout

    name = store.name if store is not None else None
    run_id = new_run_id() if commit and decision.lines.height else None
    with OutputSet(out, list(files)) as outputs:
        manifest = write_payout(outputs, batch, decision, run_id=run_id, ledger=name, lang=lang)
        returns: tuple[str, ...] = ()
        contact: Mapping[str, Any] = {}
        if split_by is not None:
            from skillcli.config import load_config
            from skillcli.report.returns import write_returns

            contact = load_config().table("contact")
            written = write_returns(batch, split_by, outputs, contact, today, decision)
            returns = tuple(r.file_name for r in written)
        if run_id is not None and store is not None:
            # Imported only for a commit: it loads the database layer (SQLAlchemy, issue 16).
            from skillcli.ledger.commit import commit as commit_run

            commit_run(store, run_id, batch, decision, manifest["inputs"])
        outputs.commit()
    return PayoutResult(batch, decision, name, run_id, manifest, returns, bool(contact))


def _policy(policy: str | Path | Policy, params: Mapping[str, str] | None) -> Policy:
    from skillcli.rules.load import find_policy, load_policy
    from skillcli.rules.model import Policy

    if isinstance(policy, Policy):
        if params:
            raise ValueError("params are applied when a policy is loaded; pass the policy's id or path instead")
        return policy
    return load_policy(find_policy(str(policy)), params)


@dataclass(frozen=True, slots=True)
class ExplainResult:
    """Every roster row of one person, explained, and the payout they were decided in."""

    rows: tuple[RowExplanation, ...]
    payout: PayoutResult


def explain(
    person_id: str,
    files: Sequence[Path],
    policy: str | Path | Policy,
    period: str,
    *,
    params: Mapping[str, str] | None = None,
    ledger: str | Ledger | None = None,
    today: dt.date | None = None,
    max_file_mb: int = DEFAULT_MAX_FILE_MB,
    limits: Limits | None = None,
    columns: ColumnMap | None = None,
) -> ExplainResult:
    """Decide the batch as a dry-run ``payout`` does (reading ``ledger``, writing nothing) and explain
    every roster row of ``person_id``: each rule's conditions with the row's values, the formula, the
    payee and the row's final status with its reasons."""
    from skillcli.payout.explain import explain_person

    decided = payout(
        files,
        policy,
        period,
        params=params,
        ledger=ledger,
        today=today,
        max_file_mb=max_file_mb,
        limits=limits,
        columns=columns,
    )
    # The ID as a clerk types it, cleaned as the roster's IDs are (full-width digits, spaces, dashes, a
    # leading text marker, a lowercase x): "320506 19920521 1057" finds the row check accepted.
    import re

    from skillcli.schema.parse import TEXT_MARKER_RE
    from skillcli.text import to_halfwidth

    person_id = re.sub(r"[\s\-]", "", re.sub(TEXT_MARKER_RE, "", to_halfwidth(person_id))).upper()
    rows = explain_person(decided.decision, decided.decision.policy, person_id)
    if not rows:
        raise UsageError(*_not_on_roster(decided.decision, person_id))
    return ExplainResult(tuple(rows), decided)


def _not_on_roster(decision: Decision, person_id: str) -> tuple[str, str]:
    """Why ``person_id`` has no row, in Chinese and English: with the roster rows whose ID Excel stored
    as a number (``id.precision-lost``: only 15 significant digits kept) when those digits are this
    ID's, since that row is most likely this person's and must be corrected before it can be explained."""
    import polars as pl

    derived, exceptions = decision.derived, decision.exceptions
    held = exceptions.filter(pl.col("code") == "id.precision-lost").get_column("_rid").unique()
    # The 15th digit may have been rounded, so 14 are compared.
    lost = derived.filter(
        pl.col("_rid").is_in(held.implode()) & (pl.col("id_number").str.slice(0, 14) == person_id[:14])
    )
    if lost.is_empty():
        return "花名册中没有这个身份证号码", "this ID number is not on the roster"
    places_zh = "、".join(
        f"{Path(r['_file']).name}「{r['_sheet']}」第 {r['_row']} 行" for r in lost.iter_rows(named=True)
    )
    places_en = "; ".join(
        f"{Path(r['_file']).name}, sheet {r['_sheet']}, row {r['_row']}" for r in lost.iter_rows(named=True)
    )
    return (
        f"花名册中没有这个身份证号码；{places_zh}的身份证号码被 Excel 存成了数字，只剩前 15 位与此号码相同，"
        "可能就是此人：请先在原表中把该号码改为完整的 18 位（单元格设为文本）后再查",
        f"this ID number is not on the roster; at {places_en} an ID was stored by Excel as a number and only its"
        " first 15 digits, which match this one, were kept: it is probably this person; correct it to the full"
        " 18 digits (as text) in the workbook first",
    )
