"""The national award ladder (30 certificates on cumulative hours) and the hours/minutes conversions.

Hours are stored as whole minutes everywhere: activities are worth multiples of a quarter hour, so minutes
add up exactly where floats would drift, and a pupil's total is an integer that Table Storage keeps as is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MINUTES_PER_HOUR = 60
# Activities are worth whole quarter hours (API: "hours in steps of 0.25").
HOURS_STEP = Decimal("0.25")
MAX_HOURS = 1000

TIERS = (
    "Award",
    "Certificate",
    "Diploma",
    "Degree",
    "Postgraduate Award",
    "Postgraduate Certificate",
    "Postgraduate Diploma",
    "Postgraduate Masters Degree",
    "Doctorate",
    "Fellowship",
)
# Each tier spans a hundred hours; its three medals sit at these offsets into the hundred.
MEDAL_OFFSETS = (("Bronze", 30), ("Silver", 65), ("Gold", 100))
MEDALS = tuple(medal for medal, _ in MEDAL_OFFSETS)


@dataclass(frozen=True)
class Award:
    key: str
    name: str
    hours: int
    rank: int

    @property
    def minutes(self) -> int:
        return self.hours * MINUTES_PER_HOUR

    @property
    def medal(self) -> str:
        """Bronze, Silver or Gold: what a certificate's colours follow."""
        return self.name.split(" ", 1)[0]


def _build_ladder() -> tuple[Award, ...]:
    awards = []
    for hundred, tier in enumerate(TIERS):
        for medal, offset in MEDAL_OFFSETS:
            name = f"{medal} {tier}"
            awards.append(
                Award(
                    key=name.lower().replace(" ", "-"),
                    name=name,
                    hours=hundred * 100 + offset,
                    rank=len(awards) + 1,
                )
            )
    return tuple(awards)


LADDER: tuple[Award, ...] = _build_ladder()
_BY_KEY = {award.key: award for award in LADDER}


def awards_reached(total_minutes: int) -> list[Award]:
    """Every award a pupil with this many minutes holds, lowest first."""
    return [award for award in LADDER if award.minutes <= total_minutes]


def newly_reached(before_minutes: int, after_minutes: int) -> list[Award]:
    """Awards crossed by going from `before` to `after`; one redemption can cross several thresholds."""
    return [award for award in LADDER if before_minutes < award.minutes <= after_minutes]


def next_award(total_minutes: int) -> tuple[Award, int] | None:
    """The next award and the minutes still to go, or None once the Gold Fellowship is reached."""
    for award in LADDER:
        if award.minutes > total_minutes:
            return award, award.minutes - total_minutes
    return None


def award_by_key(key: str) -> Award:
    """The award with this key; KeyError if there is none (a stored key the ladder no longer knows is a bug)."""
    return _BY_KEY[key]


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
