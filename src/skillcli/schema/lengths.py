"""How long an input text may be to fit the ledger, so that a long value is a finding, not a failed commit.

SQLite stores any length in a ``VARCHAR(60)`` while PostgreSQL refuses the whole transaction, so a
61-character name used to commit on one database and fail the batch on the other. ``check`` runs
without loading SQLAlchemy, so the lengths are plain numbers here; ``skillcli.ledger.limits``
derives the same mapping from the schema's columns and a test holds the two equal.
"""

from __future__ import annotations

# Input column (canonical name) → the most characters any ledger column it is stored in holds.
INPUT_LIMITS: dict[str, int] = {
    "name": 60,  # lines.name
    "occupation": 100,  # lines.occupation, certificates.occupation
    "employer_name": 200,  # lines.payee_name: the enterprise is the payee of most subsidies
    "bank_account": 40,  # lines.bank_account, disbursements.account
    "account_name": 60,  # lines.account_name
    "cert_kind": 30,  # certificates.cert_kind
    "cert_number": 60,  # certificates.cert_number
}
