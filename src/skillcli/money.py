"""Money has one home: integer fen (分) inside, yuan text only at the edges.

Excel stores money as binary floats, so a cell that shows 274.66 may hold 274.65999999999997.
``parse_yuan`` reads the text form that the reader produces (never a float) through ``Decimal``
and rounds half-up to the fen, so float noise is removed exactly once, at ingest.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, NewType

if TYPE_CHECKING:
    import polars as pl

Fen = NewType("Fen", int)

FEN_PER_YUAN = 100
_CENT = Decimal("0.01")
# 1,234.50 元 / ¥1234.5 / 1234.5元/人 / 0.15万元 are all written by real institutions.
_UNIT_RE = re.compile(r"^[¥￥]?\s*(?P<num>[-+]?[\d,，]*\.?\d+)\s*(?P<unit>万元|万|元)?(?:/人|每人)?$")


class MoneyError(ValueError):
    """A text that is not an amount of money."""


def yuan_to_fen(value: Decimal | str | int) -> Fen:
    """Convert an exact yuan amount to fen, rounding half-up. Rejects floats by type."""
    if isinstance(value, float):  # pragma: no cover - guarded by the type checker
        raise TypeError("money must not be a float")
    try:
        dec = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise MoneyError(str(value)) from exc
    return Fen(int((dec * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def parse_yuan(text: str, *, unit_wan: bool = False) -> Fen:
    """Parse a money cell as written ("1,500.00", "500元/人", "0.15万元") to fen.

    ``unit_wan`` is set when the column header says (万元): the number is then in 10 000 yuan.
    """
    cleaned = text.strip().replace(" ", "")
    match = _UNIT_RE.match(cleaned)
    if not match:
        raise MoneyError(text)
    number = Decimal(match.group("num").replace(",", "").replace("，", ""))
    if unit_wan or match.group("unit") in ("万元", "万"):
        number *= 10000
    return yuan_to_fen(number)


def round_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounded half-up (away from zero for .5), for prorating fen exactly.

    This is the one rounding rule of skillcli: ``Decimal``'s ROUND_HALF_UP (``yuan_to_fen``,
    ``mul_ratio``) and ``round_half_up_expr`` (the same over a Polars column) agree with it.
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return sign * q


def round_half_up_expr(numerator: pl.Expr, denominator: int | pl.Expr) -> pl.Expr:
    """``round_half_up`` over an integer column: ``numerator / denominator`` half-up, away from zero.

    Floor division alone would round a negative .5 towards zero (-1.5 → -1); the magnitude is
    rounded and the sign put back, so a reversal is the exact negative of its payment. A null
    numerator stays null (missing is not zero). A column as ``denominator`` must be positive
    where the numerator is not null (the caller guards it, as it guards any division).
    """
    import polars as pl

    if isinstance(denominator, int) and denominator <= 0:
        raise ValueError("denominator must be positive")
    rounded = (numerator.abs() * 2 + denominator) // (2 * denominator)
    return pl.when(numerator < 0).then(-rounded).otherwise(rounded)


def ratio(factor: Decimal) -> tuple[int, int]:
    """An exact decimal factor as integers (numerator, denominator): 1.3 → (13, 10), 2 → (2, 1).

    Polars columns are multiplied by the numerator and divided half-up by the denominator, so a
    factor never turns fen into a float.
    """
    sign, digits, exponent = factor.as_tuple()
    if not isinstance(exponent, int):
        raise MoneyError(str(factor))
    numerator = int("".join(map(str, digits))) * (-1 if sign else 1)
    return (numerator * 10**exponent, 1) if exponent >= 0 else (numerator, 10**-exponent)


def mul_ratio(fen: int, ratio: Decimal) -> Fen:
    """Multiply an amount by an exact decimal ratio (e.g. 1.3 for shortage occupations), half-up."""
    return Fen(int((Decimal(fen) * ratio).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def format_yuan(fen: int, *, grouping: bool = False) -> str:
    """Fen to yuan text with exactly two decimals: 150000 -> "1500.00" (or "1,500.00")."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    whole_text = f"{whole:,}" if grouping else str(whole)
    return f"{sign}{whole_text}.{cents:02d}"


def yuan_text_expr(fen: pl.Expr, *, grouping: bool = False) -> pl.Expr:
    """``format_yuan`` over an integer fen column: 150000 → "1500.00" (or "1,500.00"), -5 → "-0.05",
    null stays null."""
    text = hundredths_text_expr(fen)
    if not grouping:
        return text
    # Commas every three digits from the right of the whole yuan: reversed, a comma after each
    # full group of three, reversed back, and no comma left before the first digit or the sign.
    whole, cents = text.str.head(-3), text.str.tail(3)
    grouped = whole.str.reverse().str.replace_all(r"(\d{3})", "${1},").str.reverse()
    return grouped.str.replace(r"^(-?),", "${1}") + cents


def formula_text_expr(terms: pl.Expr, amount_fen: pl.Expr, *, single: pl.Expr | bool = False) -> pl.Expr:
    """How an amount was reached, as every output prints it (payouts.xlsx 明细, the reasons of
    不符合条件 and 异常, ``explain``): 「四级/中级工 1,500.00 × 1.3（紧缺职业） = 1,950.00」. A single
    term (a rate from the table, nothing applied to it) is its own result and reads
    「四级/中级工 1,500.00」, never 「1500.00 = 1500.00」. ``terms`` use ``yuan_text_expr(…, grouping=True)``."""
    import polars as pl

    equation = pl.concat_str([terms, pl.lit(" = "), yuan_text_expr(amount_fen, grouping=True)])
    if isinstance(single, bool):
        return terms if single else equation
    return pl.when(single).then(terms).otherwise(equation)


def hundredths_text_expr(hundredths: pl.Expr) -> pl.Expr:
    """An integer count of hundredths as text with exactly two decimals: 7525 → "75.25" (a percentage
    in basis points, or fen as yuan), -5 → "-0.05", null stays null."""
    import polars as pl

    magnitude = hundredths.abs()
    sign = pl.when(hundredths < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str(
        [sign, (magnitude // 100).cast(pl.String), pl.lit("."), (magnitude % 100).cast(pl.String).str.zfill(2)]
    )


def percent(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage, exactly, half-up to two decimals: 695 / 600 → 115.83.

    None when ``whole`` is not positive: a rate against nothing is unknown, not 0 %.
    """
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_CENT, rounding=ROUND_HALF_UP)


def fen_to_decimal(fen: int) -> Decimal:
    """Fen to an exact Decimal yuan, for writing a numeric cell in a workbook."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(_CENT)
