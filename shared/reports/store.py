"""What reports read and the one table they own.

Reads (no report ever touches a redemption row):
- a school's pupil rows: one range query on its partition of `pupils`, selecting only gender, cohort,
  status, restricted and `learning_stats`. No name, date of birth or UPN leaves storage for a report.
- activities: the listing partitions `partner-<id>` / `school-<id>` of `activities`, and for the
  national report the range of every `partner-*` partition (one query).

`schoolstats` (owned here), rows of one shape (`SummaryRow`):
- PK = partner id, RK = school id: the school's `MonthlySummary` as of `rolled_up_at` (partner report).
- PK "partners", RK = partner id: the sum of the partner's school rows, `schools` of them, as of the
  oldest of them (national report: one row per partner, so ~150 rows rather than 25,000).
  `roster` and `clubs` are JSON; each calendar month is its own property `mYYYYMM` (JSON), so a report
  selects just the months of its range and no single property nears the 64 KiB limit of a string
  property. Rows are rewritten whole (REPLACE), so a month that no longer has learning disappears.
- PK "rollup", RK "cursor": where the scheduled roll-up goes on from, and what its last run did.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from azure.data.tables import UpdateMode

from shared.learning import activities_store
from shared.learning import stats as learning_stats
from shared.learning.model import ActivityWindow
from shared.organisation.model import School
from shared.reports.figures import MonthlySummary, PupilFacts
from shared.roster.model import PupilStatus
from shared.roster.store import reported_pupils
from shared.storage.clients import Storage
from shared.storage.names import SCHOOL_STATS
from shared.storage.tables import Entity, check_key, get_entity, partition

SUMMARY_FIELDS = ["PartitionKey", "RowKey", "rolled_up_at", "schools", "roster", "clubs"]
PARTNER_TOTALS_PK = "partners"
CURSOR_PK, CURSOR_RK = "rollup", "cursor"
_MONTH_PROPERTY = re.compile(r"^m(\d{4})(\d{2})$")
# Past this many months a report reads whole rows: a long $select list costs more than it saves.
MAX_SELECTED_MONTHS = 60


# --- pupils ---------------------------------------------------------------------------------------------

def pupils_for_reports(storage: Storage, school_id: str) -> Iterator[PupilFacts]:
    """The school's pupils on roll: not left and not restricted (processing objected to), erased ones gone."""
    for pupil in reported_pupils(storage, school_id):
        # Filtered here, not in the query: a row missing a property would silently fail a server-side test.
        if pupil.status is not PupilStatus.ACTIVE or pupil.restricted:
            continue
        yield PupilFacts(gender=pupil.gender.value, cohort=pupil.cohort or None, stats=learning_stats.load(pupil.stats))


# --- activities -----------------------------------------------------------------------------------------

def offered_to_school(storage: Storage, school: School) -> list[ActivityWindow]:
    """The school's partner's learning destinations and the school's own clubs."""
    return activities_store.windows_offered_to_school(storage, school.partner_id, school.id)


def partner_destinations(storage: Storage, partner_id: str) -> list[ActivityWindow]:
    return activities_store.partner_windows(storage, partner_id)


def all_destinations(storage: Storage) -> list[ActivityWindow]:
    """Every partner's learning destinations: one range query over the partners' listings."""
    return list(activities_store.all_partner_windows(storage))


def school_clubs(storage: Storage, school_id: str) -> list[ActivityWindow]:
    return activities_store.school_windows(storage, school_id)


def activity_titles(storage: Storage, activity_ids: set[str]) -> dict[str, ActivityWindow]:
    """Point reads of the canonical rows: only for activities a school used but was not offered."""
    out = {}
    for activity_id in sorted(activity_ids):
        window = activities_store.window_of(storage, activity_id)
        if window is not None:
            out[activity_id] = window
    return out


# --- schoolstats ----------------------------------------------------------------------------------------

def month_property(month: str) -> str:
    return "m" + month.replace("-", "")


@dataclass
class SummaryRow:
    """A roll-up: a school's summary (`owner_id` the school) or a partner's total (`owner_id` the partner)."""

    owner_id: str
    rolled_up_at: str
    summary: MonthlySummary
    clubs: list[ActivityWindow] = field(default_factory=list)
    schools: int = 1


def _summary_entity(partition_key: str, row: SummaryRow) -> Entity:
    clubs = {c.id: [c.valid_from or "", c.valid_to or ""] for c in row.clubs}
    entity: Entity = {
        "PartitionKey": partition_key, "RowKey": row.owner_id, "rolled_up_at": row.rolled_up_at,
        "schools": row.schools,
        "roster": json.dumps(dict(row.summary.roster), separators=(",", ":"), sort_keys=True),
        "clubs": json.dumps(clubs, separators=(",", ":"), sort_keys=True),
    }
    for month, record in row.summary.months.items():
        entity[month_property(month)] = json.dumps(record, separators=(",", ":"), sort_keys=True)
    return entity


def _summary_from(e: Entity) -> SummaryRow:
    months = {}
    for name, value in e.items():
        match = _MONTH_PROPERTY.match(name)
        if match and value:
            months[f"{match[1]}-{match[2]}"] = json.loads(value)
    clubs = [ActivityWindow(id=k, title="", school_id=e["RowKey"], valid_from=v[0] or None, valid_to=v[1] or None)
             for k, v in json.loads(e.get("clubs") or "{}").items()]
    summary = MonthlySummary(roster=Counter(json.loads(e.get("roster") or "{}")), months=months)
    return SummaryRow(owner_id=e["RowKey"], rolled_up_at=e.get("rolled_up_at") or "", summary=summary, clubs=clubs,
                      schools=int(e.get("schools") or 1))


def put_school_summary(storage: Storage, partner_id: str, row: SummaryRow) -> None:
    """The school's summary, rewritten whole (a month that no longer has learning disappears)."""
    storage.table(SCHOOL_STATS).upsert_entity(_summary_entity(check_key(partner_id), row), mode=UpdateMode.REPLACE)


def put_partner_total(storage: Storage, row: SummaryRow) -> None:
    """The partner's total (`row.owner_id` the partner), rewritten whole."""
    storage.table(SCHOOL_STATS).upsert_entity(_summary_entity(PARTNER_TOTALS_PK, row), mode=UpdateMode.REPLACE)


def get_school_summary(storage: Storage, partner_id: str, school_id: str) -> SummaryRow | None:
    e = get_entity(storage.table(SCHOOL_STATS), partner_id, school_id)
    return _summary_from(e) if e else None


def _select(months: list[str] | None) -> list[str] | None:
    if months is None or len(months) > MAX_SELECTED_MONTHS:
        return None
    return SUMMARY_FIELDS + [month_property(m) for m in months]


def summaries_of_partner(storage: Storage, partner_id: str, months: list[str] | None) -> list[SummaryRow]:
    """The partner's school rows: one partition query; `months` (None: all) picks the month properties."""
    rows = partition(storage.table(SCHOOL_STATS), check_key(partner_id), select=_select(months))
    return [_summary_from(e) for e in rows]


def partner_totals(storage: Storage, months: list[str] | None) -> list[SummaryRow]:
    """Every partner's total row: one partition query (a page per 1,000 partners)."""
    rows = partition(storage.table(SCHOOL_STATS), PARTNER_TOTALS_PK, select=_select(months))
    return [_summary_from(e) for e in rows]


@dataclass(frozen=True)
class RollupCursor:
    """Where the scheduled roll-up goes on from, and what its last run did."""

    resume_after: str = ""
    last_run_started_at: str = ""
    last_run_finished_at: str = ""
    last_run_partners: int = 0
    last_run_schools: int = 0
    last_run_failed: int = 0
    last_cycle_completed_at: str = ""


def read_cursor(storage: Storage) -> RollupCursor | None:
    e = get_entity(storage.table(SCHOOL_STATS), CURSOR_PK, CURSOR_RK)
    if e is None:
        return None
    return RollupCursor(**{name: e[name] for name in RollupCursor.__dataclass_fields__ if name in e})


def save_cursor(storage: Storage, cursor: RollupCursor) -> None:
    """Where the next roll-up run goes on from, and what this one did."""
    storage.table(SCHOOL_STATS).upsert_entity({"PartitionKey": CURSOR_PK, "RowKey": CURSOR_RK, **asdict(cursor)})
