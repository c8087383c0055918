"""The `revocations` table: revoked credential ids, one partition per revocation list.

A credential names its list in `credentialStatus` (lists by the month the award was achieved, so a
list stays small and is read as one partition). Rows hold only the credential's random `urn:uuid`.
"""

from __future__ import annotations

from shared.achievements.model import Revocation
from shared.ids import iso, utcnow
from shared.storage.clients import Storage
from shared.storage.names import REVOCATIONS
from shared.storage.tables import check_key, partition


def list_id_for(achieved_at: str) -> str:
    return achieved_at[:7]


def revoke(storage: Storage, list_id: str, credential_id: str, reason: str) -> None:
    """Idempotent: revoking twice leaves one row."""
    storage.table(REVOCATIONS).upsert_entity(
        {"PartitionKey": list_id, "RowKey": credential_id, "revoked_at": iso(utcnow()), "reason": reason})


def revoked(storage: Storage, list_id: str) -> list[Revocation]:
    return [Revocation(credential_id=r["RowKey"], revoked_at=r["revoked_at"], reason=r["reason"])
            for r in partition(storage.table(REVOCATIONS), check_key(list_id))]
