"""Learning's domain records as the store hands them out (API shapes are in `schemas.py`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from shared.learning import stats as learning_stats
from shared.learning.awards import Award
from shared.learning.schemas import ActivitySummary
from shared.roster.model import PupilRow, PupilStatus


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
class ActivityWindow:
    """An activity as a report counts it: what it is called, whose it is and when it was open."""

    id: str
    title: str
    school_id: str | None
    valid_from: str | None
    valid_to: str | None

    def open_during(self, start: date | None, end: date | None) -> bool:
        return not ((end and self.valid_from and self.valid_from > end.isoformat())
                    or (start and self.valid_to and self.valid_to < start.isoformat()))


@dataclass(frozen=True)
class Learner:
    """The learning side of a pupil row: what a redemption checks and changes, read in one point read."""

    row: PupilRow
    stats: dict = field(compare=False)

    @classmethod
    def of(cls, row: PupilRow) -> Learner:
        return cls(row=row, stats=learning_stats.load(row.stats))

    @property
    def school_id(self) -> str:
        return self.row.pupil.school_id

    @property
    def pupil_id(self) -> str:
        return self.row.pupil.id

    @property
    def active(self) -> bool:
        return self.row.pupil.status is PupilStatus.ACTIVE

    @property
    def restricted(self) -> bool:
        return self.row.pupil.restricted

    @property
    def erasing(self) -> bool:
        return self.row.pupil.erasing

    @property
    def total_minutes(self) -> int:
        return self.row.pupil.total_minutes


# --- where hours come from: each source is credited to a pupil at most once -----------------------------

@dataclass(frozen=True)
class FromCode:
    """A stamp code redeemed by the pupil (or by staff for them): once per pupil and code."""

    code: str


@dataclass(frozen=True)
class FromSession:
    """A club session recorded by staff for a group: once per pupil, activity and session."""

    activity_id: str
    session_id: str


@dataclass(frozen=True)
class FromTransfer:
    """A learning record moved from the pupil's old school: once per pupil and transfer."""

    transfer_key: str


RedemptionSource = FromCode | FromSession
CreditSource = FromCode | FromSession | FromTransfer


@dataclass(frozen=True)
class Redemption:
    """Hours the pupil was given for an activity (a stamp code or a session), as their record keeps it."""

    source: RedemptionSource
    redemption_id: str
    activity: ActivitySummary
    minutes: int
    redeemed_at: str
    redeemed_by: str
    single_use: bool = False
    uses_in_listing: bool = False  # a single-use code's claim lives beside its activity's code listing
    transfer: str | None = None  # copied from the old school's record by this transfer

    @property
    def code(self) -> str:
        """The stamp code redeemed ("" for a session recorded by staff)."""
        return self.source.code if isinstance(self.source, FromCode) else ""


@dataclass(frozen=True)
class MoveMarker:
    """A transfer already counted into this record: its hours and where they came from."""

    source: FromTransfer
    moved_at: str
    minutes: int
    from_school_id: str


@dataclass(frozen=True)
class NewAward:
    """An award the pupil reaches now (or keeps from their old school, with its date and code)."""

    award: Award
    achieved_at: str
    redemption_id: str
    verification_code: str | None = None


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
    # Codes of the same award given by an old school, which this row now answers for (a record that moved).
    earlier_verification_codes: tuple[str, ...] = ()
    redemption_id: str = ""


@dataclass(frozen=True)
class LearningRecord:
    """Everything a pupil's learning record holds (read in one range query)."""

    school_id: str
    pupil_id: str
    redemptions: list[Redemption]
    awards: list[AwardRow]
    moves: list[MoveMarker]

    def verification_codes(self) -> list[str]:
        """The verification codes given to this record's awards, with those an award answers for after a move."""
        return [c for a in self.awards for c in ((a.verification_code,) if a.verification_code else ())
                + a.earlier_verification_codes]

    def counted(self, transfer: FromTransfer) -> bool:
        return any(m.source.transfer_key[:32] == transfer.transfer_key[:32] for m in self.moves)


# --- certificates ------------------------------------------------------------------------------------------

_CERTIFICATE_ID = re.compile(r"^(sch_[a-z0-9]+)\.(pup_[a-z0-9]+)\.(\d{2})$")


@dataclass(frozen=True)
class CertificateRef:
    """Which award a certificate id names: it says where the award lives, so a certificate is one point read
    (access is checked on every fetch)."""

    school_id: str
    pupil_id: str
    rank: int

    @property
    def text(self) -> str:
        return f"{self.school_id}.{self.pupil_id}.{self.rank:02d}"

    @classmethod
    def parse(cls, text: str) -> CertificateRef | None:
        m = _CERTIFICATE_ID.match(text)
        return cls(m.group(1), m.group(2), int(m.group(3))) if m else None
