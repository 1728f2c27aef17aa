"""Who gets which voucher: a roster (read and checked as ``skillcli check`` reads it) against a programme.

Every roster row ends in exactly one of: vouchers issued (one per category the person qualifies for),
or reasons why not. A row with an error finding (a bad ID, a blank name …) gets nothing and carries
that finding; a person listed twice gets vouchers once. Otherwise each category of the programme is
decided for the person: the age group (whole years at the issue date, from the ID's birth date) must
be one the category is offered to, the 人员类别 one it is for (blank is no listed group; a likely alias
that would change the answer is held),
and the person must not already hold an open voucher of that category (issued, not redeemed, not
expired). Numbers are assigned afterwards, in roster order, inside the ledger transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from skillcli.findings import MISSING_COLUMN_CODES, held_by, is_blocking
from skillcli.model import SheetKind
from skillcli.schema.columns import CATEGORY_LIKELY_ALIASES, spec
from skillcli.schema.parse import id_birth_date
from skillcli.vouchers.messages import combine, location, reasons
from skillcli.vouchers.program import Program

SEQUENCE_DIGITS = 5
# A roster for issuing is a list of people: the training columns a payout roster needs may be absent.
NEEDED_COLUMNS = ("name", "id_number")
ISSUED_SCHEMA: dict[str, Any] = {
    "voucher_no": pl.String,
    "person_id": pl.String,
    "name": pl.String,
    "person_category": pl.String,
    "age": pl.Int64,
    "age_group": pl.String,
    "offer": pl.String,
    "category_id": pl.String,
    "category": pl.String,
    "face_fen": pl.Int64,
    "issue_date": pl.Date,
    "expiry_date": pl.Date,
    "source": pl.String,
}


@dataclass(slots=True)
class IssuePlan:
    """The decision of one issue. ``issued`` has ``ISSUED_SCHEMA`` (``voucher_no`` null until numbered)."""

    program: Program
    issue_date: dt.date
    rows: int  # roster rows read
    issued: pl.DataFrame
    not_issued: pl.DataFrame  # ``skillcli.vouchers.messages.REASON_SCHEMA``

    @property
    def stem(self) -> str:
        return f"{self.program.prefix}{self.issue_date:%Y%m%d}"

    @property
    def face_fen(self) -> int:
        return int(self.issued.get_column("face_fen").sum()) if self.issued.height else 0

    @property
    def blocked(self) -> int:
        return self.not_issued.filter(pl.col("severity") == "error").height

    def numbered(self, last_sequence: int) -> IssuePlan:
        """Voucher numbers ``stem`` + a sequence continuing after ``last_sequence``, in roster order."""
        limit = 10**SEQUENCE_DIGITS - 1
        if last_sequence + self.issued.height > limit:
            from skillcli.errors import UsageError

            raise UsageError(
                f"{self.stem} 当日券号已用尽（最多 {limit} 张）", f"{self.stem}: no voucher numbers left that day"
            )
        seq = pl.int_range(last_sequence + 1, last_sequence + 1 + pl.len(), dtype=pl.Int64)
        numbers = pl.lit(self.stem) + seq.cast(pl.String).str.zfill(SEQUENCE_DIGITS)
        return IssuePlan(
            self.program,
            self.issue_date,
            self.rows,
            self.issued.with_columns(numbers.alias("voucher_no")),
            self.not_issued,
        )


def age_at(day: dt.date) -> pl.Expr:
    """Whole years (周岁) at ``day`` from the birth date inside ``id_number``."""
    birth = id_birth_date(pl.col("id_number"))
    before_birthday = (day.month * 100 + day.day) < (birth.dt.month().cast(pl.Int64) * 100 + birth.dt.day())
    return (pl.lit(day.year) - birth.dt.year().cast(pl.Int64) - before_birthday.cast(pl.Int64)).cast(pl.Int64)


def age_group(program: Program) -> pl.Expr:
    """The id of the age group that holds ``age`` (null: in none of them)."""
    expr: pl.Expr = pl.lit(None, pl.String)
    for group in reversed(program.age_groups):
        test = pl.col("age") >= group.min_age
        if group.max_age is not None:
            test = test & (pl.col("age") <= group.max_age)
        expr = pl.when(test).then(pl.lit(group.id)).otherwise(expr)
    return expr


def _blocking(roster: pl.DataFrame, findings: pl.DataFrame) -> pl.DataFrame:
    """The first blocking finding of each roster row (the row's own, or its sheet's missing name column)."""
    needed = {spec(SheetKind.ROSTER, c).header for c in NEEDED_COLUMNS}
    missing = pl.col("code").is_in(MISSING_COLUMN_CODES)
    own = (
        held_by(findings.filter(~missing), roster.select("_file", "_sheet", "_row").unique())
        .group_by("file", "sheet", "row", maintain_order=True)
        .agg(pl.col("code").first().alias("__code"), pl.col("message_zh").first(), pl.col("message_en").first())
    )
    by_sheet = (
        findings.filter(is_blocking(pl.col("code")) & missing & pl.col("column").is_in(sorted(needed)))
        .group_by("file", "sheet", maintain_order=True)
        .agg(
            pl.col("code").first().alias("__scode"),
            pl.col("message_zh").first().alias("__szh"),
            pl.col("message_en").first().alias("__sen"),
        )
    )
    keyed = roster.join(
        own.rename({"file": "_file", "sheet": "_sheet", "row": "_row"}), on=["_file", "_sheet", "_row"], how="left"
    ).join(by_sheet.rename({"file": "_file", "sheet": "_sheet"}), on=["_file", "_sheet"], how="left")
    return keyed.with_columns(
        pl.coalesce("__code", "__scode").alias("__code"),
        pl.coalesce("message_zh", "__szh").alias("__zh"),
        pl.coalesce("message_en", "__sen").alias("__en"),
    ).drop("__scode", "__szh", "__sen", "message_zh", "message_en")


def plan_issue(
    roster: pl.DataFrame, findings: pl.DataFrame, program: Program, issue_date: dt.date, held: pl.DataFrame
) -> IssuePlan:
    """``roster``: the typed roster frame; ``held``: these people's vouchers of the programme (ledger)."""
    all_groups = "、".join(g.id for g in program.age_groups)
    rows = (
        _blocking(roster.select("_file", "_sheet", "_row", "name", "id_number", "category"), findings)
        .with_row_index("__order")
        .rename({"category": "person_category"})
    )
    parts: list[pl.DataFrame] = []
    everything = pl.lit("（全部）")

    blocked = rows.filter(pl.col("__code").is_not_null())
    parts.append(
        reasons(
            blocked,
            "voucher.blocked",
            value=pl.col("__code"),
            detail_zh=pl.col("__zh"),
            detail_en=pl.col("__en"),
            category=everything,
        )
    )
    clean = rows.filter(pl.col("__code").is_null()).with_columns(
        location(pl.col("_file"), pl.col("_sheet"), pl.col("_row")).first().over("id_number").alias("__first"),
        pl.int_range(pl.len()).over("id_number").alias("__rank"),
    )
    parts.append(
        reasons(
            clean.filter(pl.col("__rank") > 0),
            "voucher.repeat-in-roster",
            detail_zh=pl.col("__first"),
            category=everything,
        )
    )
    people = clean.filter(pl.col("__rank") == 0).with_columns(age_at(issue_date).alias("age"))
    people = people.with_columns(age_group(program).alias("age_group"))
    parts.append(
        reasons(
            people.filter(pl.col("age_group").is_null()),
            "voucher.age-outside",
            value=pl.col("age"),
            detail_zh=pl.lit(all_groups),
            category=everything,
        )
    )
    pairs = _offers(people.filter(pl.col("age_group").is_not_null()), program, issue_date, held)
    category_value = pl.col("category_name")
    for code, detail in (
        ("voucher.not-for-age-group", pl.col("age_group")),
        ("voucher.likely-alias", pl.col("__alias_text")),
        ("voucher.not-for-category", pl.col("__for_text")),
        ("voucher.already-open", pl.col("__held")),
    ):
        parts.append(
            reasons(
                pairs.filter(pl.col("__outcome") == code),
                code,
                value=category_value,
                detail_zh=detail,
                category=category_value,
            )
        )
    issued = _issued(pairs.filter(pl.col("__outcome").is_null()), program, issue_date)
    not_issued = combine(parts)
    if not_issued.height:
        not_issued = not_issued.sort("file", "sheet", "row", "category", maintain_order=True)
    return IssuePlan(program, issue_date, roster.height, issued, not_issued)


def _offers(people: pl.DataFrame, program: Program, issue_date: dt.date, held: pl.DataFrame) -> pl.DataFrame:
    """Every (person, voucher category) pair with ``__outcome``: null when the voucher is issued,
    else the code saying why not (age group, person category, likely alias, one already open)."""
    categories = pl.DataFrame(
        {
            "category_id": [c.id for c in program.categories],
            "category_name": [c.name for c in program.categories],
            "face_fen": [c.face_fen for c in program.categories],
            "__groups": [list(c.age_groups) for c in program.categories],
            "__for": [
                list(c.person_categories) if c.person_categories is not None else None for c in program.categories
            ],
            "__cat_order": list(range(len(program.categories))),
        },
        schema_overrides={"__for": pl.List(pl.String), "__groups": pl.List(pl.String), "face_fen": pl.Int64},
    )
    pairs = people.join(categories, how="cross")
    open_now = (
        held.filter(pl.col("redeemed_run").is_null() & (pl.col("expiry_date") >= issue_date))
        .group_by("person_id", "category_id")
        .agg(pl.col("voucher_no").sort().str.join("、").alias("__held"))
        .rename({"person_id": "id_number"})
    )
    pairs = pairs.join(open_now, on=["id_number", "category_id"], how="left")
    restricted = pl.col("__for").is_not_null()
    # A blank 人员类别 is no listed group: a voucher for listed groups is not for it (never "undecided").
    # An unknown value is taken as it is, unless it looks like another name for a listed value and
    # reading it so would change this voucher (贫困户 for a voucher of 脱贫劳动力): then it is held.
    alias = pl.col("person_category").replace_strict(CATEGORY_LIKELY_ALIASES, default=None, return_dtype=pl.String)
    as_is = pl.col("__for").list.contains(pl.col("person_category")).fill_null(False)
    as_alias = pl.col("__for").list.contains(alias).fill_null(False)
    outcome = (
        pl.when(~pl.col("__groups").list.contains(pl.col("age_group")))
        .then(pl.lit("voucher.not-for-age-group"))
        .when(restricted & alias.is_not_null() & (as_is != as_alias))
        .then(pl.lit("voucher.likely-alias"))
        .when(restricted & ~as_is)
        .then(pl.lit("voucher.not-for-category"))
        .when(pl.col("__held").is_not_null())
        .then(pl.lit("voucher.already-open"))
        .otherwise(None)
    )
    return pairs.with_columns(
        outcome.alias("__outcome"),
        pl.col("__for").list.join("、").alias("__for_text"),
        pl.concat_str([pl.col("person_category"), pl.lit(" ≈ "), alias]).alias("__alias_text"),
    )


def _issued(pairs: pl.DataFrame, program: Program, issue_date: dt.date) -> pl.DataFrame:
    """The vouchers to issue (``ISSUED_SCHEMA``), in roster order, then the programme's category order."""
    offers = {g.id: g.offer for g in program.age_groups}
    return (
        pairs.sort("__order", "__cat_order")
        .select(
            pl.lit(None, pl.String).alias("voucher_no"),
            pl.col("id_number").alias("person_id"),
            "name",
            "person_category",
            "age",
            "age_group",
            pl.col("age_group").replace_strict(offers, default="", return_dtype=pl.String).alias("offer"),
            "category_id",
            pl.col("category_name").alias("category"),
            "face_fen",
            pl.lit(issue_date).alias("issue_date"),
            pl.lit(program.expiry(issue_date)).alias("expiry_date"),
            location(pl.col("_file"), pl.col("_sheet"), pl.col("_row")).alias("source"),
        )
        .cast(ISSUED_SCHEMA)  # type: ignore[arg-type]
    )


def voucher_rows(plan: IssuePlan) -> list[dict[str, Any]]:
    """The ``vouchers`` rows of a numbered plan (dates as ISO text)."""
    return [
        {
            "voucher_no": r["voucher_no"],
            "program_id": plan.program.id,
            "category_id": r["category_id"],
            "category": r["category"],
            "person_id": r["person_id"],
            "name": r["name"],
            "person_category": r["person_category"],
            "age": r["age"],
            "age_group": r["age_group"],
            "face_fen": r["face_fen"],
            "issue_date": r["issue_date"].isoformat(),
            "expiry_date": r["expiry_date"].isoformat(),
            "source": r["source"],
        }
        for r in plan.issued.iter_rows(named=True)
    ]
