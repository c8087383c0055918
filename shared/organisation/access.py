"""Tenancy in one place: the partner, school or staff member a caller may see, or the 404.

Anything outside the caller's scope is answered exactly like a missing record (`security.scope`), so ids
cannot be probed. Depends only on the organisation store and the scope rules.
"""

from __future__ import annotations

from shared.organisation import store
from shared.organisation.model import Partner, School, StaffMember
from shared.security import scope
from shared.security.principal import Principal
from shared.storage.clients import Storage


def visible_partner(storage: Storage, caller: Principal, partner_id: str) -> Partner:
    scope.require(scope.sees_partner(caller, partner_id))
    return scope.visible(store.get_partner(storage, partner_id))


def visible_school(storage: Storage, caller: Principal, school_id: str) -> School:
    """The school, if it is inside the caller's scope; otherwise the same 404 as a missing one."""
    school = store.get_school(storage, school_id)
    return scope.visible(school, school is not None and scope.sees_school(caller, school.id, school.partner_id))


def visible_staff(storage: Storage, caller: Principal, staff_id: str) -> tuple[StaffMember, str]:
    """(staff member, ETag), if the caller may see them."""
    found = store.get_staff(storage, staff_id)
    member = found[0] if found else None
    return scope.visible(found, member is not None and scope.sees_staff(
        caller, member.id, member.role, member.school_id, member.partner_id))
