"""Learning destinations: API requests in (validated) and responses out. Records are in `model.py`."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from shared.destinations.model import Cost, DestinationKind, DestinationStatus
from shared.schemas import In, clean_text, clean_web_address

# A destination is an organisation: its texts must not carry a person's email address or phone number.
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_PHONE = re.compile(r"(?:\+|\b)\d(?:[\s().-]*\d){8,}")
# The outward code of a UK postcode (the district: M1, B33, SW1A, CR2): a full postcode can point at a house.
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_FULL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}$")


def organisation_text(value: str, *, field: str, max_length: int) -> str:
    value = clean_text(value, field=field, max_length=max_length)
    if _EMAIL.search(value) or _PHONE.search(value):
        raise ValueError(f"{field} must not contain an email address or phone number: destinations are "
                         "organisations, with no personal contact details")
    return value


def _optional(value: str | None, *, field: str, max_length: int) -> str | None:
    if value is None or not value.strip():
        return None
    return organisation_text(value, field=field, max_length=max_length)


def postcode_district(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip().upper()
    if _FULL_POSTCODE.match(value):
        raise ValueError("postcode_district is only the first half of a postcode (e.g. M1 or SW1A), never a "
                         "full postcode")
    if not _DISTRICT.match(value):
        raise ValueError("postcode_district must be a UK postcode district (e.g. M1, B33, SW1A)")
    return value


class _DestinationFields(In):
    @field_validator("name", check_fields=False)
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return None if v is None else organisation_text(v, field="name", max_length=120)

    @field_validator("town", check_fields=False)
    @classmethod
    def _town(cls, v: str | None) -> str | None:
        return _optional(v, field="town", max_length=60)

    @field_validator("accessibility", check_fields=False)
    @classmethod
    def _accessibility(cls, v: str | None) -> str | None:
        return _optional(v, field="accessibility", max_length=500)

    @field_validator("postcode_district", check_fields=False)
    @classmethod
    def _district(cls, v: str | None) -> str | None:
        return postcode_district(v)

    @field_validator("web_page", check_fields=False)
    @classmethod
    def _web_page(cls, v: str | None) -> str | None:
        return None if v is None or not v.strip() else clean_web_address(v, field="web_page")


class DestinationIn(_DestinationFields):
    name: str = Field(description="the organisation's name (never a person's)")
    kind: DestinationKind
    town: str | None = None
    postcode_district: str | None = Field(default=None, description="the first half of the postcode, e.g. M1")
    web_page: str | None = Field(default=None, description="the destination's public web page (http or https)")
    cost: Cost
    accessibility: str | None = Field(default=None, description="access notes for families (step-free, quiet hours)")
    partner_id: str | None = Field(default=None, max_length=64,
                                   description="the partner's destination; absent: a national one (the Trust)")


class DestinationPatch(_DestinationFields):
    """Send only what changes; `null` clears an optional field."""

    name: str | None = None
    kind: DestinationKind | None = None
    town: str | None = None
    postcode_district: str | None = None
    web_page: str | None = None
    cost: Cost | None = None
    accessibility: str | None = None
    status: DestinationStatus | None = Field(
        default=None, description="paused: its activities leave the offer (codes already issued still redeem)")


class DestinationQuery(In):
    partner_id: str | None = Field(default=None, max_length=64,
                                   description="the partner's destinations; absent: the national ones")


class DestinationOut(BaseModel):
    id: str
    name: str
    kind: DestinationKind
    town: str | None = None
    postcode_district: str | None = None
    web_page: str | None = None
    cost: Cost
    accessibility: str | None = None
    partner_id: str | None = Field(default=None, description="null: a national destination")
    status: DestinationStatus
    created_at: str
    updated_at: str


class DestinationList(BaseModel):
    destinations: list[DestinationOut]
