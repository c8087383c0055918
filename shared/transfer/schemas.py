"""Transfer API models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TransferCodeOut(BaseModel):
    code: str = Field(description="printed on the slip for the new school; shown once")
    pupil_id: str
    expires_on: str = Field(description="the old record's erasure date: the code is useless after it")


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=40)


class TransferOut(BaseModel):
    pupil_id: str
    total_hours: float
    hours_added: float
    redemptions_moved: int
    awards_moved: int
    already_moved: bool = Field(description="true when this code had already moved the record (a retry)")
