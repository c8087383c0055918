"""The live record behind a token: is the person still there, and what do they see about themselves."""

from __future__ import annotations

from shared.errors import Unauthenticated
from shared.identity.models import MeOut
from shared.organisation.store import get_staff
from shared.roster.store import pupil_from
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage
from shared.storage.names import PUPILS
from shared.storage.tables import Entity, get_entity


def _pupil_row(storage: Storage, principal: Principal) -> Entity | None:
    if not principal.school_id:
        return None
    return get_entity(storage.table(PUPILS), principal.school_id, principal.subject_id)


def current_display_name(storage: Storage, principal: Principal) -> str | None:
    """The name to greet the person with, or None when the account no longer exists."""
    if principal.role is Role.PUPIL:
        row = _pupil_row(storage, principal)
        return row["first_name"] if row else None
    found = get_staff(storage, principal.subject_id)
    return found[0].nickname if found else None


def profile(storage: Storage, principal: Principal) -> MeOut:
    if principal.role is Role.PUPIL:

        from shared.ids import utcnow

        row = _pupil_row(storage, principal)
        if row is None:
            raise Unauthenticated("The account no longer exists; sign in again.")
        pupil = pupil_from(row)
        return MeOut(
            id=principal.subject_id, role=principal.role, display_name=row["first_name"],
            school_id=principal.school_id, partner_id=principal.partner_id, first_name=row["first_name"],
            last_name=row["last_name"], username=pupil.username, year_group=pupil.year_group(utcnow().date()),
        )
    found = get_staff(storage, principal.subject_id)
    if found is None:
        raise Unauthenticated("The account no longer exists; sign in again.")
    s = found[0]
    return MeOut(
        id=s.id, role=s.role, display_name=s.nickname, school_id=s.school_id, partner_id=s.partner_id,
        first_name=s.first_name, last_name=s.last_name, nickname=s.nickname, email=s.email, phone=s.phone,
    )
