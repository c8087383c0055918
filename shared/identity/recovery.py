"""Staff passwords: forgotten (a single-use emailed link), reset with that link, changed while signed in.

Asking for a link answers the same, in the same time, whether or not the address has an account: the
request counts against the address's and the client's hourly allowance and reads one login row either
way; making the link and sending the email happen after the answer.
"""

from __future__ import annotations

from shared import audit, background
from shared.audit import Action
from shared.credentials.logins_store import login_key, read_login
from shared.credentials.passwords import check_staff_password, hash_password, verify_password
from shared.errors import FieldError, Gone, InvalidRequest, TooManyAttempts, Unauthenticated
from shared.identity import resets_store, sessions
from shared.identity.schemas import TokenOut
from shared.identity.service import LOCKED, issue_tokens, record_failure, set_password
from shared.ids import parse_iso, utcnow
from shared.mail import mailer, templates
from shared.organisation.model import StaffMember
from shared.organisation.store import get_staff
from shared.security import lockout, rate
from shared.security.principal import Principal, Role
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage

LINKS_PER_ADDRESS_PER_HOUR = 3
LINKS_PER_CLIENT_PER_HOUR = 20
WRONG_CURRENT = "Your current password is not right."


def _send_reset_link(staff_id: str) -> None:
    storage = get_storage()
    found = get_staff(storage, staff_id)
    if found is None:
        return
    member = found[0]
    settings = get_settings()
    token = resets_store.create(storage, member.id, minutes=settings.password_reset_minutes, now=utcnow())

    mailer.send(templates.password_reset(member.email, member.nickname,
                                         resets_store.reset_url(settings.public_base_url, token),
                                         settings.password_reset_minutes))
    audit.record(Action.PASSWORD_RESET_REQUESTED, actor_id=None, subject_ids=[member.id], storage=storage,
                 school_id=member.school_id, partner_id=member.partner_id)


def forgot_password(email: str, client: str, *, storage: Storage | None = None) -> None:
    storage = storage or get_storage()
    now = utcnow()
    key = login_key(email)
    rate.spend(storage, "reset-address", key, limit=LINKS_PER_ADDRESS_PER_HOUR, now=now)
    rate.spend(storage, "reset-client", client, limit=LINKS_PER_CLIENT_PER_HOUR, now=now)
    record = read_login(storage, key)
    if record is not None and record.role is not Role.PUPIL:
        subject_id = record.subject_id
        background.after_answer(lambda: _send_reset_link(subject_id))


def _signed_out_everywhere(storage: Storage, member: StaffMember, reason: sessions.RevocationReason) -> None:
    """End every session of the person (their own audit entry says why) and tell them by email."""
    sessions.revoke_all(storage, member.id, reason, actor_id=member.id, audited=False)
    mailer.send(templates.password_changed(member.email, member.nickname, utcnow()))


def reset_password(token: str, password: str, *, storage: Storage | None = None) -> None:
    """Set a new password from an emailed link: only the person's newest link works, and using it retires every
    link they have; the person then signs in as usual."""
    storage = storage or get_storage()
    now = utcnow()
    found = get_staff(storage, resets_store.peek(storage, token, now=now))
    if found is None:
        raise Gone(resets_store.NOT_VALID)
    member = found[0]
    check_staff_password(password, email=member.email)
    password_hash = hash_password(password)
    resets_store.claim(storage, token, now=now)
    set_password(storage, login_key(member.email), password_hash)
    audit.record(Action.PASSWORD_RESET, actor_id=member.id, subject_ids=[member.id], storage=storage,
                 school_id=member.school_id, partner_id=member.partner_id)
    _signed_out_everywhere(storage, member, sessions.RevocationReason.PASSWORD_RESET)


def change_password(caller: Principal, current: str, new: str, *, storage: Storage | None = None) -> TokenOut:
    """Change one's own password (the current one required). Every session ends, this one included, so the
    answer is fresh tokens for the session that made the change."""
    storage = storage or get_storage()
    now = utcnow()
    found = get_staff(storage, caller.subject_id)
    record = read_login(storage, login_key(found[0].email)) if found else None
    if found is None or record is None:
        raise Unauthenticated("The account no longer exists; sign in again.")
    member = found[0]
    locked = lockout.locked_for(parse_iso(record.locked_until) if record.locked_until else None, now)
    if locked:
        raise TooManyAttempts(LOCKED, retry_after_seconds=locked)
    if not verify_password(record.password_hash, current):
        locked = record_failure(storage, record, now)
        if locked:
            raise TooManyAttempts(LOCKED, retry_after_seconds=locked)
        raise InvalidRequest(WRONG_CURRENT, errors=[FieldError(field="current_password", message=WRONG_CURRENT)])
    check_staff_password(new, email=member.email)
    record = set_password(storage, login_key(member.email), hash_password(new))
    audit.record(Action.PASSWORD_CHANGED, actor_id=member.id, subject_ids=[member.id], storage=storage,
                 school_id=member.school_id, partner_id=member.partner_id)
    _signed_out_everywhere(storage, member, sessions.RevocationReason.PASSWORD_CHANGED)
    return issue_tokens(storage, record.principal, record.display_name, now)
