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
    from skillcli.ledger.store import Ledger, NoLedgerError, locate

    if isinstance(ledger, Ledger):
        return ledger
    url = locate(ledger)
    if url is None:
        if commit:
            raise NoLedgerError()
        return None
    store = Ledger(url)
    store.ensure_ready()
    return store
