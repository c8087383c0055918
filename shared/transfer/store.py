"""The `transfers` table: a transfer code's row and a per-pupil index row.

- PartitionKey `code-<sha256 of the canonical code>`, RowKey "t": the transfer (the code itself is
  never stored, so the table cannot be read to redeem one).
- PartitionKey `pupil-<old pupil id>`, RowKey "t": which code row is the pupil's current one, so
  issuing again retires the old code and erasing the pupil deletes both.
"""

from __future__ import annotations

from azure.data.tables import UpdateMode

from shared.storage.clients import Storage
from shared.storage.names import TRANSFERS
from shared.storage.tables import Entity, get_entity, update_if_match
from shared.transfer.model import Transfer, TransferState

ROW = "t"


def _code_pk(key: str) -> str:
    return f"code-{key}"


def _pupil_pk(pupil_id: str) -> str:
    return f"pupil-{pupil_id}"


def _transfer(e: Entity) -> Transfer:
    return Transfer(
        key=e["PartitionKey"].removeprefix("code-"), from_school_id=e["from_school_id"],
        from_pupil_id=e["from_pupil_id"], expires_on=e["expires_on"], issued_at=e["issued_at"],
        state=TransferState(e["state"]), to_school_id=e.get("to_school_id") or None,
        to_pupil_id=e.get("to_pupil_id") or None, etag=e.metadata["etag"],
    )


def issue(storage: Storage, transfer: Transfer) -> None:
    """Store a new code for the pupil and retire the one issued before it (if any)."""
    table = storage.table(TRANSFERS)
    previous = get_entity(table, _pupil_pk(transfer.from_pupil_id), ROW)
    table.upsert_entity({
        "PartitionKey": _code_pk(transfer.key), "RowKey": ROW, "from_school_id": transfer.from_school_id,
        "from_pupil_id": transfer.from_pupil_id, "expires_on": transfer.expires_on, "issued_at": transfer.issued_at,
        "state": transfer.state.value, "to_school_id": "", "to_pupil_id": "",
    })
    table.upsert_entity({"PartitionKey": _pupil_pk(transfer.from_pupil_id), "RowKey": ROW, "key": transfer.key})
    if previous and previous["key"] != transfer.key:
        old = get_entity(table, _code_pk(previous["key"]), ROW)
        # A code already used keeps its row: a retried move must still find it.
        if old is not None and old["state"] == TransferState.ISSUED.value:
            table.delete_entity(_code_pk(previous["key"]), ROW)


def get(storage: Storage, key: str) -> Transfer | None:
    e = get_entity(storage.table(TRANSFERS), _code_pk(key), ROW)
    return _transfer(e) if e else None


def current_for_pupil(storage: Storage, pupil_id: str) -> Transfer | None:
    index = get_entity(storage.table(TRANSFERS), _pupil_pk(pupil_id), ROW)
    return get(storage, index["key"]) if index else None


def claim(storage: Storage, transfer: Transfer, school_id: str, pupil_id: str) -> None:
    """Mark the code as used by this pupil, under the row's ETag (ConcurrencyConflict if it changed)."""
    assert transfer.etag is not None
    update_if_match(storage.table(TRANSFERS), {
        "PartitionKey": _code_pk(transfer.key), "RowKey": ROW, "state": TransferState.CLAIMED.value,
        "to_school_id": school_id, "to_pupil_id": pupil_id,
    }, transfer.etag, mode=UpdateMode.MERGE)


def finish(storage: Storage, key: str) -> None:
    storage.table(TRANSFERS).update_entity(
        {"PartitionKey": _code_pk(key), "RowKey": ROW, "state": TransferState.DONE.value}, mode=UpdateMode.MERGE)


def forget_pupil(storage: Storage, pupil_id: str) -> None:
    """Erasure: the pupil's current code row and the index row go."""
    table = storage.table(TRANSFERS)
    index = get_entity(table, _pupil_pk(pupil_id), ROW)
    if index is None:
        return
    table.delete_entity(_code_pk(index["key"]), ROW)
    table.delete_entity(_pupil_pk(pupil_id), ROW)
