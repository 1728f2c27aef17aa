"""Redeem (核销) vouchers from a completions sheet: match each row to a voucher, check it, pay the institution.

Matching: a row with a 培训券编号 is that voucher; a row with only an ID number takes the holder's
voucher that can still be redeemed (open before expired before redeemed; a 券类别 column narrows it),
and is ambiguous when two remain. Then, in this order, the first identity problem is the row's
exception (no key, unknown number, no voucher for the ID, another programme, wrong person, ambiguous,
already redeemed in the ledger); a row that passes gets every data problem at once (end date, not
ended, ended before issue, expired, institution's credit code, attendance, assessment). Among rows
without problems, a voucher redeemed twice in the file is paid for its first row only.

Every row ends in exactly one of redeemed / exception, and each redeemed row is one payment line to
the institution (payee type ``institution``, payee id its 统一社会信用代码) for the voucher's face
value, so ``export-bank`` and ``reconcile`` treat a voucher run like any payout run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from skillcli.errors import InconsistencyError
from skillcli.model import PayeeType
from skillcli.money import hundredths_text_expr, round_half_up_expr
from skillcli.vouchers.completions import Completions
from skillcli.vouchers.messages import combine, reasons
from skillcli.vouchers.program import Program

_V = {
    "voucher_no": "v_no",
    "program_id": "v_program",
    "category_id": "v_category_id",
    "category": "v_category",
    "person_id": "v_person",
    "name": "v_name",
    "person_category": "v_person_category",
    "age_group": "v_age_group",
    "face_fen": "v_face_fen",
    "issue_date": "v_issue_date",
    "expiry_date": "v_expiry_date",
    "redeemed_run": "v_redeemed_run",
    "redeemed_on": "v_redeemed_on",
}
SCALE = 1_000_000  # attendance is read as a decimal with six places; compared as integers of millionths
IDENTITY = (
    "voucher.no-key",
    "voucher.unknown",
    "voucher.no-voucher",
    "voucher.other-program",
    "voucher.wrong-person",
    "voucher.ambiguous",
    "voucher.already-redeemed",
)
EMPTY = "（空）"


@dataclass(slots=True)
class Redemption:
    """The decision on one completions file. ``lines``: one row per voucher to redeem; ``exceptions``:
    ``REASON_SCHEMA`` rows (a row may have several)."""

    program: Program | None
    redeem_date: dt.date
    rows: int
    lines: pl.DataFrame
    exceptions: pl.DataFrame

    @property
    def total_fen(self) -> int:
        return int(self.lines.get_column("amount_fen").sum()) if self.lines.height else 0

    @property
    def exception_rows(self) -> int:
        return (
            self.exceptions.select(pl.struct("file", "sheet", "row").n_unique()).item() if self.exceptions.height else 0
        )


def match(completions: Completions, held: pl.DataFrame, redeem_date: dt.date) -> pl.DataFrame:
    """Each completion row with the voucher it names (``v_*`` columns, null when none) and how it was found."""
    frame = completions.frame.with_row_index("__i").with_columns(
        pl.lit(str(completions.table.path)).alias("_file"), pl.lit(completions.table.sheet).alias("_sheet")
    )
    vouchers = held.select(pl.col(k).alias(v) for k, v in _V.items())
    by_number = frame.filter(pl.col("voucher_no").is_not_null()).join(
        vouchers, left_on="voucher_no", right_on="v_no", how="left", coalesce=False
    )
    by_number = by_number.with_columns(pl.lit("number").alias("__how"), pl.lit(None, pl.String).alias("__several"))
    id_only = frame.filter(pl.col("voucher_no").is_null() & pl.col("id_number").is_not_null())
    tier = (
        pl.when(pl.col("v_redeemed_run").is_null() & (pl.col("v_expiry_date") >= redeem_date))
        .then(0)
        .when(pl.col("v_redeemed_run").is_null())
        .then(1)
        .otherwise(2)
    )
    candidates = (
        id_only.join(vouchers, left_on="id_number", right_on="v_person", how="inner", coalesce=False)
        .filter(
            pl.col("category").is_null()
            | (pl.col("category") == pl.col("v_category"))
            | (pl.col("category") == pl.col("v_category_id"))
        )
        .with_columns(tier.alias("__tier"))
        .filter(pl.col("__tier") == pl.col("__tier").min().over("__i"))
        .sort("__i", "v_issue_date", "v_no", descending=[False, True, False])
    )
    # Two vouchers that could still be redeemed cannot be told apart; two redeemed ones are just redeemed.
    chosen = candidates.group_by("__i", maintain_order=True).agg(
        pl.col(*_V.values()).first(),
        pl.when((pl.len() > 1) & (pl.col("__tier").first() < 2))
        .then(pl.col("v_no").str.join("、"))
        .otherwise(None)
        .alias("__several"),
    )
    by_id = id_only.join(chosen.select("__i", *_V.values(), "__several"), on="__i", how="left").with_columns(
        pl.lit("id").alias("__how")
    )
    neither = frame.filter(pl.col("voucher_no").is_null() & pl.col("id_number").is_null()).with_columns(
        *(pl.lit(None).alias(c) for c in _V.values()),
        pl.lit("none").alias("__how"),
        pl.lit(None, pl.String).alias("__several"),
    )
    matched = pl.concat([by_number, by_id, neither], how="diagonal_relaxed").sort("__i")
    return matched.with_columns(pl.coalesce("v_no", "voucher_no").alias("v_no"))


def programs_of(matched: pl.DataFrame) -> list[str]:
    return sorted(matched.get_column("v_program").drop_nulls().unique().to_list())


def _identity(program: Program | None) -> pl.Expr:
    other = pl.col("v_program") != program.id if program is not None else pl.lit(False)
    return (
        pl.when(pl.col("__how") == "none")
        .then(pl.lit("voucher.no-key"))
        .when((pl.col("__how") == "number") & pl.col("v_person").is_null())
        .then(pl.lit("voucher.unknown"))
        .when((pl.col("__how") == "id") & pl.col("v_person").is_null())
        .then(pl.lit("voucher.no-voucher"))
        .when(other)
        .then(pl.lit("voucher.other-program"))
        .when(
            (pl.col("__how") == "number")
            & pl.col("id_number").is_not_null()
            & (pl.col("id_number") != pl.col("v_person"))
        )
        .then(pl.lit("voucher.wrong-person"))
        .when(pl.col("__several").is_not_null())
        .then(pl.lit("voucher.ambiguous"))
        .when(pl.col("v_redeemed_run").is_not_null())
        .then(pl.lit("voucher.already-redeemed"))
        .otherwise(None)
    )


def _attendance(share: Decimal) -> dict[str, pl.Expr]:
    """Attendance by days when both day counts are given, else by hours; exact, in millionths."""

    def micro(name: str) -> pl.Expr:
        return (pl.col(name) * SCALE).cast(pl.Int64)

    days = pl.col("days_required").is_not_null() & pl.col("days_present").is_not_null() & (pl.col("days_required") > 0)
    hours = (
        pl.col("hours_required").is_not_null() & pl.col("hours_present").is_not_null() & (pl.col("hours_required") > 0)
    )
    present = pl.when(days).then(micro("days_present")).when(hours).then(micro("hours_present"))
    required = pl.when(days).then(micro("days_required")).when(hours).then(micro("hours_required"))
    text = (
        pl.when(days)
        .then(pl.concat_str([pl.col("days_present_text"), pl.lit("/"), pl.col("days_required_text"), pl.lit(" 天")]))
        .when(hours)
        .then(
            pl.concat_str([pl.col("hours_present_text"), pl.lit("/"), pl.col("hours_required_text"), pl.lit(" 学时")])
        )
    )
    given = [
        pl.col(f"{c}_text").fill_null("") for c in ("days_present", "days_required", "hours_present", "hours_required")
    ]
    raw = pl.concat_str(
        [given[0], pl.lit("/"), given[1], pl.lit("天；"), given[2], pl.lit("/"), given[3], pl.lit("学时")]
    )
    p, q = share.as_integer_ratio()
    basis_points = round_half_up_expr(present * 10000, required)  # present / required × 10 000
    return {
        "present": present,
        "required": required,
        "text": text,
        "raw": raw,
        "low": present * q < required * p,
        "rate": pl.concat_str([hundredths_text_expr(basis_points), pl.lit("%")]),
    }


def decide_redeem(
    matched: pl.DataFrame, completions: Completions, program: Program | None, redeem_date: dt.date
) -> Redemption:
    """``program`` None: no row names a voucher of the ledger, so every row fails on its identity."""
    share = program.min_attendance if program is not None else Decimal(0)
    att = _attendance(share)
    staged = matched.with_columns(
        _identity(program).alias("__identity"),
        att["text"].alias("__attendance"),
        att["rate"].alias("__rate"),
        att["raw"].alias("__raw"),
        att["low"].alias("__low"),
        att["present"].is_null().alias("__no_att"),
        pl.col("v_category").alias("category_name"),
        pl.col("id_number").fill_null(pl.col("v_person")).alias("id_number"),
        pl.col("v_no").alias("voucher_no"),
    )
    parts = _identity_reasons(staged.filter(pl.col("__identity").is_not_null()))
    checked = staged.filter(pl.col("__identity").is_null())
    data_checks = _data_checks(program, completions, redeem_date)
    flags = [when.fill_null(False).alias(f"__bad{i}") for i, (_, when, *_) in enumerate(data_checks)]
    checked = checked.with_columns(flags)
    for i, (code, _, value, detail, column) in enumerate(data_checks):
        parts.append(reasons(checked.filter(pl.col(f"__bad{i}")), code, value=value, detail_zh=detail, column=column))
    clean = checked.filter(~pl.any_horizontal([pl.col(f"__bad{i}") for i in range(len(data_checks))]))
    clean = clean.with_columns(
        pl.int_range(pl.len()).over("voucher_no").alias("__rank"),
        pl.col("_row").first().over("voucher_no").alias("__first"),
    )
    parts.append(
        reasons(
            clean.filter(pl.col("__rank") > 0),
            "voucher.duplicate-in-file",
            value=pl.col("voucher_no"),
            detail_zh=pl.col("__first").cast(pl.String),
        )
    )
    lines = clean.filter(pl.col("__rank") == 0).with_columns(pl.col("v_face_fen").alias("amount_fen"))
    exceptions = combine(parts)
    if exceptions.height:
        exceptions = exceptions.sort("row", maintain_order=True)
    result = Redemption(program, redeem_date, matched.height, lines, exceptions)
    if lines.height + result.exception_rows != matched.height:
        raise InconsistencyError(
            f"核销行数不平：{matched.height} 行 ≠ 核销 {lines.height} + 异常 {result.exception_rows}",
            f"rows do not balance: {matched.height} ≠ redeemed {lines.height} + exceptions {result.exception_rows}",
        )
    return result


def _identity_reasons(identity: pl.DataFrame) -> list[pl.DataFrame]:
    """The rows whose voucher cannot be redeemed by whom it names, one reason frame per code."""
    parts: list[pl.DataFrame] = []
    redeemed_at = pl.concat_str(
        [pl.col("v_redeemed_run"), pl.lit(" "), pl.col("v_redeemed_on").dt.to_string("%Y-%m-%d")]
    )
    details: dict[str, tuple[pl.Expr | None, pl.Expr | None]] = {
        "voucher.no-key": (None, None),
        "voucher.unknown": (pl.col("voucher_no"), None),
        "voucher.no-voucher": (pl.col("category").fill_null("*"), None),
        "voucher.other-program": (pl.col("voucher_no"), pl.col("v_program")),
        "voucher.wrong-person": (pl.col("voucher_no"), pl.col("v_name").fill_null("")),
        "voucher.ambiguous": (None, pl.col("__several")),
        "voucher.already-redeemed": (pl.col("voucher_no"), redeemed_at),
    }
    for code in IDENTITY:
        value, detail = details[code]
        parts.append(reasons(identity.filter(pl.col("__identity") == code), code, value=value, detail_zh=detail))
    return parts


# code, when the row fails it, value, detail, column (when not the code's own)
DataCheck = tuple[str, pl.Expr, pl.Expr | None, pl.Expr | None, pl.Expr | None]


def _data_checks(program: Program | None, completions: Completions, redeem_date: dt.date) -> list[DataCheck]:
    """The checks of a completion row whose voucher is the person's own, in the order they are reported."""
    share = program.min_attendance if program is not None else Decimal(0)
    threshold = f"{(share * 100).quantize(Decimal('0.01'))}%"
    end = pl.col("end_date")
    iso = pl.lit(redeem_date.isoformat())
    data_checks: list[DataCheck] = [
        (
            "voucher.bad-end-date",
            end.is_null(),
            pl.col("end_text").fill_null(EMPTY),
            None,
            pl.lit(completions.header("end_date")),
        ),
        ("voucher.not-ended", end > redeem_date, end.dt.to_string("%Y-%m-%d"), iso, None),
        (
            "voucher.before-issue",
            end < pl.col("v_issue_date"),
            end.dt.to_string("%Y-%m-%d"),
            pl.col("v_issue_date").dt.to_string("%Y-%m-%d"),
            None,
        ),
        (
            "voucher.expired",
            pl.col("v_expiry_date") < redeem_date,
            pl.col("v_expiry_date").dt.to_string("%Y-%m-%d"),
            iso,
            None,
        ),
        (
            "voucher.institution-code-missing",
            pl.col("institution_uscc").is_null(),
            pl.col("institution").fill_null(EMPTY),
            None,
            None,
        ),
        (
            "voucher.institution-code-invalid",
            pl.col("uscc_problem").is_not_null(),
            pl.col("institution_uscc"),
            pl.concat_str([pl.col("uscc_problem"), pl.col("uscc_detail").fill_null("")], separator=" "),
            None,
        ),
        ("voucher.no-attendance", pl.col("__no_att"), pl.col("__raw"), None, None),
        ("voucher.attendance-low", ~pl.col("__no_att") & pl.col("__low"), pl.col("__rate"), pl.lit(threshold), None),
    ]
    if program is not None and program.require_pass:
        data_checks.append(
            (
                "voucher.not-passed",
                pl.col("passed").fill_null("") != "合格",
                pl.col("passed_text").fill_null(EMPTY),
                None,
                None,
            )
        )
    return data_checks


def line_records(redemption: Redemption) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ledger rows of a redemption: payment lines (``lines``) and ``voucher_redemptions`` rows."""
    from skillcli.ledger.vouchers import claim_key

    program = redemption.program
    assert program is not None or redemption.lines.height == 0
    line_rows: list[dict[str, Any]] = []
    redemptions: list[dict[str, Any]] = []
    for r in redemption.lines.iter_rows(named=True):
        category = program.category(r["v_category_id"]) if program is not None else None
        source = f"{Path(r['_file']).name}:{r['_sheet']}!{r['_row']}"
        line_rows.append(
            {
                "claim_key": claim_key(r["voucher_no"]),
                "kind": "payment",
                "person_id": r["v_person"],
                "name": r["v_name"] or r["name"],
                "category": r["v_person_category"],
                "training_type": r["v_category"],
                "occupation": r["occupation"],
                "level": r["level"],
                "start_date": r["start_date"].isoformat() if r["start_date"] else None,
                "end_date": r["end_date"].isoformat(),
                "rule": r["v_category_id"],
                "subsidy": category.subsidy if category else f"电子培训券·{r['v_category']}",
                "clause": category.clause if category else "",
                # A redeemed voucher is a subsidised training of the person: it counts towards a payout
                # policy's yearly limit (E1) and its no-repeat rule (E2) in the same ledger.
                "counts": True,
                "payee_type": PayeeType.INSTITUTION.value,
                "payee_id": r["institution_uscc"],
                "payee_name": r["institution"],
                "bank_account": None,
                "account_name": None,
                "entitlement_fen": r["v_face_fen"],
                "advanced_fen": 0,
                "amount_fen": r["amount_fen"],
                "reverses_line_id": None,
                "source": source,
                "certified": bool(category.certifies) if category else False,
            }
        )
        redemptions.append(
            {
                "voucher_no": r["voucher_no"],
                "redeemed_on": redemption.redeem_date.isoformat(),
                "end_date": r["end_date"].isoformat(),
                "institution_id": r["institution_uscc"],
                "institution_name": r["institution"],
                "attendance": r["__attendance"],
                "passed": r["passed"],
                "paid_fen": r["amount_fen"],
                "source": source,
            }
        )
    return line_rows, redemptions
