"""Signed access tokens (JWT, HS256) carrying the caller's role and scope ids."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import jwt

from shared.errors import Unauthenticated
from shared.security.principal import Principal, Role
from shared.settings import Settings, get_settings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti", "role"]


def issue_access_token(principal: Principal, settings: Settings | None = None, *, now: datetime | None = None) -> str:
    settings = settings or get_settings()
    issued = now or datetime.now(UTC)
    claims = {
        "sub": principal.subject_id,
        "role": principal.role.value,
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "iat": issued,
        "exp": issued + timedelta(minutes=settings.access_token_minutes),
        "jti": secrets.token_urlsafe(12),
        "sv": principal.session_version,
    }
    if principal.school_id:
        claims["school_id"] = principal.school_id
    if principal.partner_id:
        claims["partner_id"] = principal.partner_id
    return jwt.encode(claims, settings.token_signing_key, algorithm=ALGORITHM)


def verify_access_token(token: str, settings: Settings | None = None) -> Principal:
    """Reject anything but an unexpired HS256 token of ours for our audience; never echo the token."""
    settings = settings or get_settings()
    try:
        claims = jwt.decode(
            token,
            settings.token_signing_key,
            algorithms=[ALGORITHM],
            audience=settings.token_audience,
            issuer=settings.token_issuer,
            options={"require": REQUIRED_CLAIMS},
            leeway=5,
        )
        role = Role(claims["role"])
        session_version = int(claims.get("sv", 0))
    except (jwt.PyJWTError, ValueError, KeyError, TypeError):
        raise Unauthenticated("The access token is missing, expired or invalid.") from None
    return Principal(
        subject_id=str(claims["sub"]),
        role=role,
        school_id=claims.get("school_id"),
        partner_id=claims.get("partner_id"),
        token_id=claims.get("jti"),
        session_version=session_version,
    )
