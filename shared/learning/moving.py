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

import json
from dataclasses import dataclass
from datetime import datetime

from shared.errors import NotFound
from shared.ids import iso, parse_iso
from shared.learning import stats as learning_stats
from shared.learning import store
from shared.learning.awards import LADDER
from shared.learning.model import Learner
from shared.learning.store import AWARD, REDEMPTION
from shared.storage.clients import Storage
from shared.storage.tables import Entity, retry_on_conflict

WRITE_ATTEMPTS = 20


@dataclass(frozen=True)
class MoveResult:
    minutes_added: int
    redemptions_moved: int
    awards_moved: int
    moved_codes: tuple[str, ...]  # verification codes now answered by the new record
    already_done: bool


def _rank(row: Entity) -> int:
    return int(row["RowKey"].rsplit("|", 1)[1])


def _stats_with(stats: dict, rows: list[Entity], today) -> str:
    for row in rows:
        stats = learning_stats.add_redemption(
            stats, parse_iso(row["redeemed_at"]).date(), minutes=int(row["minutes"]),
            employer=bool(row.get("employer_engagement")), skills=json.loads(row.get("skills") or "[]"),
            interests=json.loads(row.get("interests") or "[]"), activity_id=row["activity_id"],
        )
    return learning_stats.dump(stats, today=today)


@dataclass(frozen=True)
class _Plan:
    learner: Learner
    total: int
    new_awards: list[Entity]
    earlier_codes: dict[str, list[str]]
    moved_codes: tuple[str, ...]


def move_record(storage: Storage, *, from_school: str, from_pupil: str, to_school: str, to_pupil: str,
                key: str, now: datetime) -> MoveResult:
    source = list(store.learning_rows(storage, from_school, from_pupil))
    source_awards = {_rank(r): r for r in source if store.kind_of(r) == AWARD}
    all_codes = tuple(store.award_verification_codes(source_awards.values()))
    target_keys = {r["RowKey"] for r in store.learning_rows(storage, to_school, to_pupil)}
    if store.moved_marker_key(to_pupil, key) in target_keys:
        return MoveResult(0, 0, 0, all_codes, already_done=True)
    counted = [row for row in (store.insert_moved_redemption(storage, to_school, to_pupil, r, key)
                               for r in source if store.kind_of(r) == REDEMPTION) if row is not None]
    minutes = sum(int(r["minutes"]) for r in counted)

    def read() -> Learner:
        learner = store.read_learner(storage, to_school, to_pupil)
        if learner is None or learner.erasing:
            raise NotFound("Not found.")
        return learner

    def decide(learner: Learner) -> _Plan:
        held = {_rank(r): r for r in store.learning_rows(storage, to_school, to_pupil) if store.kind_of(r) == AWARD}
        total = learner.total_minutes + minutes
        new_awards, earlier, moved = [], {}, []
        for award in LADDER:
            old = source_awards.get(award.rank)
            code = old.get("verification_code") if old else None
            if award.rank in held:
                if code:
                    # Both schools gave this award: the new row also answers for the old code.
                    kept = json.loads(held[award.rank].get("earlier_verification_codes") or "[]")
                    earlier[held[award.rank]["RowKey"]] = sorted({*kept, code})
                    moved.append(code)
                continue
            if award.minutes > total:
                continue
            row = {"RowKey": store.learning_key(to_pupil, AWARD, f"{award.rank:02d}"), "award_key": award.key,
                   "name": award.name, "hours": award.hours, "achieved_at": old["achieved_at"] if old else iso(now),
                   "certificate_id": store.certificate_id(to_school, to_pupil, award),
                   "redemption_id": f"transfer:{key[:12]}"}
            if code:
                row["verification_code"] = code
                moved.append(code)
            new_awards.append(row)
        return _Plan(learner, total, new_awards, earlier, tuple(moved))

    def write(plan: _Plan) -> MoveResult:
        counted_now = store.commit_move(
            storage, plan.learner, transfer_key=key, moved_at=iso(now), from_school_id=from_school, minutes=minutes,
            total_minutes=plan.total, stats=_stats_with(plan.learner.stats, counted, now.date()),
            new_awards=plan.new_awards, earlier_codes=plan.earlier_codes,
        )
        if not counted_now:
            return MoveResult(0, 0, 0, all_codes, already_done=True)
        return MoveResult(minutes, len(counted), len(plan.new_awards), plan.moved_codes, already_done=False)

    result = retry_on_conflict(read, decide, write, attempts=WRITE_ATTEMPTS, back_off=0.005)
    assert result is not None
    return result
