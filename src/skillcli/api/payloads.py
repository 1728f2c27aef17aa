"""Every ``--json`` payload, built in one place from the api's results.

The keys are a public interface (docs/bank-and-reports.md, docs/diff.md, docs/replay.md and the
README document them) and are kept stable. Money is integer fen, dates ISO text, percentages exact
decimal text. ``mask`` hides ID and phone numbers in texts from input (the CLI passes the screen's
mask, which --show-ids turns off); a library caller passes ``str`` to keep them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillcli.version import __version__

if TYPE_CHECKING:
    from skillcli.api.cycle import BankExportResult, ReconcileResult, StatementResult, UndoResult
    from skillcli.api.ledger import ReplayResult, ShowResult
    from skillcli.api.vouchers import VoucherIssueResult, VoucherRedeemResult, VoucherStatusResult
    from skillcli.diff import DiffReport, RowAt
    from skillcli.payout.decision import Decision
    from skillcli.pipeline import Batch
    from skillcli.replay import Simulation
    from skillcli.report.funds import FundReport
    from skillcli.vouchers.program import Program
    from skillcli.vouchers.status import VoucherSummary

Mask = Callable[[object], str]
# The fields of a finding that carry text from input (or a person's number): masked on the way out.
_MASKED = frozenset({"value", "message_zh", "message_en", "person_id"})


def _fields(row: dict[str, Any], mask: Mask, *names: str) -> dict[str, Any]:
    """A finding as JSON: where it is (file, sheet, Excel row), then ``names``, those from input masked."""
    return {k: mask(row[k]) if k in _MASKED else row[k] for k in ("file", "sheet", "row", *names)}


# -- check and payout ------------------------------------------------------------------------------
def batch_payload(batch: Batch, mask: Mask) -> dict[str, Any]:
    """Files, counts and every finding. ``mask`` hides ID/phone numbers unless asked not to."""
    from skillcli.model import Severity

    return {
        "tool": "skillcli",
        "version": __version__,
        "period": batch.ctx.period_label,
        # False when check ran without --period: the month is today's and end dates were checked as of today.
        "period_given": batch.ctx.period_given,
        "files": [
            {
                "path": f.path,
                "format": f.format,
                "sheets": [
                    {
                        "sheet": s.sheet,
                        "kind": s.kind.value if s.kind else None,
                        "header_row": s.header_row,
                        "rows": s.rows,
                        "skipped": s.skipped.as_dict(),
                        # Which header each column was read from, so a reader can see every mapping.
                        "columns": dict(s.headers),
                    }
                    for s in f.sheets
                ],
                "ignored": [{"sheet": i.sheet, "reason": i.reason_en} for i in f.ignored],
            }
            for f in batch.files
        ],
        "counts": {
            "rows": {kind.value: n for kind, n in batch.rows.items()},
            "skipped": batch.skipped.as_dict(),
            "errors": batch.count(Severity.ERROR),
            "warnings": batch.count(Severity.WARNING),
            "by_code": batch.counts_by_code,
        },
        "findings": [
            _fields(r, mask, "column", "value", "code", "severity", "message_zh", "message_en")
            for r in batch.findings.iter_rows(named=True)
        ],
    }


def decision_payload(batch: Batch, decision: Decision, mask: Mask) -> dict[str, Any]:
    """The payout result as plain data for ``--json``: counts, totals in fen and every line."""
    from skillcli.report.payout import totals

    sums = totals(decision)
    return {
        "tool": "skillcli",
        "version": __version__,
        "period": batch.ctx.period_label,
        "policy": {"id": decision.policy.id, "sha256": decision.policy.sha256},
        "counts": {"rows": decision.derived.height, **decision.counts, "lines": decision.lines.height},
        "totals_fen": {k: v for k, v in sums.items() if k != "by_payee"},
        "lines": [
            {
                "person_id": mask(r["person_id"]),
                "name": r["name"],
                "subsidy": r["subsidy"],
                "rule": r["rule"],
                "clause": r["clause"],
                "occupation": r["occupation"],
                "level": r["level"],
                "payee_type": r["payee_type"],
                "payee_id": mask(r["payee_id"]),
                "payee_name": r["payee_name"],
                "entitlement_fen": r["entitlement_fen"],
                "amount_fen": r["amount_fen"],
                "formula": r["formula"],
                "row": r["_row"],
                "sheet": r["_sheet"],
            }
            for r in decision.lines.iter_rows(named=True)
        ],
        "exceptions": [
            _fields(r, mask, "column", "code", "severity", "message_zh", "message_en", "person_id")
            for r in decision.exceptions.iter_rows(named=True)
        ],
        "warnings": [
            _fields(r, mask, "column", "code", "message_zh", "message_en")
            for r in decision.warnings.iter_rows(named=True)
        ],
        "ineligible": [
            {
                "person_id": mask(r["person_id"]),
                "name": r["name"],
                "training_type": r["training_type"],
                "reason_code": r["reason_code"],
                "reason": r["reason"],
                "row": r["_row"],
            }
            for r in decision.ineligible.iter_rows(named=True)
        ],
    }


# -- the money cycle -------------------------------------------------------------------------------
def bank_file_payload(result: BankExportResult) -> dict[str, Any]:
    """``export-bank --json`` and ``reissue --json``."""
    export = result.export
    run = export.run
    return {
        "run_id": run["run_id"],
        "batch_id": export.batch_id,
        "period": run["period"],
        "file": str(result.file) if result.written else None,
        "total_fen": export.sent_fen,
        "missing_fen": export.missing_fen,
        "earlier_fen": export.earlier_fen,
        "run_total_fen": int(run["total_fen"]),
        "payees": export.sent.height,
        "by_payee_type": [
            {"payee_type": p.value, "payees": f.height, "fen": int(f.get_column("amount_fen").sum())}
            for p, f in export.by_type()
        ],
        "missing_accounts": export.missing.height,
        "earlier_payees": export.earlier.height,
        "zero_payees": export.zero_payees,
        "changed_accounts": len(export.changed_accounts),
        "disbursement_ids": list(result.disbursement_ids),
        "new_disbursements": len(result.disbursement_ids),
    }


def reconcile_payload(result: ReconcileResult, return_file: Path, mask: Mask) -> dict[str, Any]:
    """``reconcile --json``: the totals, the count per class and every item (numbers masked)."""
    from skillcli.reconcile.match import CLASSES

    masked = ("payee_id", "account", "return_account", "return_id")
    return {
        "file": str(return_file),
        "sha256": result.sha256,
        "runs": list(result.runs),
        "dry_run": result.dry_run,
        "totals_fen": result.totals_fen,
        "counts": {c: result.reconciliation.of(c).height for c in CLASSES},
        "events_added": result.events_added,
        "items": [
            {k: (mask(v) if k in masked and v else v) for k, v in r.items()} for r in result.items.iter_rows(named=True)
        ],
    }


def undo_payload(result: UndoResult) -> dict[str, Any]:
    """``reconcile undo --json``."""
    return {"batch": result.batch, "events_undone": result.events_undone}


def statement_payload(result: StatementResult) -> dict[str, Any]:
    """``statement --json``: the payee's name, the year, the number of lines and the balance in fen."""
    st = result.statement
    return {"payee_name": st.payee_name, "year": st.year, "lines": st.lines.height, **result.balance}


def replay_payload(result: ReplayResult, mask: Mask) -> dict[str, Any]:
    """``ledger replay --json``: whether the run decided again is identical, and every difference."""
    replay = result.replay

    def shown(field: str, value: object) -> object:
        return mask(value) if field == "person_id" else value

    return {
        "run_id": result.run_id,
        "identical": not replay.differences,
        "lines": replay.lines,
        "policy_id": replay.policy_id,
        "policy_file": Path(replay.policy_path).name,
        "policy_changed": replay.policy_changed,
        "recorded_policy_sha256": replay.recorded_sha256,
        "current_policy_sha256": replay.current_sha256,
        "differences": [
            {
                "line": d.line,
                "rule": d.rule,
                "field": d.field,
                "committed": shown(d.field, d.committed),
                "replayed": shown(d.field, d.replayed),
            }
            for d in replay.differences
        ],
    }


def runs_payload(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """``ledger runs --json``: the committed runs as the ledger records them."""
    return {"runs": runs}


def show_payload(result: ShowResult) -> dict[str, Any]:
    """``ledger show --json``: the run, and the manifest of its regenerated files (null without --out)."""
    return {"run": result.run, "regenerated": result.manifest}


# -- reports and what-ifs --------------------------------------------------------------------------
def _split(frame: Any, key: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A breakdown's rows without its 合计 row, and that row (the last)."""
    from skillcli.report.funds import TOTAL_LABEL

    rows = frame.to_dicts()
    assert rows and rows[-1][key] == TOTAL_LABEL
    return rows[:-1], rows[-1]


def report_payload(report: FundReport) -> dict[str, Any]:
    """The whole report for ``--json`` (fen as integers, percentages as exact decimal text).

    A public interface: every key is documented in docs/bank-and-reports.md and kept stable. The
    合计 row of each breakdown is under ``breakdown_totals``, so the lists hold only their items.
    """
    parts = {
        "by_subsidy": _split(report.by_subsidy, "rule"),
        "by_payee_type": _split(report.by_payee_type, "payee_type"),
        "by_payee": _split(report.by_payee, "payee_type"),
        "by_category": _split(report.by_category, "category"),
        "by_level": _split(report.by_level, "level_label"),
        "monthly": _split(report.monthly, "period"),
        "finance": _split(report.finance, "funding"),
    }
    return {
        "scope": report.scope.kind,
        "period": report.scope.label,
        "as_of": report.as_of,
        "runs": [r["run_id"] for r in report.runs],
        "totals": report.totals,
        **{name: rows for name, (rows, _) in parts.items()},
        "breakdown_totals": {name: total for name, (_, total) in parts.items()},
        "targets": [
            {
                "period": t.period,
                "measure": t.measure,
                "actual": t.actual,
                "target": t.target,
                "percent": None if t.percent is None else str(t.percent),
            }
            for t in report.targets
        ],
        "vouchers": voucher_status_payload(report.vouchers) if report.vouchers is not None else None,
    }


def simulation_payload(sim: Simulation, mask: Callable[[object], str]) -> dict[str, Any]:
    """The JSON of ``simulate --json``: totals in fen, by dimension, and the people who change (IDs masked)."""
    from skillcli.report.simulate import SHEETS

    by: dict[str, list[dict[str, Any]]] = {}
    for dimension, _, _ in SHEETS:
        frame = sim.by(dimension)
        by[dimension] = [
            {
                "key": r[frame.columns[0]],
                "actual_lines": r["actual_lines"],
                "actual_fen": r["actual_fen"],
                "simulated_lines": r["simulated_lines"],
                "simulated_fen": r["simulated_fen"],
                "difference_fen": r["difference_fen"],
            }
            for r in frame.iter_rows(named=True)
        ]
    return {
        "year": sim.year,
        "policy": sim.policy,
        "parameters": dict(sorted(sim.overrides.items())),
        "runs": sim.runs,
        "actual_fen": sim.actual_fen,
        "simulated_fen": sim.simulated_fen,
        "difference_fen": sim.simulated_fen - sim.actual_fen,
        "by": by,
        "persons": [
            {
                "person_id": mask(r["person_id"]),
                "name": r["name"],
                "change": r["change"],
                "actual_fen": r["actual_fen"],
                "simulated_fen": r["simulated_fen"],
                "difference_fen": r["difference_fen"],
                "reason": mask(r["reason"]),
            }
            for r in sim.persons().iter_rows(named=True)
        ],
    }


def diff_payload(report: DiffReport, mask: Mask) -> dict[str, Any]:
    """The diff as plain data for ``--json``. ``mask`` hides ID/phone numbers unless asked not to."""
    from skillcli.diff import HEADERS
    from skillcli.report.diff import identity, payout_record

    def where(at: RowAt | None) -> dict[str, Any] | None:
        return {"file": at.file, "sheet": at.sheet, "row": at.row} if at is not None else None

    def masked(value: object) -> str | None:
        return None if value is None else mask(value)

    changes = []
    for c in report.rows.rows:
        if c.change == "same":
            continue
        person, name, key = identity(report, c)
        changes.append(
            {
                "change": c.change,
                "kind": c.kind.value,
                "person_id": mask(person),
                "name": name,
                "key": masked(key),
                "duplicate": c.duplicate,
                "old": where(c.old),
                "new": where(c.new),
                "cells": [
                    {"column": col, "header": HEADERS[col], "old": masked(old), "new": masked(new)}
                    for col, old, new in c.cells
                ],
            }
        )
    payout: dict[str, Any] | None = None
    if report.payout is not None:
        effect = report.payout
        payout = {
            "policy": effect.policy,
            "old_total_fen": effect.old_total_fen,
            "new_total_fen": effect.new_total_fen,
            "delta_fen": effect.delta_fen,
            "changes": [
                {
                    k: mask(v) if k in ("person_id", "reason_zh", "reason_en") else v
                    for k, v in payout_record(report, p).items()
                }
                for p in effect.changes
            ],
        }
    return {
        "tool": "skillcli",
        "version": __version__,
        "same": report.same,
        "period": report.new.ctx.period_label,
        "old": [{"path": f.path, "format": f.format} for f in report.old.files],
        "new": [{"path": f.path, "format": f.format} for f in report.new.files],
        "counts": report.rows.counts(),
        "columns": {
            kind.value: {"only_old": list(c.only_old), "only_new": list(c.only_new)}
            for kind, c in report.rows.columns.items()
        },
        "rows": changes,
        "duplicates": [
            _fields(r, mask, "value", "message_zh", "message_en") for r in report.duplicates.iter_rows(named=True)
        ],
        "payout": payout,
        "findings": {
            "counts": report.finding_counts(),
            "items": [
                {
                    "state": r["state"],
                    "code": r["code"],
                    "severity": r["severity"],
                    "column": r["column"],
                    "person_id": mask(r["person_id"]),
                    "row_change": r["row_change"],
                    "old": {"sheet": r["old_sheet"], "row": r["old_row"], "value": masked(r["old_value"])}
                    if r["old_file"] is not None
                    else None,
                    "new": {"sheet": r["new_sheet"], "row": r["new_row"], "value": masked(r["new_value"])}
                    if r["new_file"] is not None
                    else None,
                    "message_zh": mask(r["message_zh"]),
                    "message_en": mask(r["message_en"]),
                }
                for r in report.findings.iter_rows(named=True)
            ],
        },
    }


# -- training vouchers -----------------------------------------------------------------------------
def voucher_status_payload(summary: VoucherSummary) -> dict[str, Any]:
    """The summary for ``--json`` (fen as integers, rates as exact decimal text)."""
    return {
        "as_of": summary.as_of.isoformat(),
        "totals": summary.totals,
        "by_category": summary.by_category,
        "by_age_group": summary.by_age_group,
        "by_category_age_group": summary.by_category_age_group,
    }


def programs_payload(programs: tuple[Program, ...]) -> dict[str, Any]:
    """``vouchers programs --json``."""
    return {"programs": [program_payload(p) for p in programs]}


def status_payload(result: VoucherStatusResult) -> dict[str, Any]:
    """``vouchers status --json``: the programme asked for (null: all), the ledger and the summary."""
    return {"program": result.program, "ledger": result.ledger, **voucher_status_payload(result.summary)}


def program_payload(p: Program) -> dict[str, Any]:
    """One programme of ``vouchers programs --json``."""
    return {
        "id": p.id,
        "title": p.title,
        "region": p.region,
        "document": p.document,
        "effective": [str(p.effective_from), str(p.effective_to) if p.effective_to else None],
        "prefix": p.prefix,
        "validity_days": p.validity_days,
        "min_attendance": str(p.min_attendance),
        "require_pass": p.require_pass,
        "categories": [
            {
                "id": c.id,
                "name": c.name,
                "face_fen": c.face_fen,
                "age_groups": list(c.age_groups),
                "person_categories": list(c.person_categories) if c.person_categories else None,
                "clause": c.clause,
            }
            for c in p.categories
        ],
        "age_groups": [
            {"id": g.id, "min": g.min_age, "max": g.max_age, "offer": g.offer, "clause": g.clause} for g in p.age_groups
        ],
        "parameters": {
            q.name: {
                "value": str(q.value) if not isinstance(q.value, (bool, int, list)) else q.value,
                "assumption": q.assumption,
                "overridden": q.overridden,
            }
            for q in p.parameters.values()
        },
    }


def _masked(mask: Mask, row: dict[str, Any]) -> dict[str, Any]:
    """A record for --json with every ID-like number in its texts masked (unless --show-ids)."""
    return {k: mask(v) if isinstance(v, str) else v for k, v in row.items()}


def issue_payload(result: VoucherIssueResult, mask: Mask) -> dict[str, Any]:
    """``vouchers issue --json``."""
    plan = result.plan
    return {
        "program": plan.program.id,
        "issue_date": plan.issue_date.isoformat(),
        "ledger": result.ledger,
        "batch_id": result.batch_id,
        "rows": plan.rows,
        "counts": {"issued": plan.issued.height, "not_issued": plan.not_issued.height, "blocked": plan.blocked},
        "face_fen": plan.face_fen,
        "issued": [
            _masked(mask, r | {"issue_date": r["issue_date"].isoformat(), "expiry_date": r["expiry_date"].isoformat()})
            for r in plan.issued.iter_rows(named=True)
        ],
        "not_issued": [_masked(mask, r) for r in plan.not_issued.iter_rows(named=True)],
        "findings": [_masked(mask, r) for r in result.batch.findings.iter_rows(named=True)],
    }


def redeem_payload(result: VoucherRedeemResult, mask: Mask) -> dict[str, Any]:
    """``vouchers redeem --json``."""
    from skillcli.vouchers.output import by_institution

    redemption = result.redemption
    return {
        "program": redemption.program.id if redemption.program else None,
        "redeem_date": redemption.redeem_date.isoformat(),
        "ledger": result.ledger,
        "run_id": result.run_id,
        "rows": redemption.rows,
        "counts": {"redeemed": redemption.lines.height, "exception_rows": redemption.exception_rows},
        "total_fen": redemption.total_fen,
        "redeemed": [
            {
                "row": r["_row"],
                "voucher_no": r["voucher_no"],
                "person_id": mask(r["v_person"]),
                "category_id": r["v_category_id"],
                "category": r["v_category"],
                "age_group": r["v_age_group"],
                "institution_id": r["institution_uscc"],
                "institution": r["institution"],
                "end_date": r["end_date"].isoformat(),
                "attendance": r["__attendance"],
                "amount_fen": r["amount_fen"],
            }
            for r in redemption.lines.iter_rows(named=True)
        ],
        "by_institution": by_institution(redemption).to_dicts(),
        "exceptions": [_masked(mask, r) for r in redemption.exceptions.iter_rows(named=True)],
    }
