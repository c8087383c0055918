"""The live record behind a token: is the person still there, and what do they see about themselves."""

from __future__ import annotations

from shared.errors import Unauthenticated
from shared.identity.schemas import MeOut
from shared.ids import utcnow
from shared.organisation.store import staff_from, staff_row
from shared.roster.rules import year_group_of_cohort
from shared.roster.store import pupil_from, pupil_row
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage
from shared.storage.tables import Entity


def _pupil_row(storage: Storage, principal: Principal) -> Entity | None:
    if principal.own_row is not None:
        return principal.own_row
    if not principal.school_id:
        return None
    return pupil_row(storage, principal.school_id, principal.subject_id)


def display_name_of(principal: Principal, row: Entity) -> str:
    """The name to greet the person with, from their own row (pupil row or staff row)."""
    return row["first_name"] if principal.role is Role.PUPIL else row["nickname"]


def profile(storage: Storage, principal: Principal) -> MeOut:
    if principal.role is Role.PUPIL:
        row = _pupil_row(storage, principal)
        if row is None:
            raise Unauthenticated("The account no longer exists; sign in again.")
        pupil = pupil_from(row)
        return MeOut(
            id=principal.subject_id, role=principal.role, display_name=row["first_name"],
            school_id=principal.school_id, partner_id=principal.partner_id, first_name=row["first_name"],
            last_name=row["last_name"], username=pupil.username,
            year_group=year_group_of_cohort(pupil.cohort, utcnow().date()),
        )
    row = principal.own_row or staff_row(storage, principal.subject_id)
    if row is None:
        raise Unauthenticated("The account no longer exists; sign in again.")
    s = staff_from(row)
    return MeOut(
        id=s.id, role=s.role, display_name=s.nickname, school_id=s.school_id, partner_id=s.partner_id,
        first_name=s.first_name, last_name=s.last_name, nickname=s.nickname, email=s.email, phone=s.phone,
    )
