"""Who is calling: the authenticated principal every service receives."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    TRUST_ADMIN = "trust_admin"
    PARTNER_MANAGER = "partner_manager"
    SCHOOL_STAFF = "school_staff"
    PUPIL = "pupil"


STAFF_ROLES = frozenset({Role.TRUST_ADMIN, Role.PARTNER_MANAGER, Role.SCHOOL_STAFF})
ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Principal:
    subject_id: str
    role: Role
    partner_id: str | None = None
    school_id: str | None = None
    token_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES
