"""Graduation list API models."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_DAYS = 800


class GraduationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)

    start: date | None = Field(default=None, alias="from", description="first day (default: 1 September last)")
    end: date | None = Field(default=None, alias="to", description="last day, inclusive (default: today)")
    award: str | None = Field(default=None, max_length=60, description="one award, by name or key")
    format: str = Field(default="json", pattern="^(json|csv|pdf)$",
                        description="pdf (the certificates) only for one school's list")

    @model_validator(mode="after")
    def _range(self) -> GraduationQuery:
        if self.start and self.end:
            if self.end < self.start:
                raise ValueError("'to' must not be before 'from'")
            if (self.end - self.start).days > MAX_DAYS:
                raise ValueError(f"a graduation list covers at most {MAX_DAYS} days")
        return self


class GraduateAward(BaseModel):
    name: str
    hours: int
    achieved_at: str
    certificate_id: str


class Graduate(BaseModel):
    pupil_id: str
    first_name: str
    last_name: str
    year_group: int
    status: str
    awards: list[GraduateAward]


class SchoolGraduation(BaseModel):
    school_id: str
    school_name: str
    awards: dict[str, int] = Field(description="award name -> pupils who reached it in the period")
    pupils: list[Graduate]


class GraduationList(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)

    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    award: str | None
    schools: list[SchoolGraduation]
