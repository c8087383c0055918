"""Two-step sign-in for staff: set up an authenticator app (TOTP), sign in with its code or a recovery code,
new recovery codes, and the Trust's reset of someone else's second factor.

Every code attempt is counted per person, whatever the client address, before the code is looked at (one
row in `throttle`, written under its ETag): a burst from any number of addresses gets at most the free
attempts evaluated. A challenge completes one sign-in only. Single sign-on users never come here: Entra ID
applies its own MFA.
"""

from __future__ import annotations

from enum import Enum

from shared import audit
from shared.audit import Action
from shared.credentials import factors_store
from shared.credentials.logins_store import LoginRecord, login_key, read_login
from shared.errors import Conflict, FieldError, InvalidRequest, TooManyAttempts, Unauthenticated
from shared.identity import challenges_store, sessions, totp
from shared.identity.schemas import MfaSetupOut, MfaStatusOut, RecoveryCodesOut, SignedInWithCodesOut, TokenOut
from shared.identity.service import (
    CHALLENGE_ENROL,
    CHALLENGE_VERIFY,
    LOCKED,
    complete_sign_in,
    set_second_factor,
)
from shared.identity.tokens import Challenge, verify_challenge
from shared.ids import parse_iso, utcnow
from shared.mail import mailer, templates
from shared.organisation.model import StaffMember
from shared.organisation.store import get_staff
from shared.security import lockout, scope, throttle
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage, get_storage

WRONG_CODE = "The code is not right. Codes change every 30 seconds; use the newest one."
JUST_USED = "This code has just been used; wait for the next one."
CHALLENGE_USED = "This sign-in has already been completed; start again with your email and password."
RENEW_LOCKED = "Too many codes that were not right. Wait a little and try again."
ALREADY = "Two-step sign-in is already set up. Ask the Trust to reset it if you lost your device."


class CodeCheck(Enum):
    RIGHT = "right"
    RIGHT_RECOVERY = "right recovery code"
    JUST_USED = "a code of a 30-second step already used"
    WRONG = "wrong"

    @property
    def right(self) -> bool:
        return self in (CodeCheck.RIGHT, CodeCheck.RIGHT_RECOVERY)

    @property
    def message(self) -> str:
        return JUST_USED if self is CodeCheck.JUST_USED else WRONG_CODE


def _account(storage: Storage, staff_id: str) -> tuple[StaffMember, LoginRecord]:
    found = get_staff(storage, staff_id)
    record = read_login(storage, login_key(found[0].email)) if found else None
    if found is None or record is None:
        raise Unauthenticated("The account no longer exists; sign in again.")
    return found[0], record


def _challenged(storage: Storage, challenge: str, purpose: str) -> Challenge:
    """The challenge, if it is for this step and has not completed a sign-in yet."""
    verified = verify_challenge(challenge)
    if verified.purpose != purpose:
        raise Unauthenticated("This sign-in step does not match; start again with your email and password.")
    if challenges_store.is_used(storage, verified.challenge_id, verified.expires_at):
        raise Unauthenticated(CHALLENGE_USED)
    return verified


def _use_up(storage: Storage, challenge: Challenge) -> None:
    """Claim the challenge for this sign-in (an insert): of requests racing with one challenge, one goes on."""
    if not challenges_store.use_up(storage, challenge.challenge_id, challenge.expires_at, now=utcnow()):
        raise Unauthenticated(CHALLENGE_USED)


def _check_code(storage: Storage, staff_id: str, code: str) -> CodeCheck:
    """A TOTP step or a recovery code is used up by being accepted; a step at or before the last one accepted
    (on any challenge) is "just used", so the person waits for the next code instead of looking for a typo."""
    if totp.is_recovery_code(code):
        used = factors_store.use_recovery_code(storage, staff_id, totp.recovery_digest(code))
        return CodeCheck.RIGHT_RECOVERY if used else CodeCheck.WRONG
    factor = factors_store.get_totp(storage, staff_id)
    step = totp.matching_step(factor.secret, code, utcnow()) if factor else None
    if factor is None or step is None:
        return CodeCheck.WRONG
    return CodeCheck.RIGHT if factors_store.use_step(storage, staff_id, factor, step) else CodeCheck.JUST_USED


def verify(challenge: str, code: str, *, storage: Storage | None = None) -> TokenOut:
    """The second step of a sign-in: a code from the app (each 30-second code once) or a recovery code (once).

    The attempt is counted on the person's row before the code is looked at, so no burst, from however many
    addresses, gets more than the free attempts evaluated; the challenge is used up by its first success.
    """
    storage = storage or get_storage()
    now = utcnow()
    step = _challenged(storage, challenge, CHALLENGE_VERIFY)
    principal = step.principal
    try:
        attempt = throttle.begin(storage, lockout.SECOND_FACTOR, principal.subject_id, throttle.EVERY_ADDRESS,
                                 now=now, message=LOCKED)
    except TooManyAttempts:
        audit.record(Action.SIGN_IN_LOCKED, actor_id=None, subject_ids=[principal.subject_id], storage=storage,
                     school_id=principal.school_id, partner_id=principal.partner_id)
        raise
    member, record = _account(storage, principal.subject_id)
    # Wrong current passwords (a password change) lock the account itself.
    locked = lockout.locked_for(parse_iso(record.locked_until) if record.locked_until else None, now)
    if locked:
        audit.record(Action.SIGN_IN_LOCKED, actor_id=None, subject_ids=[member.id], storage=storage,
                     school_id=member.school_id, partner_id=member.partner_id)
        raise TooManyAttempts(LOCKED, retry_after_seconds=locked)
    checked = _check_code(storage, member.id, code)
    if not checked.right:
        audit.record(Action.SECOND_FACTOR_FAILED, actor_id=None, subject_ids=[member.id], storage=storage,
                     school_id=member.school_id, partner_id=member.partner_id)
        if attempt.locks_for:
            raise TooManyAttempts(LOCKED, retry_after_seconds=attempt.locks_for)
        raise Unauthenticated(checked.message)
    _use_up(storage, step)
    throttle.succeeded(storage, attempt)
    if checked is CodeCheck.RIGHT_RECOVERY:
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
    step = totp.matching_step(pending.secret, code, now)
    if step is None:
        raise InvalidRequest(WRONG_CODE, errors=[FieldError(field="code", message=WRONG_CODE)])
    codes = totp.new_recovery_codes()
    if not factors_store.confirm(storage, member.id, pending, step, [totp.recovery_digest(c) for c in codes], now):
        raise Conflict(ALREADY)  # confirmed (or started again) by another request meanwhile
    set_second_factor(storage, login_key(member.email), True)
    audit.record(Action.SECOND_FACTOR_ENROLLED, actor_id=member.id, subject_ids=[member.id], storage=storage,
                 school_id=member.school_id, partner_id=member.partner_id)
    return codes


def confirm_setup(principal: Principal, code: str, *, storage: Storage | None = None) -> RecoveryCodesOut:
    storage = storage or get_storage()
    member, _ = _account(storage, principal.subject_id)
    return RecoveryCodesOut(recovery_codes=_confirm(storage, member, code))


def start_setup_at_sign_in(challenge: str, *, storage: Storage | None = None) -> MfaSetupOut:
    storage = storage or get_storage()
    return start_setup(_challenged(storage, challenge, CHALLENGE_ENROL).principal, storage=storage)


def confirm_setup_at_sign_in(challenge: str, code: str, *, storage: Storage | None = None) -> SignedInWithCodesOut:
    """First sign-in of an account that must have a second factor: set it up, then get tokens (once)."""
    storage = storage or get_storage()
    step = _challenged(storage, challenge, CHALLENGE_ENROL)
    member, record = _account(storage, step.principal.subject_id)
    codes = _confirm(storage, member, code)
    _use_up(storage, step)
    tokens = complete_sign_in(storage, record, utcnow())
    return SignedInWithCodesOut(**tokens.model_dump(), recovery_codes=codes)


def status(principal: Principal, *, storage: Storage | None = None) -> MfaStatusOut:
    storage = storage or get_storage()
    enrolled = factors_store.get_totp(storage, principal.subject_id) is not None
    return MfaStatusOut(enrolled=enrolled, required=totp.required_for(principal.role),
                        recovery_codes_left=factors_store.recovery_codes_left(storage, principal.subject_id)
                        if enrolled else 0)


def renew_recovery_codes(principal: Principal, code: str, *, storage: Storage | None = None) -> RecoveryCodesOut:
    """Ten new recovery codes (the old ones stop working), confirmed with a current code from the app.

    Whoever holds a stolen access token could otherwise guess the code and mint a way past two-step sign-in,
    so every attempt is counted per person before the code is looked at (5 free, then locks doubling from
    30 seconds to 15 minutes). The lock stops renewing only, never the person's sign-in; the person is
    emailed when new codes are made.
    """
    storage = storage or get_storage()
    now = utcnow()
    attempt = throttle.begin(storage, lockout.RECOVERY_CODES, principal.subject_id, throttle.EVERY_ADDRESS, now=now,
                             message=RENEW_LOCKED)
    member, _ = _account(storage, principal.subject_id)
    if factors_store.get_totp(storage, member.id) is None:
        raise Conflict("Set up two-step sign-in first.")
    checked = _check_code(storage, member.id, code) if totp.is_totp_code(code) else CodeCheck.WRONG
    if checked is not CodeCheck.RIGHT:
        audit.record(Action.SECOND_FACTOR_FAILED, actor_id=member.id, subject_ids=[member.id], storage=storage,
                     school_id=member.school_id, partner_id=member.partner_id)
        if attempt.locks_for:
            raise TooManyAttempts(RENEW_LOCKED, retry_after_seconds=attempt.locks_for)
        raise InvalidRequest(checked.message, errors=[FieldError(field="code", message=checked.message)])
    throttle.succeeded(storage, attempt)
    codes = totp.new_recovery_codes()
    factors_store.replace_recovery_codes(storage, member.id, [totp.recovery_digest(c) for c in codes])
    audit.record(Action.RECOVERY_CODES_RENEWED, actor_id=member.id, subject_ids=[member.id], storage=storage,
                 school_id=member.school_id, partner_id=member.partner_id)
    mailer.send(templates.recovery_codes_renewed(member.email, member.nickname, now))
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
