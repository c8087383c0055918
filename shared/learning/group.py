"""Hours for a group: a club session recorded by the school's staff for many pupils in one request.

Exactly once per pupil and session: each pupil's redemption comes from the session (activity and the
client's `session_id`), which the record store turns into the row whose insert credits it, in the same
entity-group transaction as the pupil's new totals (`redemption.credit_hours`). A repeated or concurrent request
with the same session_id finds the row already there and reports the pupil as already recorded, so
retrying after a lost answer is safe and totals stay exact.

Every pupil is checked before anything is written: one unknown, left or restricted pupil refuses the
whole request, with the position of each refused id, and changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared import audit
from shared.audit import Action
from shared.errors import FieldError, InvalidRequest, NotFound
from shared.hours import minutes_to_hours
from shared.ids import iso, new_id, utcnow
from shared.learning import record_store
from shared.learning.activities import activity_summary, visible_activity
from shared.learning.errors import AlreadyCredited, CodeOutsideWindow, RedemptionNotAllowed
from shared.learning.model import Activity, FromSession, Learner, Redemption
from shared.learning.redemption import credit_hours
from shared.learning.schemas import AwardOut, GroupMemberOut, GroupRedemptionIn, GroupRedemptionOut
from shared.organisation.access import visible_school
from shared.organisation.model import School
from shared.security import scope
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage, get_storage

CANNOT_COLLECT = "this pupil can't collect hours now (left the school or restricted)"


def _session_activity(storage: Storage, caller: Principal, school: School, activity_id: str, today: date) -> Activity:
    """The school's own club, or a learning destination of its partner, open today."""
    activity = visible_activity(storage, caller, activity_id)
    open_to_school = activity.school_id == school.id or (
        activity.school_id is None and activity.partner_id == school.partner_id)
    if not open_to_school:
        raise NotFound("Not found.")
    if (activity.valid_from and today < activity.valid_from) or (activity.valid_to and today > activity.valid_to):
        raise CodeOutsideWindow("This activity isn't open today, so hours can't be recorded for it.")
    return activity


def _checked_pupils(storage: Storage, school_id: str, pupil_ids: list[str], records: Any) -> list[Learner]:
    learners, errors = [], []
    for index, pupil_id in enumerate(pupil_ids):
        learner = records.read_learner(storage, school_id, pupil_id)
        if learner is None or learner.erasing:
            errors.append(FieldError(field=f"pupil_ids.{index}", message="no such pupil at this school"))
        elif not learner.active or learner.restricted:
            errors.append(FieldError(field=f"pupil_ids.{index}", message=CANNOT_COLLECT))
        else:
            learners.append(learner)
    if errors:
        raise InvalidRequest("Some of the chosen pupils can't be given these hours; nobody was recorded.",
                             errors=errors)
    return learners


def record_group_session(caller: Principal, school_id: str, body: GroupRedemptionIn, *,
                         storage: Storage | None = None) -> GroupRedemptionOut:
    storage = storage or get_storage()
    now = utcnow()
    school = visible_school(storage, caller, school_id)
    # As with a single code redeemed by staff: the pupil's own school records their hours.
    if caller.role is not Role.SCHOOL_STAFF:
        raise RedemptionNotAllowed("Hours for a group are recorded by staff of the pupils' school.")
    scope.require(caller.school_id == school.id)
    activity = _session_activity(storage, caller, school, body.activity_id, now.date())
    recorded, repeated = credit_session(storage, school.id, activity, body.pupil_ids, body.session_id, now=now,
                                        actor_id=caller.subject_id)
    if recorded:
        audit.record(Action.GROUP_REDEMPTION, actor_id=caller.subject_id,
                     subject_ids=[m.pupil_id for m in recorded], school_id=school.id, partner_id=school.partner_id,
                     storage=storage)
    return GroupRedemptionOut(activity=activity_summary(activity), session_id=body.session_id, recorded=recorded,
                              already_recorded=repeated)


def credit_session(storage: Storage, school_id: str, activity: Activity, pupil_ids: list[str], session_id: str, *,
                   now: datetime, actor_id: str, records: Any = record_store
                   ) -> tuple[list[GroupMemberOut], list[GroupMemberOut]]:
    """The rules of a session's hours: every pupil checked before anything is written, then each pupil
    credited once for (activity, session). Returns (recorded, already recorded). `records` is the record
    store (an in-memory fake in unit tests)."""
    pupils = _checked_pupils(storage, school_id, pupil_ids, records)
    summary = activity_summary(activity)
    source = FromSession(activity.id, session_id)
    recorded: list[GroupMemberOut] = []
    repeated: list[GroupMemberOut] = []
    for pupil in pupils:
        redemption = Redemption(source=source, redemption_id=new_id("rdm"), activity=summary,
                                minutes=activity.minutes, redeemed_at=iso(now), redeemed_by=actor_id)
        try:
            total, reached = credit_hours(storage, pupil, redemption, now, records=records)
        except AlreadyCredited as already:
            repeated.append(GroupMemberOut(pupil_id=pupil.pupil_id, redemption_id=already.redemption_id))
            continue
        recorded.append(GroupMemberOut(
            pupil_id=pupil.pupil_id, redemption_id=redemption.redemption_id, total_hours=minutes_to_hours(total),
            new_awards=[AwardOut(name=a.name, hours=a.hours) for a in reached],
        ))
    return recorded, repeated
