"""Hours for a group: a club session recorded by the school's staff for many pupils in one request.

Exactly once per pupil and session: each pupil's redemption row is keyed by the activity and the
client's `session_id` (`L|<pupil>|r|<activity>.<session>`), and is inserted in the same entity-group
transaction as the pupil's new totals (`redemption.write_redemption`). A repeated or concurrent request
with the same session_id finds the row already there and reports the pupil as already recorded, so
retrying after a lost answer is safe and totals stay exact.

Every pupil is checked before anything is written: one unknown, left or restricted pupil refuses the
whole request, with the position of each refused id, and changes nothing.
"""

from __future__ import annotations

from datetime import date

from shared import audit
from shared.audit import Action
from shared.errors import FieldError, InvalidRequest, NotFound
from shared.hours import minutes_to_hours
from shared.ids import new_id, utcnow
from shared.learning import store
from shared.learning.activities import activity_summary, visible_activity
from shared.learning.errors import CodeAlreadyRedeemed, CodeOutsideWindow, RedemptionNotAllowed
from shared.learning.model import Activity, Learner, StampCode
from shared.learning.redemption import write_redemption
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


def _checked_pupils(storage: Storage, school_id: str, pupil_ids: list[str]) -> list[Learner]:
    learners, errors = [], []
    for index, pupil_id in enumerate(pupil_ids):
        learner = store.read_learner(storage, school_id, pupil_id)
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
    pupils = _checked_pupils(storage, school.id, body.pupil_ids)
    summary = activity_summary(activity)
    session = StampCode(code="", activity=summary, minutes=activity.minutes, school_id=school.id, single_use=False,
                        max_uses=None, valid_from=None, valid_to=None)
    record_key = f"{activity.id}.{body.session_id}"
    recorded: list[GroupMemberOut] = []
    repeated: list[GroupMemberOut] = []
    for pupil in pupils:
        redemption_id = new_id("rdm")
        try:
            total, reached = write_redemption(storage, pupil, session, redemption_id, now, caller.subject_id,
                                              record_key=record_key)
        except CodeAlreadyRedeemed as already:
            repeated.append(GroupMemberOut(pupil_id=pupil.pupil_id,
                                           redemption_id=already.extra.get("redemption_id")))
            continue
        recorded.append(GroupMemberOut(
            pupil_id=pupil.pupil_id, redemption_id=redemption_id, total_hours=minutes_to_hours(total),
            new_awards=[AwardOut(name=a.name, hours=a.hours) for a in reached],
        ))
    if recorded:
        audit.record(Action.GROUP_REDEMPTION, actor_id=caller.subject_id,
                     subject_ids=[m.pupil_id for m in recorded], school_id=school.id, partner_id=school.partner_id,
                     storage=storage)
    return GroupRedemptionOut(activity=summary, session_id=body.session_id, recorded=recorded,
                              already_recorded=repeated)

