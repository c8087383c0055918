"""Sign-in lockout with growing back-off (pure).

Five free failures; then each further failure locks the name for 30 s, 60 s, 120 s ... up to an hour.
Failures older than a day are forgotten. The same rule applies to names that do not exist, so the
answers cannot be used to find out which names exist.
"""

from __future__ import annotations

from datetime import datetime, timedelta

FREE_FAILURES = 5
BASE_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(hours=1)
FAILURE_MEMORY = timedelta(hours=24)


def lock_duration(failures: int) -> timedelta:
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(BASE_LOCK * (2 ** (failures - FREE_FAILURES)), MAX_LOCK)


def failures_after(previous: int, last_failed_at: datetime | None, now: datetime) -> int:
    if last_failed_at is None or now - last_failed_at > FAILURE_MEMORY:
        return 1
    return previous + 1


def locked_for(locked_until: datetime | None, now: datetime) -> int:
    """Seconds the name is still locked (0 when free)."""
    if locked_until is None or locked_until <= now:
        return 0
    return max(1, int((locked_until - now).total_seconds() + 0.999))
