"""When a staff account becomes due for the inactivity check (DESIGN.md section 7: 24 months without sign-in).

The due-date index holds one row per staff member under `staff-inactive-<YYYY-MM>`; it is moved forward
at most once a month (at sign-in), and the retention timer re-checks the login row before erasing.
"""

from __future__ import annotations

from datetime import datetime

from shared.settings import get_settings
from shared.storage.clients import Storage
from shared.storage.names import DUE


def add_months(dt: datetime, months: int) -> datetime:
    year, month = divmod(dt.month - 1 + months, 12)
    return dt.replace(year=dt.year + year, month=month + 1, day=1)


def due_month(now: datetime) -> str:
    return add_months(now, get_settings().staff_inactive_months).strftime("%Y-%m")


def schedule_check(storage: Storage, staff_id: str, month: str) -> None:
    storage.table(DUE).upsert_entity({"PartitionKey": f"staff-inactive-{month}", "RowKey": staff_id})
