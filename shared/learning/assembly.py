"""An assembly's certificates: every award a school's pupils reached in a date range, listed or as one PDF."""

from __future__ import annotations

from datetime import date, timedelta

from shared import audit
from shared.audit import Action
from shared.errors import NotFound
from shared.hours import minutes_to_hours
from shared.ids import utcnow
from shared.learning import store
from shared.learning.schemas import SchoolAward, SchoolAwardList, SchoolAwardsQuery
from shared.organisation.access import visible_school
from shared.organisation.model import School
from shared.roster.store import Pupil, get_pupil
from shared.security.principal import Principal
from shared.storage.clients import Storage, get_storage


def _reached(storage: Storage, school: School, query: SchoolAwardsQuery) -> list[tuple[SchoolAward, Pupil]]:
    rows = store.awards_reached(storage, school.id, query.from_.isoformat(),
                                (query.to + timedelta(days=1)).isoformat())
    pupils: dict[str, Pupil | None] = {}
    today = utcnow().date()
    found = []
    for row in rows:
        pupil_id = row.pupil_id
        if pupil_id not in pupils:
            got = get_pupil(storage, school.id, pupil_id)
            pupils[pupil_id] = got[0] if got and not got[0].erasing else None
        pupil = pupils[pupil_id]
        if pupil is None:
            continue
        found.append((SchoolAward(
            pupil_id=pupil.id, first_name=pupil.first_name, last_name=pupil.last_name,
            year_group=pupil.year_group(today), name=row.name, hours=row.hours, achieved_at=row.achieved_at,
            certificate_id=row.certificate_id,
        ), pupil))
    # In the hall: by class, then by name, so certificates come off the printer in the order they're handed out.
    found.sort(key=lambda item: (item[0].year_group, item[0].last_name.lower(), item[0].first_name.lower(),
                                 item[0].hours))
    return found


def _audit(storage: Storage, caller: Principal, school: School, awards: list[SchoolAward], action: Action) -> None:
    audit.record(action, actor_id=caller.subject_id,
                 subject_ids=sorted({a.pupil_id for a in awards}), school_id=school.id,
                 partner_id=school.partner_id, storage=storage)


def school_awards(caller: Principal, school_id: str, query: SchoolAwardsQuery, *,
                  storage: Storage | None = None) -> SchoolAwardList:
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    awards = [award for award, _ in _reached(storage, school, query)]
    if awards:
        # A list of pupils' names and awards (the dashboard, the assembly page), not their certificates.
        _audit(storage, caller, school, awards, Action.PUPILS_LISTED)
    return SchoolAwardList(awards=awards)


def assembly_certificates_pdf(caller: Principal, school_id: str, query: SchoolAwardsQuery, *,
                              storage: Storage | None = None) -> bytes:
    """One PDF, a certificate per page, drawn exactly as each pupil's own certificate is."""
    # fpdf costs ~0.2 s to import; loading it here keeps it out of every function's cold start.
    from shared.documents.certificate import CertificateData, render_certificates

    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    reached = _reached(storage, school, query)
    if not reached:
        raise NotFound("No awards were reached between these dates, so there are no certificates to print.")
    _audit(storage, caller, school, [award for award, _ in reached], Action.CERTIFICATE_READ)
    return render_certificates([
        CertificateData(
            pupil_name=f"{pupil.first_name} {pupil.last_name}",
            award_name=award.name, hours=float(award.hours), total_hours=minutes_to_hours(pupil.total_minutes),
            school_name=school.name, achieved_on=date.fromisoformat(award.achieved_at[:10]),
        )
        for award, pupil in reached
    ], title=f"Certificates {query.from_.isoformat()} to {query.to.isoformat()}")
