"""The rows and blobs the retention timer drops when they expire (it owns none of these tables; their owners
are named in shared/storage/names.py, and each keys its rows so that this sweep can find them without
knowing their format).

The day-partitioned tables (invitations, refresh tokens, SSO flows, password-reset links, used sign-in
challenges, audit, alerts) are read with one PartitionKey range query (`PartitionKey lt <cut-off>`), which
walks only the partitions before the cut-off: every row it returns is one to delete. The throttle table is
keyed `<kind>-<day>` with kinds added over time, so it is listed whole; the caller picks its old partitions.
Rows are deleted in entity-group transactions of up to 100 rows of one partition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import groupby

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableTransactionError

from shared.storage import links
from shared.storage.clients import Storage
from shared.storage.names import MIS_UPLOADS, THROTTLE
from shared.storage.tables import MAX_BATCH, Entity, delete_op, query_all

KEYS = ["PartitionKey", "RowKey"]
Batch = tuple[str, list[str]]  # (partition, up to 100 row keys)


def _chunks(rows: Iterable[Entity]) -> Iterator[Batch]:
    """(partition, up to 100 row keys) in the order the service returns rows (sorted by partition)."""
    for pk, group in groupby(rows, key=lambda r: r["PartitionKey"]):
        keys: list[str] = []
        for row in group:
            keys.append(row["RowKey"])
            if len(keys) == MAX_BATCH:
                yield pk, keys
                keys = []
        if keys:
            yield pk, keys


def batches_before(storage: Storage, table_name: str, before: str) -> Iterator[Batch]:
    """Every row of the partitions that sort before `before`, in batches (read as they are taken)."""
    return _chunks(query_all(storage.table(table_name), "PartitionKey lt @before", {"before": before}, select=KEYS))


def link_pointer_batches(storage: Storage, table_name: str, before: str) -> Iterator[Batch]:
    """The pointers (`shared.storage.links`) of links that expired before `before`, in batches."""
    return _chunks(links.expired_pointers(storage.table(table_name), before))


def throttle_batches(storage: Storage, is_old: Callable[[str], bool]) -> Iterator[Batch]:
    """The throttle rows whose partition `is_old`, in batches."""
    rows = storage.table(THROTTLE).list_entities(select=KEYS, results_per_page=1000)
    return _chunks(r for r in rows if is_old(r["PartitionKey"]))


def delete(storage: Storage, table_name: str, batch: Batch) -> None:
    table = storage.table(table_name)
    pk, row_keys = batch
    try:
        table.submit_transaction([delete_op(pk, rk) for rk in row_keys])  # type: ignore[arg-type]
    except TableTransactionError:
        # A row went meanwhile (a refresh-token family revoked at logout, a flow used): the transaction
        # fails as a whole, so delete one by one; deleting a missing row is not an error.
        for rk in row_keys:
            table.delete_entity(pk, rk)


def uploads(storage: Storage) -> Iterator[tuple[str, datetime]]:
    """(name, last modified) of every blob in `mis-uploads`: it only ever holds uploads not yet processed."""
    for blob in storage.container(MIS_UPLOADS).list_blobs():
        yield blob.name, blob.last_modified


def delete_upload(storage: Storage, name: str) -> bool:
    """False when the blob was gone already (processed meanwhile)."""
    try:
        storage.container(MIS_UPLOADS).delete_blob(name, delete_snapshots="include")
    except ResourceNotFoundError:
        return False
    return True
