"""Reports: the query in, the responses out (the stored per-school summary row is in `store`).

Figures are hours (floats, from whole minutes) and pupil counts. In partner and national reports a
cell describing fewer than 5 pupils holds the marker "<5" instead of a number (`Count`, `Hours`);
the school report is never suppressed, so its cells are always numbers.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.schemas import Day

SUPPRESSED = "<5"
Count = int | Literal["<5"]
Hours = float | Literal["<5"]
Rate = float | Literal["<5"]


# --- request ---------------------------------------------------------------------------------------

class ReportQuery(BaseModel):
    # Only the alias: `from` is the parameter's name, `from_` is Python's.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    from_: Day | None = Field(default=None, alias="from", description="first day (inclusive), YYYY-MM-DD")
    to: Day | None = Field(default=None, description="last day (inclusive), YYYY-MM-DD")
    format: Literal["json", "csv"] = "json"

    @model_validator(mode="after")
    def _ordered(self) -> ReportQuery:
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError("'to' must not be before 'from'")
        return self


# --- responses -------------------------------------------------------------------------------------

class _Out(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, populate_by_name=True)


class Period(_Out):
    from_: date | None = Field(alias="from", description="first day covered; null: from the beginning")
    to: date | None = Field(description="last day covered; null: up to now")
    granularity: Literal["day", "month"] = Field(
        description="month: partner and national figures come from monthly roll-ups, so the range is widened "
                    "to whole calendar months")


class GenderSplit(_Out):
    roster: dict[str, Count] = Field(description="pupils on roll by gender")
    participants: dict[str, Count] = Field(description="pupils who learned in the period, by gender")


class YearGroupFigures(_Out):
    pupils: Count
    participants: Count
    hours: Hours


class Suppression(_Out):
    threshold: int = 5
    marker: str = SUPPRESSED
    rule: str = ("a cell describing 1 to 4 pupils shows the marker; where a total would reveal a single hidden "
                 "cell of a breakdown, the next smallest cell is hidden too")


class TrendMonth(_Out):
    month: str = Field(description="YYYY-MM")
    participants: Count = Field(description="pupils who learned in the month")
    hours: Hours


class Insight(_Out):
    period: Period
    as_of: str | None = Field(description="how fresh the figures are: now for a school report; for partner and "
                                          "national reports the oldest school roll-up they include")
    pupils: Count = Field(description="pupils on roll (not left, not restricted)")
    participants: Count = Field(description="pupils on roll who redeemed at least one code in the period")
    participation_rate: Rate = Field(description="participants / pupils, 0 to 1")
    total_hours: Hours
    hours_per_participant: Hours
    redemptions: Count
    by_gender: GenderSplit
    by_year_group: dict[str, YearGroupFigures] = Field(description="by the pupils' year group today")
    skills: dict[str, Hours] = Field(description="hours that built each skill (an activity counts for each)")
    interests: dict[str, Hours]
    employer_engagement_hours: Hours
    awards: dict[str, Count] = Field(description="pupils who reached each award in the period")
    activities_available: int = Field(description="activities offered, open at some time in the period")
    activities_used: int = Field(description="distinct activities redeemed in the period, whoever offered them")
    activities_available_used: int = Field(description="of the activities offered, those redeemed")
    trend: list[TrendMonth] = Field(default_factory=list, description="month by month over the period")


class SchoolRef(_Out):
    id: str
    name: str


class ActivityUse(_Out):
    id: str
    title: str
    provider: Literal["partner", "school"]
    offered: bool = Field(description="offered to this school (its partner's destinations and its own clubs)")
    pupils: int = Field(description="pupils who redeemed it in the period")


class SchoolReport(Insight):
    school: SchoolRef
    activities: list[ActivityUse]


class SchoolLine(_Out):
    id: str
    name: str
    as_of: str | None = Field(description="null: not rolled up yet, so not in the figures")
    pupils: Count | None
    participants: Count | None
    participation_rate: Rate | None
    total_hours: Hours | None


class PartnerRef(_Out):
    id: str
    name: str


class PartnerReport(Insight):
    partner: PartnerRef
    suppression: Suppression = Field(default_factory=Suppression)
    schools: list[SchoolLine]
    schools_pending: int = Field(description="member schools not rolled up yet (not in the figures)")
    next_rollup_at: str | None = Field(
        default=None, description="while some figures are not rolled up yet: when the roll-up next runs")


class PartnerLine(_Out):
    id: str
    name: str
    schools: int
    pupils: Count
    participants: Count
    participation_rate: Rate
    total_hours: Hours


class NationalReport(Insight):
    suppression: Suppression = Field(default_factory=Suppression)
    schools: int = Field(description="schools in the figures (rolled up at least once)")
    partners: list[PartnerLine]
    partners_pending: int = Field(description="partners not rolled up yet (not in the figures)")
    next_rollup_at: str | None = Field(
        default=None, description="while some figures are not rolled up yet: when the roll-up next runs")
