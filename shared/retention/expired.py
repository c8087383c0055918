"""Dropping expired rows and leftover uploads: invitations, refresh tokens, SSO flows, password-reset links,
audit, throttle, MIS uploads.

The day-partitioned tables are read with one PartitionKey range query (`PartitionKey lt <cut-off>`): the
service walks only the partitions before the cut-off, and every row it returns is one to delete, so the
cost follows the rows due, with no record of which days were done and no blind spot for days older than
a look-back window. The throttle table is keyed `<kind>-<day>` with kinds added over time, so it is
listed whole instead; that is cheap because this sweep keeps it down to its last two days.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, TableTransactionError

from shared.retention import policy
from shared.retention.runs import Category
from shared.retention.sweep import ItemGuard, Sweep
from shared.storage.names import (
    ALERTS,
    AUDIT,
    INVITATIONS,
    MIS_UPLOADS,
    PASSWORD_RESETS,
    REFRESH_TOKENS,
    SSO_FLOWS,
    THROTTLE,
)
from shared.storage.tables import MAX_BATCH, Entity, delete_op, query_all

KEYS = ["PartitionKey", "RowKey"]


def _chunks(rows: Iterable[Entity]) -> Iterator[tuple[str, list[str]]]:
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


def _delete(table: TableClient, pk: str, row_keys: list[str]) -> None:
    try:
        table.submit_transaction([delete_op(pk, rk) for rk in row_keys])  # type: ignore[arg-type]
    except TableTransactionError:
        # A row went meanwhile (a refresh-token family revoked at logout, a flow used): the transaction
        # fails as a whole, so delete one by one; deleting a missing row is not an error.
        for rk in row_keys:
            table.delete_entity(pk, rk)


def _drop(sweep: Sweep, name: str, table: TableClient, rows: Iterable[Entity], category: Category) -> None:
    guard = ItemGuard(sweep, name)
    for pk, row_keys in _chunks(rows):
        if not sweep.take():
            return
        with guard.item():
            _delete(table, pk, row_keys)
            sweep.journal.count(category, len(row_keys))


def _drop_partitions_before(sweep: Sweep, name: str, table_name: str, before: str, category: Category) -> None:
    table = sweep.storage.table(table_name)
    rows = query_all(table, "PartitionKey lt @before", {"before": before}, select=KEYS)
    _drop(sweep, name, table, rows, category)


def sweep_invitations(sweep: Sweep) -> None:
    _drop_partitions_before(sweep, "invitations", INVITATIONS, policy.expired_before(sweep.today),
                            Category.INVITATIONS_DELETED)


def sweep_refresh_tokens(sweep: Sweep) -> None:
    _drop_partitions_before(sweep, "refresh_tokens", REFRESH_TOKENS, policy.expired_before(sweep.today),
                            Category.REFRESH_TOKENS_DELETED)


def sweep_sso_flows(sweep: Sweep) -> None:
    _drop_partitions_before(sweep, "sso_flows", SSO_FLOWS, policy.expired_before(sweep.today),
                            Category.SSO_FLOWS_DELETED)


def sweep_password_resets(sweep: Sweep) -> None:
    _drop_partitions_before(sweep, "password_resets", PASSWORD_RESETS, policy.expired_before(sweep.today),
                            Category.PASSWORD_RESETS_DELETED)


def sweep_audit(sweep: Sweep) -> None:
    kept_from = policy.audit_kept_from(sweep.today, sweep.settings.audit_retention_months)
    _drop_partitions_before(sweep, "audit", AUDIT, kept_from, Category.AUDIT_ENTRIES_DELETED)
    # The alert index is part of the audit trail and goes with it.
    _drop_partitions_before(sweep, "alerts", ALERTS, kept_from, Category.AUDIT_ENTRIES_DELETED)


def sweep_throttle(sweep: Sweep) -> None:
    table = sweep.storage.table(THROTTLE)
    rows = (r for r in table.list_entities(select=KEYS, results_per_page=1000)
            if policy.throttle_is_old(r["PartitionKey"], sweep.today))
    _drop(sweep, "throttle", table, rows, Category.THROTTLE_ROWS_DELETED)


def sweep_mis_uploads(sweep: Sweep) -> None:
    """Raw MIS exports left in `mis-uploads` (the blob trigger deletes each once processed).

    Listing the container is cheap: it only ever holds uploads not yet processed.
    """
    guard = ItemGuard(sweep, "mis_uploads")
    container = sweep.storage.container(MIS_UPLOADS)
    for blob in container.list_blobs():
        if not policy.upload_is_stale(blob.last_modified, sweep.now, sweep.settings.upload_sweep_hours):
            continue
        if not sweep.take():
            return
        with guard.item():
            try:
                container.delete_blob(blob.name, delete_snapshots="include")
            except ResourceNotFoundError:
                continue  # processed meanwhile
            sweep.journal.count(Category.MIS_UPLOADS_DELETED)
