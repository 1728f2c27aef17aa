"""A training-voucher programme as data (``rules/vouchers/<id>.yaml``), loaded strictly.

A programme says which voucher categories exist (普惠制培训 / 等级评价 / 企业培训, E22), their face
value (yuan in the file, integer fen once loaded), who may receive each one (age groups computed
from the ID's birth date at the issue date, and/or 人员类别), how long a voucher stays valid and what
a completion must show before it is redeemed (attendance, assessment). Every item cites its clause;
values the documents do not give are parameters marked ``assumption: true`` that ``--param``
overrides, exactly as in the payout policies (``skillcli.rules.load``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from skillcli.errors import UsageError

# The policies' strict loader (unknown keys are errors, floats are exact decimals, ``$name`` resolves a
# parameter, ``--param`` parses like the value it replaces) is reused as it is, not copied.
from skillcli.rules.load import _Ctx, _date, _fen, _parameters, find_file, read_yaml
from skillcli.rules.locate import RulesSource, nothing_found, rules_source
from skillcli.rules.model import Parameter
from skillcli.schema.columns import CATEGORIES

SUBFOLDER = "vouchers"
CATEGORY_NAMES = ("普惠制培训", "等级评价", "企业培训")  # E22: S1 精准发放电子培训券
PERSON_CATEGORIES = tuple(dict.fromkeys(value for _, value in CATEGORIES))
PREFIX_RE = r"^[A-Z]{2,4}$"

_KEYS = {
    "id",
    "title",
    "region",
    "document",
    "effective",
    "reviewed",
    "prefix",
    "parameters",
    "age_groups",
    "categories",
    "validity",
    "redemption",
    "notes",
}
_GROUP_KEYS = {"id", "min", "max", "clause", "offer", "note"}
_CATEGORY_KEYS = {"id", "name", "clause", "face", "age_groups", "person_categories", "certifies", "note"}
_VALIDITY_KEYS = {"days", "clause", "note"}
_REDEMPTION_KEYS = {"clause", "min_attendance", "require_pass", "note"}


@dataclass(frozen=True, slots=True)
class AgeGroup:
    """Whole years of age (周岁) at the issue date, ``min``..``max`` inclusive (``max`` None: no upper bound)."""

    id: str
    min_age: int
    max_age: int | None
    clause: str
    offer: str  # the training this group is steered to (S1 精准选定培训方式), shown on the issued list

    def holds(self, age: int) -> bool:
        return age >= self.min_age and (self.max_age is None or age <= self.max_age)


@dataclass(frozen=True, slots=True)
class Category:
    """One kind of voucher: its face value and who may receive it."""

    id: str  # V1, V2 … (the ledger line's rule)
    name: str  # 普惠制培训 | 等级评价 | 企业培训
    clause: str
    face_fen: int
    age_groups: tuple[str, ...]
    person_categories: tuple[str, ...] | None  # None: any 人员类别, blank included
    certifies: bool  # a redemption of this category is a skill-level evaluation passed (取证)

    @property
    def subsidy(self) -> str:
        return f"电子培训券·{self.name}"


@dataclass(frozen=True, slots=True)
class Program:
    """A voucher programme as loaded: amounts in fen, parameters resolved, overrides applied."""

    id: str
    title: str
    region: str
    document: dict[str, str]
    effective_from: dt.date
    effective_to: dt.date | None
    reviewed: dt.date | None
    prefix: str
    parameters: dict[str, Parameter]
    age_groups: tuple[AgeGroup, ...]
    categories: tuple[Category, ...]
    validity_days: int
    validity_clause: str
    min_attendance: Decimal  # a share: 0.8 is 80 %
    require_pass: bool
    redemption_clause: str
    path: str
    sha256: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    def in_force(self, day: dt.date) -> bool:
        return day >= self.effective_from and (self.effective_to is None or day <= self.effective_to)

    def expiry(self, issue_date: dt.date) -> dt.date:
        """The last day a voucher issued on ``issue_date`` can be redeemed (valid ``validity_days`` days)."""
        return issue_date + dt.timedelta(days=self.validity_days - 1)

    def group(self, group_id: str) -> AgeGroup:
        return next(g for g in self.age_groups if g.id == group_id)

    def category(self, name_or_id: str) -> Category | None:
        return next((c for c in self.categories if name_or_id in (c.name, c.id)), None)

    def parameter_values(self) -> dict[str, Any]:
        return {name: p.value for name, p in sorted(self.parameters.items())}


# -- finding programme files ---------------------------------------------------------------------
def programs_dir(rules_dir: Path | None = None) -> Path:
    return rules_source(rules_dir).path / SUBFOLDER


def program_paths(rules_dir: Path | None = None) -> dict[str, Path]:
    folder = programs_dir(rules_dir)
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def find_program(program_id: str, rules_dir: Path | None = None) -> Path:
    paths = program_paths(rules_dir)
    if not paths and not Path(program_id).is_file():
        raise no_programs(rules_dir)
    return find_file(program_id, paths, "培训券项目", "voucher programme")


def no_programs(rules_dir: Path | None = None) -> UsageError:
    """The error of a command that needs a programme and finds none, naming the folder it looked in."""
    source = rules_source(rules_dir)
    return nothing_found(
        "培训券项目文件", "voucher programme files", RulesSource(source.path / SUBFOLDER, source.origin)
    )


def load_programs(rules_dir: Path | None = None, overrides: Mapping[str, str] | None = None) -> dict[str, Program]:
    """Every programme of ``rules/vouchers/`` (overrides apply to the programmes that define them)."""
    found: dict[str, Program] = {}
    known: set[str] = set()
    for program_id, path in program_paths(rules_dir).items():
        names = _parameter_names(path)
        known |= names
        found[program_id] = load_program(path, {k: v for k, v in (overrides or {}).items() if k in names})
    unknown = sorted(set(overrides or {}) - known)
    if unknown:
        raise UsageError(
            f"--param 未知参数 {unknown}，可用：{sorted(known)}",
            f"--param names unknown parameters {unknown}; known: {sorted(known)}",
        )
    return found


def _parameter_names(path: Path) -> set[str]:
    data = read_yaml(path)
    params = data.get("parameters") if isinstance(data, dict) else None
    return set(params) if isinstance(params, dict) else set()


# -- loading ---------------------------------------------------------------------------------------
def load_program(path: Path, overrides: Mapping[str, str] | None = None) -> Program:
    """Load and validate one programme file; apply ``--param`` overrides."""
    raw = path.read_bytes()
    data = read_yaml(path)
    ctx = _Ctx(path)
    if not isinstance(data, dict):
        ctx.fail("文件顶层应为映射", "the top level must be a mapping")
    ctx.keys(data, _KEYS, "programme")
    for key in ("id", "title", "region", "document", "effective", "prefix", "age_groups", "categories"):
        if key not in data:
            ctx.fail(f"缺少 {key}", f"missing key '{key}'")
    for key in ("validity", "redemption"):
        if not isinstance(data.get(key), dict) or not data[key].get("clause"):
            ctx.fail(f"{key} 缺少 clause", f"{key}: missing clause")
    ctx.params = _parameters(ctx, data.get("parameters") or {}, overrides or {})
    effective = data["effective"] or {}
    ctx.keys(effective, {"from", "to"}, "effective")
    prefix = str(data["prefix"])
    if not re.fullmatch(PREFIX_RE, prefix):
        ctx.fail("prefix 应为 2–4 个大写字母", "prefix must be 2–4 capital letters")
    groups = tuple(_group(ctx, item) for item in data["age_groups"] or [])
    _check_groups(ctx, groups)
    categories = tuple(_category(ctx, item, {g.id for g in groups}) for item in data["categories"] or [])
    if not categories:
        ctx.fail("至少需要一个券类别", "at least one category is needed")
    for attr in ("id", "name"):
        values = [getattr(c, attr) for c in categories]
        if len(set(values)) != len(values):
            ctx.fail(f"券类别 {attr} 重复", f"duplicate category {attr}s: {values}")
    validity = data["validity"]
    ctx.keys(validity, _VALIDITY_KEYS, "validity")
    redemption = data["redemption"]
    ctx.keys(redemption, _REDEMPTION_KEYS, "redemption")
    return Program(
        id=str(data["id"]),
        title=str(data["title"]),
        region=str(data["region"]),
        document={str(k): str(v) for k, v in (data["document"] or {}).items()},
        effective_from=_date(ctx, effective.get("from"), "effective.from"),
        effective_to=_date(ctx, effective["to"], "effective.to") if effective.get("to") else None,
        reviewed=_date(ctx, data["reviewed"], "reviewed") if data.get("reviewed") else None,
        prefix=prefix,
        parameters=ctx.params,
        age_groups=groups,
        categories=categories,
        validity_days=_whole(ctx, validity.get("days"), "validity.days", minimum=1),
        validity_clause=str(validity["clause"]),
        min_attendance=_share(ctx, redemption.get("min_attendance"), "redemption.min_attendance"),
        require_pass=_flag(ctx, redemption.get("require_pass", True), "redemption.require_pass"),
        redemption_clause=str(redemption["clause"]),
        path=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
        notes=tuple(str(n) for n in data.get("notes") or []),
    )


def _whole(ctx: _Ctx, value: Any, where: str, *, minimum: int) -> int:
    value = ctx.resolve(value, where)
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or int(value) != value or value < minimum:
        ctx.fail(f"{where} 应为不小于 {minimum} 的整数", f"{where} must be a whole number ≥ {minimum}")
    return int(value)


def _share(ctx: _Ctx, value: Any, where: str) -> Decimal:
    value = ctx.resolve(value, where)
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or not 0 <= value <= 1:
        ctx.fail(f"{where} 应为 0 到 1 之间的比例（0.8 即 80%）", f"{where} must be a share from 0 to 1 (0.8 = 80 %)")
    return Decimal(value)


def _flag(ctx: _Ctx, value: Any, where: str) -> bool:
    value = ctx.resolve(value, where)
    if not isinstance(value, bool):
        ctx.fail(f"{where} 应为 true/false", f"{where} must be true or false")
    return bool(value)


def _group(ctx: _Ctx, item: Any) -> AgeGroup:
    ctx.keys(item, _GROUP_KEYS, "age_groups")
    for key in ("id", "min", "clause"):
        if item.get(key) in (None, ""):
            ctx.fail(f"年龄段缺少 {key}", f"age group: missing '{key}'")
    where = f"age_groups.{item['id']}"
    low = _whole(ctx, item["min"], f"{where}.min", minimum=0)
    high = _whole(ctx, item["max"], f"{where}.max", minimum=low) if item.get("max") is not None else None
    return AgeGroup(str(item["id"]), low, high, str(item["clause"]), str(item.get("offer", "")))


def _check_groups(ctx: _Ctx, groups: tuple[AgeGroup, ...]) -> None:
    if not groups:
        ctx.fail("至少需要一个年龄段", "at least one age group is needed")
    ids = [g.id for g in groups]
    if len(set(ids)) != len(ids):
        ctx.fail("年龄段 id 重复", f"duplicate age group ids: {ids}")
    ordered = sorted(groups, key=lambda g: g.min_age)
    for before, after in itertools.pairwise(ordered):
        if before.max_age is None or before.max_age >= after.min_age:
            ctx.fail(
                f"年龄段 {before.id} 与 {after.id} 重叠（一个人只能属于一个年龄段）",
                f"age groups {before.id} and {after.id} overlap (a person belongs to one group)",
            )


def _category(ctx: _Ctx, item: Any, group_ids: set[str]) -> Category:
    ctx.keys(item, _CATEGORY_KEYS, "categories")
    for key in ("id", "name", "clause", "face", "age_groups"):
        if not item.get(key):
            ctx.fail(f"券类别缺少 {key}", f"category: missing '{key}'")
    where = f"categories.{item['id']}"
    name = str(item["name"])
    if name not in CATEGORY_NAMES:
        ctx.fail(f"{where}.name 应为 {'/'.join(CATEGORY_NAMES)}", f"{where}.name must be one of {CATEGORY_NAMES}")
    groups = ctx.resolve(item["age_groups"], f"{where}.age_groups")
    if not isinstance(groups, list) or not set(map(str, groups)) <= group_ids:
        ctx.fail(f"{where}.age_groups 引用了未定义的年龄段", f"{where}.age_groups names unknown age groups")
    people = ctx.resolve(item.get("person_categories"), f"{where}.person_categories")
    if people is not None:
        if not isinstance(people, list) or not people:
            ctx.fail(f"{where}.person_categories 应为列表", f"{where}.person_categories must be a list")
        unknown = [p for p in people if p not in PERSON_CATEGORIES]
        if unknown:
            ctx.fail(
                f"{where}.person_categories 有未知的人员类别 {unknown}",
                f"{where}.person_categories: unknown 人员类别 {unknown}",
            )
    face = _fen(ctx, ctx.resolve(item["face"], f"{where}.face"), f"{where}.face")
    if face <= 0:
        ctx.fail(f"{where}.face 应为正数", f"{where}.face must be positive")
    return Category(
        str(item["id"]),
        name,
        str(item["clause"]),
        face,
        tuple(str(g) for g in groups),
        tuple(str(p) for p in people) if people is not None else None,
        _flag(ctx, item.get("certifies", False), f"{where}.certifies"),
    )


# -- lint (``skillcli rules check`` reads rules/vouchers/ too) -------------------------------------
def lint_program_paths(paths: list[Path], today: dt.date) -> list[Any]:
    """Load errors, file name ≠ id, prefixes shared by two programmes, stale or unreviewed files."""
    from skillcli.errors import RulesError
    from skillcli.rules.lint import REVIEW_AFTER_DAYS, LintMessage

    messages: list[LintMessage] = []
    prefixes: dict[str, str] = {}
    for path in paths:
        try:
            program = load_program(path)
        except RulesError as exc:
            messages.append(LintMessage("error", path.name, exc.message_zh, exc.message_en))
            continue

        def add(severity: str, zh: str, en: str, name: str = path.name) -> None:
            messages.append(LintMessage(severity, name, zh, en))

        if path.stem != program.id:
            add("error", f"文件名应为 {program.id}.yaml", f"the file should be named {program.id}.yaml")
        if program.effective_to is not None and program.effective_to < program.effective_from:
            add("error", "有效期结束早于开始", "effective.to is before effective.from")
        if program.prefix in prefixes:
            add(
                "error",
                f"券号前缀 {program.prefix} 与 {prefixes[program.prefix]} 重复（券号须全台账唯一）",
                f"voucher prefix {program.prefix} is also used by {prefixes[program.prefix]}",
            )
        prefixes.setdefault(program.prefix, program.id)
        used = {g for c in program.categories for g in c.age_groups}
        for group in program.age_groups:
            if group.id not in used:
                add("warning", f"年龄段 {group.id} 没有任何券类别", f"age group {group.id} is offered no category")
        if program.effective_to is not None and program.effective_to < today:
            add(
                "warning",
                f"项目已于 {program.effective_to} 到期，之后不能再发券",
                f"stale: the programme ended on {program.effective_to}; no vouchers can be issued after it",
            )
        if program.reviewed is None or (today - program.reviewed).days > REVIEW_AFTER_DAYS:
            add("warning", "超过两年未复核（reviewed）", "not reviewed for more than two years")
    return messages
