"""The batch as plain data: for ``--json`` and for the summary sheet of the exception workbook."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from skillcli import __version__
from skillcli.model import SKIP_LABELS, Severity
from skillcli.pipeline import Batch

if TYPE_CHECKING:
    from skillcli.payout.decision import Decision


def batch_payload(batch: Batch, mask: Callable[[object], str]) -> dict[str, Any]:
    """Files, counts and every finding. ``mask`` hides ID/phone numbers unless asked not to."""
    return {
        "tool": "skillcli",
        "version": __version__,
        "period": batch.ctx.period_label,
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
            {
                "file": r["file"],
                "sheet": r["sheet"],
                "row": r["row"],
                "column": r["column"],
                "value": mask(r["value"]),
                "code": r["code"],
                "severity": r["severity"],
                "message_zh": mask(r["message_zh"]),
                "message_en": mask(r["message_en"]),
            }
            for r in batch.findings.iter_rows(named=True)
        ],
    }


def summary_rows(batch: Batch) -> list[tuple[str, Any, Any]]:
    """Label/value pairs for the first sheet of exceptions.xlsx."""
    rows: list[tuple[str, Any, Any]] = [
        ("批次月份 / period", batch.ctx.period_label, "text"),
        ("文件数 / files", len(batch.files), "int"),
    ]
    for kind, count in batch.rows.items():
        rows.append((f"{kind.label_zh}数据行 / {kind.value} rows", count, "int"))
    for name, count in batch.skipped.as_dict().items():
        if count:
            zh, en = SKIP_LABELS[name]
            rows.append((f"跳过：{zh} / skipped: {en}", count, "int"))
    rows += [
        ("错误 / errors", batch.count(Severity.ERROR), "int"),
        ("警告 / warnings", batch.count(Severity.WARNING), "int"),
        ("skillcli 版本 / version", __version__, "text"),
    ]
    for f in batch.files:
        rows.append(("输入文件 / input", f.path, "text"))
    return rows


def decision_payload(batch: Batch, decision: Decision, mask: Callable[[object], str]) -> dict[str, Any]:
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
            {
                "file": r["file"],
                "sheet": r["sheet"],
                "row": r["row"],
                "column": r["column"],
                "code": r["code"],
                "severity": r["severity"],
                "message_zh": mask(r["message_zh"]),
                "message_en": mask(r["message_en"]),
                "person_id": mask(r["person_id"]),
            }
            for r in decision.exceptions.iter_rows(named=True)
        ],
        "warnings": [
            {
                "file": r["file"],
                "sheet": r["sheet"],
                "row": r["row"],
                "column": r["column"],
                "code": r["code"],
                "message_zh": mask(r["message_zh"]),
                "message_en": mask(r["message_en"]),
            }
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
