"""Per-row values the rules test: certificate, attendance, months, age, shortage and prerequisites.

Each derived value is null when the data to compute it is absent from the batch (no certificate
sheet, no attendance row), so that a rule needing it makes the row an exception instead of
treating it as zero or "no".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from skillcli.model import LEVEL_LABELS, SheetKind
from skillcli.schema.columns import CATEGORY_LIKELY_ALIASES
from skillcli.schema.validate import Context

LEVEL_RANK = {"L5": 5, "L4": 4, "L3": 3, "L2": 2, "L1": 1}
NO_CERTIFICATE = "无证书"


def whole_months(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Whole months from ``start`` to the day after ``end``; a partial month is dropped.

    2024-01-01 → 2024-12-31 is 12 months; 2024-01-15 → 2024-03-10 is 1 month.
    """
    after = end + pl.duration(days=1)
    months = (after.dt.year() - start.dt.year()) * 12 + (
        after.dt.month().cast(pl.Int32) - start.dt.month().cast(pl.Int32)
    )
    return (months - (after.dt.day() < start.dt.day()).cast(pl.Int32)).clip(lower_bound=0)


def part_month_days(start: pl.Expr, end: pl.Expr, months: pl.Expr) -> pl.Expr:
    """The days from ``start`` plus ``months`` whole months to the day after ``end``: the part month
    ``whole_months`` drops. 2021-01-04 → 2021-04-30 is 3 months and 27 days (2021-04-04 → 2021-05-01)."""
    anchor = start.dt.offset_by(pl.format("{}mo", months))
    # 01-31 plus one month is clamped to 02-28; whole_months counts that month as ending on 02-28, so the
    # part month starts the day after.
    anchor = pl.when(anchor.dt.day() < start.dt.day()).then(anchor + pl.duration(days=1)).otherwise(anchor)
    return ((end + pl.duration(days=1)) - anchor).dt.total_days().clip(lower_bound=0)


def whole_years(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Whole years from ``start`` to ``end`` (an anniversary on ``end`` counts)."""
    years = end.dt.year() - start.dt.year()
    before = (end.dt.month() < start.dt.month()) | (
        (end.dt.month() == start.dt.month()) & (end.dt.day() < start.dt.day())
    )
    return years - before.cast(pl.Int32)


def _col_or_null(frame: pl.DataFrame, name: str, dtype: Any = pl.String) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype).alias(name)


# The roster columns the derived fields read; a batch without one has it as all blank (unknown).
_ROSTER_INPUTS: dict[str, Any] = {
    "level": pl.String,
    "occupation": pl.String,
    "class_id": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "filed_end_date": pl.Date,
    "contract_start": pl.Date,
    "contract_end": pl.Date,
    "passed": pl.String,
    "shortage": pl.Boolean,
    "id_number": pl.String,
    "employer_uscc": pl.String,
    "employer_name": pl.String,
    "left_date": pl.Date,
    "category": pl.String,
}


def derive(
    frames: dict[SheetKind, pl.DataFrame], ctx: Context, params: dict[str, Any], extra_certs: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The roster with ``_rid`` and every derived field of ``skillcli.rules.fields`` added.

    ``extra_certs`` are certificates recorded in the ledger with earlier runs (for E13).
    """
    roster = frames[SheetKind.ROSTER].with_row_index("_rid")
    for name, dtype in _ROSTER_INPUTS.items():
        if name not in roster.columns:
            roster = roster.with_columns(pl.lit(None, dtype).alias(name))
    start, end = pl.col("start_date"), pl.col("end_date")
    # The months counted run to the end date, or to the filed end (备案结束日期) when that is earlier.
    counted_end = pl.min_horizontal(end, pl.col("filed_end_date"))
    months = whole_months(start, counted_end)
    birth = pl.col("id_number").str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    shortage_list = [str(v) for v in params.get("shortage_occupations", []) or []]
    # S2c 二(四)6: enterprises filed (备案) for their own skill evaluation, listed by the rules file's
    # parameter by 统一社会信用代码 or 单位名称. Not listed (or no parameter) is "not filed": a blank
    # never grants the enterprise rate.
    self_evaluating = [str(v) for v in params.get("self_evaluation_enterprises", []) or []]
    roster = roster.with_columns(
        months.alias("training_months"),
        counted_end.alias("training_counted_end"),
        part_month_days(start, counted_end, months).alias("training_part_days"),
        whole_months(pl.col("contract_start"), pl.col("contract_end")).alias("contract_months"),
        whole_years(birth, start).alias("age"),
        pl.coalesce(pl.col("shortage"), pl.col("occupation").is_in(shortage_list).fill_null(False)).alias(
            "shortage_occupation"
        ),
        (pl.col("employer_uscc").is_in(self_evaluating) | pl.col("employer_name").is_in(self_evaluating))
        .fill_null(False)
        .alias("self_evaluating_employer"),
        # S3 三(九) pays apprentices who 完成学徒制培训任务: one who left on or before the class's end did
        # not. A blank 离职日期 is the ordinary case (did not leave).
        (pl.col("left_date") <= end).fill_null(False).alias("left_during_training"),
        ((start <= pl.lit(ctx.period_end)) & (end >= pl.lit(ctx.period_start))).alias("active_in_period"),
        # The days of the batch month the training runs, for a monthly allowance's part month (part_month).
        (
            (pl.min_horizontal(end, pl.lit(ctx.period_end)) - pl.max_horizontal(start, pl.lit(ctx.period_start)))
            .dt.total_days()
            .clip(lower_bound=-1)
            + 1
        ).alias("days_in_period"),
        (end <= pl.lit(ctx.period_end)).alias("closed"),
        pl.lit(ctx.period_end).alias("batch_month_end"),
        # The listed value an unknown 人员类别 likely stands for (null for listed and other values).
        pl.col("category")
        .replace_strict(CATEGORY_LIKELY_ALIASES, default=None, return_dtype=pl.String)
        .alias("category_alias"),
    )
    roster = _certificates(roster, _with_ledger_certs(frames.get(SheetKind.CERTIFICATES), extra_certs))
    roster = _attendance(roster, frames.get(SheetKind.ATTENDANCE))
    passed = pl.col("passed") == "合格"
    # S2c 二(四)6: an enterprise that issues its own 职业技能等级证书 (number starting with Y, the employer
    # evaluation body; issuer = the row's enterprise) runs a filed self-evaluation, as does one on the list.
    own_cert = (
        pl.col("cert_number").str.starts_with("Y") & (pl.col("cert_issuer") == pl.col("employer_name"))
    ).fill_null(False)
    listed = pl.col("self_evaluating_employer")
    return roster.with_columns(
        # Where 是/否 came from, in the words explain shows beside the value (readings R1).
        pl.when(listed)
        .then(pl.lit("是（单位在备案名单 self_evaluation_enterprises 中）"))
        .when(own_cert)
        .then(pl.format("是（不在备案名单中，但证书 {} 由本单位颁发，按口径 R1 认定）", pl.col("cert_number")))
        .otherwise(pl.lit("否（不在备案名单 self_evaluation_enterprises 中，证书也不是本单位颁发的 Y 字头证书）"))
        .alias("self_evaluating_source"),
        pl.when(listed)
        .then(pl.lit("yes (the employer is on the list self_evaluation_enterprises)"))
        .when(own_cert)
        .then(
            pl.format(
                "yes (not on the list, but certificate {} was issued by the employer itself: readings R1)",
                pl.col("cert_number"),
            )
        )
        .otherwise(
            pl.lit(
                "no (not on the list self_evaluation_enterprises, and no Y-numbered certificate issued by the employer)"
            )
        )
        .alias("self_evaluating_source_en"),
        (~listed & own_cert).alias("self_evaluating_by_cert"),
        # 考核结果 不合格 is a definite fail: without a certificate of this training it is "not qualified",
        # not "unknown", whether or not the batch has a certificate sheet.
        pl.when(passed.fill_null(False) | pl.col("has_cert").fill_null(False))
        .then(True)
        .when(pl.col("passed") == "不合格")
        .then(False)
        .when(passed.is_null() | pl.col("has_cert").is_null())
        .then(None)
        .otherwise(False)
        .alias("qualified"),
        (listed | own_cert).alias("self_evaluating_employer"),
    )


def _with_ledger_certs(certs: pl.DataFrame | None, extra: pl.DataFrame | None) -> pl.DataFrame | None:
    if extra is None or extra.height == 0:
        return certs
    recorded = extra.select(
        pl.col("person_id").alias("id_number"),
        "occupation",
        "level",
        "cert_kind",
        "cert_number",
        pl.col("issue_date").str.to_date(strict=False).alias("issue_date"),
        pl.lit(None, pl.Boolean).alias("issued_locally"),
    )
    if certs is None or certs.height == 0:
        return recorded
    return pl.concat([certs, recorded], how="diagonal_relaxed").unique(
        subset=["id_number", "cert_number", "occupation", "level"], keep="first", maintain_order=True
    )


_CERT_FIELDS = ("has_cert", "cert_kind", "cert_issue_date", "cert_local", "cert_number", "prior_cert_years")


_LEVEL_TEXT = {level.value: label for level, label in LEVEL_LABELS.items()}
_NO_PASS = "花名册的「考核结果」也未填写（或没有此列）"


def _training_text(occupation: pl.Expr, level: pl.Expr) -> pl.Expr:
    """电工 五级/初级工, as a clerk reads a training or a certificate (未填等级 for a blank level)."""
    return pl.concat_str(
        [
            occupation.fill_null("（未填职业）"),
            level.replace_strict(_LEVEL_TEXT, default=level).fill_null("（未填等级）"),
        ],
        separator=" ",
    )


def _cert_note(pairs: pl.DataFrame, certs: pl.DataFrame) -> tuple[pl.DataFrame, pl.Expr]:
    """Per roster row, what the certificate data holds for this person, and the sentence a clerk
    reads when no certificate of this training is found and no pass is recorded: the sheet looked
    at and, when the person has other certificates (电工 四级 against a roster 五级), which ones."""
    # The certificate sheets of the row's own file are the ones its sender filled; a file without
    # one is matched against every certificate sheet of the batch, so all of them are named.
    by_file: dict[str, list[str]] = {}
    if "_sheet" in certs.columns and "_file" in certs.columns:
        for file, sheet in certs.select("_file", "_sheet").drop_nulls().unique(maintain_order=True).iter_rows():
            by_file.setdefault(file, []).append(sheet)
    every = sorted({sheet for sheets in by_file.values() for sheet in sheets})

    def named(sheets: list[str]) -> str:
        return "证书表「" + "」「".join(sheets) + "」" if sheets else "证书数据"

    where = pl.col("_file").replace_strict(
        {file: named(sheets) for file, sheets in by_file.items()}, default=named(every), return_dtype=pl.String
    )
    held = pairs.group_by("_rid").agg(
        pl.concat_str(
            [
                _training_text(pl.col("c_occupation"), pl.col("c_level")),
                pl.lit("（"),
                pl.col("c_date").cast(pl.String).fill_null("未填发证日期"),
                pl.lit(" 发证）"),
            ]
        )
        .unique(maintain_order=True)
        .str.join("、")
        .alias("__held")
    )
    note = (
        pl.when(pl.col("cert_number").is_not_null() & pl.col("cert_kind").is_null())
        .then(
            pl.concat_str(
                [
                    where,
                    pl.lit("中此人本次培训的证书（编号 "),
                    pl.col("cert_number"),
                    pl.lit(
                        f"）没有填写「证书类型」，无法确认是哪一种证书，{_NO_PASS}；请在证书表中填写此证书的「证书类型」"
                    ),
                ]
            )
        )
        .when(pl.col("__held").is_null())
        .then(where + pl.lit(f"中没有此人的证书，{_NO_PASS}；请补上此人的证书，或在花名册的「考核结果」列填写「合格」"))
        .otherwise(
            pl.concat_str(
                [
                    where,
                    pl.lit("中此人的证书是 "),
                    pl.col("__held"),
                    pl.lit("，与本行的培训 "),
                    _training_text(pl.col("occupation"), pl.col("level")),
                    pl.lit(
                        f" 不符（职业、等级须相同，发证日期不早于开班日期），{_NO_PASS}；请核对本行的职业和等级，"
                        "或补上本次培训取得的证书"
                    ),
                ]
            )
        )
    )
    return held, note


def _certificates(roster: pl.DataFrame, certs: pl.DataFrame | None) -> pl.DataFrame:
    """The certificate this training earned (same person, occupation and level, issued on or after
    the start date; the earliest wins) and the years the next-lower certificate had been held."""
    if certs is None or certs.height == 0 or "id_number" not in certs.columns:
        return roster.with_columns(
            pl.lit(None, pl.Boolean).alias("has_cert"),
            pl.lit(None, pl.String).alias("cert_kind"),
            pl.lit(None, pl.Date).alias("cert_issue_date"),
            pl.lit(None, pl.Boolean).alias("cert_local"),
            pl.lit(None, pl.String).alias("cert_number"),
            pl.lit(None, pl.String).alias("cert_issuer"),
            _prior_from_roster(roster).alias("prior_cert_years"),
            pl.lit(
                f"本批次没有证书表（或证书表没有「身份证号码」列），{_NO_PASS}；请附上证书表，或在花名册的「考核结果」列填写「合格」"
            ).alias("cert_note"),
        )
    cert = certs.select(
        pl.col("id_number"),
        _col_or_null(certs, "occupation").alias("c_occupation"),
        _col_or_null(certs, "level").alias("c_level"),
        _col_or_null(certs, "cert_kind").alias("c_kind"),
        _col_or_null(certs, "issue_date", pl.Date).alias("c_date"),
        _col_or_null(certs, "issued_locally", pl.Boolean).alias("c_local"),
        _col_or_null(certs, "cert_number").alias("c_number"),
        _col_or_null(certs, "issuer").alias("c_issuer"),
    ).filter(pl.col("id_number").is_not_null())
    pairs = roster.select("_rid", "id_number", "occupation", "level", "start_date").join(cert, on="id_number")
    # A certificate without a level (特种作业操作证, 培训合格证 …) matches a training without one.
    same_level = (
        pl.col("level").is_null()
        | (pl.col("c_level") == pl.col("level"))
        | (pl.col("c_level").is_null() & pl.col("level").is_in(["NONE", "SPECIAL"]))
    )
    candidates = pairs.filter(
        (pl.col("c_occupation") == pl.col("occupation"))
        & same_level
        & (pl.col("start_date").is_null() | (pl.col("c_date") >= pl.col("start_date")))
    )
    # A training with a blank level takes the level of the certificate it earned (below), so it must not
    # borrow a certificate that a training of that very level earned: a school's 电工 五级 class and then an
    # employer's 岗前培训 in 电工 with no level, one 五级 certificate. Borrowed, the 岗前培训 would take 五级 and
    # look like a repeat of the class (E2, 同一职业同一等级) or be paid for its certificate twice. Trainings
    # that state the level keep the certificate each (a retake of the same level is E2's to decide).
    certificate = ["id_number", "c_occupation", "c_level", "c_date", "c_number"]
    exact = (pl.col("c_level") == pl.col("level")).fill_null(False)
    candidates = candidates.filter(exact | ~exact.any().over(certificate))
    earned = (
        candidates.sort("_rid", "c_date", "c_number", nulls_last=True)
        .group_by("_rid", maintain_order=True)
        .first()
        .select(
            "_rid",
            pl.col("c_kind").alias("cert_kind"),
            pl.col("c_date").alias("cert_issue_date"),
            pl.col("c_local").alias("cert_local"),
            pl.col("c_number").alias("cert_number"),
            pl.col("c_level").alias("cert_level"),
            pl.col("c_issuer").alias("cert_issuer"),
        )
    )
    rank = pl.col("level").replace_strict(LEVEL_RANK, default=None, return_dtype=pl.Int32)
    c_rank = pl.col("c_level").replace_strict(LEVEL_RANK, default=None, return_dtype=pl.Int32)
    prior = (
        pairs.filter(
            (pl.col("c_occupation") == pl.col("occupation"))
            & (c_rank == rank + 1)
            & (pl.col("c_date") <= pl.col("start_date"))
        )
        .group_by("_rid")
        .agg(pl.col("c_date").min().alias("prior_date"))
    )
    held, note = _cert_note(pairs, certs)
    joined = (
        roster.join(earned, on="_rid", how="left")
        .join(prior, on="_rid", how="left")
        .join(held, on="_rid", how="left")
        .with_columns(note.alias("cert_note"))
        .drop("__held")
    )
    from_certs = whole_years(pl.col("prior_date"), pl.col("start_date"))
    # The batch has certificate data, so a training without a matching certificate has none: its
    # certificate fields read "无证书"/否 (a requirement on them fails: not eligible), not missing.
    has_cert = pl.col("cert_kind").is_not_null()
    # A subsidy "for the certificate obtained" (S2c 二(四)4: 取得…证书…初级工1000元…) is at the certificate's
    # level: a blank 培训等级 takes the level of the certificate this training earned.
    joined = joined.with_columns(pl.coalesce(pl.col("level"), pl.col("cert_level")).alias("level")).drop("cert_level")
    return joined.with_columns(
        has_cert.alias("has_cert"),
        pl.when(has_cert).then(pl.col("cert_kind")).otherwise(pl.lit(NO_CERTIFICATE)).alias("cert_kind"),
        pl.when(has_cert).then(pl.col("cert_local")).otherwise(pl.lit(False)).alias("cert_local"),
        pl.max_horizontal(from_certs, _prior_from_roster(roster)).fill_null(0).alias("prior_cert_years"),
    ).drop("prior_date")


def _prior_from_roster(roster: pl.DataFrame) -> pl.Expr:
    """E13 from the roster's own 现有证书情况 columns, when it has them (null otherwise)."""
    needed = ("prior_cert_occupation", "prior_cert_level", "prior_cert_date")
    if not all(c in roster.columns for c in needed):
        return pl.lit(None, pl.Int32)
    rank = pl.col("level").replace_strict(LEVEL_RANK, default=None, return_dtype=pl.Int32)
    prior_rank = pl.col("prior_cert_level").replace_strict(LEVEL_RANK, default=None, return_dtype=pl.Int32)
    matches = (pl.col("prior_cert_occupation") == pl.col("occupation")) & (prior_rank == rank + 1)
    return pl.when(matches).then(whole_years(pl.col("prior_cert_date"), pl.col("start_date")))


def _attendance(roster: pl.DataFrame, attendance: pl.DataFrame | None) -> pl.DataFrame:
    """Attended and required days and the online share, by person and class.

    Summary rows (应出勤/实际出勤) and daily rows (日期 + 签到状态) are both accepted. A roster
    row matches attendance of the same class when both name one, else the person's attendance.
    """
    empty = roster.with_columns(
        pl.lit(None, pl.Int64).alias("attended_days"),
        pl.lit(None, pl.Int64).alias("required_days"),
        pl.lit(None, pl.Float64).alias("attendance_rate"),
        pl.lit(None, pl.Float64).alias("online_share"),
    )
    if attendance is None or attendance.height == 0 or "id_number" not in attendance.columns:
        return empty
    att = attendance.filter(pl.col("id_number").is_not_null())
    present = _col_or_null(att, "days_present", pl.Int64)
    required = _col_or_null(att, "days_required", pl.Int64)
    status = _col_or_null(att, "status")
    daily = _col_or_null(att, "date", pl.Date).is_not_null() & status.is_not_null()
    online = _col_or_null(att, "hours_online", pl.Float64)
    offline = _col_or_null(att, "hours_offline", pl.Float64)
    total = pl.coalesce(_col_or_null(att, "hours_total", pl.Float64), online + offline)
    rows = att.select(
        pl.col("id_number"),
        _col_or_null(att, "class_id").alias("a_class"),
        pl.when(daily).then((status == "出勤").cast(pl.Int64)).otherwise(present).alias("present"),
        pl.when(daily).then(pl.lit(1, pl.Int64)).otherwise(required).alias("required"),
        online.alias("online"),
        total.alias("total"),
    )
    sums = [
        pl.col("present").sum().alias("present"),
        pl.col("present").is_not_null().any().alias("has_present"),
        pl.col("required").sum().alias("required"),
        pl.col("required").is_not_null().any().alias("has_required"),
        pl.col("online").sum().alias("online"),
        pl.col("total").sum().alias("total"),
        pl.col("total").is_not_null().any().alias("has_total"),
    ]
    by_class = rows.filter(pl.col("a_class").is_not_null()).group_by("id_number", "a_class").agg(sums)
    by_person = rows.group_by("id_number").agg(sums)
    keyed = roster.select("_rid", "id_number", "class_id")
    exact = keyed.join(by_class, left_on=["id_number", "class_id"], right_on=["id_number", "a_class"], how="inner")
    rest = keyed.join(exact.select("_rid"), on="_rid", how="anti").join(by_person, on="id_number", how="inner")
    matched = (
        pl.concat([exact.drop("class_id"), rest.drop("class_id")], how="diagonal_relaxed")
        .select(
            "_rid",
            pl.when(pl.col("has_present")).then(pl.col("present")).alias("attended_days"),
            pl.when(pl.col("has_required")).then(pl.col("required")).alias("required_days"),
            pl.when(pl.col("has_total") & (pl.col("total") > 0))
            .then(pl.col("online") / pl.col("total"))
            .alias("online_share"),
        )
        .with_columns(
            pl.when(pl.col("required_days") > 0)
            .then(pl.col("attended_days") / pl.col("required_days"))
            .alias("attendance_rate"),
        )
    )
    return roster.join(matched, on="_rid", how="left")


def period_bounds(ctx: Context) -> tuple[dt.date, dt.date]:
    return ctx.period_start, ctx.period_end
