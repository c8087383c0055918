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
from shared.achievements.verification import Recipient, codes_for_awards, verify_url
from shared.audit import Action
from shared.csvsafe import csv_bytes
from shared.errors import FieldError, InvalidRequest
from shared.graduation.schemas import Graduate, GraduateAward, GraduationList, GraduationQuery, SchoolGraduation
from shared.hours import minutes_to_hours
from shared.ids import iso, utcnow
from shared.learning import record_store
from shared.learning.awards import LADDER, Award
from shared.learning.model import AwardRow
from shared.organisation import store as org_store
from shared.organisation.access import visible_partner, visible_school
from shared.organisation.model import School
from shared.roster.model import ListedPupil
from shared.roster.rules import year_group_of_cohort
from shared.security.principal import Principal
from shared.storage.clients import Storage, get_storage
from shared.verification_codes import format_verification_code

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
                 today: date) -> tuple[SchoolGraduation, dict[str, tuple[AwardRow, int]]]:
    """The school's list, and each listed certificate's award row and its pupil's total minutes (for the PDF)."""
    holders: dict[str, ListedPupil] = {}
    reached: dict[str, list[GraduateAward]] = {}
    stored: dict[str, tuple[AwardRow, int]] = {}
    for holder, row in record_store.awards_between(storage, school.id, _instant(start),
                                                   _instant(end + timedelta(days=1))):
        if (award is not None and row.award_key != award.key) or holder.restricted or holder.erasing:
            continue
        holders[holder.id] = holder
        reached.setdefault(holder.id, []).append(GraduateAward(
            name=row.name, hours=row.hours, achieved_at=row.achieved_at, certificate_id=row.certificate_id))
        stored[row.certificate_id] = (row, holder.total_minutes)
    graduates = [
        Graduate(pupil_id=h.id, first_name=h.first_name, last_name=h.last_name,
                 year_group=year_group_of_cohort(h.cohort, today), status=h.status,
                 awards=sorted(reached[h.id], key=lambda a: a.hours))
        for h in holders.values()
    ]
    graduates.sort(key=lambda g: (-g.awards[-1].hours, g.last_name.casefold(), g.first_name.casefold()))
    counts = Counter(a.name for g in graduates for a in g.awards)
    ordered = {a.name: counts[a.name] for a in LADDER if counts[a.name]}
    return SchoolGraduation(school_id=school.id, school_name=school.name, awards=ordered, pupils=graduates), stored


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
    lists = [_school_list(storage, s, start, end, award, today)[0] for s in schools.values()]
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
    item, _ = _school_list(storage, school, start, end, award, today)
    _audited(caller, [item], {school.id: school}, storage)
    return GraduationList(start=start, end=end, award=award.name if award else None, schools=[item])


def graduation_csv(graduation: GraduationList) -> bytes:
    """One row per pupil and award, every cell safe to open in a spreadsheet."""
    rows = [
        [item.school_name, g.first_name, g.last_name, g.year_group, g.status, a.name, a.hours, a.achieved_at[:10]]
        for item in graduation.schools for g in item.pupils for a in g.awards
    ]
    return csv_bytes(CSV_HEADER, rows)


def graduation_certificates_pdf(caller: Principal, school_id: str, query: GraduationQuery, *,
                                storage: Storage | None = None) -> bytes:
    """Every certificate on one school's list, one page each, each with its verification code and QR.

    Codes the awards do not have yet are given in batches (`codes_for_awards`), as for an assembly.
    """
    # fpdf costs ~0.2 s to import; loading it here keeps it out of every function's cold start.
    from shared.documents.certificate import CertificateData, render_certificates

    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    today = utcnow().date()
    start, end = _period(query, today)
    award = _award_named(query.award)
    item, stored = _school_list(storage, school, start, end, award, today)
    listed = [(g, a) for g in item.pupils for a in g.awards]
    if len(listed) > MAX_CERTIFICATES_PER_PDF:
        raise InvalidRequest(f"That is {len(listed)} certificates; ask for one award at a time "
                             f"(at most {MAX_CERTIFICATES_PER_PDF} in one PDF).")
    if not listed:
        raise InvalidRequest("Nobody on this list reached an award in the period: there are no certificates.")
    codes = codes_for_awards(storage, school, [
        Recipient(pupil_id=g.pupil_id, name=f"{g.first_name} {g.last_name}", award=stored[a.certificate_id][0])
        for g, a in listed
    ])
    printed = [(g, a, format_verification_code(code)) for (g, a), code in zip(listed, codes, strict=True) if code]
    _audited(caller, [item], {school.id: school}, storage, Action.GRADUATION_CERTIFICATES_PRINTED)
    return render_certificates([
        CertificateData(
            pupil_name=f"{g.first_name} {g.last_name}", award_name=a.name, hours=float(a.hours),
            total_hours=minutes_to_hours(stored[a.certificate_id][1]), school_name=school.name,
            achieved_on=date.fromisoformat(a.achieved_at[:10]), verification_code=code, verify_url=verify_url(code),
        )
        for g, a, code in printed
    ], title=f"Certificates {start.isoformat()} to {end.isoformat()}")
