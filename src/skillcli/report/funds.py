"""Fund reports (补贴资金使用情况): a month or a year of the ledger, by subsidy, payee, category and level.

Only live lines count: payment and advance lines of runs that were not voided, in runs whose
``period`` falls in the month or year. Bank results come from the events of the exported
disbursements: the latest event of each disbursement says paid, failed, mismatch or pending;
"outstanding" is what was committed but not yet confirmed paid by the bank.

Target progress (as the Lüliang report gives it: trained 115.83 % of the yearly target) is the
year-to-date actual over the yearly target from a small TOML file, computed with ``Decimal`` and
rounded half-up to two decimals.
"""

from __future__ import annotations

import calendar
import re
import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from skillcli.errors import UsageError
from skillcli.model import LEVEL_LABELS, Level, PayeeType
from skillcli.money import MoneyError, parse_yuan

if TYPE_CHECKING:
    from skillcli.vouchers.status import VoucherSummary

DEFAULT_TARGETS = "skillcli-targets.toml"
MEASURES: dict[str, tuple[str, str]] = {
    "trained": ("培训人数", "persons trained"),
    "certified": ("取证人数", "persons certified"),
    "funds": ("补贴资金（元）", "subsidy funds (yuan)"),
}
STATUS_KINDS = {"bank-paid": "paid", "bank-failed": "failed", "bank-mismatch": "mismatch", "bank-pending": "pending"}
_LEVEL_ORDER = {level.value: i for i, level in enumerate(Level)}
_PAYEE_ORDER = {p.value: i for i, p in enumerate(PayeeType)}


@dataclass(frozen=True, slots=True)
class Scope:
    """A month (``2021-06``) or a year (``2021``) of runs, by the runs' batch month."""

    kind: str  # month | year
    year: int
    month: int | None = None

    @classmethod
    def parse(cls, kind: str, text: str) -> Scope:
        text = text.strip()
        if kind == "month":
            match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
            if not match or not 1 <= int(match.group(2)) <= 12:
                raise UsageError(f"月份应为 YYYY-MM，读到「{text}」", f"the month must be YYYY-MM, got '{text}'")
            return cls("month", int(match.group(1)), int(match.group(2)))
        if not re.fullmatch(r"\d{4}", text):
            raise UsageError(f"年度应为 YYYY，读到「{text}」", f"the year must be YYYY, got '{text}'")
        return cls("year", int(text))

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)

    @property
    def months(self) -> list[str]:
        """The months of the monthly table: the whole year, or January to the month."""
        return [f"{self.year}-{m:02d}" for m in range(1, (self.month or 12) + 1)]

    @property
    def first_day(self) -> str:
        return f"{self.year}-{self.month or 1:02d}-01"

    @property
    def last_day(self) -> str:
        month = self.month or 12
        return f"{self.year}-{month:02d}-{calendar.monthrange(self.year, month)[1]:02d}"


@dataclass(slots=True)
class Target:
    measure: str
    actual: int  # persons, or fen for funds
    target: int
    percent: Decimal | None  # actual / target × 100, two decimals; None for a zero target


@dataclass(slots=True)
class FundReport:
    scope: Scope
    runs: list[dict[str, Any]]  # live runs in the scope
    totals: dict[str, int]
    by_subsidy: pl.DataFrame
    by_payee_type: pl.DataFrame
    by_payee: pl.DataFrame
    by_category: pl.DataFrame
    by_level: pl.DataFrame
    monthly: pl.DataFrame
    targets: list[Target] = field(default_factory=list)
    vouchers: VoucherSummary | None = None  # training vouchers issued in the scope (None: the ledger has none)


# -- targets -------------------------------------------------------------------------------------
def load_targets(path: Path | None) -> dict[int, dict[str, int]]:
    """``[2021] trained = 500  certified = 300  funds = 1500000`` → {2021: {...}} (funds in fen).

    ``path`` None means the default file in the working directory, if there is one.
    """
    if path is None:
        path = Path(DEFAULT_TARGETS)
        if not path.exists():
            return {}
    if not path.exists():
        raise UsageError(f"目标文件 {path} 不存在", f"targets file {path} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"目标文件 {path} 格式错误（{exc}）", f"targets file {path} is not valid TOML ({exc})"
        ) from None
    targets: dict[int, dict[str, int]] = {}
    for year, values in data.items():
        if not re.fullmatch(r"\d{4}", str(year)) or not isinstance(values, dict):
            raise UsageError(
                f"目标文件 {path}：应为 [年份] 小节，读到「{year}」",
                f"targets file {path}: expected [year] tables, got '{year}'",
            )
        unknown = set(values) - set(MEASURES)
        if unknown:
            raise UsageError(
                f"目标文件 {path}：未知指标 {', '.join(sorted(unknown))}（可用：{', '.join(MEASURES)}）",
                f"targets file {path}: unknown measures {', '.join(sorted(unknown))} (known: {', '.join(MEASURES)})",
            )
        targets[int(year)] = {name: _target_value(path, name, value) for name, value in values.items()}
    return targets


def _target_value(path: Path, name: str, value: Any) -> int:
    if name == "funds":
        try:
            return int(parse_yuan(str(value)))
        except MoneyError:
            pass
    elif isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise UsageError(
        f"目标文件 {path}：{name} 的值「{value}」无效", f"targets file {path}: invalid value '{value}' for {name}"
    )


def percent(actual: int, target: int) -> Decimal | None:
    """actual / target as a percentage, exactly, half-up to two decimals: 695 / 600 → 115.83."""
    if target <= 0:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# -- the report ----------------------------------------------------------------------------------
def latest_status(disbursements: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """Each disbursement with the status of its latest bank event (null: no return yet)."""
    latest = events.sort("event_id").group_by("disb_id").agg(pl.col("kind").last())
    return disbursements.join(latest, on="disb_id", how="left").with_columns(
        pl.col("kind").replace_strict(STATUS_KINDS, default=None, return_dtype=pl.String).alias("status")
    )


def _funds(lines: pl.DataFrame, disb: pl.DataFrame) -> dict[str, int]:
    def fen(frame: pl.DataFrame, column: str = "amount_fen") -> int:
        return int(frame.get_column(column).sum()) if frame.height else 0

    payment = lines.filter(pl.col("kind") == "payment")
    advance = lines.filter(pl.col("kind") == "advance")
    totals = {
        "lines": lines.height,
        "trained": lines.get_column("person_id").n_unique() if lines.height else 0,
        "certified": lines.filter(pl.col("certified")).get_column("person_id").n_unique() if lines.height else 0,
        "committed_fen": fen(lines),
        "payment_lines": payment.height,
        "payment_fen": fen(payment),
        "advance_lines": advance.height,
        "advanced_fen": fen(advance),
        "exported_count": disb.height,
        "exported_fen": fen(disb),
    }
    for status in ("paid", "failed", "mismatch", "pending"):
        part = disb.filter(pl.col("status") == status)
        totals[f"{status}_count"] = part.height
        totals[f"{status}_fen"] = fen(part)
    totals["outstanding_fen"] = totals["committed_fen"] - totals["paid_fen"]
    return totals


def _breakdowns(lines: pl.DataFrame) -> dict[str, pl.DataFrame]:
    fen = pl.col("amount_fen").sum().alias("fen")
    persons = pl.col("person_id").n_unique().alias("persons")
    count = pl.len().alias("lines")
    # A5 before A11: rules sort by their letter, then their number.
    by_subsidy = (
        lines.group_by("rule", "subsidy")
        .agg(persons, count, fen)
        .sort(
            pl.col("rule").str.extract(r"^(\D*)"),
            pl.col("rule").str.extract(r"(\d+)").cast(pl.Int64, strict=False),
            "rule",
            "subsidy",
            nulls_last=True,
        )
    )
    by_type = (
        lines.group_by("payee_type")
        .agg(pl.col("payee_id").n_unique().alias("payees"), persons, count, fen)
        .sort(pl.col("payee_type").replace_strict(_PAYEE_ORDER, default=9, return_dtype=pl.Int64))
    )
    by_payee = (
        lines.filter(pl.col("payee_type") != PayeeType.PERSON.value)
        .group_by("payee_type", "payee_id")
        .agg(pl.col("payee_name").drop_nulls().first(), persons, count, fen)
        .sort("payee_type", "payee_id")
    )
    by_category = (
        lines.with_columns(pl.col("category").fill_null("（未填）"))
        .group_by("category")
        .agg(persons, count, fen)
        .sort("fen", "category", descending=[True, False])
    )
    by_level = (
        lines.with_columns(pl.col("level").fill_null(Level.NONE.value))
        .group_by("level")
        .agg(persons, count, fen)
        .with_columns(
            pl.col("level")
            .replace_strict(
                {lv.value: LEVEL_LABELS[lv] for lv in Level}, default=pl.col("level"), return_dtype=pl.String
            )
            .alias("level_label"),
            pl.col("level").replace_strict(_LEVEL_ORDER, default=99, return_dtype=pl.Int64).alias("_order"),
        )
        .sort("_order")
        .drop("_order")
    )
    return {
        "by_subsidy": by_subsidy,
        "by_payee_type": by_type,
        "by_payee": by_payee,
        "by_category": by_category,
        "by_level": by_level,
    }


def _monthly(scope: Scope, lines: pl.DataFrame, disb: pl.DataFrame) -> pl.DataFrame:
    months = pl.DataFrame({"period": scope.months})
    per_line = lines.group_by("period").agg(
        pl.len().alias("lines"),
        pl.col("person_id").n_unique().alias("persons"),
        pl.col("amount_fen").sum().alias("committed_fen"),
        pl.col("amount_fen").filter(pl.col("kind") == "advance").sum().alias("advanced_fen"),
    )
    per_disb = disb.group_by("period").agg(
        pl.col("amount_fen").filter(pl.col("status") == "paid").sum().alias("paid_fen"),
        pl.col("amount_fen").filter(pl.col("status") == "failed").sum().alias("failed_fen"),
    )
    frame = months.join(per_line, on="period", how="left").join(per_disb, on="period", how="left")
    frame = frame.with_columns(pl.exclude("period").fill_null(0).cast(pl.Int64))
    return frame.with_columns((pl.col("committed_fen") - pl.col("paid_fen")).alias("outstanding_fen"))


def build_report(
    scope: Scope,
    *,
    runs: list[dict[str, Any]],
    lines: pl.DataFrame,
    disb: pl.DataFrame,
    events: pl.DataFrame,
    targets: dict[int, dict[str, int]],
) -> FundReport:
    """``runs``/``lines``/``disb``/``events``: the live runs of the scope's year and their data."""
    in_months = set(scope.months)
    lines = lines.filter(pl.col("period").is_in(list(in_months)))
    disb = latest_status(disb.filter(pl.col("period").is_in(list(in_months))), events)
    selected = [scope.label] if scope.month else scope.months
    scope_lines = lines.filter(pl.col("period").is_in(selected))
    scope_disb = disb.filter(pl.col("period").is_in(selected))
    parts = _breakdowns(scope_lines)
    report = FundReport(
        scope,
        [r for r in runs if r["period"] in selected],
        _funds(scope_lines, scope_disb),
        by_subsidy=parts["by_subsidy"],
        by_payee_type=parts["by_payee_type"],
        by_payee=parts["by_payee"],
        by_category=parts["by_category"],
        by_level=parts["by_level"],
        monthly=_monthly(scope, lines, disb),
    )
    report.totals["runs"] = len(report.runs)
    year_to_date = _funds(lines, disb)  # January to the month, or the whole year
    actual = {
        "trained": year_to_date["trained"],
        "certified": year_to_date["certified"],
        "funds": year_to_date["committed_fen"],
    }
    report.targets = [
        Target(name, actual[name], goal, percent(actual[name], goal))
        for name, goal in targets.get(scope.year, {}).items()
    ]
    return report
