"""Second factors of staff accounts: the TOTP secret, the enrolment in progress, the recovery codes.

Table `secondfactors`, one partition per staff member (PK = staff id), so resetting or erasing a person's
second factor is one partition read and one transaction:
- RK "totp":     the confirmed secret and `last_step`, the newest 30-second step accepted; a code is
                 accepted only by moving `last_step` forward under the row's ETag, so a step is never
                 used twice, even by two requests at once;
- RK "pending":  a secret shown for enrolment but not yet confirmed with a code;
- RK "rc-<sha256>": one row per unused recovery code (hash only); using one deletes it under its ETag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from azure.core import MatchConditions
from azure.data.tables import TableTransactionError, TransactionOperation, UpdateMode

from shared.errors import ConcurrencyConflict
from shared.ids import iso
from shared.storage.clients import Storage
from shared.storage.names import SECOND_FACTORS
from shared.storage.tables import (
    delete_if_match,
    delete_op,
    get_entity,
    partition,
    retry_on_conflict,
    submit_batches,
    update_if_match,
)

TOTP_RK = "totp"
PENDING_RK = "pending"
RECOVERY_PREFIX = "rc-"
STEP_WRITE_ATTEMPTS = 5


@dataclass(frozen=True)
class TotpFactor:
    secret: str
    last_step: int
    etag: str


def get_totp(storage: Storage, staff_id: str) -> TotpFactor | None:
    row = get_entity(storage.table(SECOND_FACTORS), staff_id, TOTP_RK)
    if row is None:
        return None
    return TotpFactor(secret=row["secret"], last_step=int(row.get("last_step") or 0), etag=row.metadata["etag"])


def put_pending(storage: Storage, staff_id: str, secret: str, now: datetime) -> None:
    storage.table(SECOND_FACTORS).upsert_entity(
        {"PartitionKey": staff_id, "RowKey": PENDING_RK, "secret": secret, "created_at": iso(now)}
    )


@dataclass(frozen=True)
class PendingFactor:
    """A secret shown for enrolment, not yet confirmed."""

    secret: str
    created_at: str
    etag: str


def get_pending(storage: Storage, staff_id: str) -> PendingFactor | None:
    row = get_entity(storage.table(SECOND_FACTORS), staff_id, PENDING_RK)
    return PendingFactor(row["secret"], row["created_at"], row.metadata["etag"]) if row else None


def _recovery_rows(storage: Storage, staff_id: str) -> list[str]:
    return [r["RowKey"] for r in partition(storage.table(SECOND_FACTORS), staff_id, select=["RowKey"])
            if r["RowKey"].startswith(RECOVERY_PREFIX)]


def confirm(storage: Storage, staff_id: str, pending: PendingFactor, step: int, recovery_digests: list[str],
            now: datetime) -> bool:
    """Make the pending secret the factor (its first code's step used) with fresh recovery codes, atomically;
    False when that enrolment was confirmed or started again meanwhile (its row's ETag moved)."""
    old_codes = _recovery_rows(storage, staff_id)
    operations: list = [
        (TransactionOperation.UPSERT, {"PartitionKey": staff_id, "RowKey": TOTP_RK, "secret": pending.secret,
                                       "last_step": step, "enrolled_at": iso(now)}),
        (TransactionOperation.DELETE, {"PartitionKey": staff_id, "RowKey": PENDING_RK},
         {"etag": pending.etag, "match_condition": MatchConditions.IfNotModified}),
    ]
    operations += [(TransactionOperation.DELETE, {"PartitionKey": staff_id, "RowKey": rk}) for rk in old_codes]
    operations += [(TransactionOperation.CREATE, {"PartitionKey": staff_id, "RowKey": RECOVERY_PREFIX + d})
                   for d in recovery_digests]
    try:
        storage.table(SECOND_FACTORS).submit_transaction(operations)
    except TableTransactionError:
        return False
    return True


def replace_recovery_codes(storage: Storage, staff_id: str, recovery_digests: list[str]) -> None:
    operations: list = [(TransactionOperation.DELETE, {"PartitionKey": staff_id, "RowKey": rk})
                        for rk in _recovery_rows(storage, staff_id)]
    operations += [(TransactionOperation.CREATE, {"PartitionKey": staff_id, "RowKey": RECOVERY_PREFIX + d})
                   for d in recovery_digests]
    storage.table(SECOND_FACTORS).submit_transaction(operations)


def use_step(storage: Storage, staff_id: str, factor: TotpFactor, step: int) -> bool:
    """Record `step` as used; False when it (or a later one) was used already, here or concurrently.

    Another step accepted meanwhile moves the ETag; the row is read again and the step decided afresh."""
    def decide(current: TotpFactor | None) -> TotpFactor | None:
        return current if current is not None and step > current.last_step else None

    def write(current: TotpFactor) -> bool:
        update_if_match(storage.table(SECOND_FACTORS),
                        {"PartitionKey": staff_id, "RowKey": TOTP_RK, "last_step": step}, current.etag,
                        mode=UpdateMode.MERGE)
        return True

    return bool(retry_on_conflict(lambda: get_totp(storage, staff_id), decide, write, attempts=STEP_WRITE_ATTEMPTS,
                                  first=factor))


def use_recovery_code(storage: Storage, staff_id: str, recovery_digest: str) -> bool:
    """Delete the code's row; True for exactly one of any number of concurrent uses."""
    table = storage.table(SECOND_FACTORS)
    row = get_entity(table, staff_id, RECOVERY_PREFIX + recovery_digest)
    if row is None:
        return False
    try:
        delete_if_match(table, staff_id, row["RowKey"], row.metadata["etag"])
    except ConcurrencyConflict:
        return False
    return True


def recovery_codes_left(storage: Storage, staff_id: str) -> int:
    return len(_recovery_rows(storage, staff_id))


def remove_all(storage: Storage, staff_id: str) -> None:
    """Reset or erasure: every row of the person's second factor goes (idempotent)."""
    table = storage.table(SECOND_FACTORS)
    submit_batches(table, [delete_op(staff_id, r["RowKey"]) for r in partition(table, staff_id, select=["RowKey"])])
