"""Password-reset links: single use, short-lived, stored only as a hash of their secret.

Table `passwordresets`, PK = the expiry day (the retention timer drops past days whole), RK = sha256 of
the secret; the row holds the staff id, expiry and a used flag. A token is "<expiry day>.<secret>" and
travels in the link's fragment, so it never reaches a server log.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from shared.errors import ConcurrencyConflict, Gone
from shared.ids import digest, iso, parse_iso
from shared.storage.clients import Storage
from shared.storage.names import PASSWORD_RESETS
from shared.storage.tables import Entity, get_entity, update_if_match

_TOKEN = re.compile(r"^(\d{4}-\d{2}-\d{2})\.([A-Za-z0-9_-]{32,128})$")
NOT_VALID = "This password reset link is not valid any more. Ask for a new one from the sign-in page."


def create(storage: Storage, staff_id: str, *, minutes: int, now: datetime) -> str:
    expires = now + timedelta(minutes=minutes)
    pk = expires.strftime("%Y-%m-%d")
    secret = secrets.token_urlsafe(32)
    storage.table(PASSWORD_RESETS).create_entity(
        {"PartitionKey": pk, "RowKey": digest(secret), "staff_id": staff_id, "expires_at": iso(expires),
         "used": False}
    )
    return f"{pk}.{secret}"


def _valid_row(storage: Storage, token: str, now: datetime) -> Entity:
    m = _TOKEN.match(token.strip())
    if m is None:
        raise Gone(NOT_VALID)
    row = get_entity(storage.table(PASSWORD_RESETS), m.group(1), digest(m.group(2)))
    if row is None or row.get("used") or parse_iso(row["expires_at"]) <= now:
        raise Gone(NOT_VALID)
    return row


def peek(storage: Storage, token: str, *, now: datetime) -> str:
    """Whose link this is, if it still works (does not use it up)."""
    return _valid_row(storage, token, now)["staff_id"]


def claim(storage: Storage, token: str, *, now: datetime) -> str:
    """Use the link up and return whose it is; of two concurrent uses exactly one succeeds (ETag)."""
    table = storage.table(PASSWORD_RESETS)
    row = _valid_row(storage, token, now)
    try:
        update_if_match(table, {**row, "used": True, "used_at": iso(now)}, row.metadata["etag"])
    except ConcurrencyConflict:
        raise Gone(NOT_VALID) from None
    return row["staff_id"]


def reset_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/#/password/reset/{token}"
