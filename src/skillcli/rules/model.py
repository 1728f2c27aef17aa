"""A policy as data: parameters, eligibility items, limits and rules, loaded from one YAML file.

Nothing here evaluates anything; ``skillcli.rules.compile`` compiles these records to Polars
expressions. Amounts are integer fen from the moment the file is loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from skillcli.model import Level, PayeeType

AmountForm = Literal["fixed", "per_day", "per_month", "ceiling", "annual_prorated", "monthly_active"]
# How the days left over after the whole months of a training count (``part_month``). No policy
# document says; ``whole_months_only`` never pays for a month the document does not clearly give.
PartMonth = Literal["whole_months_only", "round_half", "count_started"]
PART_MONTHS: tuple[PartMonth, ...] = ("whole_months_only", "round_half", "count_started")
HALF_MONTH_DAYS = 15  # round_half: a part month of at least half of a 30-day month counts as one
PayeeRule = Literal["person", "enterprise", "institution", "by_payer", "organiser"]
INELIGIBLE = "ineligible"
BLANK_PAYER = "blank"  # the payee_by_payer key for a blank 出资方


@dataclass(frozen=True, slots=True)
class Parameter:
    """A named value a rule may use as ``$name``; ``assumption`` marks values not in the document."""

    name: str
    value: Any
    doc: str = ""
    clause: str = ""
    assumption: bool = False
    overridden: bool = False
    # Its meaning in Chinese (紧缺职业目录), shown to a clerk beside the identifier; empty when the
    # rules file gives none.
    label: str = ""


@dataclass(frozen=True, slots=True)
class Condition:
    """One test of one field: ``op`` is in / not_in / eq / min / max."""

    field: str
    op: str
    value: Any
    # The parameter the values came from (``$struggling_enterprises``), so that a reason can say which
    # list a condition needs and how to supply it; empty when the rule file wrote the values itself.
    param: str = ""
    param_label: str = ""  # the parameter's Chinese name from its doc line (困难企业名单), if any

    def describe(self, label: str) -> str:
        shown = "、".join(str(v) for v in self.value) if isinstance(self.value, (list, tuple)) else str(self.value)
        return {
            "in": f"{label} ∈ {{{shown}}}",
            "not_in": f"{label} ∉ {{{shown}}}",
            "eq": f"{label} = {shown}",
            "min": f"{label} ≥ {shown}",
            "max": f"{label} ≤ {shown}",
        }[self.op]


@dataclass(frozen=True, slots=True)
class Requirement:
    """An eligibility test: when ``when`` holds (or always), every condition of ``require`` must."""

    id: str
    clause: str
    require: tuple[Condition, ...]
    when: tuple[Condition, ...] = ()
    reason_zh: str = ""
    reason_en: str = ""
    # ``if_absent: hold``: the document makes this a condition of payment in so many words, so a
    # batch without the column holds the rows (an exception each) instead of deciding without it.
    hold_if_absent: bool = False


@dataclass(frozen=True, slots=True)
class Rate:
    """A yuan amount in fen, a table by level (a level mapped to None has no rate, on purpose), a
    table by year (``by_year``: the value in force for the year of ``year_of`` plus ``year_offset``)
    or a catalogue by occupation (``catalogue``: keys ``职业`` or ``职业|L4``). A year or an
    occupation the table does not list has no rate: the row is an exception, never paid 0."""

    fen: int | None = None
    by_level: dict[Level, int | None] | None = None
    by_year: dict[int, int] | None = None
    year_of: str = "start_date"
    year_offset: int = 0
    catalogue: dict[str, int] | None = None
    catalogue_param: str = ""

    def describe(self) -> str:
        from skillcli.money import format_yuan

        if self.by_year is not None:
            years = (
                ", ".join(f"{year} {format_yuan(v, grouping=True)}" for year, v in sorted(self.by_year.items())) or "—"
            )
            return f"按年度（{self.year_of} 年份{self.year_offset:+d}）：{years}"
        if self.catalogue is not None:
            shown = ", ".join(
                f"{k.replace('|', '/')} {format_yuan(v, grouping=True)}" for k, v in self.catalogue.items()
            )
            return f"目录 ${self.catalogue_param}：{shown or '（空）'}"
        if self.by_level is None:
            return format_yuan(self.fen or 0, grouping=True)
        return ", ".join(
            f"{lv.label_zh} {format_yuan(v, grouping=True) if v is not None else '—'}"
            for lv, v in self.by_level.items()
        )


@dataclass(frozen=True, slots=True)
class Multiplier:
    """A factor applied when ``when`` holds, or when any block of ``any_of`` holds (S2c 二(四)6:
    高级工 and above, or 初级工/中级工 in a shortage occupation)."""

    when: tuple[Condition, ...]
    factor: Decimal
    label: str = ""
    any_of: tuple[tuple[Condition, ...], ...] = ()
    label_en: str = ""  # the label in English output, citing the same clause (empty: not translated)


@dataclass(frozen=True, slots=True)
class Amount:
    form: AmountForm
    rate: Rate
    max_units: int | None = None
    months_cap: int | None = None
    divisor: int | None = None
    multiplier: Multiplier | None = None
    # annual_prorated: paid months beyond this are a special case the document allows only with an
    # approval the roster does not show (S3 二(一) 1-2年，特殊情况可延长至3年): paid, with a note.
    months_special: int | None = None
    # Per-month forms only: how a part month counts, and the parameter that chose it (for the formula).
    part_month: PartMonth = "whole_months_only"
    part_month_param: str = ""
    # per_month: whom ``max_units`` caps. "row" (the default): each row on its own. "person": the
    # person's months of this rule across rows and batches, months already paid counted and not paid again.
    max_units_per: str = "row"


@dataclass(frozen=True, slots=True)
class Rule:
    """One subsidy: the rows it is about (scope), what they need, how much and paid to whom."""

    id: str
    subsidy: str
    clause: str
    scope: tuple[Condition, ...]
    require: tuple[Requirement, ...]
    amount: Amount
    payee: PayeeRule
    payee_by_payer: dict[str, str] = field(default_factory=dict)
    counts: bool = True
    note: str = ""
    # Payee types whose lines ``--advance`` may advance (E10): empty means the rule is never advanced.
    advance: tuple[str, ...] = ()

    def tested(self) -> tuple[Condition, ...]:
        """The conditions the rule tests on the rows in its scope: its requirements (and their
        ``when``) and its multiplier's."""
        found: list[Condition] = []
        for requirement in self.require:
            found += [*requirement.when, *requirement.require]
        if self.amount.multiplier is not None:
            found += self.amount.multiplier.when
            for block in self.amount.multiplier.any_of:
                found += block
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Reading:
    """One entry of a policy's readings table (口径): how the office reads a clause the text leaves open."""

    id: str
    clause: str
    question: str
    reading: str
    why: str
    question_en: str = ""
    reading_en: str = ""
    why_en: str = ""


@dataclass(frozen=True, slots=True)
class Limits:
    yearly_max: int | None = None
    yearly_id: str = "E1"
    yearly_clause: str = ""
    no_repeat: bool = False
    no_repeat_window: str = "ever"
    no_repeat_id: str = "E2"
    no_repeat_clause: str = ""
    exclusive: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (id, clause, rule ids)
    advance_allowed: bool = True
    advance_max_share: Decimal | None = None
    advance_id: str = ""
    advance_clause: str = ""


@dataclass(frozen=True, slots=True)
class Policy:
    """A loaded policy file. ``sha256`` is the hash of the file's bytes, for the manifest."""

    id: str
    title: str
    region: str
    document: dict[str, str]
    effective_from: dt.date
    effective_to: dt.date | None
    reviewed: dt.date | None
    parameters: dict[str, Parameter]
    eligibility: tuple[Requirement, ...]
    limits: Limits
    rules: tuple[Rule, ...]
    path: str
    sha256: str
    notes: tuple[str, ...] = ()
    readings: tuple[Reading, ...] = ()
    notes_en: tuple[str, ...] = ()  # the notes in English, same order (empty: not translated)
    # Where the document states its dates (S3 落款「2024年4月2日」): the 依据 of the in-force condition.
    effective_clause: str = ""

    def conditions(self) -> tuple[Condition, ...]:
        """Every condition the policy tests: eligibility, scopes, requirements (and their ``when``),
        multipliers."""
        found: list[Condition] = []
        for requirement in self.eligibility:
            found += [*requirement.when, *requirement.require]
        for rule in self.rules:
            found += [*rule.scope, *rule.tested()]
        return tuple(found)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


PAYEE_TYPES = {p.value for p in PayeeType}
