"""Counting attempts so that the count holds under concurrency (the rows are `throttle_store`'s).

An attempt is counted *before* the work it guards (an Argon2 verification, a code look-up): an insert,
or a write under the row's ETag, must succeed first. N parallel attempts are therefore serialised on one
row: at most the free allowance is evaluated, and the rest meet the lock the last free attempt set and
are refused without any work. A success clears the count.

Password counts are per (account, client address), so guessing a name from one address locks only that
address out and the real user elsewhere still signs in. Codes that only the account's owner should know
(a second factor: the password is known by then) are counted per account from every address
(`EVERY_ADDRESS`): one row, so a burst from any number of addresses still gets only the free attempts.
Known and unknown names use the same rows and rules, so neither the answers nor the number of storage
requests say whether a name exists.

No name, code or address is stored (`throttle_store` keeps hashes); the retention timer drops past days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.errors import ConcurrencyConflict, TooManyAttempts
from shared.security import throttle_store
from shared.security.lockout import Policy, locked_for
from shared.storage.clients import Storage

WRITE_ATTEMPTS = 12
# Count per account whatever the client address.
EVERY_ADDRESS = "*"
# When the row is too contended to count an attempt, the attempt is refused (fail closed) with a short wait.
BUSY_RETRY_SECONDS = 1


@dataclass(frozen=True)
class Attempt:
    row: throttle_store.RowId
    count: int
    locks_for: int  # seconds the key is locked from now on (0 while attempts are free)


def _until(policy: Policy, count: int, now: datetime) -> datetime | None:
    lock = policy.lock_after(count)
    return now + lock if lock else None


def begin(storage: Storage, policy: Policy, key: str, address: str, *, now: datetime, message: str) -> Attempt:
    """Count one attempt (usually one insert), or raise TooManyAttempts with Retry-After while locked."""
    row = throttle_store.attempts_row(policy.kind, key, address, now)
    first = Attempt(row, 1, locked_for(now + policy.lock_after(1), now))
    # The first attempt of the day is an insert; only a key already counted today is read.
    if throttle_store.insert_attempts(storage, row, 1, now=now, locked_until=_until(policy, 1, now)):
        return first
    for _ in range(WRITE_ATTEMPTS):
        counted = throttle_store.read_attempts(storage, row)
        if counted is None:
            if throttle_store.insert_attempts(storage, row, 1, now=now, locked_until=_until(policy, 1, now)):
                return first
            continue
        wait = locked_for(counted.locked_until, now)
        if wait:
            raise TooManyAttempts(message, retry_after_seconds=wait)
        count = counted.count + 1
        try:
            throttle_store.replace_attempts(storage, row, count, now=now, locked_until=_until(policy, count, now),
                                            etag=counted.etag)
        except ConcurrencyConflict:
            continue
        return Attempt(row, count, locked_for(now + policy.lock_after(count), now))
    raise TooManyAttempts(message, retry_after_seconds=BUSY_RETRY_SECONDS)


def succeeded(storage: Storage, attempt: Attempt) -> None:
    """The attempt was right (the password, a real code): forget the count."""
    throttle_store.clear_attempts(storage, attempt.row)
