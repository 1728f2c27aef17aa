"""The clerk's header mapping: ``[columns]`` in skillcli.toml, then ``--map`` flags over it."""

from __future__ import annotations

from skillcli.config import load_config
from skillcli.errors import UsageError
from skillcli.schema.columns import ColumnMap, column_map


def clerk_columns(flags: list[str] | None) -> ColumnMap:
    """The mapping in force: the settings file's ``[columns]`` table, each ``--map 表头=列名`` winning
    over it for the same header, so a one-off flag can correct the office's standing setting."""
    config = load_config()
    origin = f"{config.path.name} [columns]" if config.path else "[columns]"
    mapping = column_map(config.table("columns"), origin)
    pairs: dict[str, object] = {}
    for flag in flags or []:
        header, sep, target = flag.partition("=")
        if not sep or not header.strip() or not target.strip():
            raise UsageError(
                f"--map 应写成 表头=已知列名，而不是「{flag}」", f"--map takes header=column, not '{flag}'"
            )
        pairs[header.strip()] = target.strip()
    for kind, headers in column_map(pairs, "--map").items():
        mapping.setdefault(kind, {}).update(headers)
    return mapping
