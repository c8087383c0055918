"""Roster and pupil request/response models (the stored Pupil is never returned as it is)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.hours import minutes_to_hours
from shared.roster.model import Gender, Pupil, PupilStatus
from shared.roster.rules import year_group_of_cohort


class RosterMode(StrEnum):
    FULL = "full"
    PARTIAL = "partial"


class RosterQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: RosterMode | None = Field(default=None, description="full (default for CSV) or partial (default for JSON)")
    dry_run: bool = False
    confirm_leavers: int | None = Field(
        default=None, ge=0, le=1_000_000,
        description="apply a held full sync: the number of leavers its report gave (confirm_leavers)",
    )


class ConfirmQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm_leavers: int = Field(ge=0, le=1_000_000, description="the number of leavers the held report gave")


class RosterPupilIn(BaseModel):
    first_name: str
    last_name: str
    date_of_birth: str
    gender: str
    upn: str | None = None


class RosterJsonIn(BaseModel):
    """The JSON form of a roster upload: the project's own `{pupils}` or a page of Wonde's students export
    (`{data, meta}`). Rows are validated one by one, like CSV rows; keys are read like CSV headers."""

    pupils: list | None = Field(default=None, description="[{first_name, last_name, date_of_birth, gender, upn?}]")
    data: list | None = Field(default=None, description="Wonde students (forename, surname, gender, date_of_birth, "
                                                        "upn or education_details.data.upn)")
    meta: dict | None = Field(default=None, description="Wonde's meta; pagination.next set = a partial sync")


class RowError(BaseModel):
    row: int | None = None
    field: str | None = None
    message: str


class SyncOutcome(StrEnum):
    APPLIED = "applied"
    PREVIEW = "preview"  # a dry run: nothing written
    HELD = "held"  # the leaver guard stopped it: nothing written until confirmed


class NewPupilOut(BaseModel):
    row: int
    first_name: str
    last_name: str


class LeavingPupilOut(BaseModel):
    id: str
    first_name: str
    last_name: str


class RosterReport(BaseModel):
    school_id: str
    mode: RosterMode
    dry_run: bool
    outcome: SyncOutcome = SyncOutcome.APPLIED
    received: int
    created: int
    updated: int
    unchanged: int
    left: int
    reactivated: int
    rejected: int
    kept_unchanged_rejected: int = Field(
        default=0, description="pupils kept as they are because their only row in the file was rejected"
    )
    hold_reason: str | None = Field(default=None, description="why a full sync is held (or would be)")
    confirm_leavers: int | None = Field(
        default=None, description="when held: send this number as confirm_leavers to apply the sync"
    )
    errors: list[RowError]
    warnings: list[RowError] = Field(
        default_factory=list, description="problems that did not stop a row loading (row and reason, never a value)"
    )
    source: str = Field(default="csv", description="how the upload was read: csv, json, wonde or oneroster")
    date_order: str = Field(
        default="iso", description="how the file's numeric dates were read: iso, day-first, month-first, or mixed"
                                   " (a damaged file: its ambiguous dates were rejected)"
    )
    dropped_columns: list[str]
    special_category_columns: list[str]
    # Names are given back only to a dry run over HTTP (the uploader's preview), never in a stored report.
    new_pupils: list[NewPupilOut] | None = None
    leaving_pupils: list[LeavingPupilOut] | None = None


class HeldUpload(BaseModel):
    name: str
    uploaded_at: str
    size: int
    status: str = Field(description="held (waiting for confirmation) or waiting (not processed yet)")
    report: RosterReport | None = Field(default=None, description="the held sync's would-be report")


class HeldUploadList(BaseModel):
    uploads: list[HeldUpload]


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
        upn=p.upn, year_group=year_group_of_cohort(p.cohort, today), username=p.username, status=p.status,
        restricted=p.restricted, total_hours=minutes_to_hours(p.total_minutes), left_at=p.left_at,
        deletion_due=p.deletion_due,
    )
