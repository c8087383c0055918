"""The `refreshtokens` table (its one owner): refresh-token families, stored hashed.

Partitioned by the family's expiry day, so expired sessions are dropped a whole day at a time by the
retention timer:
- family row  PK <expiry day>, RK "f-<family>": subject, role, scope ids, session version, revoked flag;
- token rows  PK <expiry day>, RK "t-<family>-<sha256(secret)>": used flag.
A token is "<expiry day>.<family>.<secret>", so it names its own rows. Rows hold pseudonymous ids only.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.data.tables import TransactionOperation, UpdateMode

from shared.credentials import SESSION_VERSION
from shared.ids import digest, iso, parse_iso
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage
from shared.storage.names import REFRESH_TOKENS
from shared.storage.tables import Entity, query_all

_TOKEN = re.compile(r"^(\d{4}-\d{2}-\d{2})\.([a-z0-9]{16,32})\.([A-Za-z0-9_-]{32,128})$")


@dataclass(frozen=True)
class Family:
    partition: str
    family_id: str
    principal: Principal
    expires_at: datetime
    revoked: bool = False


@dataclass(frozen=True)
class Presented:
    """What a presented token names: its family (None when gone) and its own row (None when unknown)."""

    family: Family | None
    token_row_key: str
    token_found: bool
    used: bool
    etag: str | None


def _token_row_key(family_id: str, secret: str) -> str:
    return f"t-{family_id}-{digest(secret)}"


def _token_entity(pk: str, family_id: str, secret: str, now: datetime) -> Entity:
    return {"PartitionKey": pk, "RowKey": _token_row_key(family_id, secret), "used": False, "created_at": iso(now)}


def start(storage: Storage, principal: Principal, *, expires_at: datetime, now: datetime) -> str:
    """A new family with its first token, in one transaction; returns the token."""
    pk = expires_at.strftime("%Y-%m-%d")
    family_id = secrets.token_hex(12)
    secret = secrets.token_urlsafe(32)
    family = {
        "PartitionKey": pk,
        "RowKey": f"f-{family_id}",
        "subject_id": principal.subject_id,
        "role": principal.role.value,
        "school_id": principal.school_id or "",
        "partner_id": principal.partner_id or "",
        "expires_at": iso(expires_at),
        "revoked": False,
        SESSION_VERSION: principal.session_version,
    }
    first = _token_entity(pk, family_id, secret, now)
    storage.table(REFRESH_TOKENS).submit_transaction(
        [(TransactionOperation.CREATE, family), (TransactionOperation.CREATE, first)]
    )
    return f"{pk}.{family_id}.{secret}"


def _family_from(pk: str, family_id: str, e: Entity) -> Family:
    return Family(
        partition=pk,
        family_id=family_id,
        principal=Principal(
            subject_id=e["subject_id"],
            role=Role(e["role"]),
            school_id=e.get("school_id") or None,
            partner_id=e.get("partner_id") or None,
            session_version=int(e.get(SESSION_VERSION) or 0),
        ),
        expires_at=parse_iso(e["expires_at"]),
        revoked=bool(e.get("revoked")),
    )


def find(storage: Storage, token: str) -> Presented | None:
    """The family and token rows a token names, in one query; None for a malformed token (no request)."""
    m = _TOKEN.match(token.strip())
    if m is None:
        return None
    pk, family_id, secret = m.group(1), m.group(2), m.group(3)
    token_rk = _token_row_key(family_id, secret)
    rows = {
        r["RowKey"]: r
        for r in query_all(
            storage.table(REFRESH_TOKENS),
            "PartitionKey eq @pk and ( RowKey eq @f or RowKey eq @t )",
            {"pk": pk, "f": f"f-{family_id}", "t": token_rk},
        )
    }
    family_row, token_row = rows.get(f"f-{family_id}"), rows.get(token_rk)
    return Presented(
        family=_family_from(pk, family_id, family_row) if family_row is not None else None,
        token_row_key=token_rk,
        token_found=token_row is not None,
        used=bool(token_row and token_row.get("used")),
        etag=token_row.metadata["etag"] if token_row is not None else None,
    )


def revoke(storage: Storage, family: Family) -> None:
    """Mark the family revoked: one idempotent write, so racing revocations (a burst of reused tokens) all
    succeed. Its token rows go with their expiry-day partition."""
    with contextlib.suppress(ResourceNotFoundError):
        storage.table(REFRESH_TOKENS).update_entity(
            {"PartitionKey": family.partition, "RowKey": f"f-{family.family_id}", "revoked": True},
            mode=UpdateMode.MERGE)


def use(storage: Storage, family: Family, presented: Presented, *, now: datetime) -> str | None:
    """Mark the presented token used and add the family's next one, in one transaction under the token row's
    ETag; the new token, or None when someone else used the presented one at the same moment."""
    pk, family_id = family.partition, family.family_id
    new_secret = secrets.token_urlsafe(32)
    try:
        storage.table(REFRESH_TOKENS).submit_transaction(
            [
                (
                    TransactionOperation.UPDATE,
                    {"PartitionKey": pk, "RowKey": presented.token_row_key, "used": True, "used_at": iso(now)},
                    {"mode": "merge", "etag": presented.etag, "match_condition": MatchConditions.IfNotModified},
                ),
                (TransactionOperation.CREATE, _token_entity(pk, family_id, new_secret, now)),
            ]
        )
    except HttpResponseError:
        return None
    return f"{pk}.{family_id}.{new_secret}"
