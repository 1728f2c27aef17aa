"""Training vouchers (电子培训券): the programmes, issuing to a roster, redeeming a completions sheet,
and the state of the vouchers issued. The pipelines themselves are ``skillcli.vouchers.pipeline``;
these functions take plain values (ids, dates as ``YYYY-MM-DD`` text or ``date``, the ledger or
its path/URL) and return frozen results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from skillcli.api._common import open_ledger, ready_ledger
from skillcli.vouchers.issue import ISSUED_SCHEMA
from skillcli.vouchers.messages import REASON_SCHEMA

if TYPE_CHECKING:
    from skillcli.io.limits import Limits
    from skillcli.ledger.store import Ledger
    from skillcli.pipeline import Batch, Progress
    from skillcli.schema.columns import ColumnMap
    from skillcli.vouchers.issue import IssuePlan
    from skillcli.vouchers.program import Program
    from skillcli.vouchers.redeem import Redemption
    from skillcli.vouchers.status import VoucherSummary

ISSUED_VOUCHERS_SCHEMA: dict[str, Any] = ISSUED_SCHEMA
NOT_ISSUED_SCHEMA: dict[str, Any] = REASON_SCHEMA
REDEEM_EXCEPTIONS_SCHEMA: dict[str, Any] = REASON_SCHEMA
BY_INSTITUTION_SCHEMA: dict[str, Any] = {
    "institution_uscc": pl.String,
    "institution": pl.String,
    "vouchers": pl.UInt32,
    "fen": pl.Int64,
}


def _day(day: dt.date | str | None) -> dt.date:
    from skillcli.vouchers.pipeline import parse_day

    return day if isinstance(day, dt.date) else parse_day(day)


def vouchers_programs(overrides: Mapping[str, str] | None = None) -> tuple[Program, ...]:
    """Every voucher programme of the rules in effect, with ``overrides`` applied where they are defined."""
    from skillcli.vouchers.program import load_programs, no_programs

    found = load_programs(overrides=dict(overrides or {}))
    if not found:
        raise no_programs()
    return tuple(found.values())


@dataclass(frozen=True, slots=True)
class VoucherIssueResult:
    """The roster as checked (``batch``), the decision (``plan``), the vouchers issued (``issued``,
    ``ISSUED_VOUCHERS_SCHEMA``) and the reasons for those not issued (``not_issued``, ``NOT_ISSUED_SCHEMA``);
    ``batch_id`` is None when nothing new was issued and the ledger is unchanged."""

    batch: Batch
    plan: IssuePlan
    issued: pl.DataFrame
    not_issued: pl.DataFrame
    batch_id: str | None
    ledger: str
    out: Path

    @property
    def blocked(self) -> int:
        """Rows that got no voucher because of an error in the roster (exit 1 of the command)."""
        return self.plan.blocked


def vouchers_issue(
    files: list[Path],
    program: str,
    out: Path,
    *,
    day: dt.date | str | None = None,
    overrides: Mapping[str, str] | None = None,
    ledger: Ledger | str | None = None,
    max_file_mb: int = 500,
    limits: Limits | None = None,
    progress: Progress | None = None,
    columns: ColumnMap | None = None,
    lang: str = "zh",
) -> VoucherIssueResult:
    """Issue vouchers of ``program`` to the people of a roster on ``day`` (default today): writes
    issued.xlsx, issued.csv and not-issued.csv (in ``lang``) into ``out`` and records the vouchers in
    one transaction."""
    from skillcli.vouchers.pipeline import issue
    from skillcli.vouchers.program import find_program, load_program

    when = _day(day)
    chosen = load_program(find_program(program), dict(overrides or {}))
    store = open_ledger(ledger, commit=True)
    assert store is not None
    result = issue(
        files,
        chosen,
        when,
        store,
        out,
        max_file_mb=max_file_mb,
        limits=limits,
        progress=progress,
        columns=columns,
        lang=lang,
    )
    plan = result.plan
    return VoucherIssueResult(
        result.batch,
        plan,
        plan.issued,
        plan.not_issued,
        result.batch_id,
        store.name,
        out,
    )


@dataclass(frozen=True, slots=True)
class VoucherRedeemResult:
    """The decision on a completions sheet (``redemption``), the payments per institution
    (``by_institution``, ``BY_INSTITUTION_SCHEMA``) and the exceptions (``REDEEM_EXCEPTIONS_SCHEMA``);
    ``run_id`` is None for a dry run or when nothing was redeemed."""

    redemption: Redemption
    by_institution: pl.DataFrame
    exceptions: pl.DataFrame
    run_id: str | None
    ledger: str | None
    committed: bool
    out: Path


def vouchers_redeem(
    completions: Path,
    out: Path,
    *,
    day: dt.date | str | None = None,
    program: str | None = None,
    overrides: Mapping[str, str] | None = None,
    commit: bool = False,
    ledger: Ledger | str | None = None,
    lang: str = "zh",
) -> VoucherRedeemResult:
    """Redeem (核销) the vouchers a completions sheet names and pay the institutions: writes
    redeemed.xlsx, redeemed.csv and exceptions.csv (in ``lang``) into ``out``; with ``commit`` the payments are a
    ledger run of kind ``voucher``, else a dry run that reads the ledger and writes nothing to it."""
    from skillcli.vouchers.output import by_institution
    from skillcli.vouchers.pipeline import redeem

    when = _day(day)
    store = open_ledger(ledger, commit=commit)
    result = redeem(
        completions,
        when,
        store,
        out,
        program_id=program,
        overrides=dict(overrides or {}),
        commit=commit,
        lang=lang,
    )
    redemption = result.redemption
    return VoucherRedeemResult(
        redemption,
        by_institution(redemption),
        redemption.exceptions,
        result.run_id,
        store.name if store else None,
        commit,
        out,
    )


@dataclass(frozen=True, slots=True)
class VoucherStatusResult:
    """Issued, redeemed, expired and open vouchers with the redemption rate, by category and age group."""

    summary: VoucherSummary
    program: str | None
    ledger: str


def vouchers_status(
    *, program: str | None = None, day: dt.date | str | None = None, ledger: Ledger | str | None = None
) -> VoucherStatusResult:
    """The vouchers in the ledger as of ``day`` (default today), of one ``program`` or all."""
    from skillcli.ledger.vouchers import vouchers
    from skillcli.vouchers.status import summarise

    store = ready_ledger(ledger)
    return VoucherStatusResult(summarise(vouchers(store, program_id=program), _day(day)), program, store.name)
