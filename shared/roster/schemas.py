"""Roster and pupil request/response models (the stored Pupil is never returned as it is)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.hours import minutes_to_hours
from shared.roster.model import Gender
from shared.roster.store import Pupil, PupilStatus


class RosterMode(StrEnum):
    FULL = "full"
    PARTIAL = "partial"


class RosterQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: RosterMode | None = Field(default=None, description="full (default for CSV) or partial (default for JSON)")
    dry_run: bool = False


class RosterPupilIn(BaseModel):
    first_name: str
    last_name: str
    date_of_birth: str
    gender: str
    upn: str | None = None


class RosterJsonIn(BaseModel):
    """The JSON form of a roster upload (rows are validated one by one, like CSV rows)."""

    pupils: list[dict] = Field(description="[{first_name, last_name, date_of_birth, gender, upn?}]")


class RowError(BaseModel):
    row: int | None = None
    field: str | None = None
    message: str


class RosterReport(BaseModel):
    school_id: str
    mode: RosterMode
    dry_run: bool
    received: int
    created: int
    updated: int
    unchanged: int
    left: int
    reactivated: int
    rejected: int
    errors: list[RowError]
    dropped_columns: list[str]
    special_category_columns: list[str]


class PupilOut(BaseModel):
    id: str
    first_name: str
    last_name: str
    date_of_birth: date
    gender: Gender
    upn: str | None
    year_group: int
    username: str
    status: PupilStatus
    restricted: bool
    total_hours: float
    left_at: str | None = None
    deletion_due: str | None = None


class PupilList(BaseModel):
    pupils: list[PupilOut]
    next_page_token: str | None


class PupilListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: PupilStatus | None = None
    page_token: str | None = Field(default=None, max_length=2048)
    page_size: int = Field(default=100, ge=1, le=1000)


class PupilPatch(BaseModel):
    """Rectification of any allow-listed field, validated with the same rules as an upload row."""

    model_config = ConfigDict(extra="forbid")

    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: str | None = None
    gender: str | None = None
    upn: str | None = None
    restricted: bool | None = Field(default=None, description="processing objected to: kept, but not used")


class PasswordOut(BaseModel):
    username: str
    password: str


class LoginCardsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pupil_ids: list[str] = Field(min_length=1, max_length=200)


def pupil_out(p: Pupil, today: date) -> PupilOut:
    return PupilOut(
        id=p.id, first_name=p.first_name, last_name=p.last_name, date_of_birth=p.date_of_birth, gender=p.gender,
        upn=p.upn, year_group=p.year_group(today), username=p.username, status=p.status,
        restricted=p.restricted, total_hours=minutes_to_hours(p.total_minutes), left_at=p.left_at,
        deletion_due=p.deletion_due,
    )
