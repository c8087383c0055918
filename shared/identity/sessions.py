"""Sessions: rotating refresh tokens in families, and the per-person session version.

The rows are `sessions_store`'s (table `refreshtokens`, by expiry day). Presenting a used token revokes
the whole family.

Revoking every session of a person (`revoke_all`: password reset, deletion, logout, "sign out
everywhere") adds one to the `session_version` on the person's own row (staff row or pupil row).
Access tokens and refresh families carry the version they were issued under; a request whose token
is older than the row's version, or whose person row is gone, is refused at once. No listing of the
person's families is needed: they all fail on their next refresh.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum

from shared import audit
from shared.errors import Unauthenticated
from shared.identity import sessions_store
from shared.identity.sessions_store import Family
from shared.ids import is_pupil_id
from shared.organisation import store as staff_store
from shared.organisation.model import StaffRow
from shared.roster import store as pupil_store
from shared.roster.model import PupilRow
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage

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


def _invalid() -> Unauthenticated:
    return Unauthenticated("The refresh token is invalid, expired or already used.")


def start(storage: Storage, principal: Principal, *, days: int, now: datetime) -> str:
    """A new family with its first token."""
    return sessions_store.start(storage, principal, expires_at=now + timedelta(days=days), now=now)


def rotate(storage: Storage, token: str, *, now: datetime) -> tuple[Family, str, bool]:
    """Use a refresh token once: (family, new token, reuse_detected). Raises Unauthenticated when unusable."""
    presented = sessions_store.find(storage, token)
    if presented is None:
        raise _invalid()
    family = presented.family
    if family is None or not presented.token_found or family.revoked:
        raise _invalid()
    if family.expires_at <= now:
        raise _invalid()
    if presented.used:
        sessions_store.revoke(storage, family)
        return family, "", True
    new_token = sessions_store.use(storage, family, presented, now=now)
    if new_token is None:
        # Someone else used this token at the same moment: that is reuse too.
        sessions_store.revoke(storage, family)
        return family, "", True
    return family, new_token, False


def end(storage: Storage, token: str) -> Family | None:
    """Revoke the token's family; the family, or None for unknown or malformed tokens (logout always succeeds)."""
    presented = sessions_store.find(storage, token)
    # Only the holder of a real token of the family may end it.
    if presented is None or presented.family is None or not presented.token_found:
        return None
    sessions_store.revoke(storage, presented.family)
    return presented.family


# --- every session of a person ----------------------------------------------------------------------

Person = PupilRow | StaffRow


def person(storage: Storage, principal: Principal) -> Person | None:
    """The person's own record (pupil row or staff row), where the session version lives: one point read."""
    if principal.role is Role.PUPIL:
        return pupil_store.get_pupil_row(storage, principal.school_id or "", principal.subject_id)
    return staff_store.get_staff_row(storage, principal.subject_id)


def is_live(record: Person | None, principal: Principal) -> bool:
    """The person still exists, is not being erased, and has not had their sessions ended since the token."""
    return (record is not None and not (isinstance(record, PupilRow) and record.pupil.erasing)
            and record.session_version == principal.session_version)


def current(storage: Storage, principal: Principal) -> Principal:
    """The principal as of now: with the person's current session version, for new tokens. One point read."""
    record = person(storage, principal)
    if record is None or (isinstance(record, PupilRow) and record.pupil.erasing):
        raise Unauthenticated(ENDED)
    return replace(principal, session_version=record.session_version)


def require_live(storage: Storage, principal: Principal) -> Person:
    """Refuse a token issued before the person's sessions were revoked, or whose person is gone.

    Returns the person's record (one point read), so a caller that needs it reads it only once.
    """
    record = person(storage, principal)
    if not is_live(record, principal):
        raise Unauthenticated(ENDED)
    assert record is not None
    return record


def revoke_all(storage: Storage, person_id: str, reason: RevocationReason, *, school_id: str | None = None,
               partner_id: str | None = None, actor_id: str | None = None, audited: bool = True) -> bool:
    """End every session of a person at once: access tokens on their next request, refresh families on
    their next refresh. A pupil (`pup_…`) is found by (school_id, person_id), staff by id alone; the
    person's school and partner also file the audit entry where those views find it.

    Returns False when the person does not exist (nothing to revoke). Safe to call concurrently: each
    call moves the version on, under the row's ETag. `audited=False` is for callers whose own audit entry
    already says what happened (a password reset, printed login cards).
    """
    if is_pupil_id(person_id):
        bumped = pupil_store.end_sessions(storage, school_id or "", person_id)
    else:
        bumped = staff_store.end_staff_sessions(storage, person_id)
    if bumped is None:
        return False
    if audited:
        audit.record(audit.Action.SESSIONS_REVOKED, actor_id=actor_id, subject_ids=[person_id], school_id=school_id,
                     partner_id=partner_id, detail=reason.value, storage=storage)
    return True
