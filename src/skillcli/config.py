"""The office's settings file, ``skillcli.toml``, found the way git and ruff find theirs.

The nearest ``skillcli.toml`` in the working folder or one of its parents wins; without one, the
user's config file (``platformdirs.user_config_dir("skillcli")/skillcli.toml``). ``$SKILLCLI_CONFIG``
names a file directly and overrides both. Paths written in a file are relative to that file's folder,
so a ledger named there is the same ledger from every sub-folder.

Tables used by the commands (each documented where it is read):
``ledger`` (a path or URL), ``[payer]`` (付款单位, 付款账号, 开户行, 用途), ``[bank]`` (column layout),
``[columns]`` (header aliases), ``[contact]`` (联系人 for 公示 and returns).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillcli.errors import UsageError

CONFIG_NAME = "skillcli.toml"
CONFIG_ENV = "SKILLCLI_CONFIG"


@dataclass(frozen=True)
class Config:
    """One parsed settings file; ``path`` is None when no file was found (every table is then empty)."""

    path: Path | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def table(self, name: str) -> Mapping[str, Any]:
        """A ``[name]`` table, empty when absent; anything but a table is a usage error."""
        value = self.data.get(name, {})
        if not isinstance(value, Mapping):
            where = self.path.name if self.path else CONFIG_NAME
            raise UsageError(f"{where} 中「{name}」应为表 [{name}]", f"{where}: '{name}' must be a table [{name}]")
        return value

    def resolve(self, value: str) -> Path:
        """A path written in the file, relative to the file's own folder."""
        path = Path(value).expanduser()
        if path.is_absolute() or self.path is None:
            return path
        return self.path.parent / path


def user_config_path() -> Path:
    """Where the per-user settings live on this platform (Windows: %APPDATA%\\skillcli)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("skillcli", appauthor=False)) / CONFIG_NAME


def find_config(start: Path | None = None) -> Path | None:
    """The settings file in force: $SKILLCLI_CONFIG, else the nearest skillcli.toml upwards, else the user's."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named).expanduser()
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_NAME
        if path.is_file():
            return path
    user = user_config_path()
    return user if user.is_file() else None


def load_config(start: Path | None = None) -> Config:
    """Parse the settings file in force; none found is an empty Config, a broken one a usage error."""
    path = find_config(start)
    if path is None:
        return Config()
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise UsageError(
            f"找不到配置文件 {path}（{CONFIG_ENV}）", f"config file {path} not found ({CONFIG_ENV})"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(path, str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(f"配置文件 {path} 无法读取：{first}", f"cannot read config file {path}: {first}") from None
    return Config(path=path, data=data)


# tomllib's reasons, as a clerk acts on them.
_TOML_REASONS = (
    ("Invalid statement", "无法识别的语句", "not a valid statement"),
    ("Expected '=' after a key", "键名后缺少「=」", "'=' is missing after the key"),
    ("Invalid value", "值无效（文字须加英文双引号）", "invalid value (text needs double quotes)"),
    ("Unterminated string", "引号没有成对", "a quote is not closed"),
    ("Cannot overwrite a value", "同一个键写了两次", "the same key is written twice"),
    ("Cannot declare", "同一个表写了两次", "the same table is declared twice"),
)
_POSITION_RE = re.compile(r"\(at line (\d+), column (\d+)\)")
# A bare key holding anything but A-Z a-z 0-9 _ -: TOML wants such a key in quotes.
_BARE_KEY_RE = re.compile(r"^\s*([^\s=\"'\[#][^=\"']*?)\s*=")


def _syntax_error(path: Path, reason: str) -> UsageError:
    """The one line for a settings file that does not parse: where (line and column, as an editor
    counts them) and what to do, the most common cause (a Chinese key without quotes) said outright."""
    position = _POSITION_RE.search(reason)
    line, column = (int(position.group(1)), int(position.group(2))) if position else (0, 0)
    where_zh = f"第 {line} 行第 {column} 列：" if position else ""
    where_en = f"line {line}, column {column}: " if position else ""
    text = _line_of(path, line)
    bare = _BARE_KEY_RE.match(text)
    if bare and not re.fullmatch(r"[A-Za-z0-9_.-]+", bare.group(1)):
        key = bare.group(1)
        return UsageError(
            f"配置文件 {path} {where_zh}键名含中文时须加英文双引号，请把「{key}」写成 \"{key}\" 后重试",
            f"config file {path} {where_en}a key with Chinese characters must be in double quotes: write"
            f" \"{key}\" instead of {key} and run again",
        )
    zh, en = next(((z, e) for raw, z, e in _TOML_REASONS if reason.startswith(raw)), (reason, reason))
    zh_reason = _POSITION_RE.sub("", zh).strip()
    en_reason = _POSITION_RE.sub("", en).strip()
    return UsageError(
        f"配置文件 {path} {where_zh}{zh_reason}；请按 TOML 格式改正后重试（键名和文字值都用英文双引号）",
        f"config file {path} {where_en}{en_reason}; fix it as TOML and run again (keys and text values in double"
        " quotes)",
    )


def _line_of(path: Path, number: int) -> str:
    """Line ``number`` (1-based) of a text file, or "" when it cannot be read."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    return lines[number - 1] if 0 < number <= len(lines) else ""


def set_top_level(path: Path, key: str, value: str) -> None:
    """Write ``key = "value"`` into a settings file, keeping every other line as it was.

    A top-level key must come before the first ``[table]``, so an existing line for the key is
    replaced where it stands and a new one goes on the first line. The file is replaced
    atomically; a new file holds the one line.
    """
    import json

    from skillcli.io.writer import write_text_atomic

    # A JSON string is a valid TOML basic string: quotes, backslashes (Windows paths) and control
    # characters come out escaped the way TOML reads them back.
    line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i, existing in enumerate(lines):
        if existing.lstrip().startswith("["):
            lines.insert(0, line)
            break
        if pattern.match(existing):
            lines[i] = line
            break
    else:
        lines.insert(0, line)
    write_text_atomic(path, "\n".join(lines) + "\n")
