"""The due-date index (table `duedates`): who becomes due for erasure, and when. The one owner of its keys.

Rows (no personal data, only pseudonymous ids):
- `leaver-YYYY-MM-DD` / `<school id>~<pupil id>`: a pupil marked left by a roster sync, due that day;
- `school-exit-YYYY-MM-DD` / `<school id>`: a school that left the programme, its pupils due that day;
- `staff-inactive-YYYY-MM` / `<staff id>`: a staff member without a sign-in since, re-checked after that month.
The retention timer reads only the partitions that are due (one range query per kind) and re-checks the
live record before erasing anyone, so a stale row is harmless: it is removed when met.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.settings import get_settings
from shared.storage.clients import Storage
from shared.storage.names import DUE
from shared.storage.tables import query_all, submit_batches, upsert_op

LEAVER_PREFIX = "leaver-"
SCHOOL_EXIT_PREFIX = "school-exit-"
STAFF_INACTIVE_PREFIX = "staff-inactive-"


# --- days and months ----------------------------------------------------------------------------

def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(dt: datetime, months: int) -> datetime:
    year, month = divmod(dt.month - 1 + months, 12)
    return dt.replace(year=dt.year + year, month=month + 1, day=1)


def staff_check_month(now: datetime) -> str:
    """The month after which a staff member who signs in (or is created) `now` is due for the inactivity check."""
    return add_months(now, get_settings().staff_inactive_months).strftime("%Y-%m")


def school_exit_due_day(left_programme_at: datetime, grace_days: int) -> date:
    return left_programme_at.date() + timedelta(days=grace_days)


def leaver_partitions_due(today: date) -> tuple[str, str]:
    """Inclusive PartitionKey bounds of every leaver due day up to and including today."""
    return LEAVER_PREFIX, f"{LEAVER_PREFIX}{today.isoformat()}"


def school_exit_partitions_due(today: date) -> tuple[str, str]:
    """Inclusive PartitionKey bounds of every school-exit due day up to and including today."""
    return SCHOOL_EXIT_PREFIX, f"{SCHOOL_EXIT_PREFIX}{today.isoformat()}"


def staff_inactive_partitions_due(today: date) -> tuple[str, str]:
    """PartitionKey bounds [lower, upper) of the due months strictly before the current month.

    A sign-in in month M writes due month D = M + STAFF_INACTIVE_MONTHS. The sign-in may have been on
    the last day of M, so the full period has passed only once D itself is over: erasure happens in the
    first run of month D + 1, between 24 and 25 months (by default) after the last sign-in, never earlier.
    """
    return STAFF_INACTIVE_PREFIX, f"{STAFF_INACTIVE_PREFIX}{month_key(today)}"


# --- rows ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DueRow:
    """One index row as read back: `day` for leavers and school exits, `month` for staff."""

    partition_key: str
    row_key: str

    @property
    def day(self) -> date:
        return date.fromisoformat(self.partition_key[-10:])

    @property
    def month(self) -> str:
        return self.partition_key.removeprefix(STAFF_INACTIVE_PREFIX)

    @property
    def subject_id(self) -> str:
        """Who the row is about: the school of a school exit, the staff member of a staff check."""
        return self.row_key

    @property
    def school_and_pupil(self) -> tuple[str, str]:
        school_id, _, pupil_id = self.row_key.partition("~")
        return school_id, pupil_id


def leaver_row(school_id: str, pupil_id: str, day: date) -> DueRow:
    return DueRow(f"{LEAVER_PREFIX}{day.isoformat()}", f"{school_id}~{pupil_id}")


def school_exit_row(school_id: str, day: date) -> DueRow:
    return DueRow(f"{SCHOOL_EXIT_PREFIX}{day.isoformat()}", school_id)


def staff_check_row(staff_id: str, month: str) -> DueRow:
    return DueRow(f"{STAFF_INACTIVE_PREFIX}{month}", staff_id)


def _entity(row: DueRow) -> dict:
    return {"PartitionKey": row.partition_key, "RowKey": row.row_key}


def schedule_leavers(storage: Storage, school_id: str, leavers: Iterable[tuple[str, date]]) -> None:
    """(pupil id, due day) pairs of one school, in entity-group transactions (one per due day)."""
    submit_batches(storage.table(DUE), [upsert_op(_entity(leaver_row(school_id, pupil_id, day)))
                                        for pupil_id, day in leavers])


def schedule_school_exit(storage: Storage, school_id: str, day: date) -> None:
    storage.table(DUE).upsert_entity(_entity(school_exit_row(school_id, day)))


def schedule_staff_check(storage: Storage, staff_id: str, month: str) -> None:
    storage.table(DUE).upsert_entity(_entity(staff_check_row(staff_id, month)))


def unschedule(storage: Storage, row: DueRow) -> None:
    storage.table(DUE).delete_entity(row.partition_key, row.row_key)


def leavers_due(storage: Storage, today: date) -> Iterator[DueRow]:
    """Leavers whose erasure day has come: one PartitionKey range query."""
    return _due(storage, LEAVER_PREFIX, today)


def school_exits_due(storage: Storage, today: date) -> Iterator[DueRow]:
    """Schools that left the programme whose grace period is over: one PartitionKey range query."""
    return _due(storage, SCHOOL_EXIT_PREFIX, today)


def staff_checks_due(storage: Storage, today: date) -> Iterator[DueRow]:
    """Staff whose inactivity month is over: one PartitionKey range query."""
    return _due(storage, STAFF_INACTIVE_PREFIX, today)


def _due(storage: Storage, prefix: str, today: date) -> Iterator[DueRow]:
    """The rows of one kind (its prefix) that are due today: one PartitionKey range query."""
    if prefix == STAFF_INACTIVE_PREFIX:
        lo, hi = staff_inactive_partitions_due(today)
        query = "PartitionKey ge @lo and PartitionKey lt @hi"
    else:
        lo, hi = (leaver_partitions_due if prefix == LEAVER_PREFIX else school_exit_partitions_due)(today)
        query = "PartitionKey ge @lo and PartitionKey le @hi"
    for e in query_all(storage.table(DUE), query, {"lo": lo, "hi": hi}, select=["PartitionKey", "RowKey"]):
        yield DueRow(e["PartitionKey"], e["RowKey"])
