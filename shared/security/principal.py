"""Who is calling: the authenticated principal every service receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    TRUST_ADMIN = "trust_admin"
    PARTNER_MANAGER = "partner_manager"
    SCHOOL_STAFF = "school_staff"
    PUPIL = "pupil"


STAFF_ROLES = frozenset({Role.TRUST_ADMIN, Role.PARTNER_MANAGER, Role.SCHOOL_STAFF})
ALL_ROLES = frozenset(Role)


class OwnRecord(Protocol):
    """The caller's own stored record as its store decoded it (`roster.model.PupilRow` for a pupil,
    `organisation.model.StaffRow` for staff): what the session check needs of it."""

    @property
    def session_version(self) -> int: ...


@dataclass(frozen=True)
class Principal:
    subject_id: str
    role: Role
    partner_id: str | None = None
    school_id: str | None = None
    token_id: str | None = None
    # The person's session version when the token was issued; a newer one on their row revokes the token.
    session_version: int = 0
    # The person's own record (pupil row or staff row) as read when the request was authenticated, so a
    # service that needs it (a redemption, the pupil's progress, the profile) does not read it again.
    own: OwnRecord | None = field(default=None, compare=False, hash=False, repr=False)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES
