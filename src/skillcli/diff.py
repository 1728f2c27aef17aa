"""Compare two submissions of a batch: rows added, removed and changed, and what that does to the payout.

An institution sends its roster back corrected; the clerk wants to know what changed and what the
change does to the payout without re-reading both files. Both files have already gone through
``load_batch`` (the same reader and normaliser as ``check``), so a change of format (xlsx → csv) or
of layout (a title row, columns reordered, a header renamed to an alias) is not a change.

Rows are matched by person and training, never by row number: each sheet kind has its key
(``KEY_FIELDS``). Values are compared in their normalised form: the typed value where the cell
parsed (a date, a level code, a yes/no, fen), else the cell text, so ``2021.4.6`` and
``2021-04-06`` are the same date but two different unreadable texts are still a change.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from skillcli.findings import Issue, from_rows
from skillcli.findings import concat as concat_findings
from skillcli.model import LEVEL_LABELS, SheetKind
from skillcli.money import yuan_text_expr
from skillcli.schema.columns import SPECS, ColType
from skillcli.schema.validate import MONEY_TYPED

if TYPE_CHECKING:
    from skillcli.payout.decision import Decision
    from skillcli.pipeline import Batch

# A row is the same row in both files when these agree (issue 17): the person and the training for
# the roster, the person and the certificate number for certificates, the person and the class (and
# the day, for a daily register) for attendance.
KEY_FIELDS: dict[SheetKind, tuple[str, ...]] = {
    SheetKind.ROSTER: ("id_number", "training_type", "occupation", "level", "start_date"),
    SheetKind.ATTENDANCE: ("id_number", "class_id", "date"),
    SheetKind.CERTIFICATES: ("id_number", "cert_number"),
}
Side = str  # "old" | "new"
_LEVEL_NAMES = {level.value: label for level, label in LEVEL_LABELS.items()}


def _headers() -> dict[str, str]:
    """Canonical name → the header shown in the diff sheets (the first kind that has the column)."""
    names: dict[str, str] = {}
    for kind in SheetKind:
        for column in SPECS[kind]:
            names.setdefault(column.name, column.header)
    return names


HEADERS = _headers()
STATE_ZH = {"fixed": "已修正", "new": "新出现", "remaining": "仍存在"}


@dataclass(frozen=True, slots=True)
class RowAt:
    """One data row of one side: where it is and its values (normalised text, None when blank)."""

    file: str
    sheet: str
    row: int
    values: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class RowChange:
    """One row's fate. ``change`` is added, removed, changed or same; ``cells`` the changed columns.

    ``match`` identifies the row across both files (findings and payout lines are joined on it).
    ``duplicate`` is set for a row whose key is repeated in its file and that had no identical twin
    in the other file: such rows are listed as added or removed, never paired by guess.
    """

    kind: SheetKind
    change: str
    match: int
    old: RowAt | None
    new: RowAt | None
    cells: tuple[tuple[str, str | None, str | None], ...] = ()
    duplicate: bool = False


@dataclass(slots=True)
class KindColumns:
    """The columns of one sheet kind: compared (in both files), and those only one file has."""

    compared: tuple[str, ...]
    only_old: tuple[str, ...]
    only_new: tuple[str, ...]

    def index(self, name: str) -> int:
        return self.compared.index(name)


@dataclass(slots=True)
class RowDiff:
    """Every row of both files, matched, with the duplicated keys found on the way."""

    columns: dict[SheetKind, KindColumns]
    rows: list[RowChange]
    duplicates: pl.DataFrame  # findings (FINDING_SCHEMA): one per row whose key repeats in its file

    def of(self, change: str) -> list[RowChange]:
        return [r for r in self.rows if r.change == change]

    def counts(self) -> dict[str, dict[str, int]]:
        counted: dict[str, dict[str, int]] = {}
        for kind in self.columns:
            mine = [r for r in self.rows if r.kind is kind]
            counted[kind.value] = {c: sum(r.change == c for r in mine) for c in ("added", "removed", "changed", "same")}
        return counted

    @property
    def same(self) -> bool:
        return all(r.change == "same" for r in self.rows) and not any(
            c.only_old or c.only_new for c in self.columns.values()
        )

    def locations(self, side: Side) -> pl.DataFrame:
        """``file, sheet, row → kind, match``: where each matched row sits in one side's file."""
        found = [
            (at.file, at.sheet, at.row, r.kind.value, r.match, r.change)
            for r in self.rows
            if (at := (r.old if side == "old" else r.new)) is not None
        ]
        return pl.DataFrame(
            found,
            schema={
                "file": pl.String,
                "sheet": pl.String,
                "row": pl.Int64,
                "kind": pl.String,
                "match": pl.Int64,
                "change": pl.String,
            },
            orient="row",
        )


# -- reading both sides in one normalised form ---------------------------------------------------
def _present(batch: Batch, kind: SheetKind) -> set[str]:
    """The canonical columns some sheet of this kind has (a 培训时间 column gives start and end)."""
    return {
        name for f in batch.files for s in f.sheets if s.kind is kind for name in s.headers if name != "training_period"
    }


def _typed_text(name: str, ctype: ColType) -> pl.Expr:
    """The typed value as text in the form the clerk reads it (dates ISO, levels by name, yuan)."""
    column = pl.col(MONEY_TYPED.get(name, name))
    if ctype is ColType.DATE:
        return column.dt.strftime("%Y-%m-%d")
    if ctype is ColType.LEVEL:
        return column.replace_strict(_LEVEL_NAMES, default=column, return_dtype=pl.String)
    if ctype is ColType.YESNO:
        return pl.when(column).then(pl.lit("是")).when(column.not_()).then(pl.lit("否"))
    if ctype is ColType.MONEY:
        return yuan_text_expr(column)
    if ctype is ColType.NUMBER:
        return column.cast(pl.String).str.replace(r"\.0$", "")
    return column.cast(pl.String)


def _side_rows(batch: Batch, kind: SheetKind, columns: tuple[str, ...]) -> list[RowAt]:
    """Each data row of one kind as ``RowAt``: typed value as text where the cell parsed, else the text read."""
    typed = batch.frames.get(kind)
    if typed is None or typed.height == 0:
        return []
    raw = batch.raw[kind]
    specs = {c.name: c for c in SPECS[kind]}
    raw_names = [c for c in raw.columns if not c.startswith("_")]
    joined = typed.join(
        raw.select("_file", "_sheet", "_row", *(pl.col(c).alias(f"__raw_{c}") for c in raw_names)),
        on=["_file", "_sheet", "_row"],
        how="left",
    )
    # The typed value, not the text, is what is compared: "2021.4.6" and "2021-04-06" are one date,
    # "四级" and "中级工" one level, "1,500" and "1500.00" one amount, so a resubmission typed
    # differently is not reported as changed. A cell that did not parse keeps its text, so replacing
    # one unreadable value by another is still a change.
    values = []
    for name in columns:
        fallbacks = [pl.col(f"__raw_{name}")] if name in raw_names else []
        if name in ("start_date", "end_date") and "training_period" in raw_names:
            fallbacks.append(pl.col("__raw_training_period"))
        values.append(pl.coalesce(_typed_text(name, specs[name].ctype), *fallbacks).alias(name))
    frame = joined.select("_file", "_sheet", "_row", *values).sort("_file", "_sheet", "_row")
    return [RowAt(f, s, r, tuple(v)) for f, s, r, *v in frame.iter_rows()]


# -- matching ------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Matcher:
    kind: SheetKind
    columns: KindColumns
    next_match: Callable[[], int]
    rows: list[RowChange] = field(default_factory=list)
    duplicates: list[tuple[Side, RowAt, str, list[RowAt]]] = field(default_factory=list)

    def pair(self, old: RowAt, new: RowAt) -> None:
        cells = tuple(
            (name, a, b) for name, a, b in zip(self.columns.compared, old.values, new.values, strict=True) if a != b
        )
        self.rows.append(RowChange(self.kind, "changed" if cells else "same", self.next_match(), old, new, cells))

    def alone(self, side: Side, at: RowAt, *, duplicate: bool = False) -> None:
        old, new = (at, None) if side == "old" else (None, at)
        change = "removed" if side == "old" else "added"
        self.rows.append(RowChange(self.kind, change, self.next_match(), old, new, duplicate=duplicate))


def _key(at: RowAt, positions: list[int]) -> tuple[str | None, ...]:
    return tuple(at.values[i] for i in positions)


def _match_kind(
    kind: SheetKind, columns: KindColumns, old: list[RowAt], new: list[RowAt], next_match: Callable[[], int]
) -> _Matcher:
    fields = [f for f in KEY_FIELDS[kind] if f in columns.compared]
    positions = [columns.index(f) for f in fields]
    matcher = _Matcher(kind, columns, next_match)
    groups: dict[tuple[str | None, ...], tuple[list[RowAt], list[RowAt]]] = defaultdict(lambda: ([], []))
    for at in old:
        groups[_key(at, positions)][0].append(at)
    for at in new:
        groups[_key(at, positions)][1].append(at)
    loose_old: list[RowAt] = []
    loose_new: list[RowAt] = []
    for key, (olds, news) in groups.items():
        if len(olds) > 1 or len(news) > 1:
            _match_repeated(matcher, key, olds, news)
        elif olds and news:
            matcher.pair(olds[0], news[0])
        else:
            loose_old += olds
            loose_new += news
    loose_old, loose_new = _pair_corrected(matcher, positions, loose_old, loose_new)
    for at in loose_old:
        matcher.alone("old", at)
    for at in loose_new:
        matcher.alone("new", at)
    return matcher


def _match_repeated(
    matcher: _Matcher, key: tuple[str | None, ...], olds: list[RowAt], news: list[RowAt]
) -> None:
    """A key repeated in one file cannot say which row became which. Rows identical in every
    compared column are the same row (a resubmission that repeats a duplicate unchanged); the
    others are listed as removed and added rather than paired by guess."""
    for side, group in (("old", olds), ("new", news)):
        if len(group) > 1:
            text = " | ".join(v or "" for v in key)
            matcher.duplicates += [(side, at, text, group) for at in group]
    twins: dict[tuple[str | None, ...], deque[RowAt]] = defaultdict(deque)
    for at in news:
        twins[at.values].append(at)
    for at in olds:
        if twins[at.values]:
            matcher.pair(at, twins[at.values].popleft())
        else:
            matcher.alone("old", at, duplicate=True)
    for queue in twins.values():
        for at in queue:
            matcher.alone("new", at, duplicate=True)


def _pair_corrected(
    matcher: _Matcher, positions: list[int], loose_old: list[RowAt], loose_new: list[RowAt]
) -> tuple[list[RowAt], list[RowAt]]:
    """Pair the rows whose key itself was corrected; returns the rows left alone on each side.

    A corrected ID, level, occupation or date changes the key itself. A row that appears removed
    and one that appears added, agreeing on every other key field (and on the name when the ID is
    what changed), are one row corrected when that pairing is unique on both sides: this is what
    a resubmission mostly is, and the payout effect must be shown on the person, not as a loss
    plus a gain.
    """
    columns = matcher.columns
    name_at = [columns.index("name")] if "name" in columns.compared else []
    id_at = columns.index("id_number") if "id_number" in columns.compared else None
    for skip in positions:
        rest = [p for p in positions if p != skip] + (name_at if skip == id_at else [])
        if not rest or not loose_old or not loose_new:
            continue
        by_old: dict[tuple[str | None, ...], list[RowAt]] = defaultdict(list)
        by_new: dict[tuple[str | None, ...], list[RowAt]] = defaultdict(list)
        for at in loose_old:
            by_old[_key(at, rest)].append(at)
        for at in loose_new:
            by_new[_key(at, rest)].append(at)
        paired: set[int] = set()
        for key, olds in by_old.items():
            news = by_new.get(key, [])
            if len(olds) == 1 and len(news) == 1 and any(v is not None for v in key):
                matcher.pair(olds[0], news[0])
                paired |= {id(olds[0]), id(news[0])}
        loose_old = [at for at in loose_old if id(at) not in paired]
        loose_new = [at for at in loose_new if id(at) not in paired]
    return loose_old, loose_new


def diff_rows(old: Batch, new: Batch) -> RowDiff:
    """Match every row of ``old`` and ``new`` by key and list what was added, removed and changed."""
    counter = iter(range(1, 1 << 62))
    columns: dict[SheetKind, KindColumns] = {}
    rows: list[RowChange] = []
    duplicates: list[pl.DataFrame] = []
    for kind in SheetKind:
        present_old, present_new = _present(old, kind), _present(new, kind)
        if not present_old and not present_new:
            continue
        order = [c.name for c in SPECS[kind] if c.ctype is not ColType.PERIOD]
        kind_columns = KindColumns(
            tuple(c for c in order if c in present_old and c in present_new),
            tuple(c for c in order if c in present_old and c not in present_new),
            tuple(c for c in order if c in present_new and c not in present_old),
        )
        columns[kind] = kind_columns
        matcher = _match_kind(
            kind,
            kind_columns,
            _side_rows(old, kind, kind_columns.compared),
            _side_rows(new, kind, kind_columns.compared),
            lambda: next(counter),
        )
        rows += sorted(matcher.rows, key=_reading_order)
        duplicates.append(_duplicate_issues(matcher, kind_columns))
    return RowDiff(columns, rows, concat_findings(duplicates))


def _reading_order(change: RowChange) -> tuple[int, str, str, int]:
    at = change.new or change.old
    assert at is not None
    return (0 if change.new is not None else 1, at.file, at.sheet, at.row)


def _duplicate_issues(matcher: _Matcher, columns: KindColumns) -> pl.DataFrame:
    """``diff.duplicate-key`` for every row whose key repeats in its own file, naming the other rows."""
    id_at = columns.index("id_number") if "id_number" in columns.compared else None
    return from_rows(
        Issue(
            at.file,
            at.sheet,
            at.row,
            "id_number",
            text,
            "diff.duplicate-key",
            f"{'旧' if side == 'old' else '新'}文件 " + "、".join(f"{o.sheet}!{o.row}" for o in group if o is not at),
            (at.values[id_at] if id_at is not None else None) or "",
        )
        for side, at, text, group in matcher.duplicates
    )


# -- findings: fixed, new and remaining ----------------------------------------------------------
FINDING_STATES = ("fixed", "new", "remaining")


def _header_map(batch: Batch) -> pl.DataFrame:
    rows = [
        (f.path, s.sheet, text, canonical)
        for f in batch.files
        for s in f.sheets
        for canonical, text in s.headers.items()
    ]
    return pl.DataFrame(
        rows, schema={"file": pl.String, "sheet": pl.String, "column": pl.String, "canonical": pl.String}, orient="row"
    ).unique(subset=["file", "sheet", "column"], keep="first")


def _keyed_findings(findings: pl.DataFrame, batch: Batch, where: pl.DataFrame) -> pl.DataFrame:
    """Findings with a key that survives a resubmission: code + column (canonical) + row match.

    A finding about a data row is keyed by the row's match (the same person and training in both
    files), one about a whole file or sheet by its value: row numbers never enter the key.
    """
    keyed = (
        findings.join(_header_map(batch), on=["file", "sheet", "column"], how="left")
        .join(
            where.select("file", "sheet", "row", "match", pl.col("change").alias("row_change")),
            on=["file", "sheet", "row"],
            how="left",
        )
        .with_columns(
            pl.concat_str(
                [
                    pl.col("code"),
                    pl.coalesce("canonical", "column"),
                    pl.when(pl.col("match").is_not_null())
                    .then(pl.concat_str([pl.lit("row:"), pl.col("match").cast(pl.String)]))
                    .otherwise(pl.concat_str([pl.lit("value:"), pl.col("value")])),
                ],
                separator="\x00",
                ignore_nulls=True,
            ).alias("__key")
        )
    )
    return keyed.with_columns(pl.int_range(pl.len()).over("__key").alias("__nth"))


def finding_changes(
    old: Batch, new: Batch, rows: RowDiff, old_decision: Decision | None = None, new_decision: Decision | None = None
) -> pl.DataFrame:
    """Every finding of either side with its state: fixed (old only), new (new only) or remaining.

    With a policy the payout's exceptions (no attendance, limits, already paid …) count as findings
    too: a correction that clears one is a fix the clerk wants to see.
    """
    columns = ["file", "sheet", "row", "column", "value", "code", "severity", "message_zh", "message_en", "person_id"]

    def side(batch: Batch, decision: Decision | None, name: Side) -> pl.DataFrame:
        parts = [batch.findings.select(columns)]
        if decision is not None:
            # The payout's batch-level hints (blanks read as the ordinary value, with their count; columns
            # no sheet has) are not about a row: they are left out rather than compared by their counts.
            notes = decision.warnings.filter(pl.col("row").is_not_null())
            parts += [decision.exceptions.select(columns), notes.select(columns)]
        found = pl.concat(parts, how="vertical_relaxed").unique(maintain_order=True)
        return _keyed_findings(found, batch, rows.locations(name))

    before, after = side(old, old_decision, "old"), side(new, new_decision, "new")
    joined = before.join(after, on=["__key", "__nth"], how="full", coalesce=True, suffix="_new")
    state = (
        pl.when(pl.col("code").is_null())
        .then(pl.lit("new"))
        .when(pl.col("code_new").is_null())
        .then(pl.lit("fixed"))
        .otherwise(pl.lit("remaining"))
    )

    def pick(name: str) -> pl.Expr:
        return pl.coalesce(pl.col(f"{name}_new"), pl.col(name)).alias(name)

    return (
        joined.with_columns(state.alias("state"))
        .select(
            "state",
            pick("code"),
            pick("severity"),
            pick("column"),
            pick("person_id"),
            pick("row_change"),
            pl.col("file").alias("old_file"),
            pl.col("sheet").alias("old_sheet"),
            pl.col("row").alias("old_row"),
            pl.col("value").alias("old_value"),
            pl.col("file_new").alias("new_file"),
            pl.col("sheet_new").alias("new_sheet"),
            pl.col("row_new").alias("new_row"),
            pl.col("value_new").alias("new_value"),
            pick("message_zh"),
            pick("message_en"),
        )
        .with_columns(pl.col("state").replace_strict(FINDING_STATES, list(range(3))).alias("__order"))
        .sort("__order", "new_row", "old_row", "code", nulls_last=True, maintain_order=True)
        .drop("__order")
    )


# -- the payout effect -------------------------------------------------------------------------
STATUS_ZH = {"paid": "发放", "exception": "异常", "ineligible": "不符合条件", "absent": "无此行"}
STATUS_EN = {"paid": "paid", "exception": "exception", "ineligible": "not eligible", "absent": "no such row"}
PAYOUT_CHANGES = ("newly-paid", "no-longer-paid", "amount-changed")


@dataclass(frozen=True, slots=True)
class PayoutChange:
    """One roster row (person and training) whose payout differs between the two files."""

    change: str  # newly-paid | no-longer-paid | amount-changed
    row: RowChange
    old_status: str
    new_status: str
    old_fen: int
    new_fen: int
    old_rules: str
    new_rules: str
    reason_zh: str
    reason_en: str

    @property
    def delta_fen(self) -> int:
        return self.new_fen - self.old_fen


@dataclass(slots=True)
class PayoutEffect:
    """What the corrected file does to the payout under one policy."""

    policy: str
    old_total_fen: int
    new_total_fen: int
    changes: list[PayoutChange]

    @property
    def delta_fen(self) -> int:
        return self.new_total_fen - self.old_total_fen


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: str
    fen: int
    rules: str
    reason_zh: str
    reason_en: str


def _outcomes(decision: Decision, where: pl.DataFrame) -> dict[int, _Outcome]:
    """Per roster row (by match): its status, the fen paid now, the rules and why it is not paid."""
    paid = decision.lines.group_by("_rid").agg(
        pl.col("amount_fen").sum().alias("__fen"),
        pl.concat_str([pl.col("rule"), pl.lit(" "), pl.col("formula")]).str.join("；").alias("__rules"),
    )
    excepted = decision.exceptions.group_by("_rid", maintain_order=True).agg(
        pl.col("message_zh").str.join("；").alias("__zh"), pl.col("message_en").str.join("; ").alias("__en")
    )
    ineligible = decision.ineligible.select("_rid", pl.col("reason").alias("__why"), pl.col("reason_code"))
    frame = (
        decision.status.join(paid, on="_rid", how="left")
        .join(excepted, on="_rid", how="left")
        .join(ineligible, on="_rid", how="left")
        .join(
            where.filter(pl.col("kind") == SheetKind.ROSTER.value),
            left_on=["_file", "_sheet", "_row"],
            right_on=["file", "sheet", "row"],
            how="inner",
        )
    )
    found: dict[int, _Outcome] = {}
    for r in frame.iter_rows(named=True):
        if r["status"] == "exception":
            zh, en = r["__zh"] or "", r["__en"] or ""
        elif r["status"] == "ineligible":
            zh, en = r["__why"] or "", r["reason_code"] or ""
        else:
            zh = en = ""
        found[r["match"]] = _Outcome(r["status"], int(r["__fen"] or 0), r["__rules"] or "", zh, en)
    return found


def cells_text(change: RowChange, *, english: bool = False) -> str:
    """The changed cells of a row: 培训等级: 四级/中级工 → 三级/高级工."""
    return "；".join(
        f"{name if english else HEADERS[name]}: {old or '(空)'} → {new or '(空)'}" for name, old, new in change.cells
    )


def _why(change: str, before: _Outcome, after: _Outcome) -> tuple[str, str]:
    """The reason for a payout change: the side that is not paid says why (or that the row is absent)."""
    if change == "amount-changed":
        return f"计算 {before.rules} → {after.rules}", f"computed {before.rules} → {after.rules}"
    if change == "newly-paid":
        side, zh, en = before, "原为", "was "
        absent = ("新文件新增此行", "row added in the new file")
    else:
        side, zh, en = after, "现为", "now "
        absent = ("新文件删除了此行", "row removed in the new file")
    if side.status == "absent":
        return absent
    return (
        zh + STATUS_ZH[side.status] + (f"：{side.reason_zh}" if side.reason_zh else ""),
        en + STATUS_EN[side.status] + (f": {side.reason_en}" if side.reason_en else ""),
    )


def payout_effect(rows: RowDiff, old: Decision, new: Decision) -> PayoutEffect:
    """Per roster row: newly paid, no longer paid or amount changed, with the reason."""
    before, after = _outcomes(old, rows.locations("old")), _outcomes(new, rows.locations("new"))
    absent = _Outcome("absent", 0, "", "", "")
    changes: list[PayoutChange] = []
    for row in rows.rows:
        if row.kind is not SheetKind.ROSTER:
            continue
        a, b = before.get(row.match, absent), after.get(row.match, absent)
        if a.fen == b.fen:
            continue
        change = "newly-paid" if a.fen == 0 else "no-longer-paid" if b.fen == 0 else "amount-changed"
        why_zh, why_en = _why(change, a, b)
        zh, en = [why_zh], [why_en]
        if row.cells:
            zh.append("修改 " + cells_text(row))
            en.append("changed " + cells_text(row, english=True))
        changes.append(
            PayoutChange(change, row, a.status, b.status, a.fen, b.fen, a.rules, b.rules, "；".join(zh), "; ".join(en))
        )
    return PayoutEffect(old.policy.id, old.total_fen, new.total_fen, changes)


def describe_key(kind: SheetKind, columns: KindColumns, at: RowAt) -> str:
    """The key of a row as the clerk reads it: 技能提升 | 电工 | 四级/中级工 | 2024-05-06 (ID left out)."""
    fields = [f for f in KEY_FIELDS[kind] if f in columns.compared and f != "id_number"]
    return " | ".join(at.values[columns.index(f)] or "" for f in fields)


@dataclass(slots=True)
class DiffReport:
    """Everything ``skillcli diff`` reports, for the workbook, the CSVs and ``--json``."""

    old: Batch
    new: Batch
    rows: RowDiff
    findings: pl.DataFrame  # skillcli.diff.finding_changes
    duplicates: pl.DataFrame  # rendered diff.duplicate-key findings
    payout: PayoutEffect | None

    @property
    def same(self) -> bool:
        return self.rows.same and not (self.payout and self.payout.changes)

    def finding_counts(self) -> dict[str, int]:
        counted = dict(self.findings.group_by("state").len().iter_rows())
        return {s: int(counted.get(s, 0)) for s in STATE_ZH}


def compare(old: Batch, new: Batch, decisions: tuple[Decision, Decision] | None = None) -> DiffReport:
    """The whole diff of two checked batches; with ``decisions`` (old, new) also the payout effect."""
    from skillcli import pipeline

    rows = diff_rows(old, new)
    headers = [*old.headers, *new.headers]
    order = list(dict.fromkeys([*old.file_order, *new.file_order]))
    duplicates = pipeline.render_findings(rows.duplicates, headers, order)
    old_decision, new_decision = decisions if decisions is not None else (None, None)
    findings = finding_changes(old, new, rows, old_decision, new_decision)
    effect = payout_effect(rows, *decisions) if decisions is not None else None
    return DiffReport(old, new, rows, findings, duplicates, effect)
