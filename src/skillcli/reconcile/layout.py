"""The column layout of a bank's 代发 upload file, as data: ``banks/*.toml`` or skillcli.toml ``[bank]``.

Banks' upload templates differ in column names, order and how the amount is written, so none of it
is code. ``[bank]`` in skillcli.toml either names a layout (``layout = "default"``, a file shipped in
``skillcli/banks``, or a path to one) or gives the keys itself (``columns``, ``amount_format``,
``payer_block``). Without ``[bank]`` the shipped ``default`` layout is used. The payer block comes
from ``[payer]`` (付款单位, 付款账号, 开户行, 用途).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from skillcli.config import Config
from skillcli.errors import UsageError

FIELDS = ("seq", "account", "holder", "bank", "amount", "summary", "note", "payee_id")
AMOUNT_FORMATS = ("number", "text")
DEFAULT_LAYOUT = "default"
# [payer] keys: the Chinese label as written in the file, or its English name.
PAYER_KEYS = (("付款单位", "name"), ("付款账号", "account"), ("开户行", "bank"), ("用途", "purpose"))


@dataclass(frozen=True, slots=True)
class BankLayout:
    """Columns (header, field) in order, how amounts are written, and whether the payer block is shown."""

    name: str
    columns: tuple[tuple[str, str], ...]
    amount_format: str
    payer_block: bool


def shipped_layouts() -> dict[str, str]:
    """id → TOML text of the layouts shipped in the package."""
    folder = resources.files("skillcli") / "banks"
    return {
        entry.name.removesuffix(".toml"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def _parse(data: Mapping[str, Any], where: str) -> BankLayout:
    def bad(what_zh: str, what_en: str) -> UsageError:
        return UsageError(f"代发模板 {where}：{what_zh}", f"bank layout {where}: {what_en}")

    columns = data.get("columns")
    if not isinstance(columns, list) or not columns:
        raise bad("缺少 columns（[表头, 字段] 列表）", "columns ([header, field] pairs) missing")
    pairs: list[tuple[str, str]] = []
    for item in columns:
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) and x for x in item)):
            raise bad(f"列 {item!r} 应为 [表头, 字段]", f"column {item!r} must be [header, field]")
        if item[1] not in FIELDS:
            raise bad(
                f"未知字段「{item[1]}」（可用：{', '.join(FIELDS)}）",
                f"unknown field '{item[1]}' (known: {', '.join(FIELDS)})",
            )
        pairs.append((item[0], item[1]))
    for needed in ("account", "holder", "amount"):
        if needed not in {f for _, f in pairs}:
            raise bad(f"缺少字段 {needed}", f"field {needed} missing")
    amount_format = data.get("amount_format", "number")
    if amount_format not in AMOUNT_FORMATS:
        raise bad(
            f"amount_format「{amount_format}」应为 {' / '.join(AMOUNT_FORMATS)}",
            f"amount_format '{amount_format}' must be {' / '.join(AMOUNT_FORMATS)}",
        )
    return BankLayout(
        str(data.get("name", where)), tuple(pairs), str(amount_format), bool(data.get("payer_block", True))
    )


def _load_text(text: str, where: str) -> BankLayout:
    try:
        return _parse(tomllib.loads(text), where)
    except tomllib.TOMLDecodeError as exc:
        first = str(exc).splitlines()[0]
        raise UsageError(
            f"代发模板 {where} 格式错误：{first}", f"bank layout {where} is not valid TOML: {first}"
        ) from None


def load_layout(config: Config, name: str | None = None) -> BankLayout:
    """``name`` (``--layout``: a shipped id or a path), else skillcli.toml ``[bank]``, else ``default``."""
    table = config.table("bank")
    if name is None and "columns" in table:
        return _parse(table, f"{config.path}[bank]")
    chosen = name or str(table.get("layout", DEFAULT_LAYOUT))
    shipped = shipped_layouts()
    if chosen in shipped:
        return _load_text(shipped[chosen], chosen)
    path = Path(chosen) if name else config.resolve(chosen)
    if path.suffix == ".toml" and path.is_file():
        try:
            return _load_text(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"无法读取代发模板 {path}", f"cannot read bank layout {path}: {type(exc).__name__}"
            ) from None
    raise UsageError(
        f"找不到代发模板「{chosen}」（内置：{', '.join(sorted(shipped))}，或 .toml 文件路径）",
        f"no bank layout '{chosen}' (shipped: {', '.join(sorted(shipped))}, or a path to a .toml file)",
    )


def payer(config: Config) -> list[tuple[str, str | None]]:
    """(label, value) of the payer block from ``[payer]``; an absent value stays None (shown blank)."""
    table = config.table("payer")
    found: list[tuple[str, str | None]] = []
    for label, english in PAYER_KEYS:
        value = table.get(label, table.get(english))
        found.append((label, None if value in (None, "") else str(value)))
    return found
