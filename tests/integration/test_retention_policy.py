"""The retention rules as pure functions (no storage: these belong with the unit tests, kept here by file ownership)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared import due_dates
from shared.retention import policy

TODAY = date(2026, 3, 31)


def test_a_month_back_from_the_31st_is_the_last_day_of_the_shorter_month():
    assert policy.months_before(TODAY, 1) == date(2026, 2, 28)
    assert policy.months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert policy.months_before(TODAY, 24) == date(2024, 3, 31)
    assert policy.months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)


def test_leaver_partitions_due_run_up_to_and_including_today():
    lo, hi = due_dates.leaver_partitions_due(TODAY)
    assert lo <= "leaver-2020-01-01" <= hi
    assert lo <= "leaver-2026-03-31" <= hi
    assert hi < "leaver-2026-04-01"
    assert not lo <= "duedates-other" <= hi


def test_staff_inactivity_is_due_only_once_the_due_month_is_over():
    lo, hi = due_dates.staff_inactive_partitions_due(TODAY)
    assert lo <= "staff-inactive-2026-02" < hi
    assert hi <= "staff-inactive-2026-03"
    assert policy.staff_is_inactive("2026-02", "2026-02", TODAY)
    assert not policy.staff_is_inactive("2026-03", "2026-03", TODAY)


def test_a_sign_in_after_the_index_row_was_written_makes_it_stale():
    assert not policy.staff_is_inactive("2027-11", "2026-02", TODAY)
    # No login row any more (an erasure interrupted half-way) cannot be refreshed: finish it.
    assert policy.staff_is_inactive(None, "2026-02", TODAY)


@pytest.mark.parametrize(("status", "deletion_due", "due"), [
    ("left", "2026-03-01", True),
    ("active", "", False),  # came back
    ("left", "2026-04-20", False),  # left again later: the newer row decides
    ("left", "2026-02-27", False),  # this row is older than the pupil's current due day
])
def test_a_leaver_row_is_live_only_while_the_pupil_is_still_left_with_that_day(status, deletion_due, due):
    assert policy.leaver_is_due(status, deletion_due, date(2026, 3, 1), TODAY) is due


def test_a_leaver_row_for_a_future_day_is_not_due():
    assert not policy.leaver_is_due("left", "2026-04-01", date(2026, 4, 1), TODAY)


def test_school_exit_due_day_is_the_exit_day_plus_the_grace_period():
    assert due_dates.school_exit_due_day(datetime(2026, 3, 1, 23, 59, tzinfo=UTC), 30) == date(2026, 3, 31)


def test_expiry_partitions_before_today_are_expired_and_today_is_kept():
    cutoff = policy.expired_before(TODAY)
    assert cutoff > "2026-03-30"  # partitions before the cut-off are dropped
    assert cutoff <= "2026-03-31"


def test_audit_keeps_exactly_the_retention_months():
    cutoff = policy.audit_kept_from(TODAY, 24)
    assert cutoff > "2024-03-30"
    assert cutoff <= "2024-03-31"


@pytest.mark.parametrize(("partition_key", "old"), [
    ("login-2026-03-31", False),
    ("login-2026-03-30", False),
    ("login-2026-03-29", True),
    ("codes-2026-01-02", True),
    ("codes-pup_x-2026-01-02", True),
    ("login-2026-02-30", False),  # not a day: not ours to judge
    ("no-day-here", False),
])
def test_throttle_rows_are_old_outside_today_and_yesterday(partition_key, old):
    assert policy.throttle_is_old(partition_key, TODAY) is old


def test_uploads_are_stale_after_the_sweep_hours():
    now = datetime(2026, 3, 31, 12, tzinfo=UTC)
    assert policy.upload_is_stale(datetime(2026, 3, 30, 12, tzinfo=UTC), now, 24)
    assert not policy.upload_is_stale(datetime(2026, 3, 30, 12, 1, tzinfo=UTC), now, 24)


def test_a_roster_is_stale_after_ninety_days_or_when_never_synced():
    now = datetime(2026, 3, 31, tzinfo=UTC)
    assert policy.sync_is_stale(None, now)
    assert policy.sync_is_stale(datetime(2025, 12, 30, tzinfo=UTC), now)
    assert not policy.sync_is_stale(datetime(2026, 1, 1, tzinfo=UTC), now)
