"""An assembly's awards: every award a school's pupils reached in a date range, with their names and year
groups (the list; `achievements.assembly` prints their certificates from the same reading)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from shared import audit
from shared.audit import Action
from shared.ids import utcnow
from shared.learning import record_store
from shared.learning.model import AwardRow
from shared.learning.schemas import SchoolAward, SchoolAwardList, SchoolAwardsQuery
from shared.organisation.access import visible_school
from shared.organisation.model import School
from shared.roster.rules import year_group_of_cohort
from shared.security.principal import Principal
from shared.storage.clients import Storage, get_storage


@dataclass(frozen=True)
class ReachedAward:
    """An award reached in the range: as listed, and as stored (its certificate needs the row)."""

    listed: SchoolAward
    total_minutes: int  # the pupil's hours so far, printed on the certificate
    row: AwardRow


def reached_awards(storage: Storage, school: School, query: SchoolAwardsQuery) -> list[ReachedAward]:
    """One query on the school's partition (its pupil rows and the award rows of the range), however many
    awards there are; pupils being erased are left out."""
    today = utcnow().date()
    found = [
        ReachedAward(
            listed=SchoolAward(
                pupil_id=holder.id, first_name=holder.first_name, last_name=holder.last_name,
                year_group=year_group_of_cohort(holder.cohort, today), name=award.name, hours=award.hours,
                achieved_at=award.achieved_at, certificate_id=award.certificate_id,
            ),
            total_minutes=holder.total_minutes,
            row=award,
        )
        for holder, award in record_store.awards_between(storage, school.id, query.from_.isoformat(),
                                                  (query.to + timedelta(days=1)).isoformat())
        if not holder.erasing
    ]
    # In the hall: by class, then by name, so certificates come off the printer in the order they're handed out.
    found.sort(key=lambda r: (r.listed.year_group, r.listed.last_name.lower(), r.listed.first_name.lower(),
                              r.listed.hours))
    return found


def audit_assembly(storage: Storage, caller: Principal, school: School, awards: list[SchoolAward],
                   action: Action) -> None:
    audit.record(action, actor_id=caller.subject_id,
                 subject_ids=sorted({a.pupil_id for a in awards}), school_id=school.id,
                 partner_id=school.partner_id, storage=storage)


def school_awards(caller: Principal, school_id: str, query: SchoolAwardsQuery, *,
                  storage: Storage | None = None) -> SchoolAwardList:
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    awards = [r.listed for r in reached_awards(storage, school, query)]
    if awards:
        # A list of pupils' names and awards (the dashboard, the assembly page), not their certificates.
        audit_assembly(storage, caller, school, awards, Action.PUPILS_LISTED)
    return SchoolAwardList(awards=awards)
