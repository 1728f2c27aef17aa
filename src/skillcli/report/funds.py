"""Fund reports (补贴资金使用情况): a month, quarter or year of the ledger, by subsidy, payee, category and level.

Only live lines count: payment and advance lines of runs that were not voided, in runs whose
``period`` falls in the scope. Bank results come from the events of the exported disbursements
(undone events left out): the latest event of each disbursement says paid, failed, mismatch or
pending. Paid is what the bank says it paid (a short payment counts with the bank's amount, spread
over the disbursement's lines in order); outstanding = committed − paid. Lines of a voided run that
the bank had already paid are 已付待追回 (to recover). ``as_of`` reads the ledger as it stood at the
end of that day: runs, voids, exports and bank events recorded later are ignored.

Persons are distinct ID numbers; 人次 (person-times, the unit the seeds set targets in) are distinct
trainings: one person's one occupation, level and training period, whatever the number of subsidies
or instalments paid for it.

Target progress (as the Lüliang report gives it: trained 115.83 % of the yearly target) is the
actual over the target from a small TOML file, per year and, when given, per quarter and month,
computed with ``Decimal`` and rounded half-up to two decimals.
"""

from __future__ import annotations

import calendar
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from skillcli.errors import UsageError
from skillcli.model import LEVEL_LABELS, Level, PayeeType
from skillcli.money import MoneyError, parse_yuan, percent

if TYPE_CHECKING:
    from skillcli.ledger.store import Ledger
    from skillcli.vouchers.status import VoucherSummary

DEFAULT_TARGETS = "skillcli-targets.toml"
MEASURES: dict[str, tuple[str, str]] = {
    "trained": ("培训人数", "persons trained"),
    "person_times": ("培训人次", "person-times trained"),
    "certified": ("取证人数", "persons certified"),
    "funds": ("补贴资金（元）", "subsidy funds (yuan)"),
}
TOTAL_LABEL = "合计"
UNFUNDED = "未指定资金来源"
STATUS_KINDS = {"bank-paid": "paid", "bank-failed": "failed", "bank-mismatch": "mismatch", "bank-pending": "pending"}
_LEVEL_ORDER = {level.value: i for i, level in enumerate(Level)}
_PAYEE_ORDER = {p.value: i for i, p in enumerate(PayeeType)}


@dataclass(frozen=True, slots=True)
class Scope:
    """A month (``2021-06``), a quarter (``2021Q2``) or a year (``2021``) of runs, by the runs' batch month."""

    kind: str  # month | quarter | year
    year: int
    first: int = 1  # first and last month of the scope
    last: int = 12

    @classmethod
    def parse(cls, kind: str, text: str) -> Scope:
        text = text.strip()
        if kind == "month":
            match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
            if not match or not 1 <= int(match.group(2)) <= 12:
                raise UsageError(f"月份应为 YYYY-MM，读到「{text}」", f"the month must be YYYY-MM, got '{text}'")
            month = int(match.group(2))
            return cls("month", int(match.group(1)), month, month)
        if kind == "quarter":
            match = re.fullmatch(r"(\d{4})\s*[-]?\s*[Qq]([1-4])", text)
            if not match:
                raise UsageError(
                    f"季度应为 YYYYQn，如 2021Q2，读到「{text}」", f"the quarter must be YYYYQn, got '{text}'"
                )
            quarter = int(match.group(2))
            return cls("quarter", int(match.group(1)), 3 * quarter - 2, 3 * quarter)
        if not re.fullmatch(r"\d{4}", text):
            raise UsageError(f"年度应为 YYYY，读到「{text}」", f"the year must be YYYY, got '{text}'")
        return cls("year", int(text))

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.first:02d}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.quarter}"
        return str(self.year)

    @property
    def quarter(self) -> int:
        return (self.first - 1) // 3 + 1

    @property
    def selected(self) -> list[str]:
        """The months whose runs the report counts."""
        return [f"{self.year}-{m:02d}" for m in range(self.first, self.last + 1)]

    @property
    def months(self) -> list[str]:
        """The months of the monthly table: January to the scope's last month."""
        return [f"{self.year}-{m:02d}" for m in range(1, self.last + 1)]

    @property
    def first_day(self) -> str:
        return f"{self.year}-{self.first:02d}-01"

    @property
    def last_day(self) -> str:
        return f"{self.year}-{self.last:02d}-{calendar.monthrange(self.year, self.last)[1]:02d}"


@dataclass(slots=True)
class Target:
    measure: str
    actual: int  # persons or person-times, or fen for funds
    target: int
    percent: Decimal | None  # actual / target × 100, two decimals; None for a zero target
    period: str = ""  # the year, quarter or month the target is for: 2021, 2021Q2, 2021-06


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
    finance: pl.DataFrame  # 财政局 summary: by funding source and subsidy, committed … to recover
    as_of: str | None = None  # the day the ledger was read as of (None: as it is now)
    targets: list[Target] = field(default_factory=list)
    vouchers: VoucherSummary | None = None  # training vouchers issued in the scope (None: the ledger has none)


# -- targets -------------------------------------------------------------------------------------
_SUB_PERIOD = re.compile(r"^(?:[Qq]([1-4])|(0?[1-9]|1[0-2]))$")


def load_targets(path: Path | None) -> dict[str, dict[str, int]] | None:
    """Targets by period label (``2021``, ``2021Q2``, ``2021-06``), funds in fen; None without a file.

    ``path`` None means the default file in the working directory, if there is one::

        [2021]               # the year
        trained = 500
        person_times = 800
        funds = 1500000      # yuan
        [2021.Q2]            # a quarter
        person_times = 200
        [2021.06]            # a month
        person_times = 70
    """
    if path is None:
        path = Path(DEFAULT_TARGETS)
        if not path.exists():
            return None
    if not path.exists():
        raise UsageError(f"目标文件 {path} 不存在", f"targets file {path} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"目标文件 {path} 格式错误（{exc}）", f"targets file {path} is not valid TOML ({exc})"
        ) from None
    targets: dict[str, dict[str, int]] = {}
    for year, values in data.items():
        if not re.fullmatch(r"\d{4}", str(year)) or not isinstance(values, dict):
            raise UsageError(
                f"目标文件 {path}：应为 [年份] 小节，读到「{year}」",
                f"targets file {path}: expected [year] tables, got '{year}'",
            )
        measures = {k: v for k, v in values.items() if not isinstance(v, dict)}
        targets[str(year)] = _measures(path, str(year), measures)
        for key, sub in values.items():
            if not isinstance(sub, dict):
                continue
            match = _SUB_PERIOD.match(str(key))
            if match is None:
                raise UsageError(
                    f"目标文件 {path}：[{year}.{key}] 应为季度 Q1–Q4 或月份 01–12",
                    f"targets file {path}: [{year}.{key}] must be a quarter Q1-Q4 or a month 01-12",
                )
            label = f"{year}Q{match.group(1)}" if match.group(1) else f"{year}-{int(match.group(2)):02d}"
            targets[label] = _measures(path, label, sub)
    return targets


def _measures(path: Path, label: str, values: dict[str, Any]) -> dict[str, int]:
    unknown = set(values) - set(MEASURES)
    if unknown:
        raise UsageError(
            f"目标文件 {path}：{label} 有未知指标 {', '.join(sorted(unknown))}（可用：{', '.join(MEASURES)}）",
            f"targets file {path}: {label} has unknown measures {', '.join(sorted(unknown))} (known: "
            f"{', '.join(MEASURES)})",
        )
    return {name: _target_value(path, name, value) for name, value in values.items()}


def targets_for(
    targets: dict[str, dict[str, int]] | None, scope: Scope, path: Path | None
) -> dict[str, dict[str, int]]:
    """The targets that concern the scope: its year's, and its quarters' and months'; a file
    without the scope's year is an error, never an empty target table."""
    if targets is None:
        return {}
    if str(scope.year) not in targets:
        where = path or Path(DEFAULT_TARGETS)
        raise UsageError(
            f"目标文件 {where} 中没有 {scope.year} 年的目标（应有 [{scope.year}] 小节）",
            f"targets file {where} has no targets for {scope.year} (a [{scope.year}] table)",
        )
    chosen = set(scope.selected)
    return {
        label: values
        for label, values in targets.items()
        if label == str(scope.year) or (label.startswith(str(scope.year)) and set(_months_of(label)) & chosen)
    }


def _months_of(label: str) -> list[str]:
    """The months of a target period label: 2021 → twelve, 2021Q2 → three, 2021-06 → one."""
    if "Q" in label:
        year, quarter = label.split("Q")
        return [f"{year}-{m:02d}" for m in range(3 * int(quarter) - 2, 3 * int(quarter) + 1)]
    if "-" in label:
        return [label]
    return [f"{label}-{m:02d}" for m in range(1, 13)]


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


# -- the ledger as known on a day -----------------------------------------------------------------
def as_of_bound(day: str | None) -> str | None:
    """The end of ``day`` (YYYY-MM-DD, the office's local time) as the ledger's UTC timestamp text."""
    import datetime as dt

    if day is None:
        return None
    try:
        date = dt.date.fromisoformat(day.strip())
    except ValueError:
        raise UsageError(
            f"--as-of 应为日期 YYYY-MM-DD，读到「{day}」", f"--as-of must be YYYY-MM-DD, got '{day}'"
        ) from None
    end = dt.datetime.combine(date, dt.time.max).astimezone()  # local end of day, with its offset
    return end.astimezone(dt.UTC).isoformat()


def runs_as_of(runs: list[dict[str, Any]], year: int, bound: str | None) -> list[dict[str, Any]]:
    """The payout runs of ``year`` recorded by ``bound``, each ``voided`` only if its void was recorded by then.

    Void and reissue (补发) runs are not counted as runs: a reissue pays again a line of its original
    run, which the reports follow through ``chain_events``."""
    known = [r for r in runs if bound is None or str(r["created_at"]) <= bound]
    voided = {r["voids_run_id"] for r in known if r["kind"] == "void"}
    return [
        dict(r, voided=r["run_id"] in voided)
        for r in known
        if r["kind"] not in ("void", "reissue") and str(r["period"]).startswith(f"{year}-")
    ]


# -- bank results per line -----------------------------------------------------------------------
def latest_status(disbursements: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """Each disbursement with the status of its latest bank event (null: no return yet) and
    ``bank_fen``, what the bank says it paid (its amount for paid and mismatch, else 0)."""
    latest = events.sort("event_id").group_by("disb_id").agg(pl.col("kind").last(), pl.col("amount_fen").last())
    return (
        disbursements.join(latest.rename({"amount_fen": "event_fen"}), on="disb_id", how="left")
        .with_columns(pl.col("kind").replace_strict(STATUS_KINDS, default=None, return_dtype=pl.String).alias("status"))
        .with_columns(
            pl.when(pl.col("status").is_in(["paid", "mismatch"]))
            .then(pl.col("event_fen").fill_null(0))
            .otherwise(0)
            .cast(pl.Int64)
            .alias("bank_fen")
        )
        .drop("event_fen")
    )


LINE_STATUS_SCHEMA: dict[str, Any] = {
    "line_id": pl.Int64,
    "exported": pl.Boolean,
    "status": pl.String,
    "paid_fen": pl.Int64,
    "failed_fen": pl.Int64,
    "pending_fen": pl.Int64,
}


def line_status(lines: pl.DataFrame, disb: pl.DataFrame) -> pl.DataFrame:
    """Per line: exported or not, the latest bank status, and what the bank paid, failed or holds.

    ``disb`` comes from ``latest_status``. A disbursement pays several lines of one payee; the bank's
    amount goes to them in line order, each up to its own amount (the last takes any excess), so a
    short payment is spread without inventing fractions of a fen. A line in several disbursements
    (sent again after a failure) adds up what each paid, and its status is its latest one's.
    """
    if disb.height == 0 or lines.height == 0:
        return pl.DataFrame(schema=LINE_STATUS_SCHEMA)
    links = (
        disb.select(
            "disb_id", "status", "bank_fen", pl.col("line_ids").str.json_decode(pl.List(pl.Int64)).alias("line_id")
        )
        .explode("line_id")
        .join(lines.select("line_id", "amount_fen"), on="line_id", how="inner")
        .sort("disb_id", "line_id")
    )
    before = pl.col("amount_fen").cum_sum().over("disb_id") - pl.col("amount_fen")
    share = (pl.col("bank_fen") - before).clip(lower_bound=0)
    last = pl.col("line_id") == pl.col("line_id").max().over("disb_id")
    links = links.with_columns(
        pl.when(last).then(share).otherwise(pl.min_horizontal(share, pl.col("amount_fen"))).alias("share")
    )
    per_line = links.group_by("line_id").agg(
        pl.col("share").sum().alias("paid_fen"),
        pl.col("status").sort_by("disb_id").last().alias("status"),
        pl.col("amount_fen").first(),
    )
    left = (pl.col("amount_fen") - pl.col("paid_fen")).clip(lower_bound=0)
    return per_line.select(
        "line_id",
        pl.lit(True).alias("exported"),
        "status",
        "paid_fen",
        pl.when(pl.col("status") == "failed").then(left).otherwise(0).alias("failed_fen"),
        pl.when(pl.col("status") == "pending").then(left).otherwise(0).alias("pending_fen"),
    ).cast(LINE_STATUS_SCHEMA)  # type: ignore[arg-type]


def with_status(lines: pl.DataFrame, disb: pl.DataFrame) -> pl.DataFrame:
    """``lines`` with the columns of ``line_status`` (unexported lines: nothing paid, failed or pending)."""
    status = line_status(lines, disb)
    return lines.join(status, on="line_id", how="left").with_columns(
        pl.col("exported").fill_null(False), pl.col("paid_fen", "failed_fen", "pending_fen").fill_null(0)
    )


def bank_exposure(ledger: Ledger, run_id: str) -> dict[str, int]:
    """What one run sent to the bank and what the bank confirmed paid (its amounts, through reissues)."""
    from skillcli.ledger.queries import chain_events, root_disbursements

    # A bank line without an account cannot have been paid: it does not make a void need --force.
    disb = root_disbursements(ledger, [run_id]).filter(pl.col("account").is_not_null())
    state = latest_status(disb, chain_events(ledger, disb))
    paid = state.filter(pl.col("status").is_in(["paid", "mismatch"]))
    return {
        "exported_count": state.height,
        "exported_fen": _fen(state),
        "paid_count": paid.height,
        "paid_fen": _fen(paid, "bank_fen"),
    }


# -- the report ----------------------------------------------------------------------------------
def _fen(frame: pl.DataFrame, column: str = "amount_fen") -> int:
    return int(frame.get_column(column).sum()) if frame.height else 0


def _person_times(frame: pl.DataFrame) -> int:
    if frame.height == 0:
        return 0
    return frame.select(pl.struct(TRAINING).n_unique()).item()  # type: ignore[no-any-return]


TRAINING = ["person_id", "occupation", "level", "start_date", "end_date"]


def _funds(lines: pl.DataFrame, disb: pl.DataFrame, voided: pl.DataFrame) -> dict[str, int]:
    """The totals of live ``lines`` (with status), their disbursements, and the voided lines."""
    payment = lines.filter(pl.col("kind") == "payment")
    advance = lines.filter(pl.col("kind") == "advance")
    totals = {
        "lines": lines.height,
        "trained": lines.get_column("person_id").n_unique() if lines.height else 0,
        "person_times": _person_times(lines),
        "certified": lines.filter(pl.col("certified")).get_column("person_id").n_unique() if lines.height else 0,
        "committed_fen": _fen(lines),
        "payment_lines": payment.height,
        "payment_fen": _fen(payment),
        "advance_lines": advance.height,
        "advanced_fen": _fen(advance),
        "exported_count": disb.height,
        "exported_fen": _fen(disb),
    }
    for status in ("paid", "failed", "mismatch", "pending"):
        totals[f"{status}_count"] = disb.filter(pl.col("status") == status).height
    totals["paid_fen"] = _fen(lines, "paid_fen")
    totals["failed_fen"] = _fen(lines, "failed_fen")
    totals["pending_fen"] = _fen(lines, "pending_fen")
    mismatch = disb.filter(pl.col("status") == "mismatch")
    totals["mismatch_fen"] = _fen(mismatch)
    totals["short_fen"] = _fen(mismatch) - _fen(mismatch, "bank_fen")
    totals["not_exported_fen"] = _fen(lines.filter(~pl.col("exported")))
    totals["outstanding_fen"] = totals["committed_fen"] - totals["paid_fen"]
    totals["to_recover_count"] = voided.filter(pl.col("paid_fen") > 0).height
    totals["to_recover_fen"] = _fen(voided, "paid_fen")
    return totals


def _with_total(frame: pl.DataFrame, lines: pl.DataFrame, label: dict[str, str]) -> pl.DataFrame:
    """A breakdown with its 合计 row: persons and 人次 counted once over all lines, never summed."""
    total = {
        **label,
        "persons": lines.get_column("person_id").n_unique() if lines.height else 0,
        "person_times": _person_times(lines),
        "lines": lines.height,
        "fen": _fen(lines),
    }
    if "payees" in frame.columns:
        total["payees"] = lines.select(pl.struct("payee_type", "payee_id").n_unique()).item() if lines.height else 0
    row = pl.DataFrame([{c: total.get(c) for c in frame.columns}], schema=frame.schema, orient="row")
    return pl.concat([frame, row])


def _breakdowns(lines: pl.DataFrame) -> dict[str, pl.DataFrame]:
    fen = pl.col("amount_fen").sum().alias("fen")
    persons = pl.col("person_id").n_unique().alias("persons")
    times = pl.struct(TRAINING).n_unique().cast(pl.Int64).alias("person_times")
    count = pl.len().alias("lines")
    measures = (persons, times, count, fen)
    # A5 before A11: rules sort by their letter, then their number.
    by_subsidy = (
        lines.group_by("rule", "subsidy")
        .agg(*measures)
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
        .agg(pl.col("payee_id").n_unique().alias("payees"), *measures)
        .sort(pl.col("payee_type").replace_strict(_PAYEE_ORDER, default=9, return_dtype=pl.Int64))
    )
    units = lines.filter(pl.col("payee_type") != PayeeType.PERSON.value)
    by_payee = (
        units.group_by("payee_type", "payee_id")
        .agg(pl.col("payee_name").drop_nulls().first(), *measures)
        .sort("payee_type", "payee_id")
    )
    by_category = (
        lines.with_columns(pl.col("category").fill_null("（未填）"))
        .group_by("category")
        .agg(*measures)
        .sort("fen", "category", descending=[True, False])
    )
    by_level = (
        lines.with_columns(pl.col("level").fill_null(Level.NONE.value))
        .group_by("level")
        .agg(*measures)
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
        "by_subsidy": _with_total(by_subsidy, lines, {"rule": TOTAL_LABEL}),
        "by_payee_type": _with_total(by_type, lines, {"payee_type": TOTAL_LABEL}),
        "by_payee": _with_total(by_payee, units, {"payee_type": TOTAL_LABEL}),
        "by_category": _with_total(by_category, lines, {"category": TOTAL_LABEL}),
        "by_level": _with_total(by_level, lines, {"level_label": TOTAL_LABEL}),
    }


def _finance(lines: pl.DataFrame, voided: pl.DataFrame, funding: Mapping[str, str]) -> pl.DataFrame:
    """财政局: committed, paid, failed, outstanding and to recover by funding source and subsidy, with 合计.

    The funding source of a subsidy comes from ``[funding]`` in skillcli.toml (rule id → source);
    a rule not listed there is shown as 未指定资金来源, never folded into another source.
    """
    source = pl.col("rule").replace_strict(dict(funding), default=UNFUNDED, return_dtype=pl.String)
    keys = ["funding", "rule", "subsidy"]
    live = (
        lines.with_columns(source.alias("funding"))
        .group_by(keys)
        .agg(
            pl.len().alias("lines"),
            pl.col("amount_fen").sum().alias("committed_fen"),
            pl.col("paid_fen").sum(),
            pl.col("failed_fen").sum(),
        )
    )
    gone = (
        voided.filter(pl.col("paid_fen") > 0)
        .with_columns(source.alias("funding"))
        .group_by(keys)
        .agg(pl.col("paid_fen").sum().alias("to_recover_fen"))
    )
    frame = (
        live.join(gone, on=keys, how="full", coalesce=True)
        .with_columns(pl.exclude(keys).fill_null(0).cast(pl.Int64))
        .with_columns((pl.col("committed_fen") - pl.col("paid_fen")).alias("outstanding_fen"))
        .select(*keys, "lines", "committed_fen", "paid_fen", "failed_fen", "outstanding_fen", "to_recover_fen")
        .sort("funding", pl.col("rule").str.extract(r"(\d+)").cast(pl.Int64, strict=False), "rule")
    )
    sums = (
        frame.select(pl.exclude(keys).sum()).row(0, named=True) if frame.height else dict.fromkeys(frame.columns[3:], 0)
    )
    total = pl.DataFrame([{"funding": TOTAL_LABEL, "rule": None, "subsidy": None, **sums}]).cast(frame.schema)
    return pl.concat([frame, total])


def _monthly(scope: Scope, lines: pl.DataFrame, voided: pl.DataFrame) -> pl.DataFrame:
    months = pl.DataFrame({"period": scope.months})
    per_line = lines.group_by("period").agg(
        pl.len().alias("lines"),
        pl.col("person_id").n_unique().alias("persons"),
        pl.struct(TRAINING).n_unique().alias("person_times"),
        pl.col("amount_fen").sum().alias("committed_fen"),
        pl.col("amount_fen").filter(pl.col("kind") == "advance").sum().alias("advanced_fen"),
        pl.col("paid_fen").sum(),
        pl.col("failed_fen").sum(),
    )
    recover = voided.group_by("period").agg(pl.col("paid_fen").sum().alias("to_recover_fen"))
    frame = months.join(per_line, on="period", how="left").join(recover, on="period", how="left")
    frame = frame.with_columns(pl.exclude("period").fill_null(0).cast(pl.Int64))
    frame = frame.with_columns((pl.col("committed_fen") - pl.col("paid_fen")).alias("outstanding_fen"))
    sums = frame.select(pl.exclude("period", "persons", "person_times").sum()).row(0, named=True)
    total = {"period": TOTAL_LABEL, **sums, "persons": _distinct(lines), "person_times": _person_times(lines)}
    return pl.concat([frame, pl.DataFrame([total]).select(frame.columns).cast(frame.schema)])


def _distinct(lines: pl.DataFrame) -> int:
    return lines.get_column("person_id").n_unique() if lines.height else 0


def build_report(
    scope: Scope,
    *,
    runs: list[dict[str, Any]],
    lines: pl.DataFrame,
    disb: pl.DataFrame,
    events: pl.DataFrame,
    targets: dict[str, dict[str, int]],
    funding: Mapping[str, str] | None = None,
    as_of: str | None = None,
) -> FundReport:
    """``runs``: the payout runs of the scope's year as known then, each with ``voided`` (as known
    then); ``lines``: their payment and advance lines (voided runs' too); ``disb``/``events``: their
    disbursements and live bank events; ``targets``: those of ``targets_for``."""
    in_months = set(scope.months)
    voided_runs = {r["run_id"] for r in runs if r["voided"]}
    disb = latest_status(disb.filter(pl.col("period").is_in(list(in_months))), events)
    every = with_status(lines.filter(pl.col("period").is_in(list(in_months))), disb)
    live = every.filter(~pl.col("run_id").is_in(list(voided_runs)))
    voided = every.filter(pl.col("run_id").is_in(list(voided_runs)))
    live_disb = disb.filter(~pl.col("run_id").is_in(list(voided_runs)))
    selected = scope.selected
    scope_lines = live.filter(pl.col("period").is_in(selected))
    scope_voided = voided.filter(pl.col("period").is_in(selected))
    parts = _breakdowns(scope_lines)
    report = FundReport(
        scope,
        [r for r in runs if r["period"] in selected and not r["voided"]],
        _funds(scope_lines, live_disb.filter(pl.col("period").is_in(selected)), scope_voided),
        by_subsidy=parts["by_subsidy"],
        by_payee_type=parts["by_payee_type"],
        by_payee=parts["by_payee"],
        by_category=parts["by_category"],
        by_level=parts["by_level"],
        monthly=_monthly(scope, live, voided),
        finance=_finance(scope_lines, scope_voided, funding or {}),
        as_of=as_of,
    )
    report.totals["runs"] = len(report.runs)
    through = set(scope.months)  # January to the scope's last month: no target counts the future
    for label, goals in targets.items():
        part = live.filter(pl.col("period").is_in([m for m in _months_of(label) if m in through]))
        actual = {
            "trained": _distinct(part),
            "person_times": _person_times(part),
            "certified": part.filter(pl.col("certified")).get_column("person_id").n_unique() if part.height else 0,
            "funds": _fen(part),
        }
        report.targets += [
            Target(name, actual[name], goal, percent(actual[name], goal), label) for name, goal in goals.items()
        ]
    return report
