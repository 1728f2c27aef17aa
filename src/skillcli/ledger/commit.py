"""Turn a payout decision into ledger rows, and commit it (``payout --commit``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from skillcli.ledger.archive import pack
from skillcli.ledger.store import Ledger, dumps, now_text
from skillcli.model import SheetKind
from skillcli.payout.decision import Decision
from skillcli.pipeline import Batch
from skillcli.version import __version__


def run_record(run_id: str, batch: Batch, decision: Decision, inputs: list[dict[str, Any]]) -> dict[str, Any]:
    policy = decision.policy
    return {
        "run_id": run_id,
        "kind": "advance" if decision.advance_share is not None else "payout",
        "created_at": now_text(),
        "period": batch.ctx.period_label,
        "policy_id": policy.id,
        "policy_sha256": policy.sha256,
        "parameters": dumps({name: p.value for name, p in sorted(policy.parameters.items())}),
        "inputs": dumps([{"path": Path(i["path"]).name, "sha256": i["sha256"]} for i in inputs]),
        "line_count": decision.lines.height,
        "total_fen": decision.total_fen,
        "voids_run_id": None,
        "reason": f"advance {decision.advance_share}" if decision.advance_share is not None else None,
        "tool_version": __version__,
    }


def line_records(decision: Decision) -> list[dict[str, Any]]:
    lines = decision.lines
    optional = {c: c in lines.columns for c in ("bank_account", "account_name")}
    return [
        {
            "claim_key": r["claim_key"],
            "kind": r["line_kind"],
            "person_id": r["person_id"],
            "name": r["name"],
            "category": r["category"],
            "training_type": r["training_type"],
            "occupation": r["occupation"],
            "level": r["level_code"],
            "start_date": _iso(r["start_date"]),
            "end_date": _iso(r["end_date"]),
            "rule": r["rule"],
            "subsidy": r["subsidy"],
            "clause": r["clause"],
            "counts": bool(r["counts"]),
            "payee_type": r["payee_type"],
            "payee_id": r["payee_id"],
            "payee_name": r["payee_name"],
            "bank_account": r["bank_account"] if optional["bank_account"] else None,
            "account_name": r["account_name"] if optional["account_name"] else None,
            "entitlement_fen": r["entitlement_fen"],
            "advanced_fen": r["advance_fen"],
            "amount_fen": r["amount_fen"],
            "reverses_line_id": None,
            "source": f"{Path(r['_file']).name}:{r['_sheet']}!{r['_row']}",
            "certified": bool(r["certified"]),
        }
        for r in lines.iter_rows(named=True)
    ]


def cert_records(batch: Batch, decision: Decision) -> list[dict[str, Any]]:
    """Certificates of the people paid in this run, kept for later prerequisites (Wuxi E13)."""
    certs = batch.frames.get(SheetKind.CERTIFICATES)
    if certs is None or certs.height == 0 or "id_number" not in certs.columns:
        return []
    paid = decision.lines.get_column("person_id").unique()
    cols = {
        c: (pl.col(c) if c in certs.columns else pl.lit(None, pl.String))
        for c in ("occupation", "level", "cert_kind", "cert_number")
    }
    date = pl.col("issue_date").dt.to_string("%Y-%m-%d") if "issue_date" in certs.columns else pl.lit(None, pl.String)
    chosen = certs.filter(pl.col("id_number").is_in(paid.implode())).select(
        pl.col("id_number").alias("person_id"), *(e.alias(c) for c, e in cols.items()), date.alias("issue_date")
    )
    return chosen.unique(maintain_order=True).to_dicts()


def commit(ledger: Ledger, run_id: str, batch: Batch, decision: Decision, inputs: list[dict[str, Any]]) -> None:
    ledger.commit_run(
        run_record(run_id, batch, decision, inputs),
        line_records(decision),
        cert_records(batch, decision),
        pack(batch, decision.advance_share),
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
