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

import contextlib
import logging
from dataclasses import replace
from datetime import date, datetime

from shared import audit
from shared.audit import Action
from shared.errors import ConcurrencyConflict, FieldError, InvalidRequest, NotFound
from shared.hours import minutes_to_hours
from shared.ids import iso, new_id, utcnow
from shared.learning import stats as learning_stats
from shared.learning import store
from shared.learning.awards import Award, newly_reached, next_award
from shared.learning.codes import normalise_code
from shared.learning.errors import (
    CodeAlreadyRedeemed,
    CodeNotFound,
    CodeOutsideWindow,
    CodeUsedUp,
    RedemptionNotAllowed,
)
from shared.learning.model import Learner, StampCode, UseCount
from shared.learning.schemas import AwardOut, NextAward, RedemptionIn, RedemptionOut
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


def _claim_single_use(storage: Storage, code: StampCode, pupil_id: str, now: datetime) -> None:
    # Our own claim from an earlier attempt counts as ours: the redemption insert then decides.
    if not store.claim_single_use(storage, code, pupil_id, iso(now)):
        raise CodeUsedUp("Someone has already used this code.")


def _reserve_capped_use(storage: Storage, code: StampCode) -> None:
    assert code.max_uses is not None
    max_uses = code.max_uses

    def decide(uses: UseCount) -> UseCount:
        if uses.count >= max_uses:
            raise CodeUsedUp("This code has been used as many times as it can be.")
        return replace(uses, count=uses.count + 1)

    retry_on_conflict(lambda: store.read_uses(storage, code), decide,
                      lambda plan: store.write_uses(storage, code, plan.count, plan.etag),
                      attempts=WRITE_ATTEMPTS * 3, back_off=BACK_OFF_SECONDS,
                      busy="This code is very busy right now; try again.")


def _release_capped_use(storage: Storage, code: StampCode) -> None:
    def decide(uses: UseCount) -> UseCount | None:
        return replace(uses, count=uses.count - 1) if uses.etag is not None and uses.count > 0 else None

    with contextlib.suppress(ConcurrencyConflict):
        retry_on_conflict(lambda: store.read_uses(storage, code), decide,
                          lambda plan: store.write_uses(storage, code, plan.count, plan.etag),
                          attempts=WRITE_ATTEMPTS)


def _check_code(code: StampCode | None, school_id: str, today: date) -> StampCode:
    if code is None:
        raise CodeNotFound(UNKNOWN_CODE)
    if code.school_id is not None and code.school_id != school_id:
        raise CodeNotFound(UNKNOWN_CODE)  # another school's club: indistinguishable from no code at all
    if (code.valid_from and today < code.valid_from) or (code.valid_to and today > code.valid_to):
        raise CodeOutsideWindow("This code can't be used today. Ask your teacher when it works.")
    return code


def write_redemption(storage: Storage, pupil: Learner, code: StampCode, redemption_id: str, now: datetime,
                     actor_id: str | None, *, record_key: str | None = None) -> tuple[int, list[Award]]:
    """The atomic step, retried on the pupil row's ETag. Returns (total minutes after, awards reached).

    `record_key` names the redemption row when it is not the code (a group session recorded by staff);
    the insert of that row is what makes the redemption happen at most once.
    """
    def read() -> Learner:
        fresh = store.read_learner(storage, pupil.school_id, pupil.pupil_id)
        if fresh is None or fresh.erasing:
            raise NotFound("Not found.")
        return fresh

    def write(current: Learner) -> tuple[int, list[Award]]:
        after = current.total_minutes + code.minutes
        reached = newly_reached(current.total_minutes, after)
        stats = learning_stats.add_redemption(
            current.stats, now.date(), minutes=code.minutes, employer=code.activity.employer_engagement,
            skills=code.activity.skills, interests=code.activity.interests, activity_id=code.activity.id,
        )
        store.write_redemption(storage, current, code, redemption_id=redemption_id, redeemed_at=iso(now),
                               redeemed_by=actor_id or current.pupil_id, total_minutes=after,
                               stats=learning_stats.dump(stats, today=now.date()), awards=reached,
                               record_key=record_key)
        return after, reached

    result = retry_on_conflict(read, lambda current: current, write, attempts=PUPIL_WRITE_ATTEMPTS, first=pupil,
                               back_off=BACK_OFF_SECONDS)
    assert result is not None
    return result


def redeem(caller: Principal, body: RedemptionIn, *, client_address: str = UNKNOWN_ADDRESS,
           storage: Storage | None = None) -> RedemptionOut:
    storage = storage or get_storage()
    now = utcnow()
    school_id, pupil_id = _whose_pupil(caller, body)
    if caller.role is Role.PUPIL and caller.own_row is not None:
        pupil = store.learner_from(caller.own_row)  # read when the request was authenticated
    else:
        pupil = store.read_learner(storage, school_id, pupil_id)
    if pupil is None or pupil.erasing:
        raise NotFound("Not found.")
    if not pupil.active or pupil.restricted:
        raise RedemptionNotAllowed("This account can't collect new hours at the moment. Ask your teacher.")
    attempt = throttle.begin(storage, lockout.CODE_GUESS, pupil_id, client_address, now=now,
                             message="Too many codes that didn't work. Have a break and try again later.")
    canonical = normalise_code(body.code)
    capped_reserved = False
    try:
        code = _check_code(store.get_stamp_code(storage, canonical) if canonical else None, school_id, now.date())
        if code.single_use:
            _claim_single_use(storage, code, pupil_id, now)
        elif code.max_uses:
            _reserve_capped_use(storage, code)
            capped_reserved = True
        redemption_id = new_id("rdm")
        actor_id = caller.subject_id if caller.is_staff else None
        total, reached = write_redemption(storage, pupil, code, redemption_id, now, actor_id)
    except CodeAlreadyRedeemed:
        # A real code, not a guess.
        throttle.succeeded(storage, attempt)
        if capped_reserved:
            _release_capped_use(storage, code)
        raise
    throttle.succeeded(storage, attempt)
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
