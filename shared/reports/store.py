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
from dataclasses import dataclass, field
from datetime import date

from azure.data.tables import UpdateMode

from shared.learning import stats as learning_stats
from shared.learning import store as learning_store
from shared.organisation.model import School
from shared.reports.figures import MonthlySummary, PupilFacts
from shared.roster.model import PupilStatus
from shared.roster.store import pupil_rows
from shared.storage.clients import Storage
from shared.storage.names import SCHOOL_STATS
from shared.storage.tables import Entity, check_key, get_entity, partition

PUPIL_FIELDS = ["gender", "cohort", "status", "restricted", learning_stats.STATS_FIELD]
ACTIVITY_FIELDS = ["RowKey", "title", "school_id", "partner_id", "valid_from", "valid_to"]
SUMMARY_FIELDS = ["PartitionKey", "RowKey", "rolled_up_at", "schools", "roster", "clubs"]
PARTNER_TOTALS_PK = "partners"
CURSOR_PK, CURSOR_RK = "rollup", "cursor"
_MONTH_PROPERTY = re.compile(r"^m(\d{4})(\d{2})$")
# Past this many months a report reads whole rows: a long $select list costs more than it saves.
MAX_SELECTED_MONTHS = 60


# --- pupils ---------------------------------------------------------------------------------------------

def _cohort(value: object) -> int | None:
    # 0 is the roster's "not known" (Pupil.cohort's default), not a school year.
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def pupils_for_reports(storage: Storage, school_id: str) -> Iterator[PupilFacts]:
    """The school's pupils on roll: not left and not restricted (processing objected to), erased ones gone."""
    for row in pupil_rows(storage, school_id, select=PUPIL_FIELDS):
        # Filtered here, not in the query: a row missing a property would silently fail a server-side test.
        if (row.get("status") or PupilStatus.ACTIVE) != PupilStatus.ACTIVE or row.get("restricted"):
            continue
        yield PupilFacts(gender=row.get("gender") or "other", cohort=_cohort(row.get("cohort")),
                         stats=learning_stats.load(row.get(learning_stats.STATS_FIELD)))


# --- activities -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActivityWindow:
    id: str
    title: str
    school_id: str | None
    valid_from: str | None
    valid_to: str | None

    def open_during(self, start: date | None, end: date | None) -> bool:
        return not ((end and self.valid_from and self.valid_from > end.isoformat())
                    or (start and self.valid_to and self.valid_to < start.isoformat()))


def _window(row: Entity) -> ActivityWindow:
    return ActivityWindow(id=row["RowKey"], title=row.get("title") or "", school_id=row.get("school_id") or None,
                          valid_from=row.get("valid_from") or None, valid_to=row.get("valid_to") or None)


def offered_to_school(storage: Storage, school: School) -> list[ActivityWindow]:
    """The school's partner's learning destinations and the school's own clubs."""
    listings = (learning_store.partner_listing(school.partner_id), learning_store.school_listing(school.id))
    return [_window(row) for row in learning_store.listing_rows(storage, listings, select=ACTIVITY_FIELDS)]


def partner_destinations(storage: Storage, partner_id: str) -> list[ActivityWindow]:
    rows = learning_store.listing_rows(storage, [learning_store.partner_listing(partner_id)], select=ACTIVITY_FIELDS)
    return [_window(r) for r in rows]


def all_destinations(storage: Storage) -> list[ActivityWindow]:
    """Every partner's learning destinations: one range query over the `partner-*` listing partitions."""
    return [_window(r) for r in learning_store.all_partner_listing_rows(storage, select=ACTIVITY_FIELDS)]


def school_clubs(storage: Storage, school_id: str) -> list[ActivityWindow]:
    rows = learning_store.listing_rows(storage, [learning_store.school_listing(school_id)], select=ACTIVITY_FIELDS)
    return [_window(r) for r in rows]


def activity_titles(storage: Storage, activity_ids: set[str]) -> dict[str, ActivityWindow]:
    """Point reads of the canonical rows: only for activities a school used but was not offered."""
    out = {}
    for activity_id in sorted(activity_ids):
        row = learning_store.activity_row(storage, activity_id)
        if row is not None:
            out[activity_id] = _window(row)
    return out


# --- schoolstats ----------------------------------------------------------------------------------------

def month_property(month: str) -> str:
    return "m" + month.replace("-", "")


@dataclass
class SummaryRow:
    """A roll-up row: a school's (PK partner id, RK school id) or a partner's total (PK "partners")."""

    partition_key: str
    row_key: str
    rolled_up_at: str
    summary: MonthlySummary
    clubs: list[ActivityWindow] = field(default_factory=list)
    schools: int = 1

    def entity(self) -> Entity:
        clubs = {c.id: [c.valid_from or "", c.valid_to or ""] for c in self.clubs}
        entity: Entity = {
            "PartitionKey": self.partition_key, "RowKey": self.row_key, "rolled_up_at": self.rolled_up_at,
            "schools": self.schools,
            "roster": json.dumps(dict(self.summary.roster), separators=(",", ":"), sort_keys=True),
            "clubs": json.dumps(clubs, separators=(",", ":"), sort_keys=True),
        }
        for month, record in self.summary.months.items():
            entity[month_property(month)] = json.dumps(record, separators=(",", ":"), sort_keys=True)
        return entity

    @classmethod
    def from_entity(cls, e: Entity) -> SummaryRow:
        months = {}
        for name, value in e.items():
            match = _MONTH_PROPERTY.match(name)
            if match and value:
                months[f"{match[1]}-{match[2]}"] = json.loads(value)
        clubs = [ActivityWindow(id=k, title="", school_id=e["RowKey"], valid_from=v[0] or None, valid_to=v[1] or None)
                 for k, v in json.loads(e.get("clubs") or "{}").items()]
        summary = MonthlySummary(roster=Counter(json.loads(e.get("roster") or "{}")), months=months)
        return cls(partition_key=e["PartitionKey"], row_key=e["RowKey"], rolled_up_at=e.get("rolled_up_at") or "",
                   summary=summary, clubs=clubs, schools=int(e.get("schools") or 1))


def put_summary(storage: Storage, row: SummaryRow) -> None:
    storage.table(SCHOOL_STATS).upsert_entity(row.entity(), mode=UpdateMode.REPLACE)


def get_summary(storage: Storage, partition_key: str, row_key: str) -> SummaryRow | None:
    e = get_entity(storage.table(SCHOOL_STATS), partition_key, row_key)
    return SummaryRow.from_entity(e) if e else None


def _select(months: list[str] | None) -> list[str] | None:
    if months is None or len(months) > MAX_SELECTED_MONTHS:
        return None
    return SUMMARY_FIELDS + [month_property(m) for m in months]


def summaries_of_partner(storage: Storage, partner_id: str, months: list[str] | None) -> list[SummaryRow]:
    """The partner's school rows: one partition query; `months` (None: all) picks the month properties."""
    rows = partition(storage.table(SCHOOL_STATS), check_key(partner_id), select=_select(months))
    return [SummaryRow.from_entity(e) for e in rows]


def partner_totals(storage: Storage, months: list[str] | None) -> list[SummaryRow]:
    """Every partner's total row: one partition query (a page per 1,000 partners)."""
    rows = partition(storage.table(SCHOOL_STATS), PARTNER_TOTALS_PK, select=_select(months))
    return [SummaryRow.from_entity(e) for e in rows]


def read_cursor(storage: Storage) -> Entity | None:
    return get_entity(storage.table(SCHOOL_STATS), CURSOR_PK, CURSOR_RK)


def save_cursor(storage: Storage, *, resume_after: str, started_at: str, finished_at: str, partners: int,
                schools: int, failed: int, last_cycle_completed_at: str) -> None:
    """Where the next roll-up run goes on from, and what this one did."""
    storage.table(SCHOOL_STATS).upsert_entity({
        "PartitionKey": CURSOR_PK, "RowKey": CURSOR_RK, "resume_after": resume_after,
        "last_run_started_at": started_at, "last_run_finished_at": finished_at,
        "last_run_partners": partners, "last_run_schools": schools, "last_run_failed": failed,
        "last_cycle_completed_at": last_cycle_completed_at,
    })
