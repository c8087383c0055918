"""A pupil's progress (hours, awards, redemptions) and their certificates."""

from __future__ import annotations

from shared import audit
from shared.audit import Action
from shared.errors import NotFound
from shared.hours import minutes_to_hours
from shared.learning import record_store
from shared.learning.awards import LADDER, next_award
from shared.learning.model import CertificateRef, Learner
from shared.learning.schemas import AwardOut, AwardReached, NextAward, ProgressOut, RedemptionRecord
from shared.organisation import store as org_store
from shared.organisation.access import visible_school
from shared.organisation.model import School
from shared.roster.model import PupilRow
from shared.roster.store import get_pupil
from shared.security import scope
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage, get_storage
from shared.verification_codes import format_verification_code

# The ladder a pupil sees ahead of them: the next award and two more, greyed until reached.
UPCOMING = 3


def _printed(code: str | None) -> str | None:
    return format_verification_code(code) if code else None


def _progress(storage: Storage, school_id: str, pupil_id: str, learner: Learner | None = None) -> ProgressOut:
    # The pupil's own row, when the request's authentication already read it.
    pupil = learner or record_store.read_learner(storage, school_id, pupil_id)
    if pupil is None:
        raise NotFound("Not found.")
    total = pupil.total_minutes
    record = record_store.learning_record(storage, school_id, pupil_id)
    awards = [AwardReached(name=a.name, hours=a.hours, achieved_at=a.achieved_at, certificate_id=a.certificate_id,
                           verification_code=_printed(a.verification_code)) for a in record.awards]
    redemptions = [RedemptionRecord(id=r.redemption_id, hours=minutes_to_hours(r.minutes), redeemed_at=r.redeemed_at,
                                    activity=r.activity) for r in record.redemptions]
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
    own = Learner.of(caller.own) if isinstance(caller.own, PupilRow) else None
    progress = _progress(storage, caller.school_id, caller.subject_id, own)
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


def visible_certificate(storage: Storage, caller: Principal, certificate_id: str) -> tuple[School, CertificateRef]:
    """(school, award) of a certificate the caller may see (the pupil's own, or staff in scope); anything
    else is a 404."""
    ref = scope.visible(CertificateRef.parse(certificate_id))
    if caller.role is Role.PUPIL:
        scope.require(caller.school_id == ref.school_id and caller.subject_id == ref.pupil_id)
        school = scope.visible(org_store.get_school(storage, ref.school_id))
    else:
        school = visible_school(storage, caller, ref.school_id)
    return school, ref
