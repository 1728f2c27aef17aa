"""Read-side queries for the bank file, the reconciliation and the fund reports, as Polars frames.

Kept beside ``store`` (which owns the writes of payout runs) so that these commands read only the
runs and periods they need instead of the whole ledger. Every frame has a fixed schema, so an
empty result is an empty frame with the right columns, never a frame without columns.

Bank results are events (insert-only). ``record_bank_events`` writes one event per disbursement
and return file, and skips those already written, in one transaction that also serialises
concurrent writers (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
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
    "occupation": pl.String,
    "level": pl.String,
    "start_date": pl.String,
    "end_date": pl.String,
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
    "line_ids": pl.String,  # JSON list of the lines this bank line pays
    "exported_at": pl.String,
}
EVENT_SCHEMA: dict[str, Any] = {
    "event_id": pl.Int64,
    "at": pl.String,
    "disb_id": pl.Int64,
    "kind": pl.String,
    "batch": pl.String,
    "amount_fen": pl.Int64,
}


def _frame(rows: Iterable[Any], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame([dict(r._mapping) for r in rows], schema=schema, orient="row")


def live_runs(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Payout and advance runs that were not voided (void, reissue and voided runs left out)."""
    return [r for r in runs if r["kind"] not in ("void", "reissue") and not r["voided"]]


def bank_runs(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs whose bank files a return may answer: live runs and the reissue runs of live runs."""
    live = live_runs(runs)
    ids = {r["run_id"] for r in live}
    reissues = [r for r in runs if r["kind"] == "reissue" and reissued_run(r) in ids]
    return live + reissues


def reissued_run(run: dict[str, Any]) -> str | None:
    """The original run a reissue run pays again (from its parameters), None for other runs."""
    if run["kind"] != "reissue":
        return None
    return str(json.loads(run["parameters"])["reissues_run_id"])


def live_lines(ledger: Ledger, run_ids: Sequence[str], *, reversed_too: bool = False) -> pl.DataFrame:
    """Payment and advance lines of these runs that no void has reversed, with the run's period.

    ``reversed_too``: the reversed ones as well (a report as of a day before the void).
    """
    reversed_ids = select(s.lines.c.reverses_line_id).where(s.lines.c.reverses_line_id.is_not(None))
    columns = [s.lines.c[c] for c in LINE_SCHEMA if c != "period"]
    found: list[pl.DataFrame] = []
    with ledger.engine.connect() as conn:
        for chunk in _chunks(list(run_ids), 500):
            query = (
                select(*columns, s.runs.c.period)
                .join(s.runs, s.runs.c.run_id == s.lines.c.run_id)
                .where(s.lines.c.run_id.in_(chunk), s.lines.c.kind.in_(LIVE_KINDS))
                .order_by(s.lines.c.line_id)
            )
            if not reversed_too:
                query = query.where(s.lines.c.line_id.not_in(reversed_ids))
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


def _undone(as_of: str | None = None) -> Any:
    """The ids of events an ``undo`` event cancelled (recorded by ``as_of``, when given)."""
    query = select(s.events.c.reverses_event_id).where(s.events.c.reverses_event_id.is_not(None))
    return query.where(s.events.c.at <= as_of) if as_of else query


def bank_events(ledger: Ledger, disb_ids: Sequence[int], as_of: str | None = None) -> pl.DataFrame:
    """Bank events (bank-paid, bank-failed, …) of these disbursements that no undo cancelled, oldest first.

    ``as_of`` (an ISO timestamp): only the events, and the undos, recorded by then.
    """
    found: list[pl.DataFrame] = []
    with ledger.engine.connect() as conn:
        for chunk in _chunks(list(disb_ids), 500):
            query = (
                select(*(s.events.c[c] for c in EVENT_SCHEMA))
                .where(
                    s.events.c.disb_id.in_(chunk),
                    s.events.c.kind.like("bank-%"),
                    s.events.c.event_id.not_in(_undone(as_of)),
                )
                .order_by(s.events.c.event_id)
            )
            if as_of:
                query = query.where(s.events.c.at <= as_of)
            found.append(_frame(conn.execute(query), EVENT_SCHEMA))
    return pl.concat(found).sort("event_id") if found else pl.DataFrame(schema=EVENT_SCHEMA)


def file_history(ledger: Ledger, batch: str) -> tuple[str | None, list[int]]:
    """When one return file (``batch``: its SHA-256) was first reconciled, and the lines it answered.

    Undone events count too: undoing a reconciliation cancels what the file said, not the fact that
    the file was read then, so a bank line exported after that moment is still not one it answers.
    ``(None, [])`` for a file never reconciled.
    """
    with ledger.engine.connect() as conn:
        rows = conn.execute(
            select(s.events.c.at, s.events.c.disb_id).where(
                s.events.c.batch == batch, s.events.c.kind.like("bank-%"), s.events.c.disb_id.is_not(None)
            )
        ).fetchall()
    if not rows:
        return None, []
    return min(str(r.at) for r in rows), sorted({int(r.disb_id) for r in rows})


def batch_events(ledger: Ledger, batch: str) -> pl.DataFrame:
    """The live bank events one return file recorded (``batch``: its SHA-256, or a unique prefix of it)."""
    with ledger.engine.connect() as conn:
        query = (
            select(*(s.events.c[c] for c in EVENT_SCHEMA))
            .where(
                s.events.c.batch.like(f"{batch}%"),
                s.events.c.kind.like("bank-%"),
                s.events.c.event_id.not_in(_undone()),
            )
            .order_by(s.events.c.event_id)
        )
        return _frame(conn.execute(query), EVENT_SCHEMA)


def undo_events(ledger: Ledger, batch: str, at: str, reason: str) -> int:
    """Cancel every live event of one return file with an ``undo`` event each, in one transaction.

    Nothing is deleted: each undo names the event it cancels (``reverses_event_id``, unique, so an
    event is undone once even when two undos race). Returns how many events were undone.
    """
    with ledger.transaction() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(batch[:15], 16)})
        query = select(s.events.c.event_id, s.events.c.disb_id, s.events.c.batch, s.events.c.amount_fen).where(
            s.events.c.batch == batch, s.events.c.kind.like("bank-%"), s.events.c.event_id.not_in(_undone())
        )
        rows = [
            {
                "at": at,
                "kind": "undo",
                "disb_id": r.disb_id,
                "batch": r.batch,
                "amount_fen": r.amount_fen,
                "detail": reason,
                "reverses_event_id": r.event_id,
            }
            for r in conn.execute(query)
        ]
        if rows:
            conn.execute(insert(s.events), rows)
    return len(rows)


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
            # Events of this file that an undo cancelled do not count: the file can be reconciled again.
            query = select(s.events.c.disb_id).where(
                and_(
                    s.events.c.batch == batch,
                    s.events.c.disb_id.in_(chunk),
                    s.events.c.kind.like("bank-%"),
                    s.events.c.event_id.not_in(_undone()),
                )
            )
            done |= {int(r.disb_id) for r in conn.execute(query)}
        new = [dict(r, batch=batch) for r in rows if int(r["disb_id"]) not in done]
        if new:
            conn.execute(insert(s.events), new)
    return len(new)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- accounts on record (v4) -------------------------------------------------------------------
ACCOUNT_SCHEMA: dict[str, Any] = {
    "payee_id": pl.String,
    "account": pl.String,
    "bank": pl.String,
    "name": pl.String,
    "at": pl.String,
}


def latest_accounts(ledger: Ledger, payee_ids: Sequence[str]) -> pl.DataFrame:
    """Each payee's latest account on record (``ACCOUNT_SCHEMA``), one row per payee that has one.

    Two sources, the newer wins: the ``accounts`` table (given with ``--accounts``, dated when given)
    and a person's own 银行账号 in a committed roster line (dated by its run). So a correction given
    after June's export is used for every later file, and a July roster with a new card number
    supersedes an older correction. Times are ISO UTC texts, so they compare as strings.
    """
    found: list[pl.DataFrame] = []
    ids = sorted(set(payee_ids))
    with ledger.engine.connect() as conn:
        for chunk in _chunks(ids, 500):
            given = select(
                s.accounts.c.payee_id,
                s.accounts.c.account,
                s.accounts.c.bank,
                s.accounts.c.name,
                s.accounts.c.recorded_at.label("at"),
            ).where(s.accounts.c.payee_id.in_(chunk))
            found.append(_frame(conn.execute(given.order_by(s.accounts.c.account_id)), ACCOUNT_SCHEMA))
            roster = (
                select(
                    s.lines.c.payee_id,
                    s.lines.c.bank_account.label("account"),
                    s.lines.c.account_name.label("name"),
                    s.runs.c.created_at.label("at"),
                )
                .join(s.runs, s.runs.c.run_id == s.lines.c.run_id)
                .where(
                    s.lines.c.payee_id.in_(chunk),
                    s.lines.c.payee_type == "person",
                    s.lines.c.bank_account.is_not(None),
                    s.lines.c.kind.in_(LIVE_KINDS),
                )
                .order_by(s.lines.c.line_id)
            )
            found.append(
                _frame(conn.execute(roster), {k: v for k, v in ACCOUNT_SCHEMA.items() if k != "bank"}).select(
                    "payee_id", "account", pl.lit(None, pl.String).alias("bank"), "name", "at"
                )
            )
    if not found:
        return pl.DataFrame(schema=ACCOUNT_SCHEMA)
    return (
        pl.concat(found)
        .with_columns(pl.col("account").str.replace_all(r"[\s\-]", ""))
        .filter(pl.col("account").str.len_chars() > 0)
        .with_row_index("_order")
        .sort("at", "_order")
        .group_by("payee_id", maintain_order=True)
        .last()
        .drop("_order")
        .sort("payee_id")
    )


# -- reissues (补发, v4): the latest bank result of a line follows its reissues ------------------
OUTCOME_SCHEMA: dict[str, Any] = {
    **DISBURSEMENT_SCHEMA,
    "line_ids": pl.String,
    "last_disb_id": pl.Int64,
    "attempts": pl.Int64,
    "last_account": pl.String,
    "kind": pl.String,
    "event_fen": pl.Int64,
}


def reissue_links(ledger: Ledger) -> dict[int, int]:
    """failed disbursement id → the disbursement that reissued it."""
    with ledger.engine.connect() as conn:
        return {int(r.failed_disb_id): int(r.disb_id) for r in conn.execute(select(s.reissues))}


def root_disbursements(ledger: Ledger, run_ids: Sequence[str]) -> pl.DataFrame:
    """The disbursements these runs exported themselves (``DISBURSEMENT_SCHEMA``), reissues left out.

    A reissue belongs to a ``reissue`` run; counting it beside the line it pays again would count
    one claim twice, so reports take these roots and ``chain_events`` for their bank results.
    """
    reissued = set(reissue_links(ledger).values())
    found = disbursements(ledger, run_ids)
    return found.filter(~pl.col("disb_id").is_in(sorted(reissued))) if reissued else found


def chain_events(ledger: Ledger, roots: pl.DataFrame, as_of: str | None = None) -> pl.DataFrame:
    """The bank events that say where each root disbursement stands, under the root's id.

    A root's standing is that of the last disbursement in its reissue chain (failed → reissued →
    paid): only that link's events are returned, relabelled with the root's ``disb_id``, so the
    latest event per ``disb_id`` is the line's latest result and a paid reissue counts once, as paid.
    A reissue not yet returned by the bank has no events: the line is exported, awaiting a result.
    ``as_of``: the chain and its events as recorded by then.
    """
    links = reissue_links(ledger)
    if as_of is not None:
        # As of a day, a reissue exported later did not exist yet: the chain stops before it.
        sent = disbursements(ledger).filter(pl.col("exported_at") <= as_of).get_column("disb_id").to_list()
        known = set(sent)
        links = {failed: new for failed, new in links.items() if new in known}
    last: dict[int, int] = {}
    for root in roots.get_column("disb_id").to_list():
        current = int(root)
        while current in links:
            current = links[current]
        last[current] = int(root)
    events = bank_events(ledger, sorted(last), as_of=as_of)
    return events.with_columns(pl.col("disb_id").replace_strict(last, return_dtype=pl.Int64))


def bank_outcomes(ledger: Ledger, run_ids: Sequence[str]) -> pl.DataFrame:
    """Per root disbursement of these runs (``OUTCOME_SCHEMA``): the latest result including reissues.

    ``kind`` is the latest bank event of the chain's last link (``bank-paid``, ``bank-failed``, …; null
    when the bank has not answered it yet), ``event_fen`` that event's amount, ``attempts`` how many
    files sent it (1 + reissues), ``last_disb_id`` and ``last_account`` the link the bank saw last.
    """
    roots = root_disbursements(ledger, run_ids)
    links = reissue_links(ledger)
    chains: list[tuple[int, int, int]] = []
    for root in roots.get_column("disb_id").to_list():
        current, attempts = int(root), 1
        while current in links:
            current, attempts = links[current], attempts + 1
        chains.append((int(root), current, attempts))
    chain = pl.DataFrame(
        chains, schema={"disb_id": pl.Int64, "last_disb_id": pl.Int64, "attempts": pl.Int64}, orient="row"
    )
    events = bank_events(ledger, chain.get_column("last_disb_id").to_list())
    latest = (
        events.sort("event_id")
        .group_by("disb_id")
        .agg(pl.col("kind").last(), pl.col("amount_fen").last().alias("event_fen"))
        .rename({"disb_id": "last_disb_id"})
    )
    with ledger.engine.connect() as conn:
        extra: dict[int, tuple[str, str | None]] = {}
        ids = sorted(set(chain.get_column("disb_id").to_list()) | set(chain.get_column("last_disb_id").to_list()))
        for part in _chunks(ids, 500):
            query = select(s.disbursements.c.disb_id, s.disbursements.c.line_ids, s.disbursements.c.account).where(
                s.disbursements.c.disb_id.in_(part)
            )
            extra |= {int(r.disb_id): (str(r.line_ids), r.account) for r in conn.execute(query)}
    chain = chain.with_columns(
        pl.col("disb_id").replace_strict({k: v[0] for k, v in extra.items()}, return_dtype=pl.String).alias("line_ids"),
        pl.col("last_disb_id")
        .replace_strict({k: v[1] for k, v in extra.items()}, return_dtype=pl.String)
        .alias("last_account"),
    )
    return (
        roots.join(chain, on="disb_id", how="left")
        .join(latest, on="last_disb_id", how="left")
        .select(list(OUTCOME_SCHEMA))
        .cast(OUTCOME_SCHEMA)  # type: ignore[arg-type]
    )


def record_bank_file(
    ledger: Ledger,
    *,
    disbursement_rows: Sequence[dict[str, Any]],
    account_rows: Sequence[dict[str, Any]] = (),
    reissue_run: dict[str, Any] | None = None,
    reissued: Sequence[tuple[int, str]] = (),
    place: Callable[[list[int]], None],
) -> list[int]:
    """Record a bank file's disbursements and put the file in place, both in one transaction.

    The new accounts (insert-only), a reissue run and its links are inserted, the disbursement ids
    handed to ``place``, which writes the file and renames it into place; only then does the
    transaction commit. A file that cannot be written leaves nothing recorded, and two exports of
    the same lines at once cannot both record them (``uq_disbursement_payee``, ``reissues``).
    ``reissued``: for a reissue, (failed disbursement, its run) that each row pays again, in row order.
    """
    from sqlalchemy.exc import IntegrityError

    from skillcli.errors import LockedError

    try:
        with ledger.transaction() as conn:
            if account_rows:
                conn.execute(insert(s.accounts), list(account_rows))
            if reissue_run is not None:
                conn.execute(insert(s.runs).values(**reissue_run))
            ids = [
                int(conn.execute(insert(s.disbursements).values(**row)).inserted_primary_key[0])
                for row in disbursement_rows
            ]
            if reissued:
                conn.execute(
                    insert(s.reissues),
                    [
                        {"disb_id": new, "failed_disb_id": failed, "run_id": run_id}
                        for new, (failed, run_id) in zip(ids, reissued, strict=True)
                    ],
                )
            place(ids)
    except IntegrityError:
        raise LockedError(
            "另一进程已先登记了这些代发行，本次未写入台账，也未写出文件；请重新运行",
            "another run recorded these bank lines first; nothing was recorded or written, run again",
        ) from None
    return ids
