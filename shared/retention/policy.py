"""Retention rules (DESIGN.md section 7) as pure functions: what is due, and the cut-off of each category.

Everything is decided in UTC whole days (months for staff inactivity), so a run at 02:00 and one at 23:00
on the same day delete the same things. The due-date index and its keys are `shared.due_dates`'.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from shared.due_dates import month_key

# Sign-in lockout reads only today's throttle partition; yesterday's is kept as a margin for a run just
# after midnight and for anyone looking into a lockout.
THROTTLE_KEEP_DAYS = 2
# A school's roster counts as stale when it has not been synced for this long (compliance view).
STALE_SYNC_DAYS = 90
# How far ahead the compliance view lists coming deletions.
DELETIONS_AHEAD_DAYS = 60

_TRAILING_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})$")


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier, clamped to the month's end (31 March - 1 = 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- is the person still due? (the live record decides; the index can be stale) -----------------

def leaver_is_due(status: str, deletion_due: str | None, due_day: date, today: date) -> bool:
    """A leaver's index row is live only while the pupil is still left with this very due day.

    A pupil who came back (status active) or left again later (a newer due day) makes the row stale.
    """
    return status == "left" and deletion_due == due_day.isoformat() and due_day <= today


def staff_is_inactive(inactive_due: str | None, due_month: str, today: date) -> bool:
    """Inactive unless a later sign-in moved the login row's due month past this index row's month.

    No login row or no due month on it (an erasure interrupted after the login row went) counts as
    inactive: such a person can no longer sign in, so nothing will ever refresh the date.
    """
    if due_month >= month_key(today):
        return False
    return not inactive_due or inactive_due <= due_month


# --- expiry-partitioned tables ------------------------------------------------------------------

def expired_before(today: date) -> str:
    """Invitations, refresh-token families and SSO flows are partitioned by the day they expire:
    every partition before today has fully expired; today's is kept until tomorrow's run."""
    return today.isoformat()


def audit_kept_from(today: date, months: int) -> str:
    """Audit day partitions before this day are past AUDIT_RETENTION_MONTHS."""
    return months_before(today, months).isoformat()


def throttle_is_old(partition_key: str, today: date) -> bool:
    """Throttle partitions are `<kind>-YYYY-MM-DD` (login-, codes-, ...): old once outside the last days kept.

    Keys without a trailing day are not ours to judge and are left alone.
    """
    match = _TRAILING_DAY.search(partition_key)
    if match is None:
        return False
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        return False
    return day <= today - timedelta(days=THROTTLE_KEEP_DAYS)


def upload_is_stale(last_modified: datetime, now: datetime, sweep_hours: int) -> bool:
    return last_modified <= now - timedelta(hours=sweep_hours)


# --- compliance view ----------------------------------------------------------------------------

def sync_is_stale(last_sync_at: datetime | None, now: datetime) -> bool:
    return last_sync_at is None or last_sync_at < now - timedelta(days=STALE_SYNC_DAYS)
