"""In-memory stand-ins for learning's two stores, with the same verbs and the same write conditions.

A service that takes its stores as parameters (`codes=`, `records=`) runs its rules against these in unit
tests: an ETag that moved is a ConcurrencyConflict, a source credited twice is AlreadyCredited, an insert of a
claim that exists fails. The Azurite tests prove the real stores keep the same promises. `storage` is
accepted and ignored, as the real verbs take it first.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from shared.errors import ConcurrencyConflict
from shared.hours import minutes_to_hours
from shared.learning.errors import AlreadyCredited
from shared.learning.model import (
    AwardRow,
    CertificateRef,
    CreditSource,
    Learner,
    LearningRecord,
    MoveMarker,
    NewAward,
    Redemption,
    StampCode,
    UseCount,
)
from shared.learning.schemas import ActivitySummary
from shared.roster.model import Gender, Pupil, PupilRow, PupilStatus

_etags = itertools.count(1)


def _etag() -> str:
    return f"W/{next(_etags)}"


def pupil_row(school_id: str = "sch_a", pupil_id: str = "pup_a", *, total_minutes: int = 0,
              status: PupilStatus = PupilStatus.ACTIVE, restricted: bool = False) -> PupilRow:
    pupil = Pupil(id=pupil_id, school_id=school_id, first_name="Ada", last_name="Test", date_of_birth=date(2016, 5, 1),
                  gender=Gender.FEMALE, upn=None, username=f"user{pupil_id}", status=status, restricted=restricted,
                  total_minutes=total_minutes, created_at="2026-09-01T00:00:00Z", updated_at="2026-09-01T00:00:00Z",
                  cohort=2015)
    return PupilRow(pupil=pupil, stats="", session_version=0, etag=_etag())


def stamp_code(code: str = "RED2468", *, minutes: int = 60, single_use: bool = False, max_uses: int | None = None,
               school_id: str | None = None, activity_id: str = "act_club") -> StampCode:
    return StampCode(code=code, activity=ActivitySummary(id=activity_id, title="Club", hours=minutes_to_hours(minutes),
                                                         skills=["teamwork"], interests=["sport"],
                                                         employer_engagement=False),
                     minutes=minutes, school_id=school_id, single_use=single_use, max_uses=max_uses, valid_from=None,
                     valid_to=None, uses_in_listing=True)


@dataclass
class FakeCodes:
    """`learning.activities_store`'s code verbs over dicts."""

    codes: dict[str, StampCode] = field(default_factory=dict)
    claims: dict[str, str] = field(default_factory=dict)  # code -> pupil id
    uses: dict[str, UseCount] = field(default_factory=dict)

    def add(self, code: StampCode) -> StampCode:
        self.codes[code.code] = code
        return code

    def get_stamp_code(self, storage, code: str) -> StampCode | None:
        return self.codes.get(code)

    def claim_single_use(self, storage, code: StampCode, pupil_id: str, claimed_at: str) -> bool:
        return self.claims.setdefault(code.code, pupil_id) == pupil_id

    def unclaim_single_use(self, storage, code: StampCode, pupil_id: str) -> None:
        if self.claims.get(code.code) == pupil_id:
            del self.claims[code.code]

    def read_uses(self, storage, code: StampCode) -> UseCount:
        return self.uses.get(code.code, UseCount(0))

    def write_uses(self, storage, code: StampCode, count: int, etag: str | None) -> None:
        if self.read_uses(storage, code).etag != etag:
            raise ConcurrencyConflict("the use count changed")
        self.uses[code.code] = UseCount(count, _etag())

    def count(self, code: str) -> int:
        return self.uses.get(code, UseCount(0)).count


@dataclass
class FakeRecords:
    """`learning.record_store` over dicts: pupil rows by (school, pupil), each pupil's record by its sources.

    `before_credit` runs before each credit is applied (a test makes it raise to fail the write, or change
    the pupil row to lose the ETag race); `lose_answer` applies the credit and then raises, as a write whose
    answer never arrived.
    """

    rows: dict[tuple[str, str], PupilRow] = field(default_factory=dict)
    entries: dict[tuple[str, str], dict[CreditSource, Redemption | MoveMarker]] = field(default_factory=dict)
    awards: dict[tuple[str, str], dict[int, AwardRow]] = field(default_factory=dict)
    before_credit: Callable[[], None] | None = None
    lose_answer: Exception | None = None

    def add(self, row: PupilRow) -> Learner:
        key = (row.pupil.school_id, row.pupil.id)
        self.rows[key] = row
        self.entries.setdefault(key, {})
        self.awards.setdefault(key, {})
        return Learner.of(row)

    def read_learner(self, storage, school_id: str, pupil_id: str) -> Learner | None:
        row = self.rows.get((school_id, pupil_id))
        return Learner.of(row) if row else None

    def touch(self, school_id: str, pupil_id: str) -> None:
        """Someone else changed the pupil row (its ETag moves)."""
        row = self.rows[(school_id, pupil_id)]
        self.rows[(school_id, pupil_id)] = replace(row, etag=_etag())

    def credit(self, storage, learner: Learner, entry: Redemption | MoveMarker, *, total_minutes: int, stats: str,
               awards: Iterable[NewAward] = (), earlier_codes: dict[int, tuple[str, ...]] | None = None) -> None:
        if self.before_credit is not None:
            self.before_credit()
        key = (learner.school_id, learner.pupil_id)
        entries = self.entries[key]
        if entry.source in entries:
            earlier = entries[entry.source]
            raise AlreadyCredited(earlier.redemption_id if isinstance(earlier, Redemption) else None)
        current = self.rows.get(key)
        if current is None or current.etag != learner.row.etag:
            raise ConcurrencyConflict("the pupil row changed")
        entries[entry.source] = entry
        self.rows[key] = replace(current, pupil=replace(current.pupil, total_minutes=total_minutes), stats=stats,
                                 etag=_etag())
        for a in awards:
            self.awards[key][a.award.rank] = AwardRow(
                rank=a.award.rank, award_key=a.award.key, name=a.award.name, hours=a.award.hours,
                achieved_at=a.achieved_at, certificate_id=CertificateRef(*key, a.award.rank).text,
                verification_code=a.verification_code, etag=_etag(), redemption_id=a.redemption_id)
        for rank, codes in (earlier_codes or {}).items():
            self.awards[key][rank] = replace(self.awards[key][rank], earlier_verification_codes=tuple(codes))
        if self.lose_answer is not None:
            raise self.lose_answer

    def was_credited(self, storage, school_id: str, pupil_id: str, source: CreditSource) -> bool:
        return source in self.entries.get((school_id, pupil_id), {})

    def learning_record(self, storage, school_id: str, pupil_id: str) -> LearningRecord:
        entries = self.entries.get((school_id, pupil_id), {}).values()
        return LearningRecord(school_id=school_id, pupil_id=pupil_id,
                              redemptions=[e for e in entries if isinstance(e, Redemption)],
                              awards=list(self.awards.get((school_id, pupil_id), {}).values()),
                              moves=[e for e in entries if isinstance(e, MoveMarker)])

    def copy_moved_redemption(self, storage, school_id: str, pupil_id: str, source: Redemption,
                              transfer_key: str) -> Redemption | None:
        entries = self.entries[(school_id, pupil_id)]
        if source.source in entries:
            existing = entries[source.source]
            return existing if isinstance(existing, Redemption) and existing.transfer == transfer_key else None
        copy = replace(source, transfer=transfer_key)
        entries[source.source] = copy
        return copy

    def total(self, school_id: str, pupil_id: str) -> int:
        return self.rows[(school_id, pupil_id)].pupil.total_minutes
