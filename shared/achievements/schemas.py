"""Credential API models: requests in, responses out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class NameMatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, description="the name the checker already has")


class IssuerOut(BaseModel):
    name: str
    partner: str


class VerificationOut(BaseModel):
    """What anyone holding the code may know: never the child's name or school."""

    genuine: bool
    code: str
    award: str
    hours: int
    achieved_on: str
    issuer: IssuerOut


class NameMatchOut(BaseModel):
    matches: bool
