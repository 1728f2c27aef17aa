"""Deciding committed runs again from their archived inputs: ``ledger replay`` and ``simulate`` (issue 17).

Both use the payout command's own stages (``load_policy`` and ``decide``) on the batch archived with
the run; nothing here writes to the ledger. A replay decides one run against the ledger history as
it stood before that run, with the run's recorded policy and parameters, and compares the lines to
the fen. A simulation decides every live run of a year in order, with changed parameters or
another policy, each against the simulated lines of the runs before it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from skillcli.errors import UsageError
from skillcli.ledger.archive import Archived, unpack
from skillcli.ledger.commit import cert_records, line_records
from skillcli.ledger.queries import live_lines, live_runs
from skillcli.ledger.store import Ledger
from skillcli.model import LEVEL_LABELS
from skillcli.money import yuan_text_expr
from skillcli.payout.decide import decide
from skillcli.payout.decision import Decision
from skillcli.payout.history import CERT_SCHEMA, HISTORY_SCHEMA, History
from skillcli.payout.settled import batch_people
from skillcli.rules.load import find_policy, load_policy
from skillcli.rules.model import Policy

# The fields of a committed line that a replay compares (everything ``line_records`` writes).
COMPARED = (
    "kind",
    "person_id",
    "name",
    "category",
    "training_type",
    "occupation",
    "level",
    "start_date",
    "end_date",
    "rule",
    "subsidy",
    "clause",
    "counts",
    "payee_type",
    "payee_id",
    "payee_name",
    "bank_account",
    "account_name",
    "entitlement_fen",
    "advanced_fen",
    "amount_fen",
    "source",
    "certified",
)


@dataclass(slots=True)
class Difference:
    """One field of one line that came out otherwise (``line`` is where the line's row is)."""

    line: str
    rule: str
    field: str
    committed: Any
    replayed: Any


@dataclass(slots=True)
class Replay:
    run_id: str
    policy_id: str
    policy_path: str
    recorded_sha256: str
    current_sha256: str
    lines: int
    differences: list[Difference] = field(default_factory=list)

    @property
    def policy_changed(self) -> bool:
        return self.recorded_sha256 != self.current_sha256


def archived(store: Ledger, run: dict[str, Any]) -> Archived:
    """A run's archived batch; a run without one (committed before v5, or not a payout) is a usage error."""
    rows = store.archive(run["run_id"])
    if not rows:
        raise UsageError(
            f"批次 {run['run_id']} 没有存档输入（台账 v5 之前登记，或不是发放批次），无法重算",
            f"run {run['run_id']} has no archived inputs (committed before ledger v5, or not a payout run);"
            " it cannot be decided again",
        )
    return unpack(run["run_id"], rows)


def run_policy(run: dict[str, Any], overrides: dict[str, str] | None = None, policy_id: str | None = None) -> Policy:
    """The run's policy with its recorded parameters (and ``overrides`` on top), or ``policy_id`` instead.

    The recorded parameters are given as ``--param`` text so that the current file parses them with
    its own types; another policy starts from its own parameters.
    """
    if policy_id is not None:
        return load_policy(find_policy(policy_id), overrides or {})
    recorded = {name: _param_text(value) for name, value in json.loads(run["parameters"]).items()}
    return load_policy(find_policy(run["policy_id"]), recorded | (overrides or {}))


def replay(store: Ledger, run_id: str) -> Replay:
    """Decide ``run_id``'s archived batch again and compare its lines with the committed ones."""
    run = store.run(run_id)
    inputs = archived(store, run)
    policy = run_policy(run)
    history = store.history(batch_people(inputs.batch), before=run_id)
    decision = decide(inputs.batch, policy, history=history, advance_share=inputs.advance_share)
    committed = store.run_lines(run_id)
    result = Replay(run_id, run["policy_id"], policy.path, run["policy_sha256"], policy.sha256, int(committed.height))
    result.differences = compare(committed.to_dicts() if committed.height else [], line_records(decision))
    return result


def compare(committed: list[dict[str, Any]], replayed: list[dict[str, Any]]) -> list[Difference]:
    """Every field that differs between two sets of lines matched by claim key and kind."""
    old = {(r["claim_key"], r["kind"]): r for r in committed}
    new = {(r["claim_key"], r["kind"]): r for r in replayed}
    found: list[Difference] = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        where = (a or b or {}).get("source") or ""
        rule = str((a or b or {}).get("rule") or "")
        if a is None or b is None:
            found.append(Difference(where, rule, "line", "present" if a else "absent", "present" if b else "absent"))
            continue
        for name in COMPARED:
            if _norm(a.get(name)) != _norm(b.get(name)):
                found.append(Difference(where, rule, name, a.get(name), b.get(name)))
    return found


def _norm(value: Any) -> Any:
    return None if value == "" else value


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        # A table parameter as --param reads it: key:value pairs, a nested level table as 职业/等级:元.
        pairs = [
            (f"{k}/{level}", amount) if isinstance(v, dict) else (str(k), v)
            for k, v in value.items()
            for level, amount in (v.items() if isinstance(v, dict) else [(None, v)])
        ]
        return ",".join(f"{k}:{v}" for k, v in pairs)
    return str(value)


# -- simulate --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Simulation:
    year: int
    policy: str
    overrides: dict[str, str]
    runs: list[str]
    actual: pl.DataFrame  # committed live lines of the year's runs (LINES columns)
    simulated: pl.DataFrame  # the same runs decided again
    reasons: pl.DataFrame  # person_id, reason: why a simulated run did not pay a person's row

    @property
    def actual_fen(self) -> int:
        return int(self.actual.get_column("amount_fen").sum())

    @property
    def simulated_fen(self) -> int:
        return int(self.simulated.get_column("amount_fen").sum())

    def by(self, dimension: str) -> pl.DataFrame:
        """Actual and simulated fen and lines by one of ``DIMENSIONS``, with the difference."""
        key = DIMENSIONS[dimension]
        frames = []
        for name, lines in (("actual", self.actual), ("simulated", self.simulated)):
            chosen = lines.filter(pl.col("payee_type") != "person") if dimension == "payee" else lines
            frames.append(
                chosen.group_by(key).agg(
                    pl.col("amount_fen").sum().alias(f"{name}_fen"), pl.len().cast(pl.Int64).alias(f"{name}_lines")
                )
            )
        joined = frames[0].join(frames[1], on=key, how="full", coalesce=True).fill_null(0)
        return joined.with_columns((pl.col("simulated_fen") - pl.col("actual_fen")).alias("difference_fen")).sort(key)

    def persons(self) -> pl.DataFrame:
        """People who would gain, lose or change amount: person_id, name, change, fen, reason."""
        per = []
        for name, lines in (("actual", self.actual), ("simulated", self.simulated)):
            per.append(
                lines.group_by("person_id").agg(
                    pl.col("name").first().alias(f"{name}_name"),
                    pl.col("amount_fen").sum().alias(f"{name}_fen"),
                    pl.concat_str([pl.col("rule"), pl.lit(" "), yuan_text_expr(pl.col("amount_fen"), grouping=True)])
                    .sort()
                    .str.join("、")
                    .alias(f"{name}_rules"),
                )
            )
        joined = per[0].join(per[1], on="person_id", how="full", coalesce=True)
        joined = joined.with_columns(pl.col("actual_fen", "simulated_fen").fill_null(0)).filter(
            pl.col("actual_fen") != pl.col("simulated_fen")
        )
        change = (
            pl.when(pl.col("actual_fen") == 0)
            .then(pl.lit("gain"))
            .when(pl.col("simulated_fen") == 0)
            .then(pl.lit("lose"))
            .otherwise(pl.lit("change"))
        )
        reasons = self.reasons.group_by("person_id").agg(pl.col("reason").unique(maintain_order=True).str.join("；"))
        detail = pl.concat_str(
            [
                pl.lit("实发 "),
                pl.col("actual_rules").fill_null("无"),
                pl.lit(" → 模拟 "),
                pl.col("simulated_rules").fill_null("无"),
                pl.when(pl.col("reason").is_not_null()).then(pl.concat_str([pl.lit("；"), pl.col("reason")])),
            ],
            ignore_nulls=True,
        )
        return (
            joined.join(reasons, on="person_id", how="left")
            .select(
                "person_id",
                pl.coalesce("actual_name", "simulated_name").alias("name"),
                change.alias("change"),
                "actual_fen",
                "simulated_fen",
                (pl.col("simulated_fen") - pl.col("actual_fen")).alias("difference_fen"),
                detail.alias("reason"),
            )
            .sort("change", "person_id")
        )


DIMENSIONS = {
    "month": "period",
    "subsidy": "subsidy",
    "level": "level_name",
    "category": "category",
    "payee_type": "payee_type",
    "payee": "payee_name",
}
LINES: dict[str, Any] = {
    "run_id": pl.String,
    "period": pl.String,
    "person_id": pl.String,
    "name": pl.String,
    "rule": pl.String,
    "subsidy": pl.String,
    "level": pl.String,
    "category": pl.String,
    "payee_type": pl.String,
    "payee_name": pl.String,
    "amount_fen": pl.Int64,
}
_LEVEL_NAMES = {k.value: v for k, v in LEVEL_LABELS.items()}


def simulate(store: Ledger, year: int, overrides: dict[str, str], policy_id: str | None = None) -> Simulation:
    """Decide every live run of ``year`` again, in order, each against the simulated runs before it."""
    runs = [r for r in live_runs(store.runs()) if str(r["period"]).startswith(f"{year}-")]
    if not runs:
        raise UsageError(f"台账中没有 {year} 年的发放批次", f"the ledger holds no live run of {year}")
    stored = {r["run_id"]: store.archive(r["run_id"]) for r in runs}
    missing = [run_id for run_id, rows in stored.items() if not rows]
    if missing:
        raise UsageError(
            f"{len(missing)} 个批次没有存档输入（台账 v5 之前登记），无法模拟：{', '.join(missing[:5])}",
            f"{len(missing)} runs have no archived inputs (committed before ledger v5): {', '.join(missing[:5])}",
        )
    inputs = [unpack(run_id, rows) for run_id, rows in stored.items()]
    people = sorted({p for a in inputs for p in batch_people(a.batch)})
    # The year starts from the ledger as it stood before its first run; from then on each run sees
    # the simulated lines of the runs before it, not the committed ones.
    base = store.history(people, before=runs[0]["run_id"])
    lines, certs = [base.lines], [base.certificates]
    simulated, reasons = [], []
    next_line = 1
    for run, archive in zip(runs, inputs, strict=True):
        policy = run_policy(run, overrides, policy_id)
        who = pl.Series(batch_people(archive.batch), dtype=pl.String).implode()
        history = History(
            pl.concat(lines).filter(pl.col("person_id").is_in(who)),
            pl.concat(certs).filter(pl.col("person_id").is_in(who)),
        )
        decision = decide(archive.batch, policy, history=history, advance_share=archive.advance_share)
        lines.append(_as_history(decision, run["run_id"], run["period"], next_line))
        next_line += decision.lines.height
        certs.append(_cert_frame(archive, decision, run["run_id"]))
        simulated.append(_as_lines(decision, run))
        reasons.append(_reasons(decision))
    actual = live_lines(store, [r["run_id"] for r in runs]).select(
        *(pl.col(c).cast(t) for c, t in LINES.items() if c != "run_id"), pl.col("run_id")
    )
    described = policy_id or ", ".join(sorted({r["policy_id"] for r in runs}))
    return Simulation(
        year,
        described,
        overrides,
        [r["run_id"] for r in runs],
        _with_level(actual.select(*LINES)),
        _with_level(pl.concat(simulated).select(*LINES)),
        pl.concat(reasons),
    )


def _as_history(decision: Decision, run_id: str, period: str, first_line: int) -> pl.DataFrame:
    lines = decision.lines
    return lines.select(
        pl.lit(run_id).alias("run_id"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + first_line).alias("line_id"),
        pl.lit(period).alias("period"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("seq"),
        "claim_key",
        pl.col("line_kind").alias("kind"),
        "person_id",
        "rule",
        "occupation",
        pl.col("level_code").alias("level"),
        pl.col("start_date").dt.to_string("%Y-%m-%d").alias("start_date"),
        pl.col("end_date").dt.to_string("%Y-%m-%d").alias("end_date"),
        pl.col("counts").cast(pl.Boolean),
        pl.col("amount_fen").cast(pl.Int64),
        pl.col("entitlement_fen").cast(pl.Int64),
    ).cast(HISTORY_SCHEMA)  # type: ignore[arg-type]


def _cert_frame(archive: Archived, decision: Decision, run_id: str) -> pl.DataFrame:
    rows = [dict(c, run_id=run_id) for c in cert_records(archive.batch, decision)]
    return pl.DataFrame(rows, schema=CERT_SCHEMA, orient="row")


def _as_lines(decision: Decision, run: dict[str, Any]) -> pl.DataFrame:
    return decision.lines.select(
        pl.lit(run["run_id"]).alias("run_id"),
        pl.lit(run["period"]).alias("period"),
        "person_id",
        "name",
        "rule",
        "subsidy",
        pl.col("level_code").alias("level"),
        "category",
        "payee_type",
        "payee_name",
        pl.col("amount_fen").cast(pl.Int64),
    ).cast(LINES)  # type: ignore[arg-type]


def _reasons(decision: Decision) -> pl.DataFrame:
    """Why rows of a simulated run were not paid (exceptions and ineligible rows), per person."""
    # A claim the simulated ledger already holds is the same in both worlds, not a reason for a change.
    exc = decision.exceptions.filter(~pl.col("code").str.starts_with("ledger.")).select(
        pl.col("person_id").cast(pl.String), pl.concat_str(["code", pl.lit(" "), "message_zh"]).alias("reason")
    )
    inel = decision.ineligible.select(pl.col("person_id").cast(pl.String), pl.col("reason").cast(pl.String))
    return pl.concat([exc, inel]).drop_nulls("person_id")


def _with_level(lines: pl.DataFrame) -> pl.DataFrame:
    return lines.with_columns(
        pl.col("level")
        .replace_strict(_LEVEL_NAMES, default=pl.col("level"), return_dtype=pl.String)
        .alias("level_name")
    ).with_columns(pl.col("level_name", "category", "payee_name", "subsidy").fill_null(""))


def policy_note(result: Replay) -> tuple[str, str] | None:
    """The sentence naming a rules file changed since the run, or None."""
    if not result.policy_changed:
        return None
    name = Path(result.policy_path).name
    return (
        f"规则文件 {name} 自该批次登记后已改动（SHA-256 {result.recorded_sha256[:12]}… → {result.current_sha256[:12]}…），"
        "按现行文件重算",
        f"rules file {name} changed since the run (SHA-256 {result.recorded_sha256[:12]}… →"
        f" {result.current_sha256[:12]}…); replayed with the current file",
    )
