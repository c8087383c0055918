"""Login records: one row per sign-in name (staff email or pupil username), unique across the system.

Keys are hashes of the name, so no username or email appears in a storage key, URL or storage log:
PK = hash of the first three characters (a batch of new pupil usernames sharing a prefix is created in
one entity-group transaction; uniqueness still by insert conflict), RK = hash of the whole name.
The row carries what a sign-in needs in one point read: the hash, role, scope ids, whether the person
has a second factor, and the lockout of codes typed after the password (second factor, reset codes).
Password attempts are counted in `throttle`, per name and client address, before Argon2 runs.
This module is the only code that reads or writes `logins`; `login_key` is how a typed name is compared.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from azure.data.tables import UpdateMode

from shared.ids import digest
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage
from shared.storage.names import LOGINS
from shared.storage.tables import Entity, create_if_absent, get_entity, update_if_match

MAX_LOGIN_LENGTH = 254


def login_key(username: str) -> str:
    """How a typed sign-in name is compared: NFKC, trimmed, case-insensitive."""
    return unicodedata.normalize("NFKC", username).strip().lower()[:MAX_LOGIN_LENGTH]


def login_keys(key: str) -> tuple[str, str]:
    """(PartitionKey, RowKey) of a login key."""
    return digest("login-prefix:" + key[:3])[:8], digest("login:" + key)


@dataclass
class LoginRecord:
    key: str
    subject_id: str
    role: Role
    display_name: str
    school_id: str | None = None
    partner_id: str | None = None
    password_hash: str | None = None
    failed_count: int = 0
    last_failed_at: str | None = None
    locked_until: str | None = None
    last_sign_in_at: str | None = None
    inactive_due: str | None = None
    second_factor: bool = False
    etag: str | None = field(default=None, compare=False)

    @property
    def principal(self) -> Principal:
        return Principal(
            subject_id=self.subject_id, role=self.role, school_id=self.school_id, partner_id=self.partner_id
        )


def _entity(record: LoginRecord) -> Entity:
    pk, rk = login_keys(record.key)
    return {
        "PartitionKey": pk,
        "RowKey": rk,
        "subject_id": record.subject_id,
        "role": record.role.value,
        "display_name": record.display_name,
        "school_id": record.school_id or "",
        "partner_id": record.partner_id or "",
        "password_hash": record.password_hash or "",
        "failed_count": record.failed_count,
        "last_failed_at": record.last_failed_at or "",
        "locked_until": record.locked_until or "",
        "last_sign_in_at": record.last_sign_in_at or "",
        "inactive_due": record.inactive_due or "",
        "second_factor": record.second_factor,
    }


def _record_from(key: str, e: Entity) -> LoginRecord:
    return LoginRecord(
        key=key,
        subject_id=e["subject_id"],
        role=Role(e["role"]),
        display_name=e.get("display_name") or "",
        school_id=e.get("school_id") or None,
        partner_id=e.get("partner_id") or None,
        password_hash=e.get("password_hash") or None,
        failed_count=int(e.get("failed_count") or 0),
        last_failed_at=e.get("last_failed_at") or None,
        locked_until=e.get("locked_until") or None,
        last_sign_in_at=e.get("last_sign_in_at") or None,
        inactive_due=e.get("inactive_due") or None,
        second_factor=bool(e.get("second_factor")),
        etag=e.metadata["etag"],
    )


# --- the logins table -------------------------------------------------------------------------------

def read_login(storage: Storage, key: str) -> LoginRecord | None:
    pk, rk = login_keys(key)
    e = get_entity(storage.table(LOGINS), pk, rk)
    return _record_from(key, e) if e else None


def save_login(storage: Storage, record: LoginRecord) -> None:
    """Replace the row under the ETag of its read (ConcurrencyConflict if it changed); keeps the new ETag."""
    assert record.etag is not None
    record.etag = update_if_match(storage.table(LOGINS), _entity(record), record.etag, mode=UpdateMode.REPLACE)


def overwrite_login(storage: Storage, record: LoginRecord) -> None:
    """Replace the row whatever happened to it since it was read."""
    storage.table(LOGINS).update_entity(_entity(record), mode=UpdateMode.REPLACE)


def create_login(storage: Storage, record: LoginRecord) -> bool:
    """Claim the sign-in name by insert; False when the name is taken (uniqueness across the system)."""
    return create_if_absent(storage.table(LOGINS), _entity(record))


def set_display_name(storage: Storage, key: str, display_name: str) -> None:
    pk, rk = login_keys(key)
    storage.table(LOGINS).update_entity({"PartitionKey": pk, "RowKey": rk, "display_name": display_name},
                                        mode=UpdateMode.MERGE)


def delete_login(storage: Storage, key: str) -> None:
    storage.table(LOGINS).delete_entity(*login_keys(key))
