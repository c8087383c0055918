"""A pupil's progress (hours, awards, redemptions) and their certificates."""

from __future__ import annotations

import json
import re

from shared import audit
from shared.audit import Action
from shared.errors import NotFound
from shared.hours import minutes_to_hours
from shared.learning import store
from shared.learning.awards import LADDER, next_award
from shared.learning.schemas import ActivitySummary, AwardOut, AwardReached, NextAward, ProgressOut, RedemptionRecord
from shared.learning.store import AWARD, REDEMPTION
from shared.organisation import store as org_store
from shared.organisation.access import visible_school
from shared.organisation.model import School
from shared.roster.store import get_pupil
from shared.security import scope
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage, get_storage
from shared.storage.tables import Entity
from shared.verification_codes import format_verification_code

# The ladder a pupil sees ahead of them: the next award and two more, greyed until reached.
UPCOMING = 3
_CERTIFICATE_ID = re.compile(r"^(sch_[a-z0-9]+)\.(pup_[a-z0-9]+)\.(\d{2})$")


def _printed(code: str | None) -> str | None:
    return format_verification_code(code) if code else None


def _progress(storage: Storage, school_id: str, pupil_id: str, pupil_row: Entity | None = None) -> ProgressOut:
    # The pupil's own row, when the request's authentication already read it.
    pupil = store.learner_from(pupil_row) if pupil_row else store.read_learner(storage, school_id, pupil_id)
    if pupil is None:
        raise NotFound("Not found.")
    total = pupil.total_minutes
    awards, redemptions = [], []
    for row in store.learning_rows(storage, school_id, pupil_id):
        kind = store.kind_of(row)
        if kind == AWARD:
            awards.append(AwardReached(name=row["name"], hours=int(row["hours"]), achieved_at=row["achieved_at"],
                                       certificate_id=row["certificate_id"],
                                       verification_code=_printed(row.get("verification_code"))))
        elif kind == REDEMPTION:
            minutes = int(row["minutes"])
            redemptions.append(RedemptionRecord(
                id=row["redemption_id"], hours=minutes_to_hours(minutes), redeemed_at=row["redeemed_at"],
                activity=ActivitySummary(
                    id=row["activity_id"], title=row["title"], hours=minutes_to_hours(minutes),
                    skills=json.loads(row.get("skills") or "[]"), interests=json.loads(row.get("interests") or "[]"),
                    employer_engagement=bool(row.get("employer_engagement")),
                ),
            ))
    upcoming = next_award(total)
    return ProgressOut(
        total_hours=minutes_to_hours(total),
        awards=sorted(awards, key=lambda a: a.hours),
        next_award=NextAward(name=upcoming[0].name, hours=upcoming[0].hours,
                             hours_remaining=minutes_to_hours(upcoming[1])) if upcoming else None,
        redemptions=sorted(redemptions, key=lambda r: r.redeemed_at, reverse=True),
        upcoming_awards=[AwardOut(name=a.name, hours=a.hours) for a in LADDER if a.minutes > total][:UPCOMING],
    )


def my_progress(caller: Principal, *, storage: Storage | None = None) -> ProgressOut:
    scope.require_role(caller, Role.PUPIL)
    assert caller.school_id is not None
    storage = storage or get_storage()
    progress = _progress(storage, caller.school_id, caller.subject_id, caller.own_row)
    if not progress.awards:
        return progress  # no award, no badge: the school's setting is read only when it matters
    school = org_store.get_school(storage, caller.school_id)
    return progress.model_copy(update={"open_badges": bool(school and school.open_badges)})


def pupil_progress(caller: Principal, school_id: str, pupil_id: str, *, storage: Storage | None = None) -> ProgressOut:
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    scope.require(get_pupil(storage, school.id, pupil_id) is not None)
    progress = _progress(storage, school.id, pupil_id).model_copy(update={"open_badges": school.open_badges})
    audit.record(Action.PROGRESS_READ, actor_id=caller.subject_id, subject_ids=[pupil_id], school_id=school.id,
                 partner_id=school.partner_id, storage=storage)
    return progress


def visible_certificate(storage: Storage, caller: Principal, certificate_id: str) -> tuple[School, str, str]:
    """(school, pupil id, award rank) of a certificate the caller may see (the pupil's own, or staff in
    scope); anything else is a 404."""
    m = scope.visible(_CERTIFICATE_ID.match(certificate_id))
    school_id, pupil_id, rank = m.group(1), m.group(2), m.group(3)
    if caller.role is Role.PUPIL:
        scope.require(caller.school_id == school_id and caller.subject_id == pupil_id)
        school = scope.visible(org_store.get_school(storage, school_id))
    else:
        school = visible_school(storage, caller, school_id)
    return school, pupil_id, rank
