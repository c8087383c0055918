"""Two-step sign-in for staff: set up an authenticator app (TOTP), sign in with its code or a recovery code,
new recovery codes, and the Trust's reset of someone else's second factor.

A wrong code counts as a failed sign-in on the person's login row, so codes share the password lockout.
Single sign-on users never come here: Entra ID applies its own MFA.
"""

from __future__ import annotations

from shared import audit
from shared.audit import Action
from shared.credentials import factors_store
from shared.credentials.logins_store import LoginRecord, login_key, read_login
from shared.errors import Conflict, FieldError, InvalidRequest, TooManyAttempts, Unauthenticated
from shared.identity import sessions, totp
from shared.identity.schemas import MfaSetupOut, MfaStatusOut, RecoveryCodesOut, SignedInWithCodesOut, TokenOut
from shared.identity.service import (
    CHALLENGE_ENROL,
    CHALLENGE_VERIFY,
    LOCKED,
    complete_sign_in,
    record_failure,
    set_second_factor,
)
from shared.identity.tokens import verify_challenge
from shared.ids import parse_iso, utcnow
from shared.mail import mailer, templates
from shared.organisation.model import StaffMember
from shared.organisation.store import get_staff
from shared.security import lockout, scope, throttle
from shared.security.addresses import UNKNOWN as UNKNOWN_ADDRESS
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage, get_storage

WRONG_CODE = "The code is not right. Codes change every 30 seconds; use the newest one."
ALREADY = "Two-step sign-in is already set up. Ask the Trust to reset it if you lost your device."


def _account(storage: Storage, staff_id: str) -> tuple[StaffMember, LoginRecord]:
    found = get_staff(storage, staff_id)
    record = read_login(storage, login_key(found[0].email)) if found else None
    if found is None or record is None:
        raise Unauthenticated("The account no longer exists; sign in again.")
    return found[0], record


def _challenged(challenge: str, purpose: str) -> Principal:
    principal, given = verify_challenge(challenge)
    if given != purpose:
        raise Unauthenticated("This sign-in step does not match; start again with your email and password.")
    return principal


def _code_is_right(storage: Storage, staff_id: str, code: str) -> tuple[bool, bool]:
    """(right, was a recovery code). A TOTP step or a recovery code is used up by being accepted."""
    if totp.is_recovery_code(code):
        return factors_store.use_recovery_code(storage, staff_id, totp.recovery_digest(code)), True
    factor = factors_store.get_totp(storage, staff_id)
    step = totp.matching_step(factor.secret, code, utcnow()) if factor else None
    if factor is None or step is None:
        return False, False
    return factors_store.use_step(storage, staff_id, factor, step), False


def verify(challenge: str, code: str, *, client_address: str = UNKNOWN_ADDRESS,
           storage: Storage | None = None) -> TokenOut:
    """The second step of a sign-in: a code from the app (each 30-second code once) or a recovery code (once).

    Like a password, the attempt is counted per (person, client address) before the code is looked at, so
    a burst of parallel guesses gets at most the free attempts evaluated; wrong codes also lock the account.
    """
    storage = storage or get_storage()
    now = utcnow()
    principal = _challenged(challenge, CHALLENGE_VERIFY)
    try:
        attempt = throttle.begin(storage, lockout.SECOND_FACTOR, principal.subject_id, client_address, now=now,
                                 message=LOCKED)
    except TooManyAttempts:
        audit.record(Action.SIGN_IN_LOCKED, actor_id=None, subject_ids=[principal.subject_id], storage=storage,
                     school_id=principal.school_id, partner_id=principal.partner_id)
        raise
    member, record = _account(storage, principal.subject_id)
    locked = lockout.locked_for(parse_iso(record.locked_until) if record.locked_until else None, now)
    if locked:
        audit.record(Action.SIGN_IN_LOCKED, actor_id=None, subject_ids=[member.id], storage=storage,
                     school_id=member.school_id, partner_id=member.partner_id)
        raise TooManyAttempts(LOCKED, retry_after_seconds=locked)
    right, recovery = _code_is_right(storage, member.id, code)
    if not right:
        locked = record_failure(storage, record, now)
        audit.record(Action.SECOND_FACTOR_FAILED, actor_id=None, subject_ids=[member.id], storage=storage,
                     school_id=member.school_id, partner_id=member.partner_id)
        if locked or attempt.locks_for:
            raise TooManyAttempts(LOCKED, retry_after_seconds=max(locked, attempt.locks_for))
        raise Unauthenticated(WRONG_CODE)
    throttle.succeeded(storage, attempt)
    if recovery:
        audit.record(Action.RECOVERY_CODE_USED, actor_id=member.id, subject_ids=[member.id], storage=storage,
                     school_id=member.school_id, partner_id=member.partner_id)
    return complete_sign_in(storage, record, now)


# --- setting up ---------------------------------------------------------------------------------------

def start_setup(principal: Principal, *, storage: Storage | None = None) -> MfaSetupOut:
    """A new secret to scan (QR) or type into an authenticator app; confirmed by its first code."""
    storage = storage or get_storage()
    member, _ = _account(storage, principal.subject_id)
    if factors_store.get_totp(storage, member.id) is not None:
        raise Conflict(ALREADY)
    secret = totp.new_secret()
    factors_store.put_pending(storage, member.id, secret, utcnow())
    uri = totp.provisioning_uri(secret, member.email)
    return MfaSetupOut(secret=secret, otpauth_uri=uri, qr_svg=totp.qr_svg_data_uri(uri))


def _confirm(storage: Storage, member: StaffMember, code: str) -> list[str]:
    pending = factors_store.get_pending(storage, member.id)
    if pending is None:
        raise Conflict(ALREADY if factors_store.get_totp(storage, member.id) else "Start the set-up first.")
    now = utcnow()
    step = totp.matching_step(pending[0], code, now)
    if step is None:
        raise InvalidRequest(WRONG_CODE, errors=[FieldError(field="code", message=WRONG_CODE)])
    codes = totp.new_recovery_codes()
    factors_store.confirm(storage, member.id, pending[0], step, [totp.recovery_digest(c) for c in codes], now)
    set_second_factor(storage, login_key(member.email), True)
    audit.record(Action.SECOND_FACTOR_ENROLLED, actor_id=member.id, subject_ids=[member.id], storage=storage,
                 school_id=member.school_id, partner_id=member.partner_id)
    return codes


def confirm_setup(principal: Principal, code: str, *, storage: Storage | None = None) -> RecoveryCodesOut:
    storage = storage or get_storage()
    member, _ = _account(storage, principal.subject_id)
    return RecoveryCodesOut(recovery_codes=_confirm(storage, member, code))


def start_setup_at_sign_in(challenge: str, *, storage: Storage | None = None) -> MfaSetupOut:
    return start_setup(_challenged(challenge, CHALLENGE_ENROL), storage=storage)


def confirm_setup_at_sign_in(challenge: str, code: str, *, storage: Storage | None = None) -> SignedInWithCodesOut:
    """First sign-in of an account that must have a second factor: set it up, then get tokens."""
    storage = storage or get_storage()
    member, record = _account(storage, _challenged(challenge, CHALLENGE_ENROL).subject_id)
    codes = _confirm(storage, member, code)
    tokens = complete_sign_in(storage, record, utcnow())
    return SignedInWithCodesOut(**tokens.model_dump(), recovery_codes=codes)


def status(principal: Principal, *, storage: Storage | None = None) -> MfaStatusOut:
    storage = storage or get_storage()
    enrolled = factors_store.get_totp(storage, principal.subject_id) is not None
    return MfaStatusOut(enrolled=enrolled, required=totp.required_for(principal.role),
                        recovery_codes_left=factors_store.recovery_codes_left(storage, principal.subject_id)
                        if enrolled else 0)


def renew_recovery_codes(principal: Principal, code: str, *, storage: Storage | None = None) -> RecoveryCodesOut:
    """Ten new recovery codes (the old ones stop working), confirmed with a current code from the app."""
    storage = storage or get_storage()
    member, _ = _account(storage, principal.subject_id)
    if factors_store.get_totp(storage, member.id) is None:
        raise Conflict("Set up two-step sign-in first.")
    right, _ = _code_is_right(storage, member.id, code) if totp.is_totp_code(code) else (False, False)
    if not right:
        raise InvalidRequest(WRONG_CODE, errors=[FieldError(field="code", message=WRONG_CODE)])
    codes = totp.new_recovery_codes()
    factors_store.replace_recovery_codes(storage, member.id, [totp.recovery_digest(c) for c in codes])
    audit.record(Action.RECOVERY_CODES_RENEWED, actor_id=member.id, subject_ids=[member.id], storage=storage,
                 school_id=member.school_id, partner_id=member.partner_id)
    return RecoveryCodesOut(recovery_codes=codes)


def reset(caller: Principal, staff_id: str, *, storage: Storage | None = None) -> None:
    """The Trust removes a staff member's second factor (a lost phone); they set it up again at next sign-in."""
    storage = storage or get_storage()
    found = get_staff(storage, staff_id)
    scope.require(found is not None
                  and scope.sees_staff(caller, found[0].id, found[0].role, found[0].school_id, found[0].partner_id))
    scope.require_change(caller.role is Role.TRUST_ADMIN, "Only the Trust resets two-step sign-in.")
    assert found is not None
    member = found[0]
    factors_store.remove_all(storage, member.id)
    set_second_factor(storage, login_key(member.email), False)
    # A lost phone may be in someone else's hands: every session of the person ends too.
    sessions.revoke_all(storage, member.id, sessions.RevocationReason.MFA_CHANGED, actor_id=caller.subject_id,
                        audited=False)
    audit.record(Action.SECOND_FACTOR_RESET, actor_id=caller.subject_id, subject_ids=[member.id], storage=storage,
                 school_id=member.school_id, partner_id=member.partner_id)
    mailer.send(templates.second_factor_reset(member.email, member.nickname, utcnow()))
