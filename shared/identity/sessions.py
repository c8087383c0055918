"""Rotating refresh tokens, stored hashed, grouped in families.

Table `refreshtokens`, partitioned by the family's expiry day so expired sessions are dropped a whole
day at a time by the retention timer:
- family row  PK <expiry day>, RK "f-<family>": subject, role, scope ids, revoked flag;
- token rows  PK <expiry day>, RK "t-<family>-<sha256(secret)>": used flag.
A token is "<expiry day>.<family>.<secret>". Presenting a used token revokes the whole family.
Rows hold pseudonymous ids only.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError
from azure.data.tables import TransactionOperation

from shared.errors import Unauthenticated
from shared.ids import digest, iso, parse_iso
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage
from shared.storage.names import REFRESH_TOKENS
from shared.storage.tables import Entity, delete_op, get_entity, query_all, submit_batches

_TOKEN = re.compile(r"^(\d{4}-\d{2}-\d{2})\.([a-z0-9]{16,32})\.([A-Za-z0-9_-]{32,128})$")


@dataclass(frozen=True)
class Family:
    partition: str
    family_id: str
    principal: Principal
    expires_at: datetime


def _token_row_key(family_id: str, secret: str) -> str:
    return f"t-{family_id}-{digest(secret)}"


def _invalid() -> Unauthenticated:
    return Unauthenticated("The refresh token is invalid, expired or already used.")


def _parse(token: str) -> tuple[str, str, str]:
    m = _TOKEN.match(token.strip())
    if m is None:
        raise _invalid()
    return m.group(1), m.group(2), m.group(3)


def start(storage: Storage, principal: Principal, *, days: int, now: datetime) -> str:
    """A new family with its first token, in one transaction."""
    expires = now + timedelta(days=days)
    pk = expires.strftime("%Y-%m-%d")
    family_id = secrets.token_hex(12)
    secret = secrets.token_urlsafe(32)
    family = {
        "PartitionKey": pk,
        "RowKey": f"f-{family_id}",
        "subject_id": principal.subject_id,
        "role": principal.role.value,
        "school_id": principal.school_id or "",
        "partner_id": principal.partner_id or "",
        "expires_at": iso(expires),
        "revoked": False,
    }
    token = {"PartitionKey": pk, "RowKey": _token_row_key(family_id, secret), "used": False, "created_at": iso(now)}
    storage.table(REFRESH_TOKENS).submit_transaction(
        [(TransactionOperation.CREATE, family), (TransactionOperation.CREATE, token)]
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
        ),
        expires_at=parse_iso(e["expires_at"]),
    )


def revoke(storage: Storage, pk: str, family_id: str) -> None:
    table = storage.table(REFRESH_TOKENS)
    rows = query_all(
        table,
        "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
        {"pk": pk, "lo": f"t-{family_id}-", "hi": f"t-{family_id}."},
        select=["RowKey"],
    )
    submit_batches(table, [delete_op(pk, r["RowKey"]) for r in rows])
    table.delete_entity(pk, f"f-{family_id}")


def rotate(storage: Storage, token: str, *, now: datetime) -> tuple[Family, str, bool]:
    """Use a refresh token once: (family, new token, reuse_detected). Raises Unauthenticated when unusable."""
    pk, family_id, secret = _parse(token)
    table = storage.table(REFRESH_TOKENS)
    token_rk = _token_row_key(family_id, secret)
    rows = {
        r["RowKey"]: r
        for r in query_all(
            table,
            "PartitionKey eq @pk and ( RowKey eq @f or RowKey eq @t )",
            {"pk": pk, "f": f"f-{family_id}", "t": token_rk},
        )
    }
    family_row, token_row = rows.get(f"f-{family_id}"), rows.get(token_rk)
    if family_row is None or token_row is None or family_row.get("revoked"):
        raise _invalid()
    family = _family_from(pk, family_id, family_row)
    if family.expires_at <= now:
        raise _invalid()
    if token_row.get("used"):
        revoke(storage, pk, family_id)
        return family, "", True
    new_secret = secrets.token_urlsafe(32)
    try:
        table.submit_transaction(
            [
                (
                    TransactionOperation.UPDATE,
                    {"PartitionKey": pk, "RowKey": token_rk, "used": True, "used_at": iso(now)},
                    {
                        "mode": "merge",
                        "etag": token_row.metadata["etag"],
                        "match_condition": MatchConditions.IfNotModified,
                    },
                ),
                (
                    TransactionOperation.CREATE,
                    {
                        "PartitionKey": pk,
                        "RowKey": _token_row_key(family_id, new_secret),
                        "used": False,
                        "created_at": iso(now),
                    },
                ),
            ]
        )
    except HttpResponseError:
        # Someone else used this token at the same moment: that is reuse too.
        revoke(storage, pk, family_id)
        return family, "", True
    return family, f"{pk}.{family_id}.{new_secret}", False


def end(storage: Storage, token: str) -> None:
    """Logout: revoke the token's family. Unknown or malformed tokens are ignored (logout always succeeds)."""
    try:
        pk, family_id, secret = _parse(token)
    except Unauthenticated:
        return
    # Only the holder of a real token of the family may end it.
    if get_entity(storage.table(REFRESH_TOKENS), pk, _token_row_key(family_id, secret)) is not None:
        revoke(storage, pk, family_id)

