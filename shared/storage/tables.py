"""Helpers over azure-data-tables: batches, conditional writes, create-if-absent and safe paged queries."""

from __future__ import annotations

import base64
import binascii
import json
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableClient, TransactionOperation, UpdateMode

from shared.errors import ConcurrencyConflict, InvalidRequest

MAX_BATCH = 100
_FORBIDDEN_KEY_CHARS = re.compile(r"[/\\#?\x00-\x1f\x7f-\x9f]")
# The same rule as a JSON Schema pattern (ECMA-262), for ids in the OpenAPI document's paths.
KEY_PATTERN = "^[^/\\\\#?\\u0000-\\u001f\\u007f-\\u009f]+$"

Entity = dict[str, Any]
Operation = tuple[str, Entity] | tuple[str, Entity, dict]
State = TypeVar("State")
Plan = TypeVar("Plan")
Result = TypeVar("Result")
_NOT_READ: Any = object()
BUSY = "Too many things happened at once; try again."


def check_key(value: str) -> str:
    """A PartitionKey/RowKey must not contain / \\ # ? or control characters (and must fit in 1 KiB)."""
    if not value or _FORBIDDEN_KEY_CHARS.search(value) or len(value.encode("utf-8")) > 1024:
        raise InvalidRequest("An identifier in the request is not valid.")
    return value


def get_entity(table: TableClient, partition_key: str, row_key: str) -> Entity | None:
    try:
        return table.get_entity(partition_key, row_key)
    except ResourceNotFoundError:
        return None


def create_if_absent(table: TableClient, entity: Entity) -> bool:
    """Insert the entity; False if one with the same keys already exists (the uniqueness primitive)."""
    try:
        table.create_entity(entity)
        return True
    except ResourceExistsError:
        return False


def etag_of(entity: Mapping) -> str:
    return entity.metadata["etag"]  # type: ignore[attr-defined]


def update_if_match(table: TableClient, entity: Entity, etag: str, *, mode: UpdateMode = UpdateMode.REPLACE) -> str:
    """Write only if nobody changed the entity since it was read; returns the new ETag."""
    try:
        meta = table.update_entity(entity, mode=mode, etag=etag, match_condition=MatchConditions.IfNotModified)
    except (ResourceNotFoundError, ResourceExistsError) as exc:
        raise ConcurrencyConflict("The record changed or disappeared while it was being updated.") from exc
    except HttpResponseError as exc:
        if exc.status_code == 412:
            raise ConcurrencyConflict("The record changed while it was being updated.") from exc
        raise
    return meta["etag"]


def retry_on_conflict(
    read: Callable[[], State],
    decide: Callable[[State], Plan | None],
    write: Callable[[Plan], Result],
    *,
    attempts: int,
    first: State = _NOT_READ,
    back_off: float = 0.0,
    busy: str = BUSY,
) -> Result | None:
    """The one read-decide-write loop under a write condition (an ETag, or an insert that must not exist).

    `read()` returns the current state (`first` is used instead on the first attempt when the caller already
    holds it); `decide(state)` returns what to write, or None when nothing needs writing (then the result is
    None), and may raise a domain error to refuse; `write(plan)` raises ConcurrencyConflict when someone else
    wrote first, and the loop starts again from a fresh read. After `attempts` lost races it raises
    ConcurrencyConflict(busy). `back_off` > 0 sleeps a random 0..back_off x attempt (at most 8x) before the
    re-read, so contenders at one hot row stop colliding in lockstep.
    """
    state = read() if first is _NOT_READ else first
    for attempt in range(attempts):
        plan = decide(state)
        if plan is None:
            return None
        try:
            return write(plan)
        except ConcurrencyConflict:
            if attempt + 1 == attempts:
                break
            if back_off:
                time.sleep(random.uniform(0, back_off * min(attempt + 1, 8)))
            state = read()
    raise ConcurrencyConflict(busy)


def increment_if_match(table: TableClient, partition_key: str, row_key: str, field: str, *,
                       attempts: int = 20) -> int | None:
    """Add one to an integer property under the row's ETag, re-reading on conflict; the new value, or None
    when the row does not exist. Each caller's increment lands exactly once, however many race."""
    def write(row: Entity) -> int:
        value = int(row.get(field) or 0) + 1
        update_if_match(table, {"PartitionKey": partition_key, "RowKey": row_key, field: value},
                        etag_of(row), mode=UpdateMode.MERGE)
        return value

    return retry_on_conflict(lambda: get_entity(table, partition_key, row_key), lambda row: row, write,
                             attempts=attempts, busy="The record is changing too often right now; try again.")


def delete_if_match(table: TableClient, partition_key: str, row_key: str, etag: str) -> None:
    try:
        table.delete_entity(partition_key, row_key, etag=etag, match_condition=MatchConditions.IfNotModified)
    except HttpResponseError as exc:
        if exc.status_code == 412:
            raise ConcurrencyConflict("The record changed while it was being deleted.") from exc
        raise


def submit_batches(table: TableClient, operations: Iterable[Operation]) -> int:
    """Submit operations as entity-group transactions: grouped by partition, at most 100 per transaction.

    Each transaction is atomic; a failure raises before later chunks are sent. Returns the number of
    transactions submitted.
    """
    by_partition: dict[str, list[Operation]] = defaultdict(list)
    for op in operations:
        by_partition[op[1]["PartitionKey"]].append(op)
    sent = 0
    for ops in by_partition.values():
        for start in range(0, len(ops), MAX_BATCH):
            table.submit_transaction(ops[start : start + MAX_BATCH])  # type: ignore[arg-type]
            sent += 1
    return sent


def upsert_op(entity: Entity, mode: str = "replace") -> Operation:
    return (TransactionOperation.UPSERT, entity, {"mode": mode})


def delete_op(partition_key: str, row_key: str) -> Operation:
    return (TransactionOperation.DELETE, {"PartitionKey": partition_key, "RowKey": row_key})


def encode_page_token(token: Mapping[str, str] | None) -> str | None:
    if not token:
        return None
    return base64.urlsafe_b64encode(json.dumps(dict(token), separators=(",", ":")).encode()).decode().rstrip("=")


def decode_page_token(token: str | None) -> dict[str, str] | None:
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidRequest("page_token is not valid.") from None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise InvalidRequest("page_token is not valid.")
    return value


def query_page(
    table: TableClient,
    query_filter: str,
    parameters: Mapping[str, Any],
    *,
    page_size: int,
    page_token: str | None = None,
    select: list[str] | None = None,
) -> tuple[list[Entity], str | None]:
    """One page of a parameterised query (values are never spliced into the filter text).

    The SDK finds `@name` placeholders by splitting on spaces: write `( RowKey eq @a )`, not `(RowKey eq @a)`.
    """
    pager = table.query_entities(
        query_filter, parameters=dict(parameters), results_per_page=page_size, select=select
    ).by_page(continuation_token=decode_page_token(page_token))
    try:
        items = list(next(pager))
    except StopIteration:
        return [], None
    return items, encode_page_token(pager.continuation_token)


def query_all(
    table: TableClient, query_filter: str, parameters: Mapping[str, Any], *, select: list[str] | None = None
) -> Iterator[Entity]:
    yield from table.query_entities(query_filter, parameters=dict(parameters), select=select, results_per_page=1000)


def partition(table: TableClient, partition_key: str, *, select: list[str] | None = None) -> Iterator[Entity]:
    yield from query_all(table, "PartitionKey eq @pk", {"pk": partition_key}, select=select)
