"""Auth request and response models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.security.principal import Role


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(_In):
    refresh_token: str = Field(min_length=1, max_length=512)


class AcceptInvitationIn(_In):
    token: str = Field(min_length=1, max_length=512)
    password: str = Field(min_length=1, max_length=256)


class UserOut(BaseModel):
    id: str
    role: Role
    display_name: str
    school_id: str | None = None
    partner_id: str | None = None


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    refresh_token: str
    user: UserOut


class MeOut(BaseModel):
    id: str
    role: Role
    display_name: str
    school_id: str | None = None
    partner_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    nickname: str | None = None
    email: str | None = None
    phone: str | None = None
    username: str | None = None
    year_group: int | None = None
