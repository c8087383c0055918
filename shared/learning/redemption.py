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
Guessing is throttled per (pupil, client address): each attempt is counted before the code is looked up
(`security.throttle`), so a burst of parallel guesses gets at most the free attempts evaluated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from shared import audit
from shared.audit import Action
from shared.errors import FieldError, InvalidRequest, NotFound
from shared.hours import minutes_to_hours
from shared.ids import iso, new_id, utcnow
from shared.learning import activities_store, record_store
from shared.learning import stats as learning_stats
from shared.learning.awards import Award, newly_reached, next_award
from shared.learning.codes import normalise_code
from shared.learning.errors import (
    AlreadyCredited,
    CodeAlreadyRedeemed,
    CodeNotFound,
    CodeOutsideWindow,
    CodeUsedUp,
    RedemptionNotAllowed,
)
from shared.learning.model import FromCode, Learner, NewAward, Redemption, StampCode, UseCount
from shared.learning.schemas import AwardOut, NextAward, RedemptionIn, RedemptionOut
from shared.roster.model import PupilRow
from shared.security import lockout, throttle
from shared.security.addresses import UNKNOWN as UNKNOWN_ADDRESS
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage, get_storage
from shared.storage.tables import retry_on_conflict

log = logging.getLogger(__name__)

WRITE_ATTEMPTS = 10
# One pupil's concurrent redemptions (a class entering a pile of codes on one tablet) meet at the pupil
# row; each retry re-reads, and a short random back-off keeps the contenders from colliding in lockstep.
PUPIL_WRITE_ATTEMPTS = 40
BACK_OFF_SECONDS = 0.005
UNKNOWN_CODE = "That code doesn't match any activity. Check the colour and the four numbers."



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


def _check_code(code: StampCode | None, school_id: str, today: date) -> StampCode:
    if code is None:
        raise CodeNotFound(UNKNOWN_CODE)
    if code.school_id is not None and code.school_id != school_id:
        raise CodeNotFound(UNKNOWN_CODE)  # another school's club: indistinguishable from no code at all
    if (code.valid_from and today < code.valid_from) or (code.valid_to and today > code.valid_to):
        raise CodeOutsideWindow("This code can't be used today. Ask your teacher when it works.")
    return code


def credit_hours(storage: Storage, learner: Learner, redemption: Redemption, now: datetime, *,
                 records: Any = record_store) -> tuple[int, list[Award]]:
    """The atomic step, retried on the pupil row's ETag: the redemption, the pupil's new totals and the
    awards reached, in one transaction. Returns (total minutes after, awards reached).

    The redemption's source (its code, or a session) is its "at most once": AlreadyCredited when the pupil
    has it already, with nothing written.
    """
    def read() -> Learner:
        fresh = records.read_learner(storage, learner.school_id, learner.pupil_id)
        if fresh is None or fresh.erasing:
            raise NotFound("Not found.")
        return fresh

    def write(current: Learner) -> tuple[int, list[Award]]:
        after = current.total_minutes + redemption.minutes
        reached = newly_reached(current.total_minutes, after)
        stats = learning_stats.add_redemption(
            current.stats, now.date(), minutes=redemption.minutes, employer=redemption.activity.employer_engagement,
            skills=redemption.activity.skills, interests=redemption.activity.interests,
            activity_id=redemption.activity.id,
        )
        records.credit(storage, current, redemption, total_minutes=after,
                       stats=learning_stats.dump(stats, today=now.date()),
                       awards=[NewAward(a, redemption.redeemed_at, redemption.redemption_id) for a in reached])
        return after, reached

    result = retry_on_conflict(read, lambda current: current, write, attempts=PUPIL_WRITE_ATTEMPTS, first=learner,
                               back_off=BACK_OFF_SECONDS)
    assert result is not None
    return result


@dataclass(frozen=True)
class Redeemed:
    """A code credited to a pupil: what the answer says."""

    code: StampCode
    redemption_id: str
    total_minutes: int
    reached: list[Award]


def redeem_code(storage: Storage, learner: Learner, canonical: str, *, now: datetime, actor_id: str | None,
                codes: Any = activities_store, records: Any = record_store) -> Redeemed:
    """The rules of redeeming one code for one pupil: the code must exist for the pupil's school and be open
    today; a single-use code is claimed by insert (one pupil ever), a capped code reserves a use under its
    count's ETag; then the hours are credited once. Whatever fails after a claim or a reservation gives it
    back, unless the redemption was in fact written (an answer lost after the write): a code never counts a
    use that no redemption holds. `codes` and `records` are the stores (in-memory fakes in unit tests).
    """
    code = _check_code(codes.get_stamp_code(storage, canonical) if canonical else None, learner.school_id, now.date())
    if code.single_use and not codes.claim_single_use(storage, code, learner.pupil_id, iso(now)):
        # Our own claim from an earlier attempt counts as ours: the redemption insert then decides.
        raise CodeUsedUp("Someone has already used this code.")
    if code.max_uses and not code.single_use:
        _reserve_capped_use(storage, code, codes)
    redemption = Redemption(
        source=FromCode(code.code), redemption_id=new_id("rdm"), activity=code.activity, minutes=code.minutes,
        redeemed_at=iso(now), redeemed_by=actor_id or learner.pupil_id, single_use=code.single_use,
        uses_in_listing=code.uses_in_listing,
    )
    try:
        total, reached = credit_hours(storage, learner, redemption, now, records=records)
    except AlreadyCredited as already:
        _give_back(storage, code, learner.pupil_id, codes, holds=False)
        error = CodeAlreadyRedeemed("You have already redeemed this code.")
        error.extra["redemption_id"] = already.redemption_id
        raise error from None
    except BaseException:
        written = _was_written(storage, learner, code, records)
        if not written:
            _give_back(storage, code, learner.pupil_id, codes, holds=True)
        raise
    return Redeemed(code=code, redemption_id=redemption.redemption_id, total_minutes=total, reached=reached)


def _reserve_capped_use(storage: Storage, code: StampCode, codes: Any) -> None:
    assert code.max_uses is not None
    max_uses = code.max_uses

    def decide(uses: UseCount) -> UseCount:
        if uses.count >= max_uses:
            raise CodeUsedUp("This code has been used as many times as it can be.")
        return replace(uses, count=uses.count + 1)

    retry_on_conflict(lambda: codes.read_uses(storage, code), decide,
                      lambda plan: codes.write_uses(storage, code, plan.count, plan.etag),
                      attempts=WRITE_ATTEMPTS * 3, back_off=BACK_OFF_SECONDS,
                      busy="This code is very busy right now; try again.")


def _was_written(storage: Storage, learner: Learner, code: StampCode, records: Any) -> bool:
    """Whether the redemption exists after a failure (True also when that cannot be found out now: a use is
    then kept rather than given back twice)."""
    try:
        return records.was_credited(storage, learner.school_id, learner.pupil_id, FromCode(code.code))
    except Exception:  # noqa: BLE001 - storage still failing: keep the use, the failure itself is re-raised
        log.warning("could not check a failed redemption", exc_info=True)
        return True


def _give_back(storage: Storage, code: StampCode, pupil_id: str, codes: Any, *, holds: bool) -> None:
    """Undo this attempt's claim (single-use, only when `holds`: the pupil has no redemption of it) or its
    reserved use (capped). Best effort: a failure here leaves the use counted, never the code over its cap."""
    try:
        if code.single_use:
            if holds:
                codes.unclaim_single_use(storage, code, pupil_id)
        elif code.max_uses:
            _release_capped_use(storage, code, codes)
    except Exception:  # noqa: BLE001 - the original failure is what the caller must see
        log.warning("could not give back a code's use", exc_info=True)


def _release_capped_use(storage: Storage, code: StampCode, codes: Any) -> None:
    def decide(uses: UseCount) -> UseCount | None:
        return replace(uses, count=uses.count - 1) if uses.etag is not None and uses.count > 0 else None

    retry_on_conflict(lambda: codes.read_uses(storage, code), decide,
                      lambda plan: codes.write_uses(storage, code, plan.count, plan.etag),
                      attempts=WRITE_ATTEMPTS)


def redeem(caller: Principal, body: RedemptionIn, *, client_address: str = UNKNOWN_ADDRESS,
           storage: Storage | None = None) -> RedemptionOut:
    storage = storage or get_storage()
    now = utcnow()
    school_id, pupil_id = _whose_pupil(caller, body)
    if caller.role is Role.PUPIL and isinstance(caller.own, PupilRow):
        pupil = Learner.of(caller.own)  # read when the request was authenticated
    else:
        pupil = record_store.read_learner(storage, school_id, pupil_id)
    if pupil is None or pupil.erasing:
        raise NotFound("Not found.")
    if not pupil.active or pupil.restricted:
        raise RedemptionNotAllowed("This account can't collect new hours at the moment. Ask your teacher.")
    attempt = throttle.begin(storage, lockout.CODE_GUESS, pupil_id, client_address, now=now,
                             message="Too many codes that didn't work. Have a break and try again later.")
    actor_id = caller.subject_id if caller.is_staff else None
    try:
        done = redeem_code(storage, pupil, normalise_code(body.code), now=now, actor_id=actor_id)
    except CodeAlreadyRedeemed:
        throttle.succeeded(storage, attempt)  # a real code, not a guess
        raise
    throttle.succeeded(storage, attempt)
    if caller.is_staff:
        audit.record(Action.REDEMPTION_BY_STAFF, actor_id=caller.subject_id, subject_ids=[pupil_id],
                     school_id=school_id, partner_id=caller.partner_id, storage=storage)
    upcoming = next_award(done.total_minutes)
    return RedemptionOut(
        redemption_id=done.redemption_id,
        activity=done.code.activity,
        total_hours=minutes_to_hours(done.total_minutes),
        new_awards=[AwardOut(name=a.name, hours=a.hours) for a in done.reached],
        next_award=NextAward(name=upcoming[0].name, hours=upcoming[0].hours,
                             hours_remaining=minutes_to_hours(upcoming[1])) if upcoming else None,
    )
