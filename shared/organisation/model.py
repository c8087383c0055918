"""Organisation's domain records: partners, schools and staff members as the service works with them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from shared.security.principal import Role


class DobPolicy(StrEnum):
    """How much of a date of birth a school keeps: all of it, or only the year (stored as 1 January)."""

    EXACT = "exact"
    GENERIC = "generic"


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    created_at: str


@dataclass(frozen=True)
class School:
    id: str
    partner_id: str
    name: str
    urn: str | None
    dob_policy: DobPolicy
    active: bool
    created_at: str
    left_programme_at: str | None = None
    last_sync_at: str | None = None
    oneroster_org_id: str | None = None  # the school's org sourcedId in its OneRoster bundles
    open_badges: bool = False  # off by default: a child's badge leaves the platform only if the school says so
    # The ETag of the canonical row this was read from (None for a school not stored yet): every update is
    # conditional on it, so a change made meanwhile is never written over.
    etag: str | None = field(default=None, compare=False)


class StaffStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"


@dataclass(frozen=True)
class StaffMember:
    id: str
    role: Role
    first_name: str
    last_name: str
    nickname: str
    email: str
    phone: str | None
    partner_id: str | None
    school_id: str | None
    status: StaffStatus
    created_at: str


@dataclass(frozen=True)
class StaffRow:
    """A staff member's canonical row as stored: the person, their session version and the row's ETag."""

    staff: StaffMember
    session_version: int
    etag: str
