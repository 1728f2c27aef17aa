"""Which ledger is in force (``--ledger``, ``$SKILLCLI_LEDGER``, ``skillcli.toml``) and new run IDs.

Kept apart from ``ledger.store`` so that finding out that no ledger is named, as every dry run
without one does, imports no database layer: SQLAlchemy costs about 0.25 s of start-up.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from skillcli.config import CONFIG_NAME, load_config
from skillcli.errors import UsageError

LEDGER_ENV = "SKILLCLI_LEDGER"


class NoLedgerError(UsageError):
    """Nothing names a ledger: no --ledger, no $SKILLCLI_LEDGER, no ``ledger =`` in a skillcli.toml."""

    def __init__(self) -> None:
        super().__init__(
            "未指定台账：请用 --ledger 指定，或设置环境变量 SKILLCLI_LEDGER，"
            "或运行 skillcli ledger init 路径（写入 skillcli.toml）",
            "no ledger is set: pass --ledger, set $SKILLCLI_LEDGER, or run skillcli ledger init PATH"
            " (writes skillcli.toml)",
        )


def to_url(value: str) -> str:
    """A ledger as written (a path or a URL) → a SQLAlchemy URL: a path is SQLite, PostgreSQL uses psycopg 3."""
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if value.startswith(("postgresql+psycopg://", "sqlite://")):
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def locate(ledger: str | None) -> str | None:
    """The ledger in force as a URL, or None when nothing names one.

    ``--ledger``, else ``$SKILLCLI_LEDGER``, else ``ledger =`` in the settings file in force (the
    nearest skillcli.toml upwards, else the user's), a relative path there being relative to the
    file's folder so that every sub-folder of an office finds the same ledger. There is no default
    file: a default in the working folder is how a second, empty ledger used to appear and pay
    a month again.
    """

    if ledger:
        return to_url(ledger)
    named = os.environ.get(LEDGER_ENV)
    if named:
        return to_url(named)
    config = load_config()
    value = config.get("ledger")
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        where = config.path or CONFIG_NAME
        raise UsageError(f"{where} 中 ledger 应为文字（路径或 URL）", f"{where}: ledger must be a string (path or URL)")
    if "://" in value:
        return to_url(value)
    return to_url(str(config.resolve(value)))


def resolve_url(ledger: str | None) -> str:
    """The ledger in force as a URL; none named is a usage error that says how to name one."""
    url = locate(ledger)
    if url is None:
        raise NoLedgerError()
    return url


def new_run_id(now: dt.datetime | None = None) -> str:
    """R20240630-143012-3f9a: sortable by time, unique by its random tail."""
    now = now or dt.datetime.now(dt.UTC)
    return f"R{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
