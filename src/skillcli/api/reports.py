"""Fund reports from the ledger: a month (``2021-06``), a quarter (``2021Q2``) or a year (``2021``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from skillcli.api._common import ready_ledger

if TYPE_CHECKING:
    from skillcli.ledger.store import Ledger
    from skillcli.report.funds import FundReport, Scope
    from skillcli.report.template import TemplateSheet
    from skillcli.vouchers.status import VoucherSummary

_MEASURES: dict[str, Any] = {"persons": pl.UInt32, "person_times": pl.Int64, "lines": pl.UInt32, "fen": pl.Int64}
# Each breakdown ends with its 合计 row.
BY_SUBSIDY_SCHEMA: dict[str, Any] = {"rule": pl.String, "subsidy": pl.String} | _MEASURES
BY_PAYEE_TYPE_SCHEMA: dict[str, Any] = {"payee_type": pl.String, "payees": pl.UInt32} | _MEASURES
BY_PAYEE_SCHEMA: dict[str, Any] = {"payee_type": pl.String, "payee_id": pl.String, "payee_name": pl.String} | _MEASURES
BY_CATEGORY_SCHEMA: dict[str, Any] = {"category": pl.String} | _MEASURES
BY_LEVEL_SCHEMA: dict[str, Any] = {"level": pl.String} | _MEASURES | {"level_label": pl.String}
MONTHLY_SCHEMA: dict[str, Any] = {
    "period": pl.String,
    "lines": pl.Int64,
    "persons": pl.Int64,
    "person_times": pl.Int64,
    "committed_fen": pl.Int64,
    "advanced_fen": pl.Int64,
    "paid_fen": pl.Int64,
    "failed_fen": pl.Int64,
    "to_recover_fen": pl.Int64,
    "outstanding_fen": pl.Int64,
}
FINANCE_SCHEMA: dict[str, Any] = {
    "funding": pl.String,
    "rule": pl.String,
    "subsidy": pl.String,
    "lines": pl.Int64,
    "committed_fen": pl.Int64,
    "paid_fen": pl.Int64,
    "failed_fen": pl.Int64,
    "outstanding_fen": pl.Int64,
    "to_recover_fen": pl.Int64,
}
KINDS = ("month", "quarter", "year")


@dataclass(frozen=True, slots=True)
class ReportResult:
    """The fund report (``report``: totals, targets, vouchers) with its breakdowns as declared
    frames, and the workbooks written."""

    report: FundReport
    by_subsidy: pl.DataFrame
    by_payee_type: pl.DataFrame
    by_payee: pl.DataFrame
    by_category: pl.DataFrame
    by_level: pl.DataFrame
    monthly: pl.DataFrame
    finance: pl.DataFrame
    written: tuple[Path, ...]


def report(
    kind: str,
    period: str,
    *,
    ledger: Ledger | str | None = None,
    out: Path | None = None,
    finance: Path | None = None,
    targets: Path | None = None,
    as_of: str | None = None,
) -> ReportResult:
    """Funds by subsidy, payee, category and level; paid, failed, advanced, outstanding, to recover;
    target progress; vouchers issued. ``kind`` is month, quarter or year; ``out`` the report
    workbook, ``finance`` the one-sheet 财政局 summary; ``as_of`` (YYYY-MM-DD) the ledger as it
    stood at the end of that day; ``targets`` the targets file (default ./skillcli-targets.toml)."""
    from skillcli.config import load_config
    from skillcli.io.writer import OutputSet
    from skillcli.ledger.queries import chain_events, live_lines, root_disbursements
    from skillcli.report.funds import Scope, as_of_bound, build_report, load_targets, runs_as_of, targets_for
    from skillcli.report.funds_book import write_finance, write_report

    scope = Scope.parse(kind, period)
    goals = targets_for(load_targets(targets), scope, targets)
    bound = as_of_bound(as_of)
    funding = {str(k): str(v) for k, v in load_config().table("funding").items()}
    store = ready_ledger(ledger)
    runs = runs_as_of(store.runs(), scope.year, bound)
    run_ids = [r["run_id"] for r in runs]
    # A reissue (补发) pays a failed line again: the line counts once, with its latest result.
    exported = root_disbursements(store, run_ids)
    if bound is not None:
        exported = exported.filter(exported.get_column("exported_at") <= bound)
    built = build_report(
        scope,
        runs=runs,
        lines=live_lines(store, run_ids, reversed_too=True),
        disb=exported,
        events=chain_events(store, exported, as_of=bound),
        targets=goals,
        funding=funding,
        as_of=as_of,
    )
    built.vouchers = _vouchers(store, scope, as_of)
    written: list[Path] = []
    for path, write in ((out, write_report), (finance, write_finance)):
        if path is not None:
            with OutputSet(path.parent, store.files) as outputs:
                write(outputs.path(path.name), built)
                outputs.commit()
            written.append(path)
    return ReportResult(
        built,
        built.by_subsidy,
        built.by_payee_type,
        built.by_payee,
        built.by_category,
        built.by_level,
        built.monthly,
        built.finance,
        tuple(written),
    )


def _vouchers(store: Ledger, scope: Scope, as_of: str | None) -> VoucherSummary | None:
    """Vouchers issued in the scope, as of its last day or ``as_of`` if earlier (None: the ledger holds none)."""
    from skillcli.ledger.vouchers import vouchers
    from skillcli.vouchers.status import summarise

    held = vouchers(store)
    if held.height == 0:
        return None
    last = dt.date.fromisoformat(scope.last_day)
    seen = min(last, dt.date.fromisoformat(as_of)) if as_of else last
    return summarise(held, seen, issued_from=dt.date.fromisoformat(scope.first_day), issued_to=last)


@dataclass(frozen=True, slots=True)
class TemplateResult:
    """The blank workbook written for a policy: its sheets (花名册, 考勤, 证书) with their columns in order."""

    policy_id: str
    sheets: tuple[TemplateSheet, ...]
    file: Path


def template(policy: str, out: Path) -> TemplateResult:
    """The blank workbook an institution fills in for ``policy``, written to ``out`` (.xlsx): the
    headers skillcli reads, dropdowns for enumerations and levels, ID columns as text."""
    from skillcli.errors import UsageError
    from skillcli.io.writer import atomic_path
    from skillcli.report.template import write_template
    from skillcli.rules.load import find_policy, load_policy

    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"模板文件名应以 .xlsx 结尾，读到「{out.name}」", f"--out must end in .xlsx, got '{out.name}'")
    rules = load_policy(find_policy(policy))
    with atomic_path(out) as tmp:
        sheets = write_template(rules, tmp)
    return TemplateResult(rules.id, tuple(sheets), out)
