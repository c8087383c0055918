"""Activities, stamp codes, redemptions and progress: API requests in and responses out (records: `model.py`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from shared.hours import hours_to_minutes
from shared.schemas import Day, In, clean_text

MAX_CODES_PER_REQUEST = 500


# --- requests ---------------------------------------------------------------------------------------

class ActivityIn(In):
    title: str
    description: str | None = Field(default=None, max_length=2000)
    hours: Decimal = Field(description="hours of learning, > 0 in steps of 0.25")
    skills: list[str] = Field(default_factory=list, max_length=12)
    interests: list[str] = Field(default_factory=list, max_length=12)
    employer_engagement: bool = False
    partner_id: str | None = None
    school_id: str | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        return clean_text(v, field="title", max_length=120)

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: Decimal) -> Decimal:
        try:
            hours_to_minutes(v)
        except ValueError:
            raise ValueError("hours must be more than 0, in steps of 0.25 (e.g. 1.5)") from None
        if v > 100:
            raise ValueError("hours must be at most 100 for one activity")
        return v

    @model_validator(mode="after")
    def _owner_and_window(self) -> ActivityIn:
        if (self.partner_id is None) == (self.school_id is None):
            raise ValueError("give exactly one of partner_id (a learning destination) or school_id (a school club)")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to must not be before valid_from")
        return self


class ActivityQuery(In):
    partner_id: str | None = None
    school_id: str | None = None


class CodesIn(In):
    count: int = Field(ge=1, le=MAX_CODES_PER_REQUEST)
    single_use: bool = True
    max_uses: int | None = Field(default=None, ge=1, le=100_000, description="only for multi-use codes")
    valid_from: Day | None = None
    valid_to: Day | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CodesIn:
        if self.single_use and self.max_uses is not None:
            raise ValueError("max_uses is only for multi-use codes (single_use false)")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to must not be before valid_from")
        return self


class CodesQuery(In):
    format: str = Field(default="json", pattern="^(json|csv|pdf)$")
    include_used: bool = Field(default=False, description="pdf only: also print the codes nobody new can redeem "
                                                          "(json and csv always list every code, with `used`)")


class RedemptionIn(In):
    code: str = Field(min_length=1, max_length=40)
    pupil_id: str | None = Field(default=None, max_length=64, description="staff redeeming for a pupil")


MAX_GROUP_PUPILS = 200


class GroupRedemptionIn(In):
    """Hours for a group (a club session): one activity, many pupils, recorded by the school's staff."""

    activity_id: str = Field(min_length=1, max_length=64)
    pupil_ids: list[str] = Field(min_length=1, max_length=MAX_GROUP_PUPILS)
    session_id: str = Field(
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="chosen by the client for this session, once; repeating a request with the same "
                    "session_id records nobody twice (safe to retry)",
    )

    @field_validator("pupil_ids")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        if any(len(p) > 64 for p in v):
            raise ValueError("pupil ids are at most 64 characters")
        return list(dict.fromkeys(v))


MAX_ASSEMBLY_DAYS = 400


class SchoolAwardsQuery(In):
    """Awards a school's pupils reached in a date range (an assembly's certificates)."""

    from_: date = Field(alias="from", description="first day (inclusive), YYYY-MM-DD")
    to: date = Field(description="last day (inclusive), YYYY-MM-DD")
    format: Literal["json", "pdf"] = "json"

    @model_validator(mode="after")
    def _range(self) -> SchoolAwardsQuery:
        if self.to < self.from_:
            raise ValueError("'to' must not be before 'from'")
        if (self.to - self.from_).days >= MAX_ASSEMBLY_DAYS:
            raise ValueError(f"choose at most {MAX_ASSEMBLY_DAYS} days")
        return self


class VocabularyIn(In):
    kind: str = Field(pattern="^(skill|interest)$")
    name: str

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return clean_text(v, field="name", max_length=60)


# --- responses ---------------------------------------------------------------------------------------

class ActivityOut(BaseModel):
    id: str
    title: str
    description: str | None = None
    hours: float
    skills: list[str]
    interests: list[str]
    employer_engagement: bool
    partner_id: str | None = None
    school_id: str | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None


class ActivityList(BaseModel):
    activities: list[ActivityOut]


class CodeOut(BaseModel):
    code: str
    single_use: bool
    max_uses: int | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    activity_id: str
    used: bool = Field(default=False, description="nobody new can redeem it: a single-use code that was redeemed, "
                                                  "or a capped code at max_uses")
    uses: int | None = Field(default=None, description="redemptions so far (0 or 1 for a single-use code); null "
                                                       "for uncapped multi-use codes, which are not counted")


class CodeList(BaseModel):
    codes: list[CodeOut]


class ActivitySummary(BaseModel):
    id: str
    title: str
    hours: float
    skills: list[str]
    interests: list[str]
    employer_engagement: bool


class AwardOut(BaseModel):
    name: str
    hours: int


class NextAward(BaseModel):
    name: str
    hours: int
    hours_remaining: float


class RedemptionOut(BaseModel):
    redemption_id: str
    activity: ActivitySummary
    total_hours: float
    new_awards: list[AwardOut]
    next_award: NextAward | None


class GroupMemberOut(BaseModel):
    pupil_id: str
    redemption_id: str | None
    total_hours: float | None = Field(default=None, description="after this session (only when recorded now)")
    new_awards: list[AwardOut] = Field(default_factory=list)


class GroupRedemptionOut(BaseModel):
    activity: ActivitySummary
    session_id: str
    recorded: list[GroupMemberOut] = Field(description="pupils given the hours by this request")
    already_recorded: list[GroupMemberOut] = Field(
        description="pupils this session had already been recorded for (a repeated request)")


class SchoolAward(BaseModel):
    pupil_id: str
    first_name: str
    last_name: str
    year_group: int
    name: str
    hours: int
    achieved_at: str
    certificate_id: str


class SchoolAwardList(BaseModel):
    awards: list[SchoolAward]


class AwardReached(BaseModel):
    name: str
    hours: int
    achieved_at: str
    certificate_id: str
    verification_code: str | None = Field(
        default=None, description="printed on the certificate; given when the certificate is first opened")


class RedemptionRecord(BaseModel):
    id: str
    activity: ActivitySummary
    hours: float
    redeemed_at: str


class ProgressOut(BaseModel):
    total_hours: float
    awards: list[AwardReached]
    next_award: NextAward | None
    redemptions: list[RedemptionRecord]
    upcoming_awards: list[AwardOut] = Field(
        default_factory=list, description="the next awards on the ladder, not reached yet (the next one first)")
    open_badges: bool = Field(default=False, description="the school lets pupils download their awards as badges")


class VocabularyOut(BaseModel):
    skills: list[str]
    interests: list[str]
