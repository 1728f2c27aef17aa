"""How long a text may be to fit the ledger, read from the schema's column lengths.

The batch checks (``schema.checks.check_ledger_lengths``) report a longer input value as a finding
on its row, on either database, before anything is committed. They run without SQLAlchemy, from
``schema.lengths.INPUT_LIMITS``; ``INPUT_LIMITS`` here is the same mapping derived from the
schema, and a test holds the two equal, so a column resized by a migration cannot drift.
"""

from __future__ import annotations

from sqlalchemy import String, Table

from skillcli.ledger import schema as s


def column_lengths(table: Table) -> dict[str, int]:
    """Each sized text column of a table and its length in characters."""
    return {
        column.name: int(column.type.length)
        for column in table.columns
        if isinstance(column.type, String) and column.type.length
    }


_LINES = column_lengths(s.lines)
_CERTIFICATES = column_lengths(s.certificates)
_DISBURSEMENTS = column_lengths(s.disbursements)

# Input column (canonical name) → the most characters any ledger column it is stored in can hold.
INPUT_LIMITS: dict[str, int] = {
    "name": _LINES["name"],
    "occupation": min(_LINES["occupation"], _CERTIFICATES["occupation"]),
    "employer_name": _LINES["payee_name"],  # the enterprise is the payee of most subsidies
    "bank_account": min(_LINES["bank_account"], _DISBURSEMENTS["account"]),
    "account_name": _LINES["account_name"],
    "cert_kind": _CERTIFICATES["cert_kind"],
    "cert_number": _CERTIFICATES["cert_number"],
}
