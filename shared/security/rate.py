"""Request allowances per hour: reset-link emails per address and per client, certificate checks and transfer
code redemptions per client. A fixed hourly allowance of requests, not guesses at one secret with a growing
back-off (those are `throttle`: sign-ins, stamp codes, second-factor codes).

Counted *before* the work, with an ETag-conditional increment that must succeed first, so N parallel
requests cost at most the allowance. Rows live in the `throttle` table under `<kind>-<day>` partitions
(the retention sweep keeps only the last two days); the key is hashed, never stored as typed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.errors import ConcurrencyConflict, TooManyAttempts
from shared.ids import digest
from shared.storage.clients import Storage
from shared.storage.names import THROTTLE
from shared.storage.tables import create_if_absent, get_entity, update_if_match

WRITE_ATTEMPTS = 8
TOO_MANY = "Too many requests. Wait a little and try again."


def _seconds_to_next_hour(now: datetime) -> int:
    next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return max(1, int((next_hour - now).total_seconds()))


def spend(storage: Storage, kind: str, key: str, *, limit: int, now: datetime) -> None:
    """Use one of `key`'s `limit` requests this hour; 429 with Retry-After when none are left."""
    table = storage.table(THROTTLE)
    pk, rk = f"{kind}-{now:%Y-%m-%d}", f"{digest(kind + ':' + key)}-{now:%H}"
    for _ in range(WRITE_ATTEMPTS):
        row = get_entity(table, pk, rk)
        count = int(row["count"]) if row else 0
        if count >= limit:
            raise TooManyAttempts(TOO_MANY, retry_after_seconds=_seconds_to_next_hour(now))
        entity = {"PartitionKey": pk, "RowKey": rk, "count": count + 1}
        if row is None:
            if create_if_absent(table, entity):
                return
            continue
        try:
            update_if_match(table, entity, row.metadata["etag"])
            return
        except ConcurrencyConflict:
            continue
    # Lost every race: that many requests at once is past any allowance.
    raise TooManyAttempts(TOO_MANY, retry_after_seconds=_seconds_to_next_hour(now))
