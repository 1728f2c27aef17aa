"""Vectorised parsers: text cells to dates, fen, levels and booleans, each with its findings.

Every parser is a pair of Polars expressions over one cleaned text column: the typed value and a
finding code (null when the cell is fine). No Python runs per row, so the same code handles a
district's 1 000 rows and a province's million.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

# -- identity numbers --------------------------------------------------------------------------
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID18_RE = r"^\d{17}[\dX]$"
ID15_RE = r"^\d{15}$"
SCI_RE = r"^\d(?:\.\d+)?E\+?\d+$"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"


# A leading apostrophe (typed ' or the curly ’ ‘ an IME gives) is a clerk's way to make Excel keep a
# long number as text; it is not part of the ID, phone or credit code behind it.
TEXT_MARKER_RE = r"^\s*['’‘`]+"


def compact_upper(expr: pl.Expr) -> pl.Expr:
    """Identifiers: no text marker in front, no spaces or dashes anywhere, upper case (a lowercase x
    is common)."""
    return expr.str.replace(TEXT_MARKER_RE, "").str.replace_all(r"[\s\-]", "").str.to_uppercase()


def id_check_char(body17: pl.Expr) -> pl.Expr:
    """GB 11643 check character of a 17-digit body: Σ(digit × weight) mod 11 → 10X98765432."""
    total = pl.sum_horizontal(
        [body17.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(ID_WEIGHTS)]
    )
    return (total % 11).replace_strict(list(range(11)), list(ID_CHECK_CHARS), return_dtype=pl.String)


def id_birth_date(id18: pl.Expr) -> pl.Expr:
    """The birth date inside an 18-digit ID (null when not a real date)."""
    return id18.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)


def upgrade_id15(id15: pl.Expr) -> pl.Expr:
    """The 18-digit form of an old 15-digit ID: insert the century 19 and append the check."""
    body = id15.str.slice(0, 6) + pl.lit("19") + id15.str.slice(6, 9)
    return body + id_check_char(body)


def id_parts(value: pl.Expr) -> dict[str, pl.Expr]:
    """The costly intermediate values of ``id_problem``, to be computed once as columns."""
    return {"check": id_check_char(value.str.slice(0, 17)), "birth": id_birth_date(value)}


def id_problem(
    value: pl.Expr, numeric: pl.Expr, today: dt.date, parts: dict[str, pl.Expr] | None = None
) -> tuple[pl.Expr, pl.Expr]:
    """(code, detail) for an ID column; code is null when the ID is valid.

    ``parts`` are ``id_parts`` already materialised as columns (Polars does not share them
    between the branches of a when-chain, so computing them inline costs several times more).
    """
    parts = parts or id_parts(value)
    check, birth = parts["check"], parts["birth"]
    code = (
        pl.when(value.is_null())
        .then(None)
        # A number cell keeps 15 significant digits: a longer number there has lost its tail, while
        # a 15-digit old ID typed as a number is still exact.
        .when((numeric & value.str.contains(r"^\d{16,}$")) | value.str.contains(SCI_RE))
        .then(pl.lit("id.precision-lost"))
        .when(value.str.contains(ID15_RE))
        .then(pl.lit("id.old-15-digit"))
        .when(~value.str.contains(ID18_RE))
        .then(pl.lit("id.format"))
        .when(birth.is_null() | (birth > pl.lit(today)) | (birth < pl.lit(dt.date(1900, 1, 1))))
        .then(pl.lit("id.birth-date"))
        .when(value.str.slice(17, 1) != check)
        .then(pl.lit("id.checksum"))
        .otherwise(None)
    )
    detail = (
        pl.when(code == "id.checksum")
        .then(check)
        .when(code == "id.old-15-digit")
        .then(upgrade_id15(value))
        .when(code == "id.birth-date")
        .then(value.str.slice(6, 8))
        .when(code == "id.precision-lost")
        .then(excel_shows(value))
        .otherwise(None)
    )
    return code, detail


def excel_shows(number: pl.Expr) -> pl.Expr:
    """What Excel shows in a General cell holding a long number: six significant digits in scientific
    notation (3.20584E+17), so that the clerk can find the cell the message names. A value read as
    that text already is returned as it is."""
    digits = number.str.len_chars()
    mantissa = (number.cast(pl.Float64, strict=False) / pl.lit(10.0).pow(digits - 1)).round(5)
    shown = pl.concat_str([mantissa.cast(pl.String), pl.lit("E+"), (digits - 1).cast(pl.String)])
    return pl.when(number.str.contains(r"^\d+$")).then(shown).otherwise(number)


def uscc_check_char(body17: pl.Expr) -> pl.Expr:
    """GB 32100 check character: 31 − (Σ value × weight mod 31), over the 31-character alphabet."""
    values = list(range(len(USCC_ALPHABET)))
    total = pl.sum_horizontal(
        [
            body17.str.slice(i, 1).replace_strict(list(USCC_ALPHABET), values, default=0, return_dtype=pl.Int32) * w
            for i, w in enumerate(USCC_WEIGHTS)
        ]
    )
    index = (31 - total % 31) % 31
    return index.replace_strict(values, list(USCC_ALPHABET), return_dtype=pl.String)


def uscc_problem(value: pl.Expr, check: pl.Expr | None = None) -> tuple[pl.Expr, pl.Expr]:
    """(code, detail) for a credit-code column; ``check`` may be ``uscc_check_char`` materialised."""
    check = check if check is not None else uscc_check_char(value.str.slice(0, 17))
    code = (
        pl.when(value.is_null())
        .then(None)
        .when(~value.str.contains(USCC_RE))
        .then(pl.lit("uscc.format"))
        .when(value.str.slice(17, 1) != check)
        .then(pl.lit("uscc.checksum"))
        .otherwise(None)
    )
    return code, pl.when(code == "uscc.checksum").then(check).otherwise(None)


# -- dates -------------------------------------------------------------------------------------
_COMPACT_RE = r"^(\d{4})(\d{2})(\d{2})$"
_MONTH_RE = r"^\d{4}[-/.年]\d{1,2}月?$"
_SERIAL_RE = r"^\d{5}(?:\.\d+)?$"
EXCEL_EPOCH = dt.date(1899, 12, 30)


OPEN_ENDED = dt.date(9999, 12, 31)
_OPEN_ENDED_RE = r"^(无固定期限|长期|无期限|永久|至今)$"


def parse_date(value: pl.Expr, *, open_ended: bool = False) -> tuple[pl.Expr, pl.Expr]:
    """(date, code) for a date cell written in any accepted form.

    Accepted: Excel date cells (read as "2024-05-06 00:00:00"), serial numbers 10000–99999,
    2024-05-06, 2024/5/6, 2024.5.6, 2024年5月6日, 20240506 and ISO strings with a time part.
    A year and month alone is ``date.month-only``; anything else, or an impossible day such as
    2024-02-30, is ``date.invalid``. Nothing is guessed.
    """
    # The time part of "2024-05-06 00:00:00" or "2024-05-06T10:00" is dropped by a split (a
    # regex here costs ten times more on a 100 000-row column).
    text = value.str.replace("T", " ", literal=True).str.split_exact(" ", 1).struct.field("field_0")
    year_first = text.str.contains(r"^\d{4}\D") | (text.str.len_bytes() == 8)
    iso = pl.when(year_first).then(
        pl.coalesce(
            text.str.to_date("%Y-%m-%d", strict=False),
            text.str.to_date("%Y/%m/%d", strict=False),
            text.str.to_date("%Y.%m.%d", strict=False),
            text.str.to_date("%Y年%m月%d日", strict=False),
            pl.when(text.str.contains(_COMPACT_RE)).then(text.str.to_date("%Y%m%d", strict=False)),
        )
    )
    serial_days = text.str.slice(0, 5).cast(pl.Int64, strict=False)
    serial = pl.when(text.str.contains(_SERIAL_RE)).then(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial_days))
    parsed = pl.coalesce(iso, serial.cast(pl.Date))
    if open_ended:  # a labour contract 无固定期限 runs until further notice
        parsed = pl.when(text.str.contains(_OPEN_ENDED_RE)).then(pl.lit(OPEN_ENDED)).otherwise(parsed)
    code = (
        pl.when(value.is_null())
        .then(None)
        .when(parsed.is_not_null())
        .then(None)
        .when(text.str.contains(_MONTH_RE))
        .then(pl.lit("date.month-only"))
        .otherwise(pl.lit("date.invalid"))
    )
    return parsed, code


_PERIOD_RE = r"^(.+?)\s*(?:至|到|~|－|—|–|-{1,2})\s*(\d{4}.*)$"


def split_period(value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """ "2024.05.06-2024.05.15" (or 至/~) in one cell → the two date texts."""
    parts = value.str.extract_groups(_PERIOD_RE)
    return parts.struct.field("1"), parts.struct.field("2")


# -- numbers and money -------------------------------------------------------------------------
_MONEY_RE = r"^(?P<sign>[-+]?)(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?P<unit>万元|万|元)?(?:/人|每人)?$"
# Thousands separators, when present, must group by three: "1,500.00" is 1500 yuan, while "1,50"
# (a decimal comma?) and "1,5,0,0" are not amounts anyone can vouch for.
_GROUPED_RE = r"(?:^|[^0-9,，])[0-9]{1,3}(?:[,，][0-9]{3})+(?:[^0-9,，]|$)"


def misgrouped(value: pl.Expr) -> pl.Expr:
    """A number whose commas are not thousands separators."""
    compact = value.str.replace_all(r"\s", "")
    return compact.str.contains(r"[,，]") & ~compact.str.contains(_GROUPED_RE)


MAX_INT_DIGITS = 11  # 99 999 999 999 yuan: anything longer is a typo, not money


def money_parts(value: pl.Expr) -> dict[str, pl.Expr]:
    """The pieces of a money cell (sign, integer digits, decimals, unit, bad grouping)."""
    text = value.str.replace_all(r"[,，\s]", "").str.replace(r"^[¥￥]", "")
    parts = text.str.extract_groups(_MONEY_RE)
    return {
        "sign": parts.struct.field("sign"),
        "int": parts.struct.field("int"),
        "frac": parts.struct.field("frac"),
        "unit": parts.struct.field("unit"),
        "bad": misgrouped(value),
    }


def parse_money(value: pl.Expr, *, wan: bool, parts: dict[str, pl.Expr] | None = None) -> tuple[pl.Expr, pl.Expr]:
    """(fen as Int64, code) for a money cell, exactly, with no float on the way.

    The decimal text is split into digits and rounded half-up on the third decimal (the fourth
    and more do not matter for half-up). ``wan`` (header says 万元) shifts the point by 4.
    Excel float noise such as 274.65999999999997 (more than 15 significant digits) rounds
    silently; a real third decimal typed by a person gives ``money.sub-fen``. ``parts`` are
    ``money_parts`` already materialised as columns.
    """
    parts = parts or money_parts(value)
    sign = parts["sign"]
    whole = parts["int"].fill_null("")
    frac = parts["frac"].fill_null("")
    unit = parts["unit"].fill_null("")
    in_wan = pl.lit(wan) | unit.is_in(["万元", "万"])
    shift = pl.when(in_wan).then(4).otherwise(0)
    padded = frac + pl.lit("0000000")
    yuan_digits = whole + padded.str.slice(0, shift)
    yuan = pl.when(yuan_digits.str.len_chars() > 0).then(yuan_digits.cast(pl.Int64, strict=False)).otherwise(0)
    cents = padded.str.slice(shift, 2).cast(pl.Int64, strict=False)
    third = padded.str.slice(shift + 2, 1).cast(pl.Int64, strict=False)
    magnitude = yuan * 100 + cents + (third >= 5).cast(pl.Int64)
    fen = pl.when(sign == "-").then(-magnitude).otherwise(magnitude)
    valid = parts["int"].is_not_null() & ((whole.str.len_chars() > 0) | (frac.str.len_chars() > 0))
    significant = (whole.str.strip_chars_start("0") + frac).str.len_chars()
    rest = frac.str.slice(shift + 2)
    code = (
        pl.when(value.is_null())
        .then(None)
        .when(~valid.fill_null(False) | (whole.str.len_chars() > MAX_INT_DIGITS) | parts["bad"])
        .then(pl.lit("money.invalid"))
        .when(fen < 0)
        .then(pl.lit("money.negative"))
        .when(rest.str.contains(r"[1-9]") & (significant <= 15))
        .then(pl.lit("money.sub-fen"))
        .otherwise(None)
    )
    good = code.is_null() | (code == "money.sub-fen")
    return pl.when(good & value.is_not_null()).then(fen).otherwise(None), code


def parse_number(value: pl.Expr, *, integer: bool) -> tuple[pl.Expr, pl.Expr]:
    """(number, code) for day counts (``integer``) and hours. Negative and non-numbers are findings."""
    text = value.str.replace_all(r"[\s,]", "").str.replace(r"(天|日|小时|学时|课时|h)$", "")
    number = text.cast(pl.Float64, strict=False)
    is_int = text.str.contains(r"^[-+]?\d+(?:\.0*)?$")
    code = (
        pl.when(value.is_null())
        .then(None)
        .when(number.is_null() | number.is_nan() | number.is_infinite() | misgrouped(value))
        .then(pl.lit("number.invalid"))
        .when(number < 0)
        .then(pl.lit("number.negative"))
        .when(pl.lit(integer) & ~is_int)
        .then(pl.lit("number.not-integer"))
        .otherwise(None)
    )
    typed = number.cast(pl.Int64, strict=False) if integer else number
    return pl.when(code.is_null()).then(typed).otherwise(None), code


# -- enums -------------------------------------------------------------------------------------
def enum_key(value: pl.Expr) -> pl.Expr:
    """Spaces removed: "企业 职工" and "企业职工" are one value."""
    return value.str.replace_all(r"\s", "")


def level_key(value: pl.Expr) -> pl.Expr:
    """A level spelling reduced for lookup: brackets, slashes and scale prefixes removed."""
    return (
        value.str.replace_all(r"[\s()\[\]/、,\-]", "")
        .str.to_uppercase()
        .str.replace(r"^(国家职业资格|职业技能等级|职业资格|技能等级)", "")
        .str.replace(r"(证书|等级)$", "")
    )


def map_choices(key: pl.Expr, choices: dict[str, str]) -> pl.Expr:
    """Lookup of an enum spelling; unknown spellings become null (and a finding elsewhere)."""
    return key.replace_strict(list(choices), list(choices.values()), default=None, return_dtype=pl.String)
