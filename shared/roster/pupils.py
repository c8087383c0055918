"""Staff-facing pupil operations: list, read, rectify, password reset, login cards. All audited.

Erasure and the subject-access export are `shared.erasure`'s (they reach every package's rows).
"""

from __future__ import annotations

from dataclasses import replace

from shared import audit
from shared.audit import Action
from shared.credentials import logins_store
from shared.credentials.logins_store import LoginRecord, login_key
from shared.credentials.passwords import generate_pupil_password, hash_password
from shared.credentials.usernames import new_username
from shared.errors import ConcurrencyConflict, FieldError, InvalidRequest, NotFound
from shared.ids import iso, utcnow
from shared.organisation.access import visible_school
from shared.organisation.model import School
from shared.roster import store as roster_store
from shared.roster.model import Pupil
from shared.roster.parsing import parse_json_pupils
from shared.roster.schemas import LoginCardsIn, PasswordOut, PupilList, PupilListQuery, PupilOut, PupilPatch, pupil_out
from shared.roster.store import get_pupil, page_of_pupils, update_pupil, update_pupil_upn
from shared.security import scope
from shared.security.principal import Principal, Role
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage
from shared.storage.tables import retry_on_conflict

USERNAME_CLAIM_ATTEMPTS = 8


def _visible_pupil(storage: Storage, caller: Principal, school_id: str, pupil_id: str) -> tuple[School, Pupil, str]:
    school = visible_school(storage, caller, school_id)
    pupil, etag = scope.visible(get_pupil(storage, school.id, pupil_id))
    return school, pupil, etag


def _audit(action: Action, caller: Principal, school: School, pupil_ids: list[str], storage: Storage) -> None:
    audit.record(action, actor_id=caller.subject_id, subject_ids=pupil_ids, school_id=school.id,
                 partner_id=school.partner_id, storage=storage)


def list_pupils(
    caller: Principal, school_id: str, query: PupilListQuery, *, storage: Storage | None = None
) -> PupilList:
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    pupils, token = page_of_pupils(storage, school.id, status=query.status, page_size=query.page_size,
                                   page_token=query.page_token)
    today = utcnow().date()
    _audit(Action.PUPILS_LISTED, caller, school, [p.id for p in pupils], storage)
    return PupilList(pupils=[pupil_out(p, today) for p in pupils], next_page_token=token)


def read_pupil(caller: Principal, school_id: str, pupil_id: str, *, storage: Storage | None = None) -> PupilOut:
    storage = storage or get_storage()
    school, pupil, _ = _visible_pupil(storage, caller, school_id, pupil_id)
    _audit(Action.PUPIL_READ, caller, school, [pupil.id], storage)
    return pupil_out(pupil, utcnow().date())


def rectify_pupil(
    caller: Principal, school_id: str, pupil_id: str, patch: PupilPatch, *, storage: Storage | None = None
) -> PupilOut:
    storage = storage or get_storage()
    school, pupil, etag = _visible_pupil(storage, caller, school_id, pupil_id)
    changes = patch.model_dump(exclude_unset=True)
    restricted = changes.pop("restricted", None)
    merged = {
        "first_name": pupil.first_name, "last_name": pupil.last_name,
        "date_of_birth": pupil.date_of_birth.isoformat(), "gender": pupil.gender.value, "upn": pupil.upn or "",
    } | {k: ("" if v is None and k == "upn" else v) for k, v in changes.items()}
    parsed = parse_json_pupils([merged], today=utcnow().date(), dob_policy=school.dob_policy)
    # A UPN typed in by staff is checked strictly: an upload may load a pupil without a bad UPN, a
    # correction may not silently drop the one it was sent to set.
    problems = parsed.errors + [w for w in parsed.warnings if w.field == "upn"]
    if problems or not parsed.records:
        raise InvalidRequest(
            "The changes are not valid.",
            errors=[FieldError(field=e.field, message=e.message) for e in problems],
        )
    updated = pupil.with_facts(parsed.records[0], iso(utcnow()))
    updated = replace(updated, upn=parsed.records[0].upn)
    if restricted is not None:
        updated = replace(updated, restricted=restricted)
    if updated.upn and updated.upn != pupil.upn:
        # UPNs are unique per school: DuplicateUpn (409) when another pupil already holds it.
        update_pupil_upn(storage, updated, etag)
    else:
        update_pupil(storage, updated, etag)
    if updated.first_name != pupil.first_name and pupil.has_login:
        logins_store.set_display_name(storage, login_key(pupil.username), updated.first_name)
    _audit(Action.PUPIL_RECTIFIED, caller, school, [pupil.id], storage)
    if restricted is not None and restricted != pupil.restricted:
        _audit(Action.PUPIL_RESTRICTED, caller, school, [pupil.id], storage)
    return pupil_out(updated, utcnow().date())


def _claim_login(storage: Storage, school: School, pupil: Pupil, etag: str, password_hash: str) -> Pupil:
    """Give the pupil a sign-in: claim their username system-wide (insert conflict), set the password hash.

    A clash with another pupil's claimed name picks a new username (saved on the pupil row under its ETag)
    before anything is printed.
    """
    state = {"pupil": pupil, "etag": etag, "renames": 0}

    def rename() -> dict:
        state["renames"] += 1
        state["pupil"] = replace(state["pupil"], username=new_username(digits=2 + state["renames"] // 2))
        state["etag"] = update_pupil(storage, state["pupil"], state["etag"])
        return state

    def claim(current: dict) -> dict:
        claimed: Pupil = current["pupil"]
        record = LoginRecord(
            key=login_key(claimed.username), subject_id=claimed.id, role=Role.PUPIL, display_name=claimed.first_name,
            school_id=school.id, partner_id=school.partner_id, password_hash=password_hash,
        )
        if not logins_store.create_login(storage, record):
            existing = logins_store.read_login(storage, record.key)
            if existing is None or existing.subject_id != claimed.id:
                raise ConcurrencyConflict("The username is another pupil's.")
            existing.password_hash = password_hash
            existing.failed_count, existing.last_failed_at, existing.locked_until = 0, None, None
            logins_store.overwrite_login(storage, existing)
        return current

    retry_on_conflict(rename, lambda current: current, claim, attempts=USERNAME_CLAIM_ATTEMPTS, first=state,
                      busy="Could not find a free username; try again.")
    claimed: Pupil = state["pupil"]
    if not claimed.has_login:
        claimed = replace(claimed, has_login=True)
        update_pupil(storage, claimed, state["etag"])
    return claimed


def set_pupil_password(storage: Storage, school: School, pupil_id: str, password: str) -> str:
    """Set a chosen password (demo data, operator tools); returns the pupil's claimed username."""
    found = get_pupil(storage, school.id, pupil_id)
    if found is None:
        raise NotFound("Not found.")
    return _claim_login(storage, school, found[0], found[1], hash_password(password)).username


def _new_password(storage: Storage, school: School, pupil: Pupil, etag: str) -> tuple[Pupil, str]:
    """A fresh password; whoever signed in with the old one is signed out everywhere at once."""
    password = generate_pupil_password()
    had_login = pupil.has_login
    pupil = _claim_login(storage, school, pupil, etag, hash_password(password))
    if had_login:
        # Every session of the pupil ends (the password reset's own audit entry says why).
        roster_store.end_sessions(storage, school.id, pupil.id)
    return pupil, password


def reset_password(
    caller: Principal, school_id: str, pupil_id: str, *, storage: Storage | None = None
) -> PasswordOut:
    storage = storage or get_storage()
    school, pupil, etag = _visible_pupil(storage, caller, school_id, pupil_id)
    pupil, password = _new_password(storage, school, pupil, etag)
    _audit(Action.PUPIL_PASSWORD_RESET, caller, school, [pupil.id], storage)
    return PasswordOut(username=pupil.username, password=password)


def login_cards(
    caller: Principal, school_id: str, body: LoginCardsIn, *, storage: Storage | None = None
) -> bytes:
    """One card per pupil with a fresh password (old passwords stop working). Unknown ids are a 404."""
    # fpdf costs ~0.2 s to import; loading it here keeps it out of every function's cold start.
    from shared.documents.login_cards import LoginCard, render_login_cards

    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    found = []
    for pupil_id in dict.fromkeys(body.pupil_ids):
        found.append(scope.visible(get_pupil(storage, school.id, pupil_id)))
    cards = []
    for pupil, etag in found:
        pupil, password = _new_password(storage, school, pupil, etag)
        cards.append(LoginCard(first_name=pupil.first_name, last_name=pupil.last_name, username=pupil.username,
                               password=password))
    _audit(Action.LOGIN_CARDS_PRINTED, caller, school, [p.id for p, _ in found], storage)
    return render_login_cards(school.name, cards, get_settings().public_base_url)
