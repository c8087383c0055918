"""Organisation API shapes: requests in (validated) and responses out. Domain records are in `model.py`."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, Field, field_validator

from shared.organisation.model import DobPolicy, School, StaffMember, StaffStatus
from shared.schemas import In, clean_text
from shared.security.principal import Role


def normalise_email(value: str) -> str:
    """Lower-cased, IDNA-normalised; no deliverability check (no network)."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValueError("email is not a valid email address") from None
    return result.normalized.lower()


def normalise_phone(value: str | None) -> str | None:
    """A UK or international number, stored in E.164."""
    if value is None or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        raise ValueError("phone is not a valid UK or international (E.164) number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("phone is not a valid UK or international (E.164) number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- requests ---------------------------------------------------------------------------------

class PartnerIn(In):
    name: str = Field(min_length=1, max_length=120)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return clean_text(v, field="name", max_length=120)


class SchoolIn(In):
    name: str = Field(min_length=1, max_length=120)
    urn: str | None = Field(default=None, description="DfE Unique Reference Number (6 digits)")
    dob_policy: DobPolicy = DobPolicy.EXACT

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return clean_text(v, field="name", max_length=120)

    @field_validator("urn")
    @classmethod
    def _urn(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if not re.fullmatch(r"\d{6}", v):
            raise ValueError("urn must be the school's 6-digit DfE URN")
        return v


class SchoolPatch(In):
    name: str | None = None
    urn: str | None = None
    dob_policy: DobPolicy | None = None
    active: bool | None = Field(default=None, description="false when the school leaves the programme")
    oneroster_org_id: str | None = Field(
        default=None, max_length=255,
        description="the school's org sourcedId in its OneRoster bundles (a bundle naming several schools loads"
                    " only this one's pupils); an empty string clears it",
    )

    @field_validator("oneroster_org_id")
    @classmethod
    def _org(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = v.strip()
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in v):
            raise ValueError("oneroster_org_id must not contain control characters")
        return v
    open_badges: bool | None = Field(
        default=None, description="true lets pupils download their awards as Open Badges 3.0 credentials")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return None if v is None else clean_text(v, field="name", max_length=120)

    @field_validator("urn")
    @classmethod
    def _urn(cls, v: str | None) -> str | None:
        return SchoolIn._urn(v)


class StaffIn(In):
    first_name: str
    last_name: str
    nickname: str
    email: str
    phone: str | None = None

    @field_validator("first_name", "last_name", "nickname")
    @classmethod
    def _names(cls, v: str, info) -> str:
        return clean_text(v, field=info.field_name)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        return normalise_email(v)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return normalise_phone(v)


class StaffPatch(In):
    first_name: str | None = None
    last_name: str | None = None
    nickname: str | None = None
    email: str | None = None
    phone: str | None = None

    @field_validator("first_name", "last_name", "nickname")
    @classmethod
    def _names(cls, v: str | None, info) -> str | None:
        return None if v is None else clean_text(v, field=info.field_name)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        return None if v is None else normalise_email(v)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return normalise_phone(v) if v is not None else None


# --- responses ----------------------------------------------------------------------------------

class PartnerOut(BaseModel):
    id: str
    name: str


class PartnerList(BaseModel):
    partners: list[PartnerOut]


class SchoolOut(BaseModel):
    id: str
    partner_id: str
    name: str
    urn: str | None
    dob_policy: DobPolicy
    active: bool
    last_sync_at: str | None = None
    left_programme_at: str | None = Field(default=None, description="when the school left; its pupils' records "
                                          "are deleted SCHOOL_EXIT_GRACE_DAYS later")
    oneroster_org_id: str | None = None
    open_badges: bool = False


class SchoolList(BaseModel):
    schools: list[SchoolOut]


class StaffOut(BaseModel):
    id: str
    role: Role
    first_name: str
    last_name: str
    nickname: str
    email: str | None = Field(description="shown to the person, their manager and the Trust; not to colleagues")
    phone: str | None = Field(description="shown to the person, their manager and the Trust; not to colleagues")
    school_id: str | None
    partner_id: str | None
    status: StaffStatus


class StaffCreatedOut(StaffOut):
    invitation_url: str
    invitation_expires_at: str
    invitation_emailed: bool = Field(default=False, description="the link was also emailed to the person")


class InvitationOut(BaseModel):
    staff_id: str
    invitation_url: str
    invitation_expires_at: str
    invitation_emailed: bool


class StaffList(BaseModel):
    staff: list[StaffOut]


def school_out(s: School) -> SchoolOut:
    return SchoolOut(
        id=s.id, partner_id=s.partner_id, name=s.name, urn=s.urn, dob_policy=s.dob_policy, active=s.active,
        last_sync_at=s.last_sync_at, left_programme_at=s.left_programme_at, oneroster_org_id=s.oneroster_org_id,
        open_badges=s.open_badges,
    )


def staff_out(s: StaffMember, *, contact: bool = True) -> StaffOut:
    """`contact=False` for colleagues: names and role only (the DPIA: contact details are for the person,
    their CU manager and the Trust)."""
    return StaffOut(
        id=s.id, role=s.role, first_name=s.first_name, last_name=s.last_name, nickname=s.nickname,
        email=s.email if contact else None, phone=s.phone if contact else None, school_id=s.school_id,
        partner_id=s.partner_id, status=s.status,
    )
