"""One-time staff invitation links (7 days, single use), stored hashed.

Table `invitations`, PK = expiry day (retention drops whole past days), RK = sha256(secret).
A link carries "<expiry day>.<secret>" in its fragment, so it never reaches server logs.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from shared.errors import ConcurrencyConflict, Gone
from shared.ids import digest, iso, parse_iso
from shared.organisation.models import StaffMember
from shared.organisation.store import get_staff
from shared.storage.clients import Storage
from shared.storage.names import INVITATIONS
from shared.storage.tables import Entity, get_entity, update_if_match

_TOKEN = re.compile(r"^(\d{4}-\d{2}-\d{2})\.([A-Za-z0-9_-]{32,128})$")
NOT_VALID = "This invitation link is not valid any more. Ask whoever invited you for a new one."


def create(storage: Storage, staff_id: str, *, days: int, now: datetime) -> tuple[str, datetime]:
    expires = now + timedelta(days=days)
    pk = expires.strftime("%Y-%m-%d")
    secret = secrets.token_urlsafe(32)
    storage.table(INVITATIONS).create_entity(
        {"PartitionKey": pk, "RowKey": digest(secret), "staff_id": staff_id, "expires_at": iso(expires), "used": False}
    )
    return f"{pk}.{secret}", expires


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
