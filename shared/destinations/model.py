"""Learning destinations as the service works with them (API shapes are in `schemas.py`).

A destination is an organisation a partner's CU manager has validated (a museum, a library, a club), or a
national one the Trust adds (online, at home) that every partner's children see. Organisations only: no
named individuals and no personal contact details are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class DestinationKind(StrEnum):
    MUSEUM = "museum"
    LIBRARY = "library"
    SPORT = "sport"
    ARTS = "arts"
    OUTDOORS = "outdoors"
    HERITAGE = "heritage"
    SCIENCE = "science"
    ONLINE = "online"
    HOME = "home"
    OTHER = "other"


# What the Trust's national destinations are: every partner's children see them, wherever they live.
NATIONAL_KINDS = frozenset({DestinationKind.ONLINE, DestinationKind.HOME})


class Cost(StrEnum):
    """What taking part costs a family (a destination's, and an activity's)."""

    FREE = "free"
    PAID = "paid"
    SOME_FREE = "some_free"


class DestinationStatus(StrEnum):
    """A paused destination's activities leave the offer; codes already issued still redeem until they end."""

    VALIDATED = "validated"
    PAUSED = "paused"


@dataclass(frozen=True)
class Enjoyment:
    """Children's answers to "Did you enjoy it?", as counts only (nobody's answer is kept)."""

    up: int = 0
    down: int = 0


@dataclass(frozen=True)
class Destination:
    id: str
    name: str
    kind: DestinationKind
    cost: Cost
    status: DestinationStatus
    partner_id: str | None  # None: a national destination (the Trust's)
    created_by: str
    created_at: str
    updated_at: str
    town: str | None = None
    postcode_district: str | None = None
    web_page: str | None = None
    accessibility: str | None = None
    enjoyment: Enjoyment = Enjoyment()
    etag: str | None = field(default=None, compare=False)  # of the row it was read from; None before it is stored

    @property
    def national(self) -> bool:
        return self.partner_id is None
