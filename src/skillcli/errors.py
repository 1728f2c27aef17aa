"""Typed exceptions. Only the CLI edge turns them into messages and exit codes.

Exceptions are for "cannot continue"; everything the clerk can fix in a cell is a finding instead.
Messages never contain ID or phone numbers: they name files, sheets and columns only.
"""

from __future__ import annotations


class SkillcliError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with; the message is one line, zh + en."""

    exit_code = 2

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en


class UsageError(SkillcliError):
    """Bad arguments: an unknown policy, a malformed period, a missing file."""


class InputError(SkillcliError):
    """A file that cannot be read at all (corrupt, encrypted, not a spreadsheet)."""

    def __init__(self, path: str, reason_zh: str, reason_en: str) -> None:
        super().__init__(f"无法读取文件 {path}：{reason_zh}", f"cannot read {path}: {reason_en}")
        self.path = path


class OutputError(SkillcliError):
    """The outputs cannot be written: a read-only folder, a full disk. An environment failure, exit 2."""


class RulesError(SkillcliError):
    """A policy file that does not load or does not pass its lint."""


class InconsistencyError(SkillcliError):
    """An internal control total did not balance. Never expected; exit 3."""

    exit_code = 3


class LockedError(SkillcliError):
    """Another run holds the lock on the output directory or the ledger."""

    exit_code = 4
