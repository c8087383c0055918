"""The national award ladder: 30 certificates on cumulative hours (kept as whole minutes, see `shared.hours`)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.hours import MINUTES_PER_HOUR

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
