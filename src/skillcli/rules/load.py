"""Load a policy file (YAML) into ``skillcli.rules.model`` records, strictly.

* Floats are read as ``Decimal`` from their text, so ``1.3`` is exactly 1.3 and 274.66 yuan is
  exactly 27 466 fen; money is converted to fen here, once.
* Unknown keys, unknown fields, enum values that are not in the input schema and rules without a
  clause are errors (``RulesError``), so a typo cannot silently turn a condition off.
* ``$name`` anywhere a value is expected refers to a parameter; ``--param name=value`` overrides
  a parameter for one run (parsed like the value it replaces).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from skillcli.errors import RulesError, UsageError
from skillcli.model import Level
from skillcli.money import yuan_to_fen
from skillcli.rules.fields import FIELDS
from skillcli.rules.locate import nothing_found, rules_source
from skillcli.rules.model import (
    BLANK_PAYER,
    INELIGIBLE,
    PART_MONTHS,
    PAYEE_TYPES,
    Amount,
    Condition,
    Limits,
    Multiplier,
    Parameter,
    Policy,
    Rate,
    Reading,
    Requirement,
    Rule,
)
from skillcli.schema.columns import LEVELS

FORMS = ("fixed", "per_day", "per_month", "ceiling", "annual_prorated", "monthly_active")
SCALE = (Level.L5, Level.L4, Level.L3, Level.L2, Level.L1)

_POLICY_KEYS = {
    "id",
    "title",
    "region",
    "document",
    "effective",
    "reviewed",
    "parameters",
    "eligibility",
    "limits",
    "rules",
    "notes",
    "notes_en",
    "readings",
}
_RULE_KEYS = {
    "id",
    "subsidy",
    "clause",
    "scope",
    "require",
    "if_absent",
    "amount",
    "payee",
    "payee_by_payer",
    "counts",
    "note",
    "advance",
}
_READING_KEYS = {"id", "clause", "question", "reading", "why", "question_en", "reading_en", "why_en"}
_REQ_KEYS = {"id", "clause", "when", "require", "reason_zh", "reason_en", "if_absent", "applies"}
_AMOUNT_KEYS = {
    "form",
    "rate",
    "max_units",
    "max_units_per",
    "months_cap",
    "divisor",
    "multiplier",
    "part_month",
    "months_special",
}
# ``max_units_per``: whom ``max_units`` caps, one row (the default) or a person across rows and batches.
MAX_UNITS_PER = ("row", "person")
_MONTH_FORMS = ("per_month", "annual_prorated", "monthly_active")
_PARAM_KEYS = {"value", "doc", "clause", "assumption", "label"}
_LIMIT_KEYS = {"yearly", "no_repeat", "exclusive", "advance"}


class _DecimalLoader(yaml.CSafeLoader):
    """SafeLoader whose floats are Decimals made from the text as written. The libyaml parser (in
    every PyYAML wheel) reads a policy file about five times faster than the pure-Python one, which
    counts at start-up: every payout loads its policy."""


def _construct_decimal(loader: yaml.CSafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(str(loader.construct_scalar(node)).replace("_", ""))


def _construct_timestamp(loader: yaml.CSafeLoader, node: yaml.ScalarNode) -> Any:
    # An impossible date such as 2021-13-01 matches YAML's date pattern but cannot be built. Kept as
    # its text, it reaches the check of the key it belongs to, whose message names that key.
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return str(loader.construct_scalar(node))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_DecimalLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def default_rules_dir() -> Path:
    """The rules folder in effect (``skillcli.rules.locate``: --rules, $SKILLCLI_RULES, bundled, source)."""
    return rules_source().path


def policy_paths(rules_dir: Path | None = None) -> dict[str, Path]:
    folder = rules_source(rules_dir).path
    return {p.stem: p for p in sorted(folder.glob("*.yaml")) if not p.stem.endswith(".cases")}


def require_policies(rules_dir: Path | None = None) -> dict[str, Path]:
    """``policy_paths``, or a usage error naming the folder looked in when it holds no policy."""
    source = rules_source(rules_dir)
    found = policy_paths(source.path)
    if not found:
        raise nothing_found("政策规则文件", "policy files", source)
    return found


def find_file(ident: str, paths: dict[str, Path], what_zh: str, what_en: str) -> Path:
    """A rules file by its id among ``paths``, or by its own path; else a usage error listing the ids."""
    if ident in paths:
        return paths[ident]
    candidate = Path(ident)
    if candidate.suffix in (".yaml", ".yml") and candidate.exists():
        return candidate
    known = ", ".join(paths) or "—"
    raise UsageError(f"未知{what_zh}「{ident}」，可用：{known}", f"unknown {what_en} '{ident}'; available: {known}")


def find_policy(policy_id: str, rules_dir: Path | None = None) -> Path:
    paths = policy_paths(rules_dir) if Path(policy_id).is_file() else require_policies(rules_dir)
    return find_file(policy_id, paths, "政策", "policy")


def read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_bytes(), Loader=_DecimalLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise RulesError(
            f"规则文件 {path} 不是有效的 YAML{where}", f"rules file {path} is not valid YAML{where}"
        ) from None


def load_policy(path: Path, overrides: Mapping[str, str] | None = None) -> Policy:
    """Load and validate one policy file; apply ``--param`` overrides."""
    raw = path.read_bytes()
    data = read_yaml(path)
    ctx = _Ctx(path)
    if not isinstance(data, dict):
        ctx.fail("文件顶层应为映射", "the top level must be a mapping")
    ctx.keys(data, _POLICY_KEYS, "policy")
    for key in ("id", "title", "region", "document", "effective", "rules"):
        if key not in data:
            ctx.fail(f"缺少 {key}", f"missing key '{key}'")
    params = _parameters(ctx, ctx.mapping(data.get("parameters") or {}, "parameters"), overrides or {})
    ctx.params = params
    effective = data["effective"] or {}
    ctx.keys(effective, {"from", "to", "clause"}, "effective")
    eligibility = tuple(
        _requirement(ctx, item, "eligibility")
        for item in ctx.listing(data.get("eligibility") or [], "eligibility")
        if _applies(ctx, item, "eligibility")
    )
    rules = tuple(_rule(ctx, item) for item in ctx.listing(data["rules"], "rules"))
    ids = [r.id for r in rules]
    _unique(ctx, ids, "rules")
    limits = _limits(ctx, data.get("limits") or {}, set(ids))
    document = {str(k): str(v) for k, v in ctx.mapping(data["document"] or {}, "document").items()}
    return Policy(
        id=str(data["id"]),
        title=str(data["title"]),
        region=str(data["region"]),
        document=document,
        effective_from=_date(ctx, effective.get("from"), "effective.from"),
        effective_to=_date(ctx, effective["to"], "effective.to") if effective.get("to") else None,
        effective_clause=str(effective.get("clause") or ""),
        reviewed=_date(ctx, data["reviewed"], "reviewed") if data.get("reviewed") else None,
        parameters=params,
        eligibility=eligibility,
        limits=limits,
        rules=rules,
        path=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
        notes=tuple(str(n) for n in data.get("notes") or []),
        notes_en=_notes_en(ctx, data),
        readings=_readings(ctx, data.get("readings") or []),
    )


def _readings(ctx: _Ctx, items: Any) -> tuple[Reading, ...]:
    """The readings table (口径): every entry names its clause, the question, the reading and why."""
    found: list[Reading] = []
    for item in ctx.listing(items, "readings"):
        ctx.keys(item, _READING_KEYS, "readings")
        for key in ("id", "clause", "question", "reading", "why"):
            if not str(item.get(key) or "").strip():
                ctx.fail(
                    f"readings {item.get('id', '?')} 缺少 {key}", f"readings {item.get('id', '?')}: missing '{key}'"
                )
        found.append(Reading(**{key: str(item.get(key) or "").strip() for key in _READING_KEYS}))
    _unique(ctx, [r.id for r in found], "readings")
    return tuple(found)


def _unique(ctx: _Ctx, ids: list[str], where: str) -> None:
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        ctx.fail(f"{where} 的 id 重复：{repeated}", f"{where}: ids used twice: {repeated}")


class _Ctx:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.params: dict[str, Parameter] = {}

    def fail(self, zh: str, en: str) -> None:
        raise RulesError(f"{self.path}：{zh}", f"{self.path}: {en}")

    def mapping(self, data: Any, where: str) -> dict[Any, Any]:
        if not isinstance(data, dict):
            self.fail(f"{where} 应为映射", f"{where} must be a mapping")
        return data  # type: ignore[no-any-return]

    def listing(self, data: Any, where: str) -> list[Any]:
        if not isinstance(data, list):
            self.fail(f"{where} 应为列表", f"{where} must be a list")
        return data  # type: ignore[no-any-return]

    def keys(self, data: Any, allowed: set[str], where: str) -> None:
        unknown = set(self.mapping(data, where)) - allowed
        if unknown:
            self.fail(f"{where} 有未知字段 {sorted(unknown)}", f"unknown keys in {where}: {sorted(unknown)}")

    def resolve(self, value: Any, where: str) -> Any:
        if isinstance(value, str) and value.startswith("$"):
            name = value[1:]
            if name not in self.params:
                self.fail(f"{where} 引用了未定义的参数 {value}", f"{where} refers to undefined parameter {value}")
            return self.params[name].value
        return value


def _parameters(ctx: _Ctx, data: dict[str, Any], overrides: Mapping[str, str]) -> dict[str, Parameter]:
    params: dict[str, Parameter] = {}
    for name, given in data.items():
        spec = given if isinstance(given, dict) else {"value": given}
        ctx.keys(spec, _PARAM_KEYS, f"parameters.{name}")
        if "value" not in spec:
            ctx.fail(f"参数 {name} 缺少 value", f"parameter {name} has no value")
        if not spec.get("doc"):
            ctx.fail(f"参数 {name} 缺少 doc 说明", f"parameter {name} needs a doc line")
        params[name] = Parameter(
            name,
            spec["value"],
            str(spec.get("doc", "")),
            str(spec.get("clause", "")),
            bool(spec.get("assumption", False)),
            label=str(spec.get("label", "")),
        )
    unknown = set(overrides) - set(params)
    if unknown:
        raise UsageError(
            f"--param 未知参数 {sorted(unknown)}，可用：{sorted(params)}",
            f"--param names unknown parameters {sorted(unknown)}; known: {sorted(params)}",
        )
    for name, text in overrides.items():
        old = params[name]
        params[name] = Parameter(
            name,
            _parse_override(name, text, old.value),
            old.doc,
            old.clause,
            old.assumption,
            overridden=True,
            label=old.label,
        )
    return params


def _parse_override(name: str, text: str, like: Any) -> Any:
    """``--param name=text`` read as the type of the policy's own value ``like``."""
    try:
        if isinstance(like, list | dict):
            return _parse_collection(name, text, like)
        return _parse_scalar(text, like)
    except (ValueError, InvalidOperation, yaml.YAMLError):
        raise UsageError(f"--param {name}={text} 的值格式不对", f"--param {name}={text}: bad value") from None


def _parse_scalar(text: str, like: Any) -> Any:
    if isinstance(like, bool):
        if text.lower() in ("true", "yes", "1", "是"):
            return True
        if text.lower() in ("false", "no", "0", "否"):
            return False
        raise ValueError(text)
    if isinstance(like, int):
        return int(text)
    if isinstance(like, Decimal):
        return Decimal(text)
    if isinstance(like, dt.date):
        return dt.date.fromisoformat(text)
    return text


def _parse_collection(name: str, text: str, like: list[Any] | dict[str, Any]) -> Any:
    """A list (电工,焊工) or a table (电工:1200,焊工:1500), or either from a file (``@path``)."""
    if isinstance(like, list):
        if text.startswith("@"):
            return _list_file(name, Path(text[1:]))
        return [item.strip() for item in re.split(r"[,，、]", text) if item.strip()]
    if text.startswith("@"):
        return _table_file(name, Path(text[1:]))
    pairs = [item.strip() for item in re.split(r"[,，;；]", text) if item.strip()]
    return dict(_pair(item, r"[:：]") for item in pairs)


def _pair(text: str, separator: str) -> tuple[str, Decimal]:
    """``电工:1200`` → ("电工", Decimal("1200")); a missing key or amount is a bad value."""
    parts = re.split(separator, text, maxsplit=1)
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise ValueError(text)
    return parts[0].strip(), Decimal(parts[1].strip())


def _read_param_file(name: str, path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise UsageError(
            f"--param {name}=@{path}：无法读取该文件（需 UTF-8 文本）", f"--param {name}=@{path}: cannot read the file"
        ) from None


def _list_file(name: str, path: Path) -> list[str]:
    """A list parameter from a file: YAML list, or one value per line (blank lines and # comments skipped)."""
    text = _read_param_file(name, path)
    if path.suffix in (".yaml", ".yml"):
        data = yaml.load(text, Loader=_DecimalLoader)
        if not isinstance(data, list):
            raise ValueError(text)
        return [str(v).strip() for v in data if str(v).strip()]
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def _table_file(name: str, path: Path) -> dict[str, Any]:
    """A table parameter from a file: a YAML mapping, or CSV lines ``key,value``."""
    text = _read_param_file(name, path)
    if path.suffix in (".yaml", ".yml"):
        data = yaml.load(text, Loader=_DecimalLoader)
        if not isinstance(data, dict):
            raise ValueError(text)
        return data
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return dict(_pair(line, r"[,，\t]") for line in lines if line)


def parse_overrides(items: list[str]) -> dict[str, str]:
    """``["a=1", "b=x"]`` → ``{"a": "1", "b": "x"}``."""
    found: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--param 应写成 name=value，读到「{item}」", f"--param must be name=value, got '{item}'")
        name, value = item.split("=", 1)
        found[name.strip()] = value.strip()
    return found


def _date(ctx: _Ctx, value: Any, where: str) -> dt.date:
    value = ctx.resolve(value, where)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        ctx.fail(f"{where} 不是日期", f"{where} is not a date")
        raise  # pragma: no cover


def level_code(text: Any) -> Level | None:
    """'中级工' / '四级' / 'L4' → Level.L4; None if not a level."""
    value = str(text).strip()
    if value in Level.__members__:
        return Level[value]
    key = re.sub(r"[\s()\[\]/、,\-]", "", value)
    for spelling, code in LEVELS:
        if spelling == key:
            return Level(code)
    return None


def _condition_value(ctx: _Ctx, field: str, value: Any, where: str) -> Any:
    value = ctx.resolve(value, where)
    spec = FIELDS[field]
    if spec.kind == "level":
        code = level_code(value)
        if code is None:
            ctx.fail(f"{where} 的等级「{value}」无法识别", f"{where}: level '{value}' is not recognised")
        return code.value if code else value
    if spec.kind == "enum":
        if str(value) not in spec.choices:
            ctx.fail(
                f"{where} 的值「{value}」不在「{spec.label}」的可选值中",
                f"{where}: '{value}' is not a value of {field}",
            )
        return str(value)
    if spec.kind == "bool":
        if not isinstance(value, bool):
            ctx.fail(f"{where} 应为 true/false", f"{where} must be true or false")
        return value
    if spec.kind == "date":
        return _date(ctx, value, where)
    if spec.kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            ctx.fail(f"{where} 应为数字", f"{where} must be a number")
        return value
    return str(value)


def _conditions(ctx: _Ctx, data: Any, where: str) -> tuple[Condition, ...]:
    if data is None:
        return ()
    if not isinstance(data, dict):
        ctx.fail(f"{where} 应为 字段: 条件 的映射", f"{where} must map fields to conditions")
    found: list[Condition] = []
    for field, written in data.items():
        if field not in FIELDS:
            ctx.fail(f"{where} 有未知字段「{field}」", f"{where}: unknown field '{field}'")
        test = ctx.resolve(written, f"{where}.{field}")
        param = written[1:] if isinstance(written, str) and written.startswith("$") else ""
        named = re.match(r"[\u4e00-\u9fff]+", ctx.params[param].doc) if param else None
        label = named.group(0) if named else ""
        if isinstance(test, dict):
            ctx.keys(test, {"min", "max", "not"}, f"{where}.{field}")
            for op in ("min", "max"):
                if op in test:
                    found.append(Condition(field, op, _condition_value(ctx, field, test[op], f"{where}.{field}.{op}")))
            if "not" in test:
                excluded = ctx.resolve(test["not"], f"{where}.{field}.not")
                items = excluded if isinstance(excluded, list) else [excluded]
                found.append(
                    Condition(
                        field, "not_in", tuple(_condition_value(ctx, field, v, f"{where}.{field}") for v in items)
                    )
                )
        elif isinstance(test, list):
            found.append(
                Condition(
                    field,
                    "in",
                    tuple(_condition_value(ctx, field, v, f"{where}.{field}") for v in test),
                    param,
                    label,
                )
            )
        else:
            found.append(Condition(field, "eq", _condition_value(ctx, field, test, f"{where}.{field}"), param, label))
    return tuple(found)


def _if_absent(ctx: _Ctx, data: dict[str, Any], where: str) -> bool:
    """``if_absent: hold`` (the only value): True; not given: False."""
    if "if_absent" not in data:
        return False
    if data["if_absent"] != "hold":
        ctx.fail(f"{where}.if_absent 只能是 hold", f"{where}.if_absent must be 'hold'")
    return True


def _notes_en(ctx: _Ctx, data: dict[str, Any]) -> tuple[str, ...]:
    """The notes in English, one for each Chinese note in the same order (none: the 说明 shows the Chinese)."""
    notes, english = data.get("notes") or [], data.get("notes_en") or []
    if english and len(english) != len(notes):
        ctx.fail(
            f"notes_en 应与 notes 一一对应（{len(english)} 条对 {len(notes)} 条）",
            f"notes_en must match notes one to one ({len(english)} against {len(notes)})",
        )
    return tuple(str(n) for n in english)


def _applies(ctx: _Ctx, item: Any, where: str) -> bool:
    """``applies: $parameter``: a requirement the district may switch off (a reading of the text the
    rules file makes explicit, such as Suzhou's self_evaluation_requires_insured). Not given: it applies."""
    if not isinstance(item, dict) or "applies" not in item:
        return True
    value = ctx.resolve(item["applies"], f"{where}.applies")
    if not isinstance(value, bool):
        ctx.fail(f"{where}.applies 应为 true/false 或引用这样的参数", f"{where}.applies must be true/false")
    return bool(value)


def _requirement(ctx: _Ctx, item: Any, where: str) -> Requirement:
    ctx.keys(item, _REQ_KEYS, where)
    for key in ("id", "clause", "require"):
        if not item.get(key):
            named = f"{where}.{item['id']}" if item.get("id") else where
            ctx.fail(f"{named} 缺少 {key}", f"{named}: missing '{key}'")
    where = f"{where}.{item['id']}"
    return Requirement(
        str(item["id"]),
        str(item["clause"]),
        _conditions(ctx, item["require"], f"{where}.require"),
        _conditions(ctx, item.get("when"), f"{where}.when"),
        str(item.get("reason_zh", "")),
        str(item.get("reason_en", "")),
        _if_absent(ctx, item, where),
    )


def _rate(ctx: _Ctx, value: Any, where: str) -> Rate:
    value = ctx.resolve(value, where)
    if isinstance(value, dict) and "by_year" in value:
        return _year_rate(ctx, value, where)
    if isinstance(value, dict) and "catalogue" in value:
        return _catalogue_rate(ctx, value, where)
    if isinstance(value, dict):
        ctx.keys(value, {"by_level"}, where)
        if "by_level" not in value:
            ctx.fail(
                f"{where} 应为金额，或 by_level / by_year / catalogue 之一",
                f"{where} must be an amount or one of by_level, by_year, catalogue",
            )
        table = value["by_level"]
        if not isinstance(table, dict):
            ctx.fail(f"{where}.by_level 应为映射", f"{where}.by_level must be a mapping")
        levels: dict[Level, int | None] = {}
        for key, amount in table.items():
            code = level_code(key)
            if code is None:
                ctx.fail(f"{where} 的等级「{key}」无法识别", f"{where}: level '{key}' is not recognised")
                continue
            levels[code] = None if amount is None else _fen(ctx, ctx.resolve(amount, where), where)
        return Rate(by_level=levels)
    return Rate(fen=_fen(ctx, value, where))


def _year_rate(ctx: _Ctx, value: dict[str, Any], where: str) -> Rate:
    """``{by_year: {2018: 995, …}, of: start_date, offset: -1}``: the value in force for a year."""
    ctx.keys(value, {"by_year", "of", "offset"}, where)
    table = ctx.resolve(value["by_year"], f"{where}.by_year")
    if not isinstance(table, dict):
        ctx.fail(f"{where}.by_year 应为 年份: 金额 的映射", f"{where}.by_year must map years to amounts")
    years: dict[int, int] = {}
    for year, amount in table.items():
        if isinstance(year, bool) or not str(year).isdigit() or len(str(year)) != 4:
            ctx.fail(f"{where}.by_year 的年份「{year}」无效", f"{where}.by_year: '{year}' is not a year")
        years[int(year)] = _fen(ctx, amount, f"{where}.by_year.{year}")
    of = str(value.get("of", "start_date"))
    if of not in FIELDS or FIELDS[of].kind != "date":
        ctx.fail(f"{where}.of 应为日期字段", f"{where}.of must be a date field")
    offset = value.get("offset", 0)
    if isinstance(offset, bool) or not isinstance(offset, int):
        ctx.fail(f"{where}.offset 应为整数", f"{where}.offset must be an integer")
    return Rate(by_year=years, year_of=of, year_offset=int(offset))


def _catalogue_rate(ctx: _Ctx, value: dict[str, Any], where: str) -> Rate:
    """``{catalogue: $param}``: amounts by occupation (``电工: 1200``) or occupation and level
    (``电工: {初级工: 1000}`` or ``电工/初级工: 1000``) from a table parameter."""
    ctx.keys(value, {"catalogue"}, where)
    written = value["catalogue"]
    if not (isinstance(written, str) and written.startswith("$")):
        ctx.fail(f"{where}.catalogue 应引用一个参数（$名称）", f"{where}.catalogue must name a parameter ($name)")
    table = ctx.resolve(written, f"{where}.catalogue")
    if not isinstance(table, dict):
        ctx.fail(f"{where}.catalogue 参数应为 职业: 金额 的映射", f"{where}.catalogue must map occupations to amounts")
    entries: dict[str, int] = {}
    for key, amount in table.items():
        occupation, _, level = str(key).partition("/")
        nested = amount.items() if isinstance(amount, dict) else [(level, amount)] if level else [("", amount)]
        for level_text, yuan in nested:
            code = level_code(level_text) if level_text else None
            if level_text and code is None:
                ctx.fail(
                    f"{where} 目录的等级「{level_text}」无法识别", f"{where}: level '{level_text}' is not recognised"
                )
            suffix = f"|{code.value}" if code else ""
            entries[occupation.strip() + suffix] = _fen(ctx, yuan, f"{where}.catalogue.{key}")
    return Rate(catalogue=entries, catalogue_param=written[1:])


def _fen(ctx: _Ctx, value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        ctx.fail(f"{where} 金额应为数字（元）", f"{where}: amount must be a number of yuan")
    try:
        fen = yuan_to_fen(Decimal(str(value)))
    except InvalidOperation:
        ctx.fail(f"{where} 金额「{value}」不是数字", f"{where}: amount '{value}' is not a number")
        raise  # pragma: no cover
    if Decimal(str(value)) * 100 != fen:
        ctx.fail(f"{where} 金额「{value}」超过两位小数", f"{where}: amount '{value}' has more than two decimals")
    return fen


def _amount(ctx: _Ctx, data: Any, where: str) -> Amount:
    ctx.keys(data, _AMOUNT_KEYS, where)
    form = data.get("form")
    if form not in FORMS:
        ctx.fail(f"{where}.form「{form}」应为 {FORMS} 之一", f"{where}.form '{form}' must be one of {FORMS}")
    if "rate" not in data:
        ctx.fail(f"{where} 缺少 rate", f"{where}: missing rate")
    multiplier = None
    if data.get("multiplier"):
        spec = data["multiplier"]
        ctx.keys(spec, {"when", "any_of", "factor", "label", "label_en"}, f"{where}.multiplier")
        factor = ctx.resolve(spec.get("factor"), f"{where}.multiplier.factor")
        if not isinstance(factor, (int, Decimal)):
            ctx.fail(f"{where}.multiplier.factor 应为数字", f"{where}.multiplier.factor must be a number")
        any_of = spec.get("any_of") or []
        if not isinstance(any_of, list) or (spec.get("when") and any_of):
            ctx.fail(
                f"{where}.multiplier 的 any_of 应为条件列表，且不与 when 同用",
                f"{where}.multiplier.any_of must be a list of condition blocks, not combined with when",
            )
        multiplier = Multiplier(
            _conditions(ctx, spec.get("when"), f"{where}.multiplier.when"),
            Decimal(factor),
            str(spec.get("label", "")),
            tuple(_conditions(ctx, block, f"{where}.multiplier.any_of") for block in any_of),
            str(spec.get("label_en", "")),
        )

    def number(key: str) -> int | None:
        value = ctx.resolve(data.get(key), f"{where}.{key}")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or int(value) != value or value <= 0:
            ctx.fail(f"{where}.{key} 应为正整数", f"{where}.{key} must be a positive integer")
        return int(value)

    # A monthly allowance has always been paid for a batch month the training runs at all: that stays the
    # reading of a file that does not say.
    written = data.get("part_month", "count_started" if form == "monthly_active" else "whole_months_only")
    part_month = ctx.resolve(written, f"{where}.part_month")
    if part_month not in PART_MONTHS or (form not in _MONTH_FORMS and "part_month" in data):
        ctx.fail(
            f"{where}.part_month「{part_month}」应为 {'、'.join(PART_MONTHS)} 之一，且只用于按月计算的金额"
            f"（{'、'.join(_MONTH_FORMS)}）",
            f"{where}.part_month '{part_month}' must be one of {', '.join(PART_MONTHS)}, on a per-month amount "
            f"({', '.join(_MONTH_FORMS)})",
        )
    rate = _rate(ctx, data["rate"], f"{where}.rate")
    per = data.get("max_units_per", "row")
    # A person's months already paid are read back from the ledger as a line's amount ÷ the monthly
    # rate: that needs one rate, no multiplier, and a cap to count against.
    if per not in MAX_UNITS_PER or (
        per == "person"
        and (form != "per_month" or "max_units" not in data or rate.fen is None or multiplier is not None)
    ):
        ctx.fail(
            f"{where}.max_units_per「{per}」应为 {'、'.join(MAX_UNITS_PER)} 之一；person 只用于有 max_units、"
            "单一标准且无系数的 per_month 金额",
            f"{where}.max_units_per '{per}' must be one of {', '.join(MAX_UNITS_PER)}; person only on a per_month "
            "amount with max_units, one rate and no multiplier",
        )
    return Amount(
        form,
        rate,
        number("max_units"),
        number("months_cap"),
        number("divisor"),
        multiplier,
        number("months_special"),
        part_month,
        written[1:] if isinstance(written, str) and written.startswith("$") else "",
        str(per),
    )


def _rule(ctx: _Ctx, data: Any) -> Rule:
    ctx.keys(data, _RULE_KEYS, f"rule {data.get('id', '?')}" if isinstance(data, dict) else f"rule {data!r}")
    for key in ("id", "subsidy", "clause", "scope", "amount", "payee"):
        if not data.get(key):
            ctx.fail(f"规则 {data.get('id', '?')} 缺少 {key}", f"rule {data.get('id', '?')}: missing '{key}'")
    rid = str(data["id"])
    where = f"rules.{rid}"
    require = data.get("require") or []
    if isinstance(require, dict):  # shorthand: field: condition pairs, each its own requirement
        # A rule's ``if_absent: hold`` marks its shorthand requirements (list items carry their own).
        hold = _if_absent(ctx, data, where)
        items = tuple(
            Requirement(
                f"{rid}.{field}",
                str(data["clause"]),
                _conditions(ctx, {field: test}, f"{where}.require"),
                hold_if_absent=hold,
            )
            for field, test in require.items()
        )
    else:
        if "if_absent" in data:
            ctx.fail(
                f"{where}.if_absent 只用于 require 的简写形式；列表中的每项写自己的 if_absent",
                f"{where}.if_absent applies to the shorthand require only; list items carry their own",
            )
        items = tuple(
            _requirement(ctx, item, f"{where}.require") for item in require if _applies(ctx, item, f"{where}.require")
        )
    payee = str(data["payee"])
    if payee not in (*PAYEE_TYPES, "by_payer", "organiser"):
        ctx.fail(
            f"{where}.payee「{payee}」应为 person/enterprise/institution/by_payer/organiser 之一",
            f"{where}.payee '{payee}' is not a payee rule (person, enterprise, institution, by_payer, organiser)",
        )
    by_payer = {
        str(k): str(v) for k, v in ctx.mapping(data.get("payee_by_payer") or {}, f"{where}.payee_by_payer").items()
    }
    if payee == "by_payer" and not by_payer:
        by_payer = {"个人": "person", "企业": "enterprise", "机构": "institution"}
    for payer, target in by_payer.items():
        # ``blank`` names the payee when 出资方 is blank (Suzhou A8: the insured employee's own subsidy).
        if payer != BLANK_PAYER and payer not in FIELDS["payer"].choices:
            ctx.fail(
                f"{where}.payee_by_payer 的出资方「{payer}」无效", f"{where}.payee_by_payer: '{payer}' is not a 出资方"
            )
        if target not in (*PAYEE_TYPES, INELIGIBLE) or (payer == BLANK_PAYER and target == INELIGIBLE):
            ctx.fail(
                f"{where}.payee_by_payer.{payer} 的收款方「{target}」无效",
                f"{where}.payee_by_payer.{payer}: '{target}' is not a payee",
            )
    advance = data.get("advance") or []
    # E10 (S2c 三(十三)) allows advances for training run by an enterprise or an institution's
    # project-based training, never for subsidies paid to individuals: a person cannot be listed.
    if not isinstance(advance, list) or any(a not in ("enterprise", "institution") for a in advance):
        ctx.fail(
            f"{where}.advance 应为 enterprise/institution 的列表（个人补贴不预拨）",
            f"{where}.advance must list enterprise and/or institution (subsidies to persons are never advanced)",
        )
    return Rule(
        rid,
        str(data["subsidy"]),
        str(data["clause"]),
        _conditions(ctx, data["scope"], f"{where}.scope"),
        items,
        _amount(ctx, data["amount"], f"{where}.amount"),
        payee,  # type: ignore[arg-type]
        by_payer,
        bool(data.get("counts", True)),
        str(data.get("note", "")),
        tuple(str(a) for a in advance),
    )


def _limits(ctx: _Ctx, data: Any, rule_ids: set[str]) -> Limits:
    ctx.keys(data, _LIMIT_KEYS, "limits")
    yearly = data.get("yearly") or {}
    repeat = data.get("no_repeat") or {}
    advance = data.get("advance") or {}
    ctx.keys(yearly, {"id", "clause", "max"}, "limits.yearly")
    ctx.keys(repeat, {"id", "clause", "window"}, "limits.no_repeat")
    ctx.keys(advance, {"id", "clause", "allowed", "max_share"}, "limits.advance")
    for name, spec in (("yearly", yearly), ("no_repeat", repeat), ("advance", advance)):
        if spec and not spec.get("clause"):
            ctx.fail(f"limits.{name} 缺少 clause", f"limits.{name}: missing clause")
    window = str(ctx.resolve(repeat.get("window", "ever"), "limits.no_repeat.window"))
    if window not in ("ever", "year"):
        ctx.fail(
            f"limits.no_repeat.window「{window}」应为 ever 或 year",
            f"limits.no_repeat.window '{window}' must be 'ever' or 'year'",
        )
    exclusive = []
    for item in ctx.listing(data.get("exclusive") or [], "limits.exclusive"):
        ctx.keys(item, {"id", "clause", "rules"}, "limits.exclusive")
        where = f"limits.exclusive.{item.get('id', '?')}"
        for key in ("id", "clause"):
            if not item.get(key):
                ctx.fail(f"{where} 缺少 {key}", f"{where}: missing {key}")
        listed = ctx.listing(item.get("rules", []), f"{where}.rules")
        unknown = sorted(set(map(str, listed)) - rule_ids)
        if unknown:
            ctx.fail(
                f"{where}.rules 含本文件没有的规则 {unknown}", f"{where}.rules: {unknown} are not rules of this file"
            )
        if len(listed) < 2:
            ctx.fail(f"{where}.rules 应至少列出两条规则", f"{where}.rules must list at least two rules")
        exclusive.append((str(item["id"]), str(item["clause"]), tuple(str(r) for r in item["rules"])))
    max_share = ctx.resolve(advance.get("max_share"), "limits.advance.max_share")
    # A share above 1 would advance more than the entitlement; it is a typo, never a policy.
    if max_share is not None and (
        isinstance(max_share, bool) or not isinstance(max_share, (int, Decimal)) or not 0 < max_share <= 1
    ):
        ctx.fail(
            "limits.advance.max_share 应为 0 到 1 之间的数", "limits.advance.max_share must be a number from 0 to 1"
        )
    yearly_max = ctx.resolve(yearly.get("max"), "limits.yearly.max")
    if yearly_max is not None and (isinstance(yearly_max, bool) or not isinstance(yearly_max, int) or yearly_max <= 0):
        ctx.fail("limits.yearly.max 应为正整数", "limits.yearly.max must be a positive integer")
    allowed = ctx.resolve(advance.get("allowed", True), "limits.advance.allowed")
    # bool() of a word such as 否 is True: only YAML's true/false may switch advances on or off.
    if not isinstance(allowed, bool):
        ctx.fail("limits.advance.allowed 应为 true/false", "limits.advance.allowed must be true or false")
    return Limits(
        yearly_max=int(yearly_max) if yearly_max is not None else None,
        yearly_id=str(yearly.get("id", "E1")),
        yearly_clause=str(yearly.get("clause", "")),
        no_repeat=bool(repeat),
        no_repeat_window=window,
        no_repeat_id=str(repeat.get("id", "E2")),
        no_repeat_clause=str(repeat.get("clause", "")),
        exclusive=tuple(exclusive),
        advance_allowed=allowed,
        advance_max_share=Decimal(max_share) if max_share is not None else None,
        advance_id=str(advance.get("id", "")),
        advance_clause=str(advance.get("clause", "")),
    )
