"""Single-use links stored only as a hash of their secret (invitations, password resets).

A link's token is "<expiry day>.<secret>"; its row sits at PK = the expiry day (so the retention sweep drops
past days whole), RK = sha256 of the secret, with the staff id, the expiry and a used flag. The token travels
in the link's fragment, so it never reaches a server log. The owning store names the table and the message a
stale link answers with.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from azure.data.tables import TableClient

from shared.errors import ConcurrencyConflict, Gone
from shared.ids import digest, iso, parse_iso
from shared.storage.tables import Entity, get_entity, update_if_match

_TOKEN = re.compile(r"^(\d{4}-\d{2}-\d{2})\.([A-Za-z0-9_-]{32,128})$")


@dataclass(frozen=True)
class NewLink:
    token: str
    partition_key: str
    row_key: str


def create(table: TableClient, staff_id: str, *, expires: datetime) -> NewLink:
    pk = expires.strftime("%Y-%m-%d")
    secret = secrets.token_urlsafe(32)
    table.create_entity({"PartitionKey": pk, "RowKey": digest(secret), "staff_id": staff_id,
                         "expires_at": iso(expires), "used": False})
    return NewLink(f"{pk}.{secret}", pk, digest(secret))


def valid_row(table: TableClient, token: str, *, now: datetime, not_valid: str) -> Entity:
    """The link's row while it still works; Gone (with `not_valid`) for a malformed, unknown, used or expired one."""
    m = _TOKEN.match(token.strip())
    if m is None:
        raise Gone(not_valid)
    row = get_entity(table, m.group(1), digest(m.group(2)))
    if row is None or row.get("used") or parse_iso(row["expires_at"]) <= now:
        raise Gone(not_valid)
    return row


def use_up(table: TableClient, token: str, *, now: datetime, not_valid: str) -> str:
    """Mark the link used and return whose it is; of two concurrent uses exactly one succeeds (ETag)."""
    row = valid_row(table, token, now=now, not_valid=not_valid)
    try:
        update_if_match(table, {"PartitionKey": row["PartitionKey"], "RowKey": row["RowKey"],
                                "staff_id": row["staff_id"], "expires_at": row["expires_at"], "used": True,
                                "used_at": iso(now)}, row.metadata["etag"])
    except ConcurrencyConflict:
        raise Gone(not_valid) from None
    return row["staff_id"]
