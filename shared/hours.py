"""Hours as whole minutes, and hours as people write them.

Hours are stored as whole minutes everywhere: activities are worth multiples of a quarter hour, so minutes
add up exactly where floats would drift, and a pupil's total is an integer that Table Storage keeps as is.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

MINUTES_PER_HOUR = 60
# Activities are worth whole quarter hours (API: "hours in steps of 0.25").
HOURS_STEP = Decimal("0.25")
MAX_HOURS = 1000


def hours_to_minutes(hours: float | Decimal) -> int:
    """Whole minutes for a positive number of hours in quarter-hour steps; ValueError for anything else."""
    # bool is an int to Python, but `True` hours is a caller's mistake, not one hour.
    if isinstance(hours, bool) or not isinstance(hours, int | float | Decimal):
        raise ValueError("Hours must be a number.")
    try:
        # str() gives a float's shortest round-trip spelling, so noise such as 0.25000000000001 is refused, not rounded.
        exact = hours if isinstance(hours, Decimal) else Decimal(str(hours))
    except InvalidOperation:
        raise ValueError("Hours must be a number.") from None
    if not exact.is_finite() or exact <= 0:
        raise ValueError("Hours must be more than 0.")
    if exact > MAX_HOURS:
        # Also keeps the remainder below within Decimal's precision (huge values raise InvalidOperation).
        raise ValueError(f"Hours must be at most {MAX_HOURS}.")
    if exact % HOURS_STEP != 0:
        raise ValueError("Hours must be in steps of 0.25 (a quarter of an hour).")
    return int(exact * MINUTES_PER_HOUR)


def minutes_to_hours(minutes: int) -> float:
    return minutes / MINUTES_PER_HOUR


def format_hours(hours: float) -> str:
    """Hours as people write them: 30, 31.5, 0.25 (no trailing zeros, no float noise)."""
    if not math.isfinite(hours):
        raise ValueError("Hours must be a finite number.")
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
