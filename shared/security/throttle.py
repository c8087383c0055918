"""Counting attempts so that the count holds under concurrency (the `throttle` table's one owner).

An attempt is counted *before* the work it guards (an Argon2 verification, a code look-up): an insert,
or a write under the row's ETag, must succeed first. N parallel attempts are therefore serialised on one
row: at most the free allowance is evaluated, and the rest meet the lock the last free attempt set and
are refused without any work. A success clears the count.

Counts are per (account, client address), so guessing a name from one address locks only that address
out and the real user elsewhere still signs in. Known and unknown names use the same rows and rules, so
neither the answers nor the number of storage requests say whether a name exists.

Rows: PK "<kind>-<UTC day>", RK hash of (kind, key, address); no name, code or address is stored. The
retention timer drops past days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.errors import ConcurrencyConflict, TooManyAttempts
from shared.ids import digest, iso, parse_iso
from shared.security.lockout import Policy, locked_for
from shared.storage.clients import Storage
from shared.storage.names import THROTTLE
from shared.storage.tables import Entity, create_if_absent, get_entity, update_if_match

WRITE_ATTEMPTS = 12
# When the row is too contended to count an attempt, the attempt is refused (fail closed) with a short wait.
BUSY_RETRY_SECONDS = 1


@dataclass(frozen=True)
class Attempt:
    partition: str
    row_key: str
    count: int
    locks_for: int  # seconds the key is locked from now on (0 while attempts are free)


def _keys(policy: Policy, key: str, address: str, now: datetime) -> tuple[str, str]:
    return f"{policy.kind}-{now:%Y-%m-%d}", digest(f"{policy.kind}:{key}|{address}")


def _entity(policy: Policy, pk: str, rk: str, count: int, now: datetime) -> Entity:
    lock = policy.lock_after(count)
    return {"PartitionKey": pk, "RowKey": rk, "attempts": count, "last_at": iso(now),
            "locked_until": iso(now + lock) if lock else ""}


def begin(storage: Storage, policy: Policy, key: str, address: str, *, now: datetime, message: str) -> Attempt:
    """Count one attempt (usually one insert), or raise TooManyAttempts with Retry-After while locked."""
    table = storage.table(THROTTLE)
    pk, rk = _keys(policy, key, address, now)
    # The first attempt of the day is an insert; only a key already counted today is read.
    if create_if_absent(table, _entity(policy, pk, rk, 1, now)):
        return Attempt(pk, rk, 1, locked_for(now + policy.lock_after(1), now))
    for _ in range(WRITE_ATTEMPTS):
        row = get_entity(table, pk, rk)
        if row is None:
            if create_if_absent(table, _entity(policy, pk, rk, 1, now)):
                return Attempt(pk, rk, 1, locked_for(now + policy.lock_after(1), now))
            continue
        until = parse_iso(row["locked_until"]) if row.get("locked_until") else None
        wait = locked_for(until, now)
        if wait:
            raise TooManyAttempts(message, retry_after_seconds=wait)
        count = int(row.get("attempts") or 0) + 1
        try:
            update_if_match(table, _entity(policy, pk, rk, count, now), row.metadata["etag"])
        except ConcurrencyConflict:
            continue
        return Attempt(pk, rk, count, locked_for(now + policy.lock_after(count), now))
    raise TooManyAttempts(message, retry_after_seconds=BUSY_RETRY_SECONDS)


def succeeded(storage: Storage, attempt: Attempt) -> None:
    """The attempt was right (the password, a real code): forget the count."""
    storage.table(THROTTLE).delete_entity(attempt.partition, attempt.row_key)  # a missing row is no error
