"""From `Figures` to the fields of a report, and any report to formula-safe CSV (pure).

Year groups are labelled from the stored cohort and today's date, as the roster shows them
("Reception", "Year 1" … ; "Nursery" below Reception; "Unknown" without a cohort). Hours are minutes
/ 60, exact in quarter hours. Rates are rounded to 3 places and hours per participant to 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from shared.csvsafe import csv_bytes
from shared.hours import minutes_to_hours
from shared.learning.awards import LADDER
from shared.learning.model import ActivityWindow
from shared.reports.figures import ALL, EMPLOYER, Figures, cohort_dim, dims_with, gender_dim
from shared.reports.schemas import SUPPRESSED, Insight, NationalReport, PartnerReport, SchoolReport
from shared.reports.suppression import Disclosure
from shared.roster.model import Gender
from shared.roster.rules import year_group_of_cohort

UNKNOWN_YEAR = "Unknown"


def year_group_label(cohort: int | None, today: date) -> tuple[int, str]:
    """(sort order, label) of a cohort's year group today."""
    if cohort is None:
        return 99, UNKNOWN_YEAR
    year = year_group_of_cohort(cohort, today)
    if year < 0:
        return -1, "Nursery"
    return year, "Reception" if year == 0 else f"Year {year}"


def ratio(part: Any, whole: Any, places: int) -> Any:
    """part / whole rounded, 0 when there is no whole; hidden when either side is."""
    if SUPPRESSED in (part, whole):
        return SUPPRESSED
    return round(part / whole, places) if whole else 0.0


def _by_amount(amounts: dict[str, int]) -> list[str]:
    return sorted(amounts, key=lambda name: (-amounts[name], name))


def _year_groups(f: Figures, show: Disclosure, today: date) -> dict[str, dict]:
    groups: dict[str, list[int]] = {}  # label -> [order, pupils, participants, minutes]
    cohorts = {dim[2:] for dim in (*f.pupils, *f.participants) if dim.startswith("c:")}
    for text in cohorts:
        cohort = int(text) if text else None
        order, label = year_group_label(cohort, today)
        group = groups.setdefault(label, [order, 0, 0, 0])
        dim = cohort_dim(cohort)
        group[1] += f.pupils[dim]
        group[2] += f.participants[dim]
        group[3] += f.minutes[dim]
    labels = sorted(groups, key=lambda label: groups[label][0])
    pupils = show.breakdown({k: (groups[k][1], groups[k][1]) for k in labels}, f.pupils[ALL])
    participants = show.breakdown({k: (groups[k][2], groups[k][2]) for k in labels}, f.participants[ALL])
    hours = show.breakdown({k: (minutes_to_hours(groups[k][3]), groups[k][2]) for k in labels},
                           f.participants[ALL])
    return {k: {"pupils": pupils[k], "participants": participants[k], "hours": hours[k]} for k in labels}


def _genders(counter: dict, show: Disclosure, total: int) -> dict:
    found = dims_with("g:", counter)
    names = [g.value for g in Gender] + sorted(set(found) - {g.value for g in Gender})
    return show.breakdown({g: (counter.get(gender_dim(g), 0), counter.get(gender_dim(g), 0)) for g in names}, total)


def _hours_by(prefix: str, f: Figures, show: Disclosure) -> dict:
    minutes = dims_with(prefix, f.minutes)
    pupils = dims_with(prefix, f.participants)
    return {name: show.cell(minutes_to_hours(minutes[name]), pupils.get(name, 0)) for name in _by_amount(minutes)}


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _trend(f: Figures, show: Disclosure, start: date | None, end: date | None, today: date) -> list[dict]:
    """Month by month over the period (from its first month, or the first with learning, to its last or now):
    pupils who learned, and their hours (hidden with them when fewer than 5)."""
    active = sorted(m for m, n in f.month_participants.items() if n)
    first = start.strftime("%Y-%m") if start else (active[0] if active else None)
    if first is None:
        return []
    last = min(end or today, today).strftime("%Y-%m")
    return [{"month": m, "participants": show.cell(f.month_participants[m], f.month_participants[m]),
             "hours": show.cell(minutes_to_hours(f.month_minutes[m]), f.month_participants[m])}
            for m in _months(first, max(first, last))]


def insight(f: Figures, show: Disclosure, *, today: date, offered: Iterable[ActivityWindow],
            start: date | None, end: date | None) -> dict:
    """The fields every report shares (`Insight`), with cells passed through `show`."""
    pupils = show.cell(f.pupils[ALL], f.pupils[ALL])
    participants = show.cell(f.participants[ALL], f.participants[ALL])
    total_hours = show.cell(minutes_to_hours(f.minutes[ALL]), f.participants[ALL])
    used = {activity for activity, n in f.activities.items() if n > 0}
    available = {a.id for a in offered if a.open_during(start, end)}
    return {
        "pupils": pupils,
        "participants": participants,
        "participation_rate": ratio(participants, pupils, 3),
        "total_hours": total_hours,
        "hours_per_participant": ratio(total_hours, participants, 2),
        "redemptions": show.cell(f.redemptions, f.participants[ALL]),
        "by_gender": {"roster": _genders(f.pupils, show, f.pupils[ALL]),
                      "participants": _genders(f.participants, show, f.participants[ALL])},
        "by_year_group": _year_groups(f, show, today),
        "skills": _hours_by("s:", f, show),
        "interests": _hours_by("i:", f, show),
        "employer_engagement_hours": show.cell(minutes_to_hours(f.minutes[EMPLOYER]), f.participants[EMPLOYER]),
        "awards": {a.name: show.cell(f.awards[a.key], f.awards[a.key]) for a in LADDER if f.awards[a.key]},
        "activities_available": len(available),
        "activities_used": len(used),
        "activities_available_used": len(available & used),
        "trend": _trend(f, show, start, end, today),
    }


# --- CSV ----------------------------------------------------------------------------------------------

CSV_HEADER = ["section", "item", "measure", "value"]


def _insight_rows(report: Insight) -> Iterator[list]:
    yield ["report", "period", "from", report.period.from_ or ""]
    yield ["report", "period", "to", report.period.to or ""]
    yield ["report", "period", "granularity", report.period.granularity]
    yield ["report", "", "as_of", report.as_of or ""]
    for measure in ("pupils", "participants", "participation_rate", "total_hours", "hours_per_participant",
                    "redemptions", "employer_engagement_hours", "activities_available", "activities_used",
                    "activities_available_used"):
        yield ["summary", "", measure, getattr(report, measure)]
    for side in ("roster", "participants"):
        for gender, n in getattr(report.by_gender, side).items():
            yield [f"gender_{side}", gender, "pupils", n]
    for label, group in report.by_year_group.items():
        for measure in ("pupils", "participants", "hours"):
            yield ["year_group", label, measure, getattr(group, measure)]
    for section, amounts in (("skill", report.skills), ("interest", report.interests)):
        for name, hours in amounts.items():
            yield [section, name, "hours", hours]
    for name, n in report.awards.items():
        yield ["award", name, "pupils", n]
    for month in report.trend:
        yield ["month", month.month, "participants", month.participants]
        yield ["month", month.month, "hours", month.hours]


def report_csv(report: SchoolReport | PartnerReport | NationalReport) -> bytes:
    """One tidy table (section, item, measure, value) that pivots in any spreadsheet; every cell through
    `safe_cell`, so a school or activity called "=HYPERLINK(…)" or "+Plus Academy" stays text."""
    rows: list[list] = []
    if isinstance(report, SchoolReport):
        rows.append(["report", "school", "name", report.school.name])
    elif isinstance(report, PartnerReport):
        rows.append(["report", "partner", "name", report.partner.name])
    else:
        rows.append(["report", "national", "name", "Children's University Trust"])
    rows += _insight_rows(report)
    if isinstance(report, SchoolReport):
        for a in report.activities:
            rows += [["activity", a.title, "provider", a.provider], ["activity", a.title, "offered", a.offered],
                     ["activity", a.title, "pupils", a.pupils]]
    elif isinstance(report, PartnerReport):
        for s in report.schools:
            rows += [["school", s.name, measure, getattr(s, measure)]
                     for measure in ("pupils", "participants", "participation_rate", "total_hours", "as_of")]
    else:
        for p in report.partners:
            rows += [["partner", p.name, measure, getattr(p, measure)]
                     for measure in ("schools", "pupils", "participants", "participation_rate", "total_hours")]
    return csv_bytes(CSV_HEADER, rows)
