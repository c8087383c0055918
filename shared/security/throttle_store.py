"""The `throttle` table (its one owner): counts per hashed key, in one partition per kind and UTC day.

Rows: PK "<kind>-<UTC day>" (the retention timer drops past days), RK a hash of the key; no name, code
or client address is stored as typed. Two row shapes:
- attempts (`security.throttle`): RK hash of (kind, key, address); `attempts`, `last_at`, `locked_until`;
- allowances (`security.rate`): RK "<hash of (kind, key)>-<UTC hour>"; `count`.
Every count changes by an insert that must not exist or a write under the row's ETag, so racing requests
are serialised on the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.errors import ConcurrencyConflict
from shared.ids import digest, iso, parse_iso
from shared.storage.clients import Storage
from shared.storage.names import THROTTLE
from shared.storage.tables import Entity, create_if_absent, get_entity, update_if_match


@dataclass(frozen=True)
class RowId:
    partition: str
    row_key: str


@dataclass(frozen=True)
class Attempts:
    count: int
    locked_until: datetime | None
    etag: str


def attempts_row(kind: str, key: str, address: str, now: datetime) -> RowId:
    return RowId(f"{kind}-{now:%Y-%m-%d}", digest(f"{kind}:{key}|{address}"))


def _attempts_entity(row: RowId, count: int, now: datetime, locked_until: datetime | None) -> Entity:
    return {"PartitionKey": row.partition, "RowKey": row.row_key, "attempts": count, "last_at": iso(now),
            "locked_until": iso(locked_until) if locked_until else ""}


def insert_attempts(storage: Storage, row: RowId, count: int, *, now: datetime,
                    locked_until: datetime | None) -> bool:
    """The key's first count of the day; False when a row is there already."""
    return create_if_absent(storage.table(THROTTLE), _attempts_entity(row, count, now, locked_until))


def read_attempts(storage: Storage, row: RowId) -> Attempts | None:
    e = get_entity(storage.table(THROTTLE), row.partition, row.row_key)
    if e is None:
        return None
    until = parse_iso(e["locked_until"]) if e.get("locked_until") else None
    return Attempts(int(e.get("attempts") or 0), until, e.metadata["etag"])


def replace_attempts(storage: Storage, row: RowId, count: int, *, now: datetime, locked_until: datetime | None,
                     etag: str) -> None:
    """Write the new count under the ETag of its read (ConcurrencyConflict if it changed)."""
    update_if_match(storage.table(THROTTLE), _attempts_entity(row, count, now, locked_until), etag)


def clear_attempts(storage: Storage, row: RowId) -> None:
    storage.table(THROTTLE).delete_entity(row.partition, row.row_key)  # a missing row is no error


def allowance_row(kind: str, key: str, now: datetime) -> RowId:
    return RowId(f"{kind}-{now:%Y-%m-%d}", f"{digest(kind + ':' + key)}-{now:%H}")


def read_allowance(storage: Storage, row: RowId) -> tuple[int, str | None]:
    """(requests counted this hour, ETag); (0, None) before the first."""
    e = get_entity(storage.table(THROTTLE), row.partition, row.row_key)
    return (int(e["count"]), e.metadata["etag"]) if e else (0, None)


def write_allowance(storage: Storage, row: RowId, count: int, etag: str | None) -> bool:
    """Count `count` requests: an insert when the read found no row (`etag` None), else a write under its ETag;
    False when another request wrote first."""
    table = storage.table(THROTTLE)
    entity = {"PartitionKey": row.partition, "RowKey": row.row_key, "count": count}
    if etag is None:
        return create_if_absent(table, entity)
    try:
        update_if_match(table, entity, etag)
    except ConcurrencyConflict:
        return False
    return True
