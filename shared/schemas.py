"""What every API request model shares: the one base class, and the text rule for free-text fields."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class In(BaseModel):
    """A request body or query: unknown fields are refused (a typo is an error, not silently ignored) and
    text is trimmed. Secrets (passwords) opt out of trimming in their own model."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def clean_text(value: str, *, field: str, max_length: int = 100) -> str:
    value = unicodedata.normalize("NFC", " ".join(value.split()))
    if not value:
        raise ValueError(f"{field} is required")
    if len(value) > max_length:
        raise ValueError(f"{field} must be at most {max_length} characters")
    if _CONTROL.search(value):
        raise ValueError(f"{field} must not contain control characters")
    return value


def _iso_day(value: Any) -> Any:
    """Only YYYY-MM-DD (or a date): pydantic alone would read `0` or `1700000000` as a Unix time (1970…)."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.match(value)):
        return value
    raise ValueError("give a date as YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_iso_day)]
"""A calendar day in a request: ISO 8601 `YYYY-MM-DD` only."""


MAX_WEB_ADDRESS = 300


def clean_web_address(value: str, *, field: str) -> str:
    """A public web page: http(s) only (never `javascript:` or `mailto:`), a host name with a dot, no user name
    or password in it, no spaces or control characters."""
    value = value.strip()
    if len(value) > MAX_WEB_ADDRESS:
        raise ValueError(f"{field} must be at most {MAX_WEB_ADDRESS} characters")
    if _CONTROL.search(value) or any(ch.isspace() for ch in value):
        raise ValueError(f"{field} must not contain spaces or control characters")
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme.lower() not in ("http", "https") or "." not in host.strip("."):
        raise ValueError(f"{field} must be a web address starting https:// (e.g. https://www.example.org.uk/visit)")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{field} must not contain a user name or password")
    return value
