"""Read-side queries for the bank file, the reconciliation and the fund reports, as Polars frames.

Kept beside ``store`` (which owns the writes of payout runs) so that these commands read only the
runs and periods they need instead of the whole ledger. Every frame has a fixed schema, so an
empty result is an empty frame with the right columns, never a frame without columns.

Bank results are events (insert-only). ``record_bank_events`` writes one event per disbursement
and return file, and skips those already written, in one transaction that also serialises
concurrent writers (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
from sqlalchemy import and_, insert, select, text

from skillcli.ledger import schema as s
from skillcli.ledger.store import Ledger

LIVE_KINDS = ("payment", "advance")

LINE_SCHEMA: dict[str, Any] = {
    "line_id": pl.Int64,
    "run_id": pl.String,
    "period": pl.String,
    "kind": pl.String,
    "person_id": pl.String,
    "name": pl.String,
    "category": pl.String,
    "level": pl.String,
    "rule": pl.String,
    "subsidy": pl.String,
    "payee_type": pl.String,
    "payee_id": pl.String,
    "payee_name": pl.String,
    "bank_account": pl.String,
    "account_name": pl.String,
    "amount_fen": pl.Int64,
    "certified": pl.Boolean,
}
DISBURSEMENT_SCHEMA: dict[str, Any] = {
    "disb_id": pl.Int64,
    "run_id": pl.String,
    "period": pl.String,
    "payee_type": pl.String,
    "payee_id": pl.String,
    "payee_name": pl.String,
    "account": pl.String,
    "amount_fen": pl.Int64,
    "summary": pl.String,
    "exported_at": pl.String,
}
EVENT_SCHEMA: dict[str, Any] = {
    "event_id": pl.Int64,
    "disb_id": pl.Int64,
    "kind": pl.String,
    "batch": pl.String,
    "amount_fen": pl.Int64,
}


def _frame(rows: Iterable[Any], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame([dict(r._mapping) for r in rows], schema=schema, orient="row")


def live_runs(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Payout and advance runs that were not voided (void runs and voided runs left out)."""
    return [r for r in runs if r["kind"] != "void" and not r["voided"]]


def live_lines(ledger: Ledger, run_ids: Sequence[str]) -> pl.DataFrame:
    """Payment and advance lines of these runs that no void has reversed, with the run's period."""
    reversed_ids = select(s.lines.c.reverses_line_id).where(s.lines.c.reverses_line_id.is_not(None))
    columns = [s.lines.c[c] for c in LINE_SCHEMA if c != "period"]
    found: list[pl.DataFrame] = []
    with ledger.engine.connect() as conn:
        for chunk in _chunks(list(run_ids), 500):
            query = (
                select(*columns, s.runs.c.period)
                .join(s.runs, s.runs.c.run_id == s.lines.c.run_id)
                .where(
                    s.lines.c.run_id.in_(chunk), s.lines.c.kind.in_(LIVE_KINDS), s.lines.c.line_id.not_in(reversed_ids)
                )
                .order_by(s.lines.c.line_id)
            )
            found.append(_frame(conn.execute(query), LINE_SCHEMA))
    return pl.concat(found) if found else pl.DataFrame(schema=LINE_SCHEMA)


def disbursements(ledger: Ledger, run_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """Exported 代发 lines (of these runs, or of every run), with the run's period."""
    columns = [s.disbursements.c[c] for c in DISBURSEMENT_SCHEMA if c != "period"]
    base = select(*columns, s.runs.c.period).join(s.runs, s.runs.c.run_id == s.disbursements.c.run_id)
    with ledger.engine.connect() as conn:
        if run_ids is None:
            return _frame(conn.execute(base.order_by(s.disbursements.c.disb_id)), DISBURSEMENT_SCHEMA)
        found = [
            _frame(
                conn.execute(base.where(s.disbursements.c.run_id.in_(chunk)).order_by(s.disbursements.c.disb_id)),
                DISBURSEMENT_SCHEMA,
            )
            for chunk in _chunks(list(run_ids), 500)
        ]
    return pl.concat(found) if found else pl.DataFrame(schema=DISBURSEMENT_SCHEMA)


def bank_events(ledger: Ledger, disb_ids: Sequence[int]) -> pl.DataFrame:
    """Bank events (bank-paid, bank-failed, …) of these disbursements, oldest first."""
    found: list[pl.DataFrame] = []
    with ledger.engine.connect() as conn:
        for chunk in _chunks(list(disb_ids), 500):
            query = (
                select(*(s.events.c[c] for c in EVENT_SCHEMA))
                .where(s.events.c.disb_id.in_(chunk), s.events.c.kind.like("bank-%"))
                .order_by(s.events.c.event_id)
            )
            found.append(_frame(conn.execute(query), EVENT_SCHEMA))
    return pl.concat(found).sort("event_id") if found else pl.DataFrame(schema=EVENT_SCHEMA)


def record_bank_events(ledger: Ledger, batch: str, rows: Sequence[dict[str, Any]]) -> int:
    """Insert the events of one return file (``batch`` = its SHA-256), skipping those already there.

    A return file gives at most one event per disbursement, so reconciling the same file again adds
    nothing. Returns how many events were inserted.
    """
    if not rows:
        return 0
    with ledger.transaction() as conn:
        if conn.dialect.name == "postgresql":
            # Two reconciliations of the same file at once must not both insert: one waits here.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(batch[:15], 16)})
        done: set[int] = set()
        for chunk in _chunks([int(r["disb_id"]) for r in rows], 500):
            query = select(s.events.c.disb_id).where(and_(s.events.c.batch == batch, s.events.c.disb_id.in_(chunk)))
            done |= {int(r.disb_id) for r in conn.execute(query)}
        new = [dict(r, batch=batch) for r in rows if int(r["disb_id"]) not in done]
        if new:
            conn.execute(insert(s.events), new)
    return len(new)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
