"""The `signinchallenges` table (its one owner): sign-in challenges that have completed a sign-in.

A challenge (the 5-minute token between a right password and the second step) is used up by the step that
completes a sign-in with it: that step inserts the challenge's row, and of any number of requests racing with
one challenge only the first insert succeeds. PK = the UTC day the challenge expires (the retention timer drops
past days whole), RK = a hash of the challenge's id; nothing else about the person or the sign-in is stored.
"""

from __future__ import annotations

from datetime import datetime

from shared.ids import digest, iso
from shared.storage.clients import Storage
from shared.storage.names import SIGN_IN_CHALLENGES
from shared.storage.tables import create_if_absent, get_entity


def _keys(challenge_id: str, expires_at: datetime) -> tuple[str, str]:
    return expires_at.strftime("%Y-%m-%d"), digest("challenge:" + challenge_id)


def is_used(storage: Storage, challenge_id: str, expires_at: datetime) -> bool:
    return get_entity(storage.table(SIGN_IN_CHALLENGES), *_keys(challenge_id, expires_at)) is not None


def use_up(storage: Storage, challenge_id: str, expires_at: datetime, *, now: datetime) -> bool:
    """Mark the challenge used; True for exactly one of any number of concurrent uses."""
    pk, rk = _keys(challenge_id, expires_at)
    return create_if_absent(storage.table(SIGN_IN_CHALLENGES), {"PartitionKey": pk, "RowKey": rk, "used_at": iso(now)})
