"""Request allowances per hour: reset-link emails per address and per client, certificate checks and transfer
code redemptions per client. A fixed hourly allowance of requests, not guesses at one secret with a growing
back-off (those are `throttle`: sign-ins, stamp codes, second-factor codes).

Counted *before* the work, with an ETag-conditional increment that must succeed first, so N parallel
requests cost at most the allowance. The rows are `throttle_store`'s (the retention sweep keeps only the
last two days); the key is hashed, never stored as typed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.errors import TooManyAttempts
from shared.security import throttle_store
from shared.storage.clients import Storage

WRITE_ATTEMPTS = 8
TOO_MANY = "Too many requests. Wait a little and try again."


def _seconds_to_next_hour(now: datetime) -> int:
    next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return max(1, int((next_hour - now).total_seconds()))


def spend(storage: Storage, kind: str, key: str, *, limit: int, now: datetime) -> None:
    """Use one of `key`'s `limit` requests this hour; 429 with Retry-After when none are left."""
    row = throttle_store.allowance_row(kind, key, now)
    for _ in range(WRITE_ATTEMPTS):
        count, etag = throttle_store.read_allowance(storage, row)
        if count >= limit:
            raise TooManyAttempts(TOO_MANY, retry_after_seconds=_seconds_to_next_hour(now))
        if throttle_store.write_allowance(storage, row, count + 1, etag):
            return
    # Lost every race: that many requests at once is past any allowance.
    raise TooManyAttempts(TOO_MANY, retry_after_seconds=_seconds_to_next_hour(now))
