"""The payment ledger (补贴资金发放台账): SQLite by default, PostgreSQL for a shared city ledger.

Every write is one transaction. A payout run and all its lines commit together or not at all;
a second run that tries to commit the same claim loses on the ``uq_lines_claim`` unique
constraint and is told which run holds it. Reads for a dry run never write.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, create_engine, event, func, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from skillcli.errors import LockedError, SkillcliError, UsageError
from skillcli.faults import pause
from skillcli.ledger import schema as s

# Which ledger is in force lives apart from the database layer, so that a dry run with no ledger
# never imports SQLAlchemy (about 0.25 s).
from skillcli.ledger.where import new_run_id, resolve_url
from skillcli.payout.history import CERT_SCHEMA, HISTORY_SCHEMA, History
from skillcli.version import __version__


class LedgerError(SkillcliError):
    """The ledger cannot be opened, is at the wrong version, or refused a write."""


def is_lock_wait(exc: BaseException) -> bool:
    """A database that stayed locked by another writer past the wait (SQLite busy, a PostgreSQL
    lock timeout): the run should be retried, not the ledger repaired."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "locked" in text or "busy" in text or "lock timeout" in text


def now_text() -> str:
    """UTC with microseconds: runs are listed in the order they were committed."""
    return dt.datetime.now(dt.UTC).isoformat()


# Query parameters that carry a secret (libpq names); compared in lower case.
SECRET_PARAMETERS = frozenset({"password", "sslpassword", "passfile"})


def describe(url: str) -> str:
    """The one rendering of a ledger location for the screen, logs, manifests, JSON and errors.

    A SQLite ledger is its path; a server URL loses its password, both in the userinfo and in
    the query (``password=``, ``sslpassword=``, ``passfile=``). The URL is parsed with
    ``urllib.parse``: the userinfo ends at the *last* ``@`` of the authority, so an unencoded ``@``
    in a password stays hidden. A ``/`` in a password (which no parser accepts) would push part of
    it into the path, so an ``@`` there means the whole text before it was userinfo.
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit

    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0] or "ledger"
    netloc, path = parts.netloc, parts.path
    if "@" in path:
        netloc, path = (netloc + path).rsplit("@", 1)[1], ""
        user = ""
    else:
        user = netloc.rpartition("@")[0].split(":", 1)[0] if "@" in netloc else ""
        netloc = netloc.rpartition("@")[2]
        path = path.split("@", 1)[0]
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SECRET_PARAMETERS]
    shown = f"{scheme}://{user + '@' if user else ''}{netloc}{path}"
    return shown + (f"?{urlencode(query)}" if query else "")


def scrub(text: str, url: str) -> str:
    """A driver's message with every secret of ``url`` blanked out.

    A password with an unencoded ``@`` is split by some parsers, which then name part of it as
    the host ("could not translate host name …"): each part is blanked as well as the whole.
    """
    from urllib.parse import parse_qsl, unquote, urlsplit

    parts = urlsplit(url)
    userinfo = (parts.netloc + parts.path).rpartition("@")[0] if "@" in parts.netloc + parts.path else ""
    secrets_found = [userinfo.partition(":")[2]] if ":" in userinfo else []
    secrets_found += [v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() in SECRET_PARAMETERS]
    pieces = {unquote(s) for s in secrets_found} | set(secrets_found)
    pieces |= {piece for secret in list(pieces) for piece in secret.split("@") if len(piece) >= 3}
    for piece in sorted((p for p in pieces if p), key=len, reverse=True):
        text = text.replace(piece, "***")
    return text


class Ledger:
    """An opened ledger (``Ledger.open``: the one ``--ledger`` or the settings name)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        try:
            self.engine: Engine = create_engine(url, future=True, pool_pre_ping=not self.sqlite)
        except (SQLAlchemyError, ModuleNotFoundError, ValueError) as exc:
            raise LedgerError(
                f"无法打开台账 {describe(url)}", f"cannot open ledger {describe(url)}: {type(exc).__name__}"
            ) from None
        if self.sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin_immediate)

    @classmethod
    def open(cls, ledger: str | None) -> Ledger:
        return cls(resolve_url(ledger))

    @property
    def name(self) -> str:
        return describe(self.url)

    @property
    def files(self) -> list[Path]:
        """The ledger's own file (SQLite), which no output may replace."""
        return [Path(self.url[len("sqlite:///") :])] if self.url.startswith("sqlite:///") else []

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise
        except DBAPIError as exc:
            raise self.translate(exc) from None

    def translate(self, exc: DBAPIError) -> SkillcliError:
        """A database failure as the user sees it: a lock wait is exit 4, anything else (server
        unreachable, a corrupt file) exit 2 — one line, the driver's reason without SQL or secrets."""
        if is_lock_wait(exc):
            return LockedError(f"台账 {self.name} 正被另一个进程写入", f"ledger {self.name} is locked by another run")
        return LedgerError(
            f"台账 {self.name} 无法访问或已损坏（{self._reason(exc)}）",
            f"ledger {self.name} cannot be reached or is damaged: {self._reason(exc)}",
        )

    def _reason(self, exc: DBAPIError) -> str:
        """The first line of the driver's message, without any secret from the URL."""
        return scrub(str(exc.orig).strip().splitlines()[0] if exc.orig and str(exc.orig).strip() else "", self.url)

    @property
    def missing(self) -> bool:
        """A SQLite ledger whose file does not exist: reading it must not create it."""
        if not self.sqlite or not self.url.startswith("sqlite:///"):
            return False
        path = self.url[len("sqlite:///") :]
        return path not in ("", ":memory:") and not Path(path).exists()

    # -- version and migrations ----------------------------------------------------------------
    def version(self) -> int:
        if self.missing:
            return 0
        try:
            with self.engine.connect() as conn:
                if not self.engine.dialect.has_table(conn, "schema_version"):
                    return 0
                value = conn.execute(select(func.max(s.schema_version.c.version))).scalar()
                return int(value or 0)
        except DBAPIError as exc:
            raise self.translate(exc) from None

    def _refuse_newer(self, current: int) -> None:
        if current > s.LATEST:
            raise LedgerError(
                f"台账 {self.name} 由更新版本的 skillcli 写入（版本 {current}，本程序支持到 {s.LATEST}），请升级 skillcli",
                f"this ledger was written by a newer skillcli (version {current}; this one knows up to {s.LATEST});"
                " upgrade skillcli",
            )

    def applied_versions(self) -> set[int]:
        """The migrations recorded in the ledger (a set: version 4 may have come before 3)."""
        if self.version() == 0:
            return set()
        with self.engine.connect() as conn:
            return {int(v) for v in conn.execute(select(s.schema_version.c.version)).scalars()}

    def migrate(self) -> list[tuple[int, str]]:
        """Apply every migration not yet recorded, in order, each in its own transaction.

        Versions are independent steps rather than a chain: a ledger that received version 4 before
        version 3 existed still gets version 3 here.
        """
        applied = []
        done = self.applied_versions()
        self._refuse_newer(max(done, default=0))
        for version, description, step in s.MIGRATIONS:
            if version in done:
                continue
            with self.transaction() as conn:
                s.schema_version.create(conn, checkfirst=True)
                step(conn)
                conn.execute(
                    insert(s.schema_version).values(version=version, applied_at=now_text(), description=description)
                )
            applied.append((version, description))
        return applied

    def ensure_ready(self) -> None:
        """A ledger at the latest version. Only ``skillcli ledger init`` creates one: a command that
        created a ledger as a side effect would pay, against an empty history, what was paid before."""
        current = self.version()
        missing = sorted({v for v, _, _ in s.MIGRATIONS} - self.applied_versions())
        if current == s.LATEST and not missing:
            return
        if current == s.LATEST:
            # Versions are independent steps: one may be absent below the highest applied.
            raise LedgerError(
                f"台账 {self.name} 缺少迁移 {', '.join(map(str, missing))}，请运行 skillcli ledger migrate",
                f"ledger {self.name} lacks migration {', '.join(map(str, missing))}; run skillcli ledger migrate",
            )
        if current == 0 and self.missing:
            raise LedgerError(
                f"台账 {self.name} 不存在，请运行 skillcli ledger init {self.name}",
                f"ledger {self.name} does not exist; run skillcli ledger init {self.name}",
            )
        if current == 0:
            raise LedgerError(
                f"台账 {self.name} 尚未初始化，请运行 skillcli ledger init",
                f"ledger {self.name} is not initialised; run skillcli ledger init",
            )
        self._refuse_newer(current)
        raise LedgerError(
            f"台账 {self.name} 版本 {current} 低于 {s.LATEST}，请运行 skillcli ledger migrate",
            f"ledger {self.name} is at version {current} < {s.LATEST}; run skillcli ledger migrate",
        )

    @classmethod
    def ready(cls, ledger: str | None) -> Ledger:
        """The ledger in force, opened and at the latest version (every ledger-reading command)."""
        store = cls.open(ledger)
        store.ensure_ready()
        return store

    # -- reads ---------------------------------------------------------------------------------
    def history(self, person_ids: list[str], *, before: str | None = None) -> History:
        """Live lines and recorded certificates of these people (voided lines excluded).

        ``before`` (a run id) gives the history as it stood when that run was committed: only runs
        committed before it count, and only the voids committed before it (``ledger replay``).
        """
        if self.version() == 0 or not person_ids:
            return History.empty()
        reversal: Any = s.lines.c.reverses_line_id.is_not(None)
        line_where = []
        cert_where = []
        if before is not None:
            earlier = select(s.runs.c.run_id).where(_committed_before(self.run(before)))
            reversal = reversal & s.lines.c.run_id.in_(earlier)
            line_where.append(s.lines.c.run_id.in_(earlier))
            cert_where.append(s.certificates.c.run_id.in_(earlier))
        reversed_ids = select(s.lines.c.reverses_line_id).where(reversal)
        found: list[dict[str, Any]] = []
        certs: list[dict[str, Any]] = []
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(person_ids)), 500):
                columns = [s.runs.c.period if c == "period" else s.lines.c[c] for c in HISTORY_SCHEMA if c != "seq"]
                query = (
                    select(*columns)
                    .select_from(s.lines.join(s.runs, s.runs.c.run_id == s.lines.c.run_id))
                    .where(
                        s.lines.c.person_id.in_(chunk),
                        s.lines.c.kind.in_(["payment", "advance"]),
                        s.lines.c.line_id.not_in(reversed_ids),
                        *line_where,
                    )
                )
                found += [dict(r._mapping) for r in conn.execute(query)]
                cert_query = select(*(s.certificates.c[c] for c in CERT_SCHEMA)).where(
                    s.certificates.c.person_id.in_(chunk), *cert_where
                )
                certs += [dict(r._mapping) for r in conn.execute(cert_query)]
            positions = self._positions(conn, sorted({r["run_id"] for r in found}))
        for r in found:
            r["seq"] = positions(r["run_id"], r["line_id"])
        return History(
            pl.DataFrame(found, schema=HISTORY_SCHEMA, orient="row"),
            pl.DataFrame(certs, schema=CERT_SCHEMA, orient="row"),
        )

    @staticmethod
    def _positions(conn: Any, run_ids: list[str]) -> Callable[[str, int], int]:
        """Each line's position within its run (1 = the run's first line), for ``run_ids``.

        A run's lines are nearly always consecutive line ids, and then the position is the distance
        from its first one: one grouped query for every run, not a numbering of whole runs per
        batch chunk. A run whose ids interleave with another's (two runs committed at once on
        PostgreSQL) has its ids read and numbered in order."""
        first: dict[str, int] = {}
        numbered: dict[str, dict[int, int]] = {}
        for chunk in _chunks(run_ids, 500):
            spans = (
                select(s.lines.c.run_id, func.min(s.lines.c.line_id), func.max(s.lines.c.line_id), func.count())
                .where(s.lines.c.run_id.in_(chunk))
                .group_by(s.lines.c.run_id)
            )
            for run_id, low, high, count in list(conn.execute(spans)):
                if high - low + 1 == count:
                    first[run_id] = int(low)
                else:
                    ids = select(s.lines.c.line_id).where(s.lines.c.run_id == run_id).order_by(s.lines.c.line_id)
                    numbered[run_id] = {int(i): n for n, (i,) in enumerate(conn.execute(ids), start=1)}

        def position(run_id: str, line_id: int) -> int:
            return numbered[run_id][line_id] if run_id in numbered else line_id - first[run_id] + 1

        return position

    def runs(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            voided = {r.voids_run_id for r in conn.execute(select(s.runs.c.voids_run_id)) if r.voids_run_id}
            rows = [
                dict(r._mapping) for r in conn.execute(select(s.runs).order_by(s.runs.c.created_at, s.runs.c.run_id))
            ]
        for row in rows:
            row["voided"] = row["run_id"] in voided
        return rows

    def run(self, run_id: str) -> dict[str, Any]:
        for row in self.runs():
            if row["run_id"] == run_id:
                return row
        raise UsageError(f"台账中没有批次 {run_id}", f"no run {run_id} in the ledger")

    def archive(self, run_id: str) -> list[dict[str, Any]]:
        """The archived input parts of a run (``run_inputs``); empty for a run committed before v5."""
        with self.engine.connect() as conn:
            query = select(s.run_inputs).where(s.run_inputs.c.run_id == run_id).order_by(s.run_inputs.c.part)
            return [dict(r._mapping) for r in conn.execute(query)]

    def run_lines(self, run_id: str) -> pl.DataFrame:
        with self.engine.connect() as conn:
            rows = [
                dict(r._mapping)
                for r in conn.execute(select(s.lines).where(s.lines.c.run_id == run_id).order_by(s.lines.c.line_id))
            ]
        return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()

    def all_lines(self) -> pl.DataFrame:
        with self.engine.connect() as conn:
            rows = [
                dict(r._mapping)
                for r in conn.execute(
                    select(s.lines, s.runs.c.created_at, s.runs.c.period.label("run_period"))
                    .join(s.runs, s.runs.c.run_id == s.lines.c.run_id)
                    .order_by(s.lines.c.line_id)
                )
            ]
        return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()

    # -- writes --------------------------------------------------------------------------------
    def commit_run(
        self,
        run: dict[str, Any],
        line_rows: list[dict[str, Any]],
        cert_rows: list[dict[str, Any]],
        archive: list[dict[str, Any]] | None = None,
    ) -> None:
        """One payout (or advance) run with its lines, certificates and archived inputs, in one transaction."""
        try:
            with self.transaction() as conn:
                conn.execute(insert(s.runs).values(**run))
                if archive:
                    conn.execute(insert(s.run_inputs), [dict(a, run_id=run["run_id"]) for a in archive])
                if line_rows:
                    generations = _generations(conn, line_rows)
                    conn.execute(
                        insert(s.lines),
                        [dict(r, run_id=run["run_id"], generation=generations[i]) for i, r in enumerate(line_rows)],
                    )
                if cert_rows:
                    conn.execute(insert(s.certificates), [dict(c, run_id=run["run_id"]) for c in cert_rows])
                pause("ledger-commit")
        except IntegrityError:
            holder = self._holder([r["claim_key"] for r in line_rows])
            raise LockedError(
                f"另一批次（{holder}）已先登记了本批次中的人员，本次未写入台账；请重新运行以查看剩余应发",
                f"another run ({holder}) committed some of these claims first; nothing was committed, run again"
                " to see what is left",
            ) from None

    def _holder(self, claims: list[str]) -> str:
        with self.engine.connect() as conn:
            for chunk in _chunks(claims, 500):
                row = conn.execute(select(s.lines.c.run_id).where(s.lines.c.claim_key.in_(chunk)).limit(1)).first()
                if row:
                    return str(row.run_id)
        return "?"

    def void(self, run_id: str, reason: str) -> str:
        """Reverse a committed run with negative lines under a new void run (an audit record)."""
        target = self.run(run_id)
        if target["kind"] == "void":
            raise UsageError("作废记录本身不能再作废", "a void run cannot be voided")
        if target["kind"] == "reissue":
            raise UsageError(
                "补发记录不能作废，请作废原批次", "a reissue record cannot be voided; void its original run"
            )
        if target["voided"]:
            raise UsageError(f"批次 {run_id} 已作废", f"run {run_id} is already voided")
        originals = self.run_lines(run_id)
        void_id = new_run_id()
        run = {
            "run_id": void_id,
            "kind": "void",
            "created_at": now_text(),
            "period": target["period"],
            "policy_id": target["policy_id"],
            "policy_sha256": target["policy_sha256"],
            "parameters": "{}",
            "inputs": "[]",
            "line_count": originals.height,
            "total_fen": -int(target["total_fen"]),
            "voids_run_id": run_id,
            "reason": reason,
            "tool_version": __version__,
        }
        reversals = []
        for row in originals.iter_rows(named=True):
            reversal = {k: row[k] for k in row if k not in ("line_id", "run_id", "generation")}
            reversal.update(
                kind="reversal",
                amount_fen=-row["amount_fen"],
                reverses_line_id=row["line_id"],
                claim_key=f"{row['claim_key']}|void{row['line_id']}",
            )
            reversals.append(reversal)
        with self.transaction() as conn:
            conn.execute(insert(s.runs).values(**run))
            if reversals:
                conn.execute(insert(s.lines), [dict(r, run_id=void_id, generation=0) for r in reversals])
        return void_id

    def record_disbursements(self, rows: list[dict[str, Any]]) -> list[int]:
        """Store the 代发 lines of an export (once per run and payee); returns their ids."""
        ids: list[int] = []
        with self.transaction() as conn:
            for row in rows:
                existing = conn.execute(
                    select(s.disbursements.c.disb_id).where(
                        s.disbursements.c.run_id == row["run_id"],
                        s.disbursements.c.payee_type == row["payee_type"],
                        s.disbursements.c.payee_id == row["payee_id"],
                    )
                ).first()
                if existing:
                    ids.append(int(existing.disb_id))
                    continue
                result = conn.execute(insert(s.disbursements).values(**row))
                ids.append(int(result.inserted_primary_key[0]))
        return ids

    def disbursements(self) -> pl.DataFrame:
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(s.disbursements).order_by(s.disbursements.c.disb_id))]
        return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()

    def record_events(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        with self.transaction() as conn:
            conn.execute(insert(s.events), rows)

    def events(self) -> pl.DataFrame:
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(s.events).order_by(s.events.c.event_id))]
        return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()

    def status(self) -> dict[str, Any]:
        version = self.version()
        info: dict[str, Any] = {
            "ledger": self.name,
            "exists": not self.missing,
            "version": version,
            "latest": s.LATEST,
        }
        if version == 0:
            return info
        with self.engine.connect() as conn:
            info["runs"] = int(conn.execute(select(func.count()).select_from(s.runs)).scalar() or 0)
            info["lines"] = int(conn.execute(select(func.count()).select_from(s.lines)).scalar() or 0)
            info["net_fen"] = int(conn.execute(select(func.coalesce(func.sum(s.lines.c.amount_fen), 0))).scalar() or 0)
        return info


def _committed_before(run: dict[str, Any]) -> Any:
    """Runs committed before ``run``: ``created_at`` is UTC to the microsecond, the run id breaks ties."""
    at, run_id = run["created_at"], run["run_id"]
    return (s.runs.c.created_at < at) | ((s.runs.c.created_at == at) & (s.runs.c.run_id < run_id))


def _generations(conn: Any, rows: list[dict[str, Any]]) -> list[int]:
    """For each new line: how many earlier lines of its claim and kind were voided."""
    claims = sorted({r["claim_key"] for r in rows})
    voided: dict[tuple[str, str], int] = {}
    reversed_ids = select(s.lines.c.reverses_line_id).where(s.lines.c.reverses_line_id.is_not(None))
    for chunk in _chunks(claims, 500):
        query = (
            select(s.lines.c.claim_key, s.lines.c.kind, func.count())
            .where(s.lines.c.claim_key.in_(chunk), s.lines.c.line_id.in_(reversed_ids))
            .group_by(s.lines.c.claim_key, s.lines.c.kind)
        )
        for claim, kind, count in conn.execute(query):
            voided[(claim, kind)] = int(count)
    return [voided.get((r["claim_key"], r["kind"]), 0) for r in rows]


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let the driver not start transactions itself, so BEGIN IMMEDIATE below takes the write lock
    # at the start of every transaction: two writers queue instead of deadlocking.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
