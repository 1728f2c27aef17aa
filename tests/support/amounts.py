"""Expected amounts, computed in the tests with Decimal half-up rounding (the policy documents' rule).

Kept apart from skillcli.money on purpose: the oracle must not share the code it checks.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def yuan(value: Any) -> Decimal:
    """A value in yuan (number, text or Decimal) rounded half-up to the fen."""
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fen(value: Decimal) -> int:
    """Yuan (already at most two decimals) as integer fen."""
    return int(value * 100)
