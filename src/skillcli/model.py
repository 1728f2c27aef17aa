"""The vocabulary of skillcli: sheet kinds, skill levels, severities and the small immutable records.

Canonical column names are English snake_case; the Chinese header the clerk wrote is kept beside
every value so that findings name the column as the file does. This module imports nothing from
skillcli, so every other module may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SheetKind(StrEnum):
    """What a sheet holds. Recognised by sheet name first, then by headers."""

    ROSTER = "roster"
    ATTENDANCE = "attendance"
    CERTIFICATES = "certificates"

    @property
    def label_zh(self) -> str:
        return {"roster": "花名册", "attendance": "考勤", "certificates": "证书"}[self.value]


class Severity(StrEnum):
    """An error blocks the row from payment; a warning is reported and the row is still paid; an
    ineligible code says why the policy does not cover a row (not paid, and nothing to correct)."""

    ERROR = "error"
    WARNING = "warning"
    INELIGIBLE = "ineligible"


class Level(StrEnum):
    """One skill-level scale (国家职业技能等级). The value is the code stored in frames."""

    L5 = "L5"
    L4 = "L4"
    L3 = "L3"
    L2 = "L2"
    L1 = "L1"
    SPECIAL = "SPECIAL"
    NONE = "NONE"

    @property
    def label_zh(self) -> str:
        return LEVEL_LABELS[self]

    @property
    def label_en(self) -> str:
        """level 4 / intermediate (四级/中级工): the English reader still sees the name on the certificate."""
        return f"{LEVEL_LABELS_EN[self]} ({LEVEL_LABELS[self]})"

    @property
    def rank(self) -> int | None:
        """5 for 五级/初级工 … 1 for 一级/高级技师; None for levels off the scale."""
        return int(self.value[1]) if self.value.startswith("L") else None


LEVEL_LABELS: dict[Level, str] = {
    Level.L5: "五级/初级工",
    Level.L4: "四级/中级工",
    Level.L3: "三级/高级工",
    Level.L2: "二级/技师",
    Level.L1: "一级/高级技师",
    Level.SPECIAL: "专项能力",
    Level.NONE: "无等级",
}
LEVEL_LABELS_EN: dict[Level, str] = {
    Level.L5: "level 5 / elementary",
    Level.L4: "level 4 / intermediate",
    Level.L3: "level 3 / advanced",
    Level.L2: "level 2 / technician",
    Level.L1: "level 1 / senior technician",
    Level.SPECIAL: "special ability",
    Level.NONE: "no level",
}


class PayeeType(StrEnum):
    """Who receives a payment."""

    PERSON = "person"
    ENTERPRISE = "enterprise"
    INSTITUTION = "institution"

    @property
    def label_zh(self) -> str:
        return {"person": "个人", "enterprise": "企业", "institution": "培训机构"}[self.value]


@dataclass(slots=True)
class SkipCounts:
    """Rows the reader set aside and why, so the summary can account for every row."""

    blank: int = 0
    total: int = 0
    footer: int = 0
    title: int = 0
    numbering: int = 0
    repeated_header: int = 0

    def add(self, other: SkipCounts) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


SKIP_LABELS: dict[str, tuple[str, str]] = {
    "blank": ("空行", "blank rows"),
    "total": ("合计/小计行", "total rows (合计/小计)"),
    "footer": ("签字/备注行", "signature and note lines"),
    "title": ("表内标题行", "title lines inside the table"),
    "numbering": ("编号行 (甲)(1)(2)…", "column numbering rows"),
    "repeated_header": ("重复表头行", "repeated header rows"),
}


@dataclass(frozen=True, slots=True)
class SheetInfo:
    """What was read from one sheet: its kind, where the header was and how many rows it gave."""

    file: str
    sheet: str
    kind: SheetKind | None
    header_row: int | None
    rows: int
    skipped: SkipCounts = field(default_factory=SkipCounts)
    headers: dict[str, str] = field(default_factory=dict)  # canonical -> header text as written
    ignored_reason: str = ""
    sender: str = ""  # the unit on the sheet's 填报单位 line, if any
