"""Single-use links stored only as a hash of their secret (invitations, password resets): one live link per person.

A link's token is "<expiry day>.<secret>"; its row sits at PK = the expiry day (so the retention sweep drops
past days whole), RK = sha256 of the secret, with the staff id, the expiry and a used flag. The token travels
in the link's fragment, so it never reaches a server log. The owning store names the table and the message a
stale link answers with.

Each person's live link is named by a pointer row (PK "current", which sorts after every day so the day sweep
leaves it alone; RK the staff id). The pointer decides: a link works only while the pointer names it and is not
marked used, so a newer link retires every older one, and using a link (a write under the pointer's ETag)
retires them all. Links made before pointers existed have none and answer by their own row alone.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableClient

from shared.errors import ConcurrencyConflict, Gone
from shared.ids import digest, iso, parse_iso
from shared.storage.tables import Entity, get_entity, query_all, update_if_match

_TOKEN = re.compile(r"^(\d{4}-\d{2}-\d{2})\.([A-Za-z0-9_-]{32,128})$")
CURRENT_PK = "current"
POINTER_WRITE_ATTEMPTS = 10


@dataclass(frozen=True)
class NewLink:
    token: str
    partition_key: str
    row_key: str


@dataclass(frozen=True)
class LiveLink:
    row: Entity
    pointer: Entity | None  # None for a link made before pointers existed

    @property
    def staff_id(self) -> str:
        return self.row["staff_id"]


def _create_row(table: TableClient, staff_id: str, expires: datetime) -> NewLink:
    pk = expires.strftime("%Y-%m-%d")
    secret = secrets.token_urlsafe(32)
    table.create_entity({"PartitionKey": pk, "RowKey": digest(secret), "staff_id": staff_id,
                         "expires_at": iso(expires), "used": False})
    return NewLink(f"{pk}.{secret}", pk, digest(secret))


def issue(table: TableClient, staff_id: str, *, expires: datetime, busy: str | None = None) -> NewLink:
    """A new link for the person, retiring the one before it.

    The pointer moves under its ETag (or is inserted). When another link is issued at the same moment, with
    `busy` this one is withdrawn and ConcurrencyConflict(`busy`) raised (rather than left working unseen);
    without, the pointer is read again and this link, the later one, retires that one too.
    """
    link = _create_row(table, staff_id, expires)
    moved = {"PartitionKey": CURRENT_PK, "RowKey": staff_id, "day": link.partition_key, "key": link.row_key,
             "expires_at": iso(expires), "used": False}
    for _ in range(POINTER_WRITE_ATTEMPTS):
        pointer = get_entity(table, CURRENT_PK, staff_id)
        try:
            if pointer is None:
                table.create_entity(moved)
            else:
                update_if_match(table, moved, pointer.metadata["etag"])
        except (ConcurrencyConflict, ResourceExistsError):
            if busy is None:
                continue
            break
        if pointer is not None:
            # Retired already (the pointer names this link); deleting its row keeps nothing of it longer.
            table.delete_entity(pointer["day"], pointer["key"])
        return link
    table.delete_entity(link.partition_key, link.row_key)
    raise ConcurrencyConflict(busy or "Too many links were asked for at once; try again.")


def valid(table: TableClient, token: str, *, now: datetime, not_valid: str) -> LiveLink:
    """The link while it still works; Gone (with `not_valid`) for a malformed, unknown, used, expired or
    retired one."""
    m = _TOKEN.match(token.strip())
    if m is None:
        raise Gone(not_valid)
    row = get_entity(table, m.group(1), digest(m.group(2)))
    if row is None or row.get("used") or parse_iso(row["expires_at"]) <= now:
        raise Gone(not_valid)
    pointer = get_entity(table, CURRENT_PK, row["staff_id"])
    if pointer is not None and (pointer.get("used") or (pointer["day"], pointer["key"]) != (row["PartitionKey"],
                                                                                            row["RowKey"])):
        raise Gone(not_valid)
    return LiveLink(row, pointer)


def use_up(table: TableClient, token: str, *, now: datetime, not_valid: str) -> str:
    """Mark the link used and return whose it is; of concurrent uses (or a use racing a newer link) exactly one
    wins, by one write under the ETag of the pointer (or, for a link without one, of its own row)."""
    link = valid(table, token, now=now, not_valid=not_valid)
    used = {**{k: link.row[k] for k in ("PartitionKey", "RowKey", "staff_id", "expires_at")}, "used": True,
            "used_at": iso(now)}
    try:
        if link.pointer is None:
            update_if_match(table, used, link.row.metadata["etag"])
            return link.staff_id
        update_if_match(table, {**{k: link.pointer[k] for k in ("PartitionKey", "RowKey", "day", "key",
                                                                   "expires_at")}, "used": True},
                        link.pointer.metadata["etag"])
    except ConcurrencyConflict:
        raise Gone(not_valid) from None
    # The pointer decided; the row's own flag only keeps it from reading as unused on its own (a newer link
    # may already have deleted the row).
    with contextlib.suppress(ResourceNotFoundError):
        table.update_entity(used)
    return link.staff_id


def forget(table: TableClient, staff_id: str) -> None:
    """Erasure: the person's live link and its pointer go (idempotent)."""
    pointer = get_entity(table, CURRENT_PK, staff_id)
    if pointer is None:
        return
    table.delete_entity(pointer["day"], pointer["key"])
    table.delete_entity(CURRENT_PK, staff_id)


def expired_pointers(table: TableClient, before: str) -> Iterator[Entity]:
    """The keys of the pointers whose link expired on a day before `before` (YYYY-MM-DD): every older link of
    the person expired before it, so dropping the pointer brings none back."""
    yield from query_all(table, "PartitionKey eq @pk and day lt @before", {"pk": CURRENT_PK, "before": before},
                         select=["PartitionKey", "RowKey"])
