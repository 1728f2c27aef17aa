"""Checks across rows and sheets, each a small named function in a registry.

A check takes the typed frames of the whole batch and returns findings (``skillcli.findings.emit``,
``FINDING_SCHEMA``). It declares the codes it can emit so that a test can
hold the registry, the catalogue and the docs together. Every check is a Polars expression or join:
no Python loop runs per row.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from skillcli.findings import BILINGUAL_MARK, bilingual, concat, emit_query, emitted
from skillcli.model import LEVEL_LABELS, SheetKind
from skillcli.schema.lengths import INPUT_LIMITS
from skillcli.schema.parse import id_problem
from skillcli.schema.validate import Context

Frames = dict[SheetKind, pl.DataFrame]
CheckFn = Callable[[Frames, Context], list[pl.LazyFrame]]
REGISTRY: list[tuple[CheckFn, tuple[str, ...]]] = []


def check(*codes: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        REGISTRY.append((fn, codes))
        return fn

    return register


# A reference to another row inside a message is kept as marked fields (file, sheet, Excel row) until the
# message is rendered, so that each language words it (「花名册」第 12 行 / row 12 of sheet 花名册) and
# the file is named only when it is not the finding's own file.
LOCATION_MARK = "\x1f"


def location(file: pl.Expr, sheet: pl.Expr, row: pl.Expr) -> pl.Expr:
    """A marked reference to a row: file (its name only), sheet and Excel row; see ``words_locations``."""
    mark = pl.lit(LOCATION_MARK)
    return pl.concat_str([mark, file.str.replace(r"^.*[/\\]", ""), mark, sheet, mark, row.cast(pl.String), mark])


# A ledger line in a message (2021-05 批次（R…）第 3 笔), marked like a row so each language words it.
LEDGER_MARK = "\x1e"
def ledger_reference(period: pl.Expr, run_id: pl.Expr, seq: pl.Expr, *, in_ledger: bool) -> pl.Expr:
    """A marked reference to a ledger line: the run's period, its id and the line's number within the
    run; ``in_ledger`` words it as 「台账 …」 / "ledger run …". See ``words_locations``."""
    mark = pl.lit(LEDGER_MARK)
    flag = pl.lit("L" if in_ledger else "")
    return pl.concat_str([mark, flag, mark, period, mark, run_id, mark, seq.cast(pl.String), mark])


def words_locations(message: pl.Expr, own_file: pl.Expr, *, lang: str) -> pl.Expr:
    """A message with its marked row references worded for a clerk: 「花名册」第 12 行 when the row is in
    the finding's own file, 其他.xlsx 的「花名册」第 12 行 when it is not (English likewise), and its
    marked ledger lines as 「2021-05 批次（R…）第 3 笔」 / "run 2021-05 (R…), line 3"."""
    mark = LOCATION_MARK
    field = f"([^{mark}]*)"
    marked = f"{mark}{field}{mark}{field}{mark}{field}{mark}"
    if lang == "zh":
        same, other = "「${2}」第 ${3} 行", "${1} 的「${2}」第 ${3} 行"
    else:
        same, other = "row ${3} of sheet '${2}'", "row ${3} of sheet '${2}' in ${1}"
    in_own_file = message.str.extract(marked, 1) == own_file.str.replace(r"^.*[/\\]", "")
    worded = (
        pl.when(in_own_file.fill_null(False))
        .then(message.str.replace_all(marked, same))
        .otherwise(message.str.replace_all(marked, other))
    )
    lm = LEDGER_MARK
    line = f"([^{lm}]*){lm}([^{lm}]*){lm}([^{lm}]*){lm}"
    if lang == "zh":
        ledger, plain = "台账 ${1} 批次（${2}）第 ${3} 笔", "${1} 批次（${2}）第 ${3} 笔"
    else:
        ledger, plain = "ledger run ${1} (${2}), line ${3}", "run ${1} (${2}), line ${3}"
    worded = worded.str.replace_all(f"{lm}L{lm}{line}", ledger).str.replace_all(f"{lm}{lm}{line}", plain)
    bm = BILINGUAL_MARK
    return worded.str.replace_all(f"{bm}([^{bm}]*){bm}([^{bm}]*){bm}", "${1}" if lang == "zh" else "${2}")


def hours_text(hours: pl.Expr) -> pl.Expr:
    """Hours as a clerk writes them: 440 rather than 440.0, 12.5 as it is."""
    return hours.round(2).cast(pl.String).str.replace(r"\.0+$", "").str.replace(r"(\.\d*?)0+$", "${1}")


def _has(frame: pl.DataFrame, *columns: str) -> bool:
    return all(c in frame.columns for c in columns)


@check("date.order", "date.filed-before-start", "date.after-period", "date.after-today")
def check_training_dates(frames: Frames, ctx: Context) -> list[pl.LazyFrame]:
    """Start after end, a filed end before the start, and a class not yet ended: after the batch
    month, or, with no batch month given, after today (a class still running cannot be claimed on its
    end, whichever month it is claimed in)."""
    roster = frames.get(SheetKind.ROSTER)
    if roster is None or not _has(roster, "start_date", "end_date"):
        return []
    start, end = pl.col("start_date"), pl.col("end_date")
    if ctx.period_given:
        not_ended = pl.when(end > pl.lit(ctx.period_end)).then(pl.lit("date.after-period"))
        as_of = pl.lit(ctx.period_label)
    else:
        not_ended = pl.when(end > pl.lit(ctx.today)).then(pl.lit("date.after-today"))
        as_of = pl.lit(ctx.today.isoformat())
    found = [
        emit_query(
            roster,
            pl.when(start > end).then(pl.lit("date.order")),
            "start_date",
            start.dt.to_string("%Y-%m-%d"),
            pl.concat_str([start.dt.to_string("%Y-%m-%d"), pl.lit(" > "), end.dt.to_string("%Y-%m-%d")]),
        ),
        emit_query(roster, not_ended, "end_date", end.dt.to_string("%Y-%m-%d"), as_of),
    ]
    if "filed_end_date" in roster.columns:
        filed = pl.col("filed_end_date")
        found.append(
            emit_query(
                roster,
                pl.when(filed < start).then(pl.lit("date.filed-before-start")),
                "filed_end_date",
                filed.dt.to_string("%Y-%m-%d"),
                pl.concat_str([filed.dt.to_string("%Y-%m-%d"), pl.lit(" < "), start.dt.to_string("%Y-%m-%d")]),
            )
        )
    return found


def class_columns(frame: pl.DataFrame) -> list[pl.Expr]:
    """One training class: its 班级编号 when given, else type + occupation + level + dates."""
    composite = [c for c in ("training_type", "occupation", "level", "start_date", "end_date") if c in frame.columns]
    if "class_id" not in frame.columns:
        return [pl.col(c) for c in composite]
    named = pl.col("class_id").is_not_null()
    return [pl.col("class_id"), *(pl.when(named).then(None).otherwise(pl.col(c)).alias(c) for c in composite)]


@check("value.unknown", "value.likely-alias")
def check_open_values(frames: Frames, ctx: Context) -> list[pl.LazyFrame]:
    """A value outside an open list (人员类别), once per value with its count and the closest listed
    value; a likely alias of a listed value (贫困户 → 脱贫劳动力) is named as such."""
    from skillcli.schema.columns import LIKELY_ALIASES, SPECS, closest_value

    found = []
    for kind, frame in frames.items():
        for column in SPECS[kind]:
            if not column.open_values or column.name not in frame.columns:
                continue
            name = column.name
            unknown = (
                frame.filter(pl.col(name).is_not_null() & ~pl.col(name).is_in(column.allowed))
                .group_by(name, maintain_order=True)
                .agg(
                    pl.col("_file").first(),
                    pl.col("_sheet").first(),
                    pl.col("_row").first(),
                    pl.len().alias("__n"),
                    # The first row's person, so that the screen shows whose row it is.
                    (pl.col("id_number") if "id_number" in frame.columns else pl.lit(None, pl.String))
                    .first()
                    .cast(pl.String)
                    .alias("__person"),
                )
            )
            if unknown.height == 0:
                continue
            likely = LIKELY_ALIASES.get(name, {})
            values = unknown.get_column(name).to_list()
            counts = unknown.get_column("__n").to_list()
            # A handful of distinct values: the closest spelling is looked up in Python, once each.
            details = [f"{n}; {closest_value(column, v)}" for v, n in zip(values, counts, strict=True)]
            codes = ["value.likely-alias" if v in likely else "value.unknown" for v in values]
            found.append(
                emit_query(
                    unknown.with_columns(
                        pl.Series("__code", codes, pl.String), pl.Series("__detail", details, pl.String)
                    ),
                    pl.col("__code"),
                    name,
                    pl.col(name),
                    pl.col("__detail"),
                    person=pl.col("__person"),
                )
            )
    return found


@check("roster.duplicate-person")
def check_duplicate_person(frames: Frames, ctx: Context) -> list[pl.LazyFrame]:
    roster = frames.get(SheetKind.ROSTER)
    if roster is None or "id_number" not in roster.columns or roster.height == 0:
        return []
    key = pl.struct(pl.col("id_number"), *class_columns(roster)).alias("__key")
    # Only the few rows whose (person, class) repeats are ranked and located.
    keyed = roster.with_columns(key).filter(pl.col("__key").is_duplicated() & pl.col("id_number").is_not_null())
    if keyed.height == 0:
        return []
    first = location(pl.col("_file"), pl.col("_sheet"), pl.col("_row")).first().over("__key")
    flagged = keyed.with_columns(first.alias("__first"), pl.int_range(pl.len()).over("__key").alias("__rank"))
    code = pl.when(pl.col("__rank") > 0).then(pl.lit("roster.duplicate-person"))
    return [emit_query(flagged, code, "id_number", pl.col("id_number"), pl.col("__first"))]


@check("attendance.not-on-roster", "cert.not-on-roster", "sheet.roster-without-id")
def check_on_roster(frames: Frames, ctx: Context) -> list[pl.LazyFrame]:
    roster = frames.get(SheetKind.ROSTER)
    if roster is None or "id_number" not in roster.columns:
        return []
    known = roster.get_column("id_number").drop_nulls().unique()
    # A file whose roster has no usable ID column (its header was not recognised) cannot match its own
    # attendance or certificates: one finding per such sheet points at the roster's header, instead
    # of one "not on the roster" per row for people who are on it.
    keyless = (
        roster.group_by("_file", "_sheet")
        .agg(pl.col("id_number").is_null().all().alias("__keyless"))
        .filter(pl.col("__keyless"))
        .group_by("_file")
        .agg(pl.col("_sheet").sort().str.join("」「").alias("__roster_sheets"))
    )
    found = []
    for kind, code in (
        (SheetKind.ATTENDANCE, "attendance.not-on-roster"),
        (SheetKind.CERTIFICATES, "cert.not-on-roster"),
    ):
        frame = frames.get(kind)
        if frame is not None and "id_number" in frame.columns:
            missing = pl.col("id_number").is_not_null() & ~pl.col("id_number").is_in(known.implode())
            flagged = frame.filter(missing).join(keyless, on="_file", how="left")
            per_row = flagged.filter(pl.col("__roster_sheets").is_null())
            found.append(emit_query(per_row, pl.lit(code), "id_number", pl.col("id_number")))
            per_sheet = (
                flagged.filter(pl.col("__roster_sheets").is_not_null())
                .group_by("_file", "_sheet", maintain_order=True)
                .agg(
                    pl.col("_row").min(),
                    pl.len().cast(pl.String).alias("__count"),
                    pl.col("__roster_sheets").first(),
                )
                .with_columns(pl.lit(None, pl.String).alias("id_number"))
            )
            detail = pl.concat_str([pl.lit("「"), pl.col("__roster_sheets"), pl.lit("」")])
            found.append(
                emit_query(per_sheet, pl.lit("sheet.roster-without-id"), "id_number", pl.col("__count"), detail)
            )
    return found


def attendance_places(frames: Frames) -> pl.DataFrame:
    """Per file holding roster rows (``_file``): the attendance sheet(s) its trainees' attendance goes
    in and the columns a row of them needs, worded for a message (``__att_sheets``, ``__att_columns``,
    each bilingual), and whether its trainees are expected there (``__att_own``: the file has an
    attendance sheet, or the batch's attendance came as files of their own).

    A trainee's attendance goes in the attendance sheet of the roster's own file. A batch whose
    attendance came as files of their own (no roster in them) puts every trainee's there; a file
    with neither is pointed at every attendance sheet of the batch. The columns are those the sheet
    fills, named as the column list names them, the ID first."""
    from skillcli.schema.columns import SPECS

    schema = {"_file": pl.String, "__att_sheets": pl.String, "__att_columns": pl.String, "__att_own": pl.Boolean}
    roster, attendance = frames.get(SheetKind.ROSTER), frames.get(SheetKind.ATTENDANCE)
    if roster is None or attendance is None or attendance.height == 0:
        return pl.DataFrame(schema=schema)
    specs = [c for c in SPECS[SheetKind.ATTENDANCE] if c.name in attendance.columns]
    filled = attendance.group_by("_file", "_sheet", maintain_order=True).agg(
        *(pl.col(c.name).is_not_null().any().alias(c.name) for c in specs)
    )
    sheets = [
        (row["_file"], row["_sheet"], [c.header for c in specs if row[c.name] or c.name == "id_number"])
        for row in filled.iter_rows(named=True)
    ]
    roster_files = roster.get_column("_file").unique(maintain_order=True).to_list()
    standalone = [s for s in sheets if s[0] not in roster_files]
    rows = []
    for file in roster_files:
        own = [s for s in sheets if s[0] == file]
        places = own or standalone or sheets
        rows.append((file, *_attendance_words(file, places), bool(own or standalone)))
    return pl.DataFrame(rows, schema=schema, orient="row")


def _attendance_words(file: str, places: list[tuple[str, str, list[str]]]) -> tuple[str, str]:
    """(sheets, columns) as bilingual message details: 「考勤汇总」 (another file's named with it) and the
    columns its rows fill, those of every sheet when there are several."""

    def name(other: str) -> str:
        return "" if other == file else other.replace("\\", "/").rsplit("/", 1)[-1]

    columns = list(dict.fromkeys(c for _, _, cs in places for c in cs))
    sheets_zh = "或".join(f"{name(f)}「{s}」" for f, s, _ in places)
    sheets_en = " or ".join(f"{name(f)} '{s}'".strip() for f, s, _ in places)
    return bilingual(sheets_zh, sheets_en), bilingual("、".join(columns), ", ".join(columns))


@check("attendance.trainee-missing", "attendance.id-differs")
def check_attendance_coverage(frames: Frames, ctx: Context) -> list[pl.LazyFrame]:
    """A trainee on the roster with no row in the attendance sheet the roster's file carries: one
    warning per trainee, naming that sheet and the columns the missing row needs. A subsidy computed
    from attendance is held for them (``payout.no-attendance``), so the sender is asked for the row.

    When the attendance has a row of the same name under an ID that is on no roster row, the person
    is there with one of the two numbers mistyped: the warning points at that row instead of asking
    for a row that exists."""
    roster, attendance = frames.get(SheetKind.ROSTER), frames.get(SheetKind.ATTENDANCE)
    if roster is None or attendance is None or not _has(roster, "id_number") or not _has(attendance, "id_number"):
        return []
    known = attendance.get_column("id_number").drop_nulls().unique()
    places = attendance_places(frames).filter(pl.col("__att_own"))
    missing = roster.filter(pl.col("id_number").is_not_null() & ~pl.col("id_number").is_in(known.implode()))
    missing = missing.join(places, on="_file", how="inner")
    if "name" not in missing.columns:
        missing = missing.with_columns(pl.lit(None, pl.String).alias("name"))
    if "name" in attendance.columns:
        rostered = roster.get_column("id_number").drop_nulls().implode()
        namesakes = (
            attendance.filter(pl.col("name").is_not_null() & ~pl.col("id_number").is_in(rostered))
            .group_by("name", maintain_order=True)
            .agg(location(pl.col("_file"), pl.col("_sheet"), pl.col("_row")).first().alias("__namesake"))
        )
        missing = missing.join(namesakes, on="name", how="left")
    else:
        missing = missing.with_columns(pl.lit(None, pl.String).alias("__namesake"))
    # A roster ID with a finding of its own (checksum, digits lost …) cannot be looked up: the row is
    # asked for its number first, not for an attendance row that may well exist under the right one.
    id_valid = id_problem(pl.col("id_number"), pl.lit(False), ctx.today)[0].is_null()
    absent, mistyped = pl.col("__namesake").is_null() & id_valid, pl.col("__namesake").is_not_null()
    detail = pl.concat_str([pl.col("__att_sheets"), pl.lit("; "), pl.col("__att_columns")])
    return [
        emit_query(missing.filter(absent), "attendance.trainee-missing", "name", pl.col("name").fill_null(""), detail),
        emit_query(missing.filter(mistyped), "attendance.id-differs", "id_number", pl.col("name"), pl.col("__namesake")),
    ]


@check("uscc.two-names")
def check_payee_names(frames: Frames, ctx: Context) -> list[pl.LazyFrame]:
    """One 统一社会信用代码 written with two names in one batch becomes two payees with two account
    names, and the bank returns a transfer whose 户名 is not the account's: each other spelling is
    reported once, at its first row, beside the first spelling and where it is."""
    roster = frames.get(SheetKind.ROSTER)
    if roster is None:
        return []
    found = []
    for code_column, name_column in (("institution_uscc", "institution"), ("employer_uscc", "employer_name")):
        if not _has(roster, code_column, name_column):
            continue
        named = (
            roster.select("_file", "_sheet", "_row", "id_number", code_column, name_column)
            .with_row_index("__seq")
            .filter(pl.col(code_column).is_not_null() & pl.col(name_column).is_not_null())
            .filter(pl.col(name_column).n_unique().over(code_column) > 1)
        )
        if named.height == 0:
            continue
        first = named.group_by(code_column, name_column).agg(pl.all().sort_by("__seq").first()).sort("__seq")
        reference = first.group_by(code_column, maintain_order=True).agg(
            pl.col(name_column).first().alias("__ref_name"),
            location(pl.col("_file"), pl.col("_sheet"), pl.col("_row")).first().alias("__ref_loc"),
        )
        counts = named.group_by(code_column, name_column).agg(pl.len().alias("__n"))
        joined = first.join(reference, on=code_column).join(counts, on=[code_column, name_column])
        joined = joined.filter(pl.col(name_column) != pl.col("__ref_name"))
        detail = pl.concat_str(
            [pl.col(code_column), pl.lit("; "), pl.col("__ref_loc"), pl.lit("「"), pl.col("__ref_name"), pl.lit("」")]
        )
        found.append(
            emit_query(
                joined, "uscc.two-names", name_column, pl.col(name_column), detail, person=pl.lit(None, pl.String)
            )
        )
    return found


@check("name.mismatch")
def check_names(frames: Frames, ctx: Context) -> list[pl.LazyFrame]:
    parts = [
        frame.select("_file", "_sheet", "_row", "id_number", "name").with_columns(pl.lit(order).alias("__kind"))
        for order, kind in enumerate((SheetKind.ROSTER, SheetKind.ATTENDANCE, SheetKind.CERTIFICATES))
        if (frame := frames.get(kind)) is not None and _has(frame, "id_number", "name")
    ]
    if not parts:
        return []
    people = (
        pl.concat(parts)
        .with_row_index("__seq")
        .filter(pl.col("id_number").is_not_null() & pl.col("name").is_not_null())
    )
    # Only IDs written with more than one name can disagree: look at those alone.
    people = people.filter(pl.col("name").n_unique().over("id_number") > 1)
    if people.height == 0:
        return []
    ordered = people.sort("__kind", "__seq")
    reference = ordered.group_by("id_number", maintain_order=True).agg(
        pl.col("name").first().alias("__ref_name"),
        location(pl.col("_file"), pl.col("_sheet"), pl.col("_row")).first().alias("__ref_loc"),
    )
    joined = people.join(reference, on="id_number", how="left")
    code = pl.when(pl.col("name") != pl.col("__ref_name")).then(pl.lit("name.mismatch"))
    detail = pl.concat_str([pl.col("__ref_loc"), pl.lit("「"), pl.col("__ref_name"), pl.lit("」")])
    return [emit_query(joined, code, "name", pl.col("name"), detail)]


@check("attendance.present-exceeds-required", "attendance.online-exceeds-total", "attendance.hours-sum")
def check_attendance_counts(frames: Frames, ctx: Context) -> list[pl.LazyFrame]:
    frame = frames.get(SheetKind.ATTENDANCE)
    if frame is None:
        return []
    found = []
    if _has(frame, "days_present", "days_required"):
        code = pl.when(pl.col("days_present") > pl.col("days_required")).then(
            pl.lit("attendance.present-exceeds-required")
        )
        found.append(emit_query(frame, code, "days_present", pl.col("days_present"), pl.col("days_required")))
    if _has(frame, "hours_online", "hours_total"):
        code = pl.when(pl.col("hours_online") > pl.col("hours_total")).then(pl.lit("attendance.online-exceeds-total"))
        found.append(
            emit_query(
                frame, code, "hours_online", hours_text(pl.col("hours_online")), hours_text(pl.col("hours_total"))
            )
        )
    if _has(frame, "hours_online", "hours_offline", "hours_total"):
        both = pl.col("hours_online") + pl.col("hours_offline")
        code = pl.when((both - pl.col("hours_total")).abs() > 0.01).then(pl.lit("attendance.hours-sum"))
        # The finding is filed under 总学时, so its value is that cell's; the sum goes in the detail.
        found.append(emit_query(frame, code, "hours_total", hours_text(pl.col("hours_total")), hours_text(both)))
    return found


LEVEL_NAMES = {level.value: label for level, label in LEVEL_LABELS.items()}
NEW_CERT_RE = r"^[YS][0-9A-Z]{4}\d{2}[0-9A-Z]{6}\d{2}[1-5]\d{6}$"
OLD_CERT_RE = r"^\d{16}$"


@check("cert.duplicate-number", "cert.number-level-mismatch", "cert.number-year-mismatch")
def check_certificates(frames: Frames, ctx: Context) -> list[pl.LazyFrame]:
    frame = frames.get(SheetKind.CERTIFICATES)
    if frame is None or "cert_number" not in frame.columns:
        return []
    number = pl.col("cert_number")
    first = location(pl.col("_file"), pl.col("_sheet"), pl.col("_row")).first().over("cert_number")
    rank = pl.int_range(pl.len()).over("cert_number")
    keyed = frame.with_columns(first.alias("__first"), rank.alias("__rank"))
    found = [
        emit_query(
            keyed,
            pl.when(number.is_not_null() & (pl.col("__rank") > 0)).then(pl.lit("cert.duplicate-number")),
            "cert_number",
            number,
            pl.col("__first"),
        )
    ]
    is_new, is_old = number.str.contains(NEW_CERT_RE), number.str.contains(OLD_CERT_RE)
    level_digit = pl.when(is_new).then(number.str.slice(15, 1)).when(is_old).then(number.str.slice(10, 1))
    year_digits = pl.when(is_new).then(number.str.slice(13, 2)).when(is_old).then(number.str.slice(0, 2))
    if "level" in frame.columns:
        stated = pl.col("level").str.extract(r"^L(\d)$", 1)
        code = pl.when(level_digit.is_not_null() & stated.is_not_null() & (level_digit != stated)).then(
            pl.lit("cert.number-level-mismatch")
        )
        named = pl.concat_str([pl.lit("L"), level_digit]).replace_strict(
            LEVEL_NAMES, default=None, return_dtype=pl.String
        )
        found.append(emit_query(frame, code, "cert_number", number, named))
    if "issue_date" in frame.columns:
        issued = pl.col("issue_date").dt.strftime("%y")
        code = pl.when(year_digits.is_not_null() & issued.is_not_null() & (year_digits != issued)).then(
            pl.lit("cert.number-year-mismatch")
        )
        found.append(emit_query(frame, code, "cert_number", number, pl.concat_str([pl.lit("20"), year_digits])))
    return found


@check("value.too-long")
def check_ledger_lengths(frames: Frames, ctx: Context) -> list[pl.LazyFrame]:
    """A value longer than the ledger's column holds, on its row, whichever database is used."""
    found = []
    for frame in frames.values():
        for column, limit in INPUT_LIMITS.items():
            if column not in frame.columns or frame.schema[column] != pl.String:
                continue
            length = pl.col(column).str.len_chars()
            code = pl.when(length > limit).then(pl.lit("value.too-long"))
            detail = pl.concat_str([length.cast(pl.String), pl.lit(f" > {limit}")])
            found.append(emit_query(frame, code, column, pl.col(column).str.slice(0, 40), detail))
    return found


def run_checks(frames: Frames, ctx: Context) -> pl.DataFrame:
    """Every registered check over the batch, as one findings frame: their queries collected
    together, which Polars runs side by side (one collect per check before, issue 16)."""
    queries = [query for fn, _ in REGISTRY for query in fn(frames, ctx)]
    return concat(emitted(found) for found in pl.collect_all(queries))
