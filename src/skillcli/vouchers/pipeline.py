"""The two voucher pipelines, chained in one place: issue (roster → vouchers) and redeem (completions → run).

Issue: read and check the roster as ``skillcli check`` does → decide per person and category →
number the vouchers and insert them inside one locked ledger transaction → write the files, renamed
into place only after the commit.

Redeem: read the completions sheet → match it to the ledger's vouchers → decide → write the files →
with ``commit``, record a run of kind ``voucher`` (payment lines to the institutions and the
redemptions) in one transaction → rename the files into place. Without ``commit`` it is a dry run
that reads the ledger and writes nothing to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from skillcli.errors import UsageError
from skillcli.findings import MISSING_COLUMN_CODES
from skillcli.io.limits import Limits
from skillcli.io.writer import OutputSet
from skillcli.ledger.store import Ledger, dumps, now_text
from skillcli.ledger.where import new_run_id
from skillcli.model import SheetKind
from skillcli.pipeline import Batch, Progress, load_batch, parse_period
from skillcli.schema.columns import ColumnMap, spec
from skillcli.version import __version__
from skillcli.vouchers.issue import NEEDED_COLUMNS, IssuePlan, plan_issue, voucher_rows
from skillcli.vouchers.program import Program, find_program, load_program
from skillcli.vouchers.redeem import Redemption, decide_redeem, line_records, match, programs_of


def parse_day(text: str | None, option: str = "--date") -> dt.date:
    """``YYYY-MM-DD`` (default: today)."""
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{option} 应为 YYYY-MM-DD，读到「{text}」", f"{option} must be YYYY-MM-DD, got '{text}'"
        ) from None


# -- issue -----------------------------------------------------------------------------------------
@dataclass(slots=True)
class IssueResult:
    batch: Batch
    plan: IssuePlan
    batch_id: str | None  # None: nothing new was issued and the ledger is unchanged


def relevant_findings(batch: Batch) -> None:
    """Drop "required column missing" for the training columns a list of people does not need."""
    needed = sorted(spec(SheetKind.ROSTER, c).header for c in NEEDED_COLUMNS)
    batch.findings = batch.findings.filter(~pl.col("code").is_in(MISSING_COLUMN_CODES) | pl.col("column").is_in(needed))


def issue(
    files: list[Path],
    program: Program,
    day: dt.date,
    store: Ledger,
    out: Path,
    *,
    max_file_mb: int,
    limits: Limits | None = None,
    progress: Progress | None = None,
    columns: ColumnMap | None = None,
    lang: str = "zh",
) -> IssueResult:
    if not program.in_force(day):
        raise UsageError(
            f"培训券项目 {program.id} 在 {day} 不在有效期内（{program.effective_from}～{program.effective_to or ''}）",
            f"voucher programme {program.id} is not in force on {day} "
            f"({program.effective_from}..{program.effective_to or ''})",
        )
    batch = load_batch(
        files,
        parse_period(f"{day:%Y-%m}", dt.date.today()),
        max_file_mb=max_file_mb,
        limits=limits,
        progress=progress,
        columns=columns,
    )
    relevant_findings(batch)
    roster = batch.frames.get(SheetKind.ROSTER)
    if roster is None or roster.height == 0:
        raise UsageError("输入文件中没有可读的人员名单（花名册）", "the input has no readable list of people (roster)")
    people = roster.get_column("id_number").drop_nulls().unique().to_list()
    batch_id: str | None = None
    with OutputSet(out, files) as outputs:
        from skillcli.ledger.vouchers import issuing
        from skillcli.vouchers.output import write_issue

        with issuing(store) as session:
            plan = plan_issue(roster, batch.findings, program, day, session.held(program.id, people))
            if plan.issued.height:
                plan = plan.numbered(session.last_sequence(plan.stem))
                batch_id = "V" + new_run_id()[1:]
                session.insert(
                    {
                        "batch_id": batch_id,
                        "program_id": program.id,
                        "program_sha256": program.sha256,
                        "parameters": dumps(program.parameter_values()),
                        "inputs": dumps([{"path": Path(f.path).name, "sha256": f.sha256} for f in batch.files]),
                        "issue_date": day.isoformat(),
                        "created_at": now_text(),
                        "voucher_count": plan.issued.height,
                        "face_fen": plan.face_fen,
                        "tool_version": __version__,
                    },
                    voucher_rows(plan),
                )
            write_issue(outputs, plan, {"ledger": store.name, "batch_id": batch_id}, lang)
        outputs.commit()
    return IssueResult(batch, plan, batch_id)


# -- redeem ----------------------------------------------------------------------------------------
@dataclass(slots=True)
class RedeemResult:
    redemption: Redemption
    run_id: str | None  # None: a dry run, or nothing to redeem


def choose_program(matched: pl.DataFrame, program_id: str | None, overrides: dict[str, str]) -> Program | None:
    """``--program``, else the one programme of the vouchers the file names (None when it names none)."""
    found = programs_of(matched)
    if program_id is None and len(found) > 1:
        raise UsageError(
            f"文件中的培训券属于多个项目（{', '.join(found)}），请用 --program 逐个核销",
            f"the file's vouchers belong to several programmes ({', '.join(found)}); redeem each with --program",
        )
    chosen = program_id or (found[0] if found else None)
    if chosen is None:
        if overrides:
            raise UsageError(
                "文件中没有台账里的培训券，--param 无从适用；请加 --program",
                "no voucher of the file is in the ledger, so --param applies to nothing; add --program",
            )
        return None
    return load_program(find_program(chosen), overrides)


def run_record(run_id: str, redemption: Redemption, inputs: list[dict[str, str]]) -> dict[str, Any]:
    program = redemption.program
    assert program is not None
    return {
        "run_id": run_id,
        "kind": "voucher",
        "created_at": now_text(),
        "period": f"{redemption.redeem_date:%Y-%m}",
        "policy_id": program.id,
        "policy_sha256": program.sha256,
        "parameters": dumps(program.parameter_values()),
        "inputs": dumps(inputs),
        "line_count": redemption.lines.height,
        "total_fen": redemption.total_fen,
        "voids_run_id": None,
        "reason": f"培训券核销 {redemption.redeem_date}",
        "tool_version": __version__,
    }


def redeem(
    path: Path,
    day: dt.date,
    store: Ledger | None,
    out: Path,
    *,
    program_id: str | None,
    overrides: dict[str, str],
    commit: bool,
    lang: str = "zh",
) -> RedeemResult:
    from skillcli.ledger.vouchers import commit_redemption, vouchers
    from skillcli.vouchers.completions import read_completions
    from skillcli.vouchers.output import write_redeem

    completions = read_completions(path)
    frame = completions.frame
    held = vouchers(
        store,
        voucher_nos=frame.get_column("voucher_no").drop_nulls().unique().to_list(),
        person_ids=frame.get_column("id_number").drop_nulls().unique().to_list(),
    )
    matched = match(completions, held, day)
    program = choose_program(matched, program_id, overrides)
    redemption = decide_redeem(matched, completions, program, day)
    run_id = new_run_id() if commit and redemption.lines.height else None
    with OutputSet(out, [path]) as outputs:
        write_redeem(outputs, redemption, {"ledger": store.name if store else None, "run_id": run_id}, lang)
        if run_id is not None and store is not None:
            line_rows, redemptions = line_records(redemption)
            commit_redemption(
                store,
                run_record(run_id, redemption, [{"path": path.name, "sha256": completions.table.sha256}]),
                line_rows,
                redemptions,
            )
        outputs.commit()
    return RedeemResult(redemption, run_id)
