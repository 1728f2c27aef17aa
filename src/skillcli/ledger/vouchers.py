"""The voucher tables of the ledger: issuing in one locked transaction, redeeming as a payment run.

Issuing reads which vouchers the people already hold and the last sequence number of the day, and
inserts the new vouchers, all inside one transaction that also serialises concurrent issuers
(``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL), so a person never ends up with two
open vouchers of a category and two issuers never pick the same number (the primary key would refuse
it anyway).

Redeeming is a run of kind ``voucher``: the run, one payment line per voucher (claim key
``voucher|<number>``, payee the institution) and one ``voucher_redemptions`` row per line commit
together. Both ``uq_lines_claim`` and ``uq_voucher_redeemed`` refuse a second live redemption of a
voucher, so two runs racing for the same voucher cannot both commit: the loser is told which run won
(exit 4) and nothing of it is written. A void of the run (``ledger void``) reverses its lines, which
frees its vouchers again (the next redemption is the next generation).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from skillcli.errors import LockedError
from skillcli.faults import pause
from skillcli.ledger import schema as s
from skillcli.ledger.store import Ledger, _chunks, _generations

VOUCHER_SCHEMA: dict[str, Any] = {
    "voucher_no": pl.String,
    "program_id": pl.String,
    "category_id": pl.String,
    "category": pl.String,
    "person_id": pl.String,
    "name": pl.String,
    "person_category": pl.String,
    "age": pl.Int64,
    "age_group": pl.String,
    "face_fen": pl.Int64,
    "issue_date": pl.Date,
    "expiry_date": pl.Date,
    # The live redemption, if any (null when the voucher was never redeemed or its run was voided).
    "redeemed_run": pl.String,
    "redeemed_on": pl.Date,
    "paid_fen": pl.Int64,
}
_ISSUE_LOCK = int.from_bytes(hashlib.sha256(b"skillcli vouchers issue").digest()[:7], "big")


def claim_key(voucher_no: str) -> str:
    """The ledger line's claim: a voucher is paid once (per generation)."""
    return f"voucher|{voucher_no}"


def _live_redemptions() -> Any:
    reversed_ids = select(s.lines.c.reverses_line_id).where(s.lines.c.reverses_line_id.is_not(None))
    r = s.voucher_redemptions.c
    return (
        select(r.voucher_no, r.run_id, r.redeemed_on, r.paid_fen).where(r.line_id.not_in(reversed_ids)).subquery("live")
    )


def _voucher_query() -> Any:
    v = s.vouchers.c
    live = _live_redemptions()
    return select(
        *(v[c] for c in VOUCHER_SCHEMA if c in s.vouchers.c),
        live.c.run_id.label("redeemed_run"),
        live.c.redeemed_on,
        live.c.paid_fen,
    ).outerjoin(live, live.c.voucher_no == v.voucher_no)


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    frame = pl.DataFrame(
        rows, schema={k: (pl.String if v == pl.Date else v) for k, v in VOUCHER_SCHEMA.items()}, orient="row"
    )
    return frame.with_columns(
        pl.col(c).str.to_date("%Y-%m-%d", strict=False) for c, t in VOUCHER_SCHEMA.items() if t == pl.Date
    )


def _select(conn: Any, column: str | None = None, values: Sequence[str] | None = None, **equal: str) -> pl.DataFrame:
    base = _voucher_query()
    for name, value in equal.items():
        base = base.where(s.vouchers.c[name] == value)
    rows: list[dict[str, Any]] = []
    if column is None or values is None:
        rows = [dict(r._mapping) for r in conn.execute(base.order_by(s.vouchers.c.voucher_no))]
    else:
        for chunk in _chunks(sorted(set(values)), 500):
            query = base.where(s.vouchers.c[column].in_(chunk)).order_by(s.vouchers.c.voucher_no)
            rows += [dict(r._mapping) for r in conn.execute(query)]
    return _frame(rows)


def vouchers(
    ledger: Ledger | None,
    *,
    program_id: str | None = None,
    voucher_nos: Sequence[str] | None = None,
    person_ids: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Vouchers (``VOUCHER_SCHEMA``) with their live redemption: all, of a programme, or by number or person.

    ``voucher_nos`` and ``person_ids`` together give the union. A missing ledger holds none.
    """
    if ledger is None or ledger.version() < 2:
        return _frame([])
    equal = {"program_id": program_id} if program_id else {}
    with ledger.engine.connect() as conn:
        if voucher_nos is None and person_ids is None:
            return _select(conn, **equal)
        parts = [
            _select(conn, column, values, **equal)
            for column, values in (("voucher_no", voucher_nos), ("person_id", person_ids))
            if values
        ]
    found = pl.concat(parts) if parts else _frame([])
    return found.unique("voucher_no", keep="first").sort("voucher_no")


# -- issuing ---------------------------------------------------------------------------------------
@dataclass(slots=True)
class IssueSession:
    """Reads and writes of one issue, inside its transaction."""

    conn: Any

    def held(self, program_id: str, person_ids: Sequence[str]) -> pl.DataFrame:
        """These people's vouchers of the programme, with their live redemption (for "already holds")."""
        if not person_ids:
            return _frame([])
        return _select(self.conn, "person_id", person_ids, program_id=program_id)

    def last_sequence(self, stem: str) -> int:
        """The highest sequence number already used after ``stem`` (prefix + issue date), 0 if none."""
        top = self.conn.execute(
            select(func.max(s.vouchers.c.voucher_no)).where(s.vouchers.c.voucher_no.like(f"{stem}%"))
        ).scalar()
        return int(str(top)[len(stem) :]) if top else 0

    def insert(self, batch: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        self.conn.execute(insert(s.voucher_batches).values(**batch))
        if rows:
            self.conn.execute(insert(s.vouchers), [dict(r, batch_id=batch["batch_id"]) for r in rows])
        pause("ledger-commit")


@contextmanager
def issuing(ledger: Ledger) -> Iterator[IssueSession]:
    """One issue transaction; only one runs at a time per ledger. A failure inside writes nothing."""
    try:
        with ledger.transaction() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ISSUE_LOCK})
            yield IssueSession(conn)
    except IntegrityError:
        raise LockedError(
            "另一发券进程同时写入了相同的培训券编号，本次未写入台账；请重新运行",
            "another issue wrote the same voucher numbers at the same time; nothing was committed, run again",
        ) from None


# -- redeeming -------------------------------------------------------------------------------------
def commit_redemption(
    ledger: Ledger, run: dict[str, Any], line_rows: list[dict[str, Any]], redemptions: list[dict[str, Any]]
) -> None:
    """A voucher run: the run, its payment lines and their redemption rows, in one transaction.

    ``redemptions[i]`` belongs to ``line_rows[i]``; its ``line_id`` and ``generation`` are filled here.
    """
    try:
        with ledger.transaction() as conn:
            conn.execute(insert(s.runs).values(**run))
            generations = _generations(conn, line_rows)
            conn.execute(
                insert(s.lines),
                [dict(r, run_id=run["run_id"], generation=generations[i]) for i, r in enumerate(line_rows)],
            )
            ids = {
                row.claim_key: int(row.line_id)
                for row in conn.execute(
                    select(s.lines.c.claim_key, s.lines.c.line_id).where(s.lines.c.run_id == run["run_id"])
                )
            }
            conn.execute(
                insert(s.voucher_redemptions),
                [
                    dict(r, run_id=run["run_id"], line_id=ids[line["claim_key"]], generation=generations[i])
                    for i, (r, line) in enumerate(zip(redemptions, line_rows, strict=True))
                ],
            )
            pause("ledger-commit")
    except IntegrityError:
        holder = _holder(ledger, [r["voucher_no"] for r in redemptions])
        raise LockedError(
            f"另一批次（{holder}）已先核销了本文件中的培训券，本次未写入台账；请重新运行以查看剩余可核销的券",
            f"another run ({holder}) redeemed some of these vouchers first; nothing was committed, run again to"
            " see what is left",
        ) from None


def _holder(ledger: Ledger, voucher_nos: list[str]) -> str:
    live = _live_redemptions()
    with ledger.engine.connect() as conn:
        for chunk in _chunks(voucher_nos, 500):
            row = conn.execute(select(live.c.run_id).where(live.c.voucher_no.in_(chunk)).limit(1)).first()
            if row:
                return str(row.run_id)
    return "?"
