"""School, partner and national reports: scope, the reads, and the figures.

Storage requests (none of them grows with the number of redemptions):
- school report: the school (scope check), its pupil rows (one range query, a page per 1,000 pupils,
  only the report's fields), the two activity listings offered to it, and one point read per activity
  its pupils used that it was not offered (a title to show). Live: figures are as of the request.
- partner report: the partner (scope), its schools' listing, its partition of `schoolstats` (one row
  per school, only the months of the range), its destinations' listing: 4 requests for up to 1,000
  schools. As fresh as the oldest roll-up it includes (`as_of`); schools never rolled up are counted
  in `schools_pending` and left out of the figures.
- national report: the partners, every partner's total row in `schoolstats` (one partition query: one row
  per partner, not per school, so ~150 rows for 25,000 schools) and every partner's destinations (one
  range query). As fresh as the oldest partner total (`as_of`).
Partner and national ranges are month-granular (the roll-up is monthly): `from` and `to` are widened to
whole calendar months, and the response's `period` says which. The school report's range is in days.
Reports hold counts of pupils and hours, nothing about any one pupil, so reading one is not audited.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime

from shared.hours import minutes_to_hours
from shared.ids import iso, utcnow
from shared.learning.model import ActivityWindow
from shared.organisation.access import visible_partner, visible_school
from shared.organisation.store import all_partners, schools_of_partner
from shared.reports.figures import ALL, Figures, month_figures, pupil_figures
from shared.reports.present import insight, ratio
from shared.reports.schemas import (
    ActivityUse,
    NationalReport,
    PartnerLine,
    PartnerRef,
    PartnerReport,
    Period,
    ReportQuery,
    SchoolLine,
    SchoolRef,
    SchoolReport,
)
from shared.reports.store import (
    SummaryRow,
    activity_titles,
    all_destinations,
    offered_to_school,
    partner_destinations,
    partner_totals,
    pupils_for_reports,
    summaries_of_partner,
)
from shared.reports.suppression import Disclosure, Exact, SmallNumbersHidden
from shared.security import scope
from shared.security.principal import Principal, Role
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage

# --- school -----------------------------------------------------------------------------------------

def _activity_uses(storage: Storage, used: dict[str, int], offered: list[ActivityWindow], start: date | None,
                   end: date | None) -> list[ActivityUse]:
    """Every activity offered and open in the period, and every one used, most used first."""
    offered_ids = {a.id for a in offered}
    listed = [a for a in offered if a.open_during(start, end) or used.get(a.id)]
    listed += activity_titles(storage, set(used) - offered_ids).values()
    uses = [ActivityUse(id=a.id, title=a.title, provider="school" if a.school_id else "partner",
                        offered=a.id in offered_ids, pupils=used.get(a.id, 0)) for a in listed]
    return sorted(uses, key=lambda u: (-u.pupils, u.title.casefold(), u.id))


def school_report(caller: Principal, school_id: str, query: ReportQuery, *,
                  storage: Storage | None = None) -> SchoolReport:
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    start, end = query.from_, query.to
    figures = pupil_figures(pupils_for_reports(storage, school.id), start, end)
    offered = offered_to_school(storage, school)
    now = utcnow()
    return SchoolReport(
        school=SchoolRef(id=school.id, name=school.name),
        period=Period(from_=start, to=end, granularity="day"),
        as_of=iso(now),
        activities=_activity_uses(storage, dict(figures.activities), offered, start, end),
        **insight(figures, Exact(), today=now.date(), offered=offered, start=start, end=end),
    )


# --- partner and national ---------------------------------------------------------------------------

def _month(day: date | None) -> str | None:
    return day.strftime("%Y-%m") if day else None


def _period(query: ReportQuery) -> Period:
    start = query.from_.replace(day=1) if query.from_ else None
    end = query.to.replace(day=calendar.monthrange(query.to.year, query.to.month)[1]) if query.to else None
    return Period(from_=start, to=end, granularity="month")


def _months_between(start: date | None, end: date | None) -> list[str] | None:
    """The months a report needs from each row, so it selects just those; None (all) for an open start."""
    if start is None:
        return None
    last = end or utcnow().date()
    months = []
    year, month = start.year, start.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _figures(row: SummaryRow, period: Period) -> Figures:
    return month_figures(row.summary.roster, row.summary.months, _month(period.from_), _month(period.to))


def _next_rollup(now: datetime) -> str:
    """When the roll-up timer next runs (REPORTS_ROLLUP_SCHEDULE, NCRONTAB with seconds first)."""
    # croniter is only needed here; loading it lazily keeps it out of every other function's cold start.
    from croniter import croniter

    return iso(croniter(get_settings().reports_rollup_schedule, now, second_at_beginning=True).get_next(datetime))


def _oldest(rows: Iterable[SummaryRow]) -> str | None:
    return min((r.rolled_up_at for r in rows if r.rolled_up_at), default=None)


def _columns(parts: dict[str, Figures], total: Figures, show: Disclosure) -> dict[str, dict]:
    """Pupils, participants, rate and hours per part (school or partner), hidden where small: the parts
    add up to the published totals, so each column is a breakdown."""
    pupils = show.breakdown({k: (f.pupils[ALL], f.pupils[ALL]) for k, f in parts.items()}, total.pupils[ALL])
    participants = show.breakdown({k: (f.participants[ALL], f.participants[ALL]) for k, f in parts.items()},
                                  total.participants[ALL])
    hours = show.breakdown({k: (minutes_to_hours(f.minutes[ALL]), f.participants[ALL]) for k, f in parts.items()},
                           total.participants[ALL])
    return {k: {"pupils": pupils[k], "participants": participants[k],
                "participation_rate": ratio(participants[k], pupils[k], 3), "total_hours": hours[k]}
            for k in parts}


def partner_report(caller: Principal, partner_id: str, query: ReportQuery, *,
                   storage: Storage | None = None) -> PartnerReport:
    storage = storage or get_storage()
    partner = visible_partner(storage, caller, partner_id)
    period = _period(query)
    schools = schools_of_partner(storage, partner.id)
    months = _months_between(period.from_, period.to)
    rows = {row.owner_id: row for row in summaries_of_partner(storage, partner.id, months)}
    rows = {school.id: rows[school.id] for school in schools if school.id in rows}
    parts = {school_id: _figures(row, period) for school_id, row in rows.items()}
    total = Figures()
    for figures in parts.values():
        total.add(figures)
    show = SmallNumbersHidden()
    columns = _columns(parts, total, show)
    offered = partner_destinations(storage, partner.id) + [club for row in rows.values() for club in row.clubs]
    lines = [SchoolLine(id=s.id, name=s.name, as_of=rows[s.id].rolled_up_at, **columns[s.id]) if s.id in rows
             else SchoolLine(id=s.id, name=s.name, as_of=None, pupils=None, participants=None,
                             participation_rate=None, total_hours=None)
             for s in schools]
    return PartnerReport(
        partner=PartnerRef(id=partner.id, name=partner.name), period=period, as_of=_oldest(rows.values()),
        schools=lines, schools_pending=len(schools) - len(rows),
        next_rollup_at=_next_rollup(utcnow()) if len(rows) < len(schools) else None,
        **insight(total, show, today=utcnow().date(), offered=offered, start=period.from_, end=period.to),
    )


def national_report(caller: Principal, query: ReportQuery, *, storage: Storage | None = None) -> NationalReport:
    scope.require_role(caller, Role.TRUST_ADMIN)
    storage = storage or get_storage()
    period = _period(query)
    rows = {row.owner_id: row for row in partner_totals(storage, _months_between(period.from_, period.to))}
    names = {p.id: p.name for p in all_partners(storage)}
    rows = {partner_id: row for partner_id, row in rows.items() if partner_id in names}
    parts = {partner_id: _figures(row, period) for partner_id, row in rows.items()}
    total = Figures()
    for figures in parts.values():
        total.add(figures)
    show = SmallNumbersHidden()
    columns = _columns(parts, total, show)
    lines = sorted((PartnerLine(id=pid, name=names[pid], schools=rows[pid].schools, **columns[pid]) for pid in parts),
                   key=lambda line: (line.name.casefold(), line.id))
    clubs = [club for row in rows.values() for club in row.clubs]
    return NationalReport(
        period=period, as_of=_oldest(rows.values()), schools=sum(row.schools for row in rows.values()),
        partners=lines, partners_pending=len(names) - len(rows),
        next_rollup_at=_next_rollup(utcnow()) if len(rows) < len(names) else None,
        **insight(total, show, today=utcnow().date(), offered=all_destinations(storage) + clubs,
                  start=period.from_, end=period.to),
    )
