"""Redeeming a stamp code: checks, the single-use claim, and one atomic write of record + totals + awards.

Storage requests on the success path: read the pupil row, read the code, (single-use only) insert the
claim, then one entity-group transaction in the school's partition that inserts the redemption row,
updates the pupil's totals and stats under the pupil row's ETag, and inserts any awards reached.
- "Per pupil once" is the insert of the redemption row, whose key holds the code.
- "Single use" is the insert of the claim row: of 20 pupils racing, one insert wins.
- Concurrent redemptions by one pupil meet at the pupil row's ETag; the loser re-reads and retries,
  so totals are exact.
- Uncapped multi-use codes are only read, so a popular code has no shared counter to fight over; a
  capped one counts uses under an ETag.
Guessing is throttled per pupil: failed attempts are counted on the pupil row (read anyway).
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableTransactionError, TransactionOperation, UpdateMode

from shared import audit
from shared.audit import Action
from shared.errors import (
    ConcurrencyConflict,
    Conflict,
    FieldError,
    Forbidden,
    Gone,
    InvalidRequest,
    NotFound,
    TooManyAttempts,
)
from shared.ids import iso, new_id, utcnow
from shared.learning import stats as learning_stats
from shared.learning.awards import Award, minutes_to_hours, newly_reached, next_award
from shared.learning.codes import normalise_code
from shared.learning.models import (
    ActivitySummary,
    AwardOut,
    NextAward,
    RedemptionIn,
    RedemptionOut,
)
from shared.learning.records import AWARD, REDEMPTION, learning_key
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage, get_storage
from shared.storage.names import CODES, PUPILS
from shared.storage.tables import Entity, get_entity, update_if_match

log = logging.getLogger(__name__)

MAX_FAILURES_PER_HOUR = 10
WRITE_ATTEMPTS = 10
# One pupil's concurrent redemptions (a class entering a pile of codes on one tablet) meet at the pupil
# row; each retry re-reads, and a short random back-off keeps the contenders from colliding in lockstep.
PUPIL_WRITE_ATTEMPTS = 40
BACK_OFF_SECONDS = 0.005
UNKNOWN_CODE = "That code doesn't match any activity. Check the colour and the four numbers."


class CodeNotFound(NotFound):
    title = "Unknown code"


class CodeAlreadyRedeemed(Conflict):
    title = "Already redeemed"


class CodeUsedUp(Conflict):
    title = "Code already used"


class CodeOutsideWindow(Gone):
    title = "Code not valid now"


class RedemptionNotAllowed(Forbidden):
    title = "Redemption not allowed"


@dataclass(frozen=True)
class StampCode:
    code: str
    activity: ActivitySummary
    minutes: int
    school_id: str | None
    single_use: bool
    max_uses: int | None
    valid_from: date | None
    valid_to: date | None


def _stamp_code(e: Entity) -> StampCode:
    minutes = int(e["minutes"])
    return StampCode(
        code=e["PartitionKey"],
        activity=ActivitySummary(
            id=e["activity_id"], title=e["title"], hours=minutes_to_hours(minutes),
            skills=json.loads(e.get("skills") or "[]"), interests=json.loads(e.get("interests") or "[]"),
            employer_engagement=bool(e.get("employer_engagement")),
        ),
        minutes=minutes,
        school_id=e.get("school_id") or None,
        single_use=bool(e.get("single_use")),
        max_uses=int(e.get("max_uses") or 0) or None,
        valid_from=date.fromisoformat(e["valid_from"]) if e.get("valid_from") else None,
        valid_to=date.fromisoformat(e["valid_to"]) if e.get("valid_to") else None,
    )


def certificate_id(school_id: str, pupil_id: str, award: Award) -> str:
    """Says where the award lives, so a certificate is one point read; access is checked on every fetch."""
    return f"{school_id}.{pupil_id}.{award.rank:02d}"


def _hour(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H")


def _failures_this_hour(pupil: Entity, now: datetime) -> int:
    return int(pupil.get("code_failures") or 0) if pupil.get("code_failure_hour") == _hour(now) else 0


def _seconds_to_next_hour(now: datetime) -> int:
    nxt = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return int((nxt - now).total_seconds()) + 1


def _count_failure(storage: Storage, pupil: Entity, now: datetime) -> None:
    """One more failed attempt this hour, under the pupil row's ETag (concurrent guesses all count)."""
    table = storage.table(PUPILS)
    for _ in range(WRITE_ATTEMPTS):
        update = {
            "PartitionKey": pupil["PartitionKey"], "RowKey": pupil["RowKey"],
            "code_failures": _failures_this_hour(pupil, now) + 1, "code_failure_hour": _hour(now),
        }
        try:
            update_if_match(table, update, pupil.metadata["etag"], mode=UpdateMode.MERGE)
            return
        except ConcurrencyConflict:
            fresh = get_entity(table, pupil["PartitionKey"], pupil["RowKey"])
            if fresh is None:
                return
            pupil = fresh


def _whose_pupil(caller: Principal, body: RedemptionIn) -> tuple[str, str]:
    if caller.role is Role.PUPIL:
        assert caller.school_id is not None
        return caller.school_id, caller.subject_id
    if caller.role is Role.SCHOOL_STAFF and caller.school_id:
        if not body.pupil_id:
            raise InvalidRequest("Say which pupil the code is for.",
                                 errors=[FieldError(field="pupil_id", message="pupil_id is required for staff")])
        return caller.school_id, body.pupil_id
    raise RedemptionNotAllowed("Codes are redeemed by the pupil, or by staff of the pupil's school.")


def _claim_single_use(storage: Storage, code: StampCode, pupil_id: str, now: datetime) -> None:
    codes = storage.table(CODES)
    try:
        codes.create_entity({"PartitionKey": code.code, "RowKey": "claim", "pupil_id": pupil_id,
                             "claimed_at": iso(now)})
    except ResourceExistsError:
        claim = get_entity(codes, code.code, "claim")
        if claim is None or claim.get("pupil_id") != pupil_id:
            raise CodeUsedUp("Someone has already used this code.") from None
        # Our own claim from an earlier attempt: the redemption insert below decides.


def _reserve_capped_use(storage: Storage, code: StampCode) -> None:
    codes = storage.table(CODES)
    assert code.max_uses is not None
    for attempt in range(WRITE_ATTEMPTS * 3):
        row = get_entity(codes, code.code, "uses")
        if row is None:
            try:
                codes.create_entity({"PartitionKey": code.code, "RowKey": "uses", "count": 1})
                return
            except ResourceExistsError:
                continue
        if int(row["count"]) >= code.max_uses:
            raise CodeUsedUp("This code has been used as many times as it can be.")
        try:
            update_if_match(codes, {"PartitionKey": code.code, "RowKey": "uses", "count": int(row["count"]) + 1},
                            row.metadata["etag"])
            return
        except ConcurrencyConflict:
            _back_off(attempt)
    raise ConcurrencyConflict("This code is very busy right now; try again.")


def _release_capped_use(storage: Storage, code: StampCode) -> None:
    codes = storage.table(CODES)
    for _ in range(WRITE_ATTEMPTS):
        row = get_entity(codes, code.code, "uses")
        if row is None or int(row["count"]) <= 0:
            return
        try:
            update_if_match(codes, {"PartitionKey": code.code, "RowKey": "uses", "count": int(row["count"]) - 1},
                            row.metadata["etag"])
            return
        except ConcurrencyConflict:
            continue


def _check_code(code_row: Entity | None, school_id: str, today: date) -> StampCode:
    if code_row is None:
        raise CodeNotFound(UNKNOWN_CODE)
    code = _stamp_code(code_row)
    if code.school_id is not None and code.school_id != school_id:
        raise CodeNotFound(UNKNOWN_CODE)  # another school's club: indistinguishable from no code at all
    if (code.valid_from and today < code.valid_from) or (code.valid_to and today > code.valid_to):
        raise CodeOutsideWindow("This code can't be used today. Ask your teacher when it works.")
    return code


def _back_off(attempt: int) -> None:
    time.sleep(random.uniform(0, BACK_OFF_SECONDS * min(attempt + 1, 8)))


def _write(storage: Storage, pupil: Entity, code: StampCode, redemption_id: str, now: datetime,
           actor_id: str | None) -> tuple[int, list[Award]]:
    """The atomic step, retried on the pupil row's ETag. Returns (total minutes after, awards reached)."""
    table = storage.table(PUPILS)
    school_id, pupil_id = pupil["PartitionKey"], pupil["RowKey"]
    record = {
        "PartitionKey": school_id, "RowKey": learning_key(pupil_id, REDEMPTION, code.code),
        "redemption_id": redemption_id, "code": code.code, "single_use": code.single_use,
        "activity_id": code.activity.id, "title": code.activity.title, "minutes": code.minutes,
        "skills": json.dumps(code.activity.skills), "interests": json.dumps(code.activity.interests),
        "employer_engagement": code.activity.employer_engagement, "redeemed_at": iso(now),
        "redeemed_by": actor_id or pupil_id,
    }
    for attempt in range(PUPIL_WRITE_ATTEMPTS):
        before = int(pupil.get("total_minutes") or 0)
        after = before + code.minutes
        reached = newly_reached(before, after)
        stats = learning_stats.add_redemption(
            learning_stats.load(pupil.get(learning_stats.STATS_FIELD)), now.date(), minutes=code.minutes,
            employer=code.activity.employer_engagement, skills=code.activity.skills,
            interests=code.activity.interests, activity_id=code.activity.id,
        )
        operations = [
            (TransactionOperation.CREATE, record),
            (TransactionOperation.UPDATE,
             {"PartitionKey": school_id, "RowKey": pupil_id, "total_minutes": after,
              learning_stats.STATS_FIELD: learning_stats.dump(stats, today=now.date())},
             {"mode": UpdateMode.MERGE, "etag": pupil.metadata["etag"],
              "match_condition": MatchConditions.IfNotModified}),
        ]
        for award in reached:
            operations.append((TransactionOperation.CREATE, {
                "PartitionKey": school_id, "RowKey": learning_key(pupil_id, AWARD, f"{award.rank:02d}"),
                "award_key": award.key, "name": award.name, "hours": award.hours, "achieved_at": iso(now),
                "certificate_id": certificate_id(school_id, pupil_id, award), "redemption_id": redemption_id,
            }))
        try:
            table.submit_transaction(operations)
            return after, reached
        except TableTransactionError as exc:
            if exc.index == 0 and exc.error_code == "EntityAlreadyExists":
                earlier = get_entity(table, school_id, record["RowKey"])
                error = CodeAlreadyRedeemed("You have already redeemed this code.")
                error.extra["redemption_id"] = earlier["redemption_id"] if earlier else None
                raise error from None
            fresh = get_entity(table, school_id, pupil_id)
            if fresh is None or fresh.get("erasing"):
                raise NotFound("Not found.") from None
            pupil = fresh
            _back_off(attempt)
    raise ConcurrencyConflict("Too many things happened at once; try again.")


def redeem(caller: Principal, body: RedemptionIn, *, storage: Storage | None = None) -> RedemptionOut:
    storage = storage or get_storage()
    now = utcnow()
    school_id, pupil_id = _whose_pupil(caller, body)
    if caller.role is Role.PUPIL and caller.own_row is not None:
        pupil = caller.own_row  # read when the request was authenticated
    else:
        pupil = get_entity(storage.table(PUPILS), school_id, pupil_id) if pupil_id.startswith("pup_") else None
    if pupil is None or pupil.get("erasing"):
        raise NotFound("Not found.")
    if pupil.get("status") != "active" or pupil.get("restricted"):
        raise RedemptionNotAllowed("This account can't collect new hours at the moment. Ask your teacher.")
    if _failures_this_hour(pupil, now) >= MAX_FAILURES_PER_HOUR:
        raise TooManyAttempts("Too many codes that didn't work. Have a break and try again later.",
                              retry_after_seconds=_seconds_to_next_hour(now))
    canonical = normalise_code(body.code)
    capped_reserved = False
    try:
        code_row = get_entity(storage.table(CODES), canonical, "code") if canonical else None
        code = _check_code(code_row, school_id, now.date())
        if code.single_use:
            _claim_single_use(storage, code, pupil_id, now)
        elif code.max_uses:
            _reserve_capped_use(storage, code)
            capped_reserved = True
        redemption_id = new_id("rdm")
        actor_id = caller.subject_id if caller.is_staff else None
        total, reached = _write(storage, pupil, code, redemption_id, now, actor_id)
    except (CodeNotFound, CodeOutsideWindow, CodeUsedUp):
        _count_failure(storage, pupil, now)
        raise
    except CodeAlreadyRedeemed:
        if capped_reserved:
            _release_capped_use(storage, code)
        raise
    if caller.is_staff:
        audit.record(Action.REDEMPTION_BY_STAFF, actor_id=caller.subject_id, subject_ids=[pupil_id],
                     school_id=school_id, partner_id=caller.partner_id, storage=storage)
    upcoming = next_award(total)
    return RedemptionOut(
        redemption_id=redemption_id,
        activity=code.activity,
        total_hours=minutes_to_hours(total),
        new_awards=[AwardOut(name=a.name, hours=a.hours) for a in reached],
        next_award=NextAward(name=upcoming[0].name, hours=upcoming[0].hours,
                             hours_remaining=minutes_to_hours(upcoming[1])) if upcoming else None,
    )
