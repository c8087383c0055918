"""Authorization in one place: does the caller's scope contain the resource's tenant?

trust ⊃ partner ⊃ school ⊃ pupil. Anything outside the caller's scope is answered exactly like a
missing resource (404), so ids cannot be probed. Seeing a resource but not being allowed to change
it is a 403.
"""

from __future__ import annotations

from typing import TypeVar

from shared.errors import Forbidden, OutsideScope
from shared.security.principal import Principal, Role

NOT_FOUND = "Not found."
T = TypeVar("T")


def sees_partner(caller: Principal, partner_id: str) -> bool:
    if caller.role is Role.TRUST_ADMIN:
        return True
    return caller.role is Role.PARTNER_MANAGER and caller.partner_id == partner_id


def sees_school(caller: Principal, school_id: str, school_partner_id: str) -> bool:
    if caller.role is Role.TRUST_ADMIN:
        return True
    if caller.role is Role.PARTNER_MANAGER:
        return caller.partner_id == school_partner_id
    return caller.school_id == school_id


def sees_staff(caller: Principal, staff_id: str, role: Role, school_id: str | None, partner_id: str | None) -> bool:
    if caller.subject_id == staff_id or caller.role is Role.TRUST_ADMIN:
        return True
    if caller.role is Role.PARTNER_MANAGER:
        return partner_id == caller.partner_id and role is not Role.TRUST_ADMIN
    if caller.role is Role.SCHOOL_STAFF:
        return school_id is not None and school_id == caller.school_id
    return False


def manages_staff(caller: Principal, staff_id: str, role: Role, partner_id: str | None) -> bool:
    """Who may rectify or delete a staff account: the person, their manager, or the Trust."""
    if caller.subject_id == staff_id or caller.role is Role.TRUST_ADMIN:
        return True
    return caller.role is Role.PARTNER_MANAGER and role is Role.SCHOOL_STAFF and partner_id == caller.partner_id


def acts_on_partner_activity(caller: Principal, partner_id: str) -> bool:
    """Who may create, list or print a partner activity's stamp codes: its partner's manager or the Trust.

    Staff of member schools see the activity (to offer it) but never its codes: a code is a pupil's
    proof of attendance, and whoever holds the sheet can redeem for any child.
    """
    return caller.role is Role.TRUST_ADMIN or (caller.role is Role.PARTNER_MANAGER and caller.partner_id == partner_id)


def acts_on_school_club(caller: Principal) -> bool:
    """A school club's codes are for any staff who see the school (its staff, its CU manager, the Trust)."""
    return caller.is_staff


def require(visible: bool) -> None:
    if not visible:
        raise OutsideScope(NOT_FOUND)


def visible(found: T | None, sees: bool = True) -> T:
    """What was found, if it exists and the caller may see it; otherwise the same 404 either way."""
    if found is None or not sees:
        raise OutsideScope(NOT_FOUND)
    return found


def require_change(allowed: bool, detail: str = "You can see this but not change it.") -> None:
    if not allowed:
        raise Forbidden(detail)


def require_role(caller: Principal, *roles: Role) -> None:
    if caller.role not in roles:
        raise Forbidden("Your role cannot do this.")
