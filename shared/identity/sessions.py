"""Rotating refresh tokens, stored hashed, grouped in families.

Table `refreshtokens`, partitioned by the family's expiry day so expired sessions are dropped a whole
day at a time by the retention timer:
- family row  PK <expiry day>, RK "f-<family>": subject, role, scope ids, revoked flag;
- token rows  PK <expiry day>, RK "t-<family>-<sha256(secret)>": used flag.
A token is "<expiry day>.<family>.<secret>". Presenting a used token revokes the whole family.
Rows hold pseudonymous ids only.

Revoking every session of a person (`revoke_all`: password reset, deletion, logout, "sign out
everywhere") adds one to the `session_version` on the person's own row (staff row or pupil row).
Access tokens and refresh families carry the version they were issued under; a request whose token
is older than the row's version, or whose person row is gone, is refused at once. No listing of the
person's families is needed: they all fail on their next refresh.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.data.tables import TransactionOperation, UpdateMode

from shared import audit
from shared.credentials import SESSION_VERSION
from shared.errors import Unauthenticated
from shared.ids import digest, iso, parse_iso
from shared.organisation import store as staff_store
from shared.roster import store as pupil_store
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage
from shared.storage.names import REFRESH_TOKENS
from shared.storage.tables import Entity, query_all

ENDED = "Your session has ended; sign in again."


class RevocationReason(StrEnum):
    """Why every session of a person was ended (recorded in the audit trail; never personal data)."""

    LOGOUT = "logout"
    LOGOUT_ALL = "logout_all"
    PASSWORD_RESET = "password_reset"
    PASSWORD_CHANGED = "password_changed"
    ROLE_CHANGED = "role_changed"
    EMAIL_CHANGED = "email_changed"
    MFA_CHANGED = "mfa_changed"
    ACCOUNT_DELETED = "account_deleted"
    REUSE_DETECTED = "reuse_detected"


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
        SESSION_VERSION: principal.session_version,
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
            session_version=int(e.get(SESSION_VERSION) or 0),
        ),
        expires_at=parse_iso(e["expires_at"]),
    )


def revoke(storage: Storage, pk: str, family_id: str) -> None:
    """Mark the family revoked: one idempotent write, so racing revocations (a burst of reused tokens) all
    succeed. Its token rows go with their expiry-day partition."""
    with contextlib.suppress(ResourceNotFoundError):
        storage.table(REFRESH_TOKENS).update_entity(
            {"PartitionKey": pk, "RowKey": f"f-{family_id}", "revoked": True}, mode=UpdateMode.MERGE)


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


def end(storage: Storage, token: str) -> Family | None:
    """Revoke the token's family; the family, or None for unknown or malformed tokens (logout always succeeds)."""
    try:
        pk, family_id, secret = _parse(token)
    except Unauthenticated:
        return None
    rows = {
        r["RowKey"]: r
        for r in query_all(
            storage.table(REFRESH_TOKENS),
            "PartitionKey eq @pk and ( RowKey eq @f or RowKey eq @t )",
            {"pk": pk, "f": f"f-{family_id}", "t": _token_row_key(family_id, secret)},
        )
    }
    family_row = rows.get(f"f-{family_id}")
    # Only the holder of a real token of the family may end it.
    if family_row is None or _token_row_key(family_id, secret) not in rows:
        return None
    revoke(storage, pk, family_id)
    return _family_from(pk, family_id, family_row)


# --- every session of a person ----------------------------------------------------------------------

def person_row(storage: Storage, principal: Principal) -> Entity | None:
    """The person's own row (pupil row or staff row), where the session version lives."""
    if principal.role is Role.PUPIL:
        return pupil_store.pupil_row(storage, principal.school_id or "", principal.subject_id)
    return staff_store.staff_row(storage, principal.subject_id)


def version_of(row: Entity) -> int:
    return int(row.get(SESSION_VERSION) or 0)


def current(storage: Storage, principal: Principal) -> Principal:
    """The principal as of now: with the person's current session version, for new tokens. One point read."""
    row = person_row(storage, principal)
    if row is None or row.get("erasing"):
        raise Unauthenticated(ENDED)
    return replace(principal, session_version=version_of(row))


def require_live(storage: Storage, principal: Principal) -> Entity:
    """Refuse a token issued before the person's sessions were revoked, or whose person is gone.

    Returns the person's row (one point read), so a caller that needs it reads it only once.
    """
    row = person_row(storage, principal)
    if row is None or row.get("erasing") or version_of(row) != principal.session_version:
        raise Unauthenticated(ENDED)
    return row


def revoke_all(storage: Storage, person_id: str, reason: RevocationReason, *, school_id: str | None = None,
               partner_id: str | None = None, actor_id: str | None = None, audited: bool = True) -> bool:
    """End every session of a person at once: access tokens on their next request, refresh families on
    their next refresh. A pupil (`pup_…`) is found by (school_id, person_id), staff by id alone; the
    person's school and partner also file the audit entry where those views find it.

    Returns False when the person does not exist (nothing to revoke). Safe to call concurrently: each
    call moves the version on, under the row's ETag. `audited=False` is for callers whose own audit entry
    already says what happened (a password reset, printed login cards).
    """
    if person_id.startswith(pupil_store.PUPIL_PREFIX):
        bumped = pupil_store.bump_pupil_field(storage, school_id or "", person_id, SESSION_VERSION)
    else:
        bumped = staff_store.bump_staff_field(storage, person_id, SESSION_VERSION)
    if bumped is None:
        return False
    if audited:
        audit.record(audit.Action.SESSIONS_REVOKED, actor_id=actor_id, subject_ids=[person_id], school_id=school_id,
                     partner_id=partner_id, detail=reason.value, storage=storage)
    return True
