"""Growing back-off for repeated attempts (pure): a few free attempts, then locks that double, capped at minutes.

The cap is minutes, not an hour: the count is kept per (account, client address), and a short cap means
nobody can keep a known user out for long, while guessing stays slow (after the free attempts, at most
one guess per cap).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Policy:
    kind: str
    free_attempts: int
    base_lock: timedelta
    max_lock: timedelta

    def lock_after(self, attempts: int) -> timedelta:
        """How long the key is locked once `attempts` attempts have been counted (the last free one locks)."""
        if attempts < self.free_attempts:
            return timedelta(0)
        doublings = min(attempts - self.free_attempts, 30)  # far past the cap; keeps the multiplier small
        return min(self.base_lock * (2**doublings), self.max_lock)


# Sign-in: 5 attempts, then 30 s, 60 s, 120 s ... at most 15 minutes between attempts.
SIGN_IN = Policy("login", free_attempts=5, base_lock=timedelta(seconds=30), max_lock=timedelta(minutes=15))
# Stamp codes: 10 attempts, then 1, 2, 4, 8 minutes, at most 15 minutes between attempts.
CODE_GUESS = Policy("code", free_attempts=10, base_lock=timedelta(minutes=1), max_lock=timedelta(minutes=15))
# Second-factor codes: 5 attempts per person from any address (the password is known), then 30 s ... 15 minutes.
SECOND_FACTOR = Policy("second-factor", free_attempts=5, base_lock=timedelta(seconds=30),
                       max_lock=timedelta(minutes=15))
# Making new recovery codes (signed in, so a stolen access token would do): the same, per person, and counted
# apart from sign-in, so a lock here never keeps the person from signing in.
RECOVERY_CODES = Policy("recovery-codes", free_attempts=5, base_lock=timedelta(seconds=30),
                        max_lock=timedelta(minutes=15))


def locked_for(locked_until: datetime | None, now: datetime) -> int:
    """Seconds still locked (0 when free), rounded up."""
    if locked_until is None or locked_until <= now:
        return 0
    return max(1, int((locked_until - now).total_seconds() + 0.999))


# Wrong current passwords typed to change a password are counted on the account's login row: the same five
# free attempts and doubling locks, forgotten after a day without failures.
FAILURE_MEMORY = timedelta(hours=24)


def lock_duration(failures: int) -> timedelta:
    return SIGN_IN.lock_after(failures)


def failures_after(previous: int, last_failed_at: datetime | None, now: datetime) -> int:
    if last_failed_at is None or now - last_failed_at > FAILURE_MEMORY:
        return 1
    return previous + 1
