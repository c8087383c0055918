"""Sign-in, token refresh and logout, invitation acceptance, and the caller's profile.

A staff member with a second factor (or whose role requires one) gets a challenge instead of tokens
from the password step; `shared.identity.second_factor` completes the sign-in.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime

from shared import audit, due_dates
from shared.audit import Action
from shared.credentials.logins_store import LoginRecord, login_key, read_login, save_login
from shared.credentials.passwords import check_staff_password, hash_password, needs_rehash, verify_password
from shared.errors import ConcurrencyConflict, TooManyAttempts, Unauthenticated
from shared.identity import sessions, sessions_store, totp
from shared.identity.schemas import MeOut, SignInOut, TokenOut, UserOut
from shared.identity.subjects import display_name_of, profile
from shared.identity.tokens import CHALLENGE_MINUTES, issue_access_token, issue_challenge, verify_access_token
from shared.ids import iso, parse_iso, utcnow
from shared.organisation import invitations_store
from shared.organisation.service import activate_staff
from shared.security import lockout, throttle
from shared.security.addresses import UNKNOWN as UNKNOWN_ADDRESS
from shared.security.principal import Principal, Role
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage
from shared.storage.tables import retry_on_conflict

WRONG_CREDENTIALS = "The username or password is not right."
LOCKED = "Too many failed sign-ins. Wait a little and try again."
FAILURE_WRITE_ATTEMPTS = 5


# --- tokens ---------------------------------------------------------------------------------------

def issue_tokens(storage: Storage, principal: Principal, display_name: str, now: datetime) -> TokenOut:
    """A new session under the person's current session version (one point read of their row)."""
    settings = get_settings()
    principal = sessions.current(storage, principal)
    refresh_token = sessions.start(storage, principal, days=settings.refresh_token_days, now=now)
    return TokenOut(
        access_token=issue_access_token(principal, settings, now=now),
        expires_in=settings.access_token_minutes * 60,
        refresh_token=refresh_token,
        user=UserOut(
            id=principal.subject_id,
            role=principal.role,
            display_name=display_name,
            school_id=principal.school_id,
            partner_id=principal.partner_id,
        ),
    )


# --- sign-in --------------------------------------------------------------------------------------

def record_failure(storage: Storage, record: LoginRecord, now: datetime) -> int:
    """Count a wrong current password (typed to change it) on the login row; concurrent guesses each count
    (ETag retry), so parallel attempts cannot dodge the lock."""
    until = [now]

    def decide(current: LoginRecord | None) -> LoginRecord | None:
        if current is None:
            return None
        last = parse_iso(current.last_failed_at) if current.last_failed_at else None
        current.failed_count = lockout.failures_after(current.failed_count, last, now)
        current.last_failed_at = iso(now)
        until[0] = now + lockout.lock_duration(current.failed_count)
        current.locked_until = iso(until[0]) if until[0] > now else None
        return current

    with contextlib.suppress(ConcurrencyConflict):
        retry_on_conflict(lambda: read_login(storage, record.key), decide, lambda plan: save_login(storage, plan),
                          attempts=FAILURE_WRITE_ATTEMPTS, first=record)
    return lockout.locked_for(until[0], now)


def note_staff_sign_in(storage: Storage, record: LoginRecord, now: datetime) -> bool:
    """Move a staff member's inactivity due date forward (at most once a month, so sign-in stays cheap).

    Writes the new due-date index row; returns whether the login row needs saving.
    """
    if record.role is Role.PUPIL:
        return False
    month = due_dates.staff_check_month(now)
    if record.inactive_due == month:
        return False
    due_dates.schedule_staff_check(storage, record.subject_id, month)
    record.inactive_due = month
    record.last_sign_in_at = iso(now)
    return True


def save_login_best_effort(storage: Storage, record: LoginRecord) -> None:
    # A concurrent sign-in wrote the same facts; losing this write loses nothing.
    with contextlib.suppress(ConcurrencyConflict):
        save_login(storage, record)


def _after_success(storage: Storage, record: LoginRecord, now: datetime, password: str | None) -> None:
    """Clear failures, refresh the inactivity due date (at most monthly), upgrade old hashes. Usually no write."""
    changed = note_staff_sign_in(storage, record, now)
    if record.failed_count or record.locked_until:
        record.failed_count, record.last_failed_at, record.locked_until = 0, None, None
        changed = True
    if password is not None and record.password_hash and needs_rehash(record.password_hash):
        record.password_hash = hash_password(password)
        changed = True
    if changed:
        save_login_best_effort(storage, record)


CHALLENGE_VERIFY = "verify"
CHALLENGE_ENROL = "enrol"


def needs_second_step(record: LoginRecord) -> bool:
    return record.role is not Role.PUPIL and (record.second_factor or totp.required_for(record.role))


def second_step(record: LoginRecord, now: datetime) -> SignInOut:
    """The password was right; the answer is a challenge for the code (or for setting up the factor)."""
    purpose = CHALLENGE_VERIFY if record.second_factor else CHALLENGE_ENROL
    return SignInOut(
        mfa_required=True, mfa_enrolment_required=not record.second_factor,
        mfa_challenge=issue_challenge(record.principal, purpose, now=now),
        mfa_challenge_expires_in=CHALLENGE_MINUTES * 60,
    )


def complete_sign_in(storage: Storage, record: LoginRecord, now: datetime, password: str | None = None) -> TokenOut:
    """Every factor was right: clear failures, issue tokens, audit the sign-in."""
    _after_success(storage, record, now, password)
    tokens = issue_tokens(storage, record.principal, record.display_name, now)
    audit.record(Action.SIGN_IN, actor_id=record.subject_id, subject_ids=[record.subject_id], storage=storage,
                 school_id=record.school_id, partner_id=record.partner_id)
    return tokens


def set_second_factor(storage: Storage, key: str, enrolled: bool) -> None:
    """Mark on the login row whether the person has a second factor (read by every sign-in)."""

    def decide(current: LoginRecord | None) -> LoginRecord | None:
        if current is None or current.second_factor == enrolled:
            return None
        current.second_factor = enrolled
        return current

    retry_on_conflict(lambda: read_login(storage, key), decide, lambda plan: save_login(storage, plan),
                      attempts=FAILURE_WRITE_ATTEMPTS)


def login(username: str, password: str, *, client_address: str = UNKNOWN_ADDRESS,
          storage: Storage | None = None) -> SignInOut:
    """Same answer, the same storage requests and one Argon2 verification, whether or not the name exists.

    The attempt is counted per (name, client address) before the password is checked, so a burst of
    parallel guesses gets at most the free attempts evaluated (see `throttle`).
    """
    storage = storage or get_storage()
    now = utcnow()
    key = login_key(username)
    try:
        attempt = throttle.begin(storage, lockout.SIGN_IN, key, client_address, now=now, message=LOCKED)
    except TooManyAttempts:
        _audit_sign_in(storage, Action.SIGN_IN_LOCKED, read_login(storage, key))
        raise
    record = read_login(storage, key)
    if not verify_password(record.password_hash if record else None, password) or record is None:
        _audit_sign_in(storage, Action.SIGN_IN_FAILED, record)
        if attempt.locks_for:
            raise TooManyAttempts(LOCKED, retry_after_seconds=attempt.locks_for)
        raise Unauthenticated(WRONG_CREDENTIALS)
    throttle.succeeded(storage, attempt)
    # Wrong current passwords typed to change the password lock the account itself.
    locked = lockout.locked_for(parse_iso(record.locked_until) if record.locked_until else None, now)
    if locked:
        _audit_sign_in(storage, Action.SIGN_IN_LOCKED, record)
        raise TooManyAttempts(LOCKED, retry_after_seconds=locked)
    if needs_second_step(record):
        # Failures are cleared only once the second factor is right too, so a known password does not
        # buy fresh attempts at the code.
        return second_step(record, now)
    return SignInOut.with_tokens(complete_sign_in(storage, record, now, password))


def _audit_sign_in(storage: Storage, action: Action, record: LoginRecord | None) -> None:
    if record is None:
        audit.record(action, actor_id=None, storage=storage)
    else:
        audit.record(action, actor_id=None, subject_ids=[record.subject_id], storage=storage,
                     school_id=record.school_id, partner_id=record.partner_id)


def refresh(refresh_token: str, *, storage: Storage | None = None) -> TokenOut:
    storage = storage or get_storage()
    now = utcnow()
    family, new_token, reused = sessions.rotate(storage, refresh_token, now=now)
    p = family.principal
    if reused:
        audit.record(Action.TOKEN_REUSE_DETECTED, actor_id=None, subject_ids=[p.subject_id], storage=storage,
                     school_id=p.school_id, partner_id=p.partner_id)
        raise Unauthenticated("The refresh token was already used; sign in again.")
    record = sessions.person(storage, p)
    if not sessions.is_live(record, p):
        # Deleted, or every session was revoked (password reset, sign out everywhere) after this one began.
        sessions_store.revoke(storage, family)
        raise Unauthenticated(sessions.ENDED)
    settings = get_settings()
    return TokenOut(
        access_token=issue_access_token(p, settings, now=now),
        expires_in=settings.access_token_minutes * 60,
        refresh_token=new_token,
        user=UserOut(
            id=p.subject_id,
            role=p.role,
            display_name=display_name_of(record),
            school_id=p.school_id,
            partner_id=p.partner_id,
        ),
    )


def logout(refresh_token: str, *, storage: Storage | None = None) -> None:
    """Sign out: the token's family ends, and so does every other session of the person (access tokens too).

    Ending everything is deliberate: on the shared school computers pupils use, "sign out" must mean
    nobody can carry on as them anywhere.
    """
    storage = storage or get_storage()
    family = sessions.end(storage, refresh_token)
    if family is not None:
        p = family.principal
        sessions.revoke_all(storage, p.subject_id, sessions.RevocationReason.LOGOUT, actor_id=p.subject_id,
                            school_id=p.school_id, partner_id=p.partner_id)


def logout_all(caller: Principal, *, storage: Storage | None = None) -> None:
    """Sign out everywhere: every access and refresh token of the caller stops working at once."""
    sessions.revoke_all(storage or get_storage(), caller.subject_id, sessions.RevocationReason.LOGOUT_ALL,
                        actor_id=caller.subject_id, school_id=caller.school_id, partner_id=caller.partner_id)


def authenticate(access_token: str, *, storage: Storage | None = None) -> Principal:
    """A valid access token of a person who still exists and has not had their sessions revoked since."""
    principal = verify_access_token(access_token)
    return replace(principal, own=sessions.require_live(storage or get_storage(), principal))


def set_password(storage: Storage, key: str, password_hash: str) -> LoginRecord:
    record = read_login(storage, key)
    if record is None:
        raise Unauthenticated("The invitation is not valid.")
    record.password_hash = password_hash
    record.failed_count, record.last_failed_at, record.locked_until = 0, None, None
    save_login(storage, record)
    return record


def accept_invitation(token: str, password: str, *, storage: Storage | None = None) -> SignInOut:
    storage = storage or get_storage()
    now = utcnow()
    staff = invitations_store.peek(storage, token, now=now)
    check_staff_password(password, email=staff.email)
    password_hash = hash_password(password)
    invitations_store.consume(storage, token, now=now)
    record = set_password(storage, login_key(staff.email), password_hash)
    if note_staff_sign_in(storage, record, now):
        save_login_best_effort(storage, record)
    activate_staff(storage, staff.id)
    audit.record(Action.INVITATION_ACCEPTED, actor_id=staff.id, subject_ids=[staff.id], storage=storage,
                 school_id=staff.school_id, partner_id=staff.partner_id)
    if needs_second_step(record):
        return second_step(record, now)
    return SignInOut.with_tokens(issue_tokens(storage, record.principal, record.display_name, now))


def me(principal: Principal, *, storage: Storage | None = None) -> MeOut:
    return profile(storage or get_storage(), principal)

