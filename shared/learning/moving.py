"""Moving a learning record from a pupil's old school to their record at the new school, exactly once.

Safe to run again after a crash or a retried request, and never counted twice:
1. The old record's redemptions are inserted into the new record, each marked with the transfer's key.
   A redemption the pupil already has at the new school (the same multi-use code) is left alone and
   not counted; one marked with this key is ours from an earlier run and is counted.
2. One entity-group transaction in the new school's partition then inserts a marker row for the
   transfer, adds the minutes and stats to the pupil row under its ETag, and inserts the awards the
   combined total reaches (keeping the old achievement dates and verification codes). If the marker
   already exists the move was already counted, and nothing changes.
Until step 2 commits, copied redemptions can show in the pupil's list while their hours do not yet
count; a re-run completes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.errors import NotFound
from shared.ids import iso, parse_iso
from shared.learning import record_store
from shared.learning import stats as learning_stats
from shared.learning.awards import LADDER
from shared.learning.errors import AlreadyCredited
from shared.learning.model import AwardRow, FromTransfer, Learner, MoveMarker, NewAward, Redemption
from shared.storage.clients import Storage
from shared.storage.tables import retry_on_conflict

WRITE_ATTEMPTS = 20


@dataclass(frozen=True)
class MoveResult:
    minutes_added: int
    redemptions_moved: int
    awards_moved: int
    moved_codes: tuple[str, ...]  # verification codes now answered by the new record
    already_done: bool


def _stats_with(stats: dict, moved: list[Redemption], today) -> str:
    for r in moved:
        stats = learning_stats.add_redemption(
            stats, parse_iso(r.redeemed_at).date(), minutes=r.minutes, employer=r.activity.employer_engagement,
            skills=r.activity.skills, interests=r.activity.interests, activity_id=r.activity.id,
        )
    return learning_stats.dump(stats, today=today)


@dataclass(frozen=True)
class _Plan:
    learner: Learner
    total: int
    new_awards: list[NewAward]
    earlier_codes: dict[int, tuple[str, ...]]
    moved_codes: tuple[str, ...]


def move_record(storage: Storage, *, from_school: str, from_pupil: str, to_school: str, to_pupil: str,
                key: str, now: datetime, records: Any = record_store) -> MoveResult:
    """Move the old record into the new one (see the module's docstring). `records` is the record store (an
    in-memory fake in unit tests)."""
    source = records.learning_record(storage, from_school, from_pupil)
    source_awards: dict[int, AwardRow] = {a.rank: a for a in source.awards}
    all_codes = tuple(source.verification_codes())
    transfer = FromTransfer(key)
    if records.learning_record(storage, to_school, to_pupil).counted(transfer):
        return MoveResult(0, 0, 0, all_codes, already_done=True)
    counted = [r for r in (records.copy_moved_redemption(storage, to_school, to_pupil, r, key)
                           for r in source.redemptions) if r is not None]
    minutes = sum(r.minutes for r in counted)

    def read() -> Learner:
        learner = records.read_learner(storage, to_school, to_pupil)
        if learner is None or learner.erasing:
            raise NotFound("Not found.")
        return learner

    def decide(learner: Learner) -> _Plan:
        held = {a.rank: a for a in records.learning_record(storage, to_school, to_pupil).awards}
        total = learner.total_minutes + minutes
        new_awards, earlier, moved = [], {}, []
        for award in LADDER:
            old = source_awards.get(award.rank)
            code = old.verification_code if old else None
            if award.rank in held:
                if code:
                    # Both schools gave this award: the new row also answers for the old code.
                    earlier[award.rank] = tuple(sorted({*held[award.rank].earlier_verification_codes, code}))
                    moved.append(code)
                continue
            if award.minutes > total:
                continue
            new_awards.append(NewAward(award=award, achieved_at=old.achieved_at if old else iso(now),
                                       redemption_id=f"transfer:{key[:12]}", verification_code=code))
            if code:
                moved.append(code)
        return _Plan(learner, total, new_awards, earlier, tuple(moved))

    def write(plan: _Plan) -> MoveResult:
        marker = MoveMarker(source=transfer, moved_at=iso(now), minutes=minutes, from_school_id=from_school)
        try:
            records.credit(storage, plan.learner, marker, total_minutes=plan.total,
                           stats=_stats_with(plan.learner.stats, counted, now.date()), awards=plan.new_awards,
                           earlier_codes=plan.earlier_codes)
        except AlreadyCredited:
            return MoveResult(0, 0, 0, all_codes, already_done=True)
        return MoveResult(minutes, len(counted), len(plan.new_awards), plan.moved_codes, already_done=False)

    result = retry_on_conflict(read, decide, write, attempts=WRITE_ATTEMPTS, back_off=0.005)
    assert result is not None
    return result
