"""One-time staff invitation links (7 days, single use), stored hashed.

Table `invitations`, PK = expiry day (retention drops whole past days), RK = sha256(secret).
A link carries "<expiry day>.<secret>" in its fragment, so it never reaches server logs.
Each staff member's latest invitation is named by a pointer row (PK "current", RK staff id, which sorts
after every day, so the expiry sweep leaves it alone): re-sending deletes the invitation it points at,
so the old link stops working.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from azure.core.exceptions import ResourceExistsError

from shared.errors import ConcurrencyConflict, Gone
from shared.ids import digest, iso, parse_iso
from shared.organisation.model import StaffMember
from shared.organisation.store import get_staff
from shared.storage.clients import Storage
from shared.storage.names import INVITATIONS
from shared.storage.tables import Entity, get_entity, update_if_match

_TOKEN = re.compile(r"^(\d{4}-\d{2}-\d{2})\.([A-Za-z0-9_-]{32,128})$")
NOT_VALID = "This invitation link is not valid any more. Ask whoever invited you for a new one."


CURRENT_PK = "current"


def _new_row(storage: Storage, staff_id: str, days: int, now: datetime) -> tuple[str, str, str, datetime]:
    expires = now + timedelta(days=days)
    pk = expires.strftime("%Y-%m-%d")
    secret = secrets.token_urlsafe(32)
    storage.table(INVITATIONS).create_entity(
        {"PartitionKey": pk, "RowKey": digest(secret), "staff_id": staff_id, "expires_at": iso(expires), "used": False}
    )
    return f"{pk}.{secret}", pk, digest(secret), expires


def create(storage: Storage, staff_id: str, *, days: int, now: datetime) -> tuple[str, datetime]:
    token, pk, rk, expires = _new_row(storage, staff_id, days, now)
    storage.table(INVITATIONS).upsert_entity({"PartitionKey": CURRENT_PK, "RowKey": staff_id, "day": pk, "key": rk})
    return token, expires


def reissue(storage: Storage, staff_id: str, *, days: int, now: datetime) -> tuple[str, datetime]:
    """A new link for the staff member; the one before it stops working.

    The pointer moves under its ETag, so of two concurrent re-sends one wins and the other's link is
    withdrawn (ConcurrencyConflict) rather than left working unseen.
    """
    table = storage.table(INVITATIONS)
    pointer = get_entity(table, CURRENT_PK, staff_id)
    token, pk, rk, expires = _new_row(storage, staff_id, days, now)
    moved = {"PartitionKey": CURRENT_PK, "RowKey": staff_id, "day": pk, "key": rk}
    try:
        if pointer is None:
            table.create_entity(moved)
        else:
            update_if_match(table, moved, pointer.metadata["etag"])
    except (ConcurrencyConflict, ResourceExistsError):
        table.delete_entity(pk, rk)
        raise ConcurrencyConflict("Someone else sent a new invitation at the same moment.") from None
    if pointer is not None:
        table.delete_entity(pointer["day"], pointer["key"])
    return token, expires


def forget(storage: Storage, staff_id: str) -> None:
    """Erasure: the staff member's pending invitation and its pointer go (idempotent)."""
    table = storage.table(INVITATIONS)
    pointer = get_entity(table, CURRENT_PK, staff_id)
    if pointer is None:
        return
    table.delete_entity(pointer["day"], pointer["key"])
    table.delete_entity(CURRENT_PK, staff_id)


def _load(storage: Storage, token: str, now: datetime) -> Entity:
    m = _TOKEN.match(token.strip())
    if m is None:
        raise Gone(NOT_VALID)
    row = get_entity(storage.table(INVITATIONS), m.group(1), digest(m.group(2)))
    if row is None or row.get("used") or parse_iso(row["expires_at"]) <= now:
        raise Gone(NOT_VALID)
    return row


def peek(storage: Storage, token: str, *, now: datetime) -> StaffMember:
    """The invited staff member, if the link is still valid (does not use it up)."""
    row = _load(storage, token, now)
    found = get_staff(storage, row["staff_id"])
    if found is None:
        raise Gone(NOT_VALID)
    return found[0]


def consume(storage: Storage, token: str, *, now: datetime) -> None:
    """Mark the link used; of two concurrent acceptances exactly one succeeds (ETag)."""
    row = _load(storage, token, now)
    try:
        update_if_match(
            storage.table(INVITATIONS),
            {"PartitionKey": row["PartitionKey"], "RowKey": row["RowKey"], "staff_id": row["staff_id"],
             "expires_at": row["expires_at"], "used": True, "used_at": iso(now)},
            row.metadata["etag"],
        )
    except ConcurrencyConflict:
        raise Gone(NOT_VALID) from None


def invitation_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/#/invitation/{token}"
