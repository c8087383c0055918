"""Graduation lists: the pupils of each school who reached each award in a period, with their
certificates as one PDF per school and a spreadsheet-safe CSV for the invitations.

A list reads one partition per school (its pupils and the award rows in the period, in one query).
Restricted pupils (processing restricted under Art. 18) and pupils being erased are left out. Every
list is audited as a read of personal data, one entry per school naming the pupils on it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from shared import audit
from shared.achievements.certificates import certificate_data
from shared.audit import Action
from shared.csvsafe import csv_bytes
from shared.errors import FieldError, InvalidRequest
from shared.graduation.schemas import Graduate, GraduateAward, GraduationList, GraduationQuery, SchoolGraduation
from shared.ids import iso, utcnow
from shared.learning.awards import LADDER, Award
from shared.learning.store import AWARD, pupils_and_awards_between
from shared.organisation import store as org_store
from shared.organisation.access import visible_partner, visible_school
from shared.organisation.model import School
from shared.roster.rules import year_group_of_cohort
from shared.security.principal import Principal
from shared.storage.clients import Storage, get_storage

# One PDF of certificates is rendered in one request; past this, ask for one award at a time.
MAX_CERTIFICATES_PER_PDF = 300
CSV_HEADER = ["school", "first_name", "last_name", "year_group", "status", "award", "hours", "achieved_on"]


def _award_named(text: str | None) -> Award | None:
    if text is None:
        return None
    wanted = text.strip().lower().replace(" ", "-")
    for award in LADDER:
        if award.key == wanted:
            return award
    raise InvalidRequest("There is no such award.", errors=[FieldError(
        field="award", message="give an award name such as 'Bronze Award' or 'Gold Fellowship'")])


def _period(query: GraduationQuery, today: date) -> tuple[date, date]:
    end = query.end or today
    if query.start:
        return query.start, end
    school_year = end.year if end.month >= 9 else end.year - 1  # English school years start on 1 September
    return date(school_year, 9, 1), end


def _instant(day: date) -> str:
    return iso(datetime.combine(day, time.min).replace(tzinfo=utcnow().tzinfo))


def _school_list(storage: Storage, school: School, start: date, end: date, award: Award | None,
                 today: date) -> SchoolGraduation:
    rows = pupils_and_awards_between(storage, school.id, _instant(start), _instant(end + timedelta(days=1)))
    pupils = {r["RowKey"]: r for r in rows if r["RowKey"].startswith("pup_")}
    reached: dict[str, list[GraduateAward]] = {}
    for r in rows:
        parts = r["RowKey"].split("|")
        if len(parts) != 4 or parts[0] != "L" or parts[2] != AWARD:
            continue
        if award is not None and r.get("award_key") != award.key:
            continue
        pupil = pupils.get(parts[1])
        if pupil is None or pupil.get("restricted") or pupil.get("erasing"):
            continue
        reached.setdefault(parts[1], []).append(GraduateAward(
            name=r["name"], hours=int(r["hours"]), achieved_at=r["achieved_at"], certificate_id=r["certificate_id"]))
    graduates = []
    for pupil_id, awards in reached.items():
        p = pupils[pupil_id]
        graduates.append(Graduate(
            pupil_id=pupil_id, first_name=p["first_name"], last_name=p["last_name"],
            year_group=year_group_of_cohort(int(p.get("cohort") or 0), today) if p.get("cohort") else 0,
            status=p.get("status") or "active", awards=sorted(awards, key=lambda a: a.hours),
        ))
    graduates.sort(key=lambda g: (-g.awards[-1].hours, g.last_name.casefold(), g.first_name.casefold()))
    counts = Counter(a.name for g in graduates for a in g.awards)
    ordered = {a.name: counts[a.name] for a in LADDER if counts[a.name]}
    return SchoolGraduation(school_id=school.id, school_name=school.name, awards=ordered, pupils=graduates)


def _audited(caller: Principal, lists: list[SchoolGraduation], schools: dict[str, School], storage: Storage,
             action: Action = Action.GRADUATION_LIST_READ) -> None:
    for item in lists:
        if item.pupils:
            audit.record(action, actor_id=caller.subject_id, subject_ids=[g.pupil_id for g in item.pupils],
                         school_id=item.school_id, partner_id=schools[item.school_id].partner_id, storage=storage)


def partner_graduation(caller: Principal, partner_id: str, query: GraduationQuery, *,
                       storage: Storage | None = None) -> GraduationList:
    """The CU manager's (or the Trust's) list over every member school."""
    storage = storage or get_storage()
    visible_partner(storage, caller, partner_id)
    if query.format == "pdf":
        raise InvalidRequest("Certificates come one school at a time: use the school's graduation list.")
    today = utcnow().date()
    start, end = _period(query, today)
    award = _award_named(query.award)
    schools = {s.id: s for s in org_store.schools_of_partner(storage, partner_id)}
    lists = [_school_list(storage, s, start, end, award, today) for s in schools.values()]
    lists.sort(key=lambda item: item.school_name.casefold())
    _audited(caller, lists, schools, storage)
    return GraduationList(start=start, end=end, award=award.name if award else None, schools=lists)


def school_graduation(caller: Principal, school_id: str, query: GraduationQuery, *,
                      storage: Storage | None = None) -> GraduationList:
    """One school's list: its own staff, its CU manager, the Trust."""
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    today = utcnow().date()
    start, end = _period(query, today)
    award = _award_named(query.award)
    item = _school_list(storage, school, start, end, award, today)
    action = Action.GRADUATION_CERTIFICATES_PRINTED if query.format == "pdf" else Action.GRADUATION_LIST_READ
    _audited(caller, [item], {school.id: school}, storage, action)
    return GraduationList(start=start, end=end, award=award.name if award else None, schools=[item])


def graduation_csv(graduation: GraduationList) -> bytes:
    """One row per pupil and award, every cell safe to open in a spreadsheet."""
    rows = [
        [item.school_name, g.first_name, g.last_name, g.year_group, g.status, a.name, a.hours, a.achieved_at[:10]]
        for item in graduation.schools for g in item.pupils for a in g.awards
    ]
    return csv_bytes(CSV_HEADER, rows)


def graduation_certificates_pdf(graduation: GraduationList, *, storage: Storage | None = None) -> bytes:
    """Every certificate on one school's list, one page each, each with its verification code and QR."""
    from shared.documents.certificate import render_certificates

    storage = storage or get_storage()
    (item,) = graduation.schools
    count = sum(len(g.awards) for g in item.pupils)
    if count > MAX_CERTIFICATES_PER_PDF:
        raise InvalidRequest(f"That is {count} certificates; ask for one award at a time "
                             f"(at most {MAX_CERTIFICATES_PER_PDF} in one PDF).")
    if count == 0:
        raise InvalidRequest("Nobody on this list reached an award in the period: there are no certificates.")
    school = org_store.get_school(storage, item.school_id)
    assert school is not None
    pages = [certificate_data(storage, school, g.pupil_id, a.certificate_id.rsplit(".", 1)[1])
             for g in item.pupils for a in g.awards]
    return render_certificates([page for page in pages if page is not None],
                               title=f"Certificates {graduation.start.isoformat()} to {graduation.end.isoformat()}")
