"""The money functions on inline values (issue 14 item 3): one half-up rounding, one yuan text, percent.

The oracle is ``Decimal`` with ROUND_HALF_UP, independent of the integer arithmetic under test;
the Polars expressions must give the same answer as their Python twins on every value, nulls kept.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillcli.money import (
    format_yuan,
    hundredths_text_expr,
    percent,
    ratio,
    round_half_up,
    round_half_up_expr,
    yuan_text_expr,
)

BIG = 9 * 10**15  # fen beyond any budget, still far inside Int64 after doubling


def _decimal_half_up(numerator: int, denominator: int) -> int:
    return int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _expr(values: list[int | None], denominator: int) -> list[int | None]:
    frame = pl.DataFrame({"n": values}, schema={"n": pl.Int64})
    return frame.select(round_half_up_expr(pl.col("n"), denominator)).to_series().to_list()


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (5, 10, 1),  # 0.5 fen up
        (4, 10, 0),
        (15, 10, 2),  # 1.5 fen up, not to even
        (25, 10, 3),  # 2.5 fen up, not to even
        (-5, 10, -1),  # a negative half goes away from zero, like Decimal's ROUND_HALF_UP
        (-15, 10, -2),
        (-14, 10, -1),
        (0, 7, 0),
        (1_200_000 * 7, 12, 700_000),  # 12 000.00 yuan a year for 7 months
        (100_000 * 5, 12, 41_667),  # 41 666.67 fen rounds to 41 667
        (BIG + 1, 2, BIG // 2 + 1),  # 4.5e15 + 0.5 fen: large values stay exact
        (-(BIG + 1), 2, -(BIG // 2 + 1)),
    ],
)
def test_round_half_up__on_half_fen_boundaries(numerator: int, denominator: int, expected: int) -> None:
    assert round_half_up(numerator, denominator) == expected
    assert _expr([numerator], denominator) == [expected]


def test_round_half_up__null_stays_null_and_zero_divisor_refused() -> None:
    assert _expr([None, 3], 2) == [None, 2]
    with pytest.raises(ValueError, match="positive"):
        round_half_up(1, 0)
    with pytest.raises(ValueError, match="positive"):
        round_half_up_expr(pl.col("n"), 0)


# A Polars call per example: no per-example deadline on a loaded machine.
@settings(deadline=None)
@given(st.integers(-BIG, BIG), st.integers(1, 10**6))
def test_round_half_up__python_and_polars_agree_with_decimal(numerator: int, denominator: int) -> None:
    expected = _decimal_half_up(numerator, denominator)
    assert round_half_up(numerator, denominator) == expected
    assert _expr([numerator], denominator) == [expected]


def test_round_half_up_expr__by_a_column_as_attendance_rates_are() -> None:
    # present / required x 10 000 (basis points): 2 of 3 days is 66.67 %, 1 of 8 is 12.50 %, 1 of 16 is 6.25 %.
    frame = pl.DataFrame({"present": [2, 1, 1, 1, None], "required": [3, 8, 16, 1_600, 4]})
    rates = frame.select(
        pl.concat_str(
            [hundredths_text_expr(round_half_up_expr(pl.col("present") * 10_000, pl.col("required"))), pl.lit("%")]
        )
    )
    assert rates.to_series().to_list() == ["66.67%", "12.50%", "6.25%", "0.06%", None]


@pytest.mark.parametrize(
    ("fen", "text"),
    [(150000, "1500.00"), (5, "0.05"), (-5, "-0.05"), (-150, "-1.50"), (0, "0.00"), (BIG, "90000000000000.00")],
)
def test_yuan_text_expr__two_decimals_and_sign(fen: int, text: str) -> None:
    assert format_yuan(fen) == text
    shown = pl.DataFrame({"f": [fen, None]}, schema={"f": pl.Int64}).select(yuan_text_expr(pl.col("f")))
    assert shown.to_series().to_list() == [text, None]


@settings(deadline=None)
@given(st.integers(-BIG, BIG))
def test_yuan_text_expr__agrees_with_format_yuan(fen: int) -> None:
    shown = pl.select(yuan_text_expr(pl.lit(fen, pl.Int64))).item()
    assert shown == format_yuan(fen)
    assert Decimal(shown) == Decimal(fen) / 100


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (695, 600, Decimal("115.83")),  # the Lüliang report's trained / target
        (1, 8, Decimal("12.50")),
        (1, 3, Decimal("33.33")),
        (2, 3, Decimal("66.67")),
        (1, 200_000, Decimal("0.00")),  # 0.0005 % rounds down
        (1, 160_000, Decimal("0.00")),  # 0.000625 %
        (1, 800, Decimal("0.13")),  # 0.125 % rounds half-up, not to even (0.12)
        (-1, 800, Decimal("-0.13")),
        (0, 5, Decimal("0.00")),
        (BIG, 3, Decimal(BIG * 100) / 3),
    ],
)
def test_percent__half_up_to_two_decimals(part: int, whole: int, expected: Decimal) -> None:
    assert percent(part, whole) == expected.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_percent__against_nothing_is_unknown_not_zero() -> None:
    assert percent(5, 0) is None
    assert percent(0, 0) is None
    assert percent(5, -1) is None


@pytest.mark.parametrize(
    ("factor", "expected"),
    [("1.3", (13, 10)), ("2", (2, 1)), ("0.25", (25, 100)), ("1E+1", (10, 1)), ("-0.5", (-5, 10))],
)
def test_ratio__exact_integer_parts(factor: str, expected: tuple[int, int]) -> None:
    assert ratio(Decimal(factor)) == expected
