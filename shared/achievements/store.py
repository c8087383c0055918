"""The `verifications` table: one row per verification code (PartitionKey = canonical code, RowKey "v").

Checking a code is one point read. The row points at the pupil by pseudonymous ids only, so erasure
(which finds the code on the pupil's award row) and a move of school can find and change it.
"""

from __future__ import annotations

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.achievements.model import Verification
from shared.errors import ConcurrencyConflict
from shared.storage.clients import Storage
from shared.storage.names import VERIFICATIONS
from shared.storage.tables import Entity, create_if_absent, delete_if_match, get_entity, update_if_match

ROW = "v"


def _entity(v: Verification) -> Entity:
    return {
        "PartitionKey": v.code, "RowKey": ROW, "school_id": v.school_id, "pupil_id": v.pupil_id,
        "partner_id": v.partner_id, "rank": v.rank, "award_key": v.award_key, "award_name": v.award_name,
        "hours": v.hours, "achieved_at": v.achieved_at, "issuer_name": v.issuer_name, "salt": v.salt,
        "name_hash": v.name_hash, "credential_id": v.credential_id,
    }


def _verification(e: Entity) -> Verification:
    return Verification(
        code=e["PartitionKey"], school_id=e["school_id"], pupil_id=e["pupil_id"], partner_id=e["partner_id"],
        rank=int(e["rank"]), award_key=e["award_key"], award_name=e["award_name"], hours=int(e["hours"]),
        achieved_at=e["achieved_at"], issuer_name=e["issuer_name"], salt=e["salt"], name_hash=e["name_hash"],
        credential_id=e["credential_id"],
    )


def publish(storage: Storage, verification: Verification) -> bool:
    """Insert the record; False when the code already has one (publishing again changes nothing)."""
    return create_if_absent(storage.table(VERIFICATIONS), _entity(verification))


def get(storage: Storage, code: str) -> Verification | None:
    e = get_entity(storage.table(VERIFICATIONS), code, ROW)
    return _verification(e) if e else None


def withdraw(storage: Storage, code: str, pupil_id: str) -> Verification | None:
    """Delete the record if it still belongs to this pupil (after a move of school it belongs to the
    pupil at the new school, and the old copy's erasure must leave it). Returns what was deleted."""
    table = storage.table(VERIFICATIONS)
    e = get_entity(table, code, ROW)
    if e is None or e["pupil_id"] != pupil_id:
        return None
    try:
        delete_if_match(table, code, ROW, e.metadata["etag"])
    except (ConcurrencyConflict, ResourceNotFoundError):
        return None
    return _verification(e)


def move(storage: Storage, code: str, *, from_pupil_id: str, school_id: str, pupil_id: str) -> None:
    """Point the record at the pupil's record at their new school (idempotent: done twice, same state)."""
    table = storage.table(VERIFICATIONS)
    e = get_entity(table, code, ROW)
    if e is None or e["pupil_id"] not in (from_pupil_id, pupil_id):
        return
    update_if_match(table, {"PartitionKey": code, "RowKey": ROW, "school_id": school_id, "pupil_id": pupil_id},
                    e.metadata["etag"], mode=UpdateMode.MERGE)
