"""The live record behind a token: is the person still there, and what do they see about themselves."""

from __future__ import annotations

from shared.errors import Unauthenticated
from shared.identity import sessions
from shared.identity.schemas import MeOut
from shared.ids import utcnow
from shared.organisation.model import StaffRow
from shared.roster.model import PupilRow
from shared.roster.rules import year_group_of_cohort
from shared.security.principal import Principal
from shared.storage.clients import Storage


def own_record(storage: Storage, principal: Principal) -> sessions.Person | None:
    """The caller's own record: as read when the request was authenticated, else one point read."""
    if isinstance(principal.own, PupilRow | StaffRow):
        return principal.own
    return sessions.person(storage, principal)


def display_name_of(record: sessions.Person) -> str:
    """The name to greet the person with: a pupil's first name, a staff member's nickname."""
    return record.pupil.first_name if isinstance(record, PupilRow) else record.staff.nickname


def profile(storage: Storage, principal: Principal) -> MeOut:
    record = own_record(storage, principal)
    if isinstance(record, PupilRow):
        pupil = record.pupil
        return MeOut(
            id=principal.subject_id, role=principal.role, display_name=pupil.first_name,
            school_id=principal.school_id, partner_id=principal.partner_id, first_name=pupil.first_name,
            last_name=pupil.last_name, username=pupil.username,
            year_group=year_group_of_cohort(pupil.cohort, utcnow().date()),
        )
    if record is None:
        raise Unauthenticated("The account no longer exists; sign in again.")
    s = record.staff
    return MeOut(
        id=s.id, role=s.role, display_name=s.nickname, school_id=s.school_id, partner_id=s.partner_id,
        first_name=s.first_name, last_name=s.last_name, nickname=s.nickname, email=s.email, phone=s.phone,
    )
