"""An ETag-guarded lease row: one holder at a time for work that must never run twice at once.

The lease is a table row created by its holder (insert conflict = somebody else holds it) and deleted
under the ETag it was created with, so a holder whose lease expired and was taken over cannot release
the new holder's lease. An expired lease (a crashed holder) is taken over with an ETag-conditional
replace, so of two takers exactly one wins.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableClient

from shared.errors import ConcurrencyConflict
from shared.ids import iso, parse_iso, utcnow
from shared.storage.tables import delete_if_match, etag_of, get_entity, update_if_match

_FIRST_DELAY = 0.05
_MAX_DELAY = 1.0


def _acquire(table: TableClient, partition_key: str, row_key: str, ttl_seconds: int) -> str | None:
    """The ETag of the lease when this call got it, None when another holder has it."""
    now = utcnow()
    entity = {"PartitionKey": partition_key, "RowKey": row_key,
              "expires_at": iso(now + timedelta(seconds=ttl_seconds))}
    try:
        return table.create_entity(entity)["etag"]
    except ResourceExistsError:
        pass
    current = get_entity(table, partition_key, row_key)
    if current is None or parse_iso(current["expires_at"]) > now:
        return None
    try:
        return update_if_match(table, entity, etag_of(current))
    except ConcurrencyConflict:
        return None


@contextlib.contextmanager
def row_lease(
    table: TableClient,
    partition_key: str,
    row_key: str,
    *,
    ttl_seconds: int,
    wait_seconds: float,
    busy: Callable[[], Exception],
) -> Iterator[None]:
    """Hold the lease for the `with` block; wait up to `wait_seconds` for it, then raise `busy()`."""
    deadline = time.monotonic() + wait_seconds
    delay = _FIRST_DELAY
    while (etag := _acquire(table, partition_key, row_key, ttl_seconds)) is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise busy()
        # Back-off between attempts at a lease somebody else holds (a wait, not a test synchronisation).
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, _MAX_DELAY)
    try:
        yield
    finally:
        # Taken over after expiry: the new holder's lease is theirs to release.
        with contextlib.suppress(ConcurrencyConflict):
            delete_if_match(table, partition_key, row_key, etag)
