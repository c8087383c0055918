"""One-time staff invitation links (7 days, single use), stored hashed.

Table `invitations`, PK = expiry day (retention drops whole past days), RK = sha256(secret).
A link carries "<expiry day>.<secret>" in its fragment, so it never reaches server logs.
Each staff member's latest invitation is named by a pointer row (PK "current", RK staff id, which sorts
after every day, so the expiry sweep leaves it alone): re-sending deletes the invitation it points at,
so the old link stops working.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from azure.core.exceptions import ResourceExistsError

from shared.errors import ConcurrencyConflict, Gone
from shared.organisation.model import StaffMember
from shared.organisation.store import get_staff
from shared.storage import links
from shared.storage.clients import Storage
from shared.storage.names import INVITATIONS
from shared.storage.tables import get_entity, update_if_match

NOT_VALID = "This invitation link is not valid any more. Ask whoever invited you for a new one."


CURRENT_PK = "current"


def _new_row(storage: Storage, staff_id: str, days: int, now: datetime) -> tuple[links.NewLink, datetime]:
    expires = now + timedelta(days=days)
    return links.create(storage.table(INVITATIONS), staff_id, expires=expires), expires


def create(storage: Storage, staff_id: str, *, days: int, now: datetime) -> tuple[str, datetime]:
    link, expires = _new_row(storage, staff_id, days, now)
    storage.table(INVITATIONS).upsert_entity({"PartitionKey": CURRENT_PK, "RowKey": staff_id,
                                              "day": link.partition_key, "key": link.row_key})
    return link.token, expires


def reissue(storage: Storage, staff_id: str, *, days: int, now: datetime) -> tuple[str, datetime]:
    """A new link for the staff member; the one before it stops working.

    The pointer moves under its ETag, so of two concurrent re-sends one wins and the other's link is
    withdrawn (ConcurrencyConflict) rather than left working unseen.
    """
    table = storage.table(INVITATIONS)
    pointer = get_entity(table, CURRENT_PK, staff_id)
    link, expires = _new_row(storage, staff_id, days, now)
    moved = {"PartitionKey": CURRENT_PK, "RowKey": staff_id, "day": link.partition_key, "key": link.row_key}
    try:
        if pointer is None:
            table.create_entity(moved)
        else:
            update_if_match(table, moved, pointer.metadata["etag"])
    except (ConcurrencyConflict, ResourceExistsError):
        table.delete_entity(link.partition_key, link.row_key)
        raise ConcurrencyConflict("Someone else sent a new invitation at the same moment.") from None
    if pointer is not None:
        table.delete_entity(pointer["day"], pointer["key"])
    return link.token, expires


def forget(storage: Storage, staff_id: str) -> None:
    """Erasure: the staff member's pending invitation and its pointer go (idempotent)."""
    table = storage.table(INVITATIONS)
    pointer = get_entity(table, CURRENT_PK, staff_id)
    if pointer is None:
        return
    table.delete_entity(pointer["day"], pointer["key"])
    table.delete_entity(CURRENT_PK, staff_id)


def peek(storage: Storage, token: str, *, now: datetime) -> StaffMember:
    """The invited staff member, if the link is still valid (does not use it up)."""
    row = links.valid_row(storage.table(INVITATIONS), token, now=now, not_valid=NOT_VALID)
    found = get_staff(storage, row["staff_id"])
    if found is None:
        raise Gone(NOT_VALID)
    return found[0]


def consume(storage: Storage, token: str, *, now: datetime) -> None:
    """Mark the link used; of two concurrent acceptances exactly one succeeds (ETag)."""
    links.use_up(storage.table(INVITATIONS), token, now=now, not_valid=NOT_VALID)


def invitation_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/#/invitation/{token}"
