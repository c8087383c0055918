"""Learning's domain records as the store hands them out (API shapes are in `schemas.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.learning.schemas import ActivitySummary


@dataclass(frozen=True)
class Activity:
    id: str
    title: str
    description: str | None
    minutes: int
    skills: tuple[str, ...]
    interests: tuple[str, ...]
    employer_engagement: bool
    partner_id: str | None
    school_id: str | None
    valid_from: date | None
    valid_to: date | None
    created_by: str
    created_at: str


@dataclass(frozen=True)
class StampCode:
    """What a redemption needs to know about a code: its activity snapshot and the code's own limits."""

    code: str
    activity: ActivitySummary
    minutes: int
    school_id: str | None
    single_use: bool
    max_uses: int | None
    valid_from: date | None
    valid_to: date | None
    uses_in_listing: bool = False  # its claim / use count is kept beside its activity's code listing


@dataclass(frozen=True)
class IssuedCode:
    """A code as listed for its activity (code sheets, the code list)."""

    code: str
    single_use: bool
    max_uses: int | None
    valid_from: date | None
    valid_to: date | None
    uses: int | None = None  # redemptions so far, when counted (single-use and capped codes)

    @property
    def used(self) -> bool:
        """Nobody new can redeem it: a single-use code that was redeemed, or a capped code at its cap."""
        if self.single_use:
            return bool(self.uses)
        return self.max_uses is not None and (self.uses or 0) >= self.max_uses


@dataclass(frozen=True)
class UseCount:
    """Uses of a capped code so far; `etag` is None while nobody has used it."""

    count: int
    etag: str | None = None


@dataclass(frozen=True)
class Learner:
    """The learning side of a pupil row: what a redemption checks and changes, read in one point read."""

    school_id: str
    pupil_id: str
    active: bool
    restricted: bool
    erasing: bool
    total_minutes: int
    stats: dict = field(compare=False)
    etag: str


@dataclass(frozen=True)
class AwardRow:
    """An award a pupil reached, as stored in their learning record."""

    rank: int
    award_key: str
    name: str
    hours: int
    achieved_at: str
    certificate_id: str
    verification_code: str | None
    etag: str
    verification_published: bool = False  # its verification record is known to exist


@dataclass(frozen=True)
class AwardHolder:
    """The pupil an award reached in a period belongs to: what a list or a certificate prints of them."""

    id: str
    first_name: str
    last_name: str
    status: str
    restricted: bool
    erasing: bool
    cohort: int
    total_minutes: int
