"""What the api functions share: opening the ledger they are given."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from skillcli.ledger.store import Ledger


def ready_ledger(ledger: Ledger | str | None) -> Ledger:
    """The ledger to use: an open ``Ledger`` as given, else its path or URL (None: ``$SKILLCLI_LEDGER``,
    then ``skillcli.toml``), which must exist at the latest schema version."""
    from skillcli.ledger.store import Ledger

    return ledger if isinstance(ledger, Ledger) else Ledger.ready(ledger)


def open_ledger(ledger: Ledger | str | None, *, commit: bool) -> Ledger | None:
    """The ledger to read (and, with ``commit``, to write): an open ``Ledger`` as given, else the one
    its path or URL names; None for a dry run when none is named.

    A commit needs a ledger that exists: it is never created here (``skillcli ledger init`` does),
    so a mistyped path or another working folder cannot start an empty history and pay again.
    """
    from skillcli.ledger.where import NoLedgerError, locate

    if ledger is not None and not isinstance(ledger, str):
        return ledger  # an open Ledger, told by its type without importing SQLAlchemy for the check
    url = locate(ledger)
    if url is None:
        if commit:
            raise NoLedgerError()
        return None
    # Imported only now: a dry run with no ledger named never loads SQLAlchemy (issue 16).
    from skillcli.ledger.store import Ledger

    store = Ledger(url)
    store.ensure_ready()
    return store
