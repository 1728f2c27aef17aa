"""The ledger's tables (SQLAlchemy Core) and its versioned migrations.

One schema for SQLite (the default, a file beside the clerk's work) and PostgreSQL (a city whose
districts share one ledger). Nothing is ever updated or deleted: a run is reversed by a void run
with negative lines, and bank results are events. Money columns are BIGINT fen.

Migrations are numbered functions; ``schema_version`` records each one applied, so ``ledger
status`` can say where a ledger stands and ``ledger migrate`` brings it to ``LATEST``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", String(40), nullable=False),
    Column("description", Text, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),  # payout | advance | void | voucher (training-voucher redemptions)
    Column("created_at", String(40), nullable=False),
    Column("period", String(7), nullable=False),
    Column("policy_id", String(64), nullable=False),
    Column("policy_sha256", String(64), nullable=False),
    Column("parameters", Text, nullable=False),  # JSON
    Column("inputs", Text, nullable=False),  # JSON: path, sha256
    Column("line_count", Integer, nullable=False),
    Column("total_fen", BigInteger, nullable=False),
    Column("voids_run_id", String(40), ForeignKey("runs.run_id"), nullable=True, unique=True),
    Column("reason", Text, nullable=True),
    Column("tool_version", String(20), nullable=False),
)

lines = Table(
    "lines",
    metadata,
    Column("line_id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(40), ForeignKey("runs.run_id"), nullable=False, index=True),
    # person + subsidy rule + occupation + level + training period: one claim, paid once.
    Column("claim_key", String(300), nullable=False),
    Column("kind", String(16), nullable=False),  # payment | advance | reversal
    # How many times this claim's earlier lines of this kind were voided: a void frees the claim.
    Column("generation", Integer, nullable=False),
    Column("person_id", String(18), nullable=False, index=True),
    Column("name", String(60), nullable=True),
    Column("category", String(30), nullable=True),
    Column("training_type", String(30), nullable=True),
    Column("occupation", String(100), nullable=True),
    Column("level", String(10), nullable=True),  # L5…L1 / SPECIAL / NONE
    Column("start_date", String(10), nullable=True),
    Column("end_date", String(10), nullable=True),
    Column("rule", String(40), nullable=False),
    Column("subsidy", String(100), nullable=False),
    Column("clause", String(100), nullable=False),
    Column("counts", Boolean, nullable=False),
    Column("payee_type", String(16), nullable=False),
    Column("payee_id", String(30), nullable=False),
    Column("payee_name", String(200), nullable=True),
    Column("bank_account", String(40), nullable=True),
    Column("account_name", String(60), nullable=True),
    Column("entitlement_fen", BigInteger, nullable=False),
    Column("advanced_fen", BigInteger, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("reverses_line_id", Integer, ForeignKey("lines.line_id"), nullable=True, unique=True),
    Column("source", Text, nullable=True),  # file:sheet!row
    Column("certified", Boolean, nullable=False),
    UniqueConstraint("claim_key", "kind", "generation", name="uq_lines_claim"),
)

certificates = Table(
    "certificates",
    metadata,
    Column("cert_id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(40), ForeignKey("runs.run_id"), nullable=False),
    Column("person_id", String(18), nullable=False, index=True),
    Column("occupation", String(100), nullable=True),
    Column("level", String(10), nullable=True),
    Column("cert_kind", String(30), nullable=True),
    Column("cert_number", String(60), nullable=True),
    Column("issue_date", String(10), nullable=True),
)

disbursements = Table(
    "disbursements",
    metadata,
    Column("disb_id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(40), ForeignKey("runs.run_id"), nullable=False, index=True),
    Column("payee_type", String(16), nullable=False),
    Column("payee_id", String(30), nullable=False),
    Column("payee_name", String(200), nullable=True),
    Column("account", String(40), nullable=True),
    Column("amount_fen", BigInteger, nullable=False),
    Column("summary", Text, nullable=False),
    Column("line_ids", Text, nullable=False),  # JSON list
    Column("exported_at", String(40), nullable=False),
    UniqueConstraint("run_id", "payee_type", "payee_id", name="uq_disbursement_payee"),
)

events = Table(
    "events",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    # bank-paid | bank-failed | bank-mismatch | bank-pending; "undo" (v3) reverses one earlier event
    Column("kind", String(30), nullable=False),
    Column("disb_id", Integer, ForeignKey("disbursements.disb_id"), nullable=True, index=True),
    Column("batch", String(80), nullable=True),  # the return file's hash
    Column("amount_fen", BigInteger, nullable=True),
    Column("detail", Text, nullable=True),
    # v3: the event an "undo" event cancels (``reconcile undo``); at most one undo per event.
    Column("reverses_event_id", Integer, ForeignKey("events.event_id"), nullable=True),
)

Index("ix_lines_person_claim", lines.c.person_id, lines.c.claim_key)
Index("ux_events_reverses", events.c.reverses_event_id, unique=True)

# -- v2: electronic training vouchers (电子培训券, S0 §3, S1) ----------------------------------------
# A voucher is issued to a person (one row, never changed) and redeemed (核销) by a voucher run: its
# payment line in ``lines`` (claim key ``voucher|<number>``) and a ``voucher_redemptions`` row point at
# each other. Whether a voucher is open, redeemed or expired is derived, never stored: redeemed means a
# redemption whose line no void has reversed; expired means not redeemed and past ``expiry_date``.

voucher_batches = Table(
    "voucher_batches",
    metadata,
    Column("batch_id", String(40), primary_key=True),
    Column("program_id", String(64), nullable=False),
    Column("program_sha256", String(64), nullable=False),
    Column("parameters", Text, nullable=False),  # JSON
    Column("inputs", Text, nullable=False),  # JSON: path, sha256
    Column("issue_date", String(10), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("voucher_count", Integer, nullable=False),
    Column("face_fen", BigInteger, nullable=False),
    Column("tool_version", String(20), nullable=False),
)

vouchers = Table(
    "vouchers",
    metadata,
    Column("voucher_no", String(40), primary_key=True),  # prefix + issue date + sequence: unique by the key
    Column("batch_id", String(40), ForeignKey("voucher_batches.batch_id"), nullable=False, index=True),
    Column("program_id", String(64), nullable=False, index=True),
    Column("category_id", String(16), nullable=False),
    Column("category", String(30), nullable=False),  # 普惠制培训 | 等级评价 | 企业培训
    Column("person_id", String(18), nullable=False, index=True),
    Column("name", String(60), nullable=True),
    Column("person_category", String(30), nullable=True),  # 人员类别 at issue
    Column("age", Integer, nullable=False),  # 周岁 at the issue date, from the ID's birth date
    Column("age_group", String(20), nullable=False),
    Column("face_fen", BigInteger, nullable=False),
    Column("issue_date", String(10), nullable=False),
    Column("expiry_date", String(10), nullable=False),  # the last day it can be redeemed
    Column("source", Text, nullable=True),  # file:sheet!row
)

voucher_redemptions = Table(
    "voucher_redemptions",
    metadata,
    Column("redemption_id", Integer, primary_key=True, autoincrement=True),
    Column("voucher_no", String(40), ForeignKey("vouchers.voucher_no"), nullable=False, index=True),
    Column("run_id", String(40), ForeignKey("runs.run_id"), nullable=False, index=True),
    Column("line_id", Integer, ForeignKey("lines.line_id"), nullable=False, unique=True),
    # As in ``lines``: how many earlier redemptions of this voucher were voided. A voucher is redeemed
    # once per generation, so two runs racing for one voucher cannot both commit.
    Column("generation", Integer, nullable=False),
    Column("redeemed_on", String(10), nullable=False),
    Column("end_date", String(10), nullable=False),
    Column("institution_id", String(30), nullable=False),
    Column("institution_name", String(200), nullable=True),
    Column("attendance", String(40), nullable=True),  # "18/20 天" or "36/40 学时"
    Column("passed", String(10), nullable=True),
    Column("paid_fen", BigInteger, nullable=False),
    Column("source", Text, nullable=True),
    UniqueConstraint("voucher_no", "generation", name="uq_voucher_redeemed"),
)

# -- v4: payee accounts and reissues (补发) ----------------------------------------------------------
# Accounts given with ``--accounts`` are recorded insert-only with the time they were given; every
# bank file uses the latest one on record, so a corrected account is never silently ignored. A
# reissue is a disbursement of a ``reissue`` run (one per ``skillcli reissue``) that pays again what
# one failed disbursement did not: ``reissues`` links the two, at most once per failed disbursement.
# Neither table depends on version 3.

accounts = Table(
    "accounts",
    metadata,
    Column("account_id", Integer, primary_key=True, autoincrement=True),
    Column("payee_id", String(30), nullable=False, index=True),
    Column("account", String(40), nullable=False),
    Column("bank", String(200), nullable=True),
    Column("name", String(200), nullable=True),
    Column("recorded_at", String(40), nullable=False),
    Column("source", Text, nullable=True),  # the accounts file's name and Excel row
)

reissues = Table(
    "reissues",
    metadata,
    Column("disb_id", Integer, ForeignKey("disbursements.disb_id"), primary_key=True),
    Column("failed_disb_id", Integer, ForeignKey("disbursements.disb_id"), nullable=False, unique=True),
    Column("run_id", String(40), ForeignKey("runs.run_id"), nullable=False, index=True),  # the original run
)

# -- v5: archived run inputs (issue 17) -----------------------------------------------------------
# Every committed payout or advance run keeps the normalised batch it decided: one row per part (the
# typed frame of each sheet kind and the findings, as Parquet; ``meta``, the batch's context, files
# and the run's advance share, as JSON), each with the SHA-256 of its bytes, written in the run's own
# transaction. ``skillcli ledger replay`` and ``skillcli simulate`` decide again from these rows
# without the original files. Independent of versions 3 and 4.

run_inputs = Table(
    "run_inputs",
    metadata,
    Column("run_id", String(40), ForeignKey("runs.run_id"), primary_key=True),
    Column("part", String(40), primary_key=True),  # meta | findings | frame:<sheet kind>
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

Migration = Callable[[Connection], None]


def _v1(conn: Connection) -> None:
    for table in (runs, lines, certificates, disbursements, events):
        table.create(conn, checkfirst=True)


def _v2(conn: Connection) -> None:
    for table in (voucher_batches, vouchers, voucher_redemptions):
        table.create(conn, checkfirst=True)


def _v3(conn: Connection) -> None:
    # A ledger made by v1 has ``events`` without the column; one made since has it from ``_v1``
    # (the table definition is shared), so the column is added only where it is missing.
    from sqlalchemy import inspect, text

    names = {c["name"] for c in inspect(conn).get_columns("events")}
    if "reverses_event_id" not in names:
        conn.execute(text("ALTER TABLE events ADD COLUMN reverses_event_id INTEGER REFERENCES events(event_id)"))
    for index in events.indexes:
        if index.name == "ux_events_reverses":
            index.create(conn, checkfirst=True)


def _v4(conn: Connection) -> None:
    for table in (accounts, reissues):
        table.create(conn, checkfirst=True)


def _v5(conn: Connection) -> None:
    run_inputs.create(conn, checkfirst=True)


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "runs, lines, certificates, disbursements, events", _v1),
    (2, "training vouchers: voucher_batches, vouchers, voucher_redemptions", _v2),
    (3, "reconcile undo: events.reverses_event_id", _v3),
    (4, "payee accounts history and reissues (补发): accounts, reissues", _v4),
    (5, "archived run inputs for replay and simulate: run_inputs", _v5),
]
LATEST = MIGRATIONS[-1][0]
